"""CNN Visualizer: command line → headless modes (--list-lessons, --classify) or the window."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


def _size(text: str) -> tuple[int, int]:
    """A screenshot size written WIDTHxHEIGHT, at least 640x480."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, got {text!r}") from None
    if width < 640 or height < 480:
        raise argparse.ArgumentTypeError(f"size must be at least 640x480, got {text!r}")
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
    parser.add_argument("--lesson", metavar="ID", help="open this lesson (see --list-lessons)")
    parser.add_argument(
        "--step", type=int, metavar="N", help="start the lesson at step N (1-based)"
    )
    parser.add_argument(
        "--tab", choices=ModeNames(), metavar="MODE",
        help="the mode to open: %(choices)s (default: the one shown last)",
    )  # fmt: skip
    parser.add_argument(
        "--model", metavar="PATH", help="an ONNX image classifier for the digit lab"
    )
    parser.add_argument("--image", metavar="FILE", help="load an image into the digit lab")
    parser.add_argument(
        "--classify", nargs="+", metavar="IMAGE",
        help="print path, predicted digit and probability for each image (tab-separated), exit",
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


def list_lessons() -> int:
    """Print each lesson's id and title, tab-separated, one per line."""
    from engine.lessons.registry import all_lessons

    for item in all_lessons():
        print(f"{item.id}\t{item.title}")
    return 0


def classify(paths: list[str], model_path: str | None) -> int:
    """One tab-separated line per image; problems go to stderr and make the exit status 2."""
    from engine.network.classify import classify_file
    from engine.network.model import ModelError, OnnxModel

    try:
        model = OnnxModel(model_path)
    except (FileNotFoundError, ModelError) as exc:
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        try:
            result = classify_file(model, path)
        except ValueError as exc:
            print(f"cnn-visualizer: {exc}", file=sys.stderr)
            status = 2
            continue
        print(f"{path}\t{result.label}\t{result.probability:.4f}", flush=True)
    return status


def check_files(model: str | None, image: str | None) -> str:
    """What is wrong with --model or --image, in words ("" when both are usable)."""
    if model is not None:
        from engine.network.model import ModelError, OnnxModel

        try:
            OnnxModel(model)
        except (FileNotFoundError, ModelError) as exc:
            return str(exc)
    if image is not None:
        from engine.drawings.image_files import load_canvas

        try:
            load_canvas(image)
        except ValueError as exc:
            return str(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status is 0, or 2 for a problem told on stderr."""
    args = build_parser().parse_args(argv)
    if args.list_lessons:
        return list_lessons()
    if args.classify:
        return classify(args.classify, args.model)
    if args.step is not None and args.step < 1:
        print("cnn-visualizer: --step counts from 1", file=sys.stderr)
        return 2
    if args.lesson is not None:
        from engine.lessons.registry import lesson

        try:
            lesson(args.lesson)
        except ValueError as exc:
            print(f"cnn-visualizer: {exc}", file=sys.stderr)
            return 2
    problem = check_files(args.model, args.image)
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


if __name__ == "__main__":
    sys.exit(main())
