"""ProgressStrip: Train and Stop, a progress bar, and where the run is and how long it has left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from gui.training.chart_style import look_for, set_text_points
from gui.widgets import StaticText
from models.training.lab_text import progress_text

if TYPE_CHECKING:
    from models.training.history import RunProgress

PROGRESS_STEPS = 1000  # the bar counts in tenths of a percent
IDLE_TEXT = "No run yet: choose a network and press Train."
TEXT_POINTS = 10
SMALLEST_POINTS = 8  # a long progress line is written smaller, down to this, not wrapped


class ProgressStrip(QWidget):
    """[Train] [Stop] [=====      ], and below: Epoch 3 of 10 · step 120 of 600 · … left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Train the network with these settings (a new saved run)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip(
            "Stop after the current step; the run keeps its last weights as a usable model"
        )
        self.stop_button.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, PROGRESS_STEPS)
        self.bar.setTextVisible(False)
        # One line that never moves the layout: a new text is painted in place (a relayout
        # would resize and repaint every chart below while the network trains).
        self.text = StaticText(1, point_size=TEXT_POINTS, min_point_size=SMALLEST_POINTS)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.train_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.bar, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.text)
        self.show_progress(None)

    def show_progress(self, progress: RunProgress | None) -> None:
        """Show how far a run has come (None: no run)."""
        if progress is None:
            self.bar.setValue(0)
            self.text.setText(IDLE_TEXT)
            return
        self.bar.setValue(round(progress.fraction * PROGRESS_STEPS))
        self.text.setText(progress_text(progress))

    def set_presentation(self, on: bool) -> None:
        """The progress line as large as the charts' text in presentation mode, or as usual."""
        set_text_points(self.text, TEXT_POINTS, look_for(on))

    def set_running(self, running: bool, *, can_train: bool = True) -> None:
        """Enable Train or Stop."""
        self.train_button.setEnabled(not running and can_train)
        self.stop_button.setEnabled(running)
