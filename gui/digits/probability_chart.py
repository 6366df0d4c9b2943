"""ProbabilityChart: one bar per class, the network's top answer highlighted.

The bars, highlight and percentage labels are created once per model; an update sets their
heights (``BarGraphItem.setOpts``) and texts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont

from engine.network.picture_grids import BarScale, axis_ticks, bars_x_range
from gui.cached_axis import CachedAxis
from gui.digits.bar_labels import BarLabels
from gui.flat_bars import FlatBars

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtWidgets import QWidget

BAR = QColor(150, 166, 186)
TOP = QColor(0, 150, 136)
TEXT = QColor(40, 46, 56)
AXIS = QColor(110, 118, 130)
GRID = QColor(233, 234, 236)  # the axis colour at 15 % on white (as pyqtgraph's grid was)
MAX_LABELLED = 20  # more classes than this: no percentage above every bar
LABEL_POINTS = 10  # the percentages above the bars: small enough for ten of them side by side
LABEL_ROOM = 1.2  # the y range: 100 % and the room for a label above a full bar


class ProbabilityChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no type hints
    """Class probabilities as bars on a fixed 0..100 % scale, labelled with the class names."""

    barClicked = Signal(int)
    """The user clicked the column of class k's bar."""

    def __init__(self, labels: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        # Axes kept as pictures: the bars and their labels touch them, and replaying their
        # drawing on every update took 0.1 ms an axis (gui.cached_axis).
        axes = {"left": CachedAxis("left"), "bottom": CachedAxis("bottom")}
        super().__init__(parent, background="w", axisItems=axes)
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
        # The 50 % and 100 % lines as two items, not the axis's grid: a grid makes the axis
        # as large as the plot, and every new set of bars would repaint the axis and its text.
        for level in (0.5, 1.0):
            plot.addItem(pg.InfiniteLine(level, angle=0, pen=pg.mkPen(GRID), movable=False))
        self._font = QFont(font)
        self._font.setPointSize(LABEL_POINTS)
        self._bars = FlatBars(x=[], height=[], width=0.7, brush=BAR)
        self._top = FlatBars(x=[0.0], height=[0.0], width=0.7, brush=TOP)
        plot.addItem(self._bars)
        plot.addItem(self._top)
        self._labels = BarLabels(self._font, TEXT, (-0.5, 0.0, 0.5, LABEL_ROOM))
        plot.addItem(self._labels)
        self._values = np.zeros(0, dtype=np.float32)
        self.set_labels(labels)
        self.scene().sigMouseClicked.connect(self._clicked)

    def set_labels(self, labels: tuple[str, ...]) -> None:
        """One bar per class label (for a new model)."""
        plot = self.getPlotItem()
        count = len(labels)
        self.labels = labels
        self._bars.setOpts(x=np.arange(count, dtype=np.float64), height=np.zeros(count))
        plot.getAxis("bottom").setTicks([axis_ticks(labels, MAX_LABELLED)])
        x_range = bars_x_range(count)
        self._labels.set_extent((x_range[0], 0.0, x_range[1], LABEL_ROOM))
        plot.setXRange(*x_range, padding=0)
        plot.setYRange(0.0, LABEL_ROOM, padding=0)
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
            self._labels.set_labels((), ())
            return
        heights = values.tolist()
        self._top.setOpts(x=[float(top)], height=[heights[top]])
        self._top.setVisible(True)
        if count <= MAX_LABELLED:
            texts = [bar_labels[i] if i < len(bar_labels) else "" for i in range(count)]
            self._labels.set_labels(texts, [(float(i), h) for i, h in enumerate(heights)])

    @property
    def bar_texts(self) -> tuple[str, ...]:
        """The labels written above the bars ("" for none; none at all for many classes)."""
        return self._labels.texts

    def _clicked(self, event: object) -> None:
        scene_pos = event.scenePos()  # type: ignore[attr-defined]
        point = self.getPlotItem().vb.mapSceneToView(scene_pos)
        unit = BarScale.of(len(self.labels), (0.0, 1.0), labelled=False).unit_at(point.x())
        if unit is not None:
            self.barClicked.emit(unit)

    @property
    def values(self) -> NDArray[np.float32]:
        """The heights shown."""
        return self._values
