"""Small shared widgets: section titles, captions, and a titled frame."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from gui.ground import Ground

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent, QShowEvent


def title_label(text: str, *, size: int = 13) -> QLabel:
    """A bold label of ``size`` points; plain text (``gui.plain_text``: titles come from files)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def caption_label(text: str = "", *, size: int = 10, colour: str = "#555d6b") -> QLabel:
    """A word-wrapped, selectable label of ``size`` points in ``colour``; plain text."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return style_caption(label, size=size, colour=colour)


def style_caption(label: QLabel, *, size: int = 10, colour: str = "#555d6b") -> QLabel:
    """Make ``label`` a caption (see :func:`caption_label`); its text format is kept."""
    font = label.font()
    font.setPointSize(size)
    label.setFont(font)
    set_text_colour(label, colour)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SteadyLabel(QLabel):
    """A plain-text label that keeps the room of the largest text it has shown.

    A label whose text changes on every update (an answer, a probability) would otherwise
    change its size hint each time, and its layout would move and resize its neighbours
    (a pyqtgraph chart beside it lays itself out again: milliseconds per update). The size
    hints and the height for a width only grow, until :meth:`reset_room` or a new font.

    A QLabel also asks its layout to recompute on every new text, however short: the whole
    window lays itself out again (0.6 ms of a digit-lab update, issue 11). A new text that fits
    the room the label has is therefore painted by the label itself, as QLabel paints plain
    text (``QStyle.drawItemText`` with the label's alignment and word wrap), and only a text
    that needs more room is given to QLabel (one relayout). A label whose text can be selected
    is always QLabel's (its text is drawn by a text document). :meth:`text` is the text shown.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._hint = QSize(0, 0)
        self._least = QSize(0, 0)
        self._tallest = 0
        self._shown = text  # the text shown; QLabel's own text holds the room
        self._remeasure = False  # True: the next text goes to QLabel (a new font, a reset)

    def text(self) -> str:
        """The text shown."""
        return self._shown

    def setText(self, text: str) -> None:
        """Show ``text``: repainted in place if it fits the label's room, else laid out."""
        if text == self._shown:
            return
        self._shown = text
        if not self._remeasure and self._fits(text):
            self.setAccessibleName(text)
            self.update()
        else:
            self._remeasure = False
            self.setAccessibleName("")
            super().setText(text)

    def _fits(self, text: str) -> bool:
        """Whether ``text`` can be painted in place: the label shows, and it fits its rectangle."""
        if not self.isVisible() or not super().text() or self.textInteractionFlags() & _EDITING:
            return False
        room = self.contentsRect()
        used = self.fontMetrics().boundingRect(room, self._flags(text), text)
        return room.contains(used)

    def _flags(self, text: str) -> int:
        """QLabel's drawing flags for ``text`` (``QLabel::paintEvent``).

        The text's own direction (that of its first strong character, as
        ``QString::isRightToLeft`` finds it) sets the visual alignment and is forced; word wrap.
        """
        direction = (
            Qt.LayoutDirection.RightToLeft
            if _right_to_left(text)
            else Qt.LayoutDirection.LeftToRight
        )
        flags = int(QStyle.visualAlignment(direction, self.alignment()))
        if self.wordWrap():
            flags |= int(Qt.TextFlag.TextWordWrap)
        if direction == Qt.LayoutDirection.RightToLeft:
            return flags | int(Qt.TextFlag.TextForceRightToLeft)
        return flags | int(Qt.TextFlag.TextForceLeftToRight)

    def paintEvent(self, event: QPaintEvent) -> None:
        """QLabel's painting, or the text shown in place of QLabel's own (see the class)."""
        if self._shown == super().text():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        self.drawFrame(painter)
        self.style().drawItemText(
            painter, self.contentsRect(), self._flags(self._shown), self.palette(),
            self.isEnabled(), self._shown, self.foregroundRole(),
        )  # fmt: skip
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A smaller label may no longer fit the text shown: QLabel takes it (and its room)."""
        super().resizeEvent(event)
        if self._shown != super().text() and not self._fits(self._shown):
            super().setText(self._shown)

    def sizeHint(self) -> QSize:
        """The largest size hint since the last reset."""
        self._hint = self._hint.expandedTo(super().sizeHint())
        return self._hint

    def minimumSizeHint(self) -> QSize:
        """The largest minimum size hint since the last reset."""
        self._least = self._least.expandedTo(super().minimumSizeHint())
        return self._least

    def heightForWidth(self, width: int) -> int:
        """The greatest height a text since the last reset needed (at any width)."""
        self._tallest = max(self._tallest, super().heightForWidth(width))
        return self._tallest

    def reset_room(self) -> None:
        """Keep only the room the current text needs."""
        self._hint, self._least, self._tallest = QSize(0, 0), QSize(0, 0), 0
        self._remeasure = True
        super().setText(self._shown)
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        """A new font (a zoom) measures again, with the text shown."""
        if event.type() == QEvent.Type.FontChange:
            self._hint, self._least, self._tallest = QSize(0, 0), QSize(0, 0), 0
            self._remeasure = True  # the room of the old texts in the new font means nothing
            if self._shown != super().text():
                super().setText(self._shown)
        super().changeEvent(event)


_EDITING = (
    Qt.TextInteractionFlag.TextSelectableByMouse
    | Qt.TextInteractionFlag.TextSelectableByKeyboard
    | Qt.TextInteractionFlag.TextEditable
)
"""A label with any of these lays its text out as a document (``QLabelPrivate``)."""


def _right_to_left(text: str) -> bool:
    """Whether the first strongly directional character of ``text`` is right-to-left."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def set_text_colour(widget: QWidget, colour: str) -> None:
    """Write ``widget``'s text in ``colour`` (a Qt colour name such as "#555d6b").

    Through the palette, not a style sheet: a style sheet makes Qt draw and measure the widget
    through its style-sheet engine, several times slower, and restyling it polishes it again.
    """
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    palette.setColor(QPalette.ColorRole.Text, QColor(colour))
    widget.setPalette(palette)


PANEL_GROUND = QColor("#ffffff")
PANEL_BORDER = QColor("#d7dce4")
PANEL_RADIUS = 6.0


class Panel(QFrame):
    """A titled, lightly framed area of the window: white, a 1-pixel gray rounded border.

    The frame is painted by :meth:`paintEvent`, not a style sheet: a style sheet on a panel
    makes Qt draw and measure every widget inside it through its style-sheet engine, which
    cost the digit lab and the playground milliseconds on every update.
    """

    PAINTED_GROUND = PANEL_GROUND
    """What :meth:`paintEvent` paints beneath the children (``gui.ground``)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.setContentsMargins(1, 1, 1, 1)  # the border's pixel
        self.title = title_label(title)
        self.title.setWordWrap(True)  # a narrow panel wraps its title rather than cutting it
        self.title_bar = QHBoxLayout()
        self.title_bar.setContentsMargins(0, 0, 0, 0)
        self.title_bar.addWidget(self.title, 1)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(6)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        outer.addLayout(self.title_bar)
        outer.addLayout(self.body, 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The white ground and the rounded border."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(PANEL_BORDER)
        painter.setBrush(PANEL_GROUND)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.drawRoundedRect(rect, PANEL_RADIUS, PANEL_RADIUS)
        painter.end()

    def add_title_widget(self, widget: QWidget) -> None:
        """Put a small widget (a button) at the right end of the title's row."""
        self.title_bar.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)


MEASURED = 32
"""How many text measurements a :class:`StaticText` remembers."""


class StaticText(QWidget):
    """Text that changes often without moving anything: it paints itself and keeps its size.

    A QLabel asks its layout to recompute on every setText, which relayouts the whole window;
    the step panel changes its text on every animation step, so it uses this instead. The text
    wraps at word boundaries and is never cut. A text longer than ``lines`` lines is written
    smaller (down to ``min_point_size``); one that still does not fit makes the widget's
    minimum height grow (one relayout), and the widget keeps that room for the texts that
    follow, so that stepping does not make the layout jump. :meth:`reset_room` gives the room
    back (e.g. for a new set-up); a new width or font measures it again.

    With ``max_point_size``, a text that has more room than it needs is written larger, up to
    that size: the largest size at which every text shown since the last reset fits the
    widget (so the size does not jump from step to step; a longer text makes it smaller, a
    reset or a new size measures again). The room asked for stays that of ``point_size``.
    """

    def __init__(
        self,
        lines: int = 1,
        *,
        point_size: int = 10,
        min_point_size: int | None = None,
        max_point_size: int | None = None,
        bold: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ground = Ground()  # opaque on a flat ground: steps repaint no panel beneath
        self._text = ""
        self._tallest = ""  # the text that needed the most room since the last reset
        self._lines = lines
        self._shrink = (min_point_size or point_size) / point_size
        self._grow = (max_point_size or point_size) / point_size
        self._ceiling = 0.0  # points: what the texts since the last reset fit at (0: unknown)
        font = QFont(self.font())
        font.setPointSize(point_size)
        font.setBold(bold)
        self.setFont(font)
        self._shown_font = QFont(font)
        self._measured: dict[tuple[str, str, int], QRect] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._colour = QColor(34, 40, 49)
        self._fit_room()

    def setText(self, text: str) -> None:
        """Show ``text`` (repaints only when it changes; relayouts only if it needs more room)."""
        if text != self._text:
            self._text = text
            if self.text_height(text) > self.text_height(self._tallest):
                self._tallest = text
                self._fit_room()
            self._shown_font = self._grown(text)
            self.update()

    def text(self) -> str:
        """The text shown."""
        return self._text

    def shown_font(self) -> QFont:
        """The font the text is written in (smaller than the widget's for a long text)."""
        return QFont(self._shown_font)

    def reset_room(self) -> None:
        """Keep only the room the current text needs (the next taller text grows it again)."""
        self._tallest = self._text
        self._fit_room()
        self._measure_again()

    def text_height(self, text: str, width: int | None = None) -> int:
        """The height in pixels ``text`` needs at ``width`` (default: the widget's).

        In the largest font that keeps it within ``lines`` lines, else in the smallest.
        """
        return self._measure(text, self._font_for(text, width), width).height() + 4

    def fits(self) -> bool:
        """Whether the text shown fits the widget's current size (nothing is cut)."""
        used = self._measure(self._text, self._shown_font, None)
        return used.height() + 4 <= self.height() and used.width() <= max(self.width() - 4, 1)

    def _budget(self) -> int:
        return QFontMetrics(self.font()).lineSpacing() * self._lines

    def _measure(self, text: str, font: QFont, width: int | None) -> QRect:
        """The rectangle ``text`` wraps into in ``font`` at ``width`` (default: the widget's).

        Remembered for the last ``MEASURED`` texts: a new text is measured against the tallest
        one and again for its font size, and each measurement lays the text out (60 µs).
        """
        if not text:
            return QRect()
        inner = max((self.width() if width is None else width) - 4, 1)
        key = (text, font.key(), inner)
        known = self._measured.get(key)
        if known is None:
            known = self._bounding(text, font, inner)
            if len(self._measured) >= MEASURED:
                del self._measured[next(iter(self._measured))]  # the oldest
            self._measured[key] = known
        return QRect(known)

    def _bounding(self, text: str, font: QFont, inner: int) -> QRect:
        flags = int(Qt.TextFlag.TextWordWrap)
        return QFontMetrics(font).boundingRect(0, 0, inner, 100000, flags, text)

    def _font_for(self, text: str, width: int | None = None) -> QFont:
        """The widget's font, or a smaller one (not below the minimum) that fits the lines."""
        font = QFont(self.font())
        if self._shrink >= 1 or self._measure(text, font, width).height() <= self._budget():
            return font
        largest = font.pointSizeF()
        smallest = largest * self._shrink
        points = largest
        while points > smallest:
            points = max(points - 0.5, smallest)
            font.setPointSizeF(points)
            if self._measure(text, font, width).height() <= self._budget():
                break
        return font

    def _grown(self, text: str) -> QFont:
        """The font ``text`` is shown in: :meth:`_font_for`'s, or larger if the widget has room.

        Never larger than what the texts since the last reset fit at (``_ceiling``).
        """
        font = self._font_for(text)
        points = font.pointSizeF()
        largest = self.font().pointSizeF() * self._grow
        if largest <= points or not text:
            return font
        if self._ceiling <= 0:
            self._ceiling = largest
        self._ceiling = self._largest_fitting(text, points, self._ceiling)
        font.setPointSizeF(max(points, self._ceiling))
        return font

    def _largest_fitting(self, text: str, smallest: float, largest: float) -> float:
        """The largest point size (in half points) at which ``text`` fits the widget."""
        font = QFont(self.font())
        room_width, room_height = max(self.width() - 4, 1), self.height() - 4

        def fits(points: float) -> bool:
            font.setPointSizeF(points)
            used = self._measure(text, font, None)
            return used.height() <= room_height and used.width() <= room_width

        if largest <= smallest or fits(largest):
            return max(largest, smallest)  # the usual case while stepping: one measurement
        low, high = 0, int((largest - smallest) * 2)  # half points above the smallest
        while low < high:
            middle = (low + high + 1) // 2
            if fits(smallest + middle / 2):
                low = middle
            else:
                high = middle - 1
        return smallest + low / 2

    def _measure_again(self) -> None:
        """A new size or reset: the size the texts grow to is measured again."""
        self._ceiling = 0.0
        if self._tallest and self._tallest != self._text:
            self._grown(self._tallest)
        self._shown_font = self._grown(self._text)
        self.update()

    def _fit_room(self) -> None:
        lines = self._budget() + 4
        needed = max(lines, self.text_height(self._tallest), self.text_height(self._text))
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Another width wraps the texts differently: measure the room again."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_room()
        self._measure_again()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (perhaps in a new place): find the ground beneath again (``gui.ground``)."""
        self._ground.find(self)
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """Another font (a zoom) needs other room; another palette or style, the ground."""
        self._ground.watch(self, event)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_room()
            self._measure_again()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the ground (``gui.ground``), then the text, wrapped, from the top left."""
        painter = QPainter(self)
        self._ground.fill(painter, event.rect())
        painter.setPen(self._colour)
        painter.setFont(self._shown_font)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(self.rect().adjusted(2, 2, -2, -2), int(flags), self._text)
        painter.end()
