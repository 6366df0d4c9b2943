"""DigitLabMode: the digit lab as a mode of the window, and its hand-over to the playground.

The lab's own signals (model changed, status messages, "animate this filter") become the
mode's; *Open Model* is the lab's action; "animate this filter" is replayed with the engine
(:func:`engine.network.filter_replay.replay_filter`) and handed to the first registered mode
that can show a replay (a :class:`FilterAnimator`, today the playground).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QMessageBox, QSplitter, QToolBar

from gui.modes import KeyNote, Mode, ModeContributions, ModeDescription, make_action
from gui.settings import app_settings, restore_splitters, save_splitters

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtCore import QObject, QSettings

    from engine.network.filter_replay import FilterReplay
    from gui.app import LaunchOptions
    from gui.digits.lab import DigitLab

MESSAGE_MS = 8000


@runtime_checkable
class FilterAnimator(Protocol):
    """A mode that can step through one learned filter of the network (the playground)."""

    def show_replay(self, replay: FilterReplay) -> bool:
        """Show the replay; False if the user kept what was there (unsaved edits)."""
        ...


class DigitLabMode(Mode):
    """The Digit Lab tab: draw a digit, a trained CNN classifies it, look inside every layer."""

    description = ModeDescription(
        name="digits",
        label="Digit Lab",
        title="Digit Lab — draw a digit, look inside the CNN",
        shortcut="Ctrl+2",
    )

    def __init__(self, options: LaunchOptions | None = None, parent: QObject | None = None) -> None:
        # The lab (its model, ONNX Runtime and pyqtgraph) is built when first shown or used:
        # the window starts without loading them.
        super().__init__(None, QUndoStack(), parent)
        self._model_path = None if options is None else options.model
        self._sizes: tuple[int, int] | None = None  # the window's size at reset_layout
        self.animator: FilterAnimator | None = None
        self.open_model_action = make_action(
            self, "Open &Model…", self.open_model, "Ctrl+M",
            "Use another image classifier in the lab (ONNX, or Keras .keras/.h5)",
        )  # fmt: skip
        self.toolbar = QToolBar("Digit Lab")
        self.toolbar.setObjectName("digitLabToolbar")
        self.toolbar.addAction(self.open_model_action)

    @property
    def lab(self) -> DigitLab:
        """The lab (built now if it was not yet)."""
        return cast("DigitLab", self.widget)  # build_widget builds nothing else

    def build_widget(self) -> DigitLab:
        """The lab, with the model given on the command line (or the shipped one)."""
        from gui.digits.lab import DigitLab  # loads ONNX Runtime, pyqtgraph

        stack = self.undo_stack
        assert stack is not None  # given in __init__
        stack.setParent(None)
        lab = DigitLab(self._model_path, undo_stack=stack)
        stack.setParent(lab)
        lab.modelChanged.connect(self.statusChanged)
        lab.statusMessage.connect(lambda text: self.statusMessage.emit(text, MESSAGE_MS))
        lab.animateFilterRequested.connect(self.animate_filter)
        self._restore_splitters_of(lab)
        return lab

    def contributions(self) -> ModeContributions:
        """Open Model (File menu and toolbar); Esc and Delete clear the drawing."""
        return ModeContributions(
            file_input=(self.open_model_action,),
            toolbar=self.toolbar,
            keys=(KeyNote("Esc or Delete", "clear the drawing"),),
        )

    def status_text(self) -> str:
        """The model in use: name, input shape and test accuracy."""
        return self.lab.model_summary()

    def opens_images(self) -> bool:
        """A picture goes in front of the model (a digit on the canvas)."""
        return True

    def open_image(self, path: str | None = None) -> bool:
        """Put a picture in front of the model.

        A digit goes on the canvas (undoable); another model gets the picture fitted to it.
        """
        return bool(self.lab.open_image(path))

    def apply(self, options: LaunchOptions) -> None:
        """``--model`` must have been usable; ``--image`` puts a picture on the canvas.

        Raises:
            ValueError: The model given was refused (the message says why; the command line
                exits with status 2 rather than show a lab without it), or the image cannot
                be used.
        """
        if options.model is not None and self.lab.start_problem is not None:  # builds the lab
            raise ValueError(self.lab.start_problem)
        if options.image is None:
            return
        if not self.lab.open_image(options.image):
            raise ValueError(f"cannot open the image {options.image}")
        self.showRequested.emit()

    def connect_peers(self, modes: Sequence[Mode]) -> None:
        """Send "animate this filter" to the first mode that can show a replay."""
        self.animator = next((m for m in modes if isinstance(m, FilterAnimator)), None)

    @staticmethod
    def _splitters(lab: DigitLab) -> list[QSplitter]:
        return [s for s in lab.findChildren(QSplitter) if s.objectName()]

    def _restore_splitters_of(self, lab: DigitLab) -> None:
        if self._sizes is not None:
            lab.resize(*self._sizes)
        restore_splitters(app_settings(), self._splitters(lab))

    def reset_layout(self, width: int, height: int) -> None:
        """Remember the window's size: a lab built later starts at it."""
        self._sizes = (width, height)

    def restore_settings(self, settings: QSettings) -> None:
        """The lab's panel sizes (read when the lab is built, if it is not yet)."""
        if self.is_built:
            restore_splitters(settings, self._splitters(self.lab))

    def save_settings(self, settings: QSettings) -> None:
        """The lab's panel sizes (a lab never built leaves the remembered ones alone)."""
        if self.is_built:
            save_splitters(settings, self._splitters(self.lab))

    def closing(self) -> None:
        """The window is closing: end a Keras conversion and a shift measurement still running."""
        if self.is_built:
            self.lab.cancel_conversion()
            self.lab.stop_shift_chart()

    def open_model(self, path: str | None = None) -> bool:
        """Another classifier for the lab (a bad one is refused, the current one stays).

        A Keras file is converted first, in a child process: False now, and the model changes
        when the conversion is done.
        """
        if not path:
            from gui.digits.lab import MODEL_FILTER  # the lab is built below

            path, _ = QFileDialog.getOpenFileName(self.lab, "Open Model", "", MODEL_FILTER)
            if not path:
                return False
        self.showRequested.emit()
        return bool(self.lab.load_model(path))

    def animate_filter(self, layer: str, filter_index: int) -> bool:
        """Hand a learned first-layer filter and the digit the network saw to the animator."""
        model = self.lab.model
        if model is None:
            return False
        if self.animator is None:
            self.statusMessage.emit("No mode of this window can animate a filter", MESSAGE_MS)
            return False
        state = self.lab.state
        preprocessing = None if state.choice is None else state.choice.preprocessing
        from engine.network.filter_replay import replay_filter  # ONNX Runtime

        try:
            replay = replay_filter(model, layer, filter_index, state.image, preprocessing)
        except ValueError as exc:
            QMessageBox.warning(self.lab, "Cannot animate this filter", str(exc))
            return False
        return self.animator.show_replay(replay)
