"""The command line: options → settings → a run with the human output (the only argparse code).

`python -m models.training` and `python models/train.py` both call `main`. Bad options exit with
status 2 (argparse's message); bad data or unwritable outputs print ``<prog>: error: <message>``
on stderr and exit with status 2, before TensorFlow is imported.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.architectures import ARCHITECTURES
from models.training.errors import UserError
from models.training.settings import (
    DataSettings,
    OutputSettings,
    RunSettings,
    SettingsError,
    TrainingSettings,
    count_problem,
    positive_number_problem,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

MODULE_PROG = "python -m models.training"
MODULE_COMMAND = ("python", "-m", "models.training")
EXIT_BAD_INPUT = 2
DEFAULTS = RunSettings()


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


def architecture_help() -> str:
    """--arch's help: every preset of the registry and its description."""
    presets = "; ".join(f"{key}: {arch.description}" for key, arch in ARCHITECTURES.items())
    return f"{presets}. Default: %(default)s."


def build_parser(prog: str = MODULE_PROG) -> argparse.ArgumentParser:
    """The trainer's options; their defaults are the settings' defaults."""
    data, training, outputs = DEFAULTS.data, DEFAULTS.training, DEFAULTS.outputs
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Train the MNIST CNN of the course slides and export it to ONNX, together "
        "with sample digits and a model card.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=data.path,
        help="MNIST npz in the format of keras.datasets.mnist (x_train, y_train, x_test, "
        "y_test). Default: $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository, "
        "else Keras's downloader.",
    )
    parser.add_argument(
        "--arch",
        choices=sorted(ARCHITECTURES),
        default=training.architecture,
        help=architecture_help(),
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=training.epochs, help="Default: %(default)s."
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=training.batch_size, help="Default: %(default)s."
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=training.learning_rate,
        help="Initial Adam learning rate, decayed to 1%% of it along a cosine. "
        "Default: %(default)s.",
    )
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=data.limit,
        help="Train on the first N training images only (quick tests). The test set is "
        "always complete.",
    )
    parser.add_argument(
        "--no-augment", action="store_true", help="Train on the images as they are."
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=training.seed, help="Default: %(default)s."
    )
    parser.add_argument(
        "--out", type=Path, default=outputs.model, help="ONNX model to write. Default: %(default)s."
    )
    parser.add_argument(
        "--samples",
        type=Path,
        default=outputs.samples,
        help="Sample digits to write. Default: %(default)s.",
    )
    parser.add_argument(
        "--card", type=Path, default=outputs.card, help="Model card to write. Default: %(default)s."
    )
    parser.add_argument(
        "--keras-out",
        type=Path,
        default=outputs.keras_model,
        help="Also save the trained Keras model (.keras), e.g. to compare it with the ONNX file.",
    )
    return parser


def settings_from(args: argparse.Namespace) -> RunSettings:
    """The settings the parsed options ask for.

    Raises:
        SettingsError: an option's value is bad (e.g. --keras-out not ending in .keras).
    """
    return RunSettings(
        data=DataSettings(path=args.data, limit=args.limit),
        training=TrainingSettings(
            architecture=args.arch,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            augment=not args.no_augment,
            seed=args.seed,
        ),
        outputs=OutputSettings(
            model=args.out, samples=args.samples, card=args.card, keras_model=args.keras_out
        ),
    )


def parse_settings(argv: Sequence[str] | None = None, prog: str = MODULE_PROG) -> RunSettings:
    """Parse the command line into settings (bad options: a message and SystemExit(2))."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        return settings_from(args)
    except SettingsError as error:
        parser.error(f"{error.option} {error.reason}")


def option_arguments(settings: RunSettings) -> list[str]:
    """The options that make `parse_settings` give `settings`, e.g. for starting a child process.

    Only settings that differ from the defaults are given, each as "--option=value" (so a path
    that starts with "-" stays a value); parse_settings(option_arguments(s)) == s.
    """
    data, training, outputs = settings.data, settings.training, settings.outputs
    valued: list[tuple[str, object, object]] = [
        ("--data", data.path, DEFAULTS.data.path),
        ("--arch", training.architecture, DEFAULTS.training.architecture),
        ("--epochs", training.epochs, DEFAULTS.training.epochs),
        ("--batch-size", training.batch_size, DEFAULTS.training.batch_size),
        ("--learning-rate", training.learning_rate, DEFAULTS.training.learning_rate),
        ("--limit", data.limit, DEFAULTS.data.limit),
        ("--seed", training.seed, DEFAULTS.training.seed),
        ("--out", outputs.model, DEFAULTS.outputs.model),
        ("--samples", outputs.samples, DEFAULTS.outputs.samples),
        ("--card", outputs.card, DEFAULTS.outputs.card),
        ("--keras-out", outputs.keras_model, DEFAULTS.outputs.keras_model),
    ]
    arguments = [f"{option}={value}" for option, value, default in valued if value != default]
    return arguments if training.augment else [*arguments, "--no-augment"]


def script_command(script: Path) -> tuple[str, str]:
    """("python", script), the script relative to the working directory if it is inside it."""
    with contextlib.suppress(ValueError):  # outside the working directory: keep it as it is
        script = script.resolve().relative_to(Path.cwd())
    return ("python", str(script))


def command_line(launcher: Sequence[str], argv: Sequence[str] | None) -> str:
    """The command that ran the trainer, as a user would type it: launcher, then the options."""
    return shlex.join([*launcher, *(sys.argv[1:] if argv is None else argv)])


def main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = MODULE_PROG,
    launcher: Sequence[str] = MODULE_COMMAND,
) -> int:
    """Command-line entry point; returns the exit status (0, or 2 for a problem the user can fix).

    Args:
        argv: the options (default: sys.argv[1:]).
        prog: the program's name in usage and error messages.
        launcher: the words that start the trainer, recorded before the options as the
            command in the model's metadata and card.
    """
    settings = parse_settings(argv, prog)
    # Imported after parsing, so that --help and bad options stay quick.
    from models.training.console import ConsoleProgress
    from models.training.run import run_training

    command = command_line(launcher, argv)
    try:
        run_training(settings, command=command, progress=ConsoleProgress(), keras_log=True)
    except UserError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
