"""MNIST for training: the npz in Keras's mnist.npz format (checked), or Keras's downloader.

The data file is read and checked with NumPy alone, so a bad file is reported before TensorFlow
is imported.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.training.contract import IMAGE_SIZE, NUM_CLASSES
from models.training.errors import DataError
from models.training.framework import use_tensorflow_backend
from models.training.mnist_source import ARRAY_NAMES, KERAS_DOWNLOAD


@dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 images (N, 28, 28), ink = 255, and int64 labels (N,).

    Attributes:
        source: where the data came from: the npz's path, or "keras.datasets.mnist".
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def limited(self, train_size: int | None) -> MnistData:
        """The same data with only the first `train_size` training images (all if None).

        Raises:
            DataError: the data holds fewer than `train_size` training images.
        """
        if train_size is None:
            return self
        if train_size > len(self.x_train):
            raise DataError(
                f"--train-size {train_size} is more than the {len(self.x_train):,} training "
                f"images in {self.source}."
            )
        return MnistData(
            self.x_train[:train_size],
            self.y_train[:train_size],
            self.x_test,
            self.y_test,
            self.source,
        )

    def description(self) -> str:
        """Where the training data came from, for the model card (no local paths)."""
        if self.source.startswith("keras"):
            return "MNIST (keras.datasets.mnist)"
        return f"MNIST ({Path(self.source).name})"


def load_mnist_npz(path: Path) -> MnistData:
    """Read and check an MNIST npz (x_train, y_train, x_test, y_test).

    Raises:
        DataError: the file is missing, unreadable, not an npz, lacks an array or holds bad
            arrays; the message names the file and the problem.
    """
    if not path.exists():
        raise DataError(f"MNIST data file {path} does not exist.")
    if not path.is_file():
        raise DataError(f"MNIST data file {path} is not a file.")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError(f"MNIST data file {path} is a single .npy array, not an npz archive.")
        with archive:
            missing = [key for key in ARRAY_NAMES if key not in archive]
            if missing:
                found = ", ".join(sorted(archive.files)) or "none"
                raise DataError(
                    f"MNIST data file {path} lacks the array(s) {', '.join(missing)} "
                    f"(found: {found}); expected x_train, y_train, x_test, y_test."
                )
            arrays = {key: archive[key] for key in ARRAY_NAMES}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(
            f"MNIST data file {path} is not a readable npz archive ({type(error).__name__}: "
            f"{error})."
        ) from error
    return checked_mnist(arrays, str(path))


def checked_mnist(arrays: dict[str, np.ndarray], source: str) -> MnistData:
    """Check shapes, dtypes and label values of the four MNIST arrays.

    Raises:
        DataError: images that are not uint8 (N, 28, 28) or are empty, labels that are not N
            integers in 0..9; the message names the offending array.
    """
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if (
            images.dtype != np.uint8
            or images.ndim != 3
            or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE)
        ):
            raise DataError(
                f"MNIST data {source}: x_{split} should be uint8 images of shape (N, 28, 28), "
                f"got {images.dtype} {images.shape}."
            )
        if len(images) == 0:
            raise DataError(f"MNIST data {source}: x_{split} is empty.")
        if not np.issubdtype(labels.dtype, np.integer) or labels.shape != (len(images),):
            raise DataError(
                f"MNIST data {source}: y_{split} should be {len(images)} integer labels, "
                f"got {labels.dtype} {labels.shape}."
            )
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise DataError(
                f"MNIST data {source}: y_{split} has labels outside 0..9 "
                f"({labels.min()}..{labels.max()})."
            )
    return MnistData(
        arrays["x_train"],
        arrays["y_train"].astype(np.int64),
        arrays["x_test"],
        arrays["y_test"].astype(np.int64),
        source,
    )


def load_mnist_from_keras() -> MnistData:
    """Download MNIST with Keras (needs a network; imports TensorFlow).

    Raises:
        DataError: the download failed (the message says how to give a file instead).
    """
    use_tensorflow_backend()
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # urllib and Keras raise many kinds here
        raise DataError(
            f"No MNIST file given and Keras could not download MNIST ({error}). "
            "Pass --data PATH or set MNIST_NPZ."
        ) from error
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return checked_mnist(arrays, KERAS_DOWNLOAD)


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) images to the model's input: float32 0..1, shape (N, 28, 28, 1)."""
    return np.ascontiguousarray(images[..., np.newaxis], dtype=np.float32) / np.float32(255.0)
