"""ProbabilityChart: one bar per class, the network's top answer highlighted.

The bars, highlight and percentage labels are created once per model; an update sets their
heights (``BarGraphItem.setOpts``) and texts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

from engine.network.picture_grids import axis_ticks, bars_x_range

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

BAR = QColor(150, 166, 186)
TOP = QColor(0, 150, 136)
TEXT = QColor(40, 46, 56)
AXIS = QColor(110, 118, 130)
MAX_LABELLED = 20  # more classes than this: no percentage above every bar
LABEL_POINTS = 10  # the percentages above the bars: small enough for ten of them side by side


class ProbabilityChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no type hints
    """Class probabilities as bars on a fixed 0..100 % scale, labelled with the class names."""

    def __init__(self, labels: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        self.hideButtons()
        plot = self.getPlotItem()
        font = QFont(self.font())
        font.setPointSize(12)
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setTickFont(font)
            axis.setStyle(hideOverlappingLabels=False)
            axis.setPen(pg.mkPen(AXIS))
            axis.setTextPen(pg.mkPen(TEXT))
        plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50 %"), (1.0, "100 %")]])
        plot.getAxis("left").setWidth(70)
        plot.showGrid(x=False, y=True, alpha=0.15)
        self._font = QFont(font)
        self._font.setPointSize(LABEL_POINTS)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=BAR, pen=pg.mkPen(None))
        self._top = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.7, brush=TOP, pen=pg.mkPen(None))
        plot.addItem(self._bars)
        plot.addItem(self._top)
        self._texts: list[pg.TextItem] = []
        self._values = np.zeros(0, dtype=np.float32)
        self.set_labels(labels)

    def set_labels(self, labels: tuple[str, ...]) -> None:
        """One bar per class label (for a new model)."""
        plot = self.getPlotItem()
        for item in self._texts:
            plot.removeItem(item)
        count = len(labels)
        self.labels = labels
        self._bars.setOpts(x=np.arange(count, dtype=np.float64), height=np.zeros(count))
        self._texts = []
        if count <= MAX_LABELLED:
            for i in range(count):
                text = pg.TextItem("", color=TEXT, anchor=(0.5, 1.0))
                text.setFont(self._font)
                text.setPos(float(i), 0.0)
                plot.addItem(text)
                self._texts.append(text)
        plot.getAxis("bottom").setTicks([axis_ticks(labels, MAX_LABELLED)])
        plot.setXRange(*bars_x_range(count), padding=0)
        plot.setYRange(0.0, 1.2, padding=0)
        self._values = np.zeros(count, dtype=np.float32)
        self.show_probabilities(None)

    def show_probabilities(
        self,
        probabilities: NDArray[np.float32] | None,
        top: int = 0,
        bar_labels: tuple[str, ...] = (),
    ) -> None:
        """Bar heights, bar ``top`` highlighted, a label above each bar (the engine's texts).

        None (nothing drawn) shows no bars at all.
        """
        count = len(self.labels)
        values = np.zeros(count, dtype=np.float32) if probabilities is None else probabilities
        self._values = values
        self._bars.setOpts(height=values)
        if probabilities is None or count == 0:
            self._top.setVisible(False)
            for text in self._texts:
                text.setText("")
            return
        heights = values.tolist()
        self._top.setOpts(x=[float(top)], height=[heights[top]])
        self._top.setVisible(True)
        for i, text in enumerate(self._texts):
            text.setText(bar_labels[i] if i < len(bar_labels) else "")
            text.setPos(float(i), heights[i])

    @property
    def values(self) -> NDArray[np.float32]:
        """The heights shown."""
        return self._values
