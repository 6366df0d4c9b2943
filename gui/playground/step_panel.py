"""This step: the window ⊙ kernel = products, the arithmetic written out, and the step controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from engine.animation.frames import STEP_WINDOW
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.playground.player import MAX_SPEED, MIN_SPEED
from gui.widgets import Panel, StaticText, caption_label
from gui.zoom import scaled

if TYPE_CHECKING:
    import numpy as np

    from engine.animation.frames import Animation, Frame, Mark
    from engine.animation.numbers import NumberRule
    from engine.animation.steps import ConvStep, PoolStep
    from gui.playground.player import Player
    from gui.playground.state import PlaygroundState

MAX_CHANNEL_ROWS = 3
DOT_CELL = 40  # pixels at zoom 1: the largest a dot-product cell grows
DOT_HINT = 36  # pixels at zoom 1: the size asked for, which holds 0.0625 at a readable size
WINDOW_KEY = (STEP_WINDOW, 0)


def _symbol(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSize(18)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _channel(array: np.ndarray, c: int) -> np.ndarray:
    """Channel c of a (kh, kw, C) window; a 2-D window is its own only channel."""
    return array if array.ndim == 2 else array[:, :, c]


class DotProductView(QWidget):
    """window ⊙ kernel = products, one row per channel (up to three)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(6)
        self._layout.setVerticalSpacing(2)
        self.headers = [
            caption_label(t, size=9) for t in ("", "Window", "", "Kernel", "", "Products")
        ]
        for col, header in enumerate(self.headers):
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._layout.addWidget(header, 0, col)
        self.rows: list[tuple[QLabel, CellGrid, QLabel, CellGrid, QLabel, CellGrid]] = []
        for r in range(MAX_CHANNEL_ROWS):
            row = (
                caption_label(size=9), CellGrid(max_cell=DOT_CELL, hint_cell=DOT_HINT), _symbol("⊙"),
                CellGrid(max_cell=DOT_CELL, hint_cell=DOT_HINT), _symbol("="),
                CellGrid(max_cell=DOT_CELL, hint_cell=DOT_HINT),
            )  # fmt: skip
            for col, widget in enumerate(row):
                self._layout.addWidget(widget, r + 1, col)
            for grid in (row[1], row[3], row[5]):
                grid.setMinimumSize(scaled(48), scaled(48))
                grid.limit_to_cells()
            self.rows.append(row)

    def show_conv(self, step: ConvStep, names: tuple[str, ...], animation: Animation) -> None:
        """Window ⊙ kernel = products of a convolution step, one row per channel (up to 3).

        ``names`` label the channels of a multi-channel input; the numbers are written by the
        ``animation``'s rules for the input, the kernel and the products.
        """
        window, kernel, products = step.window, step.kernel, step.products
        channels = 1 if window.ndim == 2 else window.shape[2]
        size = scaled(72 if channels == 1 else 48)
        for row in self.rows:
            for grid in (row[1], row[3], row[5]):
                grid.setMinimumSize(size, size)
        for header in self.headers:
            header.setVisible(True)
        for c, (label, w, times, k, equals, p) in enumerate(self.rows):
            visible = c < min(channels, MAX_CHANNEL_ROWS)
            for widget in (label, w, times, k, equals, p):
                widget.setVisible(visible)
            if not visible:
                continue
            label.setText(names[c] if channels > 1 and c < len(names) else "")
            name = names[c] if c < len(names) else ""
            w.set_values(
                _channel(window, c), padding=step.is_padding,
                scale=ColourScale.for_channel(name, window), numbers=animation.input_numbers,
            )  # fmt: skip
            k.set_values(_channel(kernel, c), numbers=animation.kernel_numbers)
            p.set_values(_channel(products, c), numbers=animation.product_numbers)
            for grid in (w, k, p):
                grid.set_highlights()

    def show_pool(self, step: PoolStep, marks: tuple[Mark, ...], numbers: NumberRule) -> None:
        """The window of a pooling step, with ``marks`` (the chosen cell of max pooling).

        ``numbers`` is the rule the map being pooled is written by.
        """
        window, padding = step.window, step.is_padding
        for c, (label, w, times, k, equals, p) in enumerate(self.rows):
            for widget in (label, times, k, equals, p):
                widget.setVisible(False)
            w.setVisible(c == 0)
        for n, header in enumerate(self.headers):
            header.setVisible(n < 2)
        grid = self.rows[0][1]
        grid.setMinimumSize(scaled(72), scaled(72))
        grid.set_values(
            window, padding=padding, scale=ColourScale.for_values(window[~padding]),
            numbers=numbers,
        )  # fmt: skip
        grid.set_marks(marks)

    def hide_all(self) -> None:
        """Hide every grid and caption: a step with no window (ReLU, gradient, update)."""
        for row in self.rows:
            for widget in row:
                widget.setVisible(False)
        for header in self.headers:
            header.setVisible(False)


class StepPanel(Panel):
    """The current step in numbers, and the controls that move through the steps."""

    def __init__(
        self, state: PlaygroundState, player: Player, parent: QWidget | None = None
    ) -> None:
        super().__init__("This step", parent)
        self._state = state
        self._player = player
        self.dot = DotProductView()
        self.arithmetic = StaticText(4, point_size=13, min_point_size=10)
        self.arithmetic.setMinimumWidth(180)

        self.buttons: dict[str, QToolButton] = {}
        icons = QStyle.StandardPixmap
        for name, icon, tip in (
            ("start", icons.SP_MediaSkipBackward, "To the first step (Home)"),
            ("back", icons.SP_MediaSeekBackward, "One step back (Left)"),
            ("play", icons.SP_MediaPlay, "Play / pause (Space)"),
            ("forward", icons.SP_MediaSeekForward, "One step forward (Right)"),
            ("end", icons.SP_MediaSkipForward, "To the last step (End)"),
        ):
            button = QToolButton()
            button.setIcon(self.style().standardIcon(icon))
            button.setIconSize(QSize(22, 22))
            button.setToolTip(tip)
            button.setMinimumSize(40, 34)
            self.buttons[name] = button
        self.buttons["start"].clicked.connect(state.to_start)
        self.buttons["back"].clicked.connect(lambda: state.step(-1))
        self.buttons["play"].clicked.connect(player.toggle)
        self.buttons["forward"].clicked.connect(lambda: state.step(1))
        self.buttons["end"].clicked.connect(state.to_end)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(MIN_SPEED, MAX_SPEED)
        self.speed.setValue(int(player.speed))
        self.speed.setFixedWidth(130)
        self.speed.setToolTip("Playback speed, steps per second")
        self.speed_label = QLabel(f"{MAX_SPEED} steps/s")
        self.speed_label.setMinimumWidth(self.speed_label.sizeHint().width())
        self.speed.valueChanged.connect(self._speed_changed)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Drag to any step")
        self.scrubber.valueChanged.connect(state.set_position)
        self.scrubber.setMinimumWidth(200)
        self.position_label = StaticText(1, point_size=10)

        # Layout: the caption over the whole width (never cut), the dot product beside the
        # arithmetic. The transport (buttons, scrubber, speed) is a widget of its own that the
        # view places below the panels, over the window's whole width.
        self.transport = QWidget()
        controls = QHBoxLayout(self.transport)
        controls.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons.values():
            controls.addWidget(button)
        controls.addSpacing(12)
        controls.addWidget(self.scrubber, 1)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Speed"))
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        work = QHBoxLayout()
        work.addWidget(self.dot, 1)  # its grids grow into spare room, up to their largest cells
        work.addSpacing(12)
        work.addWidget(self.arithmetic, 2)
        self.body.addWidget(self.position_label)
        self.body.addLayout(work, 1)

        player.playingChanged.connect(self._playing_changed)
        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self._speed_changed(self.speed.value())
        self.show_frame(state.frame)

    def _speed_changed(self, value: int) -> None:
        self._player.set_speed(value)
        self.speed_label.setText(f"{value} steps/s")

    def _playing_changed(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def show_frame(self, frame: Frame) -> None:
        """Paint a frame.

        The scrubber, the caption, the dot product or pooling window, the arithmetic, and
        which step buttons can be used.
        """
        self.scrubber.blockSignals(True)
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self.scrubber.setRange(0, frame.last_position)
        self.scrubber.setValue(frame.position)
        self.scrubber.blockSignals(False)
        self.position_label.setText(frame.caption)
        if frame.conv is not None:
            names = frame.animation.result.spec.channel_names
            self.dot.show_conv(frame.conv, names, frame.animation)
        elif frame.pool is not None:
            marks = frame.marks.get(WINDOW_KEY, ())
            self.dot.show_pool(frame.pool, marks, frame.window_numbers)
        else:
            self.dot.hide_all()
        self.arithmetic.setText(frame.arithmetic)
        for name in ("back", "start"):
            self.buttons[name].setEnabled(not frame.at_start)
        for name in ("forward", "end"):
            self.buttons[name].setEnabled(not frame.at_end)
