"""The epochs of a training run a model file belongs to: the digit lab's epoch slider.

A run folder made by ``python -m models.training --out DIR`` (see models/training/run_layout.py)
holds DIR/settings.json, DIR/model.onnx (the final model) and DIR/epochs/epoch-NNN.onnx, one
snapshot per epoch (epoch 0: the untrained network). When the lab opens one of these files (the
training lab's "Open in Digit Lab"), the slider steps through the run's snapshots, so a student
sees how the answer to the same drawing and the feature maps changed as the network learnt.
The rule here is the training package's ``run_folder_of``: the names alone are not enough,
DIR must hold settings.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.network.number_text import percent_text

if TYPE_CHECKING:
    import os

SETTINGS_FILE = "settings.json"
MODEL_FILE = "model.onnx"
EPOCHS_FOLDER = "epochs"
SNAPSHOT = re.compile(r"^epoch-(\d{3,})\.onnx$")


@dataclass(frozen=True, slots=True)
class EpochSnapshots:
    """A run's epoch snapshots, by epoch, and which of them a model file is.

    Attributes:
        folder: The run folder.
        epochs: (epoch, path) of every snapshot on disk, by epoch (at least two).
        current: The index in ``epochs`` of the model file asked about (the final model.onnx
            is the last epoch's).
    """

    folder: Path
    epochs: tuple[tuple[int, Path], ...]
    current: int

    @property
    def epoch(self) -> int:
        """The epoch of the current snapshot."""
        return self.epochs[self.current][0]

    def at(self, index: int) -> EpochSnapshots:
        """The same run at snapshot ``index``. IndexError outside 0..len(epochs)−1."""
        if not 0 <= index < len(self.epochs):
            raise IndexError(f"the run has {len(self.epochs)} snapshots, not {index + 1}")
        return EpochSnapshots(self.folder, self.epochs, index)

    @property
    def path(self) -> Path:
        """The current snapshot's file."""
        return self.epochs[self.current][1]

    def text(self, accuracy: float | None) -> str:
        """The slider's words: 'Epoch 3 of 10 · 97.96 % on the MNIST test set'."""
        last = self.epochs[-1][0]
        words = f"Epoch {self.epoch} of {last}"
        if self.epoch == 0:
            words += " (untrained)"
        if accuracy is not None:
            words += f" · {percent_text(accuracy)} on the MNIST test set"
        return words


def epoch_snapshots(model: str | os.PathLike[str]) -> EpochSnapshots | None:
    """The run's snapshots when ``model`` is a run's model.onnx or epoch snapshot, else None.

    None too when the run has fewer than two snapshots (nothing to step through), or when the
    folder cannot be read.
    """
    path = Path(model)
    if path.name == MODEL_FILE:
        folder = path.parent
    elif SNAPSHOT.match(path.name) and path.parent.name == EPOCHS_FOLDER:
        folder = path.parent.parent
    else:
        return None
    try:
        if not (folder / SETTINGS_FILE).is_file():
            return None
        found = []
        for file in (folder / EPOCHS_FOLDER).iterdir():
            match = SNAPSHOT.match(file.name)
            if match and file.is_file():
                found.append((int(match.group(1)), file))
    except OSError:
        return None
    epochs = tuple(sorted(found))
    if len(epochs) < 2:
        return None
    if path.name == MODEL_FILE:
        current = len(epochs) - 1
    else:
        names = [p.name for _, p in epochs]
        current = names.index(path.name) if path.name in names else len(epochs) - 1
    return EpochSnapshots(folder, epochs, current)
