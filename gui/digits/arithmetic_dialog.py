"""ArithmeticDialog: the arithmetic of a dense unit or of the answer, as the engine wrote it.

A window beside the lab (not modal) that the lab refills whenever the drawing changes, so a
student can draw and watch the sum and the softmax change. The text is the engine's
(``LabState.arithmetic_text``), shown as plain text in a fixed-width font so that its columns
line up.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QVBoxLayout, QWidget

from gui.widgets import caption_label

WIDTH, HEIGHT = 760, 620
TEXT_POINTS = 11


class ArithmeticDialog(QDialog):
    """A read-only page of arithmetic; ``show_text`` replaces it (the scroll position stays)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("How the network got this number")
        self.setModal(False)
        self.resize(WIDTH, HEIGHT)
        self.caption = caption_label(size=10)
        self.caption.setText(
            "Worked out on the current drawing: it changes as you draw. Terms are the "
            "largest weight × activation products; numbers marked … or ≈ are rounded."
        )
        self.caption.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(TEXT_POINTS)
        self.text.setFont(font)
        column = QVBoxLayout(self)
        column.addWidget(self.caption)
        column.addWidget(self.text, 1)

    def show_text(self, title: str, text: str) -> None:
        """Show ``text`` (plain) under the window title ``title``."""
        self.setWindowTitle(title)
        if text != self.text.toPlainText():
            bar = self.text.verticalScrollBar()
            position = bar.value()
            self.text.setPlainText(text)
            bar.setValue(position)
