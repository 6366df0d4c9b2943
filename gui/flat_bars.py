"""FlatBars: pyqtgraph's bar chart item, for bars without an outline, measured once per change.

``pg.BarGraphItem`` pads its bounding rectangle by half its pen's width in pixels, and by half
a pixel when it has no pen at all; it finds the size of a pixel by mapping through the view
on each call to ``boundingRect``, which the scene makes about 16 times per repaint of a chart
(a third of a millisecond for the digit lab's two probability charts; issue 11). Bars drawn
without a pen paint nothing outside their data rectangles, and the view already widens every
repainted area by two pixels for antialiasing (``QGraphicsView``'s default), so FlatBars pads
nothing: its bounding rectangle is the bars' data bounds, the same as pyqtgraph's without the
half pixel. A bar chart with an outline must use ``pg.BarGraphItem``.

Bars given as centres, one width and heights from 0 (every chart of the app; new heights on
every digit-lab update, four times) are prepared by FlatBars itself, with the same numbers as
pyqtgraph's general preparation, which sorts out every way of giving bars (x0, x1, y, y0,
y1, …) and was 6 % of a digit-lab update in py-spy's samples (issue 11). Bars given another
way go through pyqtgraph's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt


def _centred(opts: dict[str, Any]) -> bool:
    """Whether ``opts`` give bars as centres, one width and heights from 0 (the usual)."""
    return (
        all(opts.get(key) is None for key in ("x0", "x1", "y", "y0", "y1"))
        and isinstance(opts.get("width"), (int, float))
        and opts.get("x") is not None
        and opts.get("height") is not None
    )


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

    def _prepareData(self) -> None:  # pyqtgraph's name; its setOpts calls it
        """``BarGraphItem._prepareData``: for centred bars its numbers spelt out, else its own."""
        if not _centred(self.opts):
            super()._prepareData()
            return
        width = self.opts["width"]
        left = np.asarray(self.opts["x"]) - width / 2.0
        right = left + width
        x0 = np.minimum(left, right, dtype=np.float64)
        x1 = np.maximum(left, right, dtype=np.float64)
        top = 0 + np.asarray(self.opts["height"])
        y0 = np.minimum(0, top, dtype=np.float64)
        y1 = np.maximum(0, top, dtype=np.float64)
        count = max(x0.size, y0.size)
        if x0.size == 0 or y0.size == 0:
            self._dataBounds = (None, None), (None, None)
            self._rectarray.resize(0)
            return
        self._dataBounds = (x0.min(), x1.max()), (y0.min(), y1.max())
        self._rectarray.resize(count)
        memory = self._rectarray.ndarray()
        memory[:, 0] = x0
        memory[:, 1] = y0
        memory[:, 2] = x1 - x0
        memory[:, 3] = y1 - y0

    def pixelPadding(self) -> float:
        """No padding: bars without a pen paint only inside their data rectangles."""
        return 0.0
