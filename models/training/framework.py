"""TensorFlow and Keras set-up: the backend, the package check, seeding, the versions used.

Nothing here imports TensorFlow at module level; each function imports what it needs when called.
"""

from __future__ import annotations

import os

from models.training.errors import PackagesError
from models.training.packages import missing_packages_message, missing_training_packages


def use_tensorflow_backend() -> None:
    """Keras must use TensorFlow (tf.data, tf2onnx); keep TensorFlow's C++ start-up logs short."""
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def check_training_packages() -> None:
    """Fail before training, not after it, when the `train` extra is not installed.

    Raises:
        PackagesError: TensorFlow, Keras or tf2onnx cannot be found (the message says how to
            install them).
    """
    missing = missing_training_packages()
    if missing:
        raise PackagesError(missing_packages_message(missing))


def configure_tensorflow(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    use_tensorflow_backend()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def framework_versions() -> tuple[str, str]:
    """('Keras x / TensorFlow y', 'tf2onnx z, onnx w'): the trainer and the exporter."""
    import keras
    import onnx
    import tensorflow as tf
    import tf2onnx

    return (
        f"Keras {keras.__version__} / TensorFlow {tf.__version__}",
        f"tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}",
    )
