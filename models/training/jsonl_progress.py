"""`--progress jsonl`: a TrainingProgress that writes the lines of protocol.py.

`JsonLinesProgress` turns each event into one line and hands it to a `write` function (stdout,
or a run folder's history.jsonl); `json_stdout` keeps stdout for those lines alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, TYPE_CHECKING

from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    ErrorLine,
    MessageLine,
    StartLine,
    encode_line,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from models.training.progress import BatchEnd, EpochEnd, TrainingStart
    from models.training.protocol import Line
    from models.training.report import TrainingResult


def start_line(start: TrainingStart) -> StartLine:
    """The "start" line of a start event."""
    return StartLine(
        architecture=start.architecture.key,
        name=start.architecture.name,
        train_images=start.train_images,
        validation_images=start.validation_images,
        epochs=start.training.epochs,
        batch_size=start.training.batch_size,
        batches_per_epoch=start.batches_per_epoch,
        data_source=start.data_source,
        run_folder=None if start.run_folder is None else str(start.run_folder),
    )


def batch_line(batch: BatchEnd) -> BatchLine:
    """The "batch" line of a batch event."""
    return BatchLine(
        epoch=batch.epoch,
        epochs=batch.epochs,
        batch=batch.batch,
        batches=batch.batches,
        loss=batch.loss,
        accuracy=batch.accuracy,
        learning_rate=batch.learning_rate,
        images_seen=batch.images_seen,
        seconds=batch.seconds,
    )


def epoch_line(epoch: EpochEnd) -> EpochLine:
    """The "epoch" line of an epoch event."""
    return EpochLine(
        epoch=epoch.epoch,
        epochs=epoch.epochs,
        batches_done=epoch.batches_done,
        complete=epoch.complete,
        loss=epoch.loss,
        accuracy=epoch.accuracy,
        learning_rate=epoch.learning_rate,
        images_seen=epoch.images_seen,
        seconds=epoch.seconds,
        validation=epoch.validation,
        weights=epoch.weights,
        snapshot=None if epoch.snapshot is None else str(epoch.snapshot),
    )


def end_line(result: TrainingResult) -> EndLine:
    """The "end" line of a finished run."""
    report = result.report
    return EndLine(
        stopped=report.stopped,
        epochs_done=report.epochs_done,
        model=str(report.settings.outputs.model),
        test_accuracy=report.evaluation.accuracy,
        training_seconds=report.training_seconds,
        seconds=result.seconds_in_all,
        written=tuple(str(path) for path in result.written),
    )


class JsonLinesProgress:
    """A TrainingProgress that writes one protocol line per event with `write(line)`.

    `write` gets the line without its newline (e.g. `LineWriter.write`).
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def send(self, line: Line) -> None:
        """Write any protocol line (e.g. an ErrorLine)."""
        self.write(encode_line(line))

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """Write a "message" line."""
        self.send(MessageLine(text, warning))

    def on_start(self, start: TrainingStart) -> None:
        """Write the "start" line."""
        self.send(start_line(start))

    def on_batch(self, batch: BatchEnd) -> None:
        """Write a "batch" line."""
        self.send(batch_line(batch))

    def on_epoch(self, epoch: EpochEnd) -> None:
        """Write an "epoch" line."""
        self.send(epoch_line(epoch))

    def on_end(self, result: TrainingResult) -> None:
        """Write the "end" line."""
        self.send(end_line(result))

    def on_error(self, message: str, problem: str, exit_status: int) -> None:
        """Write the "error" line (see protocol.ErrorLine)."""
        self.send(ErrorLine(message, problem, exit_status))


class LineWriter:
    """Writes lines to a text stream, each followed by a newline and flushed at once."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, line: str) -> None:
        """Write one line and flush it."""
        self.stream.write(line + "\n")
        self.stream.flush()


class HistoryFile(JsonLinesProgress):
    """The JSON lines of a run, appended to a run folder's history.jsonl (flushed per line)."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")
        super().__init__(LineWriter(self.file).write)

    def close(self) -> None:
        """Close the file."""
        self.file.close()


@contextlib.contextmanager
def json_stdout() -> Iterator[LineWriter]:
    """Keep standard output for the JSON lines alone while the block runs.

    The lines go to the original stdout (file descriptor 1 as it was); anything else that
    writes to stdout meanwhile (Python's print, C libraries) goes to stderr instead, so a
    reader of stdout sees nothing but protocol lines. Restores stdout afterwards.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    channel = os.fdopen(os.dup(saved), "w", encoding="utf-8", newline="\n")
    try:
        yield LineWriter(channel)
    finally:
        channel.close()
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
