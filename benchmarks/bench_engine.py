"""Engine speed: conv2d and pool2d beside ONNX Runtime (the floor) and TensorFlow's eager ops.

Prints a markdown table of medians; the target is conv2d within 2x of ONNX Runtime's Conv on
both shapes. Also times building and walking the step sequence of the 28x28x32 convolution.

    python benchmarks/bench_engine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def median_us(fn: Callable[[], object], repeat: int) -> float:
    for _ in range(max(10, repeat // 20)):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


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


Row = tuple[str, float, float, float, float]


def bench_conv(tf: object, rng: np.random.Generator, h: int, c: int, d: int, repeat: int) -> Row:
    """conv2d on (h, h, c) with d 3x3 filters, "same", beside ORT and TensorFlow."""
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
    ours = median_us(lambda: conv2d(x, k, b, padding="same"), repeat)
    floor = median_us(lambda: default.run(None, {"x": x_nchw}), repeat)
    floor1 = median_us(lambda: single.run(None, {"x": x_nchw}), repeat)
    xt, kt, bt = tf.constant(x[None]), tf.constant(k), tf.constant(b)  # type: ignore[attr-defined]
    conv, add = tf.nn.conv2d, tf.nn.bias_add  # type: ignore[attr-defined]
    tf_us = median_us(lambda: add(conv(xt, kt, 1, "SAME"), bt), max(200, repeat // 4))
    return (f"conv2d {h}x{h}x{c} → {d} filters 3x3 same", ours, floor, floor1, tf_us)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    rng = np.random.default_rng(0)
    rows = [bench_conv(tf, rng, h, c, d, args.repeat) for h, c, d in ((28, 1, 32), (14, 32, 64))]
    x = rng.random((28, 28, 32), dtype=np.float32)
    max_pool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    pool = ort_session(max_pool, [1, 32, 28, 28], [], None)
    x_nchw = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    xt = tf.constant(x[None])
    rows.append((
        "max pool 2x2 on 28x28x32",
        median_us(lambda: pool2d(x, 2), args.repeat),
        median_us(lambda: pool.run(None, {"x": x_nchw}), args.repeat),
        float("nan"),
        median_us(lambda: tf.nn.max_pool2d(xt, 2, 2, "VALID"), max(200, args.repeat // 4)),
    ))  # fmt: skip

    x1 = rng.random((28, 28, 1))
    k1 = rng.standard_normal((3, 3, 1, 32))
    build = median_us(lambda: conv_steps(x1, k1, padding="same"), max(50, args.repeat // 10))
    steps = conv_steps(x1, k1, padding="same")
    start = time.perf_counter()
    for step in steps:
        _ = step.value
    walk = (time.perf_counter() - start) * 1e6
    one = median_us(lambda: steps[12345], args.repeat)

    print(
        "| operation | engine (µs) | ONNX Runtime, default threads (µs) | ORT, 1 thread (µs) "
        "| TensorFlow eager (µs) | engine / ORT default | engine / ORT 1 thread |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, ours, floor, floor1, tf_us in rows:
        r1 = f"{ours / floor1:.2f}x" if floor1 == floor1 else "—"
        f1 = f"{floor1:.1f}" if floor1 == floor1 else "—"
        ratio = f"{ours / floor:.2f}x"
        print(f"| {name} | {ours:.1f} | {floor:.1f} | {f1} | {tf_us:.1f} | {ratio} | {r1} |")
    print()
    print("| step sequence, 28x28x1 with 32 filters (25,088 steps) | time |")
    print("|---|---:|")
    print(f"| build the sequence (median) | {build:.0f} µs |")
    print(f"| one step record, steps[i] (median) | {one:.1f} µs |")
    print(f"| walk all 25,088 steps once | {walk / 1e3:.0f} ms |")
    print()
    for name, ours, floor, _, _ in rows[:2]:
        verdict = "meets" if ours <= 2 * floor else "MISSES"
        print(f"{name}: {ours / floor:.2f}x ONNX Runtime (target <= 2x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
