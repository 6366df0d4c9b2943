"""Small shared widgets: section titles, captions, and a titled frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent


def title_label(text: str, *, size: int = 13) -> QLabel:
    """A bold label of ``size`` points."""
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def caption_label(text: str = "", *, size: int = 10, colour: str = "#555d6b") -> QLabel:
    """A word-wrapped, selectable label of ``size`` points in ``colour``."""
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    label.setFont(font)
    label.setStyleSheet(f"color: {colour};")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Panel(QFrame):
    """A titled, lightly framed area of the window."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.setStyleSheet(
            "QFrame#Panel { background: #ffffff; border: 1px solid #d7dce4; border-radius: 6px; }"
        )
        self.title = title_label(title)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(6)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        outer.addWidget(self.title)
        outer.addLayout(self.body, 1)


class StaticText(QWidget):
    """Text that changes often without moving anything: it paints itself and keeps its size.

    A QLabel asks its layout to recompute on every setText, which relayouts the whole window;
    the step panel changes its text on every animation step, so it uses this instead.
    """

    def __init__(
        self,
        lines: int = 1,
        *,
        point_size: int = 10,
        bold: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._text = ""
        font = QFont(self.font())
        font.setPointSize(point_size)
        font.setBold(bold)
        self.setFont(font)
        height = QFontMetrics(font).lineSpacing() * lines + 4
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._colour = QColor(34, 40, 49)

    def setText(self, text: str) -> None:
        """Show ``text`` (repaints only when it changes; never relayouts)."""
        if text != self._text:
            self._text = text
            self.update()

    def text(self) -> str:
        """The text shown."""
        return self._text

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the text, wrapped, from the top left."""
        painter = QPainter(self)
        painter.setPen(self._colour)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(self.rect().adjusted(2, 2, -2, -2), int(flags), self._text)
        painter.end()
