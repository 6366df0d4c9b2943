"""Speed beside a busy process: the engine's convolution, a playground step, a digit-lab update.

Issue 11: a student's laptop runs a browser and a video call, and the training lab trains in a
child process while the playground animates. Each measurement is taken alone ("idle") and
beside a competing process, and printed with its ratio to the idle figure. The machine's own
speed drifts by ±25 % from one minute to the next, more than the effect measured, so the idle
and busy figures are taken in alternating rounds with the competitor paused (SIGSTOP) and
running (SIGCONT), ``--rounds`` of each (where the platform cannot pause a process: idle
first, then busy). The competitors:

- matmul: another Python process multiplying 192x192 matrices in a loop, OpenBLAS on two
  threads (the competitor of the issue's measurement);
- training: ``python -m models.training`` (TensorFlow on every core), when ``models.training``
  and TensorFlow are importable (skipped otherwise, and said so): once as any process, once
  at the lower priority the training lab gives its trainer (the app training while it animates).

Targets: conv2d 14x14x32 → 64 (3x3, "same") mean within 2x of its idle mean; one playground
animation step (28x28 digit, 4 filters) median <= 8 ms; one digit-lab update (a mouse move, the
event loop until everything is painted) median <= 16 ms. For comparison the table also shows the
convolution without the engine's one-BLAS-thread limit (two threads), and the per-call cost of
the limit. The GUI parts run as in the app, whose process runs BLAS on one thread
(``gui.app.make_application``).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_busy.py [--seconds 3] [--rounds 4]
        [--no-training]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CNN_VISUALIZER_SETTINGS_DIR", tempfile.mkdtemp(prefix="cnnvis-busy-"))

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtWidgets import QApplication

MATMUL_CHILD = """
import numpy as np
a = np.random.default_rng(0).random((192, 192))
b = a.T.copy()
while True:
    a = (a @ b) * 1e-3
"""
CONV_TARGET_RATIO = 2.0
STEP_TARGET_MS = 8.0
LAB_TARGET_MS = 16.0
STEPS = 400  # playground steps per measurement
CONV_CALLS = 2000  # at most, per measurement (each call 0.1-0.3 ms)
MAX_ROUNDS = 20
UPDATES = 300  # digit-lab updates per measurement (120 gave medians ±25 % apart between runs)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


# ----- the competitors ----------------------------------------------------------------------
@contextlib.contextmanager
def matmul_child() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A process multiplying matrices on two OpenBLAS threads, for as long as the block runs."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    child = subprocess.Popen([sys.executable, "-c", MATMUL_CHILD], env=env, text=True)
    try:
        time.sleep(1.0)  # imported and multiplying
        yield "beside matmul (2 threads)", child
    finally:
        with contextlib.suppress(ProcessLookupError):
            resume(child)
        child.terminate()
        child.wait(timeout=30)


def training_available() -> bool:
    """Whether ``python -m models.training`` can run here (TensorFlow and the trainer)."""
    return all(importlib.util.find_spec(name) is not None for name in ("tensorflow", "keras")) and (
        importlib.util.find_spec("models.training") is not None
    )


@contextlib.contextmanager
def training_child(folder: Path, niceness: int = 0) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``python -m models.training`` on MNIST (every core), once it is past TensorFlow's start.

    ``niceness`` > 0 lowers its priority as the training lab lowers its trainer's
    (``gui.training.trainer_process.CHILD_NICENESS``): the case of the app itself training.
    """
    command = [
        sys.executable, "-m", "models.training", "--epochs", "50", "--limit", "20000",
        "--out", str(folder / "busy.onnx"), "--samples", str(folder / "busy.npz"),
        "--card", str(folder / "busy.md"),
    ]  # fmt: skip
    lower = (lambda: os.nice(niceness)) if niceness and hasattr(os, "nice") else None
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=lower,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("Training "):
                break
        else:
            raise RuntimeError("the training child ended before it started training")
        time.sleep(5.0)  # the first batches: the graph is built, the training runs
        name = (
            f"beside the training lab's trainer (nice +{niceness})"
            if niceness
            else "beside TensorFlow training"
        )
        yield name, child
    finally:
        with contextlib.suppress(ProcessLookupError):
            resume(child)
        child.terminate()
        child.wait(timeout=60)


# ----- the measurements ---------------------------------------------------------------------
class Convolution:
    """conv2d 14x14x32 → 64, 3x3 "same", float32: with the engine's limit and without it."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.x = rng.random((14, 14, 32), dtype=np.float32)
        self.kernel = rng.random((3, 3, 32, 64), dtype=np.float32)
        self.bias = rng.random(64, dtype=np.float32)

    def limited(self) -> None:
        """The engine's conv2d, as the app and a notebook call it."""
        from engine.operations.conv import conv2d

        conv2d(self.x, self.kernel, self.bias, padding="same")

    def unlimited(self) -> None:
        """The same convolution with the caller's BLAS threads (two), as before issue 11."""
        from engine.operations.conv import plan_conv, run_conv

        plan = plan_conv(self.x, self.kernel, self.bias, padding="same")
        with threadpool_limits(2, user_api="blas"):  # the app runs BLAS on one thread
            run_conv.__wrapped__(plan)  # type: ignore[attr-defined]  # the unlimited function


def timed_us(action: Callable[[], None], seconds: float, at_most: int = CONV_CALLS) -> list[float]:
    """Microseconds per call, calling ``action`` for about ``seconds`` (after 20 warm-up calls)."""
    for _ in range(20):
        action()
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and len(times) < at_most:
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1e6)
    return times


def limit_cost_us() -> tuple[float, float]:
    """Mean cost of entering and leaving the one-thread limit: caller on 2 threads, on 1."""
    from engine.operations.blas_threads import enter_one_thread, leave_one_thread

    def pair() -> None:
        enter_one_thread()
        leave_one_thread()

    results = []
    for threads in (2, 1):
        with threadpool_limits(threads, user_api="blas"):
            times = timed_us(pair, 0.5, at_most=20000)
        results.append(statistics.mean(times))
    return results[0], results[1]


class Playground:
    """The playground window: a 28x28 digit, 4 filters 3x3, "same", ReLU (bench_playground)."""

    def __init__(self, app: QApplication) -> None:
        from engine.animation.presets import preset
        from engine.drawings.samples import load_samples
        from gui.app import LaunchOptions, build_window

        self.app = app
        self.window = build_window(LaunchOptions(lesson="six-by-six"))
        self.window.resize(1280, 800)
        self.window.show()
        app.processEvents()
        state = self.window.playground.state
        digit = load_samples().first_of(3)
        kernels = [preset(p).kernel for p in ("sobel_x", "sobel_y", "laplacian", "box_blur")]
        state.edit("bench", lambda s: s.with_picture(digit))
        state.edit("bench", lambda s: s.with_changes(
            filters=np.stack(kernels, axis=-1)[:, :, None, :], biases=np.zeros(4),
            filter_names=(), padding="same", relu=True,
        ))  # fmt: skip
        state.undo_stack.setClean()
        app.processEvents()
        self.state = state
        self.position = 0

    def steps_ms(self, count: int) -> list[float]:
        """One step forward and everything it changes painted, ``count`` times (ms each)."""
        times = []
        last = len(self.state.timeline) - 1
        for _ in range(count):
            self.position = self.position + 1 if self.position < last else 0
            start = time.perf_counter()
            self.state.set_position(self.position)
            self.app.processEvents()
            times.append((time.perf_counter() - start) * 1e3)
        return times

    def close(self) -> None:
        """Close the window."""
        self.window.close()
        self.window.deleteLater()


class DigitLabUpdates:
    """Mouse moves on the digit lab's canvas: a move, then the event loop until all is painted."""

    def __init__(self, app: QApplication) -> None:
        from bench_digit_lab import Driver

        from gui.digits.lab import DigitLab

        self.app = app
        self.lab = DigitLab()
        self.lab.resize(1280, 760)
        self.lab.show()
        app.processEvents()
        self.driver = Driver(self.lab)
        self.stroke = 0

    def updates_ms(self, count: int) -> list[float]:
        """``count`` timed moves (in strokes of 30, the first stroke untimed), ms each."""
        from bench_digit_lab import digit_stroke, settle

        times: list[float] = []
        warm = True
        while len(times) < count:
            self.stroke += 1
            points = digit_stroke(self.stroke, 30)
            self.driver.press(points[0])
            settle(self.app)
            for point in points[1:]:
                start = time.perf_counter()
                self.driver.move(point)
                settle(self.app)
                if not warm:
                    times.append((time.perf_counter() - start) * 1e3)
            self.driver.release(points[-1])
            settle(self.app)
            warm = False
            if self.stroke % 4 == 0:
                self.lab.clear()
        return times[:count]

    def close(self) -> None:
        """Close the lab."""
        self.lab.close()
        self.lab.deleteLater()


PAUSABLE = hasattr(signal, "SIGSTOP")
SETTLE_S = 0.3  # after pausing or resuming the competitor, before measuring


def pause(child: subprocess.Popen[str]) -> None:
    """Stop the competitor (it keeps its memory, and uses no CPU until resumed)."""
    os.kill(child.pid, signal.SIGSTOP)


def resume(child: subprocess.Popen[str]) -> None:
    """Let a paused competitor run again."""
    os.kill(child.pid, signal.SIGCONT)


def measure(
    conv: Convolution, playground: Playground, lab: DigitLabUpdates, seconds: float, share: int
) -> dict[str, list[float]]:
    """Every measurement once (a ``share``-th of it), under whatever the machine does now."""
    return {
        "conv": timed_us(conv.limited, seconds / share, at_most=-(-CONV_CALLS // share)),
        "conv_unlimited": timed_us(conv.unlimited, seconds / share, at_most=-(-400 // share)),
        "step": playground.steps_ms(-(-STEPS // share)),
        "lab": lab.updates_ms(-(-UPDATES // share)),
    }


def paired(
    child: subprocess.Popen[str], rounds: int, take: Callable[[int], dict[str, list[float]]]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """The measurements with ``child`` paused and running, in alternating rounds.

    Rounds alternate which comes first (paused then running, running then paused, …), each
    after the machine settled, so that a drift of the machine's speed falls on both alike.
    The child is left running.
    """
    idle: dict[str, list[float]] = {}
    busy: dict[str, list[float]] = {}
    for index in range(rounds):
        for paused in (True, False) if index % 2 == 0 else (False, True):
            if child.poll() is not None:  # a dead competitor would make "busy" idle
                raise RuntimeError(f"the competitor ended (status {child.returncode})")
            (pause if paused else resume)(child)
            time.sleep(SETTLE_S)
            for key, values in take(rounds).items():
                (idle if paused else busy).setdefault(key, []).extend(values)
    resume(child)
    return idle, busy


# ----- the tables ---------------------------------------------------------------------------
ROWS = (
    ("conv2d 14x14x32 → 64, mean (µs)", "conv", statistics.mean, "≤ 2 × idle"),
    ("conv2d, median (µs)", "conv", statistics.median, "—"),
    ("conv2d without the one-thread limit, mean (µs)", "conv_unlimited", statistics.mean, "—"),
    ("playground step, median (ms)", "step", statistics.median, f"≤ {STEP_TARGET_MS:g} ms"),
    ("playground step, p95 (ms)", "step", lambda v: percentile(v, 95), "—"),
    ("digit-lab update, median (ms)", "lab", statistics.median, f"≤ {LAB_TARGET_MS:g} ms"),
    ("digit-lab update, p95 (ms)", "lab", lambda v: percentile(v, 95), "—"),
)


Runs = dict[str, tuple[dict[str, list[float]], dict[str, list[float]]]]
"""Per competitor: its idle (paused) and busy (running) measurements."""


def print_table(runs: Runs) -> None:
    """One table: per competitor the idle figure of its rounds, the busy one and their ratio."""
    names = list(runs)
    header = " | ".join(f"{name}: idle | busy | ratio" for name in names)
    print(f"| measurement | {header} | target |")
    print("|---|" + "---:|---:|---:|" * len(names) + "---|")
    for label, key, statistic, target in ROWS:
        cells = []
        for name in names:
            idle, busy = runs[name]
            base, value = statistic(idle[key]), statistic(busy[key])
            cells += [f"{base:.2f}", f"{value:.2f}", f"{value / base:.2f}×"]
        print(f"| {label} | " + " | ".join(cells) + f" | {target} |")


def verdicts(runs: Runs) -> Iterator[str]:
    """One line per competitor (and for the idle rounds of all): each target met or missed."""
    idle_steps = [v for idle, _ in runs.values() for v in idle["step"]]
    idle_lab = [v for idle, _ in runs.values() for v in idle["lab"]]
    yield (
        f"idle (every paused round): step {statistics.median(idle_steps):.2f} ms "
        f"{'meets' if statistics.median(idle_steps) <= STEP_TARGET_MS else 'MISSES'} its target, "
        f"digit-lab update {statistics.median(idle_lab):.2f} ms "
        f"{'meets' if statistics.median(idle_lab) <= LAB_TARGET_MS else 'MISSES'} its target"
    )
    for name, (idle, busy) in runs.items():
        conv_ratio = statistics.mean(busy["conv"]) / statistics.mean(idle["conv"])
        step = statistics.median(busy["step"])
        lab = statistics.median(busy["lab"])
        checks = (
            (f"conv2d {conv_ratio:.2f}× idle", conv_ratio <= CONV_TARGET_RATIO),
            (f"step {step:.2f} ms", step <= STEP_TARGET_MS),
            (f"digit-lab update {lab:.2f} ms", lab <= LAB_TARGET_MS),
        )
        text = ", ".join(f"{what} {'meets' if ok else 'MISSES'} its target" for what, ok in checks)
        yield f"{name}: {text}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per convolution measurement")
    parser.add_argument("--rounds", type=int, default=4, help="paused and running rounds")
    parser.add_argument("--no-training", action="store_true", help="skip the training child")
    args = parser.parse_args()
    if not 1 <= args.rounds <= MAX_ROUNDS or args.seconds <= 0:
        print(
            f"bench_busy: --rounds must be 1 to {MAX_ROUNDS} and --seconds above 0",
            file=sys.stderr,
        )
        return 2
    # Terminated while a competitor is paused: leave through the finally blocks, which
    # resume and end it (a stopped child would otherwise stay stopped).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from gui.app import make_application

    app = make_application([])
    conv = Convolution()
    playground = Playground(app)
    lab = DigitLabUpdates(app)
    loads: dict[str, tuple[float, float, float]] = {}
    runs: Runs = {}
    first_idle = None if PAUSABLE else measure(conv, playground, lab, args.seconds, 1)

    def take(share: int) -> dict[str, list[float]]:
        return measure(conv, playground, lab, args.seconds, share)

    def run_beside(competitor: contextlib.AbstractContextManager[tuple[str, Any]]) -> None:
        with competitor as (name, child):
            loads[name] = os.getloadavg()
            if PAUSABLE:
                runs[name] = paired(child, args.rounds, take)
            else:
                assert first_idle is not None
                runs[name] = (first_idle, take(1))

    run_beside(matmul_child())
    if args.no_training:
        print("(training child skipped: --no-training)\n")
    elif not training_available():
        print("(training child skipped: TensorFlow or models.training is not importable)\n")
    else:
        from gui.training.trainer_process import CHILD_NICENESS

        for niceness in (0, CHILD_NICENESS):  # any training process; the app's own trainer
            with tempfile.TemporaryDirectory() as folder:
                run_beside(training_child(Path(folder), niceness))
    two, one = limit_cost_us()
    playground.close()
    lab.close()
    app.processEvents()

    print(f"CPU cores: {os.cpu_count()}; load average (1, 5, 15 min) when each run started:")
    for name, load in loads.items():
        print(f"- {name}: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    how = (
        f"{args.rounds} rounds each with the competitor paused (idle) and running (busy)"
        if PAUSABLE
        else "idle measured once before any competitor started"
    )
    print(f"\nIdle and busy: {how}.\n")
    print_table(runs)
    print()
    print("| one-BLAS-thread limit, per call (enter + leave) | mean (µs) |")
    print("|---|---:|")
    print(f"| caller's BLAS on 2 threads (set to 1, then back) | {two:.2f} |")
    print(f"| caller's BLAS already on 1 thread | {one:.2f} |")
    print()
    for line in verdicts(runs):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
