"""The shipped ONNX model, its model card and the sample digits (data files beside this module).

The trainer (models/training/, run as `python -m models.training` or models/train.py) needs
the `train` extra (TensorFlow); importing this package, or models.training's settings and
contract, does not.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_PATH = MODELS_DIR / "mnist_cnn.onnx"
SAMPLES_PATH = MODELS_DIR / "samples.npz"
MODEL_CARD_PATH = MODELS_DIR / "MODEL_CARD.md"
DENSE_MODEL_PATH = MODELS_DIR / "mnist_mlp.onnx"
"""A dense-only network (the training package's ``dense-dropout`` preset, slide 004's code):
the digit lab's "Compare with" model, to see what convolution adds (KLDL's argument)."""
DENSE_MODEL_CARD_PATH = MODELS_DIR / "MODEL_CARD_MLP.md"
