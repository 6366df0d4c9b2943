"""InputPanel: "What the network sees", the prepared 28×28 input, and what the mouse is over."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.digits.prepared_view import PreparedView
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

IDLE_TEXT = (
    "Your drawing, cropped, scaled to 20 × 20 and centred in 28 × 28 pixels like the MNIST "
    "digits the network learnt from. Hover a feature map: the pixels it looks at light up here."
)


class InputPanel(Panel):
    """The network's input beside a caption that names whatever the mouse points at."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What the network sees", parent)
        self.view = PreparedView()
        self.info: QLabel = caption_label(IDLE_TEXT, size=10, colour="#222831")
        row = QHBoxLayout()
        row.addWidget(self.view, 3)
        row.addWidget(self.info, 2)
        self.body.addLayout(row)

    def show_info(self, text: str | None) -> None:
        """Describe what the mouse is over; None: the usual explanation."""
        self.info.setText(IDLE_TEXT if text is None else text)
