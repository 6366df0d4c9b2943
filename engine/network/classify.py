"""Classifying image files (the command line's --classify), without any GUI.

The answer comes from ``run_model``, the same engine call the lab makes, on the same input:
for a digit model the picture prepared like MNIST (``to_mnist(load_canvas(path))``), for any
other model the picture fitted to its input (``fit_picture``, centre crop or letterbox), both
preprocessed as the model's ``InputChoice`` says. So both give the same label and probability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas, load_picture
from engine.drawings.picture_fit import fit_picture
from engine.network.file import describe_error
from engine.network.input_choice import choose_input
from engine.network.model_run import Prediction, run_model
from engine.network.number_text import probability_column

if TYPE_CHECKING:
    import os

    import numpy as np
    from numpy.typing import NDArray

    from engine.network.input_choice import InputChoice
    from engine.network.model import OnnxModel

Classification = Prediction  # the name this module's result had before the lab shared it


def model_picture(
    model: OnnxModel, path: str | os.PathLike[str], choice: InputChoice
) -> NDArray[np.float32]:
    """The image file as the lab puts it in front of ``model``, in 0..1.

    A digit model gets the picture prepared like MNIST (28, 28); any other model the picture
    fitted to its (H, W, C) as ``choice.fit`` says. ValueError when the file cannot be read.
    """
    if choice.digits:
        return to_mnist(load_canvas(path))
    return fit_picture(load_picture(path), model.input_shape, choice.fit)


def classify_file(
    model: OnnxModel, path: str | os.PathLike[str], choice: InputChoice | None = None
) -> Prediction:
    """Read an image file, put it in front of the model as the lab does, classify it (one run).

    ``choice`` is the model's preprocessing and fit (None: ``choose_input(model)``, from the
    file's metadata or 0..1). ValueError when the file cannot be read as an image, when a digit
    picture holds no ink at all, or when the model cannot classify it (a failure in ONNX
    Runtime).
    """
    if choice is None:
        choice = choose_input(model)
    picture = model_picture(model, path, choice)
    if choice.digits and not picture.any():
        raise ValueError(f"{path}: no digit found (the image is blank)")
    try:
        return run_model(model, picture, choice.preprocessing).prediction
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except Exception as exc:  # ONNX Runtime raises its own types
        raise ValueError(
            f"{path}: the model failed on this image ({describe_error(exc)})"
        ) from None


def classification_line(path: str | os.PathLike[str], prediction: Prediction) -> str:
    """The --classify line: path, label and probability, tab-separated.

    The probability is written without rounding (``probability_column``).
    """
    return f"{path}\t{prediction.label}\t{probability_column(prediction.probability)}"
