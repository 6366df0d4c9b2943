"""Classifying image files (the command line's --classify), without any GUI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas

if TYPE_CHECKING:
    import os

    from engine.network.model import OnnxModel


@dataclass(frozen=True, slots=True)
class Classification:
    """The predicted class of one image and its probability."""

    label: str
    probability: float


def classify_file(model: OnnxModel, path: str | os.PathLike[str]) -> Classification:
    """Read an image file, prepare it like MNIST and classify it.

    ValueError when the file cannot be read as an image, or when it holds no ink at all.
    """
    digit = to_mnist(load_canvas(path))
    if not digit.any():
        raise ValueError(f"{path}: no digit found (the image is blank)")
    probabilities = model.predict(digit)
    best = int(np.argmax(probabilities))
    return Classification(model.class_labels[best], float(probabilities[best]))
