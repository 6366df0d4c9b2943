"""CachedAxis: a pyqtgraph axis kept as a picture in the window's pixels (training lab, digit lab).

A chart repaints every item its changed region touches, and an axis touches the plot (its
ticks reach inside, and the view widens every repainted area by a pixel or two): each new set
of bars or point of a curve replayed the axes' recorded drawing, text included (0.1 ms an
axis; the digit lab's two probability charts replayed four axes on every mouse move).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

if TYPE_CHECKING:
    from PySide6.QtGui import QPicture


class CachedAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """An axis kept as a picture in the window's pixels, redrawn only when it changes.

    An axis with a grid covers the whole plot, so every new point of a curve repainted every
    axis (its ticks, labels and grid lines: half the time a plot takes to paint); Qt's
    device-coordinate cache (QGraphicsItem.setCacheMode) blits an unchanged axis instead.
    pyqtgraph marks its own drawing out of date by setting `picture` to None, in some places
    (a new size, a new text width) without asking to be repainted, which a cached axis then
    never was: here every such change also invalidates Qt's cache (update()).
    """

    def __init__(self, orientation: str, **options: object) -> None:
        super().__init__(orientation, **options)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def picture(self) -> QPicture | None:
        """Pyqtgraph's recording of the axis's drawing (None: to be drawn again)."""
        return self._recorded

    @picture.setter
    def picture(self, recorded: QPicture | None) -> None:
        self._recorded = recorded
        if recorded is None:
            self.update()
