"""The first layer's weights as one mosaic image, for the training lab (no TensorFlow).

A conv layer's kernels (count, kh, kw) or a dense layer's first units as 28×28 pictures (the
codelab's "weights as images") are tiled in a near-square grid, with one-pixel gaps of NaN
(drawn transparent) between them, and one symmetric range for all tiles so that a weight's
colour means the same in every tile: negative weights on one side of 0, positive on the other.
The range is the largest |weight|, or for many weights (a dense layer's) the 99.5th percentile
of |weight|, so that a few large weights do not wash out the pictures (those few are drawn at
the end of the scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from models.training.protocol import LayerWeights

MAX_COLUMNS = 8
GAP = 1
SMALLEST_LIMIT = 1e-6  # all-zero weights still get a valid (tiny) range
MANY_WEIGHTS = 1000  # from this many weights on, the range is a percentile of |weight|
RANGE_PERCENTILE = 99.5


@dataclass(frozen=True, slots=True, eq=False)
class WeightMosaic:
    """The tiled pictures and how they are laid out.

    Attributes:
        image: (rows·(h + gap) − gap, columns·(w + gap) − gap) float32; NaN in the gaps.
        limit: the colour scale runs from −limit to +limit (see the module docstring).
        rows: rows of tiles.
        columns: tiles per row.
        tile: (h, w) of one picture.
        count: pictures in the mosaic.
    """

    image: NDArray[np.float32]
    limit: float
    rows: int
    columns: int
    tile: tuple[int, int]
    count: int

    def origin(self, index: int) -> tuple[int, int]:
        """(top, left) pixel of picture `index` in the image."""
        row, column = divmod(index, self.columns)
        height, width = self.tile
        return row * (height + GAP), column * (width + GAP)


def percentile(values: NDArray[np.float32], q: float) -> float:
    """The `q`-th percentile (0..100) of `values`, as numpy.percentile's default ("linear").

    The value at position (n − 1)·q/100 of the sorted values, interpolated linearly between the
    two values around it (Hyndman & Fan's definition 7, numpy's default). Found with
    numpy.partition in O(n): the training lab draws a new epoch's weights with it, and
    numpy.percentile would also import numpy.ma on its first call (about 50 ms in the lab's
    window).

    Raises:
        ValueError: `values` is empty or `q` is not in 0..100.
    """
    if values.size == 0 or not 0.0 <= q <= 100.0:
        raise ValueError(f"a percentile needs values and 0 <= q <= 100, got {values.size}, {q}")
    flat = values.reshape(-1)
    position = (flat.size - 1) * q / 100.0
    below = math.floor(position)
    above = min(below + 1, flat.size - 1)
    ordered = np.partition(flat, (below, above))
    low, high = float(ordered[below]), float(ordered[above])
    return low + (high - low) * (position - below)


def colour_limit(values: NDArray[np.float32]) -> float:
    """The end of the symmetric colour scale: max |w|, or its 99.5th percentile for many."""
    if values.size == 0:
        return SMALLEST_LIMIT
    magnitudes = np.abs(values)
    if values.size < MANY_WEIGHTS:
        return max(float(np.max(magnitudes)), SMALLEST_LIMIT)
    return max(percentile(magnitudes, RANGE_PERCENTILE), SMALLEST_LIMIT)


def weight_mosaic(weights: LayerWeights, max_columns: int = MAX_COLUMNS) -> WeightMosaic:
    """Tile `weights.values` (count, h, w) in a near-square grid (≤ `max_columns` wide)."""
    values = np.asarray(weights.values, np.float32)
    count, height, width = values.shape
    columns = max(1, min(math.ceil(math.sqrt(count)), max_columns))
    rows = math.ceil(count / columns)
    image = np.full(
        (rows * (height + GAP) - GAP, columns * (width + GAP) - GAP), np.nan, np.float32
    )
    mosaic_limit = colour_limit(values)
    mosaic = WeightMosaic(image, mosaic_limit, rows, columns, (height, width), count)
    for index in range(count):
        top, left = mosaic.origin(index)
        image[top : top + height, left : left + width] = values[index]
    return mosaic
