"""PicturePanel: for a model that is not a digit model, the picture it classifies.

Where the digit lab has its canvas, a model of any other input (a CIFAR-10 classifier, a Tiny
VGG) gets the picture the user opened (File → Open Image, the button, or dropped on the lab),
shown whole; "What the network sees" shows it fitted to the model's input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from gui.digits.prepared_view import PreparedView
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from numpy.typing import NDArray

HINT = (
    "This model classifies pictures of {size} pixels. Open a picture (PNG, JPEG…) or drop "
    "one here: it is fitted to the model's input as chosen below."
)
EMPTY_SHAPE = (3, 4)
VIEW_MAX_HEIGHT = 200  # the stack of input pages is as tall as its tallest page


class PicturePanel(Panel):
    """The opened picture, an Open button and what to do; no drawing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Open a picture", parent)
        self.hint = caption_label(size=10)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Classify a photo or a picture (PNG, JPEG…)")
        self.clear_button = QPushButton("Clear")
        self.view = PreparedView(EMPTY_SHAPE)
        self.view.set_input(EMPTY_SHAPE, ink=False)
        self.view.set_max_height(VIEW_MAX_HEIGHT)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        self.body.addWidget(self.hint)
        self.body.addLayout(buttons)
        self.body.addWidget(self.view)
        self.body.addStretch(1)

    def set_model_size(self, size: str) -> None:
        """Say which size the model takes ("32×32×3")."""
        self.hint.setText(HINT.format(size=size))

    def show_picture(self, picture: NDArray[np.float32] | None) -> None:
        """Show the opened picture (h, w, 3) in 0..1, or nothing (None)."""
        if picture is None:
            self.view.set_input(EMPTY_SHAPE, ink=False)
            self.view.show_image(np.ones(EMPTY_SHAPE, dtype=np.float32))
            return
        self.view.set_input((picture.shape[0], picture.shape[1]), ink=False)
        self.view.show_image(picture)
