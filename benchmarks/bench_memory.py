"""Does memory stay flat? Five long runs of what users repeat, each watched by the process's RSS.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_memory.py [--predictions 20000]
        [--strokes 5000] [--steps 2000] [--model-opens 200] [--lesson-opens 200]

Issue 12 ("what must keep holding"): each run grows the resident set size by less than
``LIMIT_MB`` between the end of its warm-up (its first tenth) and its end.

RSS is read after a garbage collection and glibc's ``malloc_trim`` (memory freed but kept by
the allocator is not a leak).

1. predictions: a 280x280 canvas → to_mnist → predict; every 10th also makes the update the
   digit lab makes on every stroke (``LabState.with_canvas``: one run of every layer).
2. strokes: mouse strokes (press, 8 moves, release) sent to the real lab's canvas, with the
   updates they cause; the canvas cleared every 20 strokes, as users do.
3. steps: the playground's animation stepped on and painted (to the end, then from the start).
4. model opens: File ▸ Open Model in the lab, two model files in turn (the shipped one and a
   copy under another name).
5. lesson opens: File ▸ Open Lesson File in the playground, two lesson files in turn.

Prints a markdown table and a verdict; exit status 1 if a run grew by ``LIMIT_MB`` or more.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from engine import OnnxModel, to_mnist
from engine.network.lab_state import LabState

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication

    from gui.app_window import AppWindow

LIMIT_MB = 10.0
WARM_UP = 0.1  # the first tenth of each run fills caches; growth is measured after it
CLEAR_EVERY = 20


def trimmed() -> None:
    """Collect garbage and hand the C heap's free memory back to the system (glibc).

    Without ``malloc_trim`` the RSS of a run that frees what it allocates still wanders by
    tens of megabytes (freed blocks the allocator keeps); with it, RSS measures what is kept.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS as it is
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def canvases(count: int, seed: int = 0) -> list[np.ndarray]:
    """A few different drawings (random thick strokes) to cycle through."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(count):
        canvas = np.zeros((280, 280), dtype=np.float32)
        top, left = rng.integers(10, 120, size=2)
        height, width = rng.integers(60, 150, size=2)
        canvas[top : top + height, left : left + 18] = 1.0
        canvas[top : top + 18, left : left + width] = 1.0
        result.append(canvas)
    return result


def measured(count: int, one: Callable[[int], None]) -> tuple[float, float]:
    """Run ``one(i)`` for i = 1..count: RSS (MB) after the warm-up, and at the end."""
    warm = max(1, round(count * WARM_UP))
    after_warm_up = 0.0
    for i in range(1, count + 1):
        one(i)
        if i == warm:
            trimmed()
            after_warm_up = rss_mb()
    trimmed()
    return after_warm_up, rss_mb()


def settle(app: QApplication) -> None:
    """What the event loop does between two user actions, deleting what ``deleteLater`` left.

    ``processEvents`` alone never deletes (the running loop does), so a benchmark that only
    called it would see every replaced widget pile up.
    """
    from PySide6.QtCore import QEvent

    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def predictions(count: int) -> tuple[float, float]:
    model = OnnxModel()
    lab = LabState.start().with_model(model)
    drawings = canvases(16)

    def one(i: int) -> None:
        nonlocal lab
        model.predict(to_mnist(drawings[i % len(drawings)]))
        if i % 10 == 0:
            lab = lab.with_canvas(drawings[i % len(drawings)])

    return measured(count, one)


def stroke_points(i: int) -> list[tuple[float, float]]:
    """A loop-and-stem stroke in canvas coordinates, varied with ``i`` (9 points)."""
    cx, cy = 140 + 20 * math.sin(i), 110 + 15 * math.cos(1.3 * i)
    loop = [(cx + 55 * math.sin(a), cy - 55 * math.cos(a)) for a in np.linspace(0, 6, 6)]
    return loop + [(cx + 55, cy + t) for t in (40.0, 80.0, 120.0)]


def strokes(app: QApplication, window: AppWindow, count: int) -> tuple[float, float]:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    window.show_mode("digits")
    lab = window.digit_lab
    canvas = lab.canvas

    def send(kind: QEvent.Type, point: tuple[float, float], down: bool) -> None:
        pixel = canvas.to_widget(QPointF(*point))
        buttons = Qt.MouseButton.LeftButton if down else Qt.MouseButton.NoButton
        event = QMouseEvent(
            kind, pixel, canvas.mapToGlobal(pixel), Qt.MouseButton.LeftButton, buttons,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        app.sendEvent(canvas, event)

    def one(i: int) -> None:
        points = stroke_points(i)
        send(QEvent.Type.MouseButtonPress, points[0], True)
        for point in points[1:]:
            send(QEvent.Type.MouseMove, point, True)
            app.processEvents()  # one coalesced update per move
        send(QEvent.Type.MouseButtonRelease, points[-1], False)
        app.processEvents()
        if i % CLEAR_EVERY == 0:
            lab.clear()
            settle(app)

    result = measured(count, one)
    lab.undo_stack.clear()
    return result


def steps(app: QApplication, window: AppWindow, count: int) -> tuple[float, float]:
    from engine.lessons.registry import lesson

    window.show_mode("playground")
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state

    def one(i: int) -> None:
        if state.position >= len(state.timeline) - 1:
            state.to_start()
        else:
            state.step(1)
        settle(app)

    return measured(count, one)


def model_opens(
    app: QApplication, window: AppWindow, count: int, folder: Path
) -> tuple[float, float]:
    import onnx

    from models import DEFAULT_MODEL_PATH

    window.show_mode("digits")
    renamed = onnx.load(str(DEFAULT_MODEL_PATH))  # another file: another name and hash
    for entry in renamed.metadata_props:
        if entry.key == "name":
            entry.value = "MNIST CNN (a copy)"
    onnx.save(renamed, str(folder / "copy.onnx"))
    files = [str(DEFAULT_MODEL_PATH), str(folder / "copy.onnx")]
    lab = window.digit_lab
    lab.load_sample(3)

    def one(i: int) -> None:
        if not window.digit_lab_mode.open_model(files[i % 2]):
            raise RuntimeError(f"could not open {files[i % 2]}")
        settle(app)

    return measured(count, one)


def lesson_opens(
    app: QApplication, window: AppWindow, count: int, folder: Path
) -> tuple[float, float]:
    from engine.lessons.file_format import save_lesson
    from engine.lessons.registry import lesson

    window.show_mode("playground")
    files = []
    for name in ("six-by-six", "rgb-kernels"):
        path = folder / f"{name}.json"
        save_lesson(path, lesson(name))
        files.append(str(path))

    def one(i: int) -> None:
        if not window.open_lesson_file(files[i % 2]):
            raise RuntimeError(f"could not open {files[i % 2]}")
        settle(app)

    return measured(count, one)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--predictions", type=int, default=20_000)
    parser.add_argument("--strokes", type=int, default=5_000)
    parser.add_argument("--steps", type=int, default=2_000)
    parser.add_argument("--model-opens", type=int, default=200)
    parser.add_argument("--lesson-opens", type=int, default=200)
    args = parser.parse_args()

    from gui.app import LaunchOptions, build_window, make_application

    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    os.environ["CNN_VISUALIZER_SETTINGS_DIR"] = str(folder)  # the user's settings stay as they are
    os.environ["CNN_VISUALIZER_DATA_DIR"] = str(folder)
    start = rss_mb()
    rows = [("predictions", args.predictions, *predictions(args.predictions))]
    app = make_application([])
    window = build_window(LaunchOptions())
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    rows.append(("strokes", args.strokes, *strokes(app, window, args.strokes)))
    rows.append(("playground steps", args.steps, *steps(app, window, args.steps)))
    rows.append(
        ("model opens", args.model_opens, *model_opens(app, window, args.model_opens, folder))
    )
    rows.append(
        ("lesson opens", args.lesson_opens, *lesson_opens(app, window, args.lesson_opens, folder))
    )
    window.playground.state.undo_stack.setClean()
    window.close()

    print("# bench_memory: does memory stay flat?\n")
    print(f"RSS at start: {start:.1f} MB; limit: growth < {LIMIT_MB:g} MB after each warm-up\n")
    print("| run | count | RSS after warm-up (MB) | RSS at end (MB) | growth (MB) | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    ok = True
    for name, count, warm, end in rows:
        passed = end - warm < LIMIT_MB
        ok = ok and passed
        verdict = "PASS" if passed else "FAIL"
        print(f"| {name} | {count:,} | {warm:.1f} | {end:.1f} | {end - warm:+.2f} | {verdict} |")
    print(f"\n- {'PASS' if ok else 'FAIL'}: every run grows RSS by less than {LIMIT_MB:g} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
