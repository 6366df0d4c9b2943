"""Digit lab speed and memory, through the real widgets (offscreen): prints markdown tables.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_digit_lab.py [--moves 600] [--strokes 5000]

Latency: synthetic mouse moves (QMouseEvents sent to the canvas) drawing digit-like strokes.
For every move three things are timed:

- canvas segment only: the move event handled by the canvas (one segment painted into the
  backing store) and the canvas repainted (``repaint()``), with the update signal blocked;
- to_mnist + ORT: the engine's share of an update, ``LabState.with_canvas``: preparing the
  drawing (``to_mnist``), one ORT run of every layer (``run_model``) and the answer's words;
- full update incl. repaint: the move event, the event loop pass that runs the coalesced
  update (prediction, bars, every layer view), and a synchronous ``repaint()`` of the whole lab,
  so the time is until everything is painted (conservative: real use repaints changed areas);
- full update, event-loop painting: the move event, then event-loop passes (with posted events
  sent) until the update has run and the repaints it asked for are painted, as in the app.

Memory: resident set size (RSS, from /proc) while drawing 5,000 strokes (each a press, moves,
a release, with the updates they cause; the canvas cleared every 20 strokes, as users do).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gui.app import make_application
from gui.digits.lab import DigitLab

TARGET_MEDIAN_MS = 16.0
TARGET_P95_MS = 33.0
MEMORY_LIMIT_MB = 10.0
CLEAR_EVERY = 20
SETTLE_PASSES = 3


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def digit_stroke(i: int, moves: int) -> list[tuple[float, float]]:
    """A loop-and-stem stroke in canvas coordinates, varied with ``i``."""
    cx, cy = 140 + 20 * math.sin(i), 110 + 15 * math.cos(1.3 * i)
    loop = [
        (cx + 55 * math.sin(a), cy - 55 * math.cos(a))
        for a in np.linspace(0, 2 * math.pi, max(2, moves * 2 // 3))
    ]
    stem = [(cx + 55, cy + t) for t in np.linspace(0, 120, max(2, moves - len(loop) + 1))[1:]]
    return loop + stem


class Driver:
    """Sends mouse events to the lab's canvas, as a user's mouse would."""

    def __init__(self, lab: DigitLab) -> None:
        self.lab = lab
        self.canvas = lab.canvas

    def send(self, kind: QEvent.Type, point: tuple[float, float], down: bool) -> None:
        """A mouse event at a canvas point, the left button down or not."""
        pixel = self.canvas.to_widget(QPointF(*point))
        buttons = Qt.MouseButton.LeftButton if down else Qt.MouseButton.NoButton
        event = QMouseEvent(
            kind, pixel, self.canvas.mapToGlobal(pixel), Qt.MouseButton.LeftButton, buttons,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QApplication.sendEvent(self.canvas, event)

    def press(self, point: tuple[float, float]) -> None:
        """The left button goes down at ``point``."""
        self.send(QEvent.Type.MouseButtonPress, point, True)

    def move(self, point: tuple[float, float]) -> None:
        """The mouse moves to ``point``, the button down."""
        self.send(QEvent.Type.MouseMove, point, True)

    def release(self, point: tuple[float, float]) -> None:
        """The left button comes up at ``point``."""
        self.send(QEvent.Type.MouseButtonRelease, point, False)


def settle(app: QApplication, passes: int = SETTLE_PASSES) -> None:
    """Run the event loop until the update and the repaints it queued are done.

    The update runs in the first pass (a 0 ms timer); pyqtgraph's scenes post their repaint
    requests, which are painted in the next passes.
    """
    for _ in range(passes):
        app.processEvents()
        app.sendPostedEvents(None, 0)


def measure_latency(app: QApplication, lab: DigitLab, moves: int) -> dict[str, list[float]]:
    driver = Driver(lab)
    assert lab.model is not None
    times: dict[str, list[float]] = {"segment": [], "inference": [], "full": [], "loop": []}
    per_stroke = 30
    strokes = max(1, math.ceil(moves / per_stroke))
    for i in range(strokes + 3):  # the first 3 strokes warm up (not timed)
        timed = i >= 3
        points = digit_stroke(i, per_stroke)
        driver.press(points[0])
        app.processEvents()
        for point in points[1:]:
            # 1. the canvas alone: the segment painted and shown
            lab.canvas.blockSignals(True)
            t0 = time.perf_counter()
            driver.move(point)
            lab.canvas.repaint()
            t1 = time.perf_counter()
            lab.canvas.blockSignals(False)
            # 2. the engine's share: preparation, one ORT run, the answer (a new state)
            state, ink = lab.state, lab.canvas.ink()
            t2 = time.perf_counter()
            state.with_canvas(ink)
            t3 = time.perf_counter()
            # 3. the whole path: a move, the event loop, everything painted (forced)
            step = (point[0] + 0.5, point[1] + 0.5)
            t4 = time.perf_counter()
            driver.move(step)
            app.processEvents()
            lab.repaint()
            t5 = time.perf_counter()
            settle(app)  # the views' own deferred repaints (already painted above): untimed
            # 4. as the app runs: a move, then event-loop passes until nothing is pending
            step = (point[0] + 1.0, point[1] + 1.0)
            t6 = time.perf_counter()
            driver.move(step)
            settle(app)
            t7 = time.perf_counter()
            if timed:
                times["segment"].append((t1 - t0) * 1e3)
                times["inference"].append((t3 - t2) * 1e3)
                times["full"].append((t5 - t4) * 1e3)
                times["loop"].append((t7 - t6) * 1e3)
        driver.release(points[-1])
        app.processEvents()
        if i % 4 == 3:
            lab.clear()
    return times


def measure_memory(app: QApplication, lab: DigitLab, strokes: int) -> list[tuple[int, float]]:
    driver = Driver(lab)
    samples = [(0, rss_mb())]
    checkpoints = sorted({100, strokes // 10, strokes // 2, strokes})
    for i in range(1, strokes + 1):
        points = digit_stroke(i, 8)
        driver.press(points[0])
        for point in points[1:]:
            driver.move(point)
            app.processEvents()  # one coalesced update per move
        driver.release(points[-1])
        app.processEvents()
        lab.repaint()
        if i % CLEAR_EVERY == 0:
            lab.clear()
        if i in checkpoints:
            gc.collect()
            samples.append((i, rss_mb()))
    return samples


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def verdict(median: float, p95: float) -> str:
    ok = median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS
    return "✅ within 16/33 ms" if ok else "❌ over 16/33 ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=600, help="timed mouse moves")
    parser.add_argument("--strokes", type=int, default=5000, help="strokes for the memory run")
    parser.add_argument("--size", default="1280x760", help="lab size, WxH")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))

    app = make_application([])
    lab = DigitLab()
    lab.resize(width, height)
    lab.show()
    app.processEvents()
    start = time.perf_counter()
    times = measure_latency(app, lab, args.moves)
    latency_seconds = time.perf_counter() - start

    print(f"## Digit lab latency per mouse move ({len(times['full'])} moves, {width}×{height})\n")
    print("| Path | median ms | p95 ms | max ms | verdict |")
    print("| --- | ---: | ---: | ---: | --- |")
    names = {
        "segment": "canvas segment only",
        "inference": "to_mnist + ORT (LabState.with_canvas: run_model + answer)",
        "full": "full update incl. repaint (whole lab, forced)",
        "loop": "full update, event-loop painting (as in the app)",
    }
    for key, name in names.items():
        values = times[key]
        median, p95 = statistics.median(values), percentile(values, 95)
        print(f"| {name} | {median:.2f} | {p95:.2f} | {max(values):.2f} | {verdict(median, p95)} |")
    print(f"\n(latency run: {latency_seconds:.1f} s)\n")

    lab.clear()
    lab.undo_stack.clear()
    start = time.perf_counter()
    memory = measure_memory(app, lab, args.strokes)
    memory_seconds = time.perf_counter() - start
    base = memory[0][1]
    print(f"## Digit lab memory over {args.strokes:,} simulated strokes\n")
    print("| Strokes | RSS MB | growth since stroke 0 MB | growth since stroke 100 MB |")
    print("| ---: | ---: | ---: | ---: |")
    warm = next((mb for n, mb in memory if n == 100), base)
    for n, mb in memory:
        since_warm = f"{mb - warm:+.1f}" if n >= 100 else ""
        print(f"| {n:,} | {mb:.1f} | {mb - base:+.1f} | {since_warm} |")
    growth = memory[-1][1] - base
    ok = "✅" if growth < MEMORY_LIMIT_MB else "❌"
    print(
        f"\n{ok} growth over {args.strokes:,} strokes: {growth:+.1f} MB "
        f"(limit {MEMORY_LIMIT_MB:.0f} MB); undo steps kept: {lab.undo_stack.count()} "
        f"(limit {lab.undo_stack.undoLimit()}); memory run: {memory_seconds:.0f} s"
    )

    lab.undo_stack.clear()
    lab.close()
    lab.deleteLater()
    app.sendPostedEvents(None, 0)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
