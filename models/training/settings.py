"""Typed settings of a training run: frozen dataclasses that check their values when made.

Every bad value raises `SettingsError`, which names the setting and its command-line option and
says what is wrong, e.g. ``epochs (--epochs) must be at least 1, got 0``. The command line
(cli.py) builds these objects from its options; other code (a training lab, tests) builds them
directly. The defaults here are the command line's defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from models import DEFAULT_MODEL_PATH, MODEL_CARD_PATH, SAMPLES_PATH
from models.training.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
from models.training.errors import UserError

KERAS_SUFFIX = ".keras"


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


@dataclass(frozen=True, slots=True)
class DataSettings:
    """Which MNIST data to train on.

    Attributes:
        path: an npz in the format of keras.datasets.mnist (--data); None: $MNIST_NPZ, else
            ../shared/data/mnist.npz beside the repository, else Keras's downloader.
        limit: train on the first `limit` training images only (--limit); None: all 60,000.
            The test set is always complete.

    Raises:
        SettingsError: `path` is not a Path or None; `limit` is not None or a whole number >= 1.
    """

    path: Path | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        require(path_problem(self.path, optional=True), "path", "--data")
        if self.limit is not None:
            require(count_problem(self.limit, 1), "limit", "--limit")


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """How to train: the architecture and the optimisation settings.

    Attributes:
        architecture: a key of `ARCHITECTURES` (--arch), e.g. "lecture" (slide 002).
        epochs: passes over the training images (--epochs), >= 1.
        batch_size: images per gradient step (--batch-size), >= 1.
        learning_rate: Adam's initial learning rate (--learning-rate), > 0, decayed to 1% of
            it along a cosine.
        augment: randomly shift, rotate, slant, zoom and thicken/thin the training images
            (False: --no-augment).
        seed: seeds Python, NumPy, TensorFlow and the input pipeline (--seed), >= 0.

    Raises:
        SettingsError: a value of the wrong type or out of range.
    """

    architecture: str = DEFAULT_ARCHITECTURE
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 1e-3
    augment: bool = True
    seed: int = 0

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


@dataclass(frozen=True, slots=True)
class OutputSettings:
    """Where to write the results (each file is written atomically: a temporary file, a rename).

    Attributes:
        model: the ONNX model (--out).
        samples: the sample digits, an npz (--samples).
        card: the model card, Markdown (--card).
        keras_model: also save the trained Keras model here (--keras-out), a path ending in
            .keras; None: do not.

    Raises:
        SettingsError: a path that is not a pathlib.Path, or a Keras path not ending in .keras.
    """

    model: Path = DEFAULT_MODEL_PATH
    samples: Path = SAMPLES_PATH
    card: Path = MODEL_CARD_PATH
    keras_model: Path | None = None

    def __post_init__(self) -> None:
        require(path_problem(self.model), "model", "--out")
        require(path_problem(self.samples), "samples", "--samples")
        require(path_problem(self.card), "card", "--card")
        keras_problem = path_problem(self.keras_model, optional=True, suffix=KERAS_SUFFIX)
        require(keras_problem, "keras_model", "--keras-out")

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file the run writes, in the order it writes them."""
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
