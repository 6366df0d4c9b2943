"""What the user chose for a model file, remembered by the file's content (SHA-256).

The input preprocessing, how pictures are fitted (centre crop or letterbox) and class labels
the user gave for a model are kept in one small JSON file in the app's data folder, keyed by
the SHA-256 of the model file, so the same file (renamed or moved) comes back the same way in
the lab and in ``--classify``. The file may be edited by hand or damaged: anything that does
not read as such a record is ignored (and replaced on the next save), never an error.

The data folder is $CNN_VISUALIZER_DATA_DIR when set (tests and CI set it), else the app's
data folder (the place Qt's AppDataLocation names for "CNN Visualizer").
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from engine.drawings.file_bytes import MEGABYTE, read_regular_file
from engine.network.preprocessing import Preprocessing

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

DATA_DIR_VARIABLE = "CNN_VISUALIZER_DATA_DIR"
APP_FOLDER = ("CNN Visualizer", "CNN Visualizer")  # organisation, application (as Qt names it)
FILE_NAME = "model-inputs.json"
VERSION = 1
MAX_FILE_BYTES = 10 * MEGABYTE
"""The largest file of remembered choices read (a record is a few hundred bytes)."""
Fit = Literal["crop", "letterbox"]
FITS: tuple[Fit, ...] = ("crop", "letterbox")


def data_folder() -> Path:
    """$CNN_VISUALIZER_DATA_DIR, else the user's data folder for the app.

    The folder Qt's AppDataLocation names for the app: ~/.local/share/… on Linux,
    ~/Library/Application Support/… on macOS, %APPDATA% on Windows.
    """
    chosen = os.environ.get(DATA_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base.joinpath(*APP_FOLDER)


@dataclass(frozen=True, slots=True)
class Remembered:
    """What was chosen for one model file; None where nothing was chosen."""

    preprocessing: Preprocessing | None = None
    fit: Fit | None = None
    labels: tuple[str, ...] | None = None


def _preprocessing_of(record: object) -> Preprocessing | None:
    if not isinstance(record, dict):
        return None
    try:
        return Preprocessing(
            str(record["name"]),
            tuple(float(v) for v in record["mean"]),
            tuple(float(v) for v in record["std"]),
            bool(record.get("inverted", False)),
        )
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: a 400-digit int
        return None


def _remembered_of(record: object) -> Remembered | None:
    if not isinstance(record, dict):
        return None
    fit = record.get("fit")
    labels = record.get("labels")
    good_labels = isinstance(labels, list) and all(isinstance(x, str) for x in labels)
    return Remembered(
        _preprocessing_of(record.get("preprocessing")),
        fit if fit in FITS else None,
        tuple(labels) if good_labels and labels else None,
    )


class RememberedInputs:
    """The JSON file of choices per model file (``FILE_NAME`` in the data folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else data_folder() / FILE_NAME

    def _read(self) -> dict[str, object]:
        """The records by model hash; {} when the file is missing, damaged or not a file.

        Read with a cap (``MAX_FILE_BYTES``, regular files only: a FIFO put in its place
        cannot stall the app's start), and JSON nested too deeply is damage like any other.
        """
        try:
            data = read_regular_file(
                self.path, limit=MAX_FILE_BYTES, kind="settings", expected="a JSON file"
            )
            found = json.loads(data.decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return {}
        models = found.get("models") if isinstance(found, dict) else None
        return dict(models) if isinstance(models, dict) else {}

    def get(self, sha256: str) -> Remembered:
        """What was chosen for the model file with this hash (all None when nothing)."""
        return _remembered_of(self._read().get(sha256)) or Remembered()

    def remember(
        self,
        sha256: str,
        *,
        preprocessing: Preprocessing | None = None,
        fit: Fit | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        """Keep the given choices for the file (the others stay). OSError if it cannot save."""
        models = self._read()
        old = models.get(sha256)
        record: dict[str, object] = dict(old) if isinstance(old, dict) else {}
        if preprocessing is not None:
            record["preprocessing"] = _record_of(preprocessing)
        if fit is not None:
            record["fit"] = fit
        if labels is not None:
            record["labels"] = list(labels)
        models[sha256] = record
        self._write({"version": VERSION, "models": models})

    def _write(self, content: Mapping[str, object]) -> None:
        """Write atomically: a temporary file in the same folder, then renamed over the file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=".model-inputs-", suffix=".json", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(content, file, indent=1, ensure_ascii=False)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _record_of(preprocessing: Preprocessing) -> dict[str, object]:
    return {
        "name": preprocessing.name,
        "mean": list(preprocessing.mean),
        "std": list(preprocessing.std),
        "inverted": preprocessing.inverted,
    }
