"""Training lab speed: the lab against the command line, first line, epoch time, event-loop gaps.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_training.py [--arch softmax]
        [--epochs 2] [--train-size 60000] [--data mnist.npz]

One run of `python -m models.training` (a person's way: Keras's log to a pipe) and one run of
the same settings through the training lab (TrainingLab in a window, offscreen: the child
streams JSON lines, the lab draws every one), in the same invocation, so their ratio compares
like with like. The lab is used as in a lesson on the ladder: the command line's run is saved
in the lab's runs folder and checked for comparison, so its curves are overlaid while the new
run trains. The window has its default size (1440 × 900) and the settings of a new user (a
scratch settings folder: the user's own are neither read nor changed), and it is shown and
painted before Train is pressed. Printed as markdown tables:

- wall time: the command line from start to exit; the lab from pressing Train (start_training)
  to the end of the run in the lab (runFinished: the child has ended and the lab has drawn its
  last lines and listed the run); and the time in model.fit both report (the end line). The
  command line runs at the niceness the lab gives its trainer (+10), so that other load on the
  machine weighs on both alike;
- first line: from pressing Train to the first line, and to the first batch line, in the lab;
- epoch time: seconds per epoch of the lab's run: its training steps only, and with the
  epoch's ONNX snapshot and its measurement on the 10,000 test images;
- event-loop gaps: a 5 ms QTimer runs in the GUI while the lab trains; the longest interval
  between two of its ticks (and the 99th percentile) is how long the window could not react,
  while training (from the first batch line to the end line) and over the whole run (which
  adds pressing Train, when the window repaints with its settings disabled and the child
  process starts, and the end, when the run list is read again and the run chosen). Both are
  held to the target: a user feels the whole run.

The machine's load average is printed before and after: the figures mean little on a busy
machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A new user's settings, in a scratch folder: the window at its default size, and the user's
# own settings (window, panels, MNIST file) neither read nor changed.
os.environ.setdefault("CNN_VISUALIZER_SETTINGS_DIR", tempfile.mkdtemp(prefix="cnnvis-training-"))
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# The repository root must be on the path first (run as a script, only benchmarks/ is).
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from gui.app import make_application  # noqa: E402
from gui.app_window import AppWindow  # noqa: E402
from gui.training.lab import TrainingLab  # noqa: E402
from gui.training.mode import TrainingMode  # noqa: E402
from gui.training.trainer_process import CHILD_NICENESS  # noqa: E402
from models.training.mnist_source import resolve_data_path  # noqa: E402
from models.training.runs import read_history  # noqa: E402

if TYPE_CHECKING:
    from models.training.history import RunHistory

TICK_MS = 5
SETTLE_MS = 1000  # the shown window paints and settles before Train is pressed
TARGET_GAP_MS = 50.0
TARGET_FIRST_LINE_S = 10.0
TARGET_RATIO = 1.10
TARGET_SOFTMAX_EPOCH_S = 10.0


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min, {os.cpu_count()} CPUs)"


def lower_priority() -> None:
    """In the command line's child: the niceness the lab gives its trainer, for a fair race."""
    os.nice(CHILD_NICENESS)


def command_line_run(options: list[str], folder: Path) -> tuple[float, RunHistory]:
    """Wall seconds of `python -m models.training` with `options`, and its run's history."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "models.training", *options, f"--out={folder}"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        check=False, preexec_fn=lower_priority,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the command line failed:\n{done.stderr}")
    return seconds, read_history(folder).history


class LabRun:
    """One run through the lab, with a timer that measures the event loop's gaps."""

    def __init__(self, lab: TrainingLab) -> None:
        self.lab = lab
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.arrivals: dict[str, float] = {}
        lab.trainer.lineReceived.connect(
            lambda line: self.arrivals.setdefault(line.kind, time.perf_counter())
        )

    def run(self) -> float:
        """Press Train, wait for the end; returns the wall seconds."""
        loop = QEventLoop()
        self.lab.runFinished.connect(lambda _folder: loop.quit())
        self.timer.start()
        started = time.perf_counter()
        if not self.lab.start_training():
            raise SystemExit("the lab did not start: " + self.lab.notice.text())
        loop.exec()
        seconds = time.perf_counter() - started
        self.timer.stop()
        return seconds

    def gaps_ms(self, *, training_only: bool = False) -> list[float]:
        """Intervals between the timer's ticks, ms (training only: first batch line to end)."""
        first = self.arrivals.get("batch", 0.0) if training_only else 0.0
        last = self.arrivals.get("end", float("inf")) if training_only else float("inf")
        return [
            1000 * (b - a)
            for a, b in zip(self.ticks, self.ticks[1:], strict=False)
            if b > first and a < last
        ]


def epoch_seconds(history: RunHistory) -> tuple[list[float], list[float]]:
    """Per epoch: (training steps only, with the snapshot and its measurement), seconds."""
    steps, whole = [], []
    previous = 0.0
    for line in history.epochs:
        if line.epoch < 1:
            continue
        last_step = max(b.seconds for b in history.batches if b.epoch == line.epoch)
        steps.append(last_step - previous)
        whole.append(line.seconds - previous)
        previous = line.seconds
    return steps, whole


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="softmax")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = resolve_data_path(args.data)
    if data is None:
        raise SystemExit("no MNIST file: pass --data or set MNIST_NPZ")
    options = [f"--arch={args.arch}", f"--epochs={args.epochs}",
               f"--train-size={args.train_size}", f"--data={data}"]  # fmt: skip
    print(f"Load before: {load()}\n")
    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        runs = root / "lab"
        cli_folder = runs / f"0000-00-00_000000-{args.arch}-command-line"
        cli_seconds, cli_history = command_line_run(options, cli_folder)
        lab = TrainingLab(runs_folder=runs)
        window = AppWindow([TrainingMode(lab=lab)])
        window.show()
        lab.form.set_preset(args.arch)
        lab.form.epochs.setValue(args.epochs)
        lab.form.train_size.setValue(args.train_size)
        lab.data_row.set_file(data)
        lab.runs.set_compared(cli_folder, True)  # its curves overlaid, as in a lesson
        if lab.curves.overlay_labels == [] or not QTest.qWaitForWindowExposed(window):
            raise SystemExit("the lab did not list the command line's run, or did not show")
        QTest.qWait(SETTLE_MS)
        measured = LabRun(lab)
        window_size = (window.width(), window.height())
        lab_seconds = measured.run()
        lab_history = lab.history
        window.close()
        window.deleteLater()
        app.processEvents()
    if cli_history.end is None or lab_history.end is None:
        raise SystemExit("a run did not finish")
    ratio = lab_seconds / cli_seconds
    fit_ratio = lab_history.end.training_seconds / cli_history.end.training_seconds
    print(f"Settings: {' '.join(options)}; window {window_size[0]} × {window_size[1]}\n")
    print("| | command line | training lab | lab / command line | target |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| wall time | {cli_seconds:.1f} s | {lab_seconds:.1f} s | {ratio:.3f} "
        f"| ≤ {TARGET_RATIO} |"
    )
    print(
        f"| in model.fit | {cli_history.end.training_seconds:.1f} s | "
        f"{lab_history.end.training_seconds:.1f} s | {fit_ratio:.3f} | ≤ {TARGET_RATIO} |"
    )
    first_line = (lab.first_line_ms or 0) / 1000
    first_batch = (lab.first_batch_ms or 0) / 1000
    print("\n| first line in the lab | seconds after Train | target |")
    print("|---|---:|---|")
    print(f"| any line (start) | {first_line:.2f} | |")
    print(f"| first batch line | {first_batch:.2f} | ≤ {TARGET_FIRST_LINE_S} |")
    steps, whole = epoch_seconds(lab_history)
    print("\n| epoch | training steps | with snapshot and test measurement |")
    print("|---:|---:|---:|")
    for number, (step_seconds, all_seconds) in enumerate(zip(steps, whole, strict=True), 1):
        print(f"| {number} | {step_seconds:.1f} s | {all_seconds:.1f} s |")
    print(f"\nEvent loop: intervals between the ticks of a {TICK_MS} ms timer in the window")
    print("\n| while | intervals | longest | 99th percentile | median | target |")
    print("|---|---:|---:|---:|---:|---|")
    for label, training_only in (
        ("training (first batch line to end line)", True),
        ("the whole run (Train pressed to the run's end in the lab)", False),
    ):
        gaps = sorted(measured.gaps_ms(training_only=training_only))
        p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else float("nan")
        target = f"≤ {TARGET_GAP_MS:g} ms"
        print(f"| {label} | {len(gaps):,} | {max(gaps, default=float('nan')):.1f} ms | "
              f"{p99:.1f} ms | {statistics.median(gaps):.1f} ms | {target} |")  # fmt: skip
    print(f"\nTest accuracy: command line {cli_history.end.test_accuracy:.4f}, "
          f"lab {lab_history.end.test_accuracy:.4f}")  # fmt: skip
    print(f"Load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
