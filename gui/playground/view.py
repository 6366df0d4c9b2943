"""PlaygroundView: the playground tab, built from its panels around one PlaygroundState."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas
from engine.drawings.samples import load_samples
from gui.playground.backprop_panel import BackpropPanel
from gui.playground.feature_map_panel import FeatureMapPanel
from gui.playground.filter_panel import FilterPanel
from gui.playground.input_panel import InputPanel
from gui.playground.lesson_header import LessonHeader
from gui.playground.parameter_panel import ParameterPanel
from gui.playground.player import Player
from gui.playground.state import PlaygroundState
from gui.playground.step_panel import StepPanel

if TYPE_CHECKING:
    from engine.animation.frames import Frame


class PlaygroundView(QWidget):
    """Input | filters | feature maps | parameters, above the step panel. Splitters resize."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = PlaygroundState(self)
        self.player = Player(self.state, self)
        self.header = LessonHeader(self.state)
        self.input_panel = InputPanel(self.state)
        self.filter_panel = FilterPanel(self.state)
        self.feature_maps = FeatureMapPanel(self.state)
        self.backprop_panel = BackpropPanel(self.state)
        self.parameters = ParameterPanel(self.state)
        self.steps = StepPanel(self.state, self.player)

        self.results = QStackedWidget()
        self.results.addWidget(self.feature_maps)
        self.results.addWidget(self.backprop_panel)

        self.columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns.setObjectName("playgroundColumns")
        for widget in (self.input_panel, self.filter_panel, self.results):
            self.columns.addWidget(widget)
        self.columns.setStretchFactor(0, 3)
        self.columns.setStretchFactor(1, 2)
        self.columns.setStretchFactor(2, 5)
        self.columns.setChildrenCollapsible(False)
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        self.bottom.setObjectName("playgroundBottom")
        self.bottom.addWidget(self.steps)
        self.bottom.addWidget(self.parameters)
        self.bottom.setStretchFactor(0, 3)
        self.bottom.setStretchFactor(1, 2)
        self.bottom.setChildrenCollapsible(False)
        self.rows = QSplitter(Qt.Orientation.Vertical)
        self.rows.setObjectName("playgroundRows")
        self.rows.addWidget(self.columns)
        self.rows.addWidget(self.bottom)
        self.rows.setStretchFactor(0, 3)
        self.rows.setStretchFactor(1, 1)
        self.rows.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.rows, 1)
        self._animation = self.state.animation
        self.state.frameChanged.connect(self._show_frame)
        self.input_panel.sampleRequested.connect(self.load_sample)
        self.input_panel.openImageRequested.connect(self.open_image)
        self._choose_results()

    def load_sample(self, digit: int) -> bool:
        """Put a gallery digit (28x28, ink = 1) into the input."""
        try:
            picture = load_samples().first_of(digit)
        except ValueError as exc:
            QMessageBox.warning(self, "No sample digits", str(exc))
            return False
        return self.state.edit(f"Sample digit {digit}", lambda s: s.with_picture(picture))

    def open_image(self, path: str | None = None) -> bool:
        """Put an image file, prepared like MNIST (28x28), into the input."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open Image", "", "Images (*.png *.jpg *.jpeg *.bmp);;All files (*)"
            )
            if not path:
                return False
        try:
            picture = to_mnist(load_canvas(path))
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot open the image", f"{exc}\n\nThe input is unchanged.")
            return False
        return self.state.edit("Open image", lambda s: s.with_picture(picture))

    def _show_frame(self, frame: Frame) -> None:
        """A frame of a new set-up may belong to the backprop lesson, or no longer."""
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self._choose_results()

    def _choose_results(self) -> None:
        """The backprop panel for the backprop lesson, else the feature maps and settings."""
        backprop = self._animation.backprop is not None
        self.results.setCurrentWidget(self.backprop_panel if backprop else self.feature_maps)
        self.parameters.setVisible(not backprop)

    def default_sizes(self, width: int, height: int) -> None:
        """Splitter sizes that suit a window of this size (before any saved layout)."""
        rest = max(width - 40, 600)
        self.columns.setSizes([int(rest * 0.30), int(rest * 0.20), int(rest * 0.50)])
        self.bottom.setSizes([int(rest * 0.56), int(rest * 0.44)])
        body = max(height - 200, 400)
        self.rows.setSizes([int(body * 0.64), int(body * 0.36)])
