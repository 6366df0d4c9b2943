"""Engine speed: conv2d and pool2d beside ONNX Runtime (the floor) and TensorFlow's eager ops.

Prints a markdown table of medians; the target is conv2d within 2x of ONNX Runtime's Conv on
both shapes. Also times building and walking the step sequence of the 28x28x32 convolution.

The engine and ONNX Runtime are timed in alternating rounds in this process, each round after
a pause and a warm-up, so that neither is timed while the other's idle worker threads still
spin on the second core (both use every core: ONNX Runtime its thread pool, NumPy OpenBLAS's).
TensorFlow runs in a child process of the same run, because its thread pools keep spinning
after each op and would slow whatever is timed next.

    python benchmarks/bench_engine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import conv2d, conv_steps, pool2d

if TYPE_CHECKING:
    from collections.abc import Callable

SHAPES = ((28, 1, 32), (14, 32, 64))
ROUNDS = 30
PAUSE = 0.2  # seconds before each contender's round: idle worker threads stop spinning
WARM_UP = 0.03  # seconds of untimed calls after the pause

TF_CHILD = """
import json, os, statistics, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
repeat = int(sys.argv[1])
def median_us(fn):
    for _ in range(50):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6
rng = np.random.default_rng(0)
out = {}
for h, c, d in ((28, 1, 32), (14, 32, 64)):
    x = tf.constant(rng.random((1, h, h, c), dtype=np.float32))
    k = tf.constant(rng.standard_normal((3, 3, c, d)).astype(np.float32))
    b = tf.constant(rng.standard_normal(d).astype(np.float32))
    out[f"conv{h}"] = median_us(lambda: tf.nn.bias_add(tf.nn.conv2d(x, k, 1, "SAME"), b))
x = tf.constant(rng.random((1, 28, 28, 32), dtype=np.float32))
out["pool"] = median_us(lambda: tf.nn.max_pool2d(x, 2, 2, "VALID"))
print(json.dumps(out))
"""


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def alternate(contenders: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median µs of each contender, timed in alternating rounds, and "ratio".

    "ratio" is the median over rounds of engine / ort within a round, which cancels the
    machine's slow drifts.
    """
    for fn in contenders.values():
        for _ in range(50):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    ratios = []
    for _ in range(ROUNDS):
        round_medians = {}
        for name, fn in contenders.items():
            time.sleep(PAUSE)  # let the other contenders' worker threads stop spinning
            warm_until = time.perf_counter() + WARM_UP
            while time.perf_counter() < warm_until:  # and this one's wake up and settle
                fn()
            times = timed(fn, max(1, repeat // ROUNDS))
            samples[name] += times
            round_medians[name] = statistics.median(times)
        ratios.append(round_medians["engine"] / round_medians["ort"])
    medians = {name: statistics.median(times) * 1e6 for name, times in samples.items()}
    return medians | {"ratio": statistics.median(ratios)}


def ort_session(node: onnx.NodeProto, shape: list[int], inits: list[onnx.TensorProto],
                threads: int | None) -> ort.InferenceSession:  # fmt: skip
    graph = helper.make_graph(
        [node], "bench",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def conv_contenders(
    rng: np.random.Generator, h: int, c: int, d: int
) -> dict[str, Callable[[], object]]:
    x = rng.random((h, h, c), dtype=np.float32)
    k = rng.standard_normal((3, 3, c, d)).astype(np.float32)
    b = rng.standard_normal(d).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1])
    inits = [
        numpy_helper.from_array(np.ascontiguousarray(k.transpose(3, 2, 0, 1)), "w"),
        numpy_helper.from_array(b, "b"),
    ]
    x_nchw = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    default = ort_session(node, [1, c, h, h], inits, None)
    single = ort_session(node, [1, c, h, h], inits, 1)
    return {
        "engine": lambda: conv2d(x, k, b, padding="same"),
        "ort": lambda: default.run(None, {"x": x_nchw}),
        "ort1": lambda: single.run(None, {"x": x_nchw}),
    }


def tensorflow_medians(repeat: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", TF_CHILD, str(max(200, repeat // 4))],
        capture_output=True, text=True, check=False, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )  # fmt: skip
    if done.returncode != 0:
        print(f"(TensorFlow not measured: {done.stderr.strip().splitlines()[-1:]})")
        return {}
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    tf_us = tensorflow_medians(args.repeat)
    rows = []
    for h, c, d in SHAPES:
        m = alternate(conv_contenders(rng, h, c, d), args.repeat)
        name = f"conv2d {h}x{h}x{c} → {d} filters 3x3 same"
        tf = tf_us.get(f"conv{h}", float("nan"))
        rows.append((name, m["engine"], m["ort"], m["ort1"], tf, m["ratio"]))
    x = rng.random((28, 28, 32), dtype=np.float32)
    max_pool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    pool = ort_session(max_pool, [1, 32, 28, 28], [], None)
    x_nchw = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    m = alternate(
        {"engine": lambda: pool2d(x, 2), "ort": lambda: pool.run(None, {"x": x_nchw})}, args.repeat
    )
    rows.append(
        (
            "max pool 2x2 on 28x28x32",
            m["engine"],
            m["ort"],
            float("nan"),
            tf_us.get("pool", float("nan")),
            m["ratio"],
        )
    )

    x1 = rng.random((28, 28, 1))
    k1 = rng.standard_normal((3, 3, 1, 32))
    build = statistics.median(timed(lambda: conv_steps(x1, k1, padding="same"), 500)) * 1e6
    steps = conv_steps(x1, k1, padding="same")
    one = statistics.median(timed(lambda: steps[12345], args.repeat)) * 1e6
    start = time.perf_counter()
    for step in steps:
        _ = step.value
    walk = (time.perf_counter() - start) * 1e3

    def show(value: float) -> str:
        return "—" if value != value else f"{value:.1f}"

    print(
        "| operation | engine (µs) | ONNX Runtime (µs) | ORT 1 thread (µs) "
        "| TensorFlow eager (µs) | engine / ORT (paired rounds) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, ours, floor, floor1, tf, ratio in rows:
        print(f"| {name} | {show(ours)} | {show(floor)} | {show(floor1)} | {show(tf)} "
              f"| {ratio:.2f}x |")  # fmt: skip
    print()
    print("| step sequence, 28x28x1 with 32 filters (25,088 steps) | time |")
    print("|---|---:|")
    print(f"| build the sequence (median) | {build:.0f} µs |")
    print(f"| one step record, steps[i] (median) | {one:.1f} µs |")
    print(f"| walk all 25,088 steps once | {walk:.0f} ms |")
    print()
    for name, _, _, _, _, ratio in rows[:2]:
        verdict = "meets" if ratio <= 2 else "MISSES"
        print(f"{name}: {ratio:.2f}x ONNX Runtime (target <= 2x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
