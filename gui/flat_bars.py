"""FlatBars: pyqtgraph's bar chart item, for bars without an outline, measured once per change.

``pg.BarGraphItem`` pads its bounding rectangle by half its pen's width in pixels, and by half
a pixel when it has no pen at all; it finds the size of a pixel by mapping through the view
on each call to ``boundingRect``, which the scene makes about 16 times per repaint of a chart
(a third of a millisecond for the digit lab's two probability charts; issue 11). Bars drawn
without a pen paint nothing outside their data rectangles, and the view already widens every
repainted area by two pixels for antialiasing (``QGraphicsView``'s default), so FlatBars pads
nothing: its bounding rectangle is the bars' data bounds, the same as pyqtgraph's without the
half pixel. A bar chart with an outline must use ``pg.BarGraphItem``.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt


class FlatBars(pg.BarGraphItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """``pg.BarGraphItem`` without a pen: no pixel padding around the bars (same API).

    Raises:
        ValueError: A pen other than none (``pen=None``, ``pg.mkPen(None)``), or ``pens``.
    """

    def __init__(self, **opts: Any) -> None:
        super().__init__(**{"pen": None, **opts})

    def setOpts(self, **opts: Any) -> None:
        """The options of ``pg.BarGraphItem.setOpts``.

        Raises:
            ValueError: A pen other than none, or ``pens``.
        """
        outlined = "pen" in opts and pg.mkPen(opts["pen"]).style() != Qt.PenStyle.NoPen
        if outlined or opts.get("pens") is not None:
            raise ValueError("FlatBars draws bars without an outline: give pen=None")
        super().setOpts(**opts)

    def pixelPadding(self) -> float:
        """No padding: bars without a pen paint only inside their data rectangles."""
        return 0.0
