"""The sample digits shipped with a model: typical, correctly classified MNIST test digits."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from models.training.contract import NUM_CLASSES

if TYPE_CHECKING:
    from models.training.data import MnistData
    from models.training.evaluation import Evaluation

SAMPLES_PER_CLASS = 10
SAMPLE_CANDIDATES_PER_CLASS = 300


def pick_samples(data: MnistData, evaluation: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """Test-set indices of typical digits, and those of them that are misclassified.

    Per class, the `SAMPLES_PER_CLASS` most confidently correct of the first
    `SAMPLE_CANDIDATES_PER_CLASS` test images of that digit, sorted by label, then index.
    """
    chosen: list[int] = []
    wrong: list[int] = []
    for digit in range(NUM_CLASSES):
        candidates = np.flatnonzero(data.y_test == digit)[:SAMPLE_CANDIDATES_PER_CLASS]
        confidence = evaluation.probabilities[candidates, digit]
        order = np.argsort(-confidence, kind="stable")
        best = np.sort(candidates[order[:SAMPLES_PER_CLASS]])
        chosen.extend(best.tolist())
        wrong.extend(int(i) for i in best if evaluation.predictions[i] != digit)
    return np.array(chosen, np.int64), np.array(wrong, np.int64)


def samples_npz(data: MnistData, indices: np.ndarray) -> bytes:
    """samples.npz: "images" (100, 28, 28) float32 0..1, "labels" (100,) int64, "test_indices"."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        images=data.x_test[indices].astype(np.float32) / np.float32(255.0),
        labels=data.y_test[indices].astype(np.int64),
        test_indices=indices.astype(np.int64),
    )
    return buffer.getvalue()
