"""ProblemPanel: what the lab shows instead of its results when it has no model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from gui.widgets import Panel, caption_label


class ProblemPanel(Panel):
    """Shown instead of the results when no model could be loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No model", parent)
        self.text = caption_label(size=12, colour="#8a1c1c")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # messages name files, which are text
        self.open_button = QPushButton("Open a model…")
        self.body.addWidget(self.text)
        self.body.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addStretch(1)

    def show_text(self, problem: str) -> None:
        """Say why there is no model (the problem is shown as plain text)."""
        self.text.setText(
            f"The lab could not load its model:\n\n{problem}\n\nDrawing still works; "
            "open an image classifier (ONNX, or Keras .keras/.h5) to see its answer and its "
            "layers."
        )
