"""PlaygroundView: the playground tab, built from its panels around one PlaygroundState."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas
from engine.drawings.samples import load_samples
from gui.follow import follow_marks
from gui.playground.backprop_panel import BackpropPanel
from gui.playground.feature_map_panel import FeatureMapPanel
from gui.playground.filter_panel import FilterPanel
from gui.playground.input_panel import InputPanel
from gui.playground.lesson_header import LessonHeader
from gui.playground.parameter_panel import ParameterPanel
from gui.playground.player import Player
from gui.playground.state import PlaygroundState
from gui.playground.step_panel import StepPanel
from gui.playground.vector_panel import VectorPanel

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent

    from engine.animation.frames import Animation, Frame
    from engine.animation.vector_frames import VectorAnimation, VectorFrame

PRESENTED = (0.22, 0.22, 0.56)
"""Presentation mode's shares of the width: input, filters, feature maps."""
RETURN_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter)
"""Keys that end typing in a field and give the keyboard back to the animation."""


class PlaygroundView(QWidget):
    """Input | filters | feature maps, above the step panel and the layer settings.

    Splitters resize the panels. The maps and filters scroll to follow the animation (the
    cells the step reads and computes stay in view); Escape or Enter in a field gives the
    keyboard back to the animation; presentation mode leaves the input, the filters, the maps
    and the step.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = PlaygroundState(self)
        self.player = Player(self.state, self)
        self.header = LessonHeader(self.state)
        self.input_panel = InputPanel(self.state)
        self.filter_panel = FilterPanel(self.state)
        self.feature_maps = FeatureMapPanel(self.state)
        self.backprop_panel = BackpropPanel(self.state)
        self.vector_panel = VectorPanel(self.state)
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
        self.stage = QStackedWidget()  # the columns, or a vector lesson's panel in their place
        self.stage.addWidget(self.columns)
        self.stage.addWidget(self.vector_panel)
        self.rows.addWidget(self.stage)
        self.rows.addWidget(self.bottom)
        self.rows.setStretchFactor(0, 3)
        self.rows.setStretchFactor(1, 1)
        self.rows.setChildrenCollapsible(False)

        self.bottom.installEventFilter(self)  # its content may need more height: give it
        self.rows.installEventFilter(self)
        self._maps = self.feature_maps.scroll_area.widget()
        if self._maps is not None:  # the maps got another size (a zoom): follow again
            self._maps.installEventFilter(self)
        self._room_check_due = False
        self._presenting = False
        self._sizes_before: tuple[list[int], list[int]] | None = None
        self._presentation_sizes_due = False
        self._shares_given = False  # default_sizes ran (the window calls it, then restores)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.steps.transport)
        self._animation: Animation | VectorAnimation = self.state.animation
        self.state.frameChanged.connect(self._show_frame)
        self.state.vectorFrameChanged.connect(self._show_vector_frame)
        self.state.vectorFrameChanged.connect(self.steps.show_frame)  # the same step controls
        scrubber = self.steps.scrubber  # dragging holds playback; it goes on from the release
        scrubber.sliderPressed.connect(lambda: self.player.hold(True))
        scrubber.sliderReleased.connect(lambda: self.player.hold(False))
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
        except (ValueError, MemoryError) as exc:  # MemoryError (no message): a huge picture
            problem = str(exc) or f"{path} has too many pixels for the memory this computer has"
            QMessageBox.warning(
                self, "Cannot open the image", f"{problem}\n\nThe input is unchanged."
            )
            return False
        return self.state.edit("Open image", lambda s: s.with_picture(picture))

    def _show_frame(self, frame: Frame) -> None:
        """Follow the frame's cells, and show a new set-up's panels.

        A new set-up may belong to the backprop lesson, or no longer, and its texts need
        their own room.
        """
        new_set_up = frame.animation is not self._animation
        if new_set_up:
            self._animation = frame.animation
            self._choose_results()
            self.steps.position_label.reset_room()
            self.steps.arithmetic.reset_room()
            QTimer.singleShot(0, self, self.follow)  # again once the new layout has settled
        self.follow()

    def _show_vector_frame(self, frame: VectorFrame) -> None:
        """A vector lesson's frame: its panel in place of the columns, for a new lesson."""
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self._choose_results()
            self.steps.position_label.reset_room()
            self.steps.arithmetic.reset_room()

    def animated_panels(self) -> QWidget:
        """The panels an exported animation shows: input, filters, maps, step, settings."""
        return self.rows

    def follow(self) -> None:
        """Scroll the feature maps to the cells the current frame reads and computes."""
        panel = self.feature_maps
        follow_marks(panel.scroll_area, panel.grids(), self.state.frame.marks)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: only the input, the filters, the maps and the step are shown.

        The lesson's text, the input's tools and gallery, the hints and the layer settings
        are hidden until ``on`` is False again.
        """
        if on == self._presenting:
            return
        self._presenting = on
        self.header.set_presentation(on)
        self.input_panel.set_presentation(on)
        self.filter_panel.set_presentation(on)
        self.vector_panel.set_presentation(on)
        self._choose_results()
        if on:  # the maps get the room the settings and tools leave
            self._sizes_before = (self.columns.sizes(), self.rows.sizes())
            self._presentation_sizes_due = True
            if self.isVisible():
                self._apply_presentation_sizes()
        elif self._sizes_before is not None:
            self._presentation_sizes_due = False
            columns, rows = self._sizes_before
            self.columns.setSizes(columns)
            self.rows.setSizes(rows)

    def _apply_presentation_sizes(self) -> None:
        """Presentation mode's shares of the width: most of it for the maps."""
        self._presentation_sizes_due = False
        rest = sum(self.columns.sizes())
        self.columns.setSizes(
            [int(rest * PRESENTED[0]), int(rest * PRESENTED[1]), int(rest * PRESENTED[2])]
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the maps again when they were resized; check the step's room.

        The step and the settings must keep the room they need when the step asked for a new
        layout or the rows were resized. Never consumes the event.
        """
        kind = event.type()
        if watched is self._maps and kind == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self.follow)
            return False
        asked = watched is self.bottom and kind == QEvent.Type.LayoutRequest
        resized = watched is self.rows and kind == QEvent.Type.Resize
        if (asked or resized) and not self._room_check_due:
            self._room_check_due = True
            QTimer.singleShot(0, self, self._keep_bottom_room)
        return False

    def _keep_bottom_room(self) -> None:
        """Move the rows' handle so that the step and the settings are not cut.

        A splitter does not move its handle when a pane's minimum height grows (a taller
        arithmetic, a three-channel dot product).
        """
        self._room_check_due = False
        top, bottom = self.rows.sizes()
        needed = self.bottom.minimumSizeHint().height()
        if bottom < needed <= top + bottom - self.stage.minimumSizeHint().height():
            self.rows.setSizes([top + bottom - needed, needed])

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Give the lesson's text more lines in a taller view.

        Presentation mode entered before the view was shown shares out the width now that
        it is known.
        """
        super().resizeEvent(event)
        self.header.fit_text(event.size().height())
        QTimer.singleShot(0, self, self.follow)  # the maps have another size: follow again
        if self._presentation_sizes_due:
            QTimer.singleShot(0, self, self._apply_presentation_sizes)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown without a window that sized its panels: the default shares of its size.

        (A splitter on its own gives the step panel only its least height, and the dot
        product's grids no room to grow.)
        """
        super().showEvent(event)
        if not self._shares_given:
            self.default_sizes(self.width(), self.height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Give the keyboard back to the animation after Escape or Enter in a field.

        Space, the arrows, Home and End then step again. Fields pass these keys on.
        """
        if event.key() in RETURN_KEYS:
            self.steps.scrubber.setFocus(Qt.FocusReason.ShortcutFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)

    def _choose_results(self) -> None:
        """The backprop panel for the backprop lesson, else the feature maps and settings.

        A vector lesson's panel takes the place of the input, filters and maps.
        """
        vector = self.state.vector_animation is not None
        backprop = self.state.animation.backprop is not None
        for stack, shown, hidden in (
            (self.stage, *_pages(vector, self.vector_panel, self.columns)),
            (self.results, *_pages(backprop, self.backprop_panel, self.feature_maps)),
        ):
            # The page not shown must not ask for room (a stack asks for its largest page's).
            ignored = QSizePolicy.Policy.Ignored
            hidden.setSizePolicy(ignored, ignored)
            preferred = QSizePolicy.Policy.Preferred
            shown.setSizePolicy(preferred, preferred)
            stack.setCurrentWidget(shown)
        self.parameters.setVisible(not backprop and not vector and not self._presenting)

    def default_sizes(self, width: int, height: int) -> None:
        """Splitter sizes that suit a window of this size (before any saved layout).

        The step and settings get the height they need (at most 30 %), the maps the rest; the
        settings take what they need of the width (at most 40 %).
        """
        self._shares_given = True
        rest = max(width - 24, 600)
        self.columns.setSizes([int(rest * 0.28), int(rest * 0.21), int(rest * 0.51)])
        settings = min(
            max(self.parameters.minimumSizeHint().width(), int(rest * 0.36)), int(rest * 0.42)
        )
        self.bottom.setSizes([rest - settings, settings])
        body = max(height - 190, 400)
        bottom = max(self.bottom.minimumSizeHint().height(), min(int(body * 0.30), 320))
        self.rows.setSizes([body - bottom, bottom])


def _pages(first: bool, page: QWidget, other: QWidget) -> tuple[QWidget, QWidget]:
    """(the page to show, the page to hide): ``page`` when ``first``, else ``other``."""
    return (page, other) if first else (other, page)
