"""PredictionPanel: the network's answer, large, and the probability of every class.

It paints an answer the engine worked out (``engine.network.answer_text``); class labels come
from the model file, so every text is shown as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from gui.digits.probability_chart import ProbabilityChart
from gui.widgets import Panel, SteadyLabel, set_text_colour, style_caption

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.network.answer_text import AnswerText


EMPTY_TEXT = "draw a digit"
ANSWER_COLOUR = "#00796b"
EMPTY_COLOUR = "#9aa3af"
ANSWER_POINTS = 64


class PredictionPanel(Panel):
    """The top class in large type with its probability, beside the bars of all classes."""

    answerClicked = Signal()
    """The user clicked the answer (to see how the network reached it)."""
    classClicked = Signal(int)
    """The user clicked the bar of class k."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("The network's answer", parent)
        self._empty_text = EMPTY_TEXT
        self.answer = SteadyLabel()
        self._answer_style: tuple[int, str] | None = None
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setMinimumWidth(150)
        big = QFont(self.answer.font())
        big.setPointSize(ANSWER_POINTS)
        big.setBold(True)
        # Room for the big answer from the start: no re-layout when the first answer appears.
        self.answer.setMinimumHeight(QFontMetrics(big).height())
        self.detail = style_caption(SteadyLabel(), size=12, colour="#222831")
        # Not selectable: a selectable label lays its text out as a document and relayouts the
        # window with each new probability (SteadyLabel paints a text that fits in place).
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setCursor(Qt.CursorShape.PointingHandCursor)
        self.answer.setToolTip("Click: the arithmetic of this answer (the last layer, softmax)")
        self.answer.installEventFilter(self)
        self.chart = ProbabilityChart()
        self.chart.setToolTip("Click a bar: the arithmetic of that class's probability")
        self.chart.barClicked.connect(self.classClicked)
        self.chart.setMinimumHeight(120)
        self.chart.setMaximumHeight(230)
        answer_column = QVBoxLayout()
        answer_column.addStretch(1)
        answer_column.addWidget(self.answer)
        answer_column.addWidget(self.detail)
        answer_column.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(answer_column)
        row.addWidget(self.chart, 1)
        self.body.addLayout(row, 1)
        self.show_empty()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click on the answer is ``answerClicked``."""
        if watched is self.answer and event.type() == QEvent.Type.MouseButtonRelease:
            self.answerClicked.emit()
            return True
        return super().eventFilter(watched, event)

    def set_labels(self, labels: tuple[str, ...]) -> None:
        """One bar per class label (for a new model)."""
        self.chart.set_labels(labels)

    def set_empty_text(self, text: str) -> None:
        """What to invite the user to do when there is no input ("draw a digit")."""
        self._empty_text = text

    def show_empty(self) -> None:
        """No input: an invitation, not a guess."""
        self._set_answer(self._empty_text, 20, EMPTY_COLOUR)
        self.detail.setText(
            "The network answers as you draw."
            if self._empty_text == EMPTY_TEXT
            else "The network answers when a picture is open."
        )
        self.chart.show_probabilities(None)

    def show_problem(self, text: str) -> None:
        """No answer, and why."""
        self._set_answer("no answer", 20, EMPTY_COLOUR)
        self.detail.setText(text)
        self.chart.show_probabilities(None)

    def show_answer(self, answer: AnswerText, probabilities: NDArray[np.float32], top: int) -> None:
        """Show the answer in words and the bars of ``probabilities`` (K,), class ``top`` lit."""
        self._set_answer(answer.answer, ANSWER_POINTS, ANSWER_COLOUR)
        self.detail.setText(answer.detail)
        self.chart.show_probabilities(probabilities, top, answer.bar_labels)

    def _set_answer(self, text: str, points: int, colour: str) -> None:
        if (points, colour) != self._answer_style:  # restyling is slow: only when it changes
            self._answer_style = (points, colour)
            font = self.answer.font()
            font.setPointSize(points)
            font.setBold(True)
            self.answer.setFont(font)
            set_text_colour(self.answer, colour)
        self.answer.setText(text)
