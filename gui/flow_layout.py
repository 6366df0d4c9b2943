"""FlowLayout: widgets side by side, wrapping onto the next row when the width runs out.

A row of tools (the input's size, channels and brush; the layer's settings) stays on one row
in a wide window and wraps in a narrow one, instead of being cut. Built like Qt's *Flow
Layout* example: the height follows the width (``heightForWidth``).

:class:`FitHeight` lets a panel inside a splitter keep the height its wrapped content needs:
splitters honour minimum sizes but not heights-for-width.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QWidget,
)
from shiboken6 import isValid

if TYPE_CHECKING:
    from collections.abc import Iterator


class FlowLayout(QLayout):
    """Items left to right in rows; a row wraps before an item that would not fit."""

    def __init__(
        self, parent: QWidget | None = None, *, spacing: int = 6, row_spacing: int = 4
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        """Append an item (``addWidget`` calls this)."""
        self._items.append(item)

    def count(self) -> int:
        """The number of items."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        """The item at ``index``, None past the end."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        """Remove and return the item at ``index`` (None past the end)."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        """A flow does not ask for more room than its rows need."""
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        """The number of rows, and so the height, depends on the width."""
        return True

    def heightForWidth(self, width: int) -> int:
        """The height of the rows at this width."""
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        """Place the items in rows within ``rect``."""
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """Every item on one row."""
        width = sum(i.sizeHint().width() for i in self._shown()) + self._spacing * max(
            len(list(self._shown())) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._shown()), default=0)
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """The widest item alone on a row."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _shown(self) -> Iterator[QLayoutItem]:
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                yield item

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = min(hint.width(), area.width())
            if x > area.x() and x + width > area.right() + 1:
                x = area.x()
                y += row_height + self._row_spacing
                row_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


def tool_group(*widgets: QWidget, spacing: int = 4) -> QWidget:
    """Widgets that stay together on one row of a flow (a caption and its box)."""
    group = QWidget()
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(spacing)
    for widget in widgets:
        row.addWidget(widget)
    group.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return group


def minimum_height_for_width(item: QLayoutItem, width: int) -> int:
    """The least height ``item`` needs at ``width`` pixels.

    Wrapped text and flows count at their height for that width, everything else at its
    minimum height.

    (Qt's own ``heightForWidth`` of a layout gives its preferred height, which would keep a
    grid of cells at its preferred size.) Vertical box layouts add their items up,
    horizontal ones take their tallest item at its current width, flows their rows, other
    layouts their minimum; a widget's layout is looked into.
    """
    if item.isEmpty():
        return 0
    widget = item.widget()
    layout = item.layout() or (widget.layout() if widget is not None else None)
    if layout is None:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return item.minimumSize().height()
    if isinstance(layout, FlowLayout):
        return layout.heightForWidth(width)
    if not isinstance(layout, QBoxLayout):  # a grid: its minimum (a widget's own, if set)
        return item.minimumSize().height() if widget is not None else layout.minimumSize().height()
    margins = layout.contentsMargins()
    inner = max(width - margins.left() - margins.right(), 1)
    children = [layout.itemAt(i) for i in range(layout.count())]
    shown = [child for child in children if child is not None and not child.isEmpty()]
    if layout.direction() in (QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop):
        spacing = max(layout.spacing(), 0) * max(len(shown) - 1, 0)
        height = sum(minimum_height_for_width(child, inner) for child in shown) + spacing
    else:
        height = max(
            (minimum_height_for_width(child, child.geometry().width() or inner) for child in shown),
            default=0,
        )
    return height + margins.top() + margins.bottom()


class FitHeight(QObject):
    """Keeps a widget's minimum height at what its content needs for its width.

    See :func:`minimum_height_for_width`.

    Installed on a panel inside a splitter, so that wrapped labels and flows are never cut:
    the splitter gives the panel at least that height.
    """

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Measure again after a resize or a change of the content; never consumes."""
        if watched is self._widget and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.LayoutRequest,
        ):
            self.fit()
        return False

    def fit(self) -> None:
        """Set the minimum height to what the layout needs at the current width."""
        widget = self._widget
        layout = widget.layout() if isValid(widget) else None
        if layout is None:
            return  # being destroyed, or nothing to measure
        frame = widget.height() - widget.contentsRect().height()  # a frame's border
        needed = minimum_height_for_width(layout, widget.contentsRect().width()) + frame
        if needed != self._widget.minimumHeight():
            self._widget.setMinimumHeight(needed)
