"""CurvesView: loss and accuracy while a network learns, and other runs' curves to compare.

Two pyqtgraph plots with epochs on x: the training loss and accuracy of every batch line
(faint) and smoothed (bold), the validation measures of every epoch (dots); runs chosen in the
run list are overlaid with their validation curves, one colour each, so the ladder's runs can
be seen on one chart. Items are created once and updated with `setData`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from models.training.lab_text import percent_text

if TYPE_CHECKING:
    from models.training.history import Curve, RunHistory

TRAINING = QColor(33, 102, 172)
TRAINING_RAW = QColor(33, 102, 172, 70)
VALIDATION = QColor(230, 97, 1)
TEXT = QColor(40, 46, 56)
LEGEND_BACKGROUND = QColor(255, 255, 255, 210)
FULL_RANGE = (0.0, 1.0)
TOP_RANGE = (0.9, 1.0)  # where the ladder's networks differ: 92 %, 97 %, 98 %, 99 %
OVERLAY_COLOURS = (
    QColor(27, 158, 119),
    QColor(117, 112, 179),
    QColor(231, 41, 138),
    QColor(102, 166, 30),
    QColor(166, 118, 29),
    QColor(102, 102, 102),
    QColor(217, 95, 2),
    QColor(31, 120, 180),
)


class PercentAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """An axis of fractions labelled in percent (0.9 → 90 %)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Tick labels in percent, with a decimal when the ticks are closer than 1 %."""
        decimals = 1 if spacing < 0.01 else 0
        return [percent_text(value, decimals) for value in values]


@dataclass(frozen=True, slots=True)
class Overlay:
    """A saved run drawn for comparison: its label (e.g. 'softmax · 92.1 %') and history."""

    label: str
    history: RunHistory

    @property
    def epochs(self) -> int:
        """The run's epochs (0 if its start line is missing)."""
        return self.history.start.epochs if self.history.start is not None else 0


def plot_widget(
    title: str, left: pg.AxisItem | None = None, *, legend: bool = False
) -> pg.PlotWidget:
    """A white plot with a title, epochs on x and a light grid (a legend at the bottom right)."""
    axes = {"left": left} if left is not None else {}
    plot = pg.PlotWidget(background="w", axisItems=axes)
    item = plot.getPlotItem()
    item.setTitle(title, color=TEXT, size="10pt")
    item.setLabel("bottom", "epochs")
    item.showGrid(x=True, y=True, alpha=0.15)
    if legend:
        item.addLegend(
            offset=(-8, -8), labelTextColor=TEXT, brush=LEGEND_BACKGROUND, labelTextSize="8pt"
        )
    for side in ("left", "bottom"):
        item.getAxis(side).setTextPen(pg.mkPen(TEXT))
    plot.setMenuEnabled(False)
    return plot


def set_curve(item: pg.PlotDataItem, x: object, y: object) -> None:
    """Update a curve's points (NaNs leave gaps)."""
    item.setData(x=x, y=y, connect="finite")


class CurvesView(QWidget):
    """Loss (left) and accuracy (right) against epochs, live and overlaid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = plot_widget("Loss (cross-entropy)")
        self.accuracy_plot = plot_widget("Accuracy", PercentAxis("left"), legend=True)
        self.zoom = QCheckBox("Accuracy from 90 % to 100 % only")
        self.zoom.setToolTip("Zoom in where the ladder's networks differ (92 %, 97 %, 98 %, 99 %)")
        self.zoom.toggled.connect(self._zoom_accuracy)
        self._zoom_accuracy(False)
        plots = QHBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.accuracy_plot)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.zoom, 0, Qt.AlignmentFlag.AlignRight)
        column.addLayout(plots, 1)
        self._live: dict[str, pg.PlotDataItem] = {}
        for plot, measure in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy")):
            item = plot.getPlotItem()
            self._live[f"{measure}-raw"] = item.plot(pen=pg.mkPen(TRAINING_RAW, width=1))
            self._live[f"{measure}-training"] = item.plot(
                pen=pg.mkPen(TRAINING, width=2), name="training (smoothed)"
            )
            self._live[f"{measure}-validation"] = item.plot(
                pen=pg.mkPen(VALIDATION, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=VALIDATION,
                symbolPen=None,
                name="test images (per epoch)",
            )
        self._overlays: list[tuple[pg.PlotWidget, pg.PlotDataItem]] = []
        self.overlay_labels: list[str] = []
        self._live_epochs = 0
        self._overlay_epochs = 0

    def _zoom_accuracy(self, zoomed: bool) -> None:
        low, high = TOP_RANGE if zoomed else FULL_RANGE
        self.accuracy_plot.getPlotItem().setYRange(low, high, padding=0.02)

    def show_history(self, history: RunHistory | None) -> None:
        """Draw one run's curves (None: none)."""
        if history is None:
            for item in self._live.values():
                item.setData([], [])
            self._set_epochs(live=0)
            return
        self._set_epochs(live=history.start.epochs if history.start is not None else 0)
        raw = history.training_curve()
        smooth = history.smoothed_training_curve()
        validation = history.validation_curve()
        self._draw("loss", raw, smooth, validation)
        self._draw("accuracy", raw, smooth, validation)

    def _draw(self, measure: str, raw: Curve, smooth: Curve, validation: Curve) -> None:
        set_curve(self._live[f"{measure}-raw"], raw.x, getattr(raw, measure))
        set_curve(self._live[f"{measure}-training"], smooth.x, getattr(smooth, measure))
        set_curve(self._live[f"{measure}-validation"], validation.x, getattr(validation, measure))

    def _set_epochs(self, *, live: int | None = None, overlays: int | None = None) -> None:
        """Fix the x axis to the longest run shown (a fixed axis is not redrawn per line)."""
        if live is not None:
            self._live_epochs = live
        if overlays is not None:
            self._overlay_epochs = overlays
        epochs = max(self._live_epochs, self._overlay_epochs)
        for plot in (self.loss_plot, self.accuracy_plot):
            item = plot.getPlotItem()
            if epochs:
                item.setXRange(0, epochs, padding=0.02)
            else:
                item.enableAutoRange(x=True)

    def set_overlays(self, overlays: list[Overlay]) -> None:
        """Draw these runs' validation curves (replacing the previous overlays)."""
        for plot, item in self._overlays:
            plot.getPlotItem().removeItem(item)
        self._overlays = []
        self.overlay_labels = [overlay.label for overlay in overlays]
        self._set_epochs(overlays=max((overlay.epochs for overlay in overlays), default=0))
        for index, overlay in enumerate(overlays):
            colour = OVERLAY_COLOURS[index % len(OVERLAY_COLOURS)]
            curve = overlay.history.validation_curve()
            pen = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine)
            pairs = ((self.loss_plot, curve.loss), (self.accuracy_plot, curve.accuracy))
            for plot, values in pairs:
                item = plot.getPlotItem().plot(
                    pen=pen, symbol="s", symbolSize=5, symbolBrush=colour, symbolPen=None,
                    name=overlay.label,
                )  # fmt: skip
                set_curve(item, curve.x, values)
                self._overlays.append((plot, item))

    def live_points(self, name: str) -> int:
        """How many points the live curve `name` has (e.g. "accuracy-validation")."""
        x, _ = self._live[name].getData()
        return 0 if x is None else len(x)
