"""TrainingWindow: the training lab alone in a main window (until it is one of the app's modes).

It shows what the app's main window must do for the lab: forward its status messages, and on
close ask before stopping a run, then end the trainer (`confirm_close`, `stop_and_wait`), so
no child process is ever left behind. `python -m gui.training` opens it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QWidget

from gui.training.lab import TrainingLab

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

STATUS_MS = 8000
TITLE = "CNN Visualizer — Training"


class TrainingWindow(QMainWindow):
    """A main window around a TrainingLab."""

    def __init__(self, lab: TrainingLab | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.lab = lab if lab is not None else TrainingLab()
        self.setCentralWidget(self.lab)
        self.lab.statusMessage.connect(lambda text: self.statusBar().showMessage(text, STATUS_MS))
        self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before stopping a run; then end the trainer before the window goes."""
        if not self.lab.confirm_close():
            event.ignore()
            return
        self.lab.stop_and_wait()
        event.accept()
