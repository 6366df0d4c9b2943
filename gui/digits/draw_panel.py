"""DrawPanel: the canvas with its tools (pen width, eraser, undo, clear, open) and the gallery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QToolButton, QWidget

from gui.digits.canvas import DEFAULT_PEN_WIDTH, MAX_PEN_WIDTH, MIN_PEN_WIDTH, DrawingCanvas
from gui.digits.sample_gallery import SampleGallery
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from engine.drawings.samples import Samples

HINT = "Left button, pen or finger draws; right button erases. Esc clears."


class DrawPanel(Panel):
    """Where the user makes the network's input: draw, erase, undo, clear, open or pick one."""

    def __init__(
        self, samples: Samples | None, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__("Draw a digit", parent)
        self.canvas = DrawingCanvas()
        self.pen_width = QSpinBox()
        self.pen_width.setRange(MIN_PEN_WIDTH, MAX_PEN_WIDTH)
        self.pen_width.setValue(DEFAULT_PEN_WIDTH)
        self.pen_width.setSuffix(" px")
        self.pen_width.setToolTip("Pen and eraser width (on a 280 × 280 canvas)")
        self.pen_width.valueChanged.connect(self._set_pen_width)
        self.eraser = QToolButton()
        self.eraser.setText("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.setToolTip(
            "Erase with the left button too (the right button always erases), as wide as the pen"
        )
        self.eraser.toggled.connect(self._set_eraser)
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setToolTip("Take back the last stroke (Ctrl+Z)")
        self.undo_button.setEnabled(undo_stack.canUndo())
        self.undo_button.clicked.connect(undo_stack.undo)
        undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start again with an empty canvas (Esc)")
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Classify a photo or scan of a digit (PNG or JPEG)")
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_width)
        tools.addWidget(self.eraser)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        tools.addStretch(1)
        tools.addWidget(self.open_button)
        self.gallery = SampleGallery(samples)
        gallery_row = QHBoxLayout()
        gallery_row.addWidget(QLabel("Samples"))
        gallery_row.addWidget(self.gallery, 1)
        self.body.addLayout(tools)
        self.body.addWidget(self.canvas, 1)
        self.body.addWidget(caption_label(HINT, size=9))
        self.body.addLayout(gallery_row)
        QWidget.setTabOrder(self.canvas, self.pen_width)  # the canvas takes the keys first

    def _set_pen_width(self, width: int) -> None:
        self.canvas.pen_width = float(width)

    def _set_eraser(self, on: bool) -> None:
        self.canvas.eraser = on
