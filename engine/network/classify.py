"""Classifying image files (the command line's --classify), without any GUI.

The answer comes from ``run_model``, the same engine call the digit lab makes, on the same
prepared input (``to_mnist(load_canvas(path))``), so both give the same label and probability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas
from engine.network.file import describe_error
from engine.network.model_run import Prediction, run_model

if TYPE_CHECKING:
    import os

    from engine.network.model import OnnxModel

Classification = Prediction  # the name this module's result had before the lab shared it


def classify_file(model: OnnxModel, path: str | os.PathLike[str]) -> Prediction:
    """Read an image file, prepare it like MNIST and classify it (one ``run_model``).

    ValueError when the file cannot be read as an image, when it holds no ink at all, or when
    the model cannot classify it (a model for another image size, a failure in ONNX Runtime).
    """
    digit = to_mnist(load_canvas(path))
    if not digit.any():
        raise ValueError(f"{path}: no digit found (the image is blank)")
    try:
        return run_model(model, digit).prediction
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except Exception as exc:  # ONNX Runtime raises its own types
        raise ValueError(
            f"{path}: the model failed on this image ({describe_error(exc)})"
        ) from None


def classification_line(path: str | os.PathLike[str], prediction: Prediction) -> str:
    """The --classify line: path, label and probability (4 decimals), tab-separated."""
    return f"{path}\t{prediction.label}\t{prediction.probability:.4f}"
