"""CNN Visualizer: the command line → a headless mode that prints or writes, or the window.

The headless modes are --list-lessons, --classify, --summary and --export-solution.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from engine.network.lab_model import LabModel
    from engine.network.preprocessing import Preprocessing

MIN_SIZE = (640, 480)
MAX_SIZE = (7680, 4320)
"""The largest --size: an 8K screen. A larger window would take gigabytes to render."""
MAX_SIZE_CHARS = 20  # "7680x4320" is 9: longer text is refused before any int() is made


def _size(text: str) -> tuple[int, int]:
    """A screenshot size written WIDTHxHEIGHT, from 640x480 to 7680x4320.

    Checked here, before any window or picture of that size is made.
    """
    parts = text.lower().split("x")
    if len(text) > MAX_SIZE_CHARS or len(parts) != 2 or not all(p.isdecimal() for p in parts):
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, got {text[:40]!r}")
    width, height = int(parts[0]), int(parts[1])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise argparse.ArgumentTypeError(f"size must be at least 640x480, got {text!r}")
    if width > MAX_SIZE[0] or height > MAX_SIZE[1]:
        raise argparse.ArgumentTypeError(f"size must be at most 7680x4320, got {text!r}")
    return (width, height)


class ModeNames:
    """The window's mode names, the choices of ``--tab``, read from the registry on first use.

    argparse asks for them only to check a ``--tab`` value or to print help or an error, so
    --classify and --list-lessons do not pay for importing the window's modes (about 2 s).
    """

    def __init__(self) -> None:
        self._names: list[str] | None = None

    def _load(self) -> list[str]:
        if self._names is None:
            from gui.app_window import mode_names

            self._names = mode_names()
        return self._names

    def __contains__(self, name: object) -> bool:
        return name in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())


def build_parser() -> argparse.ArgumentParser:
    """The command line: the window's options, and the headless modes that print and exit."""
    parser = argparse.ArgumentParser(
        prog="cnn-visualizer",
        description="Step through convolutions, draw digits, look inside a trained CNN.",
    )
    parser.add_argument("--list-lessons", action="store_true", help="print the lessons and exit")
    parser.add_argument(
        "--lesson", metavar="ID_OR_FILE",
        help="open this lesson (an id from --list-lessons) or lesson file",
    )  # fmt: skip
    parser.add_argument(
        "--step", type=int, metavar="N", help="start the lesson at step N (1-based)"
    )
    parser.add_argument(
        "--tab", choices=ModeNames(), metavar="MODE",
        help="the mode to open: %(choices)s (default: the one shown last)",
    )  # fmt: skip
    parser.add_argument("--image", metavar="FILE", help="load an image into the digit lab")
    add_model_options(parser)
    parser.add_argument(
        "--export-solution", metavar="OUT.md",
        help="write --lesson's worked solution (every step's arithmetic) as Markdown, exit",
    )  # fmt: skip
    parser.add_argument("--screenshot", metavar="FILE.png", help="render the window, save, exit")
    parser.add_argument(
        "--size", type=_size, default=(1280, 800), metavar="WxH",
        help="window size for --screenshot (default 1280x800)",
    )  # fmt: skip
    parser.add_argument(
        "--presentation", action="store_true",
        help="start in presentation mode (full screen; with --screenshot: at --size)",
    )  # fmt: skip
    return parser


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """--model and how it is used: --classify, --summary, labels, preprocessing, fit."""
    parser.add_argument(
        "--model", metavar="PATH",
        help="an image classifier for the lab: ONNX, or Keras (.keras, .h5) with the train extra",
    )  # fmt: skip
    parser.add_argument(
        "--classify", nargs="+", metavar="IMAGE",
        help="print path, predicted class and probability for each image (tab-separated), exit",
    )  # fmt: skip
    parser.add_argument(
        "--summary", action="store_true",
        help="print the model's layers, shapes and parameters (like Keras's summary), exit",
    )  # fmt: skip
    parser.add_argument("--labels", metavar="FILE", help="class labels, one per line")
    parser.add_argument(
        "--input-range", metavar="RANGE", choices=("0..1", "0..255", "-1..1"),
        help="the input range the model expects: 0..1, 0..255 or -1..1",
    )  # fmt: skip
    parser.add_argument(
        "--mean", metavar="M", help="the mean the model subtracts: one value or one per channel"
    )
    parser.add_argument(
        "--std", metavar="S", help="the std the model divides by: one value or one per channel"
    )
    parser.add_argument(
        "--ink", choices=("white-on-black", "black-on-white"),
        help="the ink a digit model expects (MNIST: white-on-black)",
    )  # fmt: skip
    parser.add_argument(
        "--fit", choices=("crop", "letterbox"),
        help="how pictures are fitted to an image model's input (default: centre crop)",
    )  # fmt: skip


def list_lessons() -> int:
    """Print each lesson's id and title, tab-separated, one per line."""
    from engine.lessons.registry import all_lessons

    for item in all_lessons():
        print(f"{item.id}\t{item.title}")
    return 0


class CommandLineError(Exception):
    """A problem with the command line's model options, said on stderr (exit status 2)."""


def preprocessing_option(args: argparse.Namespace) -> Preprocessing | None:
    """The preprocessing --input-range, --mean/--std and --ink give (None: none given).

    Raises:
        CommandLineError: conflicting or malformed values.
    """
    from engine.network.preprocessing import ZERO_ONE, custom, named_range, parse_values

    inverted = args.ink == "black-on-white"
    if args.mean is None and args.std is None:
        if args.input_range is None:
            return None if args.ink is None else ZERO_ONE.with_inverted(inverted)
        return named_range(args.input_range).with_inverted(inverted)
    if args.input_range is not None:
        raise CommandLineError("give either --input-range or --mean and --std, not both")
    if args.mean is None or args.std is None:
        raise CommandLineError("--mean and --std go together: give both")
    try:
        return custom(parse_values(args.mean, "--mean"), parse_values(args.std, "--std"), inverted)
    except ValueError as exc:
        raise CommandLineError(str(exc)) from None


def labels_option(args: argparse.Namespace) -> tuple[str, ...] | None:
    """The labels of --labels FILE (one per line), None when not given.

    Raises:
        CommandLineError: the file cannot be read or holds no labels.
    """
    if args.labels is None:
        return None
    from engine.network.contract import read_labels

    try:
        return read_labels(args.labels)
    except (OSError, ValueError) as exc:
        raise CommandLineError(str(exc)) from None


def load_model(args: argparse.Namespace) -> LabModel:
    """The --model (a Keras file converted first) as the lab loads it, with the options.

    Loaded by ``engine.network.lab_state.load_lab_model``, the lab's own loading, so a model
    the lab refuses is refused here with the same message. The input choice is made as the
    lab makes it (the remembered choice, the file's metadata, or found on the samples), unless
    the command line gives one; the model must give finite values on the sample digits.

    Raises:
        CommandLineError: the model or an option cannot be used.
    """
    from engine.drawings.samples import load_samples
    from engine.network.keras_files import convert_keras_file, is_keras_file
    from engine.network.lab_state import load_lab_model
    from engine.network.remembered_inputs import RememberedInputs

    preprocessing = preprocessing_option(args)
    labels = labels_option(args)
    try:
        samples = load_samples()
    except ValueError:
        samples = None
    try:
        path = args.model
        if path is not None and is_keras_file(path):
            path = convert_keras_file(path, lambda text: print(text, file=sys.stderr))
        return load_lab_model(
            path, labels=labels, override=preprocessing, fit=args.fit,
            inputs=RememberedInputs(), samples=samples,
            range_images=() if samples is None else samples.one_per_class(),
        )  # fmt: skip
    except (OSError, ValueError) as exc:  # ModelError is a ValueError; FileNotFoundError
        raise CommandLineError(str(exc)) from None


def classify(args: argparse.Namespace) -> int:
    """One tab-separated line per image; problems go to stderr and make the exit status 2.

    The model's input preprocessing (what was chosen, how sure) is said on stderr.
    """
    from engine.network.classify import classification_line, classify_file

    try:
        lab_model = load_model(args)
    except CommandLineError as exc:
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    model, choice = lab_model.model, lab_model.choice
    print(f"cnn-visualizer: {model.name}: {choice.text}", file=sys.stderr)
    if choice.warning:
        print(f"cnn-visualizer: {choice.warning}", file=sys.stderr)
    status = 0
    for path in args.classify:
        try:
            result = classify_file(model, path, choice)
        except ValueError as exc:
            print(f"cnn-visualizer: {exc}", file=sys.stderr)
            status = 2
            continue
        print(classification_line(path, result), flush=True)
    return status


def export_solution(lesson_ref: str | None, path: str) -> int:
    """Write a lesson's worked solution to ``path`` (Markdown); no window, no display needed.

    Exit status 0, or 2 with a message on stderr: no --lesson, an unknown lesson or a bad
    lesson file, or a path that cannot be written (nothing is left behind).
    """
    from engine.lessons.worked import find_lesson, lesson_solution, save_solution

    if lesson_ref is None:
        print("cnn-visualizer: --export-solution needs --lesson ID_OR_FILE", file=sys.stderr)
        return 2
    try:
        text = lesson_solution(find_lesson(lesson_ref))
    except ValueError as exc:  # LessonFileError is a ValueError
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    try:
        save_solution(path, text)
    except OSError as exc:
        print(f"cnn-visualizer: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def summary(args: argparse.Namespace) -> int:
    """Print the model's summary (layers, shapes, parameters, input and preprocessing)."""
    from engine.network.summary import summary_text

    try:
        lab_model = load_model(args)
    except CommandLineError as exc:
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    print(summary_text(lab_model.model, lab_model.choice))
    return 0


MODEL_OPTIONS = ("labels", "input_range", "mean", "std", "ink", "fit")


def check_model(args: argparse.Namespace) -> str:
    """For the window: load --model as the lab will, and remember its options.

    A model the lab would refuse is refused here, with the lab's message. --labels,
    --input-range, --mean/--std, --ink and --fit are kept for the model file (by its
    content), so the lab uses them and keeps them. A Keras file is only checked (the lab
    converts it, showing its progress). Returns what is wrong ("" when fine).
    """
    given = any(getattr(args, option) is not None for option in MODEL_OPTIONS)
    if args.model is None:
        return (
            "--labels, --input-range, --mean, --std, --ink and --fit need --model" if given else ""
        )
    from engine.network.keras_files import check_keras_file, is_keras_file
    from engine.network.remembered_inputs import RememberedInputs

    try:
        if is_keras_file(args.model) and not given:
            check_keras_file(args.model)
            return ""
        lab_model = load_model(args)
        if given:
            model, choice = lab_model.model, lab_model.choice
            RememberedInputs().remember(
                model.sha256,
                preprocessing=choice.preprocessing if choice.source == "command line" else None,
                fit=args.fit,
                labels=model.class_labels if args.labels is not None else None,
            )
    except (CommandLineError, OSError, ValueError) as exc:
        return str(exc)
    return ""


def check_image(image: str | None) -> str:
    """What is wrong with --image, in words ("" when it is usable or not given)."""
    if image is not None:
        from engine.drawings.image_files import load_canvas

        try:
            load_canvas(image)
        except ValueError as exc:
            return str(exc)
    return ""


def check_screenshot(path: str | None) -> str:
    """What is wrong with --screenshot's file name, in words ("" when fine or not given).

    Checked before the window is built: an empty name, a folder, or a folder that does not
    exist would otherwise be found only after rendering.
    """
    if path is None:
        return ""
    if not path.strip():
        return "--screenshot needs a file name, e.g. --screenshot view.png"
    target = Path(path)
    if target.is_dir():
        return (
            f"--screenshot {path}: this is a folder; give a file name, e.g. {target / 'view.png'}"
        )
    folder = target.parent
    if not folder.is_dir():
        return f"--screenshot {path}: the folder {folder} does not exist"
    return ""


VALUE_OPTIONS = ("--input-range", "--mean", "--std")  # their values may start with "-"


def joined_values(argv: list[str]) -> list[str]:
    """``--input-range -1..1`` written as ``--input-range=-1..1``.

    Otherwise argparse takes a value that starts with "-" for an option (it only accepts plain
    negative numbers that way).
    """
    joined: list[str] = []
    values = iter(argv)
    for arg in values:
        if arg in VALUE_OPTIONS:
            value = next(values, None)
            joined.append(arg if value is None else f"{arg}={value}")
        else:
            joined.append(arg)
    return joined


def command_line(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status is 0, or 2 for a problem told on stderr."""
    args = build_parser().parse_args(joined_values(sys.argv[1:] if argv is None else argv))
    if args.list_lessons:
        return list_lessons()
    if args.classify:
        return classify(args)
    if args.summary:
        return summary(args)
    if args.export_solution is not None:
        return export_solution(args.lesson, args.export_solution)
    if args.step is not None and args.step < 1:
        print("cnn-visualizer: --step counts from 1", file=sys.stderr)
        return 2
    if args.lesson is not None:
        from engine.lessons.worked import find_lesson

        try:
            find_lesson(args.lesson)
        except ValueError as exc:  # LessonFileError is a ValueError
            print(f"cnn-visualizer: {exc}", file=sys.stderr)
            return 2
    problem = check_screenshot(args.screenshot) or check_model(args) or check_image(args.image)
    if problem:
        print(f"cnn-visualizer: {problem}", file=sys.stderr)
        return 2
    from gui.platform_check import prepare_display  # before Qt is loaded

    problem = prepare_display(screenshot=bool(args.screenshot))
    if problem:
        print(f"cnn-visualizer: {problem}", file=sys.stderr)
        return 2
    from gui.app import LaunchOptions, run

    return run(
        LaunchOptions(
            lesson=args.lesson,
            tab=args.tab,
            step=None if args.step is None else args.step - 1,
            model=args.model,
            image=args.image,
            screenshot=args.screenshot,
            size=args.size,
            presentation=args.presentation or None,
        )
    )


def main(argv: list[str] | None = None) -> int:
    """The program: :func:`command_line`, with a last resort for unforeseen errors.

    Every problem the program foresees is said by ``command_line`` itself (exit status 2);
    this only keeps a bug from ending the program with a traceback instead of a sentence: it
    is said on stderr, and the exit status is 2.
    """
    try:
        return command_line(argv)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())[:300]
        print(
            f"cnn-visualizer: an unexpected error stopped the program ({type(exc).__name__}: "
            f"{detail}); please report it with the command you ran",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
