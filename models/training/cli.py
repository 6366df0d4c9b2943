"""The command line: options → settings → a run, reported for a person or as JSON lines.

`python -m models.training` and `python models/train.py` both call `main`. Bad options exit with
status 2 (argparse's message); bad data or unwritable outputs print ``<prog>: error: <message>``
on stderr and exit with status 2, before TensorFlow is imported. With `--progress jsonl` the
same problems also arrive as an "error" line on stdout (protocol.py), and an unexpected failure
as an "error" line with problem "internal" (exit status 1, the traceback on stderr).
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.errors import UserError
from models.training.options import (
    MODULE_PROG,
    build_parser,
    option_arguments,
    parse_command_line,
    parse_settings,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.training.jsonl_progress import JsonLinesProgress
    from models.training.options import Reporting
    from models.training.settings import RunSettings

__all__ = [
    "EXIT_BAD_INPUT",
    "MODULE_COMMAND",
    "MODULE_PROG",
    "build_parser",
    "main",
    "option_arguments",
    "parse_settings",
]

MODULE_COMMAND = ("python", "-m", "models.training")
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def script_command(script: Path) -> tuple[str, str]:
    """("python", script), the script relative to the working directory if it is inside it."""
    with contextlib.suppress(ValueError):  # outside the working directory: keep it as it is
        script = script.resolve().relative_to(Path.cwd())
    return ("python", str(script))


def command_line(launcher: Sequence[str], argv: Sequence[str] | None) -> str:
    """The command that ran the trainer, as a user would type it: launcher, then the options."""
    return shlex.join([*launcher, *(sys.argv[1:] if argv is None else argv)])


def run_for_a_person(settings: RunSettings, command: str, prog: str) -> int:
    """Train with Keras's own log and the human summary; returns the exit status."""
    from models.training.console import ConsoleProgress
    from models.training.run import run_training

    try:
        run_training(settings, command=command, progress=ConsoleProgress(), keras_log=True)
    except UserError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def run_with_json_lines(
    settings: RunSettings, reporting: Reporting, command: str, prog: str
) -> int:
    """Train, reporting JSON lines on stdout (nothing else goes there); returns the status."""
    from models.training.control import listen_for_stop
    from models.training.jsonl_progress import JsonLinesProgress, json_stdout
    from models.training.run import run_training

    stop = listen_for_stop() if reporting.control == "stdin" else None
    with json_stdout() as channel:
        progress = JsonLinesProgress(channel.write)
        try:
            run_training(
                settings, command=command, progress=progress,
                batch_interval=reporting.progress_every, stop=stop,
            )  # fmt: skip
        except UserError as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            progress.on_error(str(error), error.problem, EXIT_BAD_INPUT)
            return EXIT_BAD_INPUT
        except Exception as error:  # report any failure as a line, then let the lab know
            traceback.print_exc()
            report_internal_error(progress, error)
            return EXIT_FAILURE
    return 0


def report_internal_error(progress: JsonLinesProgress, error: Exception) -> None:
    """An "error" line for a failure that is not the user's (a bug, or out of memory)."""
    from models.training.run import internal_error_message

    progress.on_error(internal_error_message(error), "internal", EXIT_FAILURE)


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
    settings, reporting = parse_command_line(argv, prog)
    command = command_line(launcher, argv)
    if reporting.progress == "jsonl":
        return run_with_json_lines(settings, reporting, command, prog)
    return run_for_a_person(settings, command, prog)
