"""Views of a layer that is a vector: bars for a few hundred units, a wrapped strip for more.

Both create their pyqtgraph items once; an update only hands new numbers to them
(``BarGraphItem.setOpts(height=...)``, ``ImageItem.setImage(..., autoLevels=False)``). Where
each unit sits is the engine's ``BarScale`` and ``StripGrid``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor

from engine.network.picture_grids import BarScale, StripGrid
from gui.colours import NEGATIVE, POSITIVE, WINDOW
from gui.digits.feature_mosaic import GAP_BACKGROUND
from gui.digits.layer_view import LayerView, outline_item
from gui.digits.lookup_tables import diverging_lut, positive_lut
from gui.digits.screen_image import ScreenImageItem
from gui.flat_bars import FlatBars

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

    from engine.network.display_ranges import DisplayRange

POSITIVE_BRUSH = QColor(*(int(c) for c in POSITIVE))
NEGATIVE_BRUSH = QColor(*(int(c) for c in NEGATIVE))
AXIS_PEN = QColor(150, 156, 166)
LABEL_COLOUR = QColor(40, 46, 56)


class VectorBars(LayerView):
    """One bar per unit, red above zero and blue below, on a fixed scale."""

    unitHovered = Signal(int)
    """The mouse is over unit i."""
    unitClicked = Signal(int)
    """The user clicked unit i."""
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
        self._positive = FlatBars(x=x, height=zeros, width=0.8, brush=POSITIVE_BRUSH)
        self._negative = FlatBars(x=x, height=zeros, width=0.8, brush=NEGATIVE_BRUSH)
        self._signed = value_range.signed
        axis = pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(AXIS_PEN, width=1))
        self._hover = outline_item(WINDOW, 2)
        for item in (self._positive, self._negative, axis, self._hover):
            self.view_box.addItem(item)
        self._values = np.zeros(count, dtype=np.float32)
        self.scale = BarScale.of(count, value_range.levels, labelled=bool(labels))
        for i, label in enumerate(labels):  # a row of labels under the bars
            text = pg.TextItem(label, color=LABEL_COLOUR, anchor=(0.5, 0.0))
            text.setPos(float(i), self.scale.low)
            self.view_box.addItem(text)
        self.set_data_range(*self.scale.x_range, self.scale.bottom, self.scale.high)
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)
        self.clicked.connect(self._clicked_at)

    def _clicked_at(self, point: QPointF, _button: object) -> None:
        unit = self.scale.unit_at(point.x())
        if unit is not None:
            self.unitClicked.emit(unit)

    def show_values(self, values: NDArray[np.float32]) -> None:
        """Show one value per unit."""
        self._values = values
        self._positive.setOpts(height=np.maximum(values, 0.0))
        if self._signed:
            self._negative.setOpts(height=np.minimum(values, 0.0))

    def clear_values(self) -> None:
        """Every bar at zero."""
        self.show_values(np.zeros(self.count, dtype=np.float32))

    @property
    def values(self) -> NDArray[np.float32]:
        """The values shown."""
        return self._values

    def _pointer_moved(self, point: QPointF) -> None:
        unit = self.scale.unit_at(point.x())
        if unit is None:
            self._left()
            return
        self._hover.setRect(QRectF(*self.scale.bar_box(unit)))
        self._hover.setVisible(True)
        self.unitHovered.emit(unit)

    def _left(self) -> None:
        self._hover.setVisible(False)
        self.hoverLeft.emit()


class VectorStrip(LayerView):
    """A long vector (e.g. a flattened stack of maps) as rows of coloured cells, in order."""

    unitHovered = Signal(int)
    """The mouse is over unit i."""
    unitClicked = Signal(int)
    """The user clicked unit i."""
    hoverLeft = Signal()
    """The mouse left the strip."""

    def __init__(
        self, count: int, value_range: DisplayRange, parent: QWidget | None = None
    ) -> None:
        self.grid = StripGrid.of(count)
        self.count = count
        self.rows, self.cols = self.grid.rows, self.grid.cols
        super().__init__(aspect=self.grid.aspect, max_height=160, parent=parent)
        self.setBackground(GAP_BACKGROUND)
        self._buffer = np.full(self.grid.cells, np.nan, dtype=np.float32)
        self.image_item = ScreenImageItem(axisOrder="row-major")
        self.image_item.setLookupTable(diverging_lut() if value_range.signed else positive_lut())
        self.image_item.setLevels(value_range.levels)
        self.view_box.addItem(self.image_item)
        self._hover = outline_item(WINDOW, 2)
        self.view_box.addItem(self._hover)
        self.clear_values()
        self.set_data_range(0, self.cols, 0, self.rows)
        self.pointerMoved.connect(self._pointer_moved)
        self.pointerLeft.connect(self._left)
        self.clicked.connect(self._clicked_at)

    def _clicked_at(self, point: QPointF, _button: object) -> None:
        unit = self.grid.unit_at(point.x(), point.y())
        if unit is not None:
            self.unitClicked.emit(unit)

    def show_values(self, values: NDArray[np.float32]) -> None:
        """Show one value per unit, in order, row by row."""
        self._buffer[: self.count] = values
        self.image_item.setImage(self._buffer.reshape(self.rows, self.cols), autoLevels=False)

    def clear_values(self) -> None:
        """Every cell at zero."""
        self.show_values(np.zeros(self.count, dtype=np.float32))

    @property
    def values(self) -> NDArray[np.float32]:
        """The values shown."""
        return self._buffer[: self.count]

    def _pointer_moved(self, point: QPointF) -> None:
        unit = self.grid.unit_at(point.x(), point.y())
        if unit is None:
            self._left()
            return
        self._hover.setRect(QRectF(*self.grid.cell_box(unit)))
        self._hover.setVisible(True)
        self.unitHovered.emit(unit)

    def _left(self) -> None:
        self._hover.setVisible(False)
        self.hoverLeft.emit()
