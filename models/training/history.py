"""A run's history as the training lab draws it: curves, progress, time left (no TensorFlow).

`RunHistory` collects the protocol lines of one run (live from the trainer, or read back from a
run folder's history.jsonl) and answers what the lab shows: the training curve per batch line
(raw and smoothed), the validation curve per epoch, the epoch and step reached, the time per
epoch and the time left. The x axis of every curve is in epochs: images seen / training
images, so runs of different sizes line up on one chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    ErrorLine,
    MessageLine,
    StartLine,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import NDArray

    from models.training.protocol import Line, Validation

SMOOTHING = 0.6  # weight of the past in the exponential moving average of the training curve


@dataclass(frozen=True, slots=True)
class Curve:
    """Points of a curve: x in epochs, with the loss and the accuracy (fractions) at each x.

    Attributes:
        x: (N,) float64 epochs (images seen / training images).
        loss: (N,) float64 cross-entropy; NaN where not a number.
        accuracy: (N,) float64 fraction correct; NaN where not measured.
    """

    x: NDArray[np.float64]
    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]

    @property
    def empty(self) -> bool:
        """True if the curve has no point."""
        return self.x.size == 0


def smoothed(values: NDArray[np.float64], weight: float = SMOOTHING) -> NDArray[np.float64]:
    """Exponential moving average, debiased as TensorBoard's smoothing: NaNs are skipped.

    s_t = w·s_{t−1} + (1 − w)·v_t, shown as s_t / (1 − w^k) after k finite values, so the first
    point is the first value itself rather than a value pulled towards 0.
    """
    out = np.full(values.shape, np.nan)
    average, count = 0.0, 0
    for index, value in enumerate(values):
        if math.isfinite(value):
            average = weight * average + (1.0 - weight) * value
            count += 1
        if count:
            out[index] = average / (1.0 - weight**count)
    return out


def as_number(value: float | None) -> float:
    """`value`, or NaN for None."""
    return math.nan if value is None else value


@dataclass(frozen=True, slots=True)
class RunProgress:
    """How far a run has come, for the progress bar and its text.

    Attributes:
        epoch: the epoch being trained (or the last one done), 1..epochs; 0 before training.
        epochs: epochs in the run.
        batch: the last step reported within `epoch`.
        batches: steps per epoch.
        fraction: 0..1 of all the run's steps done.
        seconds: seconds since training started (the latest line's).
        seconds_per_epoch: average seconds per epoch with its snapshot; NaN before the first
            epoch's end unless it can be estimated from the steps.
        seconds_left: estimated seconds to the end of the last epoch; NaN if unknown.
        ended: "" while running, else "finished", "stopped" or "failed".
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    fraction: float
    seconds: float
    seconds_per_epoch: float
    seconds_left: float
    ended: str = ""


@dataclass
class RunHistory:
    """The protocol lines of one run, in order, and what the lab draws from them."""

    start: StartLine | None = None
    batches: list[BatchLine] = field(default_factory=list)
    epochs: list[EpochLine] = field(default_factory=list)
    messages: list[MessageLine] = field(default_factory=list)
    end: EndLine | None = None
    error: ErrorLine | None = None

    @classmethod
    def of(cls, lines: Iterable[Line]) -> RunHistory:
        """A history from lines."""
        history = cls()
        for line in lines:
            history.add(line)
        return history

    def add(self, line: Line) -> None:
        """Take one more line (a second start line begins the history again)."""
        if isinstance(line, StartLine):
            self.start, self.batches, self.epochs = line, [], []
            self.end = self.error = None
        elif isinstance(line, BatchLine):
            self.batches.append(line)
        elif isinstance(line, EpochLine):
            self.epochs = [kept for kept in self.epochs if kept.epoch != line.epoch]
            self.epochs.append(line)
            self.epochs.sort(key=lambda kept: kept.epoch)
        elif isinstance(line, MessageLine):
            self.messages.append(line)
        elif isinstance(line, EndLine):
            self.end = line
        elif isinstance(line, ErrorLine):
            self.error = line

    @property
    def finished(self) -> bool:
        """True once the run has ended (its end or error line has arrived)."""
        return self.end is not None or self.error is not None

    def images_per_epoch(self) -> int:
        """Training images per epoch (from the start line; 1 before it, to keep x defined)."""
        return self.start.train_images if self.start is not None else 1

    def training_curve(self) -> Curve:
        """The training loss and accuracy of every batch line, at its images seen."""
        images = self.images_per_epoch()
        return Curve(
            x=np.array([line.images_seen / images for line in self.batches], np.float64),
            loss=np.array([line.loss for line in self.batches], np.float64),
            accuracy=np.array([line.accuracy for line in self.batches], np.float64),
        )

    def smoothed_training_curve(self) -> Curve:
        """The training curve smoothed (`smoothed`), as the lab draws it."""
        raw = self.training_curve()
        return Curve(raw.x, smoothed(raw.loss), smoothed(raw.accuracy))

    def validation_curve(self) -> Curve:
        """The validation loss and accuracy of every measured epoch (epoch 0 at x = 0)."""
        measured = [(line, line.validation) for line in self.epochs if line.validation]
        images = self.images_per_epoch()
        return Curve(
            x=np.array([line.images_seen / images for line, _ in measured], np.float64),
            loss=np.array([as_number(measures.loss) for _, measures in measured], np.float64),
            accuracy=np.array([measures.accuracy for _, measures in measured], np.float64),
        )

    def latest_epoch(self) -> EpochLine | None:
        """The last epoch line (the highest epoch), or None."""
        return self.epochs[-1] if self.epochs else None

    def latest_validation(self) -> tuple[int, Validation] | None:
        """(epoch, measures) of the latest measured epoch, or None."""
        for line in reversed(self.epochs):
            if line.validation is not None:
                return line.epoch, line.validation
        return None

    def best_validation_accuracy(self) -> float | None:
        """The final test accuracy if the run ended, else the latest validation accuracy."""
        if self.end is not None:
            return self.end.test_accuracy
        latest = self.latest_validation()
        return None if latest is None else latest[1].accuracy

    def progress(self) -> RunProgress:
        """How far the run has come (see RunProgress)."""
        start = self.start
        epochs = start.epochs if start is not None else 1
        batches = start.batches_per_epoch if start is not None else 1
        done_epochs = [line for line in self.epochs if line.epoch >= 1]
        epoch, batch, seconds = 0, 0, 0.0
        if self.batches:
            last = self.batches[-1]
            epoch, batch, seconds = last.epoch, last.batch, last.seconds
        if done_epochs and done_epochs[-1].epoch >= epoch:
            last_epoch = done_epochs[-1]
            epoch, batch = last_epoch.epoch, last_epoch.batches_done
            seconds = max(seconds, last_epoch.seconds)
        steps_done = max(epoch - 1, 0) * batches + batch
        fraction = min(steps_done / (epochs * batches), 1.0)
        if self.end is not None:
            fraction = 1.0 if not self.end.stopped else fraction
        per_epoch, left = self.timing(epochs, batches, steps_done, seconds)
        return RunProgress(
            epoch, epochs, batch, batches, fraction, seconds, per_epoch, left, self.ending()
        )

    def ending(self) -> str:
        """How the run ended: "finished", "stopped" or "failed"; "" while it runs."""
        if self.error is not None:
            return "failed"
        if self.end is not None:
            return "stopped" if self.end.stopped else "finished"
        return ""

    def timing(
        self, epochs: int, batches: int, steps_done: int, seconds: float
    ) -> tuple[float, float]:
        """(seconds per epoch, seconds left), NaN where not yet known; 0 left once ended."""
        complete = [line for line in self.epochs if line.epoch >= 1 and line.complete]
        if complete:
            last = complete[-1]
            per_epoch = last.seconds / last.epoch
        elif steps_done > 0 and seconds > 0:
            per_epoch = seconds / steps_done * batches
        else:
            return math.nan, math.nan
        if self.finished:
            return per_epoch, 0.0
        left = per_epoch * epochs - seconds
        return per_epoch, max(left, 0.0)


def confusion_fractions(validation: Validation) -> NDArray[np.float64]:
    """(10, 10) each row of the confusion matrix divided by its sum (0 for an empty row).

    Row = true digit, column = predicted digit, so row d holds where the test images of d went.
    """
    counts = np.array(validation.confusion, np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    fractions: NDArray[np.float64] = np.divide(
        counts, totals, out=np.zeros_like(counts), where=totals > 0
    )
    return fractions


def worst_digit(validation: Validation) -> int:
    """The digit with the lowest accuracy (the smallest digit on a tie)."""
    return int(np.argmin(np.array(validation.per_class_accuracy)))
