"""Where each value of a layer sits in its picture, and which value is under a point.

The digit lab draws a layer as a mosaic of feature maps, a strip of cells or a row of bars.
These grids say where map k, cell (row, col) or unit i is drawn (in the picture's own data
coordinates: x to the right, y down for maps and strips, up for bars), and which of them a
point falls on, so the widgets only draw and report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_COLUMNS = 16  # maps per mosaic row
GAP_PER_CELLS = 7  # one gap pixel between tiles per 7 cells of a map's side
STRIP_ASPECT = 10  # a strip is about this many times wider than high
BAR_MARGIN = 0.04  # of the value range, above the bars (and below signed ones)
LABEL_ROOM = 0.3  # of the bars' height, kept free under them for class labels
MAX_TICKS = 20  # class labels under a probability chart's axis, at most


@dataclass(frozen=True, slots=True)
class MosaicGrid:
    """The C maps (H, W) of a layer tiled in rows of up to ``MAX_COLUMNS``, with gaps.

    Tile k is at tile row k // cols, tile column k % cols; tiles are ``pitch`` apart (the map
    and one gap). The mosaic is ``height`` × ``width`` data units.
    """

    map_shape: tuple[int, int]
    count: int
    rows: int
    cols: int
    gap: int

    @classmethod
    def of(cls, shape: tuple[int, int, int], columns: int = MAX_COLUMNS) -> MosaicGrid:
        """The grid for an (H, W, C) layer."""
        height, width, count = shape
        cols = max(1, min(count, columns))
        gap = max(1, round(max(height, width) / GAP_PER_CELLS))
        return cls((height, width), count, math.ceil(count / cols), cols, gap)

    @property
    def pitch(self) -> tuple[int, int]:
        """(rows, columns) from one tile's corner to the next's."""
        return (self.map_shape[0] + self.gap, self.map_shape[1] + self.gap)

    @property
    def buffer_shape(self) -> tuple[int, int]:
        """A mosaic image with a gap after every tile: (rows × pitch, cols × pitch)."""
        return (self.rows * self.pitch[0], self.cols * self.pitch[1])

    @property
    def height(self) -> int:
        """The mosaic's height in data units (no gap after the last row)."""
        return self.buffer_shape[0] - self.gap

    @property
    def width(self) -> int:
        """The mosaic's width in data units (no gap after the last column)."""
        return self.buffer_shape[1] - self.gap

    @property
    def aspect(self) -> float:
        """Height / width of the mosaic."""
        return self.height / self.width

    @property
    def full_rows(self) -> int:
        """Tile rows with a map in every column."""
        return self.count // self.cols

    @property
    def maps_in_full_rows(self) -> int:
        """Maps in the tile rows that are full: maps 0 .. this − 1."""
        return self.full_rows * self.cols

    @property
    def last_row_maps(self) -> int:
        """Maps in the last, partly filled tile row (0 when every row is full)."""
        return self.count - self.maps_in_full_rows

    def height_for_tiles(self, tile_px: int) -> int:
        """The mosaic's height in screen pixels when its larger map side is ``tile_px``."""
        return round(tile_px * self.height / max(self.map_shape))

    def tile_origin(self, k: int) -> tuple[int, int]:
        """(y, x) of map k's top-left cell."""
        return (k // self.cols) * self.pitch[0], (k % self.cols) * self.pitch[1]

    def cell_centre(self, k: int, row: int, col: int) -> tuple[float, float]:
        """(x, y) of the centre of cell (row, col) of map k."""
        y0, x0 = self.tile_origin(k)
        return (x0 + col + 0.5, y0 + row + 0.5)

    def cell_box(self, k: int, row: int, col: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of cell (row, col) of map k."""
        y0, x0 = self.tile_origin(k)
        return (float(x0 + col), float(y0 + row), 1.0, 1.0)

    def tile_box(self, k: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) around map k, half a gap out on every side."""
        y0, x0 = self.tile_origin(k)
        h, w = self.map_shape
        pad = self.gap / 2
        return (x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad)

    def cell_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """(k, row, col) of the cell under point (x, y), None over a gap or outside."""
        xi, yi = math.floor(x), math.floor(y)
        if xi < 0 or yi < 0:
            return None
        tile_row, row = divmod(yi, self.pitch[0])
        tile_col, col = divmod(xi, self.pitch[1])
        if row >= self.map_shape[0] or col >= self.map_shape[1]:
            return None
        if tile_row >= self.rows or tile_col >= self.cols:
            return None
        k = tile_row * self.cols + tile_col
        return (k, row, col) if k < self.count else None


@dataclass(frozen=True, slots=True)
class StripGrid:
    """A long vector as rows of cells, in order: unit i at row i // cols, column i % cols."""

    count: int
    rows: int
    cols: int

    @classmethod
    def of(cls, count: int) -> StripGrid:
        """A band about ``STRIP_ASPECT`` times wider than high for ``count`` units."""
        cols = max(1, min(count, math.ceil(math.sqrt(count * STRIP_ASPECT))))
        return cls(count, math.ceil(count / cols), cols)

    @property
    def cells(self) -> int:
        """Cells in the strip (the last row may have empty ones)."""
        return self.rows * self.cols

    @property
    def aspect(self) -> float:
        """Height / width of the strip."""
        return self.rows / self.cols

    def unit_at(self, x: float, y: float) -> int | None:
        """The unit under point (x, y), None outside the strip or over an empty cell."""
        col, row = math.floor(x), math.floor(y)
        unit = row * self.cols + col
        inside = 0 <= col < self.cols and 0 <= row < self.rows and unit < self.count
        return unit if inside else None

    def cell_box(self, unit: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of unit ``unit``'s cell."""
        row, col = divmod(unit, self.cols)
        return (float(col), float(row), 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class BarScale:
    """One bar per unit at x = 0..count−1, on a fixed value scale (y up).

    ``low``..``high`` is the value range plus a margin; ``bottom`` is lower still when class
    labels go under the bars.
    """

    count: int
    low: float
    high: float
    bottom: float

    @classmethod
    def of(cls, count: int, levels: tuple[float, float], labelled: bool) -> BarScale:
        """The scale for ``count`` bars spanning ``levels`` (low, high), labels under them."""
        low, high = levels
        margin = BAR_MARGIN * (high - low)
        y0, y1 = (low - margin if low < 0 else low), high + margin
        bottom = y0 - LABEL_ROOM * (y1 - y0) if labelled else y0
        return cls(count, y0, y1, bottom)

    @property
    def x_range(self) -> tuple[float, float]:
        """The x span shown (``bars_x_range``)."""
        return bars_x_range(self.count)

    def unit_at(self, x: float) -> int | None:
        """The bar under x, None beside the bars."""
        unit = round(x)
        return unit if 0 <= unit < self.count and abs(x - unit) <= 0.5 else None

    def bar_box(self, unit: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the column a bar stands in."""
        return (unit - 0.5, self.low, 1.0, self.high - self.low)


def bars_x_range(count: int) -> tuple[float, float]:
    """The x span that shows bars at 0..count−1 with a little room either side."""
    return (-0.6, count - 0.4)


def pixel_at(x: float, y: float, shape: tuple[int, int]) -> tuple[int, int] | None:
    """(row, col) of the pixel of an (H, W) image under point (x, y), None outside it."""
    col, row = math.floor(x), math.floor(y)
    return (row, col) if 0 <= row < shape[0] and 0 <= col < shape[1] else None


def axis_ticks(labels: tuple[str, ...], most: int = MAX_TICKS) -> list[tuple[int, str]]:
    """(x, label) of the class labels under a chart's axis: every one, or every n-th."""
    step = max(1, len(labels) // most)
    return [(i, labels[i]) for i in range(0, len(labels), step)]
