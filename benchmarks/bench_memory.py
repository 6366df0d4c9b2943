"""Does memory stay flat? Load the model, predict 10,000 times, and watch the process's RSS.

    python benchmarks/bench_memory.py [--model PATH] [--predictions N]

Each prediction is a 280x280 canvas → to_mnist → predict; every 10th also makes the update the
digit lab makes on every stroke (``LabState.with_canvas``: to_mnist, one run of every layer,
the answer). Target: RSS grows by less than 5 MB between the 100th and
the last prediction. Prints a markdown table and a verdict.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import OnnxModel, to_mnist
from engine.network.lab_state import LabState

LIMIT_MB = 5.0


def rss_mb() -> float:
    """Resident set size now, from /proc/self/status (Linux), else the peak from getrusage."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    parser.add_argument("--predictions", type=int, default=10_000)
    args = parser.parse_args()

    start = rss_mb()
    model = OnnxModel(args.model)
    lab = LabState.start().with_model(model)
    loaded = rss_mb()
    drawings = canvases(16)
    checkpoints = {100, 1_000, 2_500, 5_000, 7_500, args.predictions}
    rows: list[tuple[int, float]] = []
    for i in range(1, args.predictions + 1):
        model.predict(to_mnist(drawings[i % len(drawings)]))
        if i % 10 == 0:
            lab = lab.with_canvas(drawings[i % len(drawings)])
        if i in checkpoints:
            rows.append((i, rss_mb()))

    baseline = rows[0][1]
    print(f"# bench_memory: {model.path.name}, {args.predictions:,} predictions\n")
    print(f"RSS before loading: {start:.1f} MB; after loading the model: {loaded:.1f} MB\n")
    print("| predictions | RSS (MB) | growth since the 100th (MB) |")
    print("|---:|---:|---:|")
    for count, rss in rows:
        print(f"| {count:,} | {rss:.1f} | {rss - baseline:+.2f} |")
    growth = rows[-1][1] - baseline
    ok = growth < LIMIT_MB
    print(
        f"\n- {'PASS' if ok else 'FAIL'}: RSS growth after the first 100 < {LIMIT_MB:g} MB "
        f"({growth:+.2f} MB)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
