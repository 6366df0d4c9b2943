"""The GIF export's options: how long each step shows (its own pace, not the playback's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from gui.export import MAX_FRAME_SECONDS, MIN_FRAME_SECONDS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class GifOptionsDialog(QDialog):
    """Asks for the seconds each step of the exported animation shows."""

    def __init__(self, seconds: float, steps: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Animation as GIF")
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(MIN_FRAME_SECONDS, MAX_FRAME_SECONDS)
        self.seconds.setDecimals(2)
        self.seconds.setSingleStep(0.1)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(seconds)
        self._steps = steps
        self.length = QLabel()
        self.length.setTextFormat(Qt.TextFormat.PlainText)
        self.seconds.valueChanged.connect(self._show_length)
        form = QFormLayout()
        form.addRow("Each step shows for", self.seconds)
        form.addRow("The animation lasts", self.length)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._show_length(seconds)

    def _show_length(self, seconds: float) -> None:
        self.length.setText(f"{self._steps} steps, about {self._steps * seconds:.0f} s")


def ask_frame_seconds(seconds: float, steps: int, parent: QWidget | None = None) -> float | None:
    """The seconds per step the user chose for ``steps`` frames (None if cancelled)."""
    dialog = GifOptionsDialog(seconds, steps, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return float(dialog.seconds.value())
