"""Backpropagation through one conv layer: H, the target, ∂E/∂h, ∂E/∂W and the update."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QWidget

from engine.animation.arithmetic import loss_change
from engine.animation.frames import DE_DH, DE_DW, H_NEXT, TARGET, W_NEXT, H
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from engine.animation.frames import Animation, Frame
    from gui.playground.state import PlaygroundState

GRIDS = (
    (H, "Output H = X * W"),
    (TARGET, "Target T"),
    (DE_DH, "∂E/∂h = h − t"),
    (DE_DW, "∂E/∂W"),
    (W_NEXT, "W − η·∂E/∂W"),
    (H_NEXT, "H after the update"),
)
"""Each grid: the ``BackpropResult`` array it shows (also its frame key), and its caption."""
MAX_CELL = 80  # pixels at zoom 1: the exercise's 2x2 and 3x3 grids fill a large panel


class BackpropPanel(Panel):
    """The backprop lesson's numbers (slide 004), painted step by step from the frame."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Backpropagation", parent)
        self._state = state
        self.grids: dict[str, CellGrid] = {}
        layout = QGridLayout()
        layout.setHorizontalSpacing(14)
        for i, (key, title) in enumerate(GRIDS):
            label = caption_label(title, size=10, colour="#222831")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid = CellGrid(max_cell=MAX_CELL)
            grid.setMinimumSize(90, 90)
            self.grids[key] = grid
            layout.addWidget(label, 2 * (i // 3), i % 3)
            layout.addWidget(grid, 2 * (i // 3) + 1, i % 3)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.0, 2.0)
        self.rate.setDecimals(3)
        self.rate.setSingleStep(0.05)
        self.rate.setKeyboardTracking(False)
        self.rate.valueChanged.connect(state.set_learning_rate)
        self.loss = QLabel()
        self.loss.setTextFormat(Qt.TextFormat.PlainText)
        self.loss.setWordWrap(True)  # never cut in a narrow window
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel("Learning rate η"))
        rate_row.addWidget(self.rate)
        rate_row.addSpacing(16)
        rate_row.addWidget(self.loss, 1)
        self.body.addLayout(layout, 1)
        self.body.addLayout(rate_row)
        self._keys = {key: (key, 0) for key, _ in GRIDS}
        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self.show_frame(state.frame)

    def show_frame(self, frame: Frame) -> None:
        """Paint a frame of the backprop lesson: what is computed so far, what is used now."""
        if frame.animation is not self._animation:
            self._show_animation(frame.animation)
        if frame.animation.backprop is None:
            return  # another lesson: this panel is not shown
        for key, grid in self.grids.items():
            frame_key = self._keys[key]
            grid.set_revealed(frame.revealed.get(frame_key))
            grid.set_marks(frame.marks.get(frame_key, ()))

    def refresh(self) -> None:
        """Show the state's set-up and frame again."""
        self._show_animation(self._state.animation)
        self.show_frame(self._state.frame)

    def _show_animation(self, animation: Animation) -> None:
        """The exercise's numbers, the learning rate and the error before and after."""
        self._animation = animation
        result = animation.backprop
        if result is None:
            return
        self.rate.blockSignals(True)
        self.rate.setValue(result.learning_rate)
        self.rate.blockSignals(False)
        outputs = ColourScale.for_values(result.h, result.target, result.h_next)
        weights = ColourScale.for_values(result.w, result.w_next)
        scales = {H: outputs, TARGET: outputs, H_NEXT: outputs, W_NEXT: weights}
        numbers = animation.map_numbers
        for key, grid in self.grids.items():
            grid.set_values(getattr(result, key), scale=scales.get(key), numbers=numbers)
        self.loss.setText(f"Error E = Σ ½(h − t)²: {loss_change(result, numbers)} after one update")
