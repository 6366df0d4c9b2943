"""One-node ONNX graphs (Conv, MaxPool, AveragePool) run by ONNX Runtime, for parity tests."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def _run(
    node: onnx.NodeProto, x_nchw: np.ndarray, initializers: list[onnx.TensorProto]
) -> np.ndarray:
    graph = helper.make_graph(
        [node],
        "single_op",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_nchw.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x_nchw})[0]


def ort_conv(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray,
    *,
    strides: tuple[int, int],
    dilations: tuple[int, int],
    pads: tuple[int, int, int, int] | None = None,
    auto_pad: str | None = None,
) -> np.ndarray:
    """x (H, W, C), kernel (kh, kw, C, D) → (H', W', D) computed by ORT's Conv in NCHW."""
    attrs: dict[str, object] = {"strides": list(strides), "dilations": list(dilations)}
    if auto_pad is not None:
        attrs["auto_pad"] = auto_pad
    else:
        top, bottom, left, right = pads or (0, 0, 0, 0)
        attrs["pads"] = [top, left, bottom, right]
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], **attrs)
    inits = [
        numpy_helper.from_array(
            np.ascontiguousarray(kernel.transpose(3, 2, 0, 1), np.float32), "w"
        ),
        numpy_helper.from_array(bias.astype(np.float32), "b"),
    ]
    x_nchw = np.ascontiguousarray(x.transpose(2, 0, 1)[None], np.float32)
    return _run(node, x_nchw, inits)[0].transpose(1, 2, 0)


def ort_pool(
    x: np.ndarray,
    size: tuple[int, int],
    *,
    strides: tuple[int, int],
    mode: str,
    pads: tuple[int, int, int, int] | None = None,
    auto_pad: str | None = None,
) -> np.ndarray:
    """x (H, W, C) → (H', W', C) by ORT's MaxPool or AveragePool (padding not counted)."""
    attrs: dict[str, object] = {"kernel_shape": list(size), "strides": list(strides)}
    if auto_pad is not None:
        attrs["auto_pad"] = auto_pad
    else:
        top, bottom, left, right = pads or (0, 0, 0, 0)
        attrs["pads"] = [top, left, bottom, right]
    op = "MaxPool" if mode == "max" else "AveragePool"
    if op == "AveragePool":
        attrs["count_include_pad"] = 0
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    x_nchw = np.ascontiguousarray(x.transpose(2, 0, 1)[None], np.float32)
    return _run(node, x_nchw, [])[0].transpose(1, 2, 0)
