"""The input grid (padded, one grid per channel), painting, and the input's tools."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QMenu,
    QSpinBox,
    QToolButton,
    QWidget,
)

from engine.animation.frames import INPUT
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.flow_layout import FitHeight, FlowLayout, tool_group
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from engine.animation.frames import Animation, Frame
    from gui.playground.state import PlaygroundState

MAX_GRID_SIZE = 32
MAX_CELL = 72  # pixels at zoom 1: a small input fills a large panel


def _tool_button(text: str) -> QToolButton:
    """A compact text button (tools share narrow rows)."""
    button = QToolButton()
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


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
        self._keys: list[tuple[str, int]] = []
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
        image = _tool_button("Image…")
        image.setToolTip("Load a PNG or JPEG as the input (File → Open Image… in the digit lab)")
        image.clicked.connect(self.openImageRequested)
        random = _tool_button("Random")
        random.clicked.connect(self._randomise)
        clear = _tool_button("Clear")
        clear.clicked.connect(self._clear)

        self.tools = QWidget()
        flow = FlowLayout(self.tools)
        flow.addWidget(tool_group(QLabel("Size"), self.rows, QLabel("×"), self.cols))
        flow.addWidget(self.channels)
        flow.addWidget(tool_group(QLabel("Brush"), self.brush))
        for button in (sample, image, random, clear):
            flow.addWidget(button)
        self.body.addWidget(self.tools)
        self.grid_box = QWidget()  # the channels' grids, side by side or one above the other
        self._grid_area = QGridLayout(self.grid_box)
        self._grid_area.setContentsMargins(0, 0, 0, 0)
        self._grid_area.setSpacing(4)
        self._columns = 0  # channels per row of grids
        self.grid_box.installEventFilter(self)
        self.body.addWidget(self.grid_box, 1)
        self.hint = caption_label(
            "Drag to paint, right-click to erase; grey cells are zero padding.", size=9
        )
        self.body.addWidget(self.hint)
        self._fit_height = FitHeight(self)  # the splitter leaves the flowing tools their rows

        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self.show_frame(state.frame)

    # ----- reflecting the state ------------------------------------------------------------
    def show_frame(self, frame: Frame) -> None:
        """Paint a frame: the set-up if it is new, then the window under the kernel."""
        if frame.animation is not self._animation:
            self._show_animation(frame.animation)
        for key, grid in zip(self._keys, self._grids, strict=True):
            grid.set_marks(frame.marks.get(key, ()))

    def set_presentation(self, on: bool) -> None:
        """Presentation mode shows the input alone: no tools, no gallery, no hint."""
        self.tools.setVisible(not on)
        self.hint.setVisible(not on)

    def refresh(self) -> None:
        """Show the state's set-up and frame again (e.g. after a refused edit)."""
        self._show_animation(self._state.animation)
        self.show_frame(self._state.frame)

    def _show_animation(self, animation: Animation) -> None:
        """The set-up: size and channel controls, the padded input, the title."""
        self._animation = animation
        result = animation.result
        spec = result.spec
        for spin, value in ((self.rows, spec.input.shape[0]), (self.cols, spec.input.shape[1])):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.channels.blockSignals(True)
        self.channels.setCurrentIndex(0 if spec.channels == 1 else 1)
        self.channels.blockSignals(False)
        self._ensure_grids(spec.channels)
        padded, mask = result.conv.padded_input, result.conv.padding_mask
        for c, grid in enumerate(self._grids[: spec.channels]):
            name = animation.channel_names[c]
            grid.set_values(
                padded[:, :, c], padding=mask, scale=ColourScale.for_channel(name, spec.input),
                numbers=animation.input_numbers,
            )  # fmt: skip
            self._labels[c].setText(name)
            self._labels[c].setVisible(bool(name))
        self.title.setText(animation.input_title)

    def _ensure_grids(self, channels: int) -> None:
        """One grid (and caption) per channel, made when first needed; the others hidden."""
        while len(self._grids) < channels:
            c = len(self._grids)
            self._keys.append((INPUT, c))
            grid = CellGrid(max_cell=MAX_CELL)
            label = caption_label(size=10)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.cellPressed.connect(lambda r, col, b, c=c: self._paint(c, r, col, b, first=True))
            grid.cellDragged.connect(lambda r, col, b, c=c: self._paint(c, r, col, b, first=False))
            self._grids.append(grid)
            self._labels.append(label)
        for c, (grid, label) in enumerate(zip(self._grids, self._labels, strict=True)):
            grid.setVisible(c < channels)
            label.setVisible(c < channels)
        self._columns = 0
        self._arrange()

    def _arrange(self) -> None:
        """Channels side by side, or in more rows, whichever gives the larger cells."""
        channels = self._animation.result.spec.channels if self._animation else 1
        channels = min(channels, len(self._grids))
        if channels == 0:
            return
        rows, cols = self._grids[0].rows, self._grids[0].cols
        label = self._labels[0].sizeHint().height() if channels > 1 else 0
        width, height = self.grid_box.width(), self.grid_box.height()

        def cell(per_row: int) -> float:
            lines = -(-channels // per_row)
            return min(width / (per_row * cols), (height / lines - label) / rows)

        # The box asks for the room of one row of grids; more rows only when it has the room.
        self.grid_box.setMinimumHeight(label + self._grids[0].minimumSizeHint().height())
        best = max(range(1, channels + 1), key=lambda n: (cell(n), n))
        if best == self._columns:
            return
        self._columns = best
        area = self._grid_area
        for widget in (*self._grids, *self._labels):
            area.removeWidget(widget)
        for c in range(channels):
            line, column = divmod(c, best)
            area.addWidget(self._labels[c], 2 * line, column)
            area.addWidget(self._grids[c], 2 * line + 1, column)
        lines = -(-channels // best)
        for i in range(area.columnCount()):
            area.setColumnStretch(i, 1 if i < best else 0)
        for i in range(area.rowCount()):  # the grids' rows share the room, captions and
            area.setRowStretch(i, 1 if i % 2 and i < 2 * lines else 0)  # rows left empty not

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The grids' room changed: arrange the channels again; never consumes."""
        if watched is self.grid_box and event.type() == QEvent.Type.Resize:
            self._arrange()
        return False

    # ----- edits ---------------------------------------------------------------------------
    def _paint(self, channel: int, row: int, col: int, button: object, *, first: bool) -> None:
        """Paint (left button) or erase (right) the input cell at (row, col) of the padded grid."""
        if first:
            self._state.begin_stroke()
        cell = self._state.animation.input_cell(row, col)
        if cell is None:
            return  # padding cells are always 0
        r, c = cell
        spec = self._state.spec
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
