"""EpochBar: a slider over a training run's epochs, shown when the lab's model belongs to one.

The training lab's "Open in Digit Lab" opens an epoch's snapshot of a run; with this slider the
student steps from the untrained network (epoch 0) to the last epoch and watches the answer to
the same drawing and the feature maps change. The run's snapshots are the engine's
(``engine.network.epoch_snapshots``); choosing one asks the lab to load that file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from gui.widgets import caption_label

if TYPE_CHECKING:
    from engine.network.epoch_snapshots import EpochSnapshots


class EpochBar(QWidget):
    """The words "Training run", the slider, and "Epoch 3 of 10 · 97.96 % on the test set"."""

    epochChosen = Signal(int)
    """The user chose the run's snapshot at this index (released the slider, or a key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setTracking(False)  # one model load per choice, not one per pixel dragged
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setToolTip(
            "Step through the training run: the same drawing, the network after each epoch"
        )
        self.slider.valueChanged.connect(self.epochChosen)
        self.text = caption_label(size=10, colour="#222831")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Training run"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.text)
        self.hide()

    def show_run(self, run: EpochSnapshots | None, accuracy: float | None) -> None:
        """Show the run's epochs, the current one chosen; None hides the bar (no run)."""
        self.setVisible(run is not None)
        if run is None:
            return
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, len(run.epochs) - 1)
            self.slider.setValue(run.current)
        self.text.setText(run.text(accuracy))
