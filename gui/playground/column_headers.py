"""Column captions that stay in view over a scrolling grid of maps.

When the feature maps scroll down to the third filter, the captions ("Convolution ÷ 9",
"ReLU", "Max pool 2×2") must not scroll away with the first row. :class:`ColumnHeaders` sits in
a margin at the top of the scroll area, above its viewport, and places one caption over each
column of the content's grid layout, following it sideways when the content scrolls
horizontally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QWidget
from shiboken6 import isValid

from gui.widgets import caption_label

if TYPE_CHECKING:
    from collections.abc import Mapping


class ColumnHeaders(QWidget):
    """Captions over the columns of ``layout`` (the grid inside ``area``), always in view."""

    def __init__(self, area: QScrollArea, layout: QGridLayout) -> None:
        super().__init__(area)
        self._area = area
        self._layout = layout
        self._labels: dict[int, QLabel] = {}
        self._widths: dict[int, int] = {}  # columns' least widths asked for (beyond words)
        self._pending = False
        area.horizontalScrollBar().valueChanged.connect(self.schedule)
        area.installEventFilter(self)
        self._viewport = area.viewport()
        self._viewport.installEventFilter(self)  # a scroll bar appears: the viewport narrows
        content = area.widget()
        if content is not None:
            content.installEventFilter(self)

    def label(self, column: int) -> QLabel:
        """The caption over ``column`` of the grid layout, made when first needed."""
        if column not in self._labels:
            label = caption_label(size=10, colour="#222831")
            label.setParent(self)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
            label.installEventFilter(self)
            self._labels[column] = label
            self.schedule()
        return self._labels[column]

    def set_widths(self, widths: Mapping[int, int]) -> None:
        """Keep these columns at least this wide (pixels): room for their captions.

        A column is never narrower than its caption's longest word either.
        """
        if dict(widths) != self._widths:
            self._widths = dict(widths)
            self.schedule()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Place the captions again when the area, the content or a caption changed.

        At once when the viewport resized (the layouts have settled by then), else once the
        layouts have settled. Never consumes the event.
        """
        if not isValid(self._area):
            return False  # the panel is being destroyed
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.place()
        elif event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Move,
            QEvent.Type.LayoutRequest,
            QEvent.Type.Show,
            QEvent.Type.Hide,
            QEvent.Type.FontChange,
        ):
            self.schedule()
        return False

    def schedule(self) -> None:
        """Place the captions once the layouts have settled (several changes: one placing)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.place)

    def place(self) -> None:
        """Reserve the captions' height above the viewport and put each over its column."""
        self._pending = False
        if not isValid(self._area):
            return
        content = self._area.widget()
        if content is None:
            return
        shown = {c: label for c, label in self._labels.items() if not label.isHidden()}
        for column, label in self._labels.items():  # as wide as asked, and as its longest word
            words = label.minimumSizeHint().width() if column in shown else 0
            least = max(words, self._widths.get(column, 0)) if column in shown else 0
            if self._layout.columnMinimumWidth(column) != least:
                self._layout.setColumnMinimumWidth(column, least)
        widths = {c: self._column_width(c) for c in shown}
        height = max(
            (label.heightForWidth(widths[c]) for c, label in shown.items() if widths[c] > 0),
            default=0,
        )
        margins = self._area.viewportMargins()
        if margins.top() != height:
            self._area.setViewportMargins(margins.left(), height, margins.right(), margins.bottom())
        viewport = self._area.viewport().geometry()
        self.setGeometry(viewport.x(), viewport.y() - height, viewport.width(), height)
        for column, label in shown.items():
            cell = self._layout.cellRect(self._row(), column)
            x = content.x() + cell.x()
            label.setGeometry(x, 0, max(cell.width(), 1), height)
        self.raise_()

    def _row(self) -> int:
        """A row of maps, whose cells give the columns' places (row 0 holds no widget)."""
        return 1 if self._layout.rowCount() > 1 else 0

    def _column_width(self, column: int) -> int:
        return int(self._layout.cellRect(self._row(), column).width())
