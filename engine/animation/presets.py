"""Named 3x3 (and 5x5) filters that students meet in image processing and on the slides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class FilterPreset:
    """A named 2-D kernel, with what it does in one sentence."""

    id: str
    name: str
    description: str
    values: tuple[tuple[float, ...], ...]

    @property
    def kernel(self) -> NDArray[np.float64]:
        """The kernel as a (k, k) array."""
        return np.array(self.values, dtype=np.float64)

    @property
    def size(self) -> int:
        """The side k of the k x k kernel."""
        return len(self.values)


def _preset(id: str, name: str, description: str, rows: list[list[float]]) -> FilterPreset:
    return FilterPreset(id, name, description, tuple(tuple(float(v) for v in r) for r in rows))


PRESETS: tuple[FilterPreset, ...] = (
    _preset("identity", "Identity", "Copies the input: only the centre weight is 1.",
            [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    _preset("box_blur", "Box blur", "The mean of the 3x3 neighbourhood: smooths the image.",
            [[1 / 9] * 3] * 3),
    _preset("gaussian_blur", "Gaussian blur", "A weighted mean, heavier in the centre.",
            [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]]),
    _preset("sharpen", "Sharpen", "The centre minus its neighbours: makes edges crisper.",
            [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    _preset("laplacian", "Edge detect (Laplacian)",
            "The slide's edge detector: large where a pixel differs from its neighbours.",
            [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    _preset("sobel_x", "Sobel x", "Finds vertical edges (dark to bright, left to right).",
            [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    _preset("sobel_y", "Sobel y", "Finds horizontal edges (dark to bright, top to bottom).",
            [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    _preset("diagonal", "Diagonal (slide)", "Slides 000/003 filter 1: a ↘ diagonal line.",
            [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]),
    _preset("anti_diagonal", "Anti-diagonal (slide)", "Slide 004's third filter: a ↙ line.",
            [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]),
    _preset("vertical", "Vertical line (slide)", "Slides 000/003 filter 2: a vertical line.",
            [[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]),
    _preset("x_shape", "X (slide)", "Slide 004's middle filter: the centre of an X.",
            [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]),
)  # fmt: skip

_BY_ID = {p.id: p for p in PRESETS}


def preset(preset_id: str) -> FilterPreset:
    """The preset with this id; ValueError naming the known ids otherwise."""
    try:
        return _BY_ID[preset_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise ValueError(f"unknown filter preset {preset_id!r}; known presets: {known}") from None


def fit_kernel(kernel: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    """Centre a square kernel in a size x size grid (zero border) or crop it to its centre.

    Lets a 3x3 preset be applied to a playground whose kernel size is 5, and vice versa.
    """
    if size < 1:
        raise ValueError(f"kernel size must be at least 1, got {size}")
    k = kernel.shape[0]
    out = np.zeros((size, size), dtype=np.float64)
    if k <= size:
        o = (size - k) // 2
        out[o : o + k, o : o + k] = kernel
    else:
        o = (k - size) // 2
        out[:] = kernel[o : o + size, o : o + size]
    return out
