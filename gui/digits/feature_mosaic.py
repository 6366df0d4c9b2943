"""FeatureMosaic: all feature maps of one layer as ONE image, tiled in a grid.

One pyqtgraph ImageItem per layer (not a widget per map): the maps are copied into a
preallocated float32 mosaic whose gaps are NaN (drawn transparent), and the image is updated
with fixed levels and a 256-entry lookup table, so an update is a copy and a colour lookup.
Where each map and cell sits is the engine's ``MosaicGrid``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor

from engine.network.picture_grids import MosaicGrid
from gui.colours import CHOSEN, WINDOW
from gui.digits.layer_view import LayerView, outline_item
from gui.digits.lookup_tables import diverging_lut, positive_lut
from gui.digits.screen_image import ScreenImageItem

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

    from engine.network.display_ranges import DisplayRange

MAX_TILE_PX = 110  # the view stops growing taller when tiles would be larger than this
GAP_BACKGROUND = QColor(222, 226, 233)


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
        grid = MosaicGrid.of(shape)
        self.grid = grid
        self.map_shape = grid.map_shape
        self.count = grid.count
        self.rows, self.cols = grid.rows, grid.cols
        super().__init__(
            aspect=grid.aspect,
            max_height=grid.height_for_tiles(MAX_TILE_PX),
            parent=parent,
        )
        self.setBackground(GAP_BACKGROUND)
        self._buffer = np.full(grid.buffer_shape, np.nan, dtype=np.float32)
        # The tiles as a view: (tile row, tile column, H, W) cells of the buffer.
        pitch_h, pitch_w = grid.pitch
        self._tiles = self._buffer.reshape(grid.rows, pitch_h, grid.cols, pitch_w)
        self._tiles = self._tiles.transpose(0, 2, 1, 3)[
            :, :, : self.map_shape[0], : self.map_shape[1]
        ]
        self.image_item = ScreenImageItem(axisOrder="row-major")
        lut = diverging_lut() if value_range.signed else positive_lut()
        self.image_item.setLookupTable(lut)
        self.image_item.setLevels(value_range.levels)
        self.view_box.addItem(self.image_item)
        self._hover = outline_item(WINDOW, 2)
        self._selection = outline_item(CHOSEN, 3)
        self.view_box.addItem(self._hover)
        self.view_box.addItem(self._selection)
        self.clear_values()
        self.set_data_range(0, grid.width, 0, grid.height)
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)
        self.clicked.connect(self._clicked_at)

    # ----- values --------------------------------------------------------------------------
    def show_maps(self, maps: NDArray[np.float32]) -> None:
        """Show an (H, W, C) activation: each channel in its tile."""
        channels = maps.transpose(2, 0, 1)
        full, rest = self.grid.full_rows, self.grid.last_row_maps
        split = self.grid.maps_in_full_rows
        if full:
            self._tiles[:full] = channels[:split].reshape(full, self.cols, *self.map_shape)
        if rest:
            self._tiles[full, :rest] = channels[split:]
        self.image_item.setImage(self._buffer, autoLevels=False)

    def clear_values(self) -> None:
        """Every map blank (all zero)."""
        self._tiles[...] = 0.0
        full, rest = self.grid.full_rows, self.grid.last_row_maps
        if rest:
            self._tiles[full, rest:] = np.nan
        self.image_item.setImage(self._buffer, autoLevels=False)

    @property
    def mosaic(self) -> NDArray[np.float32]:
        """The image shown (gaps are NaN)."""
        return self._buffer

    def tile_origin(self, k: int) -> tuple[int, int]:
        """(row, col) in the mosaic of map k's top-left cell."""
        return self.grid.tile_origin(k)

    def cell_centre(self, k: int, row: int, col: int) -> QPointF:
        """Data coordinates of the centre of cell (row, col) of map k."""
        return QPointF(*self.grid.cell_centre(k, row, col))

    def cell_at(self, point: QPointF) -> tuple[int, int, int] | None:
        """(k, row, col) under a data point, None over a gap or outside."""
        return self.grid.cell_at(point.x(), point.y())

    # ----- marks ---------------------------------------------------------------------------
    def mark_cell(self, k: int, row: int, col: int) -> None:
        """Outline one cell (the hovered one)."""
        self._hover.setRect(QRectF(*self.grid.cell_box(k, row, col)))
        self._hover.setVisible(True)

    def unmark_cell(self) -> None:
        """Hide the hovered cell's outline."""
        self._hover.setVisible(False)

    def select_map(self, k: int | None) -> None:
        """Outline map k (the chosen one); None: no map."""
        if k is None:
            self._selection.setVisible(False)
            return
        self._selection.setRect(QRectF(*self.grid.tile_box(k)))
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
