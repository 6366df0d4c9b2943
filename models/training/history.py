"""A run's history as the training lab draws it: curves, progress, time left (no TensorFlow).

`RunHistory` collects the protocol lines of one run (live from the trainer, or read back from a
run folder's history.jsonl) and answers what the lab shows: the training curve per batch line
(raw and smoothed), the validation curve per epoch, the epoch and step reached, the time per
epoch and the time left. The x axis of every curve is in epochs: images seen / training
images, so runs of different sizes line up on one chart.

The training curve grows as batch lines arrive: its points (raw and smoothed) are kept in
arrays that only take the new lines (`TrainingPoints`), so drawing it again after each line
costs the new lines, not the whole run (a long run has thousands of batch lines).
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


class TrainingPoints:
    """The training curve of a list of batch lines, extended as lines are appended to it.

    Holds x (epochs), loss and accuracy of every line, and their smoothed values (the same
    arithmetic as `smoothed`, carried from one line to the next), in arrays that grow by
    doubling. `update` takes only the lines appended since the last call; a different list,
    a shorter one, or another number of images per epoch starts again from the first line.
    The curves handed out are read-only views of the first n points: later lines never
    change them.
    """

    def __init__(self, weight: float = SMOOTHING) -> None:
        self._weight = weight
        self._source: list[BatchLine] | None = None
        self._last: BatchLine | None = None
        self._images = 1
        self._count = 0
        self._columns = np.empty((5, 0), np.float64)  # x, loss, accuracy, smoothed ×2
        self._averages = [0.0, 0.0]
        self._finite = [0, 0]

    def update(self, batches: list[BatchLine], images: int) -> None:
        """Take the lines appended to `batches` since the last call (images: per epoch)."""
        known = self._count
        same = (
            batches is self._source
            and images == self._images
            and len(batches) >= known
            and (known == 0 or batches[known - 1] is self._last)
        )
        if not same:  # start again, in new arrays (the curves handed out keep theirs)
            self._source, self._images, self._count = batches, images, 0
            self._columns = np.empty((5, 0), np.float64)
            self._averages, self._finite = [0.0, 0.0], [0, 0]
        new = batches[self._count :]
        if not new:
            return
        needed = self._count + len(new)
        if needed > self._columns.shape[1]:
            grown = np.empty((5, max(needed, 2 * self._columns.shape[1], 64)), np.float64)
            grown[:, : self._count] = self._columns[:, : self._count]
            self._columns = grown
        for offset, line in enumerate(new):
            column = self._count + offset
            values = (line.loss, line.accuracy)
            self._columns[0, column] = line.images_seen / images
            self._columns[1:3, column] = values
            for index, value in enumerate(values):
                self._columns[3 + index, column] = self._smooth(index, value)
        self._count = needed
        self._last = batches[needed - 1]

    def _smooth(self, index: int, value: float) -> float:
        """The next smoothed value of series `index` (as `smoothed` computes it)."""
        if math.isfinite(value):
            self._averages[index] = (
                self._weight * self._averages[index] + (1.0 - self._weight) * value
            )
            self._finite[index] += 1
        if not self._finite[index]:
            return math.nan
        return self._averages[index] / (1.0 - self._weight ** self._finite[index])

    def _view(self, row: int) -> NDArray[np.float64]:
        view = self._columns[row, : self._count]
        view.flags.writeable = False
        return view

    def raw(self) -> Curve:
        """Every line's loss and accuracy at its x."""
        return Curve(self._view(0), self._view(1), self._view(2))

    def smooth(self) -> Curve:
        """The loss and accuracy smoothed (`smoothed`), at the same x."""
        return Curve(self._view(0), self._view(3), self._view(4))


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
    _points: TrainingPoints = field(
        default_factory=TrainingPoints, init=False, repr=False, compare=False
    )

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
        """The training loss and accuracy of every batch line, at its images seen.

        Read-only arrays; computed for the lines added since the last call only.
        """
        self._points.update(self.batches, self.images_per_epoch())
        return self._points.raw()

    def smoothed_training_curve(self) -> Curve:
        """The training curve smoothed (`smoothed`), as the lab draws it (read-only arrays)."""
        self._points.update(self.batches, self.images_per_epoch())
        return self._points.smooth()

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


def largest_loss(curves: Iterable[Curve]) -> float | None:
    """The largest finite loss of these curves (the top of a loss axis from 0), or None.

    Cross-entropy is never negative, so a loss axis from 0 to this value shows every point;
    it changes only when a loss beyond every earlier one arrives (in practice: the first ones).
    """
    tops = [float(np.nanmax(curve.loss)) for curve in curves if np.isfinite(curve.loss).any()]
    return max(tops, default=None)


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
