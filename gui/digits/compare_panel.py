"""ComparePanel: a second network's answer beside the lab's own, and how the drawing is fed.

"Why convolution" (KLDL: feed-forward networks have little or no invariance to shifting): the
student picks a second model (the shipped dense network by default), chooses whether the drawing
is centred like MNIST or fed raw, moves the input with the arrow keys and watches which
network keeps its answer. The panel only paints what the engine worked out
(``engine.network.comparison.Comparison``); names from model files are plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.drawings.digit_shift import FRAMING_TEXT, FRAMING_TIPS, FRAMINGS
from gui.digits.probability_chart import ProbabilityChart
from gui.widgets import Panel, SteadyLabel, set_text_colour

if TYPE_CHECKING:
    from engine.drawings.digit_shift import Framing
    from engine.network.comparison import Comparison

NOTHING, DENSE, OTHER = 0, 1, 2
CHOICES = ("nothing", "the dense network (MLP)", "another model…")
ANSWER_POINTS = 22
CHART_HEIGHT = 110
ANSWER_COLOUR = "#6a1b9a"
EMPTY_COLOUR = "#9aa3af"


class ComparePanel(Panel):
    """Compare with: [model], Input: [framing], the shift, and the second model's answer."""

    compareChosen = Signal(int)
    """The user chose what to compare with: NOTHING, DENSE or OTHER (a file to choose)."""
    framingChosen = Signal(str)
    """The user chose how the drawing becomes the input: "mnist" or "raw"."""
    shiftReset = Signal()
    """The user asked to put the input back where the framing puts it."""
    chartRequested = Signal()
    """The user asked for the shift chart (both models' accuracy on shifted test digits)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Compare two networks", parent)
        self.model_box = QComboBox()
        self.model_box.addItems(CHOICES)
        self.model_box.setToolTip(
            "A second network answers the same input, live: the shipped dense network has no "
            "convolution, so moving the digit shows what convolution adds"
        )
        self.model_box.activated.connect(self.compareChosen)
        self.framing_box = QComboBox()
        for index, framing in enumerate(FRAMINGS):
            self.framing_box.addItem(FRAMING_TEXT[framing], framing)
            self.framing_box.setItemData(index, FRAMING_TIPS[framing], Qt.ItemDataRole.ToolTipRole)
        self.framing_box.setToolTip("How your drawing becomes the 28 × 28 input of both networks")
        self.framing_box.activated.connect(lambda index: self.framingChosen.emit(FRAMINGS[index]))
        self.shift = QLabel()  # one line: a wrapped label would not get its height here
        self.shift.setToolTip(
            "Click the canvas, then ← ↑ → ↓ move the 28 × 28 input one pixel (Ctrl+Z undoes)"
        )
        self.shift.setTextFormat(Qt.TextFormat.PlainText)
        set_text_colour(self.shift, "#222831")
        self.reset_button = QPushButton("Put back")
        self.reset_button.setMinimumWidth(0)
        self.reset_button.setToolTip("Undo every move of the input (Ctrl+Z undoes one)")
        self.reset_button.clicked.connect(self.shiftReset)
        self.reset_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows keep moving the input
        self.chart_button = QPushButton("Shift chart…")
        self.chart_button.setToolTip(
            "Both networks' accuracy on 1,000 MNIST test digits moved by 0 to 8 pixels"
        )
        self.chart_button.clicked.connect(self.chartRequested)
        self.chart_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        first = QHBoxLayout()  # short rows: the right column can be narrow
        first.addWidget(QLabel("Compare with"))
        first.addWidget(self.model_box, 1)
        second = QHBoxLayout()
        second.addWidget(QLabel("Input"))
        second.addWidget(self.framing_box, 1)
        third = QHBoxLayout()
        third.addWidget(self.shift, 1)
        third.addWidget(self.reset_button)
        third.addWidget(self.chart_button)
        self.answer = SteadyLabel()
        self._answer_colour = ""
        self._result_tip = ""
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setMinimumWidth(110)
        font = self.answer.font()
        font.setPointSize(ANSWER_POINTS)
        font.setBold(True)
        self.answer.setFont(font)
        self.detail = SteadyLabel()
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart = ProbabilityChart()
        self.chart.setFixedHeight(CHART_HEIGHT)
        answer_column = QVBoxLayout()
        answer_column.setSpacing(0)
        answer_column.addWidget(self.answer)
        answer_column.addWidget(self.detail)
        answer_column.addStretch(1)
        self.result = QWidget()
        result_row = QHBoxLayout(self.result)
        result_row.setContentsMargins(0, 0, 0, 0)
        result_row.addLayout(answer_column)
        result_row.addWidget(self.chart, 1)
        self.body.setSpacing(2)
        self.body.addLayout(first)
        self.body.addLayout(second)
        self.body.addLayout(third)
        self.body.addWidget(self.result)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.show_shift("not moved", moved=False)
        self.show_comparison(None)

    def show_choice(self, choice: int) -> None:
        """Show what is compared with (no signal)."""
        self.model_box.setCurrentIndex(choice)

    def show_framing(self, framing: Framing) -> None:
        """Show the framing in use (no signal)."""
        self.framing_box.setCurrentIndex(FRAMINGS.index(framing))

    def show_shift(self, text: str, *, moved: bool) -> None:
        """The input's move in words ("2 px right"), and whether "Put back" has work to do."""
        self.shift.setText(text[:1].upper() + text[1:])
        self.reset_button.setEnabled(moved)

    def show_comparison(self, comparison: Comparison | None) -> None:
        """The second model's answer and bars; None hides them."""
        self.result.setVisible(comparison is not None)
        if comparison is None:
            return
        tip = f"{comparison.name}: its answer for the same input"
        if tip != self._result_tip:  # a new tool tip is an event for every filter
            self._result_tip = tip  # (not read back: the plain-text guard may escape it)
            self.result.setToolTip(tip)
        labels = comparison.model.model.class_labels
        if self.chart.labels != labels:
            self.chart.set_labels(labels)
        run, answer = comparison.run, comparison.answer
        if run is None or answer is None:
            self._answer("no answer" if comparison.problem else "–", EMPTY_COLOUR)
            self.detail.setText(comparison.problem or "It answers as you draw.")
            self.chart.show_probabilities(None)
            return
        self._answer(answer.answer, ANSWER_COLOUR)
        self.detail.setText(answer.detail)
        self.chart.show_probabilities(run.probabilities, run.prediction.index, answer.bar_labels)

    def _answer(self, text: str, colour: str) -> None:
        if colour != self._answer_colour:  # restyling is slow: only when it changes
            self._answer_colour = colour
            set_text_colour(self.answer, colour)
        self.answer.setText(text)
