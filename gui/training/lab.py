"""TrainingLab: choose a network, train it in a child process, watch it learn, keep and compare.

Left, two tabs: "Network" (the preset and its settings, the Keras code, the `model.summary()`
table, the MNIST file) and "Saved runs" (compare, open in the digit lab, delete). Right, the
run being watched: Train/Stop and the progress, the loss and accuracy curves, the first
layer's weights and the per-class results of the latest epoch.

Training runs in `python -m models.training --progress jsonl --control stdin` (TrainerProcess);
each run gets a new folder in the user's data folder. The lab never imports TensorFlow: without
the `train` extra it still lists, opens and compares saved runs and says how to install it.

Public API (for the main window, through gui.training.mode): the signals
`openInDigitLabRequested(str)`, `statusMessage(str)`, `runningChanged(bool)`, `runFinished(str)`
and `runsListed()`; `has_running_run()`, `start_training()`, `stop_training()`,
`confirm_close()`, `stop_and_wait()` and `set_presentation(bool)`. The lab has no undo
stack (it edits nothing that an undo would bring back).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.training.class_results_view import ClassResultsView
from gui.training.curves_view import CurvesView, Overlay
from gui.training.data_folder import training_runs_folder
from gui.training.data_source_row import DataSourceRow
from gui.training.first_layer_view import FirstLayerView
from gui.training.network_view import NetworkView
from gui.training.progress_strip import ProgressStrip
from gui.training.runs_panel import RunsPanel
from gui.training.settings_form import SettingsForm
from gui.training.step_queue import StepQueue
from gui.training.thread_limits import BlasThreadLimit
from gui.training.trainer_process import TrainerProcess
from models.training.history import RunHistory
from models.training.lab_text import percent_text
from models.training.mnist_source import mnist_file_problem
from models.training.options import Reporting, option_arguments, reporting_arguments
from models.training.packages import missing_packages_message, missing_training_packages
from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    ErrorLine,
    MessageLine,
    StartLine,
)
from models.training.run_layout import RunLayout, snapshot_epoch
from models.training.runs import (
    RunFolderError,
    delete_run,
    list_runs,
    new_run_folder,
    read_history,
    run_folders,
    summarise_run,
)
from models.training.settings import (
    DataSettings,
    OutputSettings,
    RunSettings,
    SettingsError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from gui.training.trainer_process import TrainerCommand
    from models.training.protocol import Line
    from models.training.runs import RunSummary

REDRAW_MS = 150  # lines arriving closer together than this are drawn together
LIVE_STEPS = ("progress", "loss curves", "accuracy curves")
EPOCH_STEPS = ("first layer", "per-class bars", "confusion shades", "confusion counts")
RUNS_PER_PASS = 4  # run folders read per pass of the event loop while a run trains
STOP_GRACE_MS = 15_000  # how long closing waits for a stopped run to save before ending it
KILL_WAIT_MS = 5_000
PROGRESS_EVERY = 10  # batch lines every 10 steps (the protocol's default)
STDERR_LINES_SHOWN = 4
SETTINGS_SHARE = 0.34  # of the window's width, by default
CURVES_SHARE = 0.5  # of the height below the progress, by default


class TrainingLab(QWidget):
    """The training mode's page (see the module docstring for its public API)."""

    openInDigitLabRequested = Signal(str)
    """Open this ONNX model (a run's final model or an epoch's snapshot) in the digit lab."""
    statusMessage = Signal(str)
    """A short message for the status bar."""
    runningChanged = Signal(bool)
    """A run started (True) or ended (False)."""
    runFinished = Signal(str)
    """The trainer of the run in this folder has ended (finished, stopped, failed or killed)."""
    runsListed = Signal()
    """The saved runs were read again (``runs.runs`` holds them)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        runs_folder: Path | None = None,
        command: TrainerCommand | None = None,
        missing_packages: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runs_folder = runs_folder if runs_folder is not None else training_runs_folder()
        missing = missing_training_packages() if missing_packages is None else missing_packages
        self.missing_packages = list(missing)
        self.trainer = TrainerProcess(command, self)
        self.history = RunHistory()
        self.running_folder: Path | None = None
        self.rejected_lines: list[str] = []
        self.first_line_ms: int | None = None
        self.first_batch_ms: int | None = None
        self._stopping = False
        self._clock = QElapsedTimer()
        self._thread_limit = BlasThreadLimit()
        self._history_cache: dict[Path, tuple[float, RunHistory]] = {}
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._draw_live)
        self.steps = StepQueue(self)
        self.presenting = False
        self._columns_before: list[int] | None = None
        self._epoch_to_show: EpochLine | None = None
        self._shown_epoch: EpochLine | None = None

        self.notice = QLabel()
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "QLabel { background: #fff4e5; border: 1px solid #f0c36d; padding: 6px; }"
        )
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = SettingsForm()
        self.data_row = DataSourceRow()
        self.network = NetworkView()
        self.runs = RunsPanel()
        self.strip = ProgressStrip()
        self.curves = CurvesView()
        self.first_layer = FirstLayerView()
        self.class_results = ClassResultsView()
        self._build_layout()
        self._connect()
        self._show_network()
        self.refresh_runs()
        self._show_packages_notice()

    # ----- building ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        choose = QWidget()
        choose_column = QVBoxLayout(choose)
        choose_column.addWidget(self.form)
        choose_column.addWidget(self.data_row)
        choose_column.addWidget(self.network, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(choose, "Network")
        self.tabs.addTab(self.runs, "Saved runs")
        pictures = QSplitter(Qt.Orientation.Horizontal)
        pictures.setObjectName("trainingLabPictures")
        pictures.addWidget(self.first_layer)
        pictures.addWidget(self.class_results)
        self.watch_splitter = watch_splitter = QSplitter(Qt.Orientation.Vertical)
        watch_splitter.setObjectName("trainingLabWatch")
        watch_splitter.addWidget(self.curves)
        watch_splitter.addWidget(pictures)
        watch = QWidget()
        watch_column = QVBoxLayout(watch)
        watch_column.setContentsMargins(0, 0, 0, 0)
        watch_column.addWidget(self.strip)
        watch_column.addWidget(watch_splitter, 1)
        self.columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns.setObjectName("trainingLabColumns")
        self.columns.setChildrenCollapsible(False)
        self.columns.addWidget(self.tabs)
        self.columns.addWidget(watch)
        self.columns.setStretchFactor(0, 2)
        self.columns.setStretchFactor(1, 3)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(self.notice)
        outer.addWidget(self.columns, 1)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the run alone (progress, curves, pictures), readable from afar.

        The settings and saved runs (the left column) are hidden and the charts' text and
        lines drawn larger; leaving brings back the column at its width, and the usual look.
        """
        if on == self.presenting:
            return
        self.presenting = on
        if on:
            self._columns_before = self.columns.sizes()
        self.tabs.setVisible(not on)
        if not on and self._columns_before is not None:
            # After the window's zoom is back and the column has laid itself out again.
            QTimer.singleShot(0, self, self._restore_columns)
        self.strip.set_presentation(on)
        self.curves.set_presentation(on)
        self.first_layer.set_presentation(on)
        self.class_results.set_presentation(on)

    def _restore_columns(self) -> None:
        if not self.presenting and self._columns_before is not None:
            self.columns.setSizes(self._columns_before)

    def default_sizes(self, width: int, height: int) -> None:
        """The panels' shares of a window of this size (before any saved layout).

        The settings take what they need of the width (at most 40 %), the charts the rest;
        the curves and the pictures of the latest epoch share the height under the progress.
        """
        rest = max(width - 24, 600)
        settings = min(
            max(self.tabs.minimumSizeHint().width(), int(rest * SETTINGS_SHARE)), int(rest * 0.4)
        )
        self.columns.setSizes([settings, rest - settings])
        body = max(height - 200, 400)
        self.watch_splitter.setSizes([int(body * CURVES_SHARE), body - int(body * CURVES_SHARE)])

    def _connect(self) -> None:
        self.form.changed.connect(self._show_network)
        self.strip.train_button.clicked.connect(lambda: self.start_training())
        self.strip.stop_button.clicked.connect(self.stop_training)
        self.trainer.lineReceived.connect(self._line_received)
        self.trainer.lineRejected.connect(self._line_rejected)
        self.trainer.finished.connect(self._trainer_finished)
        self.runs.overlaysChanged.connect(self._update_overlays)
        self.runs.currentRunChanged.connect(self._show_chosen_run)
        self.runs.modelChosen.connect(self._show_chosen_epoch)
        self.runs.openRequested.connect(self.openInDigitLabRequested)
        self.runs.deleteRequested.connect(self.delete_run)
        self.runs.refresh_button.clicked.connect(self.refresh_runs)

    # ----- the public API ------------------------------------------------------------------
    # first_line_ms / first_batch_ms: milliseconds from start_training to the run's first line
    # and first batch line (for the benchmark), None until they arrive.

    def has_running_run(self) -> bool:
        """True while a trainer child process runs."""
        return self.trainer.is_running()

    @property
    def can_train(self) -> bool:
        """True if the `train` extra is installed (TensorFlow, Keras, tf2onnx)."""
        return not self.missing_packages

    def start_training(self) -> bool:
        """Start a run with the form's settings (as the Train button does); True if started."""
        if self.has_running_run():
            return False
        if not self.can_train:
            self._show_packages_notice()
            return False
        usable, data_path = self._checked_data_path()
        if not usable:
            return False
        try:
            training = self.form.training_settings()
        except SettingsError as error:
            self._notify(f"Cannot train with these settings: {error}")
            return False
        folder = new_run_folder(self.runs_folder, training.architecture)
        settings = RunSettings(
            DataSettings(data_path, self.form.train_images()),
            training,
            OutputSettings.in_run_folder(folder),
        )
        reporting = Reporting("jsonl", PROGRESS_EVERY, "stdin")
        self._begin_run(folder)
        self.trainer.start([*option_arguments(settings), *reporting_arguments(reporting)])
        return True

    def stop_training(self) -> None:
        """Stop the run after its current step; it saves its last weights as a usable model."""
        if self.has_running_run() and not self._stopping:
            self._stopping = True
            self.trainer.request_stop()
            self.strip.stop_button.setEnabled(False)
            self.statusMessage.emit("Stopping after the current step, then saving the model…")

    def confirm_close(self) -> bool:
        """Ask whether to stop a running run so the window can close; True: close (no run)."""
        if not self.has_running_run():
            return True
        answer = QMessageBox.question(
            self,
            "Stop training?",
            "A network is training. Stop it and close? The run keeps every epoch it finished "
            "(and, if it can save in time, the weights of its last step).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def stop_and_wait(self, grace_ms: int = STOP_GRACE_MS) -> bool:
        """End the trainer: ask it to stop and save, wait up to `grace_ms`, then kill it.

        Blocks (the window is closing). Returns True when no trainer process is left.
        """
        if not self.has_running_run():
            return True
        self.stop_training()
        if not self.trainer.wait(grace_ms):
            self.trainer.kill()
            self.trainer.wait(KILL_WAIT_MS)
        return not self.has_running_run()

    # ----- starting and ending a run -------------------------------------------------------
    def _checked_data_path(self) -> tuple[bool, Path | None]:
        """(usable, the MNIST file): None for Keras's download; not usable if the user gave up.

        A file that is missing or not an MNIST npz gets a message and a file chooser.
        """
        path = self.data_row.source_path()
        while path is not None:
            problem = mnist_file_problem(path)
            if problem is None:
                return True, path
            QMessageBox.warning(self, "MNIST file", f"{problem}\n\nChoose an MNIST npz file.")
            if not self.data_row.choose_file("Choose the MNIST file (an npz like Keras's)"):
                return False, None
            path = self.data_row.source_path()
        self.statusMessage.emit("No MNIST file found: the trainer will download it with Keras.")
        return True, None

    def _begin_run(self, folder: Path) -> None:
        self.steps.finish()  # what the last run still had to draw (and its runFinished) first
        self.running_folder = folder
        self.history = RunHistory()
        self.rejected_lines = []
        self.first_line_ms = None
        self.first_batch_ms = None
        self._epoch_to_show = None
        self._stopping = False
        self.notice.setVisible(False)
        self._thread_limit.apply()
        self._clock.start()
        self.form.set_editable(False)
        self.data_row.setEnabled(False)
        self.strip.set_running(True)
        self._draw_live()
        self._request_pictures(None)
        self.runningChanged.emit(True)
        self.statusMessage.emit(f"Training {folder.name}…")

    def _line_received(self, line: Line) -> None:
        if self.first_line_ms is None:
            self.first_line_ms = int(self._clock.elapsed())
        if isinstance(line, BatchLine) and self.first_batch_ms is None:
            self.first_batch_ms = int(self._clock.elapsed())
        self.history.add(line)
        if isinstance(line, EpochLine):
            self._epoch_to_show = line  # epoch 0 and 1 arrive together: only 1 is drawn
        elif isinstance(line, MessageLine):
            self.statusMessage.emit(line.text)
        elif isinstance(line, StartLine):
            self.steps.request("saved runs", self._list_runs_in_slices)  # the new run's row
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw_live(self) -> None:
        """Draw the lines that came in meanwhile: the progress, the curves, a new epoch.

        Each is a step of its own (`LIVE_STEPS`, then a new epoch's `EPOCH_STEPS`), run in its
        own pass of the event loop with a pass for its paint after it (StepQueue), so that no
        single pass keeps the window from reacting for long.
        """
        self.steps.request("progress", lambda: self.strip.show_progress(self.history.progress()))
        self.steps.request("loss curves", lambda: self.curves.show_measure("loss", self.history))
        self.steps.request(
            "accuracy curves", lambda: self.curves.show_measure("accuracy", self.history)
        )
        line, self._epoch_to_show = self._epoch_to_show, None
        if line is not None:
            self._request_pictures(line)

    def _request_pictures(self, line: EpochLine | None) -> None:
        """Draw an epoch's pictures (None: none) in `EPOCH_STEPS`, one view part each."""
        weights, validation = (None, None) if line is None else (line.weights, line.validation)
        epoch = 0 if line is None else line.epoch
        self._shown_epoch = line
        results = self.class_results
        self.steps.request("first layer", lambda: self.first_layer.show_weights(weights, epoch))
        self.steps.request("per-class bars", lambda: results.show_bars(validation, epoch))
        self.steps.request("confusion shades", lambda: results.show_matrix(validation))
        self.steps.request("confusion counts", lambda: results.show_counts(validation))

    def _line_rejected(self, reason: str) -> None:
        self.rejected_lines.append(reason)
        self.statusMessage.emit(f"The trainer sent a line the lab cannot read (skipped): {reason}")

    def _trainer_finished(self, status: int, stderr: str) -> None:
        """The child has ended: the lab can train again at once; the last drawing follows.

        The last lines, the saved runs (read in slices) and choosing the run are steps of the
        StepQueue like the drawing during the run; `runFinished` is emitted by the last one.
        """
        folder = self.running_folder
        self._redraw.stop()
        self._thread_limit.release()
        self.running_folder = None
        self._stopping = False
        self.form.set_editable(True)
        self.data_row.setEnabled(True)
        self.strip.set_running(False, can_train=self.can_train)
        self.runningChanged.emit(False)
        self._report_end(self.history.end, self.history.error, status, stderr)
        self._draw_live()
        self.steps.request("saved runs", self._list_runs_in_slices)
        if folder is not None:
            self._remember_history(folder, self.history)
            self.steps.request("run finished", lambda: self._show_finished_run(folder))

    def _show_finished_run(self, folder: Path) -> None:
        self.runs.choose(folder)
        self.runFinished.emit(str(folder))

    def _report_end(
        self, end: EndLine | None, error: ErrorLine | None, status: int, stderr: str
    ) -> None:
        if end is not None:
            how = "Stopped" if end.stopped else "Finished"
            self.statusMessage.emit(
                f"{how}: test accuracy {percent_text(end.test_accuracy, 2)} after "
                f"{end.epochs_done} complete epoch{'' if end.epochs_done == 1 else 's'}."
            )
            return
        if error is not None:
            self._notify(f"Training failed: {error.message}")
            if error.problem == "data":
                self.data_row.choose_file("Choose an MNIST file the trainer can read")
            return
        last_words = "\n".join(stderr.strip().splitlines()[-STDERR_LINES_SHOWN:])
        self._notify(
            f"The trainer ended without finishing (exit status {status}). The run keeps the "
            f"epochs it finished.\n{last_words}".strip()
        )

    # ----- showing -------------------------------------------------------------------------
    def _show_network(self) -> None:
        try:
            training = self.form.training_settings()
        except SettingsError as error:
            self.statusMessage.emit(str(error))
            return
        self.network.show_network(training, self.form.train_images())

    def _show_epoch(self, line: EpochLine) -> None:
        """Draw an epoch's pictures now (the user chose it), unless they are on show."""
        if line is self._shown_epoch:
            return
        self._shown_epoch = line
        self.first_layer.show_weights(line.weights, line.epoch)
        self.class_results.show_validation(line.validation, line.epoch)

    def _show_packages_notice(self) -> None:
        if self.can_train:
            self.notice.setVisible(False)
            self.strip.set_running(False)
            return
        self._notify(
            f"This installation cannot train: {missing_packages_message(self.missing_packages)} "
            "Saved runs can still be opened in the digit lab and compared."
        )
        self.strip.set_running(False, can_train=False)

    def _notify(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(True)
        self.statusMessage.emit(text.splitlines()[0])

    # ----- saved runs ----------------------------------------------------------------------
    def refresh_runs(self) -> None:
        """Read the run folders again (the list, the overlays)."""
        self.runs.set_runs(list_runs(self.runs_folder), self.running_folder)
        self.runsListed.emit()

    def _list_runs_in_slices(self) -> Iterator[None]:
        """`refresh_runs` as a StepQueue step: `RUNS_PER_PASS` run folders read per pass."""
        summaries: list[RunSummary] = []
        for folder in run_folders(self.runs_folder):
            if summaries and len(summaries) % RUNS_PER_PASS == 0:
                yield
            summaries.append(summarise_run(folder))
        yield  # the list is shown in a pass of its own
        self.runs.set_runs(summaries, self.running_folder)
        self.runsListed.emit()

    def _remember_history(self, folder: Path, history: RunHistory) -> None:
        """Keep a run's history (as read live) so that showing the run does not read it again."""
        path = RunLayout(folder).history
        with contextlib.suppress(OSError):
            self._history_cache[path] = (path.stat().st_mtime, history)

    def saved_history(self, summary: RunSummary) -> RunHistory:
        """A saved run's history (read again only if history.jsonl changed)."""
        path = summary.layout.history
        try:
            stamp = path.stat().st_mtime
        except OSError:
            stamp = -1.0
        cached = self._history_cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        read = read_history(summary.layout.folder)
        if read.problems:
            self.statusMessage.emit(f"{summary.name}: {read.problems[0]}")
        self._history_cache[path] = (stamp, read.history)
        return read.history

    def _update_overlays(self) -> None:
        overlays = []
        for summary in self.runs.checked_runs():
            history = self.saved_history(summary)
            accuracy = history.best_validation_accuracy()
            network = summary.document.settings.training.architecture if summary.document else "?"
            shown = percent_text(accuracy) if accuracy is not None else "–"
            overlays.append(Overlay(f"{network} · {shown}", history))
        self.curves.set_overlays(overlays)

    def _show_chosen_run(self) -> None:
        if self.has_running_run():
            return
        summary = self.runs.current_run()
        if summary is None:
            return
        history = self.saved_history(summary)
        if history is not self.history:  # (the run just finished is on show already)
            self.history = history
            self.curves.show_history(history)
            self.strip.show_progress(history.progress())
        self._show_chosen_epoch()

    def _show_chosen_epoch(self) -> None:
        if self.has_running_run() or self.runs.current_run() is None:
            return
        model = self.runs.chosen_model()
        epoch = None if model is None else snapshot_epoch(model.name)
        chosen = [line for line in self.history.epochs if line.epoch == epoch]
        line = chosen[0] if chosen else self.history.latest_epoch()  # the final model: the last
        if line is not None:
            self._show_epoch(line)

    def delete_run(self, folder: Path) -> bool:
        """Delete a saved run after asking; True if deleted. The running run cannot be."""
        if folder == self.running_folder:
            self._notify("This run is training; stop it before deleting it.")
            return False
        answer = QMessageBox.question(
            self,
            "Delete run?",
            f"Delete the run {folder.name} and all its files (models, history, card)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_run(self.runs_folder, folder)
        except (RunFolderError, OSError) as error:
            self._notify(f"Could not delete the run: {error}")
            self.refresh_runs()
            return False
        self.statusMessage.emit(f"Deleted the run {folder.name}.")
        self.refresh_runs()
        return True
