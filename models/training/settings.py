"""Typed settings of a training run: frozen dataclasses that check their values when made.

Every bad value raises `SettingsError`, which names the setting and its command-line option and
says what is wrong, e.g. ``epochs (--epochs) must be at least 1, got 0``. The command line
(options.py) builds these objects from its options; other code (the training lab, tests) builds
them directly. The defaults are those of the default preset, `lecture` (the shipped model);
`TrainingSettings.for_architecture` gives another preset's recipe. Nothing here imports NumPy
or TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from models import DEFAULT_MODEL_PATH, MODEL_CARD_PATH, SAMPLES_PATH
from models.training.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
from models.training.errors import UserError
from models.training.run_layout import RunLayout

KERAS_SUFFIX = ".keras"
OPTIMIZERS = ("adam", "sgd")
LR_DECAYS = ("none", "exponential", "cosine")


class SettingsError(UserError, ValueError):
    """A setting has a bad value.

    Attributes:
        setting: the dataclass field, e.g. "batch_size".
        option: the command-line option that sets it, e.g. "--batch-size".
        reason: what is wrong, e.g. "must be at least 1, got 0".
    """

    def __init__(self, setting: str, option: str, reason: str) -> None:
        super().__init__(f"{setting} ({option}) {reason}")
        self.setting = setting
        self.option = option
        self.reason = reason


def count_problem(value: object, minimum: int) -> str | None:
    """What is wrong with `value` as a whole number >= `minimum` (0 or 1), or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number, got {value!r}"
    if value < minimum:
        if minimum == 0:
            return f"must be 0 or more, got {value}"
        return f"must be at least {minimum}, got {value}"
    return None


def positive_number_problem(value: object) -> str | None:
    """What is wrong with `value` as a finite number > 0, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a positive number, got {value!r}"
    if not math.isfinite(value) or value <= 0:
        return f"must be a positive number, got {value:g}"
    return None


def path_problem(value: object, *, optional: bool = False, suffix: str | None = None) -> str | None:
    """What is wrong with `value` as a pathlib.Path (None allowed if `optional`), or None."""
    if value is None and optional:
        return None
    if not isinstance(value, Path):
        return f"must be a pathlib.Path, got {value!r}"
    if suffix is not None and value.suffix != suffix:
        return f"must end in {suffix}, got {value}"
    return None


def architecture_problem(value: object) -> str | None:
    """What is wrong with `value` as a key of the architecture registry, or None."""
    if value in ARCHITECTURES:
        return None
    return f"must be one of {', '.join(sorted(ARCHITECTURES))}, got {value!r}"


def require(problem: str | None, setting: str, option: str) -> None:
    """Raise SettingsError(setting, option, problem) unless `problem` is None."""
    if problem is not None:
        raise SettingsError(setting, option, problem)


def fraction_problem(value: object) -> str | None:
    """What is wrong with `value` as a dropout rate (a number, 0 <= rate < 1), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number from 0 up to (not including) 1, got {value!r}"
    if not 0.0 <= value < 1.0:
        return f"must be a number from 0 up to (not including) 1, got {value:g}"
    return None


def choice_problem(value: object, choices: tuple[str, ...]) -> str | None:
    """What is wrong with `value` as one of `choices`, or None."""
    if value in choices:
        return None
    return f"must be one of {', '.join(choices)}, got {value!r}"


@dataclass(frozen=True, slots=True)
class DataSettings:
    """Which MNIST data to train on.

    Attributes:
        path: an npz in the format of keras.datasets.mnist (--data); None: $MNIST_NPZ, else
            ../shared/data/mnist.npz beside the repository, else Keras's downloader.
        train_size: train on the first `train_size` training images only (--train-size, or its
            old name --limit); None: all of them (60,000 in MNIST). The test set is always
            complete.

    Raises:
        SettingsError: `path` is not a Path or None; `train_size` is not None or a whole
            number >= 1.
    """

    path: Path | None = None
    train_size: int | None = None

    def __post_init__(self) -> None:
        require(path_problem(self.path, optional=True), "path", "--data")
        if self.train_size is not None:
            require(count_problem(self.train_size, 1), "train_size", "--train-size")


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """How to train: the architecture and the optimisation settings.

    The defaults are the `lecture` preset's recipe (the shipped model); use `for_architecture`
    for another preset's.

    Attributes:
        architecture: a key of `ARCHITECTURES` (--arch), e.g. "lecture" (slide 002).
        epochs: passes over the training images (--epochs), >= 1.
        batch_size: images per gradient step (--batch-size), >= 1.
        learning_rate: the optimizer's initial learning rate (--learning-rate), > 0.
        augment: randomly shift, rotate, slant, zoom and thicken/thin the training images
            (--augment / --no-augment).
        seed: seeds Python, NumPy, TensorFlow and the input pipeline (--seed), >= 0.
        optimizer: "adam" or "sgd" (--optimizer).
        lr_decay: how the learning rate falls (--lr-decay): "none", "exponential" (× 0.6 per
            epoch, slide 004's `0.01 * math.pow(0.6, epoch)` with its 0.01 replaced by
            `learning_rate`) or "cosine" (to 1 % of `learning_rate` along a cosine, per step).
        dropout: every dropout layer's rate (--dropout), 0 <= rate < 1; None: the preset's.

    Raises:
        SettingsError: a value of the wrong type or out of range, or a dropout rate for a
            preset without dropout layers.
    """

    architecture: str = DEFAULT_ARCHITECTURE
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 1e-3
    augment: bool = True
    seed: int = 0
    optimizer: str = "adam"
    lr_decay: str = "cosine"
    dropout: float | None = None

    def __post_init__(self) -> None:
        require(architecture_problem(self.architecture), "architecture", "--arch")
        require(count_problem(self.epochs, 1), "epochs", "--epochs")
        require(count_problem(self.batch_size, 1), "batch_size", "--batch-size")
        require(positive_number_problem(self.learning_rate), "learning_rate", "--learning-rate")
        if not isinstance(self.augment, bool):
            raise SettingsError(
                "augment", "--no-augment", f"must be True or False, got {self.augment!r}"
            )
        require(count_problem(self.seed, 0), "seed", "--seed")
        require(choice_problem(self.optimizer, OPTIMIZERS), "optimizer", "--optimizer")
        require(choice_problem(self.lr_decay, LR_DECAYS), "lr_decay", "--lr-decay")
        if self.dropout is not None:
            require(fraction_problem(self.dropout), "dropout", "--dropout")
            if not ARCHITECTURES[self.architecture].dropout_layers:
                raise SettingsError(
                    "dropout",
                    "--dropout",
                    f"has no effect: the preset {self.architecture} has no dropout layer "
                    "(try dense-dropout, lecture or kth)",
                )

    @classmethod
    def for_architecture(cls, architecture: str, **changes: object) -> TrainingSettings:
        """The preset's recipe (optimizer, rate, decay, epochs, batch, augmentation) + `changes`.

        For example ``TrainingSettings.for_architecture("softmax", epochs=1)``.

        Raises:
            SettingsError: an unknown preset, or a bad value in `changes`.
            TypeError: a key of `changes` that is not a setting.
        """
        require(architecture_problem(architecture), "architecture", "--arch")
        recipe = ARCHITECTURES[architecture].recipe
        values: dict[str, object] = {
            "optimizer": recipe.optimizer,
            "learning_rate": recipe.learning_rate,
            "lr_decay": recipe.lr_decay,
            "epochs": recipe.epochs,
            "batch_size": recipe.batch_size,
            "augment": recipe.augment,
        }
        values.update(changes)
        return cls(architecture, **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class OutputSettings:
    """Where to write the results (each file is written atomically: a temporary file, a rename).

    Either single files (the shipped model's way: `model`, `samples`, `card`), or a run folder
    (`run_folder`, made with `in_run_folder`) that receives the whole run: settings, history,
    a snapshot per epoch, the final model, samples and model card (see run_layout.py).

    Attributes:
        model: the ONNX model (--out FILE.onnx).
        samples: the sample digits, an npz (--samples).
        card: the model card, Markdown (--card).
        keras_model: also save the trained Keras model here (--keras-out), a path ending in
            .keras; None: do not.
        run_folder: the run folder (--out DIR); None: single files.

    Raises:
        SettingsError: a path that is not a pathlib.Path, a Keras path not ending in .keras, or
            a run folder whose model, samples and card are not the folder's own.
    """

    model: Path = DEFAULT_MODEL_PATH
    samples: Path = SAMPLES_PATH
    card: Path = MODEL_CARD_PATH
    keras_model: Path | None = None
    run_folder: Path | None = None

    def __post_init__(self) -> None:
        require(path_problem(self.model), "model", "--out")
        require(path_problem(self.samples), "samples", "--samples")
        require(path_problem(self.card), "card", "--card")
        keras_problem = path_problem(self.keras_model, optional=True, suffix=KERAS_SUFFIX)
        require(keras_problem, "keras_model", "--keras-out")
        require(path_problem(self.run_folder, optional=True), "run_folder", "--out")
        if self.run_folder is not None:
            layout = RunLayout(self.run_folder)
            if (self.model, self.samples, self.card) != (layout.model, layout.samples, layout.card):
                raise SettingsError(
                    "run_folder",
                    "--out",
                    "keeps its model, samples and card inside it; use OutputSettings.in_run_folder",
                )

    @classmethod
    def in_run_folder(cls, folder: Path, keras_model: Path | None = None) -> OutputSettings:
        """Outputs that put the whole run into `folder` (see run_layout.py)."""
        layout = RunLayout(folder)
        return cls(layout.model, layout.samples, layout.card, keras_model, folder)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file the run writes at its end, in the order it writes them."""
        files = (self.model, self.samples, self.card)
        return files if self.keras_model is None else (*files, self.keras_model)


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Everything a training run needs: the data, the training and the outputs."""

    data: DataSettings = field(default_factory=DataSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    outputs: OutputSettings = field(default_factory=OutputSettings)

    def __post_init__(self) -> None:
        for name, kind in (
            ("data", DataSettings),
            ("training", TrainingSettings),
            ("outputs", OutputSettings),
        ):
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise TypeError(f"RunSettings.{name} must be a {kind.__name__}, got {value!r}")
