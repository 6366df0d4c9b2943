"""Made-up training runs for tests: protocol lines and run folders as the trainer leaves them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    LayerWeights,
    StartLine,
    Validation,
    encode_line,
)
from models.training.run_document import settings_document
from models.training.run_layout import RunLayout
from models.training.settings import DataSettings, OutputSettings, RunSettings, TrainingSettings

if TYPE_CHECKING:
    from models.training.protocol import Line

CONFUSION = tuple(
    tuple(8 if row == column else (2 if column == (row + 1) % 10 else 0) for column in range(10))
    for row in range(10)
)


def validation(accuracy: float) -> Validation:
    return Validation(1.0 - accuracy, accuracy, tuple([accuracy] * 10), CONFUSION)


def start(epochs: int = 2, images: int = 1000, batches: int = 10) -> StartLine:
    return StartLine("softmax", "One-layer softmax network (slide 004)", images, 10000, epochs,
                     100, batches, "/data/mnist.npz", "/runs/a")  # fmt: skip


def batch(epoch: int, step: int, loss: float, seconds: float) -> BatchLine:
    return BatchLine(epoch, 2, step, 10, loss, 1.0 - loss, 0.1, ((epoch - 1) * 10 + step) * 100,
                     seconds)  # fmt: skip


def epoch_line(epoch: int, accuracy: float, seconds: float, *, complete: bool = True) -> EpochLine:
    weights = LayerWeights("probabilities", "dense", np.zeros((10, 28, 28), np.float32))
    snapshot = f"/runs/a/epochs/epoch-{epoch:03d}.onnx"
    return EpochLine(epoch, 2, 10 if complete else 4, complete, 0.5, 0.8, 0.1, epoch * 1000,
                     seconds, validation(accuracy), weights, snapshot)  # fmt: skip


def two_epoch_lines() -> list[Line]:
    return [
        start(),
        batch(1, 1, 2.0, 0.5), batch(1, 10, 1.0, 5.0), epoch_line(0, 0.1, 6.0),
        epoch_line(1, 0.8, 6.0), batch(2, 1, 0.9, 6.5), batch(2, 10, 0.5, 11.0),
        epoch_line(2, 0.9, 12.0),
        EndLine(False, 2, "/runs/a/model.onnx", 0.9, 12.0, 15.0, ("/runs/a/model.onnx",)),
    ]  # fmt: skip


def make_run(root: Path, name: str, lines: list[Line], *, architecture: str = "softmax") -> Path:
    """A run folder as the trainer leaves it: settings.json, history.jsonl, snapshots."""
    folder = root / name
    layout = RunLayout(folder)
    layout.epochs.mkdir(parents=True)
    settings = RunSettings(
        DataSettings(Path("/data/mnist.npz"), 1000),
        TrainingSettings.for_architecture(architecture, epochs=2),
        OutputSettings.in_run_folder(folder),
    )
    layout.settings.write_text(
        settings_document(settings, "python -m models.training", 1000, "/data/mnist.npz")
    )
    layout.history.write_text("".join(encode_line(line) + "\n" for line in lines))
    for line in lines:
        if isinstance(line, EpochLine):
            layout.snapshot(line.epoch).write_bytes(b"onnx")
    if any(isinstance(line, EndLine) for line in lines):
        layout.model.write_bytes(b"onnx model")
    return folder
