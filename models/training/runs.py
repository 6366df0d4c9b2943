"""Saved training runs: the run folders under one root, listed, read back and deleted.

The training lab keeps each run in its own folder under the user's data folder
(`<data>/training-runs/<YYYY-MM-DD_HHMMSS>-<preset>/`, see run_layout.py for what a folder
holds). Everything here reads files only (JSON and directory listings): no NumPy arrays from
ONNX, no TensorFlow, so the GUI lists and overlays runs without the `train` extra. A run is
deleted only by `delete_run`, only inside the root, and only if it looks like a run folder.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from models.training.history import RunHistory
from models.training.protocol import EndLine, ErrorLine, ProtocolError, parse_line
from models.training.run_document import RunDocumentError, read_settings_document
from models.training.run_layout import HISTORY_FILE, SETTINGS_FILE, RunLayout

if TYPE_CHECKING:
    from pathlib import Path

    from models.training.protocol import Line
    from models.training.run_document import RunDocument

RUNS_FOLDER = "training-runs"
TAIL_BYTES = 8192  # the end or error line is short; the tail of history.jsonl holds it
SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
RunStatus = Literal["finished", "stopped", "failed", "incomplete"]


class RunFolderError(ValueError):
    """A folder that is not a run folder (or not inside the runs' root) was to be deleted."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One saved run as the lab lists it.

    Attributes:
        layout: the run's folder and its files.
        document: what settings.json says; None if it is missing or bad (see `problem`).
        problem: why the run cannot be read fully, for the user; None if it can.
        status: "finished", "stopped" (by the user; its model is usable), "failed" (the
            trainer reported an error) or "incomplete" (still running, or ended without a
            last line: the trainer was killed).
        end: the run's end line, if it ended.
        error: the trainer's error message, if it failed.
        size: bytes on disk (every file of the folder).
        snapshots: (epoch, path) of every snapshot, by epoch.
    """

    layout: RunLayout
    document: RunDocument | None
    problem: str | None
    status: RunStatus
    end: EndLine | None
    error: str | None
    size: int
    snapshots: tuple[tuple[int, Path], ...]

    @property
    def name(self) -> str:
        """The folder's name, e.g. '2025-01-02_030405-softmax'."""
        return self.layout.folder.name

    @property
    def model(self) -> Path | None:
        """The model to open: model.onnx if written, else the latest snapshot, else None."""
        if self.layout.model.is_file():
            return self.layout.model
        return self.snapshots[-1][1] if self.snapshots else None


@dataclass(frozen=True, slots=True)
class HistoryRead:
    """A history.jsonl read back.

    Attributes:
        history: the lines that could be read.
        problems: one sentence per line that could not be read (a run killed mid-line leaves
            a half-written last line).
    """

    history: RunHistory
    problems: tuple[str, ...]


def runs_root(data_folder: Path) -> Path:
    """Where the runs live inside the app's data folder."""
    return data_folder / RUNS_FOLDER


def new_run_folder(root: Path, architecture: str, now: datetime | None = None) -> Path:
    """A new, not yet existing folder for a run: '<root>/2025-01-02_030405-softmax' (-2, -3...)."""
    moment = (now or datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    stem = f"{moment}-{SAFE_NAME.sub('-', architecture)}"
    candidate, number = root / stem, 1
    while candidate.exists():
        number += 1
        candidate = root / f"{stem}-{number}"
    return candidate


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder` (files that vanish meanwhile are not counted)."""
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total


def last_line(history: Path) -> Line | None:
    """The last readable protocol line of a history.jsonl (reads only its tail), or None."""
    try:
        with history.open("rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - TAIL_BYTES))
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    for text in reversed(tail.splitlines()):
        try:
            return parse_line(text)
        except ProtocolError:
            continue
    return None


def run_status(line: Line | None) -> tuple[RunStatus, EndLine | None, str | None]:
    """(status, end line, error message) from a history's last line."""
    if isinstance(line, EndLine):
        return ("stopped" if line.stopped else "finished"), line, None
    if isinstance(line, ErrorLine):
        return "failed", None, line.message
    return "incomplete", None, None


def summarise_run(folder: Path) -> RunSummary:
    """What the lab lists about the run in `folder` (never raises for a bad folder)."""
    layout = RunLayout(folder)
    document: RunDocument | None = None
    problem = None
    try:
        document = read_settings_document(layout.settings.read_text(encoding="utf-8"), folder)
    except OSError as error:
        problem = f"cannot read {layout.settings.name}: {error.strerror or error}"
    except (RunDocumentError, UnicodeDecodeError) as error:
        problem = str(error)
    status, end, error_message = run_status(last_line(layout.history))
    return RunSummary(
        layout=layout,
        document=document,
        problem=problem,
        status=status,
        end=end,
        error=error_message,
        size=folder_size(folder),
        snapshots=layout.snapshots(),
    )


def is_run_folder(folder: Path) -> bool:
    """True if `folder` holds a run's settings.json or history.jsonl."""
    return (folder / SETTINGS_FILE).is_file() or (folder / HISTORY_FILE).is_file()


def run_folders(root: Path) -> list[Path]:
    """The run folders directly under `root`, newest first (by folder name, then time)."""
    if not root.is_dir():
        return []
    folders = [path for path in root.iterdir() if path.is_dir() and is_run_folder(path)]
    folders.sort(key=lambda path: (path.name, path.stat().st_mtime), reverse=True)
    return folders


def list_runs(root: Path) -> list[RunSummary]:
    """Every run folder directly under `root`, newest first, summarised (`summarise_run`)."""
    return [summarise_run(folder) for folder in run_folders(root)]


def read_history(folder: Path) -> HistoryRead:
    """The run's history.jsonl as a RunHistory; unreadable lines are listed, not fatal.

    A missing file gives an empty history and one problem.
    """
    path = RunLayout(folder).history
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return HistoryRead(RunHistory(), (f"cannot read {path.name}: {error.strerror or error}",))
    history, problems = RunHistory(), []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            history.add(parse_line(line))
        except ProtocolError as error:
            problems.append(f"{path.name} line {number}: {error}")
    return HistoryRead(history, tuple(problems))


def delete_run(root: Path, folder: Path) -> None:
    """Delete a run folder and everything in it.

    Raises:
        RunFolderError: `folder` is not directly inside `root`, or is not a run folder.
        OSError: the folder could not be deleted (some of it may be gone).
    """
    if folder.resolve().parent != root.resolve():
        raise RunFolderError(f"{folder} is not a run folder inside {root}")
    if not folder.is_dir() or not is_run_folder(folder):
        raise RunFolderError(f"{folder} is not a run folder (no settings.json or history.jsonl)")
    shutil.rmtree(folder)
