"""What a training run reports while it runs: the events and the `TrainingProgress` protocol.

`run_training` calls a progress object's methods in this order: `on_message` (any time, e.g.
"downloading MNIST"), `on_start` once the data is loaded, `on_batch` after every training step,
`on_epoch` after every epoch, and `on_end` once every file is written. The command line's
`ConsoleProgress` (console.py) prints the human summary; a training lab can implement the same
five methods to draw curves or write JSON lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from models.training.architectures import Architecture
    from models.training.report import TrainingResult
    from models.training.settings import TrainingSettings


@dataclass(frozen=True, slots=True)
class TrainingStart:
    """The run is about to build and train the model.

    Attributes:
        architecture: the preset being trained.
        train_images: how many training images each epoch sees.
        data_source: where the data came from (a path, or "keras.datasets.mnist").
        training: the training settings.
        batches_per_epoch: training steps per epoch, ceil(train_images / batch_size).
    """

    architecture: Architecture
    train_images: int
    data_source: str
    training: TrainingSettings
    batches_per_epoch: int


@dataclass(frozen=True, slots=True)
class BatchEnd:
    """One training step is done.

    Attributes:
        epoch: 1..epochs.
        epochs: epochs in the run.
        batch: 1..batches, within the epoch.
        batches: steps per epoch.
        loss: mean cross-entropy over the epoch's batches so far (Keras's running mean).
        accuracy: fraction of the epoch's training images so far classified correctly.
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class EpochEnd:
    """One epoch is done.

    Attributes:
        epoch: 1..epochs.
        epochs: epochs in the run.
        loss: mean cross-entropy over the epoch's training batches (augmented images).
        accuracy: fraction of the epoch's training images classified correctly.
        seconds: seconds since training started.
    """

    epoch: int
    epochs: int
    loss: float
    accuracy: float
    seconds: float


class TrainingProgress(Protocol):
    """Receives a training run's events (see the module docstring for their order)."""

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """A sentence for the user, e.g. that MNIST is being downloaded; `warning` if bad news."""

    def on_start(self, start: TrainingStart) -> None:
        """Training is about to start."""

    def on_batch(self, batch: BatchEnd) -> None:
        """A training step has finished."""

    def on_epoch(self, epoch: EpochEnd) -> None:
        """An epoch has finished."""

    def on_end(self, result: TrainingResult) -> None:
        """The model is exported and evaluated, and every file is written."""


class SilentProgress:
    """A TrainingProgress that ignores every event (the default of `run_training`)."""

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """Ignore a message."""

    def on_start(self, start: TrainingStart) -> None:
        """Ignore the start."""

    def on_batch(self, batch: BatchEnd) -> None:
        """Ignore a step."""

    def on_epoch(self, epoch: EpochEnd) -> None:
        """Ignore an epoch."""

    def on_end(self, result: TrainingResult) -> None:
        """Ignore the end."""
