"""The ladder of slide 004, measured: what each preset reaches with its recipe, and how fast.

    python benchmarks/bench_ladder.py [--presets softmax,dense-sigmoid,...] [--out DIR]
    python benchmarks/bench_ladder.py --from DIR        # summarise run folders already made

Trains every preset with its recipe (the options `python -m models.training --arch NAME`
takes when given nothing else) on all 60,000 MNIST training images, one run after another,
each into a run folder under DIR (a temporary folder unless --out), and prints a markdown
table: test accuracy (ONNX Runtime, 10,000 test images), epochs, seconds in model.fit (with
the per-epoch snapshots), seconds per epoch, the whole run. The load average before and after
each run is printed too: on a busy machine the times mean little (the accuracies do not
change: training is seeded and deterministic).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# The repository root must be on the path first (run as a script, only benchmarks/ is).
from models.training.architectures import ARCHITECTURES  # noqa: E402
from models.training.lab_text import duration_text, percent_text  # noqa: E402
from models.training.runs import list_runs, read_history  # noqa: E402


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def train(key: str, folder: Path, data: Path | None) -> None:
    """Train one preset with its recipe into `folder` (Keras's log to a pipe, like a user's)."""
    options = [f"--arch={key}", f"--out={folder}"] + ([f"--data={data}"] if data else [])
    print(f"{key}: training (load {load()})", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "models.training", *options], cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    print(f"{key}: done (load {load()})", file=sys.stderr, flush=True)
    if done.returncode != 0:
        raise SystemExit(f"{key} failed:\n{done.stderr}")


def table(root: Path) -> str:
    """The markdown table of the finished runs in `root`, in ladder order."""
    order = list(ARCHITECTURES)
    rows = []
    for run in list_runs(root):
        if run.document is None or run.end is None:
            continue
        history = read_history(run.layout.folder).history
        progress = history.progress()
        training = run.document.settings.training
        rows.append((order.index(training.architecture), (
            f"| {training.architecture} | {percent_text(run.end.test_accuracy, 2)} | "
            f"{run.end.epochs_done} | {training.optimizer} {training.learning_rate:g}, "
            f"{training.lr_decay} | {run.end.training_seconds:.0f} s | "
            f"{progress.seconds_per_epoch:.1f} s | {duration_text(run.end.seconds)} |"
        )))  # fmt: skip
    header = (
        "| preset | test accuracy | epochs | optimizer, rate, decay | in model.fit | per epoch "
        "| whole run |\n|---|---:|---:|---|---:|---:|---:|"
    )
    return "\n".join([header, *(row for _, row in sorted(rows))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(ARCHITECTURES))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="keep the run folders here")
    parser.add_argument("--from", dest="source", type=Path, default=None,
                        help="only summarise the run folders in this folder")  # fmt: skip
    args = parser.parse_args()
    if args.source is not None:
        print(table(args.source))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        root = args.out or Path(scratch)
        for number, key in enumerate(args.presets.split(","), start=1):
            train(key, root / f"{number:02d}-{key}", args.data)
        print(table(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
