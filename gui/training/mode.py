"""TrainingMode: the training lab as a mode of the window, and its hand-over to the digit lab.

The mode adds a Training menu and toolbar (Train, Stop, Open Run in Digit Lab), says in the
status bar what trains or how many runs are saved, remembers the lab's panel sizes, preset and
training-set size, and makes closing the window mid-run ask, then end the trainer's child
process (:meth:`TrainingMode.confirm_close`, :meth:`TrainingMode.closing`). "Open in Digit
Lab" hands a run's model (the final one, or any epoch's snapshot) to the first registered mode
that opens models (a :class:`ModelOpener`, today the digit lab) and shows that mode's tab.

Like the lab, this module never imports TensorFlow: the window starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from PySide6.QtWidgets import QMenu, QSplitter, QToolBar

from gui.modes import Mode, ModeContributions, ModeDescription, make_action
from gui.settings import app_settings, read_int, read_text, restore_splitters, save_splitters
from models.training.architectures import ARCHITECTURES
from models.training.keras_code import MNIST_TRAIN_IMAGES
from models.training.lab_text import lab_status_text
from models.training.protocol import BatchLine, EpochLine, StartLine

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtCore import QObject, QSettings

    from gui.app import LaunchOptions
    from gui.training.lab import TrainingLab
    from models.training.protocol import Line

MESSAGE_MS = 8000
PRESET_KEY = "training/preset"
TRAIN_IMAGES_KEY = "training/trainImages"
SAVED_RUNS_TAB = 1


@runtime_checkable
class ModelOpener(Protocol):
    """A mode that can open a model file (the digit lab)."""

    def open_model(self, path: str | None = None) -> bool:
        """Use the model at ``path``; False if it was refused (the mode says why)."""
        ...


class TrainingMode(Mode):
    """The Training tab: choose a network, train it in a child process, watch it learn."""

    description = ModeDescription(
        name="training",
        label="Training",
        title="Training — watch a network learn",
        shortcut="Ctrl+3",
    )

    def __init__(
        self,
        options: LaunchOptions | None = None,
        parent: QObject | None = None,
        *,
        lab: TrainingLab | None = None,
    ) -> None:
        """Build the mode around ``lab`` (default: a lab on the user's saved runs).

        The default lab is built when the tab is first shown (or the lab is asked for): its
        charts and pyqtgraph are not loaded at start-up.

        Args:
            options: The command line's options (none concerns this mode).
            parent: The mode's owner (the window takes it over).
            lab: The lab to host, e.g. one on another runs folder or trainer (tests).
        """
        super().__init__(lab, None, parent)
        self.model_opener: Mode | None = None
        self._status = ""
        self._sizes: tuple[int, int] | None = None  # the window's size at reset_layout
        self._presenting = False
        self.train_action = make_action(
            self, "&Train", self.train, "Ctrl+T",
            "Train the network with the lab's settings (a new saved run)",
        )  # fmt: skip
        self.stop_action = make_action(
            self, "&Stop Training", self.stop, "Ctrl+.",
            "Stop after the current step; the run keeps its last weights as a usable model",
        )  # fmt: skip
        self.open_action = make_action(
            self, "Open Run in &Digit Lab", self.open_chosen_model, "Ctrl+Shift+D",
            "Draw on the chosen run's model (final, or the epoch chosen under Saved runs)",
        )  # fmt: skip
        self.open_action.setIconText("Open in Digit Lab")
        self.refresh_action = make_action(
            self, "&Refresh Saved Runs", lambda: self.lab.refresh_runs(), None,
            "Read the saved runs again (e.g. one trained in a terminal)",
        )  # fmt: skip
        self.menu = QMenu("&Training")
        for action in (self.train_action, self.stop_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        for action in (self.open_action, self.refresh_action):
            self.menu.addAction(action)
        self.toolbar = QToolBar("Training")
        self.toolbar.setObjectName("trainingToolbar")
        for action in (self.train_action, self.stop_action, self.open_action):
            self.toolbar.addAction(action)
        if lab is not None:
            self._wire(lab)

    @property
    def lab(self) -> TrainingLab:
        """The lab (built now if it was not yet)."""
        return cast("TrainingLab", self.widget)  # build_widget builds nothing else

    def build_widget(self) -> TrainingLab:
        """The lab on the user's saved runs, at the window's size, with the remembered settings."""
        from gui.training.lab import TrainingLab  # its charts load pyqtgraph

        lab = TrainingLab()
        self._wire(lab)
        if self._sizes is not None:
            lab.default_sizes(*self._sizes)
        self._restore(lab, app_settings())
        if self._presenting:
            lab.set_presentation(True)
        return lab

    def _wire(self, lab: TrainingLab) -> None:
        self.menu.setParent(lab, self.menu.windowFlags())  # the menu goes with the lab
        lab.statusMessage.connect(lambda text: self.statusMessage.emit(text, MESSAGE_MS))
        lab.openInDigitLabRequested.connect(self.open_in_digit_lab)
        lab.runningChanged.connect(lambda: self._update_status(lab))
        lab.trainer.lineReceived.connect(lambda line: self._line_received(lab, line))
        lab.runsListed.connect(lambda: self._update_status(lab))
        self._update_status(lab)

    # ----- what the window hosts -----------------------------------------------------------
    def contributions(self) -> ModeContributions:
        """The Training menu (Train, Stop, Open Run in Digit Lab, Refresh) and toolbar."""
        return ModeContributions(menus=(self.menu,), toolbar=self.toolbar)

    def status_text(self) -> str:
        """What trains ('Training softmax · epoch 2 of 5'), or how many runs are saved."""
        return self._status

    def _line_received(self, lab: TrainingLab, line: Line) -> None:
        if isinstance(line, StartLine | EpochLine | BatchLine):
            self._update_status(lab)

    def _update_status(self, lab: TrainingLab) -> None:
        start = lab.history.start
        running = lab.has_running_run()
        training = None
        if running:
            training = start.architecture if start is not None else lab.form.architecture()
        progress = lab.history.progress() if running and start is not None else None
        text = lab_status_text(len(lab.runs.runs), training, progress, lab.can_train)
        if text != self._status:
            self._status = text
            self.statusChanged.emit()

    def connect_peers(self, modes: Sequence[Mode]) -> None:
        """Send "Open in Digit Lab" to the first other mode that opens models."""
        self.model_opener = next(
            (m for m in modes if m is not self and isinstance(m, ModelOpener)), None
        )

    # ----- the actions ---------------------------------------------------------------------
    def train(self) -> bool:
        """Start a run with the lab's settings (as its Train button); True if started."""
        if self.lab.has_running_run():
            self.statusMessage.emit("A network is training already; stop it first.", MESSAGE_MS)
            return False
        return self.lab.start_training()

    def stop(self) -> None:
        """Stop the run after its current step (it keeps its last weights as a model)."""
        if not self.lab.has_running_run():
            self.statusMessage.emit("No network is training.", MESSAGE_MS)
            return
        self.lab.stop_training()

    def open_chosen_model(self) -> bool:
        """Open the chosen saved run's chosen model (final or an epoch's) in the digit lab.

        Without a chosen run, the lab shows its saved runs and the status bar says to choose.
        """
        path = self.lab.runs.chosen_model()
        if path is None:
            self.lab.tabs.setCurrentIndex(SAVED_RUNS_TAB)
            self.statusMessage.emit(
                "Choose a saved run (and its epoch) to open in the digit lab.", MESSAGE_MS
            )
            return False
        return self.open_in_digit_lab(str(path))

    def open_in_digit_lab(self, path: str) -> bool:
        """Show the mode that opens models (the digit lab) and open ``path`` there.

        Returns:
            True if that mode now uses the model; False if it refused it (it says why) or no
            registered mode opens models (the status bar says so).
        """
        opener = self.model_opener
        if not isinstance(opener, ModelOpener):
            self.statusMessage.emit("No mode of this window can open a model.", MESSAGE_MS)
            return False
        opener.showRequested.emit()  # its tab first: a refusal is said there
        return bool(opener.open_model(path))

    # ----- settings and closing ------------------------------------------------------------
    def reset_layout(self, width: int, height: int) -> None:
        """The lab's columns: the settings what they need (at most 40 %), the charts the rest.

        A lab not built yet gets them when it is built.
        """
        self._sizes = (width, height)
        if self.is_built:
            self.lab.default_sizes(width, height)

    @staticmethod
    def _splitters(lab: TrainingLab) -> list[QSplitter]:
        return [s for s in lab.findChildren(QSplitter) if s.objectName()]

    def restore_settings(self, settings: QSettings) -> None:
        """The lab's panel sizes, the preset and the training-set size (if still valid).

        A lab not built yet reads them when it is built.
        """
        if self.is_built:
            self._restore(self.lab, settings)

    def _restore(self, lab: TrainingLab, settings: QSettings) -> None:
        restore_splitters(settings, self._splitters(lab))
        preset = read_text(settings, PRESET_KEY, choices=ARCHITECTURES)
        if preset is not None:
            lab.form.set_preset(preset)
        form = lab.form
        images = read_int(
            settings, TRAIN_IMAGES_KEY,
            minimum=form.train_size.minimum(), maximum=MNIST_TRAIN_IMAGES,
        )  # fmt: skip
        if images is not None:
            form.train_size.setValue(images)

    def save_settings(self, settings: QSettings) -> None:
        """The lab's panel sizes, the preset and the training-set size (once the lab exists)."""
        if not self.is_built:
            return
        save_splitters(settings, self._splitters(self.lab))
        settings.setValue(PRESET_KEY, self.lab.form.architecture())
        settings.setValue(TRAIN_IMAGES_KEY, self.lab.form.train_images())

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the run being watched alone, its charts readable from afar.

        The settings and the saved runs come back when it ends (TrainingLab.set_presentation).
        A lab not built yet starts in presentation mode when it is built.
        """
        self._presenting = on
        if self.is_built:
            self.lab.set_presentation(on)

    def confirm_close(self) -> bool:
        """While a network trains, ask whether to stop it; True: the window may close."""
        return not self.is_built or self.lab.confirm_close()

    def closing(self) -> None:
        """End the trainer: ask it to stop and save, wait a little, then kill it."""
        if self.is_built:
            self.lab.stop_and_wait()
