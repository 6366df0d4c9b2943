"""PreparedView: the picture the network is given, with a receptive field drawn on it.

A digit model's 28×28 input is drawn dark ink on white like the canvas; any other model's
input (H, W, 1 or 3) as the picture it is, gray or in colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from engine.network.picture_grids import pixel_at
from gui.colours import WINDOW
from gui.digits.layer_view import LayerView, outline_item
from gui.digits.lookup_tables import ink_lut
from gui.digits.screen_image import ScreenImageItem

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

    from engine import PixelRect

GRID = QColor(120, 130, 145, 45)
FIELD_FILL = QColor(255, 170, 0, 40)
MAX_HEIGHT = 280
MAX_GRID = 32  # pixels per side up to which the lines between pixels are drawn


class PreparedView(LayerView):
    """The network's input, one cell per pixel: ink on paper for digits, else the picture."""

    pixelHovered = Signal(int, int)
    """The mouse is over input pixel (row, col)."""
    hoverLeft = Signal()
    """The mouse left the image."""

    def __init__(self, shape: tuple[int, int] = (28, 28), parent: QWidget | None = None) -> None:
        super().__init__(
            aspect=shape[0] / shape[1], min_height=120, max_height=MAX_HEIGHT, parent=parent
        )
        self.shape = shape
        self.ink = True
        self.image_item = ScreenImageItem(axisOrder="row-major")
        self.image_item.setLookupTable(ink_lut())
        self.image_item.setLevels((0.0, 1.0))
        self.view_box.addItem(self.image_item)
        self.grid = _pixel_grid(shape)
        self.view_box.addItem(self.grid)
        self.field = outline_item(WINDOW, 3)
        self.field.setBrush(FIELD_FILL)
        self.view_box.addItem(self.field)
        self.show_image(np.zeros(shape, dtype=np.float32))
        self.set_data_range(0, shape[1], 0, shape[0])
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self.hoverLeft)

    def set_input(self, shape: tuple[int, int], *, ink: bool) -> None:
        """Show inputs of ``shape`` (H, W).

        ``ink`` for digits (dark ink on white), else the picture's own shades and colours.
        """
        self.ink = ink
        self.image_item.setLookupTable(ink_lut() if ink else None)
        if shape != self.shape:
            self.shape = shape
            self.aspect = shape[0] / shape[1]
            self.view_box.removeItem(self.grid)
            self.grid = _pixel_grid(shape)
            self.view_box.addItem(self.grid)
            self.set_data_range(0, shape[1], 0, shape[0])
            self.fit_height()
        self.show_field(None)

    def show_image(self, image: NDArray[np.float32]) -> None:
        """Show an input in 0..1: (H, W) or (H, W, 1) gray, (H, W, 3) colour."""
        if image.ndim == 3 and image.shape[2] == 1:
            image = image[:, :, 0]
        self.image_item.setImage(image, autoLevels=False, levels=(0.0, 1.0))

    def show_field(self, rect: PixelRect | None) -> None:
        """Outline the input pixels rect (row0:row1, col0:col1); None hides it."""
        if rect is None or rect.height <= 0 or rect.width <= 0:
            self.field.setVisible(False)
            return
        self.field.setRect(QRectF(rect.col0, rect.row0, rect.width, rect.height))
        self.field.setVisible(True)

    @property
    def field_rect(self) -> QRectF | None:
        """The receptive field shown (x = column, y = row), or None."""
        return self.field.rect() if self.field.isVisible() else None

    def _pointer_moved(self, point: QPointF) -> None:
        pixel = pixel_at(point.x(), point.y(), self.shape)
        if pixel is None:
            self.hoverLeft.emit()
        else:
            self.pixelHovered.emit(*pixel)


def _pixel_grid(shape: tuple[int, int]) -> QGraphicsPathItem:
    """Faint lines between the pixels: the input is a grid of numbers.

    None for inputs over ``MAX_GRID`` pixels a side, where they would hide the picture.
    """
    rows, cols = shape
    path = QPainterPath()
    if max(rows, cols) > MAX_GRID:
        rows = cols = 0
    for r in range(1, rows):
        path.moveTo(0, r)
        path.lineTo(cols, r)
    for c in range(1, cols):
        path.moveTo(c, 0)
        path.lineTo(c, rows)
    item = QGraphicsPathItem(path)
    pen = QPen(GRID, 1)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    item.setPen(pen)
    item.setZValue(5)
    return item
