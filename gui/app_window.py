"""The window CNN Visualizer ships: its modes in tab order, and short names for two of them.

:data:`MODE_FACTORIES` is the one list of the modes: a new mode is added there (and only there;
``--tab`` takes its name from it). :class:`AppWindow` is :class:`gui.main_window.MainWindow`
with the names callers used before the window had modes (``window.playground``,
``window.load_lesson``, ``window.play_action``, …); new code asks for a mode with
``window.mode("playground")`` or ``window.mode_of(PlaygroundMode)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.digits.mode import DigitLabMode
from gui.main_window import MainWindow
from gui.playground.mode import PlaygroundMode
from gui.training.mode import TrainingMode

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QComboBox

    from engine.lessons.registry import Lesson
    from gui.digits.lab import DigitLab
    from gui.modes import ModeFactory
    from gui.playground.view import PlaygroundView

MODE_FACTORIES: tuple[ModeFactory, ...] = (PlaygroundMode, DigitLabMode, TrainingMode)
"""The window's modes, in the order of their tabs."""


def mode_names() -> list[str]:
    """The registered modes' names (the values ``--tab`` takes), in tab order."""
    return [factory.description.name for factory in MODE_FACTORIES]


class AppWindow(MainWindow):
    """The main window, with short names for the Playground and Digit Lab modes.

    Each name raises LookupError if the window was built without that mode.
    """

    @property
    def playground_mode(self) -> PlaygroundMode:
        """The Playground mode."""
        return self.mode_of(PlaygroundMode)

    @property
    def digit_lab_mode(self) -> DigitLabMode:
        """The Digit Lab mode."""
        return self.mode_of(DigitLabMode)

    @property
    def training_mode(self) -> TrainingMode:
        """The Training mode."""
        return self.mode_of(TrainingMode)

    @property
    def playground(self) -> PlaygroundView:
        """The Playground's page."""
        return self.playground_mode.view

    @property
    def digit_lab(self) -> DigitLab:
        """The Digit Lab's page."""
        return self.digit_lab_mode.lab

    @property
    def lesson_picker(self) -> QComboBox:
        """The Playground toolbar's lesson picker."""
        return self.playground_mode.lesson_picker

    @property
    def play_action(self) -> QAction:
        """View ▸ Play / Pause (Space)."""
        return self.playground_mode.play_action

    @property
    def forward_action(self) -> QAction:
        """View ▸ Step Forward (Right)."""
        return self.playground_mode.forward_action

    @property
    def back_action(self) -> QAction:
        """View ▸ Step Back (Left)."""
        return self.playground_mode.back_action

    @property
    def start_action(self) -> QAction:
        """View ▸ To Start (Home)."""
        return self.playground_mode.start_action

    @property
    def end_action(self) -> QAction:
        """View ▸ To End (End)."""
        return self.playground_mode.end_action

    def load_lesson(self, item: Lesson) -> bool:
        """Open a registry lesson in the Playground (see :meth:`PlaygroundMode.load_lesson`)."""
        return self.playground_mode.load_lesson(item)

    def open_lesson_file(self, path: str | None = None) -> bool:
        """Open a lesson file in the Playground."""
        return self.playground_mode.open_lesson_file(path)

    def save_lesson_file(self, path: str | None = None) -> bool:
        """Save the Playground as a lesson file."""
        return self.playground_mode.save_lesson_file(path)

    def export_animation_gif(self, path: str | None = None) -> bool:
        """Export the Playground's animation as a GIF."""
        return self.playground_mode.export_animation_gif(path)
