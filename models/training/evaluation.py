"""How well the exported model does: ONNX Runtime on the MNIST test set, and Keras vs ONNX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from models.training.contract import INPUT_NAME, NUM_CLASSES, OUTPUT_NAME
from models.training.data import as_model_input
from models.training.protocol import Validation

if TYPE_CHECKING:
    import keras

ONNX_BATCH = 1000
KERAS_BATCH = 500
PROBABILITY_FLOOR = 1e-7  # Keras's epsilon: log(p) of a probability 0 stays finite


@dataclass(frozen=True)
class Evaluation:
    """How the exported model does on the test set.

    Attributes:
        probabilities: (N, 10) the model's softmax output per test image.
        labels: (N,) the true digits.
    """

    probabilities: np.ndarray
    labels: np.ndarray

    @property
    def predictions(self) -> np.ndarray:
        """(N,) predicted digits."""
        return np.asarray(np.argmax(self.probabilities, axis=1), dtype=np.int64)

    @property
    def accuracy(self) -> float:
        """Fraction of test images classified correctly."""
        return float(np.mean(self.predictions == self.labels))

    @property
    def confusion(self) -> np.ndarray:
        """(10, 10) counts: row = true digit, column = predicted digit."""
        matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
        np.add.at(matrix, (self.labels, self.predictions), 1)
        return matrix

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """(10,) fraction of each digit's test images classified correctly."""
        confusion = self.confusion
        return np.asarray(np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1), np.float64)

    @property
    def loss(self) -> float:
        """Mean cross-entropy, −mean(log p[true digit]), p clipped to >= 1e-7 as Keras does."""
        chosen = self.probabilities[np.arange(len(self.labels)), self.labels]
        return float(-np.mean(np.log(np.clip(chosen.astype(np.float64), PROBABILITY_FLOOR, 1))))

    def validation(self) -> Validation:
        """The measures an epoch line reports: loss, accuracy, per-class, confusion."""
        return Validation(
            loss=self.loss,
            accuracy=self.accuracy,
            per_class_accuracy=tuple(float(value) for value in self.per_class_accuracy),
            confusion=tuple(tuple(int(count) for count in row) for row in self.confusion),
        )

    @property
    def worst_class(self) -> int:
        """The digit with the lowest per-class accuracy (the smallest digit on a tie)."""
        return int(np.argmin(self.per_class_accuracy))


def onnx_probabilities(
    model_bytes: bytes, images: np.ndarray, batch: int = ONNX_BATCH
) -> np.ndarray:
    """Run ONNX Runtime (CPU) on uint8 (N, 28, 28) images; returns (N, 10) probabilities."""
    import onnxruntime

    session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    outputs = [
        session.run([OUTPUT_NAME], {INPUT_NAME: as_model_input(images[start : start + batch])})[0]
        for start in range(0, len(images), batch)
    ]
    return np.concatenate(outputs)


def keras_onnx_difference(model: keras.Model, model_bytes: bytes, images: np.ndarray) -> float:
    """Largest absolute difference between Keras's and ONNX Runtime's probabilities.

    `images` are uint8 (N, 28, 28); the result is in probability units (0..1).
    """
    keras_probabilities = model.predict(as_model_input(images), batch_size=KERAS_BATCH, verbose=0)
    onnx_probs = onnx_probabilities(model_bytes, images)
    return float(np.max(np.abs(keras_probabilities - onnx_probs)))
