"""Feature maps: one row per filter — the convolution's map filling in, then ReLU, then pooling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QWidget

from engine.animation.timeline import CONV, FORWARD, POOL, RELU
from gui.cell_grid import CellGrid, Highlight
from gui.colours import CHOSEN, CURRENT, WINDOW, ColourScale
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    import numpy as np

    from gui.playground.state import PlaygroundState

STAGES = (CONV, RELU, POOL)
MAX_CELL = 48


class FeatureMapPanel(Panel):
    """Renders the pipeline's maps at the current timeline position."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Feature maps", parent)
        self._state = state
        self._grids: dict[tuple[str, int], CellGrid] = {}
        self._row_labels: list[QLabel] = []
        self._headers = {stage: caption_label(size=10, colour="#222831") for stage in STAGES}
        for header in self._headers.values():
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        container = QWidget()
        self._layout = QGridLayout(container)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(10)
        self._layout.setVerticalSpacing(4)
        for col, stage in enumerate(STAGES):
            self._layout.addWidget(self._headers[stage], 0, col + 1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(container)
        self.body.addWidget(self._scroll, 1)
        state.specChanged.connect(self.refresh)
        state.positionChanged.connect(self.show_position)
        self.refresh()

    def _grid(self, stage: str, d: int) -> CellGrid:
        key = (stage, d)
        if key not in self._grids:
            grid = CellGrid(max_cell=MAX_CELL)
            grid.setMinimumSize(70, 70)
            self._grids[key] = grid
            self._layout.addWidget(grid, 1 + d, 1 + STAGES.index(stage))
        return self._grids[key]

    def _row_label(self, d: int) -> QLabel:
        while len(self._row_labels) <= d:
            label = caption_label(size=10, colour="#222831")
            label.setFixedWidth(86)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._layout.addWidget(label, 1 + len(self._row_labels), 0)
            self._row_labels.append(label)
        return self._row_labels[d]

    def refresh(self) -> None:
        result, spec, context = self._state.result, self._state.spec, self._state.context
        shown: dict[str, np.ndarray | None] = {
            CONV: result.feature_maps,
            RELU: result.activated if spec.relu else None,
            POOL: result.pooled,
        }
        divisor = f" ÷ {spec.divisor:g}" if spec.divisor != 1 else ""
        h, w, d_count = result.feature_maps.shape
        self._headers[CONV].setText(f"Convolution{divisor}\n{h}×{w}")
        self._headers[RELU].setText("ReLU\nmax(0, x)")
        if spec.pool is not None and result.pooled is not None:
            p = spec.pool
            mode = "Max" if p.mode == "max" else "Average"
            ph, pw = result.pooled.shape[:2]
            pad = ", same" if p.padding == "same" else ""
            self._headers[POOL].setText(
                f"{mode} pool {p.size}×{p.size}, stride {p.stride}{pad}\n{ph}×{pw}"
            )
        for stage, maps in shown.items():
            self._headers[stage].setVisible(maps is not None)
            for d in range(d_count):
                grid = self._grid(stage, d)
                grid.setVisible(maps is not None)
                if maps is not None:
                    rows, cols = maps.shape[:2]
                    grid.setMaximumSize(cols * MAX_CELL + 1, rows * MAX_CELL + 1)
                    scale = ColourScale.for_values(maps)
                    grid.set_values(
                        maps[:, :, d], scale=scale,
                        decimals=context.decimals if spec.divisor == 1 else 2,
                        truncate=context.truncate,
                    )  # fmt: skip
            for (grid_stage, d), grid in self._grids.items():
                if grid_stage == stage and d >= d_count:
                    grid.setVisible(False)
        for d, label in enumerate(self._row_labels):
            label.setVisible(d < d_count)
        for d in range(d_count):
            self._row_label(d).setText(spec.filter_name(d))
            self._row_label(d).setVisible(True)
        for col, stage in enumerate(STAGES):
            self._layout.setColumnStretch(col + 1, 1 if shown[stage] is not None else 0)
        for row in range(self._layout.rowCount()):  # maps pack at the top, spare room below
            self._layout.setRowStretch(row, 0)
        self._layout.setRowStretch(d_count + 1, 1)
        self.show_position(self._state.position)

    def show_position(self, position: int) -> None:
        timeline, result = self._state.timeline, self._state.result
        entry = timeline[position]
        stage = CONV if entry.stage == FORWARD else entry.stage
        d_count = result.feature_maps.shape[2]
        for d in range(d_count):
            conv_grid = self._grids[(CONV, d)]
            if timeline.has(CONV):
                conv_grid.set_revealed(timeline.revealed_cells(CONV, position, d))
            else:  # backprop: the forward pass fills the map in
                conv_grid.set_revealed(min(position + 1, result.feature_maps[:, :, 0].size))
            relu_grid = self._grids.get((RELU, d))
            if relu_grid is not None and timeline.has(RELU):
                relu_grid.set_revealed(timeline.revealed_cells(RELU, position, d))
            pool_grid = self._grids.get((POOL, d))
            if pool_grid is not None and timeline.has(POOL):
                pool_grid.set_revealed(timeline.revealed_cells(POOL, position, d))
            for grid in (conv_grid, relu_grid, pool_grid):
                if grid is not None:
                    grid.set_highlights()
        if stage == CONV:
            f, r, c = result.conv.position(entry.index)
            self._grids[(CONV, f)].set_highlights(Highlight(((r, c),), CURRENT, box=False))
        elif stage == RELU:
            self._grids[(RELU, entry.index)].set_highlights(
                Highlight(tuple((r, c) for r in range(result.feature_maps.shape[0])
                                for c in range(result.feature_maps.shape[1])), CURRENT, width=2)
            )  # fmt: skip
        elif stage == POOL and result.pool is not None:
            step = result.pool[entry.index]
            source = self._grids[(RELU if self._state.spec.relu else CONV, step.channel)]
            p = result.pool.padding
            cells = tuple((r - p.top, c - p.left) for r in step.input_rows for c in step.input_cols)
            marks = [Highlight(cells, WINDOW)]
            if step.chosen is not None:
                chosen = (
                    step.input_rows[step.chosen[0]] - p.top,
                    step.input_cols[step.chosen[1]] - p.left,
                )
                marks.append(Highlight((chosen,), CHOSEN, box=False))
            source.set_highlights(*marks)
            self._grids[(POOL, step.channel)].set_highlights(
                Highlight(((step.row, step.col),), CURRENT, box=False)
            )
