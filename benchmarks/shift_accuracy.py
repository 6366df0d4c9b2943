"""Both shipped networks' accuracy on MNIST test digits moved by 0 to 8 pixels: the shift chart.

The numbers behind the digit lab's shift chart (KLDL: "feed-forward networks have little or no
invariance to shifting"), printed as a Markdown table for the README: per shift, each model's
accuracy averaged over the four directions and in each direction. An accuracy, not a timing:
it is the same on any machine.

    python benchmarks/shift_accuracy.py [--data MNIST.npz] [--digits N] [--model PATH ...]

Default data: $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository. Default models:
models/mnist_cnn.onnx and models/mnist_mlp.onnx. Exit status 2 with a message for bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import OnnxModel
from engine.network.shift_accuracy import (
    TEST_DIGITS,
    load_test_digits,
    measure_shift_accuracy,
    shift_summary,
    shift_table,
)
from models import DEFAULT_MODEL_PATH, DENSE_MODEL_PATH, MODELS_DIR

DEFAULT_DATA = MODELS_DIR.parent.parent / "shared" / "data" / "mnist.npz"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table; 2 with a message on stderr for bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="MNIST npz (keras format)")
    parser.add_argument("--digits", type=int, default=TEST_DIGITS, help="test digits to move")
    parser.add_argument(
        "--model", type=Path, action="append", default=None, help="an ONNX digit model"
    )
    args = parser.parse_args(argv)
    data = args.data or Path(os.environ.get("MNIST_NPZ") or DEFAULT_DATA)
    paths = args.model or [DEFAULT_MODEL_PATH, DENSE_MODEL_PATH]
    if args.digits < 1:
        print("shift_accuracy: --digits must be at least 1", file=sys.stderr)
        return 2
    try:
        images, labels = load_test_digits(data, args.digits)
        models = [OnnxModel(path) for path in paths]
        results = [measure_shift_accuracy(model, images, labels) for model in models]
    except (OSError, ValueError) as exc:
        print(f"shift_accuracy: {exc}", file=sys.stderr)
        return 2
    print(f"Accuracy on the first {len(images):,} MNIST test digits of {data.name}, moved")
    print()
    print(shift_table(results))
    print()
    print(shift_summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
