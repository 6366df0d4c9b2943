"""Zoom: one factor that scales every font, cell and grid of the application.

The zoom is carried by the application font: :func:`set_zoom` gives the application
``base × factor`` points, so every widget that inherits its font grows with it. Widgets whose
code gave them an explicit point size (a title of 16 points, a caption of 9) keep their
proportions through :class:`FontZoom`, an application-wide event policy that scales such a size
when the widget is polished and whenever its code sets a new one. Sizes in pixels (a grid's
largest cell, an icon) are multiplied by :func:`zoom_factor` where they are used, and widgets
that cache them listen for ``QEvent.FontChange``.

The window keeps the zoom in its settings and applies it when it is built
(``gui.main_window``); presentation mode multiplies it by :data:`PRESENTATION_SCALE`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from gui.app_events import install_policy

ZOOM_STEPS = (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0)
"""The zoom factors Zoom In and Zoom Out step through (1.0 is Actual Size)."""
PRESENTATION_SCALE = 1.25
"""How much larger presentation mode makes everything, on top of the zoom."""

_ZOOM = "cnnZoomFactor"  # application property: the factor in use
_APP_BASE = "cnnZoomAppPointSize"  # application property: the app font's size at zoom 1
_BASE = "cnnZoomBasePointSize"  # widget property: the point size its code asked for
_SHOWN = "cnnZoomShownPointSize"  # widget property: the point size the zoom gave it
_SIZE_RESOLVED = 0x2  # QFont::SizeResolved: the font's size was set explicitly


def zoom_factor() -> float:
    """The application's zoom factor (1.0 without an application or before any zoom)."""
    app = QApplication.instance()
    if app is None:
        return 1.0
    value = app.property(_ZOOM)
    return float(value) if isinstance(value, (int, float)) and value > 0 else 1.0


def scaled(pixels: float) -> int:
    """``pixels`` at the current zoom, rounded to whole pixels (at least 1)."""
    return max(1, round(pixels * zoom_factor()))


def next_step(factor: float, direction: int) -> float:
    """The zoom step after ``factor`` towards larger (``direction`` > 0) or smaller sizes.

    A factor between two steps goes to the nearer step in that direction; the smallest and
    largest steps are kept.
    """
    if direction > 0:
        return next((s for s in ZOOM_STEPS if s > factor + 1e-6), ZOOM_STEPS[-1])
    return next((s for s in reversed(ZOOM_STEPS) if s < factor - 1e-6), ZOOM_STEPS[0])


def set_zoom(factor: float) -> None:
    """Scale every font of the application (and so every cell and grid) by ``factor``.

    Raises:
        ValueError: ``factor`` is not a positive number.
        RuntimeError: There is no QApplication.
    """
    if not factor > 0:
        raise ValueError(f"a zoom factor is a positive number, got {factor}")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("zooming needs a QApplication")
    install_font_zoom(app)
    base = app.property(_APP_BASE)
    if not isinstance(base, (int, float)) or base <= 0:
        base = app.font().pointSizeF()
        app.setProperty(_APP_BASE, base)
    if abs(factor - zoom_factor()) < 1e-9 and abs(app.font().pointSizeF() - base * factor) < 0.01:
        return
    app.setProperty(_ZOOM, float(factor))
    font = app.font()
    font.setPointSizeF(base * factor)
    app.setFont(font)
    for widget in QApplication.allWidgets():
        fit_font(widget)


def fit_font(widget: QWidget) -> None:
    """Give a widget with an explicit point size that size times the zoom.

    The size its code asked for is remembered; a size the code sets later replaces it.
    Widgets that inherit their font, or whose font is sized in pixels, are left alone.
    """
    if not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
        return
    font = widget.font()
    size = font.pointSizeF()
    if size <= 0 or not font.resolveMask() & _SIZE_RESOLVED:
        return
    shown = widget.property(_SHOWN)
    base = widget.property(_BASE)
    if not isinstance(shown, float) or not isinstance(base, float) or abs(size - shown) > 0.01:
        base = size  # first seen, or the widget's code set a new size
        widget.setProperty(_BASE, base)
    target = base * zoom_factor()
    widget.setProperty(_SHOWN, target)
    if abs(target - size) > 0.01:
        font.setPointSizeF(target)
        widget.setFont(font)


class FontZoom(QObject):
    """Explicit point sizes follow the zoom (see :func:`fit_font`); routed by ``gui.app_events``.

    It looks at a widget when it is polished (before it is first shown) and when its font
    changes, so widgets made after a zoom change, and fonts set by code later, are scaled too.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the font of a polished widget or of one whose font changed; never consumes."""
        kind = event.type()
        if (kind == QEvent.Type.Polish or kind == QEvent.Type.FontChange) and isinstance(
            watched, QWidget
        ):
            fit_font(watched)
        return False


def install_font_zoom(app: QApplication) -> FontZoom:
    """The application's :class:`FontZoom`, installed once."""
    return install_policy(app, FontZoom, (QEvent.Type.Polish, QEvent.Type.FontChange))
