"""Views of a layer that is a vector: bars for a few hundred units, a wrapped strip for more.

Both create their pyqtgraph items once; an update only hands new numbers to them
(``BarGraphItem.setOpts(height=...)``, ``ImageItem.setImage(..., autoLevels=False)``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor

from gui.colours import NEGATIVE, POSITIVE, WINDOW
from gui.digits.feature_mosaic import GAP_BACKGROUND
from gui.digits.layer_view import LayerView, outline_item
from gui.digits.lookup_tables import diverging_lut, positive_lut

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

    from engine.network.display_ranges import DisplayRange

MAX_BARS = 256  # longer vectors are drawn as a strip of coloured cells
STRIP_ASPECT = 10  # a strip is about this many times wider than high
POSITIVE_BRUSH = QColor(*(int(c) for c in POSITIVE))
NEGATIVE_BRUSH = QColor(*(int(c) for c in NEGATIVE))
AXIS_PEN = QColor(150, 156, 166)
LABEL_COLOUR = QColor(40, 46, 56)
LABEL_ROOM = 0.3  # share of the bars' height kept free under them for labels


def strip_columns(count: int) -> int:
    """Units per row of a strip: a band about STRIP_ASPECT times wider than high."""
    return max(1, min(count, math.ceil(math.sqrt(count * STRIP_ASPECT))))


class VectorBars(LayerView):
    """One bar per unit, red above zero and blue below, on a fixed scale."""

    unitHovered = Signal(int)
    """The mouse is over unit i."""
    hoverLeft = Signal()
    """The mouse left the bars."""

    def __init__(
        self,
        count: int,
        value_range: DisplayRange,
        labels: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            aspect=0.12, max_height=110, min_height=70, invert_y=False, lock_aspect=False,
            parent=parent,
        )  # fmt: skip
        self.count = count
        x = np.arange(count, dtype=np.float64)
        zeros = np.zeros(count)
        self._positive = pg.BarGraphItem(
            x=x, height=zeros, width=0.8, brush=POSITIVE_BRUSH, pen=pg.mkPen(None)
        )
        self._negative = pg.BarGraphItem(
            x=x, height=zeros, width=0.8, brush=NEGATIVE_BRUSH, pen=pg.mkPen(None)
        )
        self._signed = value_range.signed
        axis = pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(AXIS_PEN, width=1))
        self._hover = outline_item(WINDOW, 2)
        for item in (self._positive, self._negative, axis, self._hover):
            self.view_box.addItem(item)
        self._values = np.zeros(count, dtype=np.float32)
        low, high = value_range.levels
        margin = 0.04 * (high - low)
        self._y_range = (low - (margin if self._signed else 0.0), high + margin)
        bottom = self._y_range[0]
        if labels:  # room for a row of labels under the bars
            bottom -= LABEL_ROOM * (self._y_range[1] - self._y_range[0])
            for i, label in enumerate(labels):
                text = pg.TextItem(label, color=LABEL_COLOUR, anchor=(0.5, 0.0))
                text.setPos(float(i), self._y_range[0])
                self.view_box.addItem(text)
        self.set_data_range(-0.6, count - 0.4, bottom, self._y_range[1])
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)

    def show_values(self, values: NDArray[np.float32]) -> None:
        """Show one value per unit."""
        self._values = values
        self._positive.setOpts(height=np.maximum(values, 0.0))
        if self._signed:
            self._negative.setOpts(height=np.minimum(values, 0.0))

    def clear_values(self) -> None:
        self.show_values(np.zeros(self.count, dtype=np.float32))

    @property
    def values(self) -> NDArray[np.float32]:
        return self._values

    def _pointer_moved(self, point: QPointF) -> None:
        unit = round(point.x())
        if 0 <= unit < self.count and abs(point.x() - unit) <= 0.5:
            low, high = self._y_range
            self._hover.setRect(QRectF(unit - 0.5, low, 1.0, high - low))
            self._hover.setVisible(True)
            self.unitHovered.emit(unit)
        else:
            self._left()

    def _left(self) -> None:
        self._hover.setVisible(False)
        self.hoverLeft.emit()


class VectorStrip(LayerView):
    """A long vector (e.g. a flattened stack of maps) as rows of coloured cells, in order."""

    unitHovered = Signal(int)
    """The mouse is over unit i."""
    hoverLeft = Signal()
    """The mouse left the strip."""

    def __init__(
        self, count: int, value_range: DisplayRange, parent: QWidget | None = None
    ) -> None:
        self.count = count
        self.cols = strip_columns(count)
        self.rows = math.ceil(count / self.cols)
        super().__init__(aspect=self.rows / self.cols, max_height=160, parent=parent)
        self.setBackground(GAP_BACKGROUND)
        self._buffer = np.full(self.rows * self.cols, np.nan, dtype=np.float32)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setLookupTable(diverging_lut() if value_range.signed else positive_lut())
        self.image_item.setLevels(value_range.levels)
        self.view_box.addItem(self.image_item)
        self._hover = outline_item(WINDOW, 2)
        self.view_box.addItem(self._hover)
        self.clear_values()
        self.set_data_range(0, self.cols, 0, self.rows)
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)

    def show_values(self, values: NDArray[np.float32]) -> None:
        self._buffer[: self.count] = values
        self.image_item.setImage(self._buffer.reshape(self.rows, self.cols), autoLevels=False)

    def clear_values(self) -> None:
        self.show_values(np.zeros(self.count, dtype=np.float32))

    @property
    def values(self) -> NDArray[np.float32]:
        return self._buffer[: self.count]

    def _pointer_moved(self, point: QPointF) -> None:
        col, row = math.floor(point.x()), math.floor(point.y())
        unit = row * self.cols + col
        if 0 <= col < self.cols and 0 <= row < self.rows and unit < self.count:
            self._hover.setRect(QRectF(col, row, 1, 1))
            self._hover.setVisible(True)
            self.unitHovered.emit(unit)
        else:
            self._left()

    def _left(self) -> None:
        self._hover.setVisible(False)
        self.hoverLeft.emit()
