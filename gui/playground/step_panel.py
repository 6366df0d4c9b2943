"""This step: the window ⊙ kernel = products, the arithmetic written out, and the step controls.

The dot product's grids grow with the room the panel has (:meth:`DotProductView.fit`): as tall
as the panel, up to ``DOT_CELL`` a cell and ``DOT_SHARE`` of its width; the arithmetic beside
them takes the rest, and is written larger when it has room to spare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
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
from gui.zoom import scaled, zoom_factor

if TYPE_CHECKING:
    import numpy as np

    from engine.animation.frames import Animation, Frame, Mark
    from engine.animation.numbers import NumberRule
    from engine.animation.steps import ConvStep, PoolStep
    from gui.playground.player import Player
    from gui.playground.state import PlaygroundState

MAX_CHANNEL_ROWS = 3
DOT_CELL = 56  # pixels at zoom 1: the largest a dot-product cell grows
DOT_SHARE = 0.6  # of the panel's width at most for the dot product; the arithmetic has the rest
ARITHMETIC_WIDTH = 240  # pixels at zoom 1 the arithmetic keeps beside the dot product
MIN_GRID = (72, 48)  # pixels at zoom 1: a grid's least side, one channel / several
GROUP_GAP = 18  # pixels at zoom 1 between channels side by side
ARITHMETIC_POINTS = (13, 10, 22)  # the arithmetic's size, its smallest and its largest
COLUMNS = 7  # a channel's columns: name, window, ⊙, kernel, =, products, and a gap
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


def _headers() -> list[QLabel]:
    """The captions over one channel's columns."""
    headers = [caption_label(t, size=9) for t in ("", "Window", "", "Kernel", "", "Products")]
    for header in headers:
        header.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return headers


class DotProductView(QWidget):
    """window ⊙ kernel = products, one row per channel (up to three), or a pooling window.

    :meth:`fit` sizes the grids to the room the panel gives the dot product, and puts the
    channels one above the other or side by side, whichever gives the larger cells; the
    grids never ask for less than ``MIN_GRID`` (the panel's least height keeps that room).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(6)
        self._layout.setVerticalSpacing(2)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.headers = _headers()
        """The captions over the first channel (and a pooling window)."""
        self._more_headers = [_headers() for _ in range(1, MAX_CHANNEL_ROWS)]
        self.rows: list[tuple[QLabel, CellGrid, QLabel, CellGrid, QLabel, CellGrid]] = []
        fixed = QSizePolicy.Policy.Fixed  # the size fit() gives, at least the least one
        for _ in range(MAX_CHANNEL_ROWS):
            row = (
                caption_label(size=9), CellGrid(max_cell=DOT_CELL), _symbol("⊙"),
                CellGrid(max_cell=DOT_CELL), _symbol("="), CellGrid(max_cell=DOT_CELL),
            )  # fmt: skip
            for grid in (row[1], row[3], row[5]):
                grid.setSizePolicy(fixed, fixed)
            self.rows.append(row)
        self._room = QSize(0, 0)
        self._shown = (1, 1, 1, False)  # channels, cells down, cells across, a pooling window
        self._per_line = 0  # channels side by side (0: not placed yet)
        self._place(1)
        self.cell = 0.0
        """The grids' cell size in pixels, as last fitted."""

    @property
    def per_line(self) -> int:
        """How many channels are side by side (the others on further lines)."""
        return self._per_line

    def fit(self, room: QSize) -> None:
        """Size the grids for ``room``: the panel's height and its width beside the arithmetic.

        As large as fits, at most ``DOT_CELL`` a cell (at the zoom) and ``DOT_SHARE`` of the
        width (the arithmetic keeps ``ARITHMETIC_WIDTH``); never below ``MIN_GRID``. Nothing
        moves when the size stays the same.
        """
        self._room = QSize(room)
        self._apply_fit()

    def _cell_for(self, per_line: int) -> int:
        """The largest cell with ``per_line`` channels side by side in the room."""
        channels, down, across, pool = self._shown
        lines = -(-channels // per_line)
        vertical, horizontal = self._layout.verticalSpacing(), self._layout.horizontalSpacing()
        header = self.headers[1].sizeHint().height() + vertical
        tall = (self._room.height() - header - (lines - 1) * vertical) / lines
        width = self._room.width()
        share = min(width * DOT_SHARE, width - scaled(ARITHMETIC_WIDTH))
        grids, extra = 1, 0.0  # grids of a channel, and the width of its names and signs
        if not pool:
            first = self.rows[0]
            name = max(row[0].sizeHint().width() for row in self.rows) if channels > 1 else 0
            signs = first[2].sizeHint().width() + first[4].sizeHint().width()
            grids, extra = 3, name + signs + horizontal * (5 if channels > 1 else 4)
        group = (share - (per_line - 1) * (scaled(GROUP_GAP) + horizontal)) / per_line
        wide = (group - extra) / grids
        return int(min((tall - 1) / down, (wide - 1) / across, DOT_CELL * zoom_factor()))

    def _apply_fit(self) -> None:
        """Fit the grids shown now (a convolution's rows or a pooling window) to the room."""
        channels, _, _, pool = self._shown
        options = range(1, channels + 1) if not pool else range(1, 2)
        per_line = max(options, key=lambda n: (self._cell_for(n), -n))
        self.cell = float(max(self._cell_for(per_line), 2))
        self._place(per_line)
        least = scaled(MIN_GRID[0] if channels == 1 else MIN_GRID[1])
        for row in self.rows:
            for grid in (row[1], row[3], row[5]):
                grid.setMinimumSize(least, least)
                grid.set_cell_hint(self.cell)

    def _place(self, per_line: int) -> None:
        """Put ``per_line`` channels side by side under their captions, the rest below."""
        if per_line == self._per_line:
            return
        self._per_line = per_line
        layout = self._layout
        widgets: list[QWidget] = [*self.headers, *(h for hs in self._more_headers for h in hs)]
        widgets += [widget for row in self.rows for widget in row]
        for widget in widgets:
            layout.removeWidget(widget)
        for column in range(layout.columnCount()):
            layout.setColumnMinimumWidth(column, 0)
        for group, headers in enumerate([self.headers, *self._more_headers]):
            for j, header in enumerate(headers):
                layout.addWidget(header, 0, group * COLUMNS + j)
            if group < per_line - 1:  # a gap before the next channel
                layout.setColumnMinimumWidth(group * COLUMNS + COLUMNS - 1, scaled(GROUP_GAP))
        for c, row in enumerate(self.rows):
            line, group = c // per_line, c % per_line
            for j, widget in enumerate(row):
                layout.addWidget(widget, 1 + line, group * COLUMNS + j)
        self._show_more_headers()

    def _show_more_headers(self) -> None:
        """Captions over the channels side by side with the first (a convolution only)."""
        channels, _, _, pool = self._shown
        shown = 0 if pool or not self.headers[1].isVisibleTo(self) else self._per_line
        for group, headers in enumerate(self._more_headers, start=1):
            for header in headers:
                header.setVisible(group < min(shown, channels))

    def _fit_shape(self, channels: int, down: int, across: int, *, pool: bool) -> None:
        """Fit again when the grids shown have another shape (a new stage or set-up)."""
        shown = (channels, down, across, pool)
        if shown != self._shown:
            self._shown = shown
            self._apply_fit()
        self._show_more_headers()

    def show_conv(self, step: ConvStep, names: tuple[str, ...], animation: Animation) -> None:
        """Window ⊙ kernel = products of a convolution step, one row per channel (up to 3).

        ``names`` label the channels of a multi-channel input; the numbers are written by the
        ``animation``'s rules for the input, the kernel and the products.
        """
        window, kernel, products = step.window, step.kernel, step.products
        channels = 1 if window.ndim == 2 else window.shape[2]
        self.setVisible(True)
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
        shown = min(channels, MAX_CHANNEL_ROWS)
        self._fit_shape(shown, window.shape[0], window.shape[1], pool=False)

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
        self.setVisible(True)
        grid = self.rows[0][1]
        grid.set_values(
            window, padding=padding, scale=ColourScale.for_values(window[~padding]),
            numbers=numbers,
        )  # fmt: skip
        grid.set_marks(marks)
        self._fit_shape(1, window.shape[0], window.shape[1], pool=True)

    def hide_all(self) -> None:
        """Hide every grid and caption: a step with no window (ReLU, gradient, update).

        The dot product itself is hidden too: the arithmetic has the whole width.
        """
        for row in self.rows:
            for widget in row:
                widget.setVisible(False)
        for header in (*self.headers, *(h for hs in self._more_headers for h in hs)):
            header.setVisible(False)
        self.setVisible(False)


class StepPanel(Panel):
    """The current step in numbers, and the controls that move through the steps."""

    def __init__(
        self, state: PlaygroundState, player: Player, parent: QWidget | None = None
    ) -> None:
        super().__init__("This step", parent)
        self._state = state
        self._player = player
        self.dot = DotProductView()
        points, smallest, largest = ARITHMETIC_POINTS
        self.arithmetic = StaticText(
            4, point_size=points, min_point_size=smallest, max_point_size=largest
        )
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
        self.work = QWidget()  # the dot product and the arithmetic: their room
        work = self._work_layout = QHBoxLayout(self.work)
        work.setContentsMargins(0, 0, 0, 0)
        work.setSpacing(12)
        work.addWidget(self.dot)  # as large as fit() makes its grids
        work.addWidget(self.arithmetic, 1)  # the rest
        self.work.installEventFilter(self)
        self.body.addWidget(self.position_label)
        self.body.addWidget(self.work, 1)

        player.playingChanged.connect(self._playing_changed)
        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self._speed_changed(self.speed.value())
        self.show_frame(state.frame)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The dot product and arithmetic got another room: fit the grids. Never consumes."""
        if watched is self.work and event.type() == QEvent.Type.Resize:
            self._fit_dot()
        return False

    def changeEvent(self, event: QEvent) -> None:
        """A new font is a new zoom: fit the dot product's grids again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_dot()

    def _fit_dot(self) -> None:
        """The dot product's room: the work area without the space before the arithmetic."""
        spacing = self._work_layout.spacing()
        self.dot.fit(QSize(self.work.width() - spacing, self.work.height()))

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
