"""How the training lab's charts are drawn: text sizes, line widths, cached axes.

Two looks: the usual one, and presentation mode's, whose text and lines are large enough to be
read from the back of a lecture room (`PRESENTATION_LOOK`: chart text 1.8 times larger, lines
twice as wide). The window's zoom scales the widgets' fonts; the charts' text is sized here, in
points, so that going back to the usual look restores exactly the sizes of before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QApplication, QWidget

from gui.cached_axis import CachedAxis
from gui.zoom import PRESENTATION_SCALE
from models.training.lab_text import percent_text

TEXT = QColor(40, 46, 56)
TITLE_POINTS = 10.0
TICK_POINTS = 10.0  # the application's font at zoom 1, which pyqtgraph's ticks use by default
TITLE_ROW_PX = 30  # pyqtgraph's title row (PlotItem.setTitle), for a 10-point title
AXES = ("left", "bottom", "right", "top")


@dataclass(frozen=True, slots=True)
class ChartLook:
    """How much larger than usual the charts' text and lines are drawn.

    Attributes:
        text: factor on every chart text's point size (titles, ticks, labels, legends).
        lines: factor on every curve's width and every marker's size.
    """

    text: float
    lines: float

    def points(self, usual: float) -> float:
        """A text's point size in this look (`usual`: its size in the usual look)."""
        return usual * self.text

    def size(self, usual: float) -> str:
        """The same as a CSS size for pyqtgraph's labels, e.g. '18pt'."""
        return f"{self.points(usual):g}pt"

    def width(self, usual: float) -> float:
        """A curve's width (or a marker's size) in pixels in this look."""
        return usual * self.lines


USUAL_LOOK = ChartLook(text=1.0, lines=1.0)
PRESENTATION_LOOK = ChartLook(text=1.8, lines=2.0)


def look_for(presenting: bool) -> ChartLook:
    """The charts' look in presentation mode (True) or out of it."""
    return PRESENTATION_LOOK if presenting else USUAL_LOOK


def set_text_points(widget: QWidget, usual: float, look: ChartLook) -> None:
    """Give a widget's text (a caption, the progress line) the size of the charts' text.

    `usual` is its point size in the usual look. The window's zoom multiplies what is set
    here (gui.zoom.FontZoom), and presentation mode's zoom is PRESENTATION_SCALE: so the
    size set is divided by it, and with the zoom the text is as large as the charts'.
    """
    points = usual if look == USUAL_LOOK else look.points(usual) / PRESENTATION_SCALE
    font = QFont(widget.font())
    font.setPointSizeF(points)
    widget.setFont(font)


def pen(colour: QColor, usual_width: float, look: ChartLook, *, dashed: bool = False) -> QPen:
    """A curve's pen in `look` (`usual_width`: its width in pixels in the usual look)."""
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    made: QPen = pg.mkPen(colour, width=look.width(usual_width), style=style)
    return made


def style_title(item: pg.PlotItem, title: str, look: ChartLook) -> None:
    """The plot's title in `look`'s size (its row as tall as the text needs)."""
    item.setTitle(title, color=TEXT, size=look.size(TITLE_POINTS))
    height = round(TITLE_ROW_PX * look.text)
    item.titleLabel.setMaximumHeight(height)
    item.layout.setRowFixedHeight(0, height)


def style_axes(item: pg.PlotItem, look: ChartLook) -> None:
    """The tick labels and axis labels of the plot in `look`'s size.

    In the usual look the ticks keep pyqtgraph's default (the application's font) and the
    labels their default style, as the charts were drawn before presentation mode.
    """
    for side in AXES:
        axis = item.getAxis(side)
        style = {key: value for key, value in axis.labelStyle.items() if key != "font-size"}
        if look == USUAL_LOOK:
            axis.setTickFont(None)
        else:
            font = QFont(QApplication.font())
            font.setPointSizeF(look.points(TICK_POINTS))
            axis.setTickFont(font)
            style["font-size"] = look.size(TICK_POINTS)
        axis.labelStyle = style  # (its colour, from setTextPen, is kept)
        if axis.labelText:
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix)


class PercentAxis(CachedAxis):
    """An axis of fractions labelled in percent (0.9 → 90 %)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Tick labels in percent, with a decimal when the ticks are closer than 1 %."""
        decimals = 1 if spacing < 0.01 else 0
        return [percent_text(value, decimals) for value in values]


def cached_axes(left: CachedAxis | None = None) -> dict[str, CachedAxis]:
    """A plot's shown axes (left and bottom), cached (`left`: the left one, if not plain).

    pyqtgraph shows every axis it is given, and makes and hides the others (top, right).
    """
    return {
        "left": left if left is not None else CachedAxis("left"),
        "bottom": CachedAxis("bottom"),
    }
