"""Until the digit lab lands: an honest page that says what will be here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class DigitLabPlaceholder(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label = QLabel(
            "<h2>Digit Lab</h2><p>Drawing digits for the trained CNN is not in this build "
            "yet.</p><p>Use the Playground tab to step through convolutions.</p>"
        )
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
