"""The files of a run folder (`--out DIR`): where a training run keeps everything it made.

    DIR/
      settings.json       the settings, the command and the preset (written first)
      history.jsonl       every progress line of the run, as `--progress jsonl` prints them
      epochs/
        epoch-000.onnx    the untrained network (written after the first epoch)
        epoch-001.onnx    the network after epoch 1, ... (the last one may be a part epoch
                          when the run was stopped)
      model.onnx          the final model (the last snapshot, its test accuracy measured)
      samples.npz         typical test digits the final model classifies correctly
      MODEL_CARD.md       the model card
      model.keras         only with --keras-out DIR/model.keras

Every file but history.jsonl is written atomically (a temporary file, then a rename). Nothing
here imports NumPy or TensorFlow: `run_folder_of` tells whether a model file lies in a run
folder (the final model or an epoch's snapshot), and `RunLayout.snapshots()` lists the epochs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

SETTINGS_FILE = "settings.json"
HISTORY_FILE = "history.jsonl"
MODEL_FILE = "model.onnx"
SAMPLES_FILE = "samples.npz"
CARD_FILE = "MODEL_CARD.md"
EPOCHS_FOLDER = "epochs"
SNAPSHOT_PATTERN = re.compile(r"^epoch-(\d{3,})\.onnx$")


def snapshot_name(epoch: int) -> str:
    """'epoch-003.onnx' for epoch 3 (epoch 0 is the untrained network)."""
    return f"epoch-{epoch:03d}.onnx"


def snapshot_epoch(name: str) -> int | None:
    """The epoch of a snapshot file name ('epoch-003.onnx' → 3), or None for other names."""
    match = SNAPSHOT_PATTERN.match(name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class RunLayout:
    """The paths of one run folder (see the module docstring)."""

    folder: Path

    @property
    def settings(self) -> Path:
        """settings.json."""
        return self.folder / SETTINGS_FILE

    @property
    def history(self) -> Path:
        """history.jsonl."""
        return self.folder / HISTORY_FILE

    @property
    def model(self) -> Path:
        """model.onnx, the final model."""
        return self.folder / MODEL_FILE

    @property
    def samples(self) -> Path:
        """samples.npz."""
        return self.folder / SAMPLES_FILE

    @property
    def card(self) -> Path:
        """MODEL_CARD.md."""
        return self.folder / CARD_FILE

    @property
    def epochs(self) -> Path:
        """The folder of the per-epoch snapshots."""
        return self.folder / EPOCHS_FOLDER

    def snapshot(self, epoch: int) -> Path:
        """The snapshot of `epoch` (0: the untrained network)."""
        return self.epochs / snapshot_name(epoch)

    def snapshots(self) -> tuple[tuple[int, Path], ...]:
        """(epoch, path) of every snapshot on disk, by epoch; () if there is none."""
        if not self.epochs.is_dir():
            return ()
        found = []
        for path in self.epochs.iterdir():
            epoch = snapshot_epoch(path.name)
            if epoch is not None and path.is_file():
                found.append((epoch, path))
        return tuple(sorted(found))


def run_folder_of(model: Path) -> RunLayout | None:
    """The run folder `model` belongs to, or None if it is not a run's model.

    A run's model is DIR/model.onnx or DIR/epochs/epoch-NNN.onnx where DIR holds settings.json
    (what every run folder is written with first); the names alone are not enough.

    Args:
        model: an ONNX file's path, e.g. one the digit lab opened.

    Returns:
        The run folder's layout (its `snapshots()` list every epoch's model), or None.
    """
    if model.name == MODEL_FILE:
        folder = model.parent
    elif snapshot_epoch(model.name) is not None and model.parent.name == EPOCHS_FOLDER:
        folder = model.parent.parent
    else:
        return None
    layout = RunLayout(folder)
    return layout if layout.settings.is_file() else None
