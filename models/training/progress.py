"""What a training run reports while it runs: the events and the `TrainingProgress` protocol.

`run_training` calls a progress object's methods in this order: `on_message` (any time, e.g.
"downloading MNIST"), `on_start` once the data is loaded, `on_batch` after the first step of
every epoch, every `batch_interval` steps and after the epoch's last step, `on_epoch` after
every epoch (in a run folder, epoch 0, the untrained network, just before epoch 1), and
`on_end` once every file is written. The command line's `ConsoleProgress` (console.py) prints
the human summary; `JsonLinesProgress` (jsonl_progress.py) writes the JSON lines of
protocol.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from models.training.architectures import Architecture
    from models.training.protocol import LayerWeights, Validation
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
        validation_images: test images each epoch's snapshot is measured on (0: none).
        run_folder: the run folder, or None when the run writes single files.
    """

    architecture: Architecture
    train_images: int
    data_source: str
    training: TrainingSettings
    batches_per_epoch: int
    validation_images: int = 0
    run_folder: Path | None = None


@dataclass(frozen=True, slots=True)
class BatchEnd:
    """Training steps are done.

    Attributes:
        epoch: 1..epochs.
        epochs: epochs in the run.
        batch: 1..batches, the step just done within the epoch.
        batches: steps per epoch.
        loss: mean cross-entropy of the training images of the steps since the previous
            event of this epoch (with a batch_interval of 1: of this step).
        accuracy: fraction of those images classified correctly.
        learning_rate: the optimizer's learning rate at this step.
        images_seen: training images processed since training started (all epochs).
        seconds: seconds since training started.
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    accuracy: float
    learning_rate: float
    images_seen: int
    seconds: float


@dataclass(frozen=True, slots=True)
class EpochEnd:
    """One epoch is done (epoch 0: the untrained network, measured after epoch 1).

    Attributes:
        epoch: 0..epochs.
        epochs: epochs in the run.
        loss: mean cross-entropy over the epoch's training batches (augmented images); None
            for epoch 0.
        accuracy: fraction of the epoch's training images classified correctly; None for 0.
        seconds: seconds since training started, once the epoch's snapshot is written.
        learning_rate: the learning rate at the epoch's last step; None for epoch 0.
        images_seen: training images processed since training started.
        batches_done: steps done in this epoch.
        complete: False if the run was stopped during this epoch.
        validation: the epoch's snapshot measured on the test images; None outside a run
            folder.
        weights: the first weighted layer's weights (kernels, or dense units as 28×28).
        snapshot: the epoch's ONNX snapshot; None outside a run folder.
    """

    epoch: int
    epochs: int
    loss: float | None
    accuracy: float | None
    seconds: float
    learning_rate: float | None = None
    images_seen: int = 0
    batches_done: int = 0
    complete: bool = True
    validation: Validation | None = None
    weights: LayerWeights | None = None
    snapshot: Path | None = None


class TrainingProgress(Protocol):
    """Receives a training run's events (see the module docstring for their order)."""

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """A sentence for the user, e.g. that MNIST is being downloaded; `warning` if bad news."""

    def on_start(self, start: TrainingStart) -> None:
        """Training is about to start."""

    def on_batch(self, batch: BatchEnd) -> None:
        """Training steps have finished."""

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


class ProgressFanOut:
    """A TrainingProgress that passes every event to several others, in order."""

    def __init__(self, *receivers: TrainingProgress) -> None:
        self.receivers = receivers

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """Pass a message on."""
        for receiver in self.receivers:
            receiver.on_message(text, warning=warning)

    def on_start(self, start: TrainingStart) -> None:
        """Pass the start on."""
        for receiver in self.receivers:
            receiver.on_start(start)

    def on_batch(self, batch: BatchEnd) -> None:
        """Pass steps on."""
        for receiver in self.receivers:
            receiver.on_batch(batch)

    def on_epoch(self, epoch: EpochEnd) -> None:
        """Pass an epoch on."""
        for receiver in self.receivers:
            receiver.on_epoch(epoch)

    def on_end(self, result: TrainingResult) -> None:
        """Pass the end on."""
        for receiver in self.receivers:
            receiver.on_end(result)
