"""The training lab's numbers as text: percentages, durations, sizes, progress (no Qt).

Each number is formatted from its value; rounding is to what the lab can show in its space.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.training.history import RunProgress


def percent_text(fraction: float, decimals: int = 1) -> str:
    """'92.1 %' for 0.9213 (NaN: '–')."""
    if not math.isfinite(fraction):
        return "–"
    return f"{fraction * 100:.{decimals}f} %"


def duration_text(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 02 min' (NaN: 'unknown')."""
    if not math.isfinite(seconds):
        return "unknown"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def progress_text(progress: RunProgress) -> str:
    """'Epoch 3 of 10 · step 120 of 600 · 4.2 s per epoch · about 31 s left'.

    Once the run has ended, "finished after 42 s" (or stopped, failed) replaces the time left.
    """
    if progress.epoch == 0:
        return "Starting: loading MNIST and building the network…"
    parts = [
        f"Epoch {progress.epoch} of {progress.epochs}",
        f"step {progress.batch:,} of {progress.batches:,}",
    ]
    if math.isfinite(progress.seconds_per_epoch):
        per_epoch = progress.seconds_per_epoch
        shown = f"{per_epoch:.1f} s" if per_epoch < 60 else duration_text(per_epoch)
        parts.append(f"{shown} per epoch")
    if progress.ended:
        parts.append(f"{progress.ended} after {duration_text(progress.seconds)}")
    elif math.isfinite(progress.seconds_left):
        parts.append(f"about {duration_text(progress.seconds_left)} left")
    return " · ".join(parts)


def size_text(size: int) -> str:
    """'312 KB', '13.4 MB' (decimal units)."""
    if size < 1_000_000:
        return f"{max(size, 0) / 1000:.0f} KB"
    if size < 1_000_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1_000_000_000:.2f} GB"


def lab_status_text(
    saved_runs: int, training: str | None, progress: RunProgress | None, can_train: bool
) -> str:
    """The training mode's status-bar text.

    Args:
        saved_runs: how many runs the lab lists.
        training: the preset being trained (e.g. "softmax"), or None when no run trains.
        progress: how far the training run has come (None: not known yet).
        can_train: whether the `train` extra is installed.

    Returns:
        'Training softmax · epoch 2 of 5' while a run trains ('… · starting' before its
        first epoch); otherwise '3 saved runs', with '· cannot train here' without the extra.
    """
    if training is not None:
        if progress is None or progress.epoch == 0:
            return f"Training {training} · starting"
        return f"Training {training} · epoch {progress.epoch} of {progress.epochs}"
    runs = "no saved runs" if saved_runs == 0 else f"{saved_runs:,} saved run"
    runs += "s" if saved_runs > 1 else ""
    return runs if can_train else f"{runs} · cannot train here (no TensorFlow)"
