"""TrainerProcess: `python -m models.training ... --progress jsonl` in a child process (QProcess).

The child's stdout is read as it arrives, one protocol line at a time (a line that is not a
valid protocol line is reported, never trusted, and the run goes on); its stderr is kept (the
last few kilobytes) to explain a failure. "stop" is written to its stdin to stop it after the
current training step (`--control stdin`); closing stdin, or the GUI dying, stops it too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

import models
from models.training.protocol import ProtocolError, parse_line

REPO_ROOT = Path(models.__file__).resolve().parent.parent
STDERR_KEPT = 8192  # bytes of the child's stderr kept to explain a failure
CRASHED = -1
CHILD_NICENESS = 10  # the trainer yields the CPU to the window whenever the window needs it


@dataclass(frozen=True, slots=True)
class TrainerCommand:
    """How to start the trainer: program, the arguments before the options, where, with what.

    Attributes:
        program: the Python interpreter (the GUI's own by default).
        prefix: the arguments before the options, ("-m", "models.training").
        working_directory: the repository root, so `models` is this checkout's.
        environment: variables to add to the GUI's environment.
        niceness: how much lower the trainer's CPU priority is than the window's (Unix: the
            nice value added as soon as it starts, before TensorFlow makes its threads, which
            inherit it). On an idle machine training is as fast; when both want a core, the
            window gets it first and stays responsive.
    """

    program: str = sys.executable
    prefix: tuple[str, ...] = ("-m", "models.training")
    working_directory: Path = REPO_ROOT
    environment: dict[str, str] = field(
        default_factory=lambda: {"PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    )
    niceness: int = CHILD_NICENESS


class TrainerProcess(QObject):
    """One training child process at a time, its lines turned into signals."""

    lineReceived = Signal(object)
    """A protocol line (a models.training.protocol Line) arrived from the trainer."""
    lineRejected = Signal(str)
    """A line from the trainer was not a valid protocol line: why, quoting its start."""
    finished = Signal(int, str)
    """The trainer ended: its exit status (−1 if it crashed or was killed) and its stderr's end."""

    def __init__(self, command: TrainerCommand | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.command = command or TrainerCommand()
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._process.readyReadStandardOutput.connect(self._read_lines)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._finished)
        self._process.errorOccurred.connect(self._error)
        self._process.started.connect(self._lower_priority)
        self._stderr = bytearray()
        self._pending = bytearray()
        self._done = True

    # ----- control -------------------------------------------------------------------------
    def start(self, options: list[str]) -> None:
        """Start the trainer with `options` (after the command's prefix)."""
        if self.is_running():
            raise RuntimeError("the trainer is already running")
        self._stderr.clear()
        self._pending.clear()
        self._done = False
        environment = QProcessEnvironment.systemEnvironment()
        for name, value in self.command.environment.items():
            environment.insert(name, value)
        python_path = os.pathsep.join(
            part for part in (str(REPO_ROOT), environment.value("PYTHONPATH")) if part
        )
        environment.insert("PYTHONPATH", python_path)
        self._process.setProcessEnvironment(environment)
        self._process.setWorkingDirectory(str(self.command.working_directory))
        self._process.start(self.command.program, [*self.command.prefix, *options])

    def is_running(self) -> bool:
        """True from start until the process has ended."""
        return self._process.state() != QProcess.ProcessState.NotRunning

    def process_id(self) -> int:
        """The child's process id (0 when none runs)."""
        return int(self._process.processId())

    def request_stop(self) -> None:
        """Ask the trainer to stop after the current step and save (writes "stop" to stdin)."""
        if self.is_running():
            self._process.write(b"stop\n")

    def kill(self) -> None:
        """End the trainer at once (SIGKILL on Unix); its completed snapshots stay on disk."""
        if self.is_running():
            self._process.kill()

    def wait(self, milliseconds: int) -> bool:
        """Block until the trainer has ended, at most `milliseconds`; True if it has."""
        if not self.is_running():
            return True
        return bool(self._process.waitForFinished(milliseconds))

    def _lower_priority(self) -> None:
        pid = self.process_id()
        if pid and self.command.niceness and hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):  # the child may already be gone
                current = os.getpriority(os.PRIO_PROCESS, pid)
                os.setpriority(os.PRIO_PROCESS, pid, current + self.command.niceness)

    # ----- reading -------------------------------------------------------------------------
    def _read_lines(self) -> None:
        self._pending += bytes(self._process.readAllStandardOutput().data())
        while True:
            end = self._pending.find(b"\n")
            if end < 0:
                break
            raw = bytes(self._pending[:end])
            del self._pending[: end + 1]
            self._handle(raw)

    def _handle(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            return
        try:
            line = parse_line(text)
        except ProtocolError as error:
            self.lineRejected.emit(str(error))
            return
        self.lineReceived.emit(line)

    def _read_stderr(self) -> None:
        self._stderr += bytes(self._process.readAllStandardError().data())
        del self._stderr[:-STDERR_KEPT]

    def stderr_tail(self) -> str:
        """The end of what the trainer wrote on stderr (at most 8 KB), as text."""
        return self._stderr.decode("utf-8", errors="replace")

    def _finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._read_lines()
        self._read_stderr()
        if self._pending.strip():
            self._handle(bytes(self._pending))
        self._pending.clear()
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        self._end(CRASHED if crashed else int(exit_code))

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._stderr += f"could not start {self.command.program}: ".encode()
            self._stderr += self._process.errorString().encode()
            self._end(CRASHED)

    def _end(self, status: int) -> None:
        if self._done:
            return
        self._done = True
        self.finished.emit(status, self.stderr_tail())
