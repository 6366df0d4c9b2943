"""VectorTableView: a vector lesson's table, one row per class (or layer), painted from a frame.

The engine says what the table holds (``engine.animation.vector_frames.VectorTable``: columns
of numbers or texts, totals) and, per frame, how many rows of each column are computed and
which row the step computes. This widget only paints that: numbers written by the engine's
rule (``engine.animation.numbers``; a cell too narrow for all digits rounds them, never cuts
them), a bar behind probabilities (0 to 1), texts wrapped to their column, the current row
tinted and outlined, cells not yet computed left blank. It asks for the width its columns
need at their narrowest, so nothing is ever cut, and writes larger (up to ``MAX_SCALE`` times
its font) when it is given more room, so that a table alone in the panel reads from the back
of a lecture hall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.animation.numbers import GENERAL, cell_candidates, cell_text
from gui.colours import CURRENT, GRID_LINE, HIDDEN_FILL
from gui.zoom import scaled

if TYPE_CHECKING:
    from collections.abc import Mapping

    from PySide6.QtGui import QPaintEvent, QResizeEvent

    from engine.animation.frames import MapKey
    from engine.animation.vector_frames import TableColumn, VectorTable

PADDING = 6
"""Pixels on each side of a cell's text (at zoom 1)."""
BAR = QColor(255, 204, 128)
CURRENT_FILL = QColor(224, 242, 241)
HEADER_FILL = QColor(240, 242, 246)
TEXT = QColor(34, 40, 49)
UNBREAKABLE = 10_000
MAX_SCALE = 2.0
"""The most the table's font grows in a large panel."""
SCALE_STEP = 0.05


class VectorTableView(QWidget):
    """The table of a vector lesson (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table: VectorTable | None = None
        self._revealed: Mapping[MapKey, int] = {}
        self._row: int | None = None
        self._scale = 1.0
        expanding = QSizePolicy.Policy.Expanding
        self.setSizePolicy(expanding, expanding)

    # ----- data -----------------------------------------------------------------------------
    def set_table(self, table: VectorTable | None) -> None:
        """Show another table (None: nothing)."""
        self._table = table
        self._revealed = {}
        self._row = None
        self._fit_scale()
        self.updateGeometry()
        self.update()

    def set_frame(self, revealed: Mapping[MapKey, int], row: int | None) -> None:
        """How many rows of each column (and which totals) are shown, and the current row."""
        self._revealed = revealed
        self._row = row
        self.update()

    @property
    def table(self) -> VectorTable | None:
        """The table shown."""
        return self._table

    @property
    def current_row(self) -> int | None:
        """The row the step computes (highlighted), or None."""
        return self._row

    def shown_rows(self, column: int) -> int:
        """How many rows of column ``column`` (0 = the first after the row names) are shown."""
        if self._table is None:
            return 0
        key = self._table.columns[column].key
        return self._revealed.get(key, len(self._table.row_names))

    def cell_text(self, row: int, column: int) -> str:
        """The text painted in a cell ("" while it is not computed), at the current width."""
        if self._table is None or row >= self.shown_rows(column):
            return ""
        widths = self._column_widths(self.width())
        return self._text(self._table.columns[column], row, widths[column + 1])

    @property
    def scale(self) -> float:
        """How much larger than the widget's font the table is written (1 to ``MAX_SCALE``)."""
        return self._scale

    def shown_totals(self) -> list[str]:
        """The totals under the table that are computed at this frame."""
        if self._table is None:
            return []
        return [t.text for t in self._table.totals if self._revealed.get(t.key, 1)]

    # ----- measuring ------------------------------------------------------------------------
    def _font(self, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * self._scale)
        font.setBold(bold)
        return font

    def _metrics(self, bold: bool = False) -> QFontMetrics:
        return QFontMetrics(self._font(bold))

    def _pad(self) -> int:
        return round(scaled(PADDING) * self._scale)

    def _fit_scale(self) -> None:
        """The largest font scale at which every column has its natural width and every row fits."""
        self._scale = 1.0
        if self._table is None:
            return
        width, height = self.width(), self.height()
        steps = round((MAX_SCALE - 1.0) / SCALE_STEP)
        for n in range(steps, 0, -1):
            self._scale = 1.0 + n * SCALE_STEP
            natural = sum(self._column_widths(UNBREAKABLE * 100))
            if natural <= width and self._height_for(natural) <= height:
                return
        self._scale = 1.0

    def _natural_and_least(self, column: TableColumn | None) -> tuple[int, int]:
        """The width a column asks for (every digit, every line unwrapped), and its least."""
        table = self._table
        assert table is not None
        plain, bold = self._metrics(), self._metrics(bold=True)
        if column is None:  # the row names
            texts = [table.row_header, *table.row_names]
            width = max(bold.horizontalAdvance(t) for t in texts)
            return width + 2 * self._pad(), width + 2 * self._pad()
        header = bold.horizontalAdvance(column.name)
        if column.values is not None:
            candidates = [cell_candidates(float(v), GENERAL) for v in column.values]
            natural = max(plain.horizontalAdvance(c[0]) for c in candidates)
            least = max(plain.horizontalAdvance(c[-1]) for c in candidates)
        else:
            # a pixel or two over the measured advance: a scaled font's text never wraps
            natural = max(plain.horizontalAdvance(t) for t in column.texts) + scaled(2)
            least = max(plain.horizontalAdvance(w) for t in column.texts for w in t.split())
        pad = 2 * self._pad()
        return max(header, natural) + pad, max(header, least) + pad

    def _column_widths(self, width: int) -> list[int]:
        """Widths of the row-name column and every column, for a widget ``width`` wide."""
        table = self._table
        if table is None:
            return []
        sizes = [self._natural_and_least(None)]
        sizes += [self._natural_and_least(column) for column in table.columns]
        natural = sum(n for n, _ in sizes)
        least = sum(m for _, m in sizes)
        if width >= natural or natural == least:
            return [n for n, _ in sizes]
        # too narrow for every column's natural width: the widest give up room first (each
        # column at most ``cap`` wide, never under its least), the narrow keep every digit
        low, high = 0, max(n for n, _ in sizes)
        while low < high:
            cap = (low + high + 1) // 2
            if sum(max(m, min(n, cap)) for n, m in sizes) <= width:
                low = cap
            else:
                high = cap - 1
        return [max(m, min(n, low)) for n, m in sizes]

    def _line_height(self) -> int:
        return self._metrics().lineSpacing() + round(scaled(2) * self._scale)

    def _row_heights(self, widths: list[int]) -> list[int]:
        table = self._table
        assert table is not None
        line = self._line_height()
        heights = []
        for row in range(len(table.row_names)):
            height = line
            for column, width in zip(table.columns, widths[1:], strict=True):
                if column.values is None and row < len(column.texts):
                    height = max(height, self._wrapped(column.texts[row], width).height() + 4)
            heights.append(height)
        return heights

    def _wrapped(self, text: str, width: int) -> QRect:
        inner = max(width - 2 * self._pad(), 1)
        flags = int(Qt.TextFlag.TextWordWrap)
        return self._metrics().boundingRect(0, 0, inner, UNBREAKABLE, flags, text)

    def _totals_height(self) -> int:
        table = self._table
        return 0 if table is None else len(table.totals) * self._line_height()

    def _height_for(self, width: int) -> int:
        if self._table is None:
            return 0
        widths = self._column_widths(width)
        return self._line_height() + sum(self._row_heights(widths)) + self._totals_height() + 2

    def sizeHint(self) -> QSize:
        """Every column at its natural width, every row on one line (the font unscaled)."""
        scale, self._scale = self._scale, 1.0
        try:
            if self._table is None:
                return QSize(0, 0)
            width = sum(self._column_widths(UNBREAKABLE * 100)) + 2
            return QSize(width, self._height_for(width))
        finally:
            self._scale = scale

    def minimumSizeHint(self) -> QSize:
        """The narrowest columns that cut nothing, and the height the rows need.

        The height is the one at the width the table has now (texts wrapped as they are
        painted), with the font unscaled.
        """
        scale, self._scale = self._scale, 1.0
        try:
            if self._table is None:
                return QSize(0, 0)
            width = sum(m for _, m in self._all_least()) + 2
            return QSize(width, self._height_for(max(width, self.width())))
        finally:
            self._scale = scale

    def _all_least(self) -> list[tuple[int, int]]:
        table = self._table
        assert table is not None
        return [self._natural_and_least(None)] + [self._natural_and_least(c) for c in table.columns]

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Another size may take another font scale."""
        super().resizeEvent(event)
        self._fit_scale()
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the least height depends on the width (wrapped texts)

    # ----- painting -------------------------------------------------------------------------
    def _left(self, widths: list[int]) -> int:
        """Where the table starts: centred in the widget."""
        return max(0, (self.width() - sum(widths)) // 2)

    def _text(self, column: TableColumn, row: int, width: int) -> str:
        if column.values is None:
            return column.texts[row] if row < len(column.texts) else ""
        inner = width - 2 * self._pad()
        metrics = self._metrics()
        return cell_text(
            float(column.values[row]), GENERAL, lambda t: metrics.horizontalAdvance(t) <= inner
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """The header, the rows (blank until computed), the current row, the totals."""
        table = self._table
        if table is None:
            return
        painter = QPainter(self)
        widths = self._column_widths(self.width())
        left = self._left(widths)
        painter.translate(left, 0)  # centred in a panel wider than the table
        heights = self._row_heights(widths)
        line = self._line_height()
        total_width = sum(widths)
        painter.fillRect(QRect(0, 0, total_width, line), HEADER_FILL)
        bold = self._font(bold=True)
        painter.setFont(bold)
        painter.setPen(TEXT)
        x = 0
        headers = [table.row_header, *(c.name for c in table.columns)]
        for width, header in zip(widths, headers, strict=True):
            rect = QRect(x + self._pad(), 0, width - 2 * self._pad(), line)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             header)  # fmt: skip
            x += width
        y = line
        for row, height in enumerate(heights):
            self._paint_row(painter, row, y, height, widths)
            y += height
        painter.setPen(QPen(GRID_LINE, 1))
        painter.drawLine(0, line, total_width, line)
        painter.drawLine(0, y, total_width, y)
        painter.setFont(bold)
        painter.setPen(TEXT)
        for total in table.totals:
            if self._revealed.get(total.key, 1):
                rect = QRect(self._pad(), y, max(self.width() - left - 2 * self._pad(), 1), line)
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter), total.text)
            y += line
        painter.end()

    def _paint_row(
        self, painter: QPainter, row: int, y: int, height: int, widths: list[int]
    ) -> None:
        table = self._table
        assert table is not None
        current = row == self._row
        total_width = sum(widths)
        if current:
            painter.fillRect(QRect(0, y, total_width, height), CURRENT_FILL)
        painter.setFont(self._font(bold=True))
        painter.setPen(TEXT)
        flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        painter.drawText(QRect(self._pad(), y, widths[0] - 2 * self._pad(), height), flags,
                         table.row_names[row])  # fmt: skip
        painter.setFont(self._font())
        x = widths[0]
        for j, (column, width) in enumerate(zip(table.columns, widths[1:], strict=True)):
            cell = QRect(x, y, width, height)
            if row >= self.shown_rows(j):
                painter.fillRect(cell.adjusted(1, 1, -1, -1), HIDDEN_FILL)
            else:
                if column.bar and column.values is not None:
                    fraction = min(max(float(column.values[row]), 0.0), 1.0)
                    bar = QRectF(x + 1, y + 3, (width - 2) * fraction, height - 6)
                    painter.fillRect(bar, BAR)
                painter.setPen(TEXT)
                inner = cell.adjusted(self._pad(), 0, -self._pad(), 0)
                wrap = int(Qt.TextFlag.TextWordWrap) if column.values is None else 0
                painter.drawText(inner, flags | wrap, self._text(column, row, width))
            x += width
        if current:
            painter.setPen(QPen(CURRENT, 2))
            painter.drawRect(QRect(1, y + 1, total_width - 2, height - 2))
