"""Whether the `train` extra is installed, found without importing it (for the GUI too).

`importlib.util.find_spec` locates a package without running it, so the training lab can say
exactly what to install while the app's start-up never imports TensorFlow.
"""

from __future__ import annotations

from importlib.util import find_spec

TRAINING_PACKAGES = ("tensorflow", "keras", "tf2onnx")
INSTALL_COMMAND = 'pip install -e ".[train]"'


def missing_training_packages() -> list[str]:
    """The packages of the `train` extra that are not installed, e.g. ['tensorflow']."""
    return [name for name in TRAINING_PACKAGES if find_spec(name) is None]


def missing_packages_message(missing: list[str]) -> str:
    """What to do when `missing` packages of the `train` extra are not installed."""
    return (
        f"training needs {', '.join(missing)} (the `train` extra): "
        f"{INSTALL_COMMAND} (TensorFlow, Keras and tf2onnx)."
    )
