"""BarLabels: one short text above each bar of a chart, painted by one graphics item.

A pyqtgraph ``TextItem`` per bar lays its text out as a rich-text document on every paint
(about 0.1 ms a label); ten of them cost a chart a millisecond per repaint, and the digit lab
repaints its charts on every mouse move. This item writes all the labels with
``QPainter.drawText`` (plain text) in screen pixels, centred over their bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

if TYPE_CHECKING:
    from collections.abc import Sequence

GAP_PX = 2.0  # between a bar's top and the baseline's descent


class BarLabels(pg.GraphicsObject):  # type: ignore[misc]  # pyqtgraph has no type hints
    """Texts at data points (x, y): each centred on x, its bottom ``GAP_PX`` above y.

    ``extent`` is the data rectangle (x0, y0, x1, y1) the labels stay within (the chart's
    fixed range): the item's bounding rectangle, so that it never changes the view's range.
    """

    def __init__(self, font: QFont, colour: QColor, extent: tuple[float, float, float, float]):
        super().__init__()
        self._font = QFont(font)
        self._colour = QColor(colour)
        self._texts: tuple[str, ...] = ()
        self._points: tuple[tuple[float, float], ...] = ()
        self._extent = QRectF()
        self.set_extent(extent)

    def set_extent(self, extent: tuple[float, float, float, float]) -> None:
        """The data rectangle (x0, y0, x1, y1) the labels are drawn within."""
        x0, y0, x1, y1 = extent
        self.prepareGeometryChange()
        self._extent = QRectF(x0, y0, x1 - x0, y1 - y0)
        self.update()

    def set_labels(self, texts: Sequence[str], points: Sequence[tuple[float, float]]) -> None:
        """Write ``texts[i]`` above data point ``points[i]`` (x, y); the same count of each.

        Raises:
            ValueError: ``texts`` and ``points`` differ in length.
        """
        if len(texts) != len(points):
            raise ValueError(f"{len(texts)} labels for {len(points)} points")
        texts, points = tuple(texts), tuple(points)
        if texts != self._texts or points != self._points:
            self._texts, self._points = texts, points
            self.update()

    @property
    def texts(self) -> tuple[str, ...]:
        """The labels, one per bar ("" for none)."""
        return self._texts

    def boundingRect(self) -> QRectF:
        """The chart's data rectangle the labels stay within."""
        return QRectF(self._extent)

    def paint(self, painter: QPainter, *args: object) -> None:
        """Each text centred over its point, in the font's screen pixels (not the data's)."""
        if not any(self._texts):
            return
        to_screen = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        painter.setPen(self._colour)
        metrics = QFontMetricsF(self._font)
        lift = metrics.descent() + GAP_PX
        for text, (x, y) in zip(self._texts, self._points, strict=True):
            if text:
                at = to_screen.map(QPointF(x, y))
                width = metrics.horizontalAdvance(text)
                painter.drawText(QPointF(at.x() - width / 2, at.y() - lift), text)
        painter.restore()
