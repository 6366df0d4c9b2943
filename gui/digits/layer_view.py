"""LayerView: the common ground of the digit lab's pictures, a still pyqtgraph view.

A white, non-interactive view (no pan, zoom or menu) that reports where the mouse is in data
coordinates, lets the wheel scroll the page it sits in, and keeps its height in proportion to
its width.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsRectItem, QSizePolicy

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QColor, QResizeEvent, QWheelEvent
    from PySide6.QtWidgets import QWidget

VIEW_BACKGROUND = "#ffffff"


class LayerView(pg.GraphicsView):  # type: ignore[misc]  # pyqtgraph has no type hints
    """A view box showing data in its own coordinates; subclasses add the items.

    ``aspect`` is height / width of the content; ``max_height`` caps the height the view asks
    for (0: no cap). With ``lock_aspect`` a data unit is as wide as it is high (pictures).
    """

    pointerMoved = Signal(QPointF)
    """The mouse moved over the view; the point is in data coordinates."""
    pointerLeft = Signal()
    """The mouse left the view."""
    clicked = Signal(QPointF, object)
    """A mouse button was clicked at this data point; the object is the Qt.MouseButton."""

    def __init__(
        self,
        *,
        aspect: float,
        max_height: int = 0,
        min_height: int = 24,
        invert_y: bool = True,
        lock_aspect: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, background=VIEW_BACKGROUND)
        self.aspect = aspect
        self.max_height = max_height
        self.min_height = min_height
        self.view_box = pg.ViewBox(
            lockAspect=lock_aspect, enableMouse=False, enableMenu=False, invertY=invert_y
        )
        self.view_box.setDefaultPadding(0.0)
        self._data_range = (0.0, 1.0, 0.0, 1.0)
        self.view_box.sigResized.connect(self._apply_data_range)
        self.setCentralItem(self.view_box)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(min_height)
        self.scene().sigMouseMoved.connect(self._moved)
        self.scene().sigMouseClicked.connect(self._clicked)

    def set_data_range(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """The data rectangle the view shows, exactly (no padding, no auto range)."""
        self._data_range = (x0, x1, y0, y1)
        self._apply_data_range()

    def _apply_data_range(self) -> None:
        # Again after every resize: with a locked aspect the view box only ever widens its
        # range, so a view that grew taller would keep showing its picture small.
        x0, x1, y0, y1 = self._data_range
        self.view_box.disableAutoRange()
        self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)

    def preferred_height(self, width: int) -> int:
        """The height for ``width``: the content's aspect, within the view's limits."""
        height = round(width * self.aspect)
        if self.max_height:
            height = min(height, self.max_height)
        return max(self.min_height, height)

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        """Keep the height in proportion to the new width."""
        super().resizeEvent(ev)
        if ev is not None:  # None: pyqtgraph's own call while it is being set up
            self.fit_height()

    def fit_height(self) -> None:
        """Take the height that suits the current width."""
        height = self.preferred_height(self.width())
        if height != self.height():
            self.setFixedHeight(height)
            # Qt sends no nested resize event: catch up here, the scroll area's viewport
            # (re-laid by setViewportMargins) and pyqtgraph's view (its resizeEvent).
            self.setViewportMargins(0, 0, 0, 0)
            super().resizeEvent(None)

    def set_max_height(self, height: int) -> None:
        """Cap the height the view asks for, and take the height that suits it."""
        self.max_height = height
        self.fit_height()

    def wheelEvent(self, ev: QWheelEvent) -> None:
        """Let the page scroll: the picture does not zoom."""
        ev.ignore()  # the page scrolls; the picture does not zoom

    def leaveEvent(self, ev: QEvent | None) -> None:
        """Report that the mouse left the view."""
        super().leaveEvent(ev)
        self.pointerLeft.emit()

    def _moved(self, scene_pos: QPointF) -> None:
        self.pointerMoved.emit(self.view_box.mapSceneToView(scene_pos))

    def _clicked(self, event: object) -> None:
        scene_pos = event.scenePos()  # type: ignore[attr-defined]
        button = event.button()  # type: ignore[attr-defined]
        self.clicked.emit(self.view_box.mapSceneToView(scene_pos), button)


def outline_item(colour: QColor, width: float) -> QGraphicsRectItem:
    """A hidden rectangle outline, drawn above the data at a constant screen width."""
    item = QGraphicsRectItem()
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    item.setPen(pen)
    item.setZValue(10)
    item.setVisible(False)
    return item
