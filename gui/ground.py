"""A widget that repaints on every animation step paints the flat ground beneath it itself.

Qt repaints a widget's ancestors beneath it before the widget itself, unless the widget says
it paints every one of its pixels (``Qt.WA_OpaquePaintEvent``). An animation step changes a
few grids and the step's text; without that promise each change also repainted the panels,
splitters and scroll areas they sit in (ten paint events a step, a Python panel painting its
rounded frame among them): 0.46 ms of a 3.9 ms step (measured by switching it on and off
every 40 steps in one process; issue 11, ``benchmarks/bench_busy.py``). A :class:`Ground`
finds the one flat colour its widget's ancestors paint beneath it, when there is one, and
lets the widget fill with it and promise to be opaque; where the ground is not one flat
colour (a filter card's own painting, a style sheet, a gradient), the widget stays
transparent and Qt paints the ancestors as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QFrame, QSplitter, QStackedWidget, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter

PAINTS_NOTHING = (QWidget, QSplitter, QStackedWidget)
"""Qt classes that paint nothing beneath their children (a frame only without a frame shape)."""

WATCHED = (
    QEvent.Type.ParentChange,
    QEvent.Type.PaletteChange,
    QEvent.Type.StyleChange,
)
"""The changes after which a widget's ground is found again (:meth:`Ground.watch`; a
show calls :meth:`Ground.find` itself)."""


def flat_ground(widget: QWidget) -> QColor | None:
    """The one opaque colour ``widget``'s ancestors paint beneath it, or None.

    Walks up from the parent: a widget whose class paints a flat ground and says so (a class
    attribute ``PAINTED_GROUND`` beside its ``paintEvent``: ``gui.widgets.Panel``, whose
    layout keeps every child inside its border) paints that colour; a widget that fills its
    background (or a window) paints its palette's solid background colour; a widget of a class in
    ``PAINTS_NOTHING``, without a style sheet and without a Python ``paintEvent``, paints
    nothing, so the search goes on above it. Anything else (its own painting, a style sheet,
    a gradient, a translucent colour), or a widget with a background of its own: None.
    """
    if widget.autoFillBackground() or widget.styleSheet():
        return None  # it has a background of its own, painted before its paintEvent
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.styleSheet():
        return None  # an application style sheet may paint any widget's background
    parent = widget.parentWidget()
    while parent is not None:
        if parent.styleSheet():
            return None
        painted = _painted_ground(parent)
        if painted is not None:
            return _opaque(painted)
        if parent.autoFillBackground() or parent.isWindow():
            brush = parent.palette().brush(parent.backgroundRole())
            if brush.style() != Qt.BrushStyle.SolidPattern:
                return None
            return _opaque(brush.color())
        if not _paints_nothing(parent):
            return None
        parent = parent.parentWidget()
    return None


def _opaque(colour: QColor) -> QColor | None:
    return colour if colour.alpha() == 255 else None


def _painted_ground(widget: QWidget) -> QColor | None:
    """The ``PAINTED_GROUND`` of the Python class whose ``paintEvent`` paints ``widget``."""
    for cls in type(widget).__mro__:
        if "paintEvent" in cls.__dict__:
            ground = cls.__dict__.get("PAINTED_GROUND")
            return QColor(ground) if isinstance(ground, QColor) else None
    return None


def _paints_nothing(widget: QWidget) -> bool:
    """Whether ``widget`` paints nothing of its own beneath its children."""
    kind = type(widget)
    for cls in kind.__mro__:
        if cls.__module__.startswith(("PySide6", "shiboken6")):
            if cls not in PAINTS_NOTHING:
                return False
            break
        if "paintEvent" in cls.__dict__:
            return False  # a Python class that paints
    return not (isinstance(widget, QFrame) and widget.frameShape() != QFrame.Shape.NoFrame)


class Ground:
    """The flat ground of one widget, and its promise to Qt to paint every pixel.

    The widget calls :meth:`find` from its ``showEvent``, :meth:`watch` from its
    ``changeEvent`` (a new palette, style sheet or parent reaches every descendant), and
    :meth:`fill` first thing in its ``paintEvent``, each time passing itself. Without a flat
    ground it stays as Qt made it (not opaque) and :meth:`fill` does nothing. What sends no
    event to the descendants — an ancestor starting or stopping to fill its background, a new
    background role or frame shape, an application style sheet — must be settled before the
    widget is shown, or be followed by :meth:`find` (the app sets them when it builds its
    panels, never later).

    It keeps no reference to its widget: a widget holding an object that holds the widget is
    a reference cycle, which leaves a widget without a parent to Python's garbage collector,
    and a collection in the middle of Qt's list of widgets deletes one of them under it (the
    suite crashed so in ``QApplication.allWidgets()``).
    """

    __slots__ = ("colour",)

    def __init__(self) -> None:
        self.colour: QColor | None = None

    def find(self, widget: QWidget) -> None:
        """Find the ground again and set the widget's ``WA_OpaquePaintEvent`` to match."""
        self.colour = flat_ground(widget)
        opaque = self.colour is not None
        if widget.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent) != opaque:
            widget.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, opaque)

    def watch(self, widget: QWidget, event: QEvent) -> None:
        """Find the ground again after an event that can change it (``WATCHED``)."""
        if event.type() in WATCHED:
            self.find(widget)

    def fill(self, painter: QPainter, rect: QRect) -> None:
        """Paint the ground over ``rect`` (the paint event's rectangle), if there is one."""
        if self.colour is not None:
            painter.fillRect(rect, self.colour)
