"""FeatureMosaic: all feature maps of one layer as ONE image, tiled in a grid.

One pyqtgraph ImageItem per layer (not a widget per map): the maps are copied into a
preallocated float32 mosaic whose gaps are NaN (drawn transparent), and the image is updated
with fixed levels and a 256-entry lookup table, so an update is a copy and a colour lookup.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor

from gui.colours import CHOSEN, WINDOW
from gui.digits.layer_view import LayerView, outline_item
from gui.digits.lookup_tables import diverging_lut, positive_lut

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

    from engine.network.display_ranges import DisplayRange

MAX_COLUMNS = 16
MAX_TILE_PX = 110  # the view stops growing taller when tiles would be larger than this
GAP_BACKGROUND = QColor(222, 226, 233)


def grid_shape(count: int, columns: int = MAX_COLUMNS) -> tuple[int, int]:
    """(rows, columns) of the mosaic for ``count`` maps."""
    cols = max(1, min(count, columns))
    return math.ceil(count / cols), cols


class FeatureMosaic(LayerView):
    """The (H, W, C) maps of one layer, C tiles in rows of up to 16, with a hover and a pick."""

    cellHovered = Signal(int, int, int)
    """The mouse is over cell (row, col) of map k: (k, row, col)."""
    hoverLeft = Signal()
    """The mouse left the maps (or is over a gap)."""
    mapClicked = Signal(int, object)
    """Map k was clicked; the object is the Qt.MouseButton."""

    def __init__(
        self, shape: tuple[int, int, int], value_range: DisplayRange, parent: QWidget | None = None
    ) -> None:
        height, width, count = shape
        self.map_shape = (height, width)
        self.count = count
        self.gap = max(1, round(max(height, width) / 7))
        self.rows, self.cols = grid_shape(count)
        self.pitch = (height + self.gap, width + self.gap)
        full_h = self.rows * self.pitch[0] - self.gap
        full_w = self.cols * self.pitch[1] - self.gap
        super().__init__(
            aspect=full_h / full_w,
            max_height=round(MAX_TILE_PX * full_h / max(height, width)),
            parent=parent,
        )
        self.setBackground(GAP_BACKGROUND)
        self._buffer = np.full(
            (self.rows * self.pitch[0], self.cols * self.pitch[1]), np.nan, dtype=np.float32
        )
        self._tiles = self._buffer.reshape(self.rows, self.pitch[0], self.cols, self.pitch[1])
        self._tiles = self._tiles.transpose(0, 2, 1, 3)[:, :, :height, :width]
        self.image_item = pg.ImageItem(axisOrder="row-major")
        lut = diverging_lut() if value_range.signed else positive_lut()
        self.image_item.setLookupTable(lut)
        self.image_item.setLevels(value_range.levels)
        self.view_box.addItem(self.image_item)
        self._hover = outline_item(WINDOW, 2)
        self._selection = outline_item(CHOSEN, 3)
        self.view_box.addItem(self._hover)
        self.view_box.addItem(self._selection)
        self.clear_values()
        self.set_data_range(0, full_w, 0, full_h)
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)
        self.clicked.connect(self._clicked_at)

    # ----- values --------------------------------------------------------------------------
    def show_maps(self, maps: NDArray[np.float32]) -> None:
        """Show an (H, W, C) activation: each channel in its tile."""
        channels = maps.transpose(2, 0, 1)
        full = self.count // self.cols
        if full:
            self._tiles[:full] = channels[: full * self.cols].reshape(
                full, self.cols, *self.map_shape
            )
        rest = self.count - full * self.cols
        if rest:
            self._tiles[full, :rest] = channels[full * self.cols :]
        self.image_item.setImage(self._buffer, autoLevels=False)

    def clear_values(self) -> None:
        """Every map blank (all zero)."""
        self._tiles[...] = 0.0
        if self.count < self.rows * self.cols:
            self._tiles[self.rows - 1, self.count - (self.rows - 1) * self.cols :] = np.nan
        self.image_item.setImage(self._buffer, autoLevels=False)

    @property
    def mosaic(self) -> NDArray[np.float32]:
        """The image shown (gaps are NaN)."""
        return self._buffer

    def tile_origin(self, k: int) -> tuple[int, int]:
        """(row, col) in the mosaic of map k's top-left cell."""
        return (k // self.cols) * self.pitch[0], (k % self.cols) * self.pitch[1]

    def cell_centre(self, k: int, row: int, col: int) -> QPointF:
        """Data coordinates of the centre of cell (row, col) of map k."""
        r0, c0 = self.tile_origin(k)
        return QPointF(c0 + col + 0.5, r0 + row + 0.5)

    def cell_at(self, point: QPointF) -> tuple[int, int, int] | None:
        """(k, row, col) under a data point, None over a gap or outside."""
        x, y = math.floor(point.x()), math.floor(point.y())
        if x < 0 or y < 0:
            return None
        tile_row, row = divmod(y, self.pitch[0])
        tile_col, col = divmod(x, self.pitch[1])
        if row >= self.map_shape[0] or col >= self.map_shape[1]:
            return None
        if tile_row >= self.rows or tile_col >= self.cols:
            return None
        k = tile_row * self.cols + tile_col
        return (k, row, col) if k < self.count else None

    # ----- marks ---------------------------------------------------------------------------
    def mark_cell(self, k: int, row: int, col: int) -> None:
        """Outline one cell (the hovered one)."""
        r0, c0 = self.tile_origin(k)
        self._hover.setRect(QRectF(c0 + col, r0 + row, 1, 1))
        self._hover.setVisible(True)

    def unmark_cell(self) -> None:
        self._hover.setVisible(False)

    def select_map(self, k: int | None) -> None:
        """Outline map k (the chosen one); None: no map."""
        if k is None:
            self._selection.setVisible(False)
            return
        r0, c0 = self.tile_origin(k)
        h, w = self.map_shape
        pad = self.gap / 2
        self._selection.setRect(QRectF(c0 - pad, r0 - pad, w + 2 * pad, h + 2 * pad))
        self._selection.setVisible(True)

    # ----- the pointer ---------------------------------------------------------------------
    def _pointer_moved(self, point: QPointF) -> None:
        hit = self.cell_at(point)
        if hit is None:
            self._left()
        else:
            self.mark_cell(*hit)
            self.cellHovered.emit(*hit)

    def _left(self) -> None:
        self.unmark_cell()
        self.hoverLeft.emit()

    def _clicked_at(self, point: QPointF, button: object) -> None:
        hit = self.cell_at(point)
        if hit is not None:
            self.mapClicked.emit(hit[0], button)
