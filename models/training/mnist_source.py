"""Where MNIST comes from, and a quick look at an MNIST file (no NumPy, no TensorFlow).

The trainer and the training lab find the data the same way: a file given (--data, or chosen
in the lab), else $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository, else
Keras's downloader (which needs a network). `mnist_file_problem` looks at a file's zip
directory only, so the lab can check a file instantly before it starts a run; the trainer then
reads and checks the arrays themselves (data.py).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from models import MODELS_DIR

DEFAULT_MNIST = MODELS_DIR.parent.parent / "shared" / "data" / "mnist.npz"
MNIST_ENVIRONMENT_VARIABLE = "MNIST_NPZ"
ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
KERAS_DOWNLOAD = "keras.datasets.mnist"


def resolve_data_path(option: Path | None) -> Path | None:
    """The npz to read: `option`, $MNIST_NPZ, the shared copy beside the repo; None: use Keras."""
    if option is not None:
        return option
    from_env = os.environ.get(MNIST_ENVIRONMENT_VARIABLE)
    if from_env:
        return Path(from_env)
    return DEFAULT_MNIST if DEFAULT_MNIST.is_file() else None


def mnist_file_problem(path: Path) -> str | None:
    """What is wrong with `path` as an MNIST npz at a glance, or None if it looks right.

    Checks that the file exists, is a zip archive (an npz) and holds the four arrays x_train,
    y_train, x_test and y_test; it does not read them.
    """
    if not path.exists():
        return f"MNIST data file {path} does not exist."
    if not path.is_file():
        return f"MNIST data file {path} is not a file."
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.removesuffix(".npy") for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as error:
        return f"MNIST data file {path} is not a readable npz archive ({error})."
    missing = [name for name in ARRAY_NAMES if name not in names]
    if missing:
        return (
            f"MNIST data file {path} lacks the array(s) {', '.join(missing)}; expected "
            "x_train, y_train, x_test, y_test (the format of keras.datasets.mnist)."
        )
    return None
