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

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.animation.vector_frames import WEIGHTS, WEIGHTS_NEXT
from engine.animation.vector_setup import MAX_LEARNING_RATE
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.plain_text import plain_label
from gui.playground.vector_table import VectorTableView
from gui.widgets import Panel, caption_label
from gui.zoom import scaled

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtGui import QResizeEvent

    from engine.animation.frames import MapKey
    from engine.animation.vector_frames import (
        VectorAnimation,
        VectorFrame,
        VectorGrid,
        VectorSection,
    )
    from gui.playground.state import PlaygroundState

GRIDS_PER_ROW = (10, 5)
"""Weight grids per row: ten output units in one row, or in two rows of five when one row
would leave the table too little room (it then rounds its numbers)."""
SMALL_GRID = 10
"""Grids with at most this many rows and columns show their numbers (larger cells)."""
MIN_LEARNING_RATE = 0.001
NUMBERED_CELLS = 100
"""Grids of at most this many cells (X or O's x and weights, 4x12) also show their numbers."""
SECTION_SPACING = 16
"""Pixels (at zoom 1) between two sections side by side."""
SMALL_CELL = 22
"""The least cell of a grid that shows its numbers, in pixels at zoom 1."""
LARGE_CELL = 1.8
"""The least cell of a large grid (a 28x28 digit, its weights): ten across fit 1024 px."""


class VectorPanel(Panel):
    """A vector lesson's numbers (see the module docstring)."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Network", parent)
        self._state = state
        self._animation: VectorAnimation | None = None
        self._presenting = False
        self._layout_keys: tuple[tuple[MapKey, tuple[int, ...]], ...] = ()
        self.grids: dict[MapKey, CellGrid] = {}
        self._weight_rows: list[tuple[QGridLayout, list[QWidget]]] = []
        self._other_rows: list[list[tuple[QGridLayout, list[QWidget]]]] = []
        self._per_row = GRIDS_PER_ROW[0]
        self._marked: list[CellGrid] = []
        self.sections = QWidget()
        self._sections_layout = QGridLayout(self.sections)
        self._sections_layout.setContentsMargins(0, 0, 0, 0)
        self._sections_layout.setHorizontalSpacing(scaled(SECTION_SPACING))
        self._sections_layout.setVerticalSpacing(scaled(4))
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.sections)
        # its width is what the table leaves (at least the grids' least width, set per lesson)
        self.scroll_area.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.table = VectorTableView()
        self.legend = caption_label(size=9)
        self.legend.setTextFormat(Qt.TextFormat.PlainText)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
        self.rate.setDecimals(3)
        self.rate.setSingleStep(0.01)
        self.rate.setKeyboardTracking(False)
        self.rate.valueChanged.connect(state.set_learning_rate)
        self.rate_label = plain_label("Learning rate η")
        self.rate_row = QWidget()
        rate_layout = QHBoxLayout(self.rate_row)
        rate_layout.setContentsMargins(0, 0, 0, 0)
        rate_layout.addWidget(self.rate_label)
        rate_layout.addWidget(self.rate)
        rate_layout.addStretch(1)
        side = QVBoxLayout()
        side.setSpacing(scaled(4))
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.table, 1)
        side.addWidget(self.legend)
        side.addWidget(self.rate_row)
        self.side = QWidget()
        self.side.setLayout(side)
        row = self._row = QHBoxLayout()
        row.setSpacing(scaled(12))
        row.addWidget(self.scroll_area, 1)
        row.addWidget(self.side, 0)  # the table's natural width where there is room
        self.body.addLayout(row, 1)
        state.vectorFrameChanged.connect(self.show_frame)

    # ----- painting a frame ----------------------------------------------------------------
    def show_frame(self, frame: VectorFrame) -> None:
        """Paint a frame: what is computed so far, what the step reads and computes."""
        if frame.animation is not self._animation:
            self._show_animation(frame.animation)
        marked = []
        for key, grid in self.grids.items():
            grid.set_revealed(frame.revealed.get(key))
            marks = frame.marks.get(key, ())
            grid.set_marks(marks)
            if marks:
                marked.append(grid)
        self.table.set_frame(frame.revealed, frame.row)
        self._marked = marked
        self.follow()
        QTimer.singleShot(0, self, self.follow)  # again once a new layout has settled

    def follow(self) -> None:
        """Scroll the step's grids into view (the last one wins where not all fit)."""
        for grid in self._marked:
            self.scroll_area.ensureWidgetVisible(grid, 0, 0)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode leaves out the table's legend and gives the table half the room."""
        self._presenting = on
        self.legend.setVisible(not on and bool(self.legend.text()))
        self._share_room()

    def _share_room(self) -> None:
        """How the table and the grids share the panel's width.

        Beside grids the table keeps its natural width (in presentation mode: half the panel,
        written larger); alone it takes the panel and grows.
        """
        alone = self._animation is None or not self._animation.sections
        wide = alone or self._presenting
        across = QSizePolicy.Policy.Expanding if wide else QSizePolicy.Policy.Maximum
        self.side.setSizePolicy(across, QSizePolicy.Policy.Expanding)
        self._row.setStretch(1, 1 if wide else 0)
        self._choose_arrangement()

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
        self._fit_grid_room()
        self._share_room()
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
        """One caption and one row (or rows) of grids per section.

        Sections of maps and vectors go two side by side (they are short); weights take a
        whole row each.
        """
        places = self._sections_layout
        while (item := places.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        for line in range(places.rowCount()):
            places.setRowStretch(line, 0)
        self.grids = {}
        self._marked = []
        self._weight_rows = []
        self._other_rows = []
        line, column = 0, 0
        for section in sections:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(scaled(2))
            caption = caption_label(section.title, size=9, colour="#222831")
            caption.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(caption)
            grid_row = QGridLayout()
            grid_row.setHorizontalSpacing(scaled(4))
            grid_row.setVerticalSpacing(scaled(2))
            cells = [self._grid_with_title(spec) for spec in section.grids]
            layout.addLayout(grid_row)
            if section.key in (WEIGHTS, WEIGHTS_NEXT):
                self._weight_rows.append((grid_row, cells))
                line += column  # a row of its own
                places.addWidget(box, line, 0, 1, 2)
                line, column = line + 1, 0
                continue
            for col, cell in enumerate(cells):
                grid_row.addWidget(cell, 0, col)
            places.addWidget(box, line, column)
            if column == 0:
                self._other_rows.append([])
            self._other_rows[-1].append((grid_row, cells))
            line, column = (line, 1) if column == 0 else (line + 1, 0)
        places.setRowStretch(line + column, 1)
        self._arrange_weights(self._per_row)

    def _arrange_weights(self, per_row: int) -> None:
        """Lay the weight grids out ``per_row`` to a row."""
        self._per_row = per_row
        for grid_row, cells in self._weight_rows:
            for cell in cells:
                grid_row.removeWidget(cell)
            for n, cell in enumerate(cells):
                row, col = divmod(n, per_row)
                grid_row.addWidget(cell, row, col)
        self._fit_grid_room()

    def _fit_grid_room(self) -> None:
        """The grids' least width, so that no row of them is cut; the table has the rest."""
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        widths = [
            _row_width(grid_row, cells[: self._per_row]) for grid_row, cells in self._weight_rows
        ]
        for pair in self._other_rows:
            widths.append(sum(_row_width(grid_row, cells) for grid_row, cells in pair)
                          + scaled(SECTION_SPACING) * (len(pair) - 1))  # fmt: skip
        self.scroll_area.setMinimumWidth(max(widths, default=0) + bar)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Another width may take another arrangement of the weight grids."""
        super().resizeEvent(event)
        self._choose_arrangement()

    def _choose_arrangement(self) -> None:
        """Ten weight grids to a row where the table keeps its natural width beside them."""
        if not self._weight_rows:
            return
        wide, narrow = GRIDS_PER_ROW
        grid_row, cells = self._weight_rows[0]
        row_width = _row_width(grid_row, cells[:wide])
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        needed = row_width + bar + self.side.sizeHint().width() + scaled(12)
        outer = self.layout()
        margins = outer.contentsMargins() if outer is not None else None
        room = self.contentsRect().width()
        if margins is not None:
            room -= margins.left() + margins.right()
        per_row = wide if needed <= room else narrow
        if per_row != self._per_row:
            self._arrange_weights(per_row)

    def _grid_with_title(self, spec: VectorGrid) -> QWidget:
        """A grid with its title above it, sized for its shape."""
        rows, cols = spec.values.shape
        small = max(rows, cols) <= SMALL_GRID or rows * cols <= NUMBERED_CELLS
        grid = CellGrid(max_cell=40 if small else 12, hint_cell=30 if small else 4)
        grid.limit_to_cells()
        least = SMALL_CELL if small else LARGE_CELL
        grid.setMinimumSize(max(scaled(round(cols * least)), scaled(40)),
                            max(scaled(round(rows * least)), scaled(24)))  # fmt: skip
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


def _row_width(grid_row: QGridLayout, cells: list[QWidget]) -> int:
    """The least width of ``cells`` side by side in ``grid_row``."""
    spacing = grid_row.horizontalSpacing() * max(len(cells) - 1, 0)
    return sum(cell.minimumSizeHint().width() for cell in cells) + spacing


def _scales(sections: tuple[VectorSection, ...]) -> dict[str, ColourScale]:
    """One colour scale per group of grids (W and W′ share theirs, so a change shows)."""
    groups: dict[str, list[np.ndarray]] = {}
    for section in sections:
        for grid in section.grids:
            groups.setdefault(grid.scale_group, []).append(grid.values)
    return {name: ColourScale.for_values(*values) for name, values in groups.items()}
