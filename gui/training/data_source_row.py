"""DataSourceRow: where the training lab takes MNIST from, and a button to choose a file.

In order: a file chosen here (remembered in the app's settings, read back with
gui.settings.read_path), else $MNIST_NPZ, else ../shared/data/mnist.npz beside the
repository, else Keras's downloader (needs a network).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from gui.settings import app_settings, read_path
from models.training.mnist_source import resolve_data_path

SETTINGS_KEY = "training/mnistFile"
NPZ_FILTER = "MNIST in Keras's format (*.npz);;All files (*)"


class DataSourceRow(QWidget):
    """'MNIST: <where from>' and a Choose… button."""

    changed = Signal()
    """The MNIST source changed (a file was chosen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A remembered path that is not one (too long, relative, damaged) is ignored.
        self._chosen = read_path(app_settings(), SETTINGS_KEY)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.choose_button = QPushButton("Choose MNIST file…")
        self.choose_button.clicked.connect(lambda: self.choose_file())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.choose_button)
        self._show()

    def source_path(self) -> Path | None:
        """The npz to train on; None: Keras will download MNIST."""
        return resolve_data_path(self._chosen)

    def set_file(self, path: Path) -> None:
        """Use `path` from now on (and remember it)."""
        self._chosen = path
        app_settings().setValue(SETTINGS_KEY, str(path))
        self._show()
        self.changed.emit()

    def choose_file(self, reason: str = "") -> bool:
        """Ask for an MNIST npz; True if one was chosen. `reason` titles the dialog."""
        start = self.source_path()
        path, _ = QFileDialog.getOpenFileName(
            self,
            reason or "Choose the MNIST file",
            str(start.parent if start is not None else Path.home()),
            NPZ_FILTER,
        )
        if not path:
            return False
        self.set_file(Path(path))
        return True

    def _show(self) -> None:
        path = self.source_path()
        if path is None:
            self.label.setText("MNIST: no file found; Keras will download it (needs a network).")
        else:
            self.label.setText(f"MNIST: {path}")
