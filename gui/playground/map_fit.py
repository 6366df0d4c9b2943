"""The feature maps' cell size: every map of every filter in the panel's view, as large as fits.

The maps panel is a table: one row per filter (its name on the left), one column per stage
(convolution, ReLU, pooling) with a caption above it. All maps share one cell size, so that a
pooled map is visibly smaller than the map it pools. :func:`fit_maps` picks that size for the
room the panel has: the largest that shows every row and every column, at most the largest
cell; when that would be smaller than a readable floor, the floor, and the panel scrolls down
(never sideways: the width always fits, below the floor if it must).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

SMALLEST_CELL = 2
"""Pixels: a cell is never smaller (the grids draw no smaller cells either)."""


@dataclass(frozen=True, slots=True)
class MapTable:
    """What the maps' table holds, with the sizes (pixels) that do not scale with the cells.

    Attributes:
        shapes: Each column's map shape, (rows, cols) in cells, left to right.
        filters: Rows of maps, one per filter.
        label_width: The filters' names' column (they wrap to fit it).
        label_height: The tallest name, wrapped at ``label_width``.
        label_ideal: The longest name on one line (the column widens to it if there is room).
        column_floors: Each column's least width (its caption's longest word).
        column_ideals: Each column's caption on one line per line of its text.
        header_height: The captions' height for the columns' widths (they wrap).
        spacing: (between columns, between rows of maps).
    """

    shapes: tuple[tuple[int, int], ...]
    filters: int
    label_width: int
    label_height: int
    column_floors: tuple[int, ...]
    column_ideals: tuple[int, ...]
    header_height: Callable[[tuple[int, ...]], int]
    spacing: tuple[int, int] = (10, 4)
    label_ideal: int = 0

    def least_columns(self, cell: int) -> tuple[int, ...]:
        """Each column's least width at ``cell``: its maps (with the closing line), its words."""
        return tuple(
            max(cols * cell + 1, floor)
            for (_, cols), floor in zip(self.shapes, self.column_floors, strict=True)
        )

    def columns(self, cell: int, room: int) -> tuple[int, ...]:
        """Each column's width at ``cell`` in a view ``room`` pixels wide (see :meth:`widths`)."""
        return self.widths(cell, room)[1]

    def widths(self, cell: int, room: int) -> tuple[int, tuple[int, ...]]:
        """The names' width and each column's width at ``cell`` in a view ``room`` pixels wide.

        At least ``label_width`` and :meth:`least_columns`; the width the table leaves goes
        to names and captions that would wrap, up to their width unwrapped (shared in
        proportion when short).
        """
        least = (self.label_width, *self.least_columns(cell))
        ideals = (self.label_ideal, *self.column_ideals)
        spare = room - self.width(cell)
        wanted = [max(ideal - width, 0) for ideal, width in zip(ideals, least, strict=True)]
        total = sum(wanted)
        if spare > 0 and total > 0:
            share = min(spare / total, 1.0)
            least = tuple(
                width + int(more * share) for width, more in zip(least, wanted, strict=True)
            )
        return least[0], least[1:]

    def width(self, cell: int) -> int:
        """The table's least width: the names, the columns and the spaces between them."""
        return self.label_width + sum(self.least_columns(cell)) + self.spacing[0] * len(self.shapes)

    def row_height(self, cell: int) -> int:
        """One filter's row: its tallest map, or its name if that is taller."""
        tallest = max((rows for rows, _ in self.shapes), default=0)
        return max(tallest * cell + 1, self.label_height)

    def height(self, cell: int, room: int) -> int:
        """The captions (wrapped in a view ``room`` pixels wide) and every filter's row."""
        rows = self.filters * self.row_height(cell) + self.spacing[1] * max(self.filters - 1, 0)
        return self.header_height(self.columns(cell, room)) + rows


@dataclass(frozen=True, slots=True)
class MapFit:
    """The cell size chosen, the names' and columns' widths, whether the table scrolls down."""

    cell: int
    label_width: int
    columns: tuple[int, ...]
    scrolls: bool


def _largest(fits: Callable[[int], bool], largest: int) -> int:
    """The largest cell up to ``largest`` that ``fits`` (sizes only grow with the cell)."""
    low, high = SMALLEST_CELL, largest
    if not fits(low):
        return low
    while low < high:  # bisection: the last size that fits
        middle = ceil((low + high) / 2)
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def fit_maps(
    table: MapTable, room: tuple[int, int], *, floor: int, largest: int, scroll_bar: int
) -> MapFit:
    """The cell size that shows the whole ``table`` in ``room`` (width, height) pixels.

    Args:
        table: The maps, names and captions.
        room: The panel's view, captions included, without any scroll bar.
        floor: The smallest readable cell; below it the view scrolls down instead.
        largest: The largest cell.
        scroll_bar: The width a vertical scroll bar takes from the view when it scrolls.

    Returns:
        The largest cell (at most ``largest``) at which the whole table fits. If that is
        below ``floor``: ``floor``, or the largest cell below it at which the table is as
        wide as the view with its scroll bar if that is smaller; the table then scrolls
        down. (When the width allows only cells smaller than the whole table fits with, the
        whole table is shown.)
    """
    width, height = room
    largest = max(largest, SMALLEST_CELL)

    def whole_fits(cell: int) -> bool:
        return table.width(cell) <= width and table.height(cell, width) <= height

    def result(cell: int) -> MapFit:
        scrolls = table.height(cell, width) > height
        room = width - scroll_bar if scrolls else width  # a scroll bar takes its width
        label, columns = table.widths(cell, room)
        return MapFit(cell, label, columns, scrolls=scrolls)

    whole = _largest(whole_fits, largest)
    if whole >= min(floor, largest) or table.width(whole) > width:
        return result(whole)
    narrower = width - scroll_bar
    cell = min(floor, largest, _largest(lambda c: table.width(c) <= narrower, largest))
    return result(max(cell, whole))  # the width allows no more: the one that shows it all
