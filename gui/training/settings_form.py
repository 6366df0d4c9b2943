"""SettingsForm: the preset and every training setting a student may change before a run.

Choosing a preset loads its recipe (optimizer, learning rate, decay, epochs, batch size,
augmentation); the training-set size and the seed stay. The form builds the run's
`TrainingSettings` (whose own checks apply) and the training-set size.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.training.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
from models.training.keras_code import MNIST_TRAIN_IMAGES
from models.training.settings import TrainingSettings

OPTIMIZER_CHOICES = (("sgd", "SGD (stochastic gradient descent)"), ("adam", "Adam"))
DECAY_CHOICES = (
    ("none", "none (constant)"),
    ("exponential", "× 0.6 per epoch (slide 004)"),
    ("cosine", "cosine, to 1 % at the end"),
)
SMALLEST_TRAIN_SIZE = 1000
TRAIN_SIZE_STEP = 1000
PRESET_DROPOUT = -0.05  # the spin box's minimum, shown as "the preset's"
MAX_SEED = 2**31 - 1
SHORTEST_CHOICE = 26  # characters a choice box asks room for ("× 0.6 per epoch (slide 004)")


def choice_box(choices: tuple[tuple[str, str], ...]) -> QComboBox:
    """A combo box whose items carry their keys as data.

    It asks for room for SHORTEST_CHOICE characters, not for its longest item (a preset's
    full name), so the form fits a 1024-pixel window beside the charts; a narrower box
    elides the text it shows, and its list shows every item whole.
    """
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(SHORTEST_CHOICE)
    for key, text in choices:
        box.addItem(text, key)
    return box


def select_data(box: QComboBox, key: str) -> None:
    """Select the item whose data is `key`."""
    index = box.findData(key)
    if index >= 0:
        box.setCurrentIndex(index)


class SettingsForm(QWidget):
    """The preset and the training settings, as a form."""

    changed = Signal()
    """A setting (or the preset) changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = choice_box(tuple((key, key) for key in ARCHITECTURES))
        for index, architecture in enumerate(ARCHITECTURES.values()):
            self.preset.setItemData(index, architecture.name, Qt.ItemDataRole.ToolTipRole)
        self.preset_name = QLabel()  # the preset's full name, wrapped: the box shows its key
        self.preset_name.setTextFormat(Qt.TextFormat.PlainText)
        self.preset_name.setWordWrap(True)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, MNIST_TRAIN_IMAGES)
        self.optimizer = choice_box(OPTIMIZER_CHOICES)
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(5)
        self.learning_rate.setRange(0.00001, 10.0)
        self.learning_rate.setSingleStep(0.001)
        self.decay = choice_box(DECAY_CHOICES)
        self.dropout = QDoubleSpinBox()
        self.dropout.setDecimals(2)
        self.dropout.setRange(PRESET_DROPOUT, 0.95)
        self.dropout.setSingleStep(0.05)
        self.dropout.setSpecialValueText("the preset's")
        self.train_size = QSpinBox()
        self.train_size.setRange(SMALLEST_TRAIN_SIZE, MNIST_TRAIN_IMAGES)
        self.train_size.setSingleStep(TRAIN_SIZE_STEP)
        self.train_size.setGroupSeparatorShown(True)
        self.train_size.setValue(MNIST_TRAIN_IMAGES)
        self.augment = QCheckBox("random shifts, turns, zooms…")
        self.augment.setToolTip(
            "Each training image is shifted, rotated, slanted, zoomed, thickened or thinned "
            "at random, a little, every epoch"
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self._build()
        self.set_preset(DEFAULT_ARCHITECTURE)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        for box in (self.epochs, self.batch_size, self.train_size, self.seed):
            box.valueChanged.connect(self.changed)
        for spin in (self.learning_rate, self.dropout):
            spin.valueChanged.connect(self.changed)
        for combo in (self.optimizer, self.decay):
            combo.currentIndexChanged.connect(self.changed)
        self.augment.toggled.connect(self.changed)

    def _build(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        network = QWidget()  # the box, and the preset's full name under it
        network_column = QVBoxLayout(network)
        network_column.setContentsMargins(0, 0, 0, 0)
        network_column.setSpacing(2)
        network_column.addWidget(self.preset)
        network_column.addWidget(self.preset_name)
        form.addRow("Network:", network)
        form.addRow("Training images:", self.train_size)
        form.addRow("Epochs:", self.epochs)
        form.addRow("Batch size:", self.batch_size)
        form.addRow("Optimizer:", self.optimizer)
        form.addRow("Learning rate:", self.learning_rate)
        form.addRow("Learning-rate decay:", self.decay)
        form.addRow("Dropout rate:", self.dropout)
        form.addRow("Augmentation:", self.augment)
        form.addRow("Random seed:", self.seed)
        self.train_size.setToolTip(
            "Train on the first N of MNIST's 60,000 training images (1,000 for a quick demo); "
            "the 10,000 test images always measure the network."
        )
        self.decay.setToolTip(
            "Exponential: the rate times 0.6 after every epoch (slide 004's 0.01·0.6^epoch). "
            "Cosine: from the rate down to 1 % of it by the last step, along a cosine."
        )
        self.dropout.setToolTip(
            "The rate of every dropout layer while training (only networks with dropout "
            "layers: dense-dropout, lecture, kth)."
        )

    def architecture(self) -> str:
        """The chosen preset's key."""
        return str(self.preset.currentData())

    def set_preset(self, key: str) -> None:
        """Choose a preset and load its recipe (the training-set size and seed stay)."""
        recipe = TrainingSettings.for_architecture(key, seed=self.seed.value())
        blockers = [
            QSignalBlocker(widget)
            for widget in (self.preset, self.epochs, self.batch_size, self.optimizer,
                           self.learning_rate, self.decay, self.dropout, self.augment)
        ]  # fmt: skip
        select_data(self.preset, key)
        self.preset_name.setText(ARCHITECTURES[key].name)
        self.epochs.setValue(recipe.epochs)
        self.batch_size.setValue(recipe.batch_size)
        select_data(self.optimizer, recipe.optimizer)
        self.learning_rate.setValue(recipe.learning_rate)
        select_data(self.decay, recipe.lr_decay)
        self.dropout.setValue(PRESET_DROPOUT)
        self.dropout.setEnabled(bool(ARCHITECTURES[key].dropout_layers))
        self.augment.setChecked(recipe.augment)
        for blocker in blockers:
            blocker.unblock()
        self.changed.emit()

    def _preset_chosen(self) -> None:
        self.set_preset(self.architecture())

    def dropout_rate(self) -> float | None:
        """The dropout rate asked for; None: the preset's own rates."""
        value = self.dropout.value()
        return None if value < 0 else value

    def training_settings(self) -> TrainingSettings:
        """The settings the form shows.

        Raises:
            SettingsError: a value the settings refuse (the message names it).
        """
        return TrainingSettings(
            architecture=self.architecture(),
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            learning_rate=self.learning_rate.value(),
            augment=self.augment.isChecked(),
            seed=self.seed.value(),
            optimizer=str(self.optimizer.currentData()),
            lr_decay=str(self.decay.currentData()),
            dropout=self.dropout_rate(),
        )

    def train_images(self) -> int:
        """How many training images the run uses."""
        return self.train_size.value()

    def set_editable(self, editable: bool) -> None:
        """Allow or forbid changes (forbidden while a run trains)."""
        for widget in (
            self.preset,
            self.epochs,
            self.batch_size,
            self.optimizer,
            self.learning_rate,
            self.decay,
            self.train_size,
            self.augment,
            self.seed,
        ):
            widget.setEnabled(editable)  # fmt: skip
        has_dropout = bool(ARCHITECTURES[self.architecture()].dropout_layers)
        self.dropout.setEnabled(editable and has_dropout)
