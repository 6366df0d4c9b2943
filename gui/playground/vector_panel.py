"""VectorPanel: a vector lesson's grids and table, painted step by step from its frames.

The playground shows it in place of the input, the filters and the feature maps while a
vector lesson (flatten, dense, softmax, cross-entropy, the update; a network's shapes) is
open. It paints what the engine's ``VectorAnimation`` holds: sections of grids (the maps, the
flattened vector x, each output unit's weights before and after an update) beside the table
(one row per class: z, e^z, ŷ, the one-hot y, …), and for an update the learning rate η. Each
``VectorFrame`` says how much of every grid and column is computed and what to outline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.animation.vector_frames import VECTOR, WEIGHTS, WEIGHTS_NEXT
from engine.animation.vector_setup import MAX_LEARNING_RATE
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.playground.vector_table import VectorTableView
from gui.widgets import Panel, caption_label
from gui.zoom import scaled

if TYPE_CHECKING:
    import numpy as np

    from engine.animation.frames import MapKey
    from engine.animation.vector_frames import (
        VectorAnimation,
        VectorFrame,
        VectorGrid,
        VectorSection,
    )
    from gui.playground.state import PlaygroundState

GRIDS_PER_ROW = 5
"""Weight grids per row: ten output units in two rows of five."""
SMALL_GRID = 10
"""Grids with at most this many rows and columns show their numbers (larger cells)."""
MIN_LEARNING_RATE = 0.001


class VectorPanel(Panel):
    """A vector lesson's numbers (see the module docstring)."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Network", parent)
        self._state = state
        self._animation: VectorAnimation | None = None
        self._presenting = False
        self._layout_keys: tuple[tuple[MapKey, tuple[int, ...]], ...] = ()
        self.grids: dict[MapKey, CellGrid] = {}
        self.sections = QWidget()
        self._sections_layout = QVBoxLayout(self.sections)
        self._sections_layout.setContentsMargins(0, 0, 0, 0)
        self._sections_layout.setSpacing(scaled(4))
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.sections)
        self.table = VectorTableView()
        self.legend = caption_label(size=9)
        self.legend.setTextFormat(Qt.TextFormat.PlainText)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
        self.rate.setDecimals(3)
        self.rate.setSingleStep(0.01)
        self.rate.setKeyboardTracking(False)
        self.rate.valueChanged.connect(state.set_learning_rate)
        self.rate_label = QLabel("Learning rate η")
        self.rate_row = QWidget()
        rate_layout = QHBoxLayout(self.rate_row)
        rate_layout.setContentsMargins(0, 0, 0, 0)
        rate_layout.addWidget(self.rate_label)
        rate_layout.addWidget(self.rate)
        rate_layout.addStretch(1)
        side = QVBoxLayout()
        side.setSpacing(scaled(4))
        side.addWidget(self.table)
        side.addWidget(self.legend)
        side.addWidget(self.rate_row)
        side.addStretch(1)
        self.side = QWidget()
        self.side.setLayout(side)
        self.side.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setSpacing(scaled(12))
        row.addWidget(self.scroll_area, 3)
        row.addWidget(self.side, 2)
        self.body.addLayout(row, 1)
        state.vectorFrameChanged.connect(self.show_frame)

    # ----- painting a frame ----------------------------------------------------------------
    def show_frame(self, frame: VectorFrame) -> None:
        """Paint a frame: what is computed so far, what the step reads and computes."""
        if frame.animation is not self._animation:
            self._show_animation(frame.animation)
        for key, grid in self.grids.items():
            grid.set_revealed(frame.revealed.get(key))
            grid.set_marks(frame.marks.get(key, ()))
        self.table.set_frame(frame.revealed, frame.row)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode leaves out the table's legend."""
        self._presenting = on
        self.legend.setVisible(not on and bool(self.legend.text()))

    # ----- a new animation -----------------------------------------------------------------
    def _show_animation(self, animation: VectorAnimation) -> None:
        self._animation = animation
        self.title.setText(animation.title)
        keys = tuple(
            (grid.key, grid.values.shape)
            for section in animation.sections
            for grid in section.grids
        )
        if keys != self._layout_keys:
            self._build_sections(animation.sections)
            self._layout_keys = keys
        scales = _scales(animation.sections)
        for section in animation.sections:
            for spec in section.grids:
                self.grids[spec.key].set_values(
                    spec.values, padding=spec.padding, scale=scales[spec.scale_group],
                    numbers=animation.numbers,
                )  # fmt: skip
        self.scroll_area.setVisible(bool(animation.sections))
        self.table.set_table(animation.table)
        legend = [f"{c.name}: {c.header}" for c in animation.table.columns if c.header != c.name]
        self.legend.setText("; ".join(legend))
        self.legend.setVisible(bool(legend) and not self._presenting)
        rate = animation.learning_rate
        self.rate_row.setVisible(rate is not None)
        if rate is not None:
            with QSignalBlocker(self.rate):
                self.rate.setValue(rate)

    def _build_sections(self, sections: tuple[VectorSection, ...]) -> None:
        """One caption and one row (or rows) of grids per section."""
        while (item := self._sections_layout.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.grids = {}
        for section in sections:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(scaled(2))
            caption = caption_label(section.title, size=9, colour="#222831")
            caption.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(caption)
            grid_row = QGridLayout()
            grid_row.setHorizontalSpacing(scaled(8))
            grid_row.setVerticalSpacing(scaled(2))
            per_row = (
                GRIDS_PER_ROW if section.key in (WEIGHTS, WEIGHTS_NEXT) else len(section.grids)
            )
            for n, spec in enumerate(section.grids):
                row, col = divmod(n, max(per_row, 1))
                cell = self._grid_with_title(spec, section.key)
                grid_row.addWidget(cell, row, col)
            layout.addLayout(grid_row)
            self._sections_layout.addWidget(box)
        self._sections_layout.addStretch(1)

    def _grid_with_title(self, spec: VectorGrid, section: str) -> QWidget:
        """A grid with its title above it, sized for its shape."""
        rows, cols = spec.values.shape
        small = max(rows, cols) <= SMALL_GRID or (section == VECTOR and rows * cols <= 100)
        grid = CellGrid(max_cell=40 if small else 12, hint_cell=30 if small else 4)
        grid.limit_to_cells()
        grid.setMinimumSize(max(scaled(cols * (22 if small else 2)), scaled(40)),
                            max(scaled(rows * (22 if small else 2)), scaled(24)))  # fmt: skip
        self.grids[spec.key] = grid
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        if spec.title:
            title = caption_label(spec.title, size=9)
            title.setTextFormat(Qt.TextFormat.PlainText)
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(title)
        layout.addWidget(grid, 1)
        return box


def _scales(sections: tuple[VectorSection, ...]) -> dict[str, ColourScale]:
    """One colour scale per group of grids (W and W′ share theirs, so a change shows)."""
    groups: dict[str, list[np.ndarray]] = {}
    for section in sections:
        for grid in section.grids:
            groups.setdefault(grid.scale_group, []).append(grid.values)
    return {name: ColourScale.for_values(*values) for name, values in groups.items()}
