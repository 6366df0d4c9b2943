"""Feature maps: one row per filter — the convolution's map filling in, then ReLU, then pooling.

Every map of every filter is sized to fit the panel's view (``gui.playground.map_fit``): all
maps share one cell size, as large as the room allows; the panel scrolls down only when even
a readable floor does not fit. The sizes change with the set-up, the panel's size and the
zoom, never with a step of the animation.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QSizePolicy, QWidget

from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.playground.column_headers import ColumnHeaders
from gui.playground.map_fit import MapTable, fit_maps
from gui.widgets import Panel, style_caption
from gui.zoom import scaled, zoom_factor

if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.animation.frames import Animation, Frame, MapColumn
    from gui.playground.state import PlaygroundState

MAX_CELL = 80  # pixels at zoom 1: few small maps grow on a large screen
FLOOR_CELL = 12  # pixels at zoom 1: smaller cells would not read; the panel scrolls instead
LABEL_WIDTH = 90  # pixels at zoom 1: the filters' names may wrap beyond it (not if there is room)
SPACING = (10, 12)  # pixels at zoom 1 between columns, between filters' rows (kept apart)


def _unwrapped_width(label: QLabel) -> int:
    """The width of a label's text with no line wrapped but its own (pixels)."""
    metrics = label.fontMetrics()
    return (
        max((metrics.horizontalAdvance(line) for line in label.text().split("\n")), default=0) + 2
    )


class FilterName(QLabel):
    """A filter's name left of its row of maps, wrapped, at the size ``fit_cells`` gives it.

    Not a height-for-width item: in the grid layout, one would make the layout work out its
    columns for other widths, and the captions placed over the columns would be misplaced.
    """

    def hasHeightForWidth(self) -> bool:
        """The panel fixes the name's size: no height for another width."""
        return False


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
        # The table keeps its size (the maps' cells) at the top, in the middle of the view.
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(container)
        self._scroll.installEventFilter(self)  # a new size: fit the maps again
        self.body.addWidget(self._scroll, 1)
        self._column_headers = ColumnHeaders(self._scroll, self._layout)  # stay in view
        self._animation: Animation | None = None
        self._cell = 0  # the maps' cells in pixels, as last fitted
        self._scrolls = False  # whether the maps are taller than the view
        self._fitted: tuple[object, ...] = ()  # what the last fit was for
        state.frameChanged.connect(self.show_frame)
        self.show_frame(state.frame)

    @property
    def scroll_area(self) -> QScrollArea:
        """The scroll area around the maps (the view scrolls it to the step's cells)."""
        return self._scroll

    def grids(self) -> Mapping[tuple[str, int], CellGrid]:
        """Every map's grid by its frame key, e.g. ("conv", 0) (hidden ones included)."""
        return MappingProxyType(self._grids)

    @property
    def cell(self) -> int:
        """The maps' cell size in pixels, as fitted to the view (all maps alike)."""
        return self._cell

    @property
    def scrolls(self) -> bool:
        """Whether the maps need more height than the view has, even at the floor size."""
        return self._scrolls

    def _header(self, column: int, key: str) -> QLabel:
        """The caption above a column, made when first needed."""
        if key not in self._headers:
            self._headers[key] = self._column_headers.label(column + 1)
        return self._headers[key]

    def _grid(self, column: int, key: str, d: int) -> CellGrid:
        """The grid of filter ``d``'s map in a column, made when first needed."""
        if (key, d) not in self._grids:
            grid = CellGrid(max_cell=MAX_CELL)
            fixed = QSizePolicy.Policy.Fixed  # the size fit_cells gives it, no more, no less
            grid.setSizePolicy(fixed, fixed)
            self._grids[(key, d)] = grid
            self._layout.addWidget(grid, 1 + d, 1 + column, Qt.AlignmentFlag.AlignCenter)
        return self._grids[(key, d)]

    def _row_label(self, d: int) -> QLabel:
        """The filter's name left of its row, made when first needed."""
        while len(self._row_labels) <= d:
            label = style_caption(FilterName(), size=10, colour="#222831")
            label.setTextFormat(Qt.TextFormat.PlainText)  # filter names come from lesson files
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
        for d, label in enumerate(self._row_labels):
            label.setVisible(d < len(names))
        for d, name in enumerate(names):
            self._row_label(d).setText(name)
            self._row_label(d).setVisible(True)
        self.fit_cells()

    def fit_cells(self) -> None:
        """Size every map to the view: all filters' rows and all stages' columns.

        One cell size for all maps, as large as the view allows (up to ``MAX_CELL``), down
        to ``FLOOR_CELL``; below that the maps keep the floor and the view scrolls down (see
        ``gui.playground.map_fit.fit_maps``). Nothing moves when the size is unchanged.
        """
        animation = self._animation
        if animation is None:
            return
        shown = [column for column in animation.columns if column.maps is not None]
        count = len(animation.filter_names)
        labels = self._row_labels[:count]
        label_width = self._label_width(labels)
        headers = [self._headers[column.key] for column in shown]
        maps = [column.maps for column in shown if column.maps is not None]
        area = self._scroll
        frame = 2 * area.frameWidth()
        room = (area.width() - frame, area.height() - frame)
        fitted = (
            room, zoom_factor(), tuple(m.shape[:2] for m in maps),
            tuple(h.text() for h in headers), tuple(label.text() for label in labels),
        )  # fmt: skip
        if fitted == self._fitted:
            return  # an edit of the values (a stroke of the brush): nothing to move
        self._fitted = fitted
        heights: dict[tuple[int, ...], int] = {}

        def header_height(widths: tuple[int, ...]) -> int:
            if widths not in heights:
                pairs = zip(headers, widths, strict=True)
                heights[widths] = max((h.heightForWidth(w) for h, w in pairs), default=0)
            return heights[widths]

        table = MapTable(
            shapes=tuple((m.shape[0], m.shape[1]) for m in maps),
            filters=count,
            label_width=label_width,
            label_height=max((label.heightForWidth(label_width) for label in labels), default=0),
            column_floors=tuple(header.minimumSizeHint().width() for header in headers),
            column_ideals=tuple(_unwrapped_width(header) for header in headers),
            header_height=header_height,
            spacing=(scaled(SPACING[0]), scaled(SPACING[1])),
            label_ideal=max((_unwrapped_width(label) for label in labels), default=0),
        )
        fit = fit_maps(
            table,
            room,
            floor=scaled(FLOOR_CELL),
            largest=int(MAX_CELL * zoom_factor()),
            scroll_bar=area.verticalScrollBar().sizeHint().width(),
        )
        self._cell, self._scrolls = fit.cell, fit.scrolls
        columns = [col for col, column in enumerate(animation.columns) if column.maps is not None]
        self._column_headers.set_widths(
            {col + 1: width for col, width in zip(columns, fit.columns, strict=True)}
        )
        self._layout.setHorizontalSpacing(table.spacing[0])
        self._layout.setVerticalSpacing(table.spacing[1])
        for label in labels:
            label.setFixedSize(fit.label_width, label.heightForWidth(fit.label_width))
        for grid in self._grids.values():
            grid.set_cell_hint(fit.cell)
            grid.setMinimumSize(grid.size_for_cell(fit.cell))

    def _label_width(self, labels: list[QLabel]) -> int:
        """The names' least column: the longest name, at most ``LABEL_WIDTH`` (it may wrap).

        Never narrower than the longest word.
        """
        longest = max((_unwrapped_width(label) for label in labels), default=0)
        words = max((label.minimumSizeHint().width() for label in labels), default=0)
        return max(min(longest, scaled(LABEL_WIDTH)), words)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The view got another size: fit the maps to it. Never consumes the event."""
        if watched is self._scroll and event.type() == QEvent.Type.Resize:
            self.fit_cells()
        return False

    def changeEvent(self, event: QEvent) -> None:
        """A new font is a new zoom: fit the maps again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_cells()

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
