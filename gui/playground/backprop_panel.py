"""Backpropagation through one conv layer: H, the target, ∂E/∂h, ∂E/∂W and the update."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QWidget

from engine.animation.arithmetic import format_number
from engine.animation.timeline import FORWARD, GRADIENT, UPDATE
from gui.cell_grid import CellGrid, Highlight
from gui.colours import CURRENT, WINDOW, ColourScale
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from gui.playground.state import PlaygroundState

GRIDS = (
    ("h", "Output H = X * W"),
    ("target", "Target T"),
    ("dE_dh", "∂E/∂h = h − t"),
    ("dE_dw", "∂E/∂W"),
    ("w_next", "W − η·∂E/∂W"),
    ("h_next", "H after the update"),
)


class BackpropPanel(Panel):
    """The backprop lesson's numbers, highlighted step by step."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Backpropagation", parent)
        self._state = state
        self.grids: dict[str, CellGrid] = {}
        layout = QGridLayout()
        layout.setHorizontalSpacing(14)
        for i, (key, title) in enumerate(GRIDS):
            label = caption_label(title, size=10, colour="#222831")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid = CellGrid(max_cell=52)
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
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel("Learning rate η"))
        rate_row.addWidget(self.rate)
        rate_row.addSpacing(16)
        rate_row.addWidget(self.loss, 1)
        self.body.addLayout(layout, 1)
        self.body.addLayout(rate_row)
        state.specChanged.connect(self.refresh)
        state.positionChanged.connect(self.show_position)
        self.refresh()

    def refresh(self) -> None:
        result = self._state.backprop
        if result is None:
            return
        self.rate.blockSignals(True)
        self.rate.setValue(result.learning_rate)
        self.rate.blockSignals(False)
        outputs = ColourScale.for_values(result.h, result.target, result.h_next)
        weights = ColourScale.for_values(result.w, result.w_next)
        for key, grid in self.grids.items():
            scale = {"h": outputs, "target": outputs, "h_next": outputs, "w_next": weights}
            grid.set_values(getattr(result, key), decimals=3, scale=scale.get(key))
        self.loss.setText(
            f"Error E = Σ ½(h − t)²: <b>{format_number(result.loss, 3)}</b> → "
            f"<b>{format_number(result.loss_next, 3)}</b> after one update"
        )
        self.show_position(self._state.position)

    def show_position(self, position: int) -> None:
        result = self._state.backprop
        if result is None:
            return
        entry = self._state.timeline[position]
        for grid in self.grids.values():
            grid.set_highlights()
            grid.set_revealed(None)
        stage_start = self._state.timeline.start_of(GRADIENT)
        if entry.stage == FORWARD:
            self.grids["h"].set_revealed(entry.index + 1)
            for key in ("dE_dh", "dE_dw", "w_next", "h_next"):
                self.grids[key].set_revealed(0)
            cell = divmod(entry.index, result.h.shape[1])
            self.grids["h"].set_highlights(Highlight((cell,), CURRENT, box=False))
        elif entry.stage == GRADIENT:
            done = position - stage_start + 1
            self.grids["dE_dw"].set_revealed(done)
            self.grids["w_next"].set_revealed(0)
            self.grids["h_next"].set_revealed(0)
            i, j = divmod(entry.index, result.w.shape[1])
            rows, cols = result.h.shape
            every = tuple((k, m) for k in range(rows) for m in range(cols))
            self.grids["dE_dh"].set_highlights(Highlight(every, WINDOW, width=2))
            self.grids["dE_dw"].set_highlights(Highlight(((i, j),), CURRENT, box=False))
        elif entry.stage == UPDATE:
            self.grids["w_next"].set_highlights(
                Highlight(tuple((i, j) for (i, j) in result.terms), CURRENT, width=2)
            )
