"""PredictionPanel: the network's answer, large, and the probability of every class."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.digits.probability_chart import ProbabilityChart, percent_text
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from numpy.typing import NDArray


EMPTY_TEXT = "draw a digit"
ANSWER_COLOUR = "#00796b"
EMPTY_COLOUR = "#9aa3af"
ANSWER_POINTS = 64
SURE = 0.5  # below this, the runner-up is named too


class PredictionPanel(Panel):
    """The top class in large type with its probability, beside the bars of all classes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("The network's answer", parent)
        self.answer = QLabel()
        self._answer_style: tuple[int, str] | None = None
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setMinimumWidth(150)
        big = QFont(self.answer.font())
        big.setPointSize(ANSWER_POINTS)
        big.setBold(True)
        # Room for the big answer from the start: no re-layout when the first answer appears.
        self.answer.setMinimumHeight(QFontMetrics(big).height())
        self.detail = caption_label(size=12, colour="#222831")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart = ProbabilityChart()
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

    def set_labels(self, labels: tuple[str, ...]) -> None:
        self.chart.set_labels(labels)

    def show_empty(self) -> None:
        """Nothing drawn: an invitation, not a guess."""
        self._set_answer(EMPTY_TEXT, 20, EMPTY_COLOUR)
        self.detail.setText("The network answers as you draw.")
        self.chart.show_probabilities(None)

    def show_problem(self, text: str) -> None:
        self._set_answer("no answer", 20, EMPTY_COLOUR)
        self.detail.setText(text)
        self.chart.show_probabilities(None)

    def show_probabilities(self, probabilities: NDArray[np.float32]) -> tuple[str, float]:
        """Show the answer; returns it as (label, probability)."""
        labels = self.chart.labels
        order = np.argsort(probabilities)[::-1]
        top = int(order[0])
        probability = float(probabilities[top])
        self._set_answer(labels[top], ANSWER_POINTS, ANSWER_COLOUR)
        detail = f"probability {percent_text(probability)}"
        if probability < SURE and len(order) > 1:
            second = int(order[1])
            detail += f"\nor {labels[second]}? ({percent_text(float(probabilities[second]))})"
        self.detail.setText(detail)
        self.chart.show_probabilities(probabilities)
        return labels[top], probability

    def _set_answer(self, text: str, points: int, colour: str) -> None:
        if (points, colour) != self._answer_style:  # restyling is slow: only when it changes
            self._answer_style = (points, colour)
            font = self.answer.font()
            font.setPointSize(points)
            font.setBold(True)
            self.answer.setFont(font)
            self.answer.setStyleSheet(f"color: {colour};")
        self.answer.setText(text)
