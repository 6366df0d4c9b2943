"""The trainer's options: argparse ↔ settings, both ways (no NumPy, no TensorFlow).

`build_parser` and `parse_command_line` turn options into settings (and how to report);
`option_arguments` turns settings back into options, which is how the training lab starts
`python -m models.training` in a child process. Options a user leaves out take the chosen
preset's recipe (architectures.py): `--arch softmax` alone trains with SGD, rate 0.1, 10
epochs of batches of 100, as slide 004 does.

`--out` is either an ONNX file (a path ending in .onnx: the model file, with --samples and
--card beside it, the shipped model's way) or a run folder (any other path: a new or empty
folder that receives the whole run, see run_layout.py).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from models import MODEL_CARD_PATH, SAMPLES_PATH
from models.training.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
from models.training.settings import (
    LR_DECAYS,
    OPTIMIZERS,
    DataSettings,
    OutputSettings,
    RunSettings,
    SettingsError,
    TrainingSettings,
    count_problem,
    fraction_problem,
    positive_number_problem,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

MODULE_PROG = "python -m models.training"
ONNX_SUFFIX = ".onnx"
PROGRESS_FORMATS = ("human", "jsonl")
CONTROLS = ("none", "stdin")
DEFAULT_PROGRESS_EVERY = 10
DEFAULTS = RunSettings()


@dataclass(frozen=True, slots=True)
class Reporting:
    """How the command line reports a run (not part of the run's settings).

    Attributes:
        progress: "human" (Keras's progress bar and a summary) or "jsonl" (protocol.py's
            lines on stdout, nothing else).
        progress_every: steps between batch lines (jsonl).
        control: "stdin" to obey "stop" on standard input (control.py); "none" to ignore it.
    """

    progress: str = "human"
    progress_every: int = DEFAULT_PROGRESS_EVERY
    control: str = "none"


def positive_int(text: str) -> int:
    """Parse an --option value that must be a whole number >= 1 (an argparse type)."""
    value = int(text)
    problem = count_problem(value, 1)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def non_negative_int(text: str) -> int:
    """Parse an --option value that must be a whole number >= 0 (an argparse type)."""
    value = int(text)
    problem = count_problem(value, 0)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def positive_float(text: str) -> float:
    """Parse an --option value that must be a finite number > 0 (an argparse type)."""
    value = float(text)
    problem = positive_number_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def rate(text: str) -> float:
    """Parse a dropout rate, 0 <= rate < 1 (an argparse type)."""
    value = float(text)
    problem = fraction_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def architecture_help() -> str:
    """--arch's help: every preset of the registry, its description and its recipe."""
    presets = "; ".join(
        f"{key}: {arch.description} [{recipe_text(key)}]" for key, arch in ARCHITECTURES.items()
    )
    return f"{presets}. Default: %(default)s."


def recipe_text(key: str) -> str:
    """A preset's recipe in options, e.g. '--optimizer sgd --learning-rate 0.1 ...'."""
    recipe = ARCHITECTURES[key].recipe
    augment = "--augment" if recipe.augment else "--no-augment"
    return (
        f"--optimizer {recipe.optimizer} --learning-rate {recipe.learning_rate:g} "
        f"--lr-decay {recipe.lr_decay} --epochs {recipe.epochs} --batch-size "
        f"{recipe.batch_size} {augment}"
    ).replace("%", "%%")


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """--arch and the options whose defaults are the preset's recipe."""
    parser.add_argument(
        "--arch", choices=list(ARCHITECTURES), default=DEFAULT_ARCHITECTURE,
        help=architecture_help(),
    )  # fmt: skip
    preset = "Default: the preset's (see --arch)."
    parser.add_argument("--epochs", type=positive_int, help=preset)
    parser.add_argument("--batch-size", type=positive_int, help=preset)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help=preset)
    parser.add_argument(
        "--learning-rate", type=positive_float, help=f"The initial learning rate. {preset}"
    )
    parser.add_argument(
        "--lr-decay",
        choices=LR_DECAYS,
        help="none: constant; exponential: × 0.6 per epoch (slide 004's "
        "0.01·0.6^epoch with its 0.01 replaced by --learning-rate); cosine: down to 1%% of "
        f"--learning-rate along a cosine. {preset}",
    )
    parser.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        help="Randomly shift, rotate, slant, zoom and thicken or thin the training images "
        f"(--no-augment: train on them as they are). {preset}",
    )
    parser.add_argument(
        "--dropout",
        type=rate,
        help="Every dropout layer's rate, 0 <= rate < 1 (only presets with dropout layers: "
        "dense-dropout, lecture, kth). Default: the preset's.",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=DEFAULTS.training.seed,
        help="Default: %(default)s.",
    )  # fmt: skip


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """--out, --samples, --card, --keras-out, and how to report."""
    outputs = DEFAULTS.outputs
    parser.add_argument(
        "--out",
        type=Path,
        default=outputs.model,
        help="An ONNX file (a path ending in .onnx) to write the model to, with --samples and "
        "--card; or a run folder (any other path; new or empty), which receives the whole run: "
        "settings.json, history.jsonl, an ONNX snapshot per epoch (epochs/epoch-NNN.onnx, "
        "measured on the test images), model.onnx, samples.npz and MODEL_CARD.md. "
        "Default: %(default)s.",
    )
    parser.add_argument(
        "--samples",
        type=Path,
        help=f"Sample digits to write (with an .onnx --out only). Default: {SAMPLES_PATH}.",
    )
    parser.add_argument(
        "--card",
        type=Path,
        help=f"Model card to write (with an .onnx --out only). Default: {MODEL_CARD_PATH}.",
    )
    parser.add_argument(
        "--keras-out",
        type=Path,
        default=outputs.keras_model,
        help="Also save the trained Keras model (.keras), e.g. to compare it with the ONNX file.",
    )
    parser.add_argument(
        "--progress",
        choices=PROGRESS_FORMATS,
        default="human",
        help="human: Keras's progress bar and a summary; jsonl: one JSON object per line on "
        "stdout and nothing else (kinds message, start, batch, epoch, end, error; see "
        "models/training/protocol.py). Default: %(default)s.",
    )
    parser.add_argument(
        "--progress-every",
        type=positive_int,
        default=DEFAULT_PROGRESS_EVERY,
        metavar="N",
        help="With --progress jsonl: a batch line every N steps (and the first and last of "
        "each epoch). Default: %(default)s.",
    )
    parser.add_argument(
        "--control",
        choices=CONTROLS,
        default="none",
        help="stdin: a line 'stop' on standard input (or its end) stops the run after the "
        "current step and saves the last weights as a usable model. Default: %(default)s.",
    )


def build_parser(prog: str = MODULE_PROG) -> argparse.ArgumentParser:
    """The trainer's options; left out, they take the preset's recipe or the shipped paths."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Train an MNIST network of the course slides (the KTH ladder from a "
        "one-layer softmax to the CNNs) and export it to ONNX, with sample digits and a "
        "model card; or, with --out DIR, keep the whole run in a folder.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULTS.data.path,
        help="MNIST npz in the format of keras.datasets.mnist (x_train, y_train, x_test, "
        "y_test). Default: $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository, "
        "else Keras's downloader.",
    )
    parser.add_argument(
        "--train-size",
        "--limit",
        dest="train_size",
        type=positive_int,
        default=DEFAULTS.data.train_size,
        metavar="N",
        help="Train on the first N training images only (1,000 for a quick demo; --limit is "
        "its old name). The test set is always complete. Default: all.",
    )
    add_training_options(parser)
    add_output_options(parser)
    return parser


def output_settings(args: argparse.Namespace) -> OutputSettings:
    """The outputs `--out` asks for: single files (.onnx) or a run folder.

    Raises:
        SettingsError: --samples or --card with a run folder, or a bad path.
    """
    out: Path = args.out
    if out.suffix.lower() == ONNX_SUFFIX:
        return OutputSettings(
            model=out,
            samples=SAMPLES_PATH if args.samples is None else args.samples,
            card=MODEL_CARD_PATH if args.card is None else args.card,
            keras_model=args.keras_out,
        )
    for option, value in (("--samples", args.samples), ("--card", args.card)):
        if value is not None:
            raise SettingsError(
                "run_folder",
                option,
                f"applies only when --out is an .onnx file; the run folder {out} gets "
                "samples.npz and MODEL_CARD.md",
            )
    return OutputSettings.in_run_folder(out, keras_model=args.keras_out)


def settings_from(args: argparse.Namespace) -> RunSettings:
    """The settings the parsed options ask for (options left out: the preset's recipe).

    Raises:
        SettingsError: an option's value is bad (e.g. --keras-out not ending in .keras).
    """
    given = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": args.optimizer,
        "learning_rate": args.learning_rate,
        "lr_decay": args.lr_decay,
        "augment": args.augment,
        "dropout": args.dropout,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    return RunSettings(
        data=DataSettings(path=args.data, train_size=args.train_size),
        training=TrainingSettings.for_architecture(args.arch, seed=args.seed, **changes),
        outputs=output_settings(args),
    )


def fail(parser: argparse.ArgumentParser, error: SettingsError) -> NoReturn:
    """Report a bad setting as argparse reports a bad option (exit status 2)."""
    parser.error(f"{error.option} {error.reason}")


def parse_command_line(
    argv: Sequence[str] | None = None, prog: str = MODULE_PROG
) -> tuple[RunSettings, Reporting]:
    """Parse the command line into settings and reporting (bad options: SystemExit(2))."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
    except SettingsError as error:
        fail(parser, error)
    return settings, Reporting(args.progress, args.progress_every, args.control)


def parse_settings(argv: Sequence[str] | None = None, prog: str = MODULE_PROG) -> RunSettings:
    """Parse the command line into settings (bad options: a message and SystemExit(2))."""
    return parse_command_line(argv, prog)[0]


def output_arguments(outputs: OutputSettings) -> list[tuple[str, object, object]]:
    """(option, value, default) of the outputs."""
    if outputs.run_folder is not None:
        return [
            ("--out", outputs.run_folder, None),
            ("--keras-out", outputs.keras_model, None),
        ]
    return [
        ("--out", outputs.model, DEFAULTS.outputs.model),
        ("--samples", outputs.samples, DEFAULTS.outputs.samples),
        ("--card", outputs.card, DEFAULTS.outputs.card),
        ("--keras-out", outputs.keras_model, None),
    ]


def option_arguments(settings: RunSettings) -> list[str]:
    """The options that make `parse_settings` give `settings`, e.g. for starting a child process.

    Only settings that differ from the defaults (the preset's recipe) are given, each as
    "--option=value" (so a path that starts with "-" stays a value);
    parse_settings(option_arguments(s)) == s.
    """
    data, training = settings.data, settings.training
    recipe = TrainingSettings.for_architecture(training.architecture)
    valued: list[tuple[str, object, object]] = [
        ("--data", data.path, None),
        ("--train-size", data.train_size, None),
        ("--arch", training.architecture, DEFAULT_ARCHITECTURE),
        ("--epochs", training.epochs, recipe.epochs),
        ("--batch-size", training.batch_size, recipe.batch_size),
        ("--optimizer", training.optimizer, recipe.optimizer),
        ("--learning-rate", training.learning_rate, recipe.learning_rate),
        ("--lr-decay", training.lr_decay, recipe.lr_decay),
        ("--dropout", training.dropout, None),
        ("--seed", training.seed, DEFAULTS.training.seed),
        *output_arguments(settings.outputs),
    ]
    arguments = [f"{option}={value}" for option, value, default in valued if value != default]
    if training.augment != recipe.augment:
        arguments.append("--augment" if training.augment else "--no-augment")
    return arguments


def reporting_arguments(reporting: Reporting) -> list[str]:
    """The options of `reporting` (all of them, explicit)."""
    return [
        f"--progress={reporting.progress}",
        f"--progress-every={reporting.progress_every}",
        f"--control={reporting.control}",
    ]
