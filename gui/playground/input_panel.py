"""The input grid (padded, one grid per channel), painting, and the input's tools."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from engine.animation.timeline import CONV, FORWARD, GRADIENT
from gui.cell_grid import CellGrid, Highlight
from gui.colours import WINDOW, ColourScale
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from gui.playground.state import PlaygroundState

MAX_GRID_SIZE = 32


class InputPanel(Panel):
    """Shows the padded input and turns mouse strokes into undoable edits."""

    sampleRequested = Signal(int)
    """The user picked a gallery digit (0..9) for the input."""
    openImageRequested = Signal()
    """The user asked to load an image file as the input."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Input", parent)
        self._state = state
        self._grids: list[CellGrid] = []
        self._labels: list[QLabel] = []
        self._seed = 0

        self.brush = QDoubleSpinBox()
        self.brush.setRange(-99, 99)
        self.brush.setDecimals(2)
        self.brush.setSingleStep(0.5)
        self.brush.setValue(1.0)
        self.brush.setToolTip("The value a left click paints; a right click paints 0")
        self.rows = QSpinBox()
        self.cols = QSpinBox()
        for spin, what in ((self.rows, "rows"), (self.cols, "columns")):
            spin.setRange(1, MAX_GRID_SIZE)
            spin.setToolTip(f"Input {what}")
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._resize)
        self.channels = QComboBox()
        self.channels.addItems(["Gray", "RGB"])
        self.channels.setToolTip("One channel (grayscale) or three (red, green, blue)")
        self.channels.currentIndexChanged.connect(self._set_channels)

        sample = QToolButton()
        sample.setText("Digit ▾")
        sample.setToolTip("Load a handwritten digit from the sample gallery")
        sample.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(sample)
        for digit in range(10):
            menu.addAction(str(digit), partial(self.sampleRequested.emit, digit))
        sample.setMenu(menu)
        image = QPushButton("Image…")
        image.setToolTip("Load a PNG or JPEG as the input (File → Open Image… in the digit lab)")
        image.clicked.connect(self.openImageRequested)
        random = QPushButton("Random")
        random.clicked.connect(self._randomise)
        clear = QPushButton("Clear")
        clear.clicked.connect(self._clear)

        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Size"))
        row1.addWidget(self.rows)
        row1.addWidget(QLabel("×"))
        row1.addWidget(self.cols)
        row1.addWidget(self.channels)
        row1.addStretch(1)
        row1.addWidget(QLabel("Brush"))
        row1.addWidget(self.brush)
        row2 = QHBoxLayout()
        for button in (sample, image, random, clear):
            row2.addWidget(button)
        row2.addStretch(1)
        self.body.addLayout(row1)
        self.body.addLayout(row2)
        self._grid_area = QGridLayout()
        self._grid_area.setSpacing(4)
        self.body.addLayout(self._grid_area, 1)
        self.hint = caption_label(
            "Left-click or drag to paint, right-click to erase. Grey cells are zero padding.",
            size=9,
        )
        self.body.addWidget(self.hint)

        state.specChanged.connect(self.refresh)
        state.positionChanged.connect(self.show_position)
        self.refresh()

    # ----- reflecting the state ------------------------------------------------------------
    def refresh(self) -> None:
        spec, result = self._state.spec, self._state.result
        for spin, value in ((self.rows, spec.input.shape[0]), (self.cols, spec.input.shape[1])):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.channels.blockSignals(True)
        self.channels.setCurrentIndex(0 if spec.channels == 1 else 1)
        self.channels.blockSignals(False)
        self._ensure_grids(spec.channels)
        padded = result.conv.padded_input
        p = result.padding
        mask = np.ones(padded.shape[:2], dtype=bool)
        mask[p.top : p.top + spec.input.shape[0], p.left : p.left + spec.input.shape[1]] = False
        context = self._state.context
        whole = bool(np.all(spec.input == np.round(spec.input)))
        for c, grid in enumerate(self._grids[: spec.channels]):
            grid.set_values(
                padded[:, :, c], padding=mask,
                scale=ColourScale.for_channel(spec.channel_name(c), spec.input),
                decimals=0 if whole else max(context.decimals, 1), truncate=context.truncate,
            )  # fmt: skip
            name = spec.channel_name(c)
            self._labels[c].setText(name)
            self._labels[c].setVisible(bool(name))
        size = f"{spec.input.shape[0]}×{spec.input.shape[1]}"
        size += f"×{spec.channels}" if spec.channels > 1 else ""
        if not p.is_zero:
            size += f", padded to {padded.shape[0]}×{padded.shape[1]}"
        self.title.setText(f"Input  {size}")
        self.show_position(self._state.position)

    def _ensure_grids(self, channels: int) -> None:
        while len(self._grids) < channels:
            c = len(self._grids)
            grid = CellGrid()
            label = caption_label(size=10)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.cellPressed.connect(lambda r, col, b, c=c: self._paint(c, r, col, b, first=True))
            grid.cellDragged.connect(lambda r, col, b, c=c: self._paint(c, r, col, b, first=False))
            self._grids.append(grid)
            self._labels.append(label)
        for c, (grid, label) in enumerate(zip(self._grids, self._labels, strict=True)):
            if c < channels:
                self._grid_area.addWidget(label, 0, c)
                self._grid_area.addWidget(grid, 1, c)
            grid.setVisible(c < channels)
            label.setVisible(c < channels)
        for c in range(len(self._grids)):
            self._grid_area.setColumnStretch(c, 1 if c < channels else 0)

    def show_position(self, position: int) -> None:
        """Outline the cells under the kernel at this step."""
        entry = self._state.timeline[position]
        cells: tuple[tuple[int, int], ...] = ()
        if entry.stage in (CONV, FORWARD):
            step = self._state.result.conv[entry.index]
            cells = tuple((r, c) for r in step.input_rows for c in step.input_cols)
        elif entry.stage == GRADIENT and self._state.backprop is not None:
            i, j = divmod(entry.index, self._state.backprop.w.shape[1])
            p = self._state.result.padding
            touched = self._state.backprop.touched_inputs(i, j)
            cells = tuple((r + p.top, c + p.left) for r, c in touched)
        for grid in self._grids:
            if cells:
                grid.set_highlights(Highlight(cells, WINDOW, box=entry.stage != GRADIENT))
            else:
                grid.set_highlights()

    # ----- edits ---------------------------------------------------------------------------
    def _paint(self, channel: int, row: int, col: int, button: object, *, first: bool) -> None:
        if first:
            self._state.begin_stroke()
        p = self._state.result.padding
        r, c = row - p.top, col - p.left
        spec = self._state.spec
        if not (0 <= r < spec.input.shape[0] and 0 <= c < spec.input.shape[1]):
            return  # padding cells are always 0
        value = 0.0 if button == Qt.MouseButton.RightButton else self.brush.value()
        if spec.input[r, c, channel] != value:
            self._state.edit(
                "Paint input",
                lambda s: s.with_input_cell(r, c, channel, value),
                merge_stroke=True,
            )

    def _resize(self) -> None:
        rows, cols = self.rows.value(), self.cols.value()
        if not self._state.edit("Resize input", lambda s: s.with_input_size(rows, cols)):
            self.refresh()

    def _set_channels(self, index: int) -> None:
        channels = 1 if index == 0 else 3
        if not self._state.edit("Change channels", lambda s: s.with_channels(channels)):
            self.refresh()

    def _randomise(self) -> None:
        self._seed += 1
        seed = self._seed
        self._state.edit("Random input", lambda s: s.with_random_input(seed))

    def _clear(self) -> None:
        self._state.edit("Clear input", lambda s: s.with_picture(np.zeros_like(s.input)))
