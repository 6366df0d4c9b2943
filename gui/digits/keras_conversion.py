"""KerasConversion: a Keras model file converted to ONNX in a child process, without blocking.

The GUI never imports TensorFlow: it starts the converter the engine names
(``engine.network.keras_files.conversion_command``: ``python -m models.training.keras_to_onnx``)
with a QProcess, reads its JSON lines as they come, shows them in a progress dialog (whose
Cancel ends the child), and reports the ONNX file, or the child's own error (e.g. how to
install TensorFlow when it is missing).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from engine.network.keras_files import (
    ConversionEvent,
    conversion_command,
    conversion_environment,
    failure_message,
    parse_event,
)


class KerasConversion(QObject):
    """One conversion: ``start(source)``, then ``finished`` (the ONNX path) or ``failed``."""

    progress = Signal(str)
    """The converter says what it does now."""
    finished = Signal(str)
    """The ONNX file was written: its path."""
    failed = Signal(str)
    """The conversion failed: why, in words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.dialog: QProgressDialog | None = None
        self.source = ""
        self._events: list[ConversionEvent] = []
        self._pending = b""

    @property
    def running(self) -> bool:
        """True while the child runs."""
        return self.process is not None

    def start(self, source: str, parent: QWidget | None = None) -> None:
        """Start converting ``source`` (a .keras or .h5 file); ignored while one runs.

        With a ``parent``, a progress dialog over it shows what the child does.
        """
        if self.process is not None:
            return
        if parent is not None:
            self._show_dialog(source, parent)
        self.source = source
        self._events = []
        self._pending = b""
        program, *arguments = conversion_command(source)
        process = QProcess(self)
        environment = QProcessEnvironment()
        for key, value in conversion_environment().items():
            environment.insert(key, value)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process = process
        process.start(program, arguments)

    def cancel(self) -> None:
        """End the child (nothing is loaded) and close the progress dialog."""
        process = self.process
        self._close_dialog()
        if process is not None:
            self.process = None
            process.kill()
            process.waitForFinished(3000)
            process.deleteLater()

    def _show_dialog(self, source: str, parent: QWidget) -> None:
        dialog = QProgressDialog(f"Converting {Path(source).name} to ONNX…", "Cancel", 0, 0, parent)
        dialog.setWindowTitle("Opening a Keras model")
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        self.progress.connect(dialog.setLabelText)
        self.dialog = dialog
        dialog.show()

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            self.progress.disconnect(dialog.setLabelText)
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()

    def _read(self) -> None:
        if self.process is None:
            return
        self._pending += bytes(self.process.readAllStandardOutput().data())
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            event = parse_event(line.decode("utf-8", "replace"))
            if event is None:
                continue
            self._events.append(event)
            if event.kind == "progress":
                self.progress.emit(event.text)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self.process is None:  # cancelled
            return
        self._read()
        process, self.process = self.process, None
        process.deleteLater()
        self._close_dialog()
        done = [e for e in self._events if e.kind == "done"]
        if code == 0 and status == QProcess.ExitStatus.NormalExit and done:
            self.finished.emit(done[-1].text)
        else:
            self.failed.emit(failure_message(self.source, self._events, code))

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.process is not None:
            process, self.process = self.process, None
            process.deleteLater()
            self._close_dialog()
            self.failed.emit(f"{self.source}: the Keras converter could not be started")
