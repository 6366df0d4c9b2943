"""How well a network keeps its answers when MNIST's test digits are moved: the shift chart.

KLDL's opening argument for convolution: "feed-forward networks have little or no invariance to
shifting, scaling and distortion". Measured here, not claimed: the first ``TEST_DIGITS`` digits
of MNIST's test set are moved by 0 to ``MAX_SHIFT`` pixels left, right, up and down
(``shift_images``: what leaves the 28×28 frame is lost, paper comes in) and classified by the
model; the accuracy is the share of moved digits it still names correctly.

Nothing here knows Qt: the lab runs ``measure_shift_accuracy`` in a worker thread with a
progress callback, keeps the result as JSON in the user's data folder, and draws it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.drawings.digit_shift import shift_images

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from numpy.typing import NDArray

    from engine.network.model import OnnxModel
    from engine.network.preprocessing import Preprocessing

TEST_DIGITS = 1000
MAX_SHIFT = 8
SHIFTS = tuple(range(MAX_SHIFT + 1))
DIRECTIONS: dict[str, tuple[int, int]] = {
    "left": (0, -1),
    "right": (0, 1),
    "up": (-1, 0),
    "down": (1, 0),
}
"""(rows, cols) of a one-pixel move in each direction."""
FORMAT = 1
"""The cached JSON's format; another is measured again."""


class Cancelled(Exception):
    """The measurement was stopped before it finished (nothing is kept)."""


@dataclass(frozen=True, slots=True)
class ShiftAccuracy:
    """One model's accuracy on the test digits moved by each shift, in each direction.

    Attributes:
        model: The model's name.
        sha256: The model file's SHA-256 (a cached result belongs to this file only).
        digits: How many test digits were moved (the first ones of MNIST's test set).
        shifts: The shifts measured, in pixels (0..``MAX_SHIFT``).
        accuracy: Per direction ("left", "right", "up", "down"), the share 0..1 of the moved
            digits named correctly, one per shift.
    """

    model: str
    sha256: str
    digits: int
    shifts: tuple[int, ...]
    accuracy: dict[str, tuple[float, ...]]

    @property
    def mean(self) -> tuple[float, ...]:
        """The accuracy per shift, averaged over the four directions."""
        return tuple(
            float(np.mean([self.accuracy[d][i] for d in DIRECTIONS]))
            for i in range(len(self.shifts))
        )

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (``from_json`` reads it back)."""
        return {
            "format": FORMAT,
            "model": self.model,
            "sha256": self.sha256,
            "digits": self.digits,
            "shifts": list(self.shifts),
            "accuracy": {d: list(v) for d, v in self.accuracy.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> ShiftAccuracy:
        """A result read from ``to_json``'s dict. ValueError for anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a shift-accuracy record of this version")
        try:
            shifts = tuple(int(s) for s in data["shifts"])
            accuracy = {d: tuple(float(a) for a in data["accuracy"][d]) for d in DIRECTIONS}
            result = cls(
                str(data["model"]), str(data["sha256"]), int(data["digits"]), shifts, accuracy
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"a damaged shift-accuracy record ({exc})") from None
        values = [a for row in accuracy.values() for a in row]
        if any(len(row) != len(shifts) for row in accuracy.values()) or not all(
            math.isfinite(a) and 0.0 <= a <= 1.0 for a in values
        ):
            raise ValueError("a damaged shift-accuracy record (accuracies outside 0..1)")
        return result


def load_test_digits(
    path: str | os.PathLike[str], count: int = TEST_DIGITS
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The first ``count`` MNIST test digits (N, 28, 28) in 0..1 and their labels (N,).

    ``path`` is an npz in the format of ``keras.datasets.mnist`` (x_test uint8, y_test).

    Raises:
        ValueError: The file cannot be read as such an npz (the message names it).
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            images = np.asarray(data["x_test"][:count])
            labels = np.asarray(data["y_test"][:count]).astype(np.int64)
    except (OSError, KeyError, ValueError, EOFError) as exc:
        raise ValueError(f"{path}: not an MNIST npz with x_test and y_test ({exc})") from None
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(labels) != len(images):
        raise ValueError(f"{path}: x_test must be (N, 28, 28) with one label each")
    return (images.astype(np.float32) / 255.0), labels


def measure_shift_accuracy(
    model: OnnxModel,
    images: NDArray[np.float32],
    labels: NDArray[np.int64],
    *,
    preprocessing: Preprocessing | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ShiftAccuracy:
    """``model``'s accuracy on ``images`` (N, 28, 28) moved by 0..``MAX_SHIFT`` pixels each way.

    Args:
        model: A digit model (28×28×1 input).
        images: The digits in 0..1, (N, 28, 28).
        labels: Their classes (N,).
        preprocessing: The model's input preprocessing (None: the images as they are).
        progress: Called with (steps done, steps in all) after each shift measured.
        cancelled: Asked before each step; True stops the measurement (``Cancelled``).

    Raises:
        Cancelled: ``cancelled`` said so.
        ValueError: The images do not fit the model.
    """
    steps = [(d, s) for d in DIRECTIONS for s in SHIFTS if s > 0]
    total = len(steps) + 1
    base = _accuracy(model, images, labels, preprocessing)
    if progress is not None:
        progress(1, total)
    accuracy: dict[str, list[float]] = {d: [base] for d in DIRECTIONS}
    for done, (direction, shift) in enumerate(steps, start=2):
        if cancelled is not None and cancelled():
            raise Cancelled
        rows, cols = DIRECTIONS[direction]
        moved = shift_images(images, rows * shift, cols * shift)
        accuracy[direction].append(_accuracy(model, moved, labels, preprocessing))
        if progress is not None:
            progress(done, total)
    return ShiftAccuracy(
        model.name, model.sha256, len(images), SHIFTS,
        {d: tuple(v) for d, v in accuracy.items()},
    )  # fmt: skip


def _accuracy(
    model: OnnxModel,
    images: NDArray[np.float32],
    labels: NDArray[np.int64],
    preprocessing: Preprocessing | None,
) -> float:
    given = images[..., None]
    if preprocessing is not None:
        given = np.stack([preprocessing.apply(image) for image in given])
    scores = model.class_scores(given)
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def cache_file(folder: Path, model: OnnxModel, digits: int = TEST_DIGITS) -> Path:
    """Where a model's result is kept: one JSON per model file and number of digits."""
    key = hashlib.sha256(f"{model.sha256}:{digits}:{MAX_SHIFT}".encode()).hexdigest()[:24]
    return folder / "shift_accuracy" / f"{key}.json"


def read_cached(path: Path) -> ShiftAccuracy | None:
    """A kept result, None when there is none or it is damaged (it is measured again)."""
    try:
        return ShiftAccuracy.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def write_cached(path: Path, result: ShiftAccuracy) -> None:
    """Keep a result (atomically: a temporary file, then renamed). OSError if it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(result.to_json(), out)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def percent(value: float) -> str:
    """An accuracy in percent, rounded to one decimal ("97.3 %")."""
    return f"{value * 100:.1f} %"


def shift_table(results: Sequence[ShiftAccuracy]) -> str:
    """A Markdown table: one row per shift, per model the mean and each direction's accuracy."""
    head = ["shift (px)"]
    for r in results:
        head += [f"{r.model}: mean", *(f"{d}" for d in DIRECTIONS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for i, shift in enumerate(SHIFTS):
        row = [str(shift)]
        for r in results:
            row += [percent(r.mean[i]), *(percent(r.accuracy[d][i]) for d in DIRECTIONS)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def shift_summary(results: Sequence[ShiftAccuracy]) -> str:
    """What the chart shows, in words made from its numbers (whatever they are)."""
    if not results:
        return ""
    parts = []
    for at in (0, 2, 4, MAX_SHIFT):
        values = ", ".join(f"{r.model} {percent(r.mean[at])}" for r in results)
        parts.append(f"moved by {at} px: {values}" if at else f"in place: {values}")
    text = "Accuracy on the first {n:,} MNIST test digits, averaged over the four directions; "
    text = text.format(n=results[0].digits) + "; ".join(parts) + "."
    if len(results) == 2:
        a, b = results
        drop_a = a.mean[0] - a.mean[4]
        drop_b = b.mean[0] - b.mean[4]
        keeps = a if drop_a < drop_b else b
        loses = b if keeps is a else a
        text += (
            f" Moved by 4 px, {keeps.model} loses {_points(min(drop_a, drop_b))} and "
            f"{loses.model} {_points(max(drop_a, drop_b))}."
        )
    return text


def _points(drop: float) -> str:
    """A change of accuracy in percentage points ("12.3 percentage points")."""
    return f"{drop * 100:.1f} percentage points"
