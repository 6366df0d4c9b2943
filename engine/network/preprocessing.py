"""How a picture in 0..1 becomes the numbers a model was trained on: range, mean/std, ink.

Models are trained on inputs prepared in different ways: Keras examples divide by 255 (0..1),
some feed raw pixels (0..255), PyTorch's ``Normalize((0.5,), (0.5,))`` gives −1..1 and
``Normalize((0.1307,), (0.3081,))`` standardises with MNIST's mean and standard deviation.
MNIST digits are light ink on a dark background; a model trained on dark ink on white paper
needs the picture inverted. Fed anything else, a model answers confidently and wrongly.

The app's pictures are always in 0..1 (a prepared digit: ink 1.0 on paper 0.0). A
``Preprocessing`` turns them into the model's input: for each channel c,

    x' = ((1 − x if inverted else x) − mean[c]) / std[c]

so 0..1 is mean 0, std 1; 0..255 is mean 0, std 1/255; −1..1 is mean 0.5, std 0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.arithmetic import format_number

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # PyTorch's MNIST example (torchvision's Normalize)
IMAGENET_MEAN = (0.485, 0.456, 0.406)  # torchvision's ImageNet models
IMAGENET_STD = (0.229, 0.224, 0.225)
MIN_STD = 1e-6
"""The smallest std: pixels in 0..1 divided by it stay far inside float32's range."""
MAX_MEAN_STD = 1e6
"""The largest |mean| and std accepted (a model's input beyond this is no picture)."""


@dataclass(frozen=True, slots=True)
class Preprocessing:
    """How a picture in 0..1 becomes the model's input: ((1 − x if inverted) − mean) / std.

    Attributes:
        name: A short name: "0..1", "0..255", "−1..1", "MNIST mean/std", or "mean/std".
        mean: One value, or one per channel.
        std: One value, or one per channel; each > 0.
        inverted: True when the picture's shades are inverted first (dark ink on light
            paper for a digit model).
    """

    name: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    inverted: bool = False

    def __post_init__(self) -> None:
        if not self.mean or len(self.mean) != len(self.std):
            raise ValueError(
                f"mean and std must have the same number of values (one, or one per channel), "
                f"got {len(self.mean)} and {len(self.std)}"
            )
        if not all(math.isfinite(v) for v in (*self.mean, *self.std)):
            raise ValueError("mean and std must be finite numbers")
        if not all(s > 0 for s in self.std):
            raise ValueError(f"std must be positive, got {', '.join(map(str, self.std))}")
        if not all(MIN_STD <= s <= MAX_MEAN_STD for s in self.std):
            raise ValueError(
                f"std must be from {MIN_STD:g} to {MAX_MEAN_STD:g}, got "
                f"{', '.join(map(str, self.std))} (a smaller std makes the input overflow)"
            )
        if not all(abs(m) <= MAX_MEAN_STD for m in self.mean):
            raise ValueError(
                f"mean must be from {-MAX_MEAN_STD:g} to {MAX_MEAN_STD:g}, got "
                f"{', '.join(map(str, self.mean))}"
            )

    def with_inverted(self, inverted: bool) -> Preprocessing:
        """The same range with the picture inverted or not."""
        return Preprocessing(self.name, self.mean, self.std, inverted)

    def fits(self, channels: int) -> bool:
        """True when its mean and std fit a model with ``channels`` channels (1 or C values)."""
        return len(self.mean) in (1, channels)

    def apply(self, picture: NDArray[np.float32]) -> NDArray[np.float32]:
        """The model's input for a picture (H, W) or (H, W, C) in 0..1; float32.

        ValueError when the picture has another number of channels than the mean and std.
        """
        x = np.asarray(picture, dtype=np.float32)
        if self.inverted:
            x = np.float32(1.0) - x
        if self.is_identity:
            return x
        channels = x.shape[2] if x.ndim == 3 else 1
        if not self.fits(channels):
            raise ValueError(
                f"{self.name} has {len(self.mean)} values per channel but the picture has "
                f"{channels} channels"
            )
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        if x.ndim == 2:
            mean, std = mean[:1], std[:1]
        result: NDArray[np.float32] = ((x - mean) / std).astype(np.float32)
        return result

    @property
    def is_identity(self) -> bool:
        """True for 0..1 (mean 0, std 1): the picture's values unchanged (after inverting)."""
        return all(m == 0 for m in self.mean) and all(s == 1 for s in self.std)

    @property
    def range_text(self) -> str:
        """E.g. "0..1", "−1..1", "mean 0.1307, std 0.3081", "mean (0.485, 0.456, 0.406), ..."."""
        if self.name != CUSTOM:
            return self.name
        return f"mean {_values_text(self.mean)}, std {_values_text(self.std)}"

    def text(self, digits: bool) -> str:
        """E.g. "0..1, white ink on black" (digit models) or "0..255, inverted"."""
        if digits:
            return f"{self.range_text}, {ink_text(self.inverted)}"
        return f"{self.range_text}, inverted" if self.inverted else self.range_text


def ink_text(inverted: bool) -> str:
    """The ink polarity a digit model takes: MNIST's white ink on black, or inverted."""
    return "black ink on white" if inverted else "white ink on black"


CUSTOM = "mean/std"


def _values_text(values: Sequence[float]) -> str:
    texts = [format_number(v, 4) for v in values]
    return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"


ZERO_ONE = Preprocessing("0..1", (0.0,), (1.0,))
ZERO_255 = Preprocessing("0..255", (0.0,), (1.0 / 255.0,))
PLUS_MINUS_ONE = Preprocessing("−1..1", (0.5,), (0.5,))
MNIST_STANDARD = Preprocessing("MNIST mean/std", (MNIST_MEAN,), (MNIST_STD,))
IMAGENET_STANDARD = Preprocessing("ImageNet mean/std", IMAGENET_MEAN, IMAGENET_STD)

RANGES = (ZERO_ONE, ZERO_255, PLUS_MINUS_ONE, MNIST_STANDARD, IMAGENET_STANDARD)
"""The named ranges, in the order they are offered (and tried: the first wins a tie)."""

RANGE_NAMES = {"0..1": ZERO_ONE, "0..255": ZERO_255, "-1..1": PLUS_MINUS_ONE}
"""The ranges the command line's --input-range takes (ASCII minus), and the metadata's."""


def named_range(name: str) -> Preprocessing:
    """A range by name ("0..1", "0..255", "-1..1" or "−1..1"); ValueError naming the choices."""
    key = name.strip().replace("−", "-")
    found = RANGE_NAMES.get(key)
    if found is None:
        raise ValueError(
            f"unknown input range {name!r}; expected one of {', '.join(RANGE_NAMES)}, or a "
            "mean and std per channel"
        )
    return found


def custom(mean: Sequence[float], std: Sequence[float], inverted: bool = False) -> Preprocessing:
    """Mean/std per channel (one value, or one per channel); ValueError for bad values.

    A mean/std that is one of the named ranges gets its name.
    """
    made = Preprocessing(CUSTOM, tuple(float(m) for m in mean), tuple(float(s) for s in std))
    for named in RANGES:
        if named.mean == made.mean and _close(named.std, made.std):
            return named.with_inverted(inverted)
    return made.with_inverted(inverted)


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-6) for x, y in zip(a, b, strict=True)
    )


def parse_values(text: str, what: str) -> tuple[float, ...]:
    """Numbers separated by commas or spaces ("0.5" or "0.485,0.456,0.406"); ValueError."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{what} must be numbers separated by commas, got {text!r}") from None
    if len(values) not in (1, 3):
        raise ValueError(f"{what} must be one number or three (one per channel), got {text!r}")
    return values
