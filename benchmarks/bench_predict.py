"""How fast is a prediction? A drawn 280x280 canvas → to_mnist → OnnxModel.predict.

Measured side by side with its floor (a bare ``session.run`` on a ready (1, 28, 28, 1) input),
with ``activations``, with ``run_model`` (the one call behind the digit lab's answer and
--classify: every activation and the answer from one run) and with Keras running the same
network (weights copied from the ONNX model).

Then loading: ``OnnxModel(path)`` (parse, sort, two sessions, the probe runs) followed by the
first ``run_model``, and finding a digit model's preprocessing on the 100 shipped samples
(``detect_preprocessing``: 8 candidates × 100 samples; run only for digit models whose file
does not say its input range, never for the shipped model).

    python benchmarks/bench_predict.py [--model PATH] [--repeats N] [--no-keras]

Targets: canvas → to_mnist → predict median ≤ 1 ms and ≤ 3x the floor; activations of all
layers median ≤ 2x predict. Prints a markdown table and a verdict per target.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import OnnxModel, to_mnist
from engine.drawings.samples import load_samples
from engine.network.input_detection import detect_preprocessing, is_digit_model
from engine.network.model_run import run_model

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parent.parent
MNIST = Path(os.environ.get("MNIST_NPZ", str(REPO.parent / "shared" / "data" / "mnist.npz")))


def canvas_with_a_digit() -> np.ndarray:
    """A 280x280 canvas like the app's: an MNIST digit drawn large, off-centre."""
    canvas = np.zeros((280, 280), dtype=np.float32)
    if MNIST.is_file():
        with np.load(MNIST) as data:
            digit = data["x_test"][0].astype(np.float32) / 255
        big = np.kron(digit, np.ones((7, 7), dtype=np.float32))  # 196x196
        canvas[40:236, 60:256] = big
    else:  # a thick "1" if the data is not at hand
        canvas[40:240, 130:150] = 1.0
    return canvas


def time_side_by_side(
    operations: dict[str, Callable[[], object]], repeats: int
) -> dict[str, np.ndarray]:
    """Seconds per call of each operation, interleaved call by call so drift hits all alike."""
    for operation in operations.values():
        for _ in range(50):
            operation()
    times = {name: np.empty(repeats) for name in operations}
    gc.collect()
    gc.disable()
    try:
        for i in range(repeats):
            for name, operation in operations.items():
                start = time.perf_counter()
                operation()
                times[name][i] = time.perf_counter() - start
    finally:
        gc.enable()
    return times


def keras_twin(model: OnnxModel):  # type: ignore[no-untyped-def]
    """The shipped architecture in Keras, with the ONNX model's weights (engine layout = Keras)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import layers

    net = keras.Sequential(
        [
            keras.Input(model.input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            layers.Dense(model.num_classes, activation="softmax", name="probabilities"),
        ]
    )
    for name in ("conv1", "conv2", "dense1", "probabilities"):
        kernel, bias = model.weights(name)
        net.get_layer(name).set_weights([np.array(kernel), np.array(bias)])
    return net


def time_loading(path: Path | None, canvas: np.ndarray, repeats: int) -> dict[str, np.ndarray]:
    """Seconds to load the model and give its first answer, and to find its preprocessing."""
    times: dict[str, list[float]] = {"load + first run_model": [], "detect_preprocessing": []}
    samples = load_samples()
    for _ in range(repeats):
        start = time.perf_counter()
        model = OnnxModel(path)
        run_model(model, to_mnist(canvas))
        times["load + first run_model"].append(time.perf_counter() - start)
        if is_digit_model(model):
            start = time.perf_counter()
            detect_preprocessing(model, samples.images, samples.labels)
            times["detect_preprocessing"].append(time.perf_counter() - start)
    return {name: np.array(t) for name, t in times.items() if t}


def text(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    parser.add_argument("--repeats", type=int, default=3000)
    parser.add_argument("--keras-repeats", type=int, default=200)
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras comparison")
    parser.add_argument("--load-repeats", type=int, default=20)
    args = parser.parse_args()

    model = OnnxModel(args.model)
    canvas = canvas_with_a_digit()
    digit = to_mnist(canvas)
    ready = np.ascontiguousarray(digit.reshape((1, *model.input_shape)), dtype=np.float32)
    if model.layout == "NCHW":
        ready = np.ascontiguousarray(ready.transpose(0, 3, 1, 2))
    bare = ort.InferenceSession(str(model.path), providers=["CPUExecutionProvider"])
    feed = {bare.get_inputs()[0].name: ready}
    outputs = [bare.get_outputs()[0].name]

    operations: dict[str, Callable[[], object]] = {
        "floor: bare session.run, ready input": lambda: bare.run(outputs, feed),
        "to_mnist(280x280 canvas)": lambda: to_mnist(canvas),
        "predict(28x28)": lambda: model.predict(digit),
        "to_mnist → predict": lambda: model.predict(to_mnist(canvas)),
        "activations(28x28), all layers": lambda: model.activations(digit),
        "to_mnist → run_model (the lab's and --classify's answer)": lambda: run_model(
            model, to_mnist(canvas)
        ),
    }
    times = time_side_by_side(operations, args.repeats)
    if not args.no_keras:
        net = keras_twin(model)
        x = digit.reshape((1, *model.input_shape))
        difference = float(np.abs(net(x).numpy()[0] - model.predict(digit)).max())
        slow = {
            "keras model.predict(x)": lambda: net.predict(x, verbose=0),
            "keras model(x)": lambda: net(x, training=False),
        }
        times.update(time_side_by_side(slow, args.keras_repeats))

    medians = {name: float(np.median(t)) for name, t in times.items()}
    floor = medians["floor: bare session.run, ready input"]
    print(f"# bench_predict: {model.path.name} ({model.layout} {model.input_shape})\n")
    print(
        f"Python {platform.python_version()}, onnxruntime {ort.__version__}, NumPy "
        f"{np.__version__}, {os.cpu_count()} CPU(s), {args.repeats} calls each "
        f"(Keras: {args.keras_repeats}), interleaved\n"
    )
    print("| operation | median | p95 | × floor |")
    print("|---|---:|---:|---:|")
    for name, t in times.items():
        p95 = float(np.percentile(t, 95))
        print(f"| {name} | {text(medians[name])} | {text(p95)} | {medians[name] / floor:.2f} |")
    if not args.no_keras:
        print(f"\nKeras vs ONNX Runtime, largest probability difference: {difference:.1e}")
    loading = time_loading(args.model, canvas, args.load_repeats)
    print(f"\n| loading ({args.load_repeats} times) | median | p95 |")
    print("|---|---:|---:|")
    for name, t in loading.items():
        print(f"| {name} | {text(float(np.median(t)))} | {text(float(np.percentile(t, 95)))} |")

    pipeline = medians["to_mnist → predict"]
    checks = [
        ("canvas → to_mnist → predict median ≤ 1 ms", pipeline <= 1e-3, text(pipeline)),
        ("… and ≤ 3x the floor", pipeline <= 3 * floor, f"{pipeline / floor:.2f}x"),
        (
            "activations median ≤ 2x predict",
            medians["activations(28x28), all layers"] <= 2 * medians["predict(28x28)"],
            f"{medians['activations(28x28), all layers'] / medians['predict(28x28)']:.2f}x",
        ),
    ]
    print()
    for target, ok, value in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {target} ({value})")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
