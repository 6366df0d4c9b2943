"""ClassResultsView: how well each digit is recognised after an epoch, and what it is taken for.

Per-class accuracy as ten bars, and the confusion matrix (rows: the true digit, columns: the
digit the network answered) with each cell's count written in it and its shade the fraction of
its row, measured on the 10,000 test images (as Teachable Machine shows after training). The
cells off the diagonal, the mistakes, have their counts written in them. The bars, the shades
and the counts can each be drawn on their own (`show_bars`, `show_matrix`, `show_counts`), so
that the lab draws them in different passes of the event loop.
"""

from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QTransform
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QVBoxLayout,
    QWidget,
)

from gui.colours import ColourScale
from gui.flat_bars import FlatBars
from gui.training.chart_style import (
    TEXT,
    USUAL_LOOK,
    PercentAxis,
    cached_axes,
    look_for,
    set_text_points,
    style_axes,
)
from gui.widgets import StaticText
from models.training.contract import CLASS_LABELS, NUM_CLASSES
from models.training.history import confusion_fractions, worst_digit
from models.training.lab_text import percent_text

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from models.training.protocol import Validation

BAR = QColor(150, 166, 186)
WORST = QColor(230, 97, 1)
LIGHT_TEXT = QColor(255, 255, 255)
DARK_CELL = 0.5  # cells darker than half their row's images get white text
LUT_SIZE = 256
MIN_CELL_PX = 26  # smaller cells show no counts (they would overlap)
SPARSE_LABELS = 3  # a matrix too small for a label per digit is labelled 0, 3, 6, 9
COUNT_POINTS = 7.0
EMPTY_CAPTION = "Per-class accuracy and the confusion matrix appear after an epoch."
CAPTION_LINES = 3
CAPTION_POINTS = 10
CAPTION_SMALLEST_POINTS = 8
DIGIT_TICKS = [[(float(digit), label) for digit, label in enumerate(CLASS_LABELS)]]
PERCENT_TICKS = [[(fraction, percent_text(fraction, 0)) for fraction in (0.0, 0.5, 1.0)]]


def ink_table() -> np.ndarray:
    """256 colours from white paper (0) to dark ink (1)."""
    rgb = ColourScale("image").rgb(np.linspace(0.0, 1.0, LUT_SIZE))
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def centre_on_position(text: QGraphicsSimpleTextItem) -> None:
    """Shift the text by half its size, so that its position is its centre."""
    box = text.boundingRect()
    text.setTransform(QTransform.fromTranslate(-box.width() / 2, -box.height() / 2))


class ClassResultsView(QWidget):
    """Per-class accuracy bars over the confusion matrix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Painted in place: a caption that changes each epoch never moves the layout.
        self.caption = StaticText(
            CAPTION_LINES, point_size=CAPTION_POINTS, min_point_size=CAPTION_SMALLEST_POINTS
        )
        self.caption.setText(EMPTY_CAPTION)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.bars_plot = self.graphics.addPlot(axisItems=cached_axes(PercentAxis("left")))
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_plot.setMenuEnabled(False)
        self.bars_plot.hideButtons()
        self.bars_plot.getAxis("bottom").setTicks(DIGIT_TICKS)
        self.bars_plot.setYRange(0.0, 1.0, padding=0.02)
        self.bars_plot.getAxis("left").setTicks(PERCENT_TICKS)  # a short plot: three labels
        self.bars_plot.setXRange(-0.6, NUM_CLASSES - 0.4, padding=0)
        self.bars = FlatBars(
            x=np.arange(NUM_CLASSES), height=np.zeros(NUM_CLASSES), width=0.7, brush=BAR
        )
        self.bars_plot.addItem(self.bars)
        self.graphics.nextRow()
        self.matrix_plot = self.graphics.addPlot(axisItems=cached_axes())
        self.matrix_plot.setMouseEnabled(x=False, y=False)
        self.matrix_plot.setMenuEnabled(False)
        self.matrix_plot.hideButtons()
        self.matrix_plot.invertY(True)
        self.matrix_plot.setAspectLocked(True)
        self.matrix_plot.setLabel("left", "true digit")
        self.matrix_plot.setLabel("bottom", "answered")
        self._labelled_every = 0  # every how many digits the matrix's sides are labelled
        self._label_digits(1)
        self.matrix = pg.ImageItem(axisOrder="row-major")
        self.matrix.setLookupTable(ink_table())
        self.matrix_plot.addItem(self.matrix)
        self.look = USUAL_LOOK
        self.counts: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        for row, column in product(range(NUM_CLASSES), repeat=2):
            self.counts[row, column] = self._count_item(row, column)
        self.graphics.ci.layout.setRowStretchFactor(0, 1)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        column_layout = QVBoxLayout(self)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(self.caption)
        column_layout.addWidget(self.graphics, 1)
        self.show_validation(None, 0)

    def _count_item(self, row: int, column: int) -> QGraphicsSimpleTextItem:
        """The text of cell (row, column): centred on the cell, the same size at any zoom.

        A QGraphicsSimpleTextItem (a few microseconds to change) rather than pyqtgraph's
        TextItem (a QTextDocument each, ~0.2 ms to change: 20 ms for a new epoch's counts).
        """
        text = QGraphicsSimpleTextItem("")
        text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        text.setFont(self._count_font())
        text.setBrush(TEXT)
        text.setPos(column + 0.5, row + 0.5)  # the centre of cell (row, column)
        self.matrix_plot.addItem(text, ignoreBounds=True)
        return text

    def _count_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self.look.points(COUNT_POINTS))
        return font

    def set_presentation(self, on: bool) -> None:
        """Axis text and counts readable from the back of a room (`PRESENTATION_LOOK`), or not."""
        self.look = look_for(on)
        set_text_points(self.caption, CAPTION_POINTS, self.look)
        for plot in (self.bars_plot, self.matrix_plot):
            style_axes(plot, self.look)
        font = self._count_font()
        for text in self.counts.values():
            text.setFont(font)
            centre_on_position(text)
        self._fit_counts()

    def show_validation(self, validation: Validation | None, epoch: int) -> None:
        """Show an epoch's measures on the test images (None: empty), all at once."""
        self.show_bars(validation, epoch)
        self.show_matrix(validation)
        self.show_counts(validation)

    def show_bars(self, validation: Validation | None, epoch: int) -> None:
        """The per-class accuracy bars (the worst digit's in orange) and the caption."""
        if validation is None:
            self.bars.setOpts(height=np.zeros(NUM_CLASSES), brushes=[BAR] * NUM_CLASSES)
            self.caption.setText(EMPTY_CAPTION)
            return
        per_class = np.array(validation.per_class_accuracy, np.float64)
        worst = worst_digit(validation)
        brushes = [WORST if digit == worst else BAR for digit in range(NUM_CLASSES)]
        self.bars.setOpts(height=per_class, brushes=brushes)
        when = "before training" if epoch == 0 else f"after epoch {epoch}"
        self.caption.setText(
            f"Test images {when}: accuracy per digit (worst: {CLASS_LABELS[worst]}) and the "
            "confusion matrix (rows: the true digit; columns: the answer; numbers: mistakes)."
        )

    def show_matrix(self, validation: Validation | None) -> None:
        """The confusion matrix's shades: each cell's fraction of its row (its true digit)."""
        fractions = (
            np.zeros((NUM_CLASSES, NUM_CLASSES))
            if validation is None
            else confusion_fractions(validation)
        )
        self.matrix.setImage(fractions, autoLevels=False, levels=(0.0, 1.0))

    def show_counts(self, validation: Validation | None) -> None:
        """The mistakes' counts in the cells off the diagonal (white on the dark cells)."""
        fractions = None if validation is None else confusion_fractions(validation)
        for (row, column), text in self.counts.items():
            count = 0 if validation is None else validation.confusion[row][column]
            shown = f"{count:,}" if count and row != column else ""
            if text.text() != shown:
                text.setText(shown)
                centre_on_position(text)
            if shown and fractions is not None:
                text.setBrush(LIGHT_TEXT if fractions[row, column] > DARK_CELL else TEXT)
        self._fit_counts()

    def _label_digits(self, every: int) -> None:
        """Label the matrix's rows and columns with every digit, or every `every`th one.

        Cells smaller than a label (a small window, presentation mode's larger text) would
        make the labels run into each other: then 0, 3, 6 and 9 only.
        """
        if every == self._labelled_every:
            return
        self._labelled_every = every
        centres = [(digit + 0.5, label) for digit, label in enumerate(CLASS_LABELS)]
        for side in ("left", "bottom"):
            self.matrix_plot.getAxis(side).setTicks([centres[::every]])

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Show the counts only while the cells are large enough to hold them."""
        super().resizeEvent(event)
        self._fit_counts()

    def _fit_counts(self) -> None:
        room = self.matrix_plot.getViewBox().sceneBoundingRect()  # the square matrix fits in it
        cell = min(room.width(), room.height()) / NUM_CLASSES
        visible = cell >= MIN_CELL_PX * self.look.text  # the smallest cell grows with the text
        font = self.matrix_plot.getAxis("left").style["tickFont"] or QApplication.font()
        self._label_digits(1 if cell >= QFontMetricsF(font).height() else SPARSE_LABELS)
        for text in self.counts.values():
            if text.isVisible() != visible:
                text.setVisible(visible)
