"""InputPanel: "What the network sees": the model's input, what the mouse is over, and how.

How the input is prepared (range, ink, fit) is the ``InputSetup`` under the picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.digits.input_setup import InputSetup
from gui.digits.prepared_view import PreparedView
from gui.plain_text import escaped
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

DIGIT_TEXT = (
    "Your drawing, cropped, scaled to 20 × 20 and centred in 28 × 28 pixels like the MNIST "
    "digits the network learnt from. Hover a feature map: the pixels it looks at light up here."
)
PICTURE_TEXT = (
    "Your picture fitted to the model's {size} input. Hover a feature map: the pixels it looks "
    "at light up here."
)


class InputPanel(Panel):
    """The network's input beside a caption that names whatever the mouse points at."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What the network sees", parent)
        self.view = PreparedView()
        self.idle_text = DIGIT_TEXT
        self.info: QLabel = caption_label(escaped(self.idle_text), size=10, colour="#222831")
        # Rich text: the hover text's numbers and names in bold; every outside text is escaped.
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.setup = InputSetup()
        row = QHBoxLayout()
        row.addWidget(self.view, 3)
        row.addWidget(self.info, 2)
        self.body.addLayout(row)
        self.body.addWidget(self.setup)

    def set_input(self, shape: tuple[int, ...], *, digits: bool, size: str) -> None:
        """A model's input: (H, W) or (H, W, C).

        ``digits`` for a digit model; ``size`` as the caption says it ("32×32×3").
        """
        self.view.set_input((shape[0], shape[1]), ink=digits)
        self.idle_text = DIGIT_TEXT if digits else PICTURE_TEXT.format(size=size)
        self.info.setText(escaped(self.idle_text))

    def show_info(self, markup: str | None) -> None:
        """Describe what the mouse is over; None: the usual explanation.

        ``markup`` is rich text whose every run of outside text is escaped (names come from
        the model file).
        """
        self.info.setText(escaped(self.idle_text) if markup is None else markup)
