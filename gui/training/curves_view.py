"""CurvesView: loss and accuracy while a network learns, and other runs' curves to compare.

Two pyqtgraph plots with epochs on x: the training loss and accuracy of every batch line
(faint) and smoothed (bold), the validation measures of every epoch (dots); runs chosen in the
run list are overlaid with their validation curves, one colour each, so the ladder's runs can
be seen on one chart. Items are created once and updated with `setData`, one plot at a time
(`show_measure`), and drawn downsampled to about the plot's width (pyqtgraph's automatic
'peak' downsampling) so that a long run's thousands of points cost no more to paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from gui.training.chart_style import (
    TEXT,
    USUAL_LOOK,
    PercentAxis,
    cached_axes,
    look_for,
    pen,
    style_axes,
    style_title,
)
from models.training.history import largest_loss

if TYPE_CHECKING:
    from gui.cached_axis import CachedAxis
    from models.training.history import Curve, RunHistory

Measure = Literal["loss", "accuracy"]
MEASURES: tuple[Measure, ...] = ("loss", "accuracy")
CURVE_KINDS = ("raw", "training", "validation")  # per batch line, smoothed, per epoch
TITLES: dict[Measure, str] = {"loss": "Loss (cross-entropy)", "accuracy": "Accuracy"}
LEGEND_POINTS = 8.0
RAW_WIDTH, CURVE_WIDTH, DOT_SIZE, OVERLAY_DOT_SIZE = 1.0, 2.0, 6.0, 5.0  # px, usual look

TRAINING = QColor(33, 102, 172)
TRAINING_RAW = QColor(33, 102, 172, 70)
VALIDATION = QColor(230, 97, 1)
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
    title: str, left: CachedAxis | None = None, *, legend: bool = False
) -> pg.PlotWidget:
    """A white plot with a title, epochs on x and a light grid (a legend at the bottom right)."""
    plot = pg.PlotWidget(background="w", axisItems=cached_axes(left))
    item = plot.getPlotItem()
    style_title(item, title, USUAL_LOOK)
    item.setLabel("bottom", "epochs")
    item.showGrid(x=True, y=True, alpha=0.15)
    if legend:
        item.addLegend(
            offset=(-8, -8),
            labelTextColor=TEXT,
            brush=LEGEND_BACKGROUND,
            labelTextSize=USUAL_LOOK.size(LEGEND_POINTS),
        )
    for side in ("left", "bottom"):
        item.getAxis(side).setTextPen(pg.mkPen(TEXT))
    # A long run has thousands of batch lines: draw about as many points as there are pixels
    # ('peak' keeps each stretch's extremes, so the noise band of the raw curve stays true),
    # and none outside the visible epochs.
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    plot.setMenuEnabled(False)
    return plot


def set_curve(item: pg.PlotDataItem, x: object, y: object) -> None:
    """Update a curve's points (NaNs leave gaps)."""
    item.setData(x=x, y=y, connect="finite")


class CurvesView(QWidget):
    """Loss (left) and accuracy (right) against epochs, live and overlaid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = plot_widget(TITLES["loss"])
        self.accuracy_plot = plot_widget(TITLES["accuracy"], PercentAxis("left"), legend=True)
        self.look = USUAL_LOOK
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
            self._live[f"{measure}-raw"] = item.plot()
            self._live[f"{measure}-training"] = item.plot(name="training (smoothed)")
            self._live[f"{measure}-validation"] = item.plot(
                symbol="o", symbolBrush=VALIDATION, symbolPen=None, name="test images (per epoch)"
            )
        self._style_live_curves()
        self._overlays: list[tuple[pg.PlotWidget, pg.PlotDataItem]] = []
        self.overlay_labels: list[str] = []
        self._plots: dict[Measure, pg.PlotWidget] = {
            "loss": self.loss_plot,
            "accuracy": self.accuracy_plot,
        }
        self._live_epochs: dict[Measure, int] = dict.fromkeys(MEASURES, 0)
        self._shown_epochs: dict[Measure, int] = {}
        self._overlay_epochs = 0
        self._live_losses: tuple[Curve, ...] = ()  # what the loss axis must show
        self._overlay_losses: tuple[Curve, ...] = ()
        self._loss_top: float | None = None

    def _zoom_accuracy(self, zoomed: bool) -> None:
        low, high = TOP_RANGE if zoomed else FULL_RANGE
        self.accuracy_plot.getPlotItem().setYRange(low, high, padding=0.02)

    def show_history(self, history: RunHistory | None) -> None:
        """Draw one run's curves in both plots (None: none)."""
        for measure in MEASURES:
            self.show_measure(measure, history)

    def show_measure(self, measure: Measure, history: RunHistory | None) -> None:
        """Draw one plot's curves of a run: "loss" or "accuracy" (None: none).

        One plot at a time, so that the lab can draw (and the window paint) the two plots in
        different passes of the event loop.
        """
        plot = self._plots[measure]
        if history is None:
            for kind in CURVE_KINDS:
                self._live[f"{measure}-{kind}"].setData([], [])
            self._live_epochs[measure] = 0
            self._fit_epochs(plot, measure)
            if measure == "loss":
                self._live_losses = ()
                self._fit_loss_axis()
            return
        self._live_epochs[measure] = history.start.epochs if history.start is not None else 0
        self._fit_epochs(plot, measure)
        curves = (
            history.training_curve(),
            history.smoothed_training_curve(),
            history.validation_curve(),
        )
        for kind, curve in zip(CURVE_KINDS, curves, strict=True):
            set_curve(self._live[f"{measure}-{kind}"], curve.x, getattr(curve, measure))
        if measure == "loss":
            self._live_losses = (curves[0], curves[2])  # per batch line, per epoch
            self._fit_loss_axis()

    def _fit_loss_axis(self) -> None:
        """The loss axis from 0 to the largest loss shown; set again only when that grows.

        pyqtgraph's automatic range would follow the lowest loss down, line after line, and
        redraw the axis (its ticks, labels and grid) with every redraw of the curves.
        """
        top = largest_loss((*self._live_losses, *self._overlay_losses))
        if top == self._loss_top:
            return
        self._loss_top = top
        item = self.loss_plot.getPlotItem()
        if top is None or top <= 0:
            item.enableAutoRange(y=True)
        else:
            item.setYRange(0.0, top, padding=0.02)

    def _fit_epochs(self, plot: pg.PlotWidget, measure: Measure) -> None:
        """Fix the x axis to the longest run shown (a fixed axis is not redrawn per line)."""
        epochs = max(self._live_epochs[measure], self._overlay_epochs)
        if self._shown_epochs.get(measure) == epochs:
            return
        self._shown_epochs[measure] = epochs
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
        self._overlay_epochs = max((overlay.epochs for overlay in overlays), default=0)
        for measure, plot in self._plots.items():
            self._fit_epochs(plot, measure)
        for index, overlay in enumerate(overlays):
            colour = OVERLAY_COLOURS[index % len(OVERLAY_COLOURS)]
            curve = overlay.history.validation_curve()
            pairs = ((self.loss_plot, curve.loss), (self.accuracy_plot, curve.accuracy))
            for plot, values in pairs:
                item = plot.getPlotItem().plot(
                    symbol="s", symbolBrush=colour, symbolPen=None, name=overlay.label
                )
                self._style_overlay(item, colour)
                set_curve(item, curve.x, values)
                self._overlays.append((plot, item))
        self._overlay_losses = tuple(overlay.history.validation_curve() for overlay in overlays)
        self._fit_loss_axis()

    # ----- presentation mode ---------------------------------------------------------------
    def set_presentation(self, on: bool) -> None:
        """Text and lines readable from the back of a room (`PRESENTATION_LOOK`), or as usual."""
        self.look = look_for(on)
        for measure, plot in self._plots.items():
            item = plot.getPlotItem()
            style_title(item, TITLES[measure], self.look)
            style_axes(item, self.look)
        legend = self.accuracy_plot.getPlotItem().legend
        legend.setLabelTextSize(self.look.size(LEGEND_POINTS))
        for _sample, label in legend.items:
            label.setText(label.text, size=self.look.size(LEGEND_POINTS))
        self._style_live_curves()
        for index, (_plot, item) in enumerate(self._overlays):
            colour = OVERLAY_COLOURS[(index // len(MEASURES)) % len(OVERLAY_COLOURS)]
            self._style_overlay(item, colour)

    def _style_live_curves(self) -> None:
        look = self.look
        for measure in MEASURES:
            self._live[f"{measure}-raw"].setPen(pen(TRAINING_RAW, RAW_WIDTH, look))
            self._live[f"{measure}-training"].setPen(pen(TRAINING, CURVE_WIDTH, look))
            validation = self._live[f"{measure}-validation"]
            validation.setPen(pen(VALIDATION, CURVE_WIDTH, look))
            validation.setSymbolSize(look.width(DOT_SIZE))

    def _style_overlay(self, item: pg.PlotDataItem, colour: QColor) -> None:
        item.setPen(pen(colour, CURVE_WIDTH, self.look, dashed=True))
        item.setSymbolSize(self.look.width(OVERLAY_DOT_SIZE))

    def live_points(self, name: str) -> int:
        """How many points the live curve `name` has (e.g. "accuracy-validation")."""
        x, _ = self._live[name].getData()
        return 0 if x is None else len(x)
