"""Feature maps: one row per filter — the convolution's map filling in, then ReLU, then pooling."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QWidget

from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.playground.column_headers import ColumnHeaders
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.animation.frames import Animation, Frame, MapColumn
    from gui.playground.state import PlaygroundState

MAX_CELL = 64  # pixels at zoom 1: few small maps grow on a large screen


class FeatureMapPanel(Panel):
    """Paints the pipeline's maps at the current frame.

    One column per entry of the engine's ``Animation.columns`` (convolution, ReLU, pooling),
    one row per filter.
    """

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Feature maps", parent)
        self._state = state
        self._grids: dict[tuple[str, int], CellGrid] = {}
        self._row_labels: list[QLabel] = []
        self._headers: dict[str, QLabel] = {}
        container = QWidget()
        self._layout = QGridLayout(container)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(10)
        self._layout.setVerticalSpacing(4)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(container)
        self.body.addWidget(self._scroll, 1)
        self._column_headers = ColumnHeaders(self._scroll, self._layout)  # stay in view
        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self.show_frame(state.frame)

    @property
    def scroll_area(self) -> QScrollArea:
        """The scroll area around the maps (the view scrolls it to the step's cells)."""
        return self._scroll

    def grids(self) -> Mapping[tuple[str, int], CellGrid]:
        """Every map's grid by its frame key, e.g. ("conv", 0) (hidden ones included)."""
        return MappingProxyType(self._grids)

    def _header(self, column: int, key: str) -> QLabel:
        """The caption above a column, made when first needed."""
        if key not in self._headers:
            self._headers[key] = self._column_headers.label(column + 1)
        return self._headers[key]

    def _grid(self, column: int, key: str, d: int) -> CellGrid:
        """The grid of filter ``d``'s map in a column, made when first needed."""
        if (key, d) not in self._grids:
            grid = CellGrid(max_cell=MAX_CELL, square=True)
            grid.setMinimumSize(70, 70)
            grid.limit_to_cells()  # no wider than its cells at their largest (at any zoom)
            self._grids[(key, d)] = grid
            self._layout.addWidget(grid, 1 + d, 1 + column)
        return self._grids[(key, d)]

    def _row_label(self, d: int) -> QLabel:
        """The filter's name left of its row, made when first needed."""
        while len(self._row_labels) <= d:
            label = caption_label(size=10, colour="#222831")
            label.setFixedWidth(86)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._layout.addWidget(label, 1 + len(self._row_labels), 0)
            self._row_labels.append(label)
        return self._row_labels[d]

    def show_frame(self, frame: Frame) -> None:
        """Paint a frame: the set-up if it is new, then revealed cells and marks of every map."""
        if frame.animation is not self._animation:
            self._show_animation(frame.animation)
        revealed, marks = frame.revealed, frame.marks
        for key, grid in self._grids.items():
            grid.set_revealed(revealed.get(key))
            grid.set_marks(marks.get(key, ()))

    def refresh(self) -> None:
        """Show the state's set-up and frame again."""
        self._show_animation(self._state.animation)
        self.show_frame(self._state.frame)

    def _show_animation(self, animation: Animation) -> None:
        """The set-up: every column's header and maps, the filters' names, the layout."""
        self._animation = animation
        names = animation.filter_names
        for col, column in enumerate(animation.columns):
            self._show_column(animation, col, column)
            self._layout.setColumnStretch(col + 1, 1 if column.maps is not None else 0)
        for d, label in enumerate(self._row_labels):
            label.setVisible(d < len(names))
        for d, name in enumerate(names):
            self._row_label(d).setText(name)
            self._row_label(d).setVisible(True)
        for row in range(self._layout.rowCount()):  # maps pack at the top, spare room below
            self._layout.setRowStretch(row, 0)
        self._layout.setRowStretch(len(names) + 1, 1)

    def _show_column(self, animation: Animation, col: int, column: MapColumn) -> None:
        """One column: its header, and one grid per filter (hidden without maps)."""
        header = self._header(col, column.key)
        header.setText(column.header)
        header.setVisible(column.maps is not None)
        count = len(animation.filter_names)
        maps = column.maps
        scale = ColourScale.for_values(maps) if maps is not None else None
        for d in range(count):
            grid = self._grid(col, column.key, d)
            grid.setVisible(maps is not None)
            if maps is not None:
                grid.set_values(maps[:, :, d], scale=scale, numbers=animation.map_numbers)
        for (key, d), grid in self._grids.items():
            if key == column.key and d >= count:
                grid.setVisible(False)
