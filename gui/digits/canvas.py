"""DrawingCanvas: draw a digit with the mouse, a pen or a finger; smooth round strokes.

Strokes are painted into a QImage backing store (see ``canvas_image``), one new segment per
move, and only the segment's area of the widget is repainted. The canvas knows nothing about
the network: it says when its ink changed and hands out the ink as numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPointingDevice
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.digits.canvas_edit import CanvasChange
from gui.digits.canvas_image import (
    CANVAS_SIZE,
    INK,
    OVERSAMPLE,
    PAPER,
    blank_paper,
    ink_into,
    ink_of,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtGui import (
        QMouseEvent,
        QPaintEvent,
        QTabletEvent,
        QTouchEvent,
    )

DEFAULT_PEN_WIDTH = 22  # logical pixels: a digit drawn 200 px tall gets MNIST-like 2-px strokes
MIN_PEN_WIDTH, MAX_PEN_WIDTH = 4, 60
BACKGROUND = QColor(238, 241, 246)
BORDER = QColor(190, 197, 208)
HINT = QColor(160, 167, 178)
MARGIN = 4  # widget pixels around the paper


class DrawingCanvas(QWidget):
    """A square sheet of paper to draw on; the left button (pen, finger) draws, the right erases.

    Emits ``inkChanged`` for every change and ``strokeFinished`` with a ``CanvasChange`` when a
    stroke ends, so that the owner can make it undoable.
    """

    inkChanged = Signal()
    """The drawing changed: a stroke segment, a pasted area, or a new picture."""
    strokeFinished = Signal(object)
    """A stroke ended; the object is its ``CanvasChange`` (the touched area before and after)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = blank_paper()
        self._ink: NDArray[np.float32] | None = None  # the image's ink, but for _stale
        self._stale = QRect()  # device pixels changed since _ink was brought up to date
        self._before: QImage | None = None
        self._touched = QRectF()
        self._last: QPointF | None = None
        self._pen = QPen()
        self._hint = "Draw a digit here"
        self._origin: object = None
        self._stroke_origin: object = None
        self.pen_width = float(DEFAULT_PEN_WIDTH)
        self.eraser = False
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.setToolTip("Draw with the left button, a pen or a finger; the right button erases")

    # ----- the drawing ---------------------------------------------------------------------
    @property
    def image(self) -> QImage:
        """The backing store (do not paint on it; use the canvas's methods)."""
        return self._image

    def ink(self) -> NDArray[np.float32]:
        """The drawing as a 2-D float32 canvas: ink 1.0 on paper 0.0 (``canvas_image.ink_of``).

        A new read-only array each time (the lab's state keeps it without copying). The canvas
        keeps the ink of its image up to date where strokes changed it, and copies that.
        """
        if self._ink is None:
            self._ink = np.array(ink_of(self._image))  # writable: ours to bring up to date
        elif not self._stale.isEmpty():
            ink_into(self._ink, self._image, self._stale)
        self._stale = QRect()
        ink = self._ink.copy()
        ink.flags.writeable = False
        return ink

    def _changed(self, area: QRect | None = None) -> None:
        """The image changed in ``area`` (device pixels; None: a new image or all of it)."""
        if area is None:
            self._ink = None
        else:
            self._stale = self._stale.united(area)

    @property
    def origin(self) -> object:
        """What the current picture was made from, as given to ``replace``; None once edited.

        The canvas does not look at it: its owner uses it to tell an unedited picture (e.g. an
        opened file) from a drawing.
        """
        return self._origin

    @property
    def drawing(self) -> bool:
        """True while a stroke is in progress."""
        return self._last is not None

    def set_hint(self, text: str) -> None:
        """Text shown faintly on the paper (empty: none), e.g. while nothing is drawn."""
        if text != self._hint:
            self._hint = text
            self.update()

    def replace(self, image: QImage, origin: object = None) -> CanvasChange:
        """Show ``image`` (a backing store from ``canvas_image``) instead; returns the change.

        ``origin`` is what the picture was made from (see ``origin``).
        """
        self.cancel_stroke()
        change = CanvasChange.between(self._image, image, self._image.rect(), self._origin, origin)
        self._image = QImage(image)  # its own (shared until either is painted on)
        self._changed()
        self._origin = origin
        self.update()
        self.inkChanged.emit()
        return change

    def paste(self, area: QRect, patch: QImage, origin: object = None) -> None:
        """Put ``patch`` back at ``area`` (device pixels): how undo and redo restore pixels.

        ``origin`` is what the picture is then made from (see ``origin``).
        """
        self.cancel_stroke()
        self._origin = origin
        if area == self._image.rect():
            self._image = patch.copy()
            self._changed()
        else:
            painter = QPainter(self._image)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.drawImage(QPointF(area.topLeft()) / OVERSAMPLE, patch)
            painter.end()
            self._changed(area)
        self.update()
        self.inkChanged.emit()

    # ----- strokes -------------------------------------------------------------------------
    def begin_stroke(self, point: QPointF, *, erase: bool = False) -> None:
        """Start a stroke at ``point`` (canvas coordinates, 0..CANVAS_SIZE): a round dot."""
        self.cancel_stroke()
        self._before = self._image.copy()
        self._stroke_origin = self._origin
        self._pen = QPen(  # the eraser is as wide as the pen: a stroke erases what one drew
            PAPER if erase else INK,
            self.pen_width,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        self._touched = QRectF()
        self._last = point
        self._segment(point, point)

    def extend_stroke(self, point: QPointF) -> None:
        """Continue the stroke to ``point``: paints only the new segment."""
        if self._last is None or point == self._last:
            return
        self._segment(self._last, point)
        self._last = point

    def end_stroke(self) -> None:
        """Finish the stroke and report its change (``strokeFinished``)."""
        if self._last is None or self._before is None:
            return
        area_px = _device_pixels(self._touched).intersected(self._image.rect())
        before = self._before
        self._before = None
        self._last = None
        if not area_px.isEmpty():
            change = CanvasChange.between(before, self._image, area_px, self._stroke_origin)
            self.strokeFinished.emit(change)

    def cancel_stroke(self) -> None:
        """Forget a stroke in progress (its ink stays; it is not reported)."""
        self._before = None
        self._last = None

    def _segment(self, start: QPointF, end: QPointF) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        if start == end:
            painter.drawPoint(start)
        else:
            painter.drawLine(start, end)
        painter.end()
        self._origin = None  # the picture is edited: it is a drawing now
        half = self._pen.widthF() / 2 + 1
        segment = QRectF(start, end).normalized().adjusted(-half, -half, half, half)
        self._touched = self._touched.united(segment)
        self._changed(_device_pixels(segment).adjusted(-1, -1, 1, 1))
        self.update(self._to_widget(segment).toAlignedRect().adjusted(-1, -1, 1, 1))
        self.inkChanged.emit()

    # ----- geometry ------------------------------------------------------------------------
    def paper_rect(self) -> QRectF:
        """Where the paper is shown in the widget: the largest centred square."""
        side = max(1.0, min(self.width(), self.height()) - 2.0 * MARGIN)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_canvas(self, point: QPointF) -> QPointF:
        """Widget coordinates → canvas coordinates (0..CANVAS_SIZE)."""
        paper = self.paper_rect()
        return (point - paper.topLeft()) * (CANVAS_SIZE / paper.width())

    def to_widget(self, point: QPointF) -> QPointF:
        """Canvas coordinates → widget coordinates."""
        paper = self.paper_rect()
        return point * (paper.width() / CANVAS_SIZE) + paper.topLeft()

    def _to_widget(self, rect: QRectF) -> QRectF:
        return QRectF(self.to_widget(rect.topLeft()), self.to_widget(rect.bottomRight()))

    # ----- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the paper, the drawing, its border and the hint."""
        painter = QPainter(self)
        painter.fillRect(event.rect(), BACKGROUND)
        paper = self.paper_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(paper, self._image)
        painter.setPen(QPen(BORDER, 1))
        painter.drawRect(paper.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self._hint and self._last is None:
            font = painter.font()
            font.setPointSizeF(max(11.0, paper.width() / 22))
            painter.setFont(font)
            painter.setPen(HINT)
            painter.drawText(paper, Qt.AlignmentFlag.AlignCenter, self._hint)
        painter.end()

    # ----- input: mouse, pen, touch --------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """The left button starts a stroke, the right one an erasing stroke."""
        button = event.button()
        if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            erase = self.eraser or button == Qt.MouseButton.RightButton
            self.begin_stroke(self.to_canvas(event.position()), erase=erase)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Continue the stroke in progress."""
        if self._last is not None:
            self.extend_stroke(self.to_canvas(event.position()))
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish the stroke in progress."""
        if self._last is not None:
            self.end_stroke()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen draws (its eraser end erases), with no synthesised mouse events."""
        point = self.to_canvas(event.position())
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            erase = self.eraser or event.pointerType() == QPointingDevice.PointerType.Eraser
            self.begin_stroke(point, erase=erase)
        elif kind == QEvent.Type.TabletMove:
            self.extend_stroke(point)
        elif kind == QEvent.Type.TabletRelease:
            self.extend_stroke(point)
            self.end_stroke()
        event.accept()  # no synthesised mouse events as well

    def event(self, event: QEvent) -> bool:
        """Touch events draw with the first finger; everything else as usual."""
        kind = event.type()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            self._touch(event)  # type: ignore[arg-type]
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        kind = event.type()
        points = event.points()
        if kind == QEvent.Type.TouchCancel:
            self.end_stroke()
        elif points:
            point = self.to_canvas(points[0].position())
            if kind == QEvent.Type.TouchBegin:
                self.begin_stroke(point, erase=self.eraser)
            else:
                self.extend_stroke(point)
                if kind == QEvent.Type.TouchEnd:
                    self.end_stroke()
        event.accept()


def _device_pixels(area: QRectF) -> QRect:
    """The backing store's pixels under ``area`` (canvas coordinates), all of them."""
    return QRectF(
        area.x() * OVERSAMPLE,
        area.y() * OVERSAMPLE,
        area.width() * OVERSAMPLE,
        area.height() * OVERSAMPLE,
    ).toAlignedRect()
