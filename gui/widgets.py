"""Small shared widgets: section titles, captions, and a titled frame."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def title_label(text: str, *, size: int = 13) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def caption_label(text: str = "", *, size: int = 10, colour: str = "#555d6b") -> QLabel:
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
