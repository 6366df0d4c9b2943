"""The sample gallery: MNIST test digits shipped in models/samples.npz."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models import SAMPLES_PATH


@dataclass(frozen=True, slots=True)
class SampleChoice:
    """Sample ``index`` (0-based) of the ``count`` samples of digit ``label``: (28, 28) in 0..1."""

    image: np.ndarray
    label: int
    index: int
    count: int

    @property
    def next_index(self) -> int:
        """The sample after this one, back to the first after the last."""
        return (self.index + 1) % self.count

    @property
    def caption(self) -> str:
        """E.g. "Sample 2 of 10 of the digit 3 (MNIST test set)"."""
        return f"Sample {self.index + 1} of {self.count} of the digit {self.label} (MNIST test set)"


@dataclass(frozen=True)
class Samples:
    """(N, 28, 28) float32 digits in 0..1 (ink = 1) and their labels."""

    images: np.ndarray
    labels: np.ndarray

    def of_class(self, label: int) -> np.ndarray:
        """Every sample of one class, (n, 28, 28)."""
        selected: np.ndarray = self.images[self.labels == label]
        return selected

    def first_of(self, label: int) -> np.ndarray:
        """The first sample of one class, (28, 28); ValueError if the class has none."""
        matches = self.of_class(label)
        if len(matches) == 0:
            raise ValueError(f"the sample gallery has no digit {label}")
        first: np.ndarray = matches[0]
        return first

    def one_per_class(self) -> list[np.ndarray]:
        """The first sample of each class, in class order: (28, 28) each.

        The pictures a digit model's value ranges are measured on (the lab and the command
        line alike).
        """
        return [self.first_of(label) for label in sorted(set(self.labels.tolist()))]

    def choose(self, label: int, index: int = 0) -> SampleChoice:
        """Sample ``index`` of digit ``label``; ValueError saying how many there are."""
        matches = self.of_class(label)
        if not 0 <= index < len(matches):
            raise ValueError(f"The gallery has {len(matches)} samples of {label}")
        return SampleChoice(matches[index], label, index, len(matches))


def load_samples(path: str | Path | None = None) -> Samples:
    """Read the gallery; ValueError naming the file if it is missing or malformed."""
    source = Path(path) if path is not None else SAMPLES_PATH
    try:
        with np.load(source, allow_pickle=False) as data:
            images = np.asarray(data["images"], dtype=np.float32)
            labels = np.asarray(data["labels"]).astype(np.int64)
    except FileNotFoundError:
        raise ValueError(f"{source}: the sample gallery file is missing") from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{source}: not a sample gallery (an npz with 'images' and 'labels'): {exc}"
        ) from None
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(labels) != len(images):
        raise ValueError(
            f"{source}: expected images (N, 28, 28) and N labels, got {images.shape} and "
            f"{labels.shape}"
        )
    return Samples(np.clip(images, 0, 1), labels)
