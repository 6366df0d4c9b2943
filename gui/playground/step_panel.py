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
    QVBoxLayout,
    QWidget,
)

from engine.animation.arithmetic import (
    conv_step_text,
    gradient_text,
    pool_step_text,
    relu_text,
    update_text,
)
from engine.animation.timeline import CONV, FORWARD, GRADIENT, POOL, RELU
from gui.cell_grid import CellGrid, Highlight
from gui.colours import CHOSEN, ColourScale
from gui.playground.player import MAX_SPEED, MIN_SPEED
from gui.widgets import Panel, StaticText, caption_label

if TYPE_CHECKING:
    import numpy as np

    from gui.playground.player import Player
    from gui.playground.state import PlaygroundState

MAX_CHANNEL_ROWS = 3


def _symbol(text: str) -> QLabel:
    label = QLabel(text)
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
                caption_label(size=9), CellGrid(max_cell=30), _symbol("⊙"),
                CellGrid(max_cell=30), _symbol("="), CellGrid(max_cell=30),
            )  # fmt: skip
            for col, widget in enumerate(row):
                self._layout.addWidget(widget, r + 1, col)
            for grid in (row[1], row[3], row[5]):
                grid.setMinimumSize(60, 60)
            self.rows.append(row)

    def show_conv(
        self,
        window: np.ndarray,
        kernel: np.ndarray,
        products: np.ndarray,
        padding: np.ndarray,
        names: tuple[str, ...],
        decimals: int,
        truncate: bool,
    ) -> None:
        channels = 1 if window.ndim == 2 else window.shape[2]
        size = 96 if channels == 1 else 60
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
                _channel(window, c), padding=padding, decimals=decimals, truncate=truncate,
                scale=ColourScale.for_channel(name, window),
            )  # fmt: skip
            k.set_values(_channel(kernel, c), decimals=max(decimals, 2))
            p.set_values(_channel(products, c), decimals=decimals, truncate=truncate)
            for grid in (w, k, p):
                grid.set_highlights()

    def show_pool(
        self,
        window: np.ndarray,
        padding: np.ndarray,
        chosen: tuple[int, int] | None,
        decimals: int,
        truncate: bool,
    ) -> None:
        for c, (label, w, times, k, equals, p) in enumerate(self.rows):
            for widget in (label, times, k, equals, p):
                widget.setVisible(False)
            w.setVisible(c == 0)
        for n, header in enumerate(self.headers):
            header.setVisible(n < 2)
        grid = self.rows[0][1]
        grid.setMinimumSize(96, 96)
        grid.set_values(
            window, padding=padding, scale=ColourScale.for_values(window[~padding]),
            decimals=decimals, truncate=truncate,
        )  # fmt: skip
        if chosen:
            grid.set_highlights(Highlight((chosen,), CHOSEN, box=False))
        else:
            grid.set_highlights()

    def hide_all(self) -> None:
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
        self.arithmetic = StaticText(4, point_size=13)
        self.arithmetic.setMinimumWidth(360)

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
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(64)
        self.speed.valueChanged.connect(self._speed_changed)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Drag to any step")
        self.scrubber.valueChanged.connect(state.set_position)
        self.position_label = StaticText(1, point_size=10)
        self.position_label.setMinimumWidth(300)

        controls = QHBoxLayout()
        for button in self.buttons.values():
            controls.addWidget(button)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Speed"))
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        controls.addSpacing(12)
        controls.addWidget(self.scrubber, 1)
        work = QHBoxLayout()
        work.addWidget(self.dot, 0)
        work.addSpacing(12)
        text_column = QVBoxLayout()
        text_column.addWidget(self.position_label)
        text_column.addWidget(self.arithmetic, 1)
        work.addLayout(text_column, 1)
        self.body.addLayout(work, 1)
        self.body.addLayout(controls)

        player.playingChanged.connect(self._playing_changed)
        state.specChanged.connect(self.refresh)
        state.positionChanged.connect(self.show_position)
        self._speed_changed(self.speed.value())
        self.refresh()

    def refresh(self) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, len(self._state.timeline) - 1)
        self.scrubber.setValue(self._state.position)
        self.scrubber.blockSignals(False)
        self.show_position(self._state.position)

    def _speed_changed(self, value: int) -> None:
        self._player.set_speed(value)
        self.speed_label.setText(f"{value} steps/s")

    def _playing_changed(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def show_position(self, position: int) -> None:
        state = self._state
        entry = state.timeline[position]
        self.scrubber.blockSignals(True)
        self.scrubber.setValue(position)
        self.scrubber.blockSignals(False)
        total = len(state.timeline)
        self.position_label.setText(f"Step {position + 1} of {total} · {entry.label}")
        context, spec, result = state.context, state.spec, state.result
        decimals, truncate = context.decimals, context.truncate
        if entry.stage in (CONV, FORWARD):
            step = result.conv[entry.index]
            self.dot.show_conv(
                step.window, step.kernel, step.products, step.is_padding, spec.channel_names,
                decimals if spec.divisor == 1 else 2, truncate,
            )  # fmt: skip
            text = conv_step_text(
                step, divisor=spec.divisor, channel_names=tuple(
                    spec.channel_name(c) for c in range(spec.channels)
                ), decimals=decimals if spec.divisor == 1 else 2, truncate=truncate,
            )  # fmt: skip
            if entry.stage == FORWARD:
                k, l = step.row + 1, step.col + 1  # noqa: E741
                text = f"h{k}{l} = {text}"
        elif entry.stage == RELU:
            self.dot.hide_all()
            text = relu_text(result.feature_maps[:, :, entry.index], spec.filter_name(entry.index))
        elif entry.stage == POOL and result.pool is not None:
            step_p = result.pool[entry.index]
            self.dot.show_pool(step_p.window, step_p.is_padding, step_p.chosen, 2, truncate)
            text = pool_step_text(step_p, decimals=2, truncate=truncate)
            if step_p.is_padding.any():
                text += "\n(The window reaches past the edge: only the cells inside count.)"
        elif entry.stage == GRADIENT and state.backprop is not None:
            self.dot.hide_all()
            i, j = divmod(entry.index, state.backprop.w.shape[1])
            text = gradient_text(state.backprop, i, j)
        elif state.backprop is not None:
            self.dot.hide_all()
            text = update_text(state.backprop)
        else:
            self.dot.hide_all()
            text = ""
        self.arithmetic.setText(text)
        self.buttons["back"].setEnabled(position > 0)
        self.buttons["start"].setEnabled(position > 0)
        self.buttons["forward"].setEnabled(position < total - 1)
        self.buttons["end"].setEnabled(position < total - 1)
