"""CellGrid: a grid of numbered, coloured cells with highlights, the playground's basic view.

The cells (colours, numbers, grid lines) are painted once into a cached pixmap whenever the
values or the size change; a step of the animation only repaints the highlights on top, which
keeps a step well under a frame even for 28x28 grids.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.animation.frames import CELLS, WHOLE
from engine.animation.numbers import GENERAL, cell_texts
from gui.colours import (
    GRID_LINE,
    HIDDEN_FILL,
    MARK_COLOURS,
    PADDING_FILL,
    PADDING_TEXT,
    ColourScale,
)
from gui.ground import Ground
from gui.zoom import scaled, zoom_factor

DARK_TEXT = QColor(20, 20, 20)
LIGHT_TEXT = QColor(255, 255, 255)

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent

    from engine.animation.frames import Mark
    from engine.animation.numbers import NumberRule

MIN_CELL_FOR_TEXT = 20  # pixels: smaller cells show colours only (at any zoom)
MIN_TEXT_PIXELS = 6.5  # a number that would be written smaller is not written
MAX_CELL = 56  # pixels at zoom 1
WINDOW_WIDTH = 3.0  # pen width of a window's or a cell's outline
WHOLE_WIDTH = 2.0  # a whole grid's outline is thinner
ADVANCES_KEPT = 4096  # text widths a grid remembers before it starts again


def _fitted_size(base: int, width: float, cell: float) -> int:
    """The font size at which a text ``width`` pixels wide at size ``base`` fills 0.9 of a cell."""
    return base if width <= cell * 0.9 else int(base * cell * 0.9 / width)


@dataclass(frozen=True, slots=True)
class Highlight:
    """Cells to emphasise: an outline around each cell (or around their bounding box)."""

    cells: tuple[tuple[int, int], ...]
    colour: QColor
    box: bool = True  # one rectangle around all cells (a kernel window) or one per cell
    width: float = 3.0

    @classmethod
    def of(cls, mark: Mark) -> Highlight:
        """How an engine frame's mark is drawn.

        In its role's colour (``MARK_COLOURS``); a window or a whole grid in one outline (a
        whole grid thinner), single cells each in their own.
        """
        return cls(
            mark.cells,
            MARK_COLOURS[mark.role],
            box=mark.outline != CELLS,
            width=WHOLE_WIDTH if mark.outline == WHOLE else WINDOW_WIDTH,
        )


class CellGrid(QWidget):
    """A grid of values. Emits the cell under the mouse; never changes its own values."""

    cellPressed = Signal(int, int, object)
    """A mouse button went down on cell (row, col); the object is the Qt.MouseButton."""
    cellDragged = Signal(int, int, object)
    """The mouse moved onto another cell with a button held."""
    strokeFinished = Signal()
    """The button was released after a press on the grid."""
    cellHovered = Signal(int, int)
    """The mouse hovers cell (row, col); (−1, −1) when it leaves the grid."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        max_cell: int = MAX_CELL,
        hint_cell: int = 0,
        square: bool = False,
    ) -> None:
        super().__init__(parent)
        self._ground = Ground()  # opaque on a flat ground: steps repaint no panel beneath
        self._values = np.zeros((1, 1))
        self._padding: np.ndarray | None = None
        self._scale = ColourScale("image")
        self._numbers: NumberRule = GENERAL
        self._revealed: int | None = None
        self._highlights: tuple[Highlight, ...] = ()
        self._cache: QPixmap | None = None
        self._advances: dict[tuple[int, str], int] = {}  # see _advance
        self._max_cell = max_cell
        self._hint_cell = hint_cell  # 0: 34 pixels for small grids, 18 for larger ones
        self._cell_hint: float | None = None  # pixels, set by a panel that fits the grid
        self._square = square
        self._limited = False
        self._pressed_button: Qt.MouseButton | None = None
        self._last_cell: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(40, 40)

    # ----- data -----------------------------------------------------------------------------
    def set_values(
        self,
        values: np.ndarray,
        *,
        padding: np.ndarray | None = None,
        scale: ColourScale | None = None,
        numbers: NumberRule = GENERAL,
    ) -> None:
        """Show a 2-D array; ``padding`` flags cells drawn as zero padding.

        ``numbers`` is the engine's rule for writing the values (``engine.animation.numbers``):
        the general rule, or a lesson's display rule for the lesson's own maps.
        """
        new = np.asarray(values, dtype=float)
        pad = None if padding is None else np.asarray(padding, dtype=bool)
        real = new if pad is None else new[~pad]
        scale = scale or ColourScale.for_values(real)
        if self._same_as_shown(new, pad, scale, numbers):
            return  # e.g. the kernel during one filter's pass: nothing to paint again
        reshaped = new.shape != self._values.shape
        self._values = new
        self._padding = pad
        self._scale = scale
        self._numbers = numbers
        self._cache = None
        if reshaped:  # a relayout is costly: only when the grid's shape changes
            self._apply_limit()
            self.updateGeometry()
        self.update()

    def _same_as_shown(
        self,
        values: np.ndarray,
        padding: np.ndarray | None,
        scale: ColourScale,
        numbers: NumberRule,
    ) -> bool:
        """Whether these values, padding, colours and numbers are exactly what is shown."""
        if values.shape != self._values.shape or (padding is None) != (self._padding is None):
            return False
        if scale != self._scale or numbers != self._numbers:
            return False
        if padding is not None and not np.array_equal(padding, self._padding):  # type: ignore[arg-type]
            return False
        return bool(np.array_equal(values, self._values, equal_nan=True))

    @property
    def values(self) -> np.ndarray:
        """The (rows, cols) values shown."""
        return self._values

    @property
    def numbers(self) -> NumberRule:
        """The engine's rule the values are written by."""
        return self._numbers

    @property
    def scale(self) -> ColourScale:
        """The colour scale of the values shown."""
        return self._scale

    def set_revealed(self, count: int | None) -> None:
        """Show only the first ``count`` cells in row-major order (None: all)."""
        if count != self._revealed:
            self._revealed = count
            self.update()

    def set_highlights(self, *highlights: Highlight) -> None:
        """Outline these cells on top of the values (none: remove every outline)."""
        if highlights != self._highlights:
            self._highlights = highlights
            self.update()

    def set_marks(self, marks: tuple[Mark, ...]) -> None:
        """Outline an engine frame's marks for this grid (see ``Highlight.of``)."""
        if marks or self._highlights:
            self.set_highlights(*(Highlight.of(mark) for mark in marks))

    # ----- geometry -------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """Rows of cells."""
        return int(self._values.shape[0])

    @property
    def cols(self) -> int:
        """Columns of cells."""
        return int(self._values.shape[1])

    def max_cell(self) -> float:
        """The largest side a cell gets, in pixels: ``max_cell`` at the current zoom."""
        return self._max_cell * zoom_factor()

    def cell_size(self) -> float:
        """A cell's side in pixels: as large as fits, at most :meth:`max_cell`, at least 2.

        A pixel of the width and height is kept for the closing grid line.
        """
        size = min((self.width() - 1) / self.cols, (self.height() - 1) / self.rows)
        return max(2.0, min(self.max_cell(), size))

    def size_for_cell(self, cell: float) -> QSize:
        """The widget size at which the cells are ``cell`` pixels (with the closing lines)."""
        return QSize(ceil(self.cols * cell) + 1, ceil(self.rows * cell) + 1)

    def set_cell_hint(self, cell: float | None) -> None:
        """Ask layouts for cells of ``cell`` pixels (None: the default size hint).

        For a panel that sizes its grids to fit its room; ``cell`` is in pixels at the
        current zoom (the panel sets it again after a zoom). See :meth:`sizeHint`.
        """
        if cell != self._cell_hint:
            self._cell_hint = cell
            self.updateGeometry()

    def limit_to_cells(self, on: bool = True) -> None:
        """Never grow wider or taller than the cells at their largest.

        A layout then gives the room to others. Kept up to date when the values' shape or
        the zoom change.
        """
        self._limited = on
        self._apply_limit()

    def _apply_limit(self) -> None:
        if self._limited:
            cell = self.max_cell()
            self.setMaximumSize(round(self.cols * cell) + 1, round(self.rows * cell) + 1)
        else:
            self.setMaximumSize(16777215, 16777215)

    def cells_rect(self, cells: tuple[tuple[int, int], ...]) -> QRect:
        """The widget rectangle around these (row, col) cells (empty for none)."""
        inside = [(r, c) for r, c in cells if 0 <= r < self.rows and 0 <= c < self.cols]
        if not inside:
            return QRect()
        rows = [r for r, _ in inside]
        cols = [c for _, c in inside]
        first = self.cell_rect(min(rows), min(cols))
        return first.united(self.cell_rect(max(rows), max(cols))).toAlignedRect()

    def _origin(self) -> tuple[float, float]:
        """The top left corner of the cells: centred, on whole pixels (crisp lines)."""
        cell = self.cell_size()
        return (
            float((self.width() - 1 - round(cell * self.cols)) // 2),
            float((self.height() - 1 - round(cell * self.rows)) // 2),
        )

    def cell_rect(self, row: int, col: int) -> QRectF:
        """The widget rectangle of cell (row, col)."""
        cell = self.cell_size()
        x0, y0 = self._origin()
        return QRectF(x0 + col * cell, y0 + row * cell, cell, cell)

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        """The (row, col) under a widget point, None outside the cells."""
        cell = self.cell_size()
        x0, y0 = self._origin()
        col = int((point.x() - x0) // cell)
        row = int((point.y() - y0) // cell)
        if 0 <= row < self.rows and 0 <= col < self.cols:
            return (row, col)
        return None

    def sizeHint(self) -> QSize:
        """The cells a panel asked for (:meth:`set_cell_hint`).

        Else cells of ``hint_cell`` pixels, else 34 (small grids) or 18, times the zoom.
        """
        if self._cell_hint is not None:
            return self.size_for_cell(self._cell_hint)
        cell = (self._hint_cell or (34 if max(self.rows, self.cols) <= 10 else 18)) * zoom_factor()
        return QSize(round(self.cols * cell) + 2, round(self.rows * cell) + 2)

    def hasHeightForWidth(self) -> bool:
        """Whether a layout keeps the widget as tall as its width needs (``square``).

        Rows of maps stay compact; without it the cells fit whatever room the widget gets.
        """
        return self._square

    def heightForWidth(self, width: int) -> int:
        """The height that keeps the cells square at ``width``."""
        return int(width * self.rows / max(self.cols, 1))

    def minimumSizeHint(self) -> QSize:
        """6 pixels a cell, at most 120 pixels a side (at zoom 1)."""
        return QSize(
            min(scaled(self.cols * 6), scaled(120)), min(scaled(self.rows * 6), scaled(120))
        )

    # ----- painting -------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new size needs the cells painted again."""
        self._cache = None
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (perhaps in a new place): find the ground beneath again (``gui.ground``)."""
        self._ground.find(self)
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """A new font is a new zoom: cells, limits and numbers are sized again.

        A new palette or style: the ground beneath is found again.
        """
        self._ground.watch(self, event)
        if event.type() == QEvent.Type.FontChange:
            self._cache = None
            self._advances.clear()
            self._apply_limit()
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def _render_cells(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        cell = self.cell_size()
        x0, y0 = self._origin()
        rows, cols = self.rows, self.cols
        colours = self._scale.rgb(self._values)
        pad = self._padding if self._padding is not None else np.zeros((rows, cols), bool)
        texts = self._cell_texts(cell) if cell >= MIN_CELL_FOR_TEXT else None
        font = self.number_font(texts) if texts is not None else None
        if font is None:
            texts = None
        else:
            painter.setFont(font)
            luminance = colours @ np.array([0.299, 0.587, 0.114])
            dark_text = luminance > 150
        for r in range(rows):
            for c in range(cols):
                rect = QRectF(x0 + c * cell, y0 + r * cell, cell, cell)
                is_pad = bool(pad[r, c])
                rgb = colours[r, c]
                fill = PADDING_FILL if is_pad else QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))
                painter.fillRect(rect, fill)
                if texts is not None:
                    if is_pad:
                        painter.setPen(PADDING_TEXT)
                    else:
                        painter.setPen(DARK_TEXT if dark_text[r, c] else LIGHT_TEXT)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, texts[r][c])
        if cell >= 6:
            painter.setPen(QPen(GRID_LINE, 1))
            right, bottom = x0 + cell * cols, y0 + cell * rows
            painter.drawLines(
                [QLineF(x0, y0 + r * cell, right, y0 + r * cell) for r in range(rows + 1)]
                + [QLineF(x0 + c * cell, y0, x0 + c * cell, bottom) for c in range(cols + 1)]
            )
        if self._padding is not None and self._padding.any():
            self._outline_real_cells(painter, self._padding)
        painter.end()
        return pixmap

    def _base_font(self, cell: float) -> QFont:
        """The numbers' font before long numbers shrink it: a third of the cell, ≥ 9 px × zoom."""
        font = QFont(self.font())
        font.setPixelSize(round(max(9 * zoom_factor(), cell * 0.36)))
        return font

    def _cell_texts(self, cell: float) -> list[list[str]]:
        """Each cell's number as the engine writes it, rounded to fewer decimals if too wide.

        A text fits when the font fitted to it (``_fitted_size``) is still readable.
        """
        font = self._base_font(cell)
        base = font.pixelSize()

        def fits(text: str) -> bool:
            return _fitted_size(base, self._advance(font, text), cell) >= MIN_TEXT_PIXELS

        return cell_texts(self._values, self._numbers, fits)

    def _advance(self, font: QFont, text: str) -> int:
        """``text``'s width in pixels in the numbers' ``font`` (remembered: steps repeat texts).

        Only the numbers' fonts are measured here: the widget's font at a pixel size, so the
        pixel size and the text are the key; a new widget font (zoom) forgets them all.
        """
        key = (font.pixelSize(), text)
        width = self._advances.get(key)
        if width is None:
            if len(self._advances) > ADVANCES_KEPT:
                self._advances.clear()
            width = self._advances[key] = QFontMetrics(font).horizontalAdvance(text)
        return width

    def cell_texts(self) -> list[list[str]]:
        """The numbers the cells show at the grid's current size ([] when too small for text)."""
        cell = self.cell_size()
        return self._cell_texts(cell) if cell >= MIN_CELL_FOR_TEXT else []

    def number_font(self, texts: list[list[str]] | None = None) -> QFont | None:
        """The font of the cells' numbers, or None when the cells are too small for them.

        At the current size and zoom; None means colours only. The font grows with the cell
        and shrinks to fit the widest number; numbers that would be smaller than
        ``MIN_TEXT_PIXELS`` are not written. ``texts`` are the cells' texts (default: the
        values' as ``cell_texts`` writes them).
        """
        cell = self.cell_size()
        if cell < MIN_CELL_FOR_TEXT:
            return None
        texts = self._cell_texts(cell) if texts is None else texts
        font = self._base_font(cell)
        widest = max(self._advance(font, t) for row in texts for t in row)
        size = _fitted_size(font.pixelSize(), widest, cell)
        if size < MIN_TEXT_PIXELS:
            return None
        font.setPixelSize(max(size, 1))
        return font

    def shows_numbers(self) -> bool:
        """Whether the cells show their numbers at the current size (see ``number_font``)."""
        return self.number_font() is not None

    def _outline_real_cells(self, painter: QPainter, pad: np.ndarray) -> None:
        """A dark frame around the real input, so padding reads as 'added around it'."""
        real = np.argwhere(~pad)
        if real.size == 0:
            return
        (r0, c0), (r1, c1) = real.min(axis=0), real.max(axis=0)
        top_left = self.cell_rect(int(r0), int(c0)).topLeft()
        bottom_right = self.cell_rect(int(r1), int(c1)).bottomRight()
        painter.setPen(QPen(QColor(70, 78, 92), 2, Qt.PenStyle.DashLine))
        painter.drawRect(QRectF(top_left, bottom_right))

    def paintEvent(self, event: QPaintEvent) -> None:
        """The ground (``gui.ground``), the cached cells, the hidden cells, the highlights."""
        if self._cache is None or self._cache.size() != self.size() * self.devicePixelRatioF():
            self._cache = self._render_cells()
        painter = QPainter(self)
        self._ground.fill(painter, event.rect())
        painter.drawPixmap(0, 0, self._cache)
        if self._revealed is not None:
            self._paint_hidden(painter, self._revealed)
        if self._highlights:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for highlight in self._highlights:
                self._paint_highlight(painter, highlight)
        painter.end()

    def _paint_hidden(self, painter: QPainter, revealed: int) -> None:
        """Blank out the cells not computed yet (everything after ``revealed`` in row order).

        Their outlines stay, so the map's final shape is visible from the start.

        A partial row and a block of whole rows: two fills and a few lines, however many
        cells are hidden (this runs on every animation step).
        """
        total = self.rows * self.cols
        if revealed >= total:
            return
        row, col = divmod(max(revealed, 0), self.cols)
        cell = self.cell_size()
        x0, y0 = self._origin()
        right, bottom = x0 + self.cols * cell, y0 + self.rows * cell
        painter.setPen(QPen(GRID_LINE, 1))
        lines: list[QLineF] = []
        if col > 0:
            top = y0 + row * cell
            left = x0 + col * cell
            painter.fillRect(QRectF(left, top, (self.cols - col) * cell, cell), HIDDEN_FILL)
            lines += [
                QLineF(x0 + c * cell, top, x0 + c * cell, top + cell)
                for c in range(col, self.cols + 1)
            ]
            lines += [QLineF(left, top, right, top), QLineF(left, top + cell, right, top + cell)]
            row += 1
        if row < self.rows:
            top = y0 + row * cell
            painter.fillRect(QRectF(x0, top, self.cols * cell, bottom - top), HIDDEN_FILL)
            lines += [
                QLineF(x0, y0 + r * cell, right, y0 + r * cell) for r in range(row, self.rows + 1)
            ]
            lines += [
                QLineF(x0 + c * cell, top, x0 + c * cell, bottom) for c in range(self.cols + 1)
            ]
        painter.drawLines(lines)

    def _paint_highlight(self, painter: QPainter, highlight: Highlight) -> None:
        cells = [(r, c) for r, c in highlight.cells if 0 <= r < self.rows and 0 <= c < self.cols]
        if not cells:
            return
        painter.setPen(QPen(highlight.colour, highlight.width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = highlight.width / 2
        if highlight.box:
            rows = [r for r, _ in cells]
            cols = [c for _, c in cells]
            rect = self.cell_rect(min(rows), min(cols)).united(self.cell_rect(max(rows), max(cols)))
            painter.drawRect(rect.adjusted(inset, inset, -inset, -inset))
            if len(cells) < (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1):
                # a dilated window: also mark the cells actually read
                painter.setPen(QPen(highlight.colour, max(1.5, highlight.width / 2)))
                for r, c in cells:
                    painter.drawRect(self.cell_rect(r, c).adjusted(3, 3, -3, -3))
        else:
            for r, c in cells:
                painter.drawRect(self.cell_rect(r, c).adjusted(inset, inset, -inset, -inset))

    # ----- mouse ----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Emit ``cellPressed`` for the cell under the mouse."""
        cell = self.cell_at(event.position().toPoint())
        self._pressed_button = event.button()
        self._last_cell = cell
        if cell is not None:
            self.cellPressed.emit(cell[0], cell[1], event.button())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Emit ``cellHovered`` (and ``cellDragged`` with a button held) on a new cell."""
        cell = self.cell_at(event.position().toPoint())
        if cell != self._last_cell:
            self._last_cell = cell
            if cell is None:
                self.cellHovered.emit(-1, -1)
            else:
                self.cellHovered.emit(cell[0], cell[1])
                if self._pressed_button is not None:
                    self.cellDragged.emit(cell[0], cell[1], self._pressed_button)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Emit ``strokeFinished`` after a press on the grid."""
        if self._pressed_button is not None:
            self._pressed_button = None
            self.strokeFinished.emit()

    def leaveEvent(self, event: object) -> None:
        """Emit ``cellHovered(-1, -1)``: the mouse left the grid."""
        self._last_cell = None
        self.cellHovered.emit(-1, -1)

    def grab_rect(self) -> QRect:
        """The part of the widget covered by cells (for exports)."""
        a = self.cell_rect(0, 0)
        b = self.cell_rect(self.rows - 1, self.cols - 1)
        return a.united(b).toAlignedRect()
