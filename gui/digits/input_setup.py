"""InputSetup: the model's input preprocessing, shown and editable, and how pictures are fitted.

What the engine chose (``InputChoice``: the range, the ink, where it came from and how sure)
is shown in one row, the whole story in its tooltip; the user may pick another range (0..1,
0..255, −1..1, a mean/std), the ink polarity of a digit model, and for any other model how a
picture is fitted to its input (centre crop or letterbox). The widget only reports the
choices; the lab asks the engine for the new state (and shows a warning banner when no range
made sense of the samples).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from engine.network.input_choice import FIT_TEXT
from engine.network.preprocessing import RANGES, custom, ink_text, parse_values
from engine.network.remembered_inputs import FITS
from gui.widgets import caption_label

if TYPE_CHECKING:
    from engine.network.input_choice import InputChoice
    from engine.network.preprocessing import Preprocessing

CUSTOM_ENTRY = "mean/std…"
CHOSEN_MIN_WIDTH = 120


class InputSetup(QWidget):
    """The input range, ink and fit boxes, and where the choice came from, in one row."""

    preprocessingChosen = Signal(object)
    """The user chose another preprocessing (an ``engine.network.preprocessing.Preprocessing``)."""
    fitChosen = Signal(str)
    """The user chose how pictures are fitted: "crop" or "letterbox"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choice: InputChoice | None = None
        self._channels = 1
        self._ranges: list[Preprocessing] = []
        self.range_box = QComboBox()
        self.range_box.setToolTip("The input range the model was trained on")
        self.range_box.activated.connect(self._range_activated)
        self.ink_box = QComboBox()
        self.ink_box.addItems([ink_text(False) + " (like MNIST)", ink_text(True)])
        self.ink_box.setToolTip("The ink the digit model was trained on")
        self.ink_box.activated.connect(self._ink_activated)
        self.fit_box = QComboBox()
        self.fit_box.addItems([FIT_TEXT[fit].split(" (")[0] for fit in FITS])
        for index, fit in enumerate(FITS):
            self.fit_box.setItemData(index, FIT_TEXT[fit], Qt.ItemDataRole.ToolTipRole)
        self.fit_box.setToolTip("How a picture is fitted to the model's input")
        self.fit_box.activated.connect(lambda index: self.fitChosen.emit(FITS[index]))
        self.fit_label = QLabel("fitted by")
        self.chosen = caption_label(size=9)
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen.setMinimumWidth(CHOSEN_MIN_WIDTH)  # wraps rather than widen the column
        boxes = QHBoxLayout(self)
        boxes.setContentsMargins(0, 0, 0, 0)
        boxes.addWidget(QLabel("Input"))
        boxes.addWidget(self.range_box)
        boxes.addWidget(self.ink_box)
        boxes.addWidget(self.fit_label)
        boxes.addWidget(self.fit_box)
        boxes.addWidget(self.chosen, 1)

    def show_choice(self, choice: InputChoice, channels: int) -> None:
        """Show the model's preprocessing and fit (no signal is sent)."""
        self._choice = choice
        self._channels = channels
        current = choice.preprocessing.with_inverted(False)
        self._ranges = [r for r in RANGES if r.fits(channels)]
        if current not in self._ranges:
            self._ranges.append(current)
        with QSignalBlocker(self.range_box):
            self.range_box.clear()
            self.range_box.addItems([r.range_text for r in self._ranges] + [CUSTOM_ENTRY])
            self.range_box.setCurrentIndex(self._ranges.index(current))
        with QSignalBlocker(self.ink_box):
            self.ink_box.setCurrentIndex(1 if choice.preprocessing.inverted else 0)
        with QSignalBlocker(self.fit_box):
            self.fit_box.setCurrentIndex(FITS.index(choice.fit))
        self.ink_box.setVisible(choice.digits)
        for widget in (self.fit_label, self.fit_box):
            widget.setVisible(not choice.digits)
        self.chosen.setText(choice.source_text)
        self.chosen.setToolTip(choice.text)
        self.setToolTip(choice.text)

    def _inverted(self) -> bool:
        return self._choice is not None and self._choice.preprocessing.inverted

    def _range_activated(self, index: int) -> None:
        if index < len(self._ranges):
            self.preprocessingChosen.emit(self._ranges[index].with_inverted(self._inverted()))
            return
        dialog = MeanStdDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_value is not None:
            self.preprocessingChosen.emit(dialog.result_value.with_inverted(self._inverted()))
        elif self._choice is not None:  # cancelled: show the range in use again
            self.show_choice(self._choice, self._channels)

    def _ink_activated(self, index: int) -> None:
        if self._choice is not None:
            self.preprocessingChosen.emit(self._choice.preprocessing.with_inverted(index == 1))


class MeanStdDialog(QDialog):
    """Asks for a mean and a std (one value, or one per channel) and checks them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Input mean and std")
        self.result_value: Preprocessing | None = None
        self.mean = QLineEdit("0.5")
        self.std = QLineEdit("0.5")
        self.problem = caption_label(size=9, colour="#8a1c1c")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        form.addRow(
            caption_label(
                "The model's input is (picture − mean) / std, per channel; give one value or "
                "three (R, G, B), e.g. PyTorch's Normalize((0.5,), (0.5,))."
            )
        )
        form.addRow("Mean", self.mean)
        form.addRow("Std", self.std)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        """Close only for values the engine accepts; else say what is wrong."""
        try:
            mean = parse_values(self.mean.text(), "the mean")
            std = parse_values(self.std.text(), "the std")
            self.result_value = custom(mean, std)
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        super().accept()
