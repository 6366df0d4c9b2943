"""Small ONNX image classifiers, built with onnx.helper, for the tests of engine.network.model.

``classifier`` builds Conv → Relu → pool → flatten → dense → [Softmax] in either layout:
channels-first like PyTorch (Flatten + Gemm with transB=1) or channels-last like Keras's export
(Transpose in, Conv/Relu/MaxPool in NCHW, Transpose back, Reshape + MatMul + Add).
The other builders make models that ``OnnxModel`` must reject.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

if TYPE_CHECKING:
    from pathlib import Path

OPSET = 13
IR_VERSION = 8
FLOAT = TensorProto.FLOAT

NODE_NAMES = {
    # PyTorch's exporter: "/module/Op"; a functional op has no module scope.
    "pytorch": {
        "conv": "/conv1/Conv",
        "relu": "/relu/Relu",
        "pool": "/pool/{op}",
        "flatten": "/Flatten",
        "dense": "/fc/Gemm",
        "bias": "/fc/Add",
        "softmax": "/Softmax",
    },
    # Keras 3 via tf2onnx: "model_1/layer_1/Op", every scope traced with a "_1".
    "keras": {
        "conv": "net_1/conv1_1/BiasAdd",
        "relu": "net_1/conv1_1/Relu",
        "pool": "net_1/pool1_1/{op}2d",
        "flatten": "net_1/flatten_1/Reshape",
        "dense": "net_1/dense_1/MatMul",
        "bias": "net_1/dense_1/BiasAdd",
        "softmax": "net_1/dense_1/Softmax",
    },
    "none": {},
}


def _axis_out(size: int, k: int, stride: int, before: int, after: int, dilation: int = 1) -> int:
    return (size + before + after - ((k - 1) * dilation + 1)) // stride + 1


def _conv_out(size: int, attrs: dict[str, Any]) -> int:
    stride = int(attrs.get("strides", [1, 1])[0])
    dilation = int(attrs.get("dilations", [1, 1])[0])
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return math.ceil(size / stride)
    if auto_pad == "VALID":
        return _axis_out(size, 3, stride, 0, 0, dilation)
    pads = attrs.get("pads", [0, 0, 0, 0])
    return _axis_out(size, 3, stride, int(pads[0]), int(pads[2]), dilation)


def classifier(
    *,
    layout: str = "NCHW",
    channels: int = 1,
    size: int = 8,
    filters: int = 4,
    classes: int = 3,
    softmax: bool = True,
    names: str = "pytorch",
    conv_attrs: dict[str, Any] | None = None,
    pool: str = "MaxPool",
    pool_attrs: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
    batch: int | str = "N",
    seed: int = 0,
) -> onnx.ModelProto:
    """A tiny CNN classifier: Conv(3x3) → Relu → pool → flatten → dense → [Softmax]."""
    rng = np.random.default_rng(seed)
    conv_attrs = {"pads": [1, 1, 1, 1]} if conv_attrs is None else conv_attrs
    pool_attrs = {"kernel_shape": [2, 2], "strides": [2, 2]} if pool_attrs is None else pool_attrs
    node_names = NODE_NAMES[names]

    def name(key: str) -> str:
        return node_names.get(key, "").format(op=pool)

    conv_size = _conv_out(size, conv_attrs)
    pk = int(pool_attrs["kernel_shape"][0])
    ps = int(pool_attrs.get("strides", [1, 1])[0])
    pp = pool_attrs.get("pads", [0, 0, 0, 0])
    pooled = _axis_out(conv_size, pk, ps, int(pp[0]), int(pp[2]))
    if pool_attrs.get("ceil_mode") == 1:
        pooled = math.ceil((conv_size + int(pp[0]) + int(pp[2]) - pk) / ps) + 1
    features = filters * pooled * pooled

    kernel = rng.normal(0, 0.5, (filters, channels, 3, 3)).astype(np.float32)
    bias = rng.normal(0, 0.1, filters).astype(np.float32)
    dense_w = rng.normal(0, 0.3, (features, classes)).astype(np.float32)
    dense_b = rng.normal(0, 0.1, classes).astype(np.float32)
    inits = [numpy_helper.from_array(kernel, "W"), numpy_helper.from_array(bias, "B")]
    nodes = []
    if layout == "NHWC":
        image_shape: list[int | str] = [batch, size, size, channels]
        nodes.append(helper.make_node("Transpose", ["image"], ["x_nchw"], perm=[0, 3, 1, 2]))
        conv_in = "x_nchw"
    else:
        image_shape = [batch, channels, size, size]
        conv_in = "image"
    nodes += [
        helper.make_node("Conv", [conv_in, "W", "B"], ["conv"], name("conv"), **conv_attrs),
        helper.make_node("Relu", ["conv"], ["relu"], name("relu")),
        helper.make_node(pool, ["relu"], ["pool"], name("pool"), **pool_attrs),
    ]
    if layout == "NHWC":
        inits += [
            numpy_helper.from_array(np.array([-1, features], np.int64), "flat_shape"),
            numpy_helper.from_array(dense_w, "D"),
            numpy_helper.from_array(dense_b, "DB"),
        ]
        nodes += [
            helper.make_node("Transpose", ["pool"], ["pool_nhwc"], perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", ["pool_nhwc", "flat_shape"], ["flat"], name("flatten")),
            helper.make_node("MatMul", ["flat", "D"], ["matmul"], name("dense")),
            helper.make_node("Add", ["matmul", "DB"], ["scores"], name("bias")),
        ]
    else:
        inits += [
            numpy_helper.from_array(np.ascontiguousarray(dense_w.T), "D"),
            numpy_helper.from_array(dense_b, "DB"),
        ]
        nodes += [
            helper.make_node("Flatten", ["pool"], ["flat"], name("flatten"), axis=1),
            helper.make_node("Gemm", ["flat", "D", "DB"], ["scores"], name("dense"), transB=1),
        ]
    output = "scores"
    if softmax:
        nodes.append(helper.make_node("Softmax", ["scores"], ["probs"], name("softmax"), axis=-1))
        output = "probs"
    graph = helper.make_graph(
        nodes,
        f"tiny_{layout.lower()}",
        [helper.make_tensor_value_info("image", FLOAT, image_shape)],
        [helper.make_tensor_value_info(output, FLOAT, [batch, classes])],
        inits,
    )
    return finish(graph, metadata)


def finish(graph: onnx.GraphProto, metadata: dict[str, str] | None = None) -> onnx.ModelProto:
    """A checked model at a fixed opset/IR version that ORT accepts."""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    return model


def with_batch_norm(
    model: onnx.ModelProto, after: str = "conv", *, name: str = "", seed: int = 5
) -> onnx.ModelProto:
    """A copy of ``model`` with a BatchNormalization (inference) on tensor ``after``.

    Its scale, offset, mean and variance (one per channel, random but plausible) are stored as
    initializers; the nodes that read ``after`` read the normalised tensor instead.
    """
    result = onnx.ModelProto()
    result.CopyFrom(model)
    graph = result.graph
    producer = next(i for i, node in enumerate(graph.node) if after in node.output)
    channels = _channels_of(result, after)
    rng = np.random.default_rng(seed)
    stats = {
        "bn_scale": rng.uniform(0.5, 1.5, channels),
        "bn_offset": rng.normal(0, 0.2, channels),
        "bn_mean": rng.normal(0, 0.3, channels),
        "bn_var": rng.uniform(0.2, 2.0, channels),
    }
    graph.initializer.extend(
        numpy_helper.from_array(v.astype(np.float32), k) for k, v in stats.items()
    )
    normalised = f"{after}_bn"
    for node in graph.node:
        node.input[:] = [normalised if i == after else i for i in node.input]
    bn = helper.make_node("BatchNormalization", [after, *stats], [normalised], name, epsilon=1e-3)
    graph.node.insert(producer + 1, bn)
    onnx.checker.check_model(result)
    return result


def _channels_of(model: onnx.ModelProto, tensor: str) -> int:
    """The channel count (axis 1) of ``tensor``, from one ORT run on zeros."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.append(helper.make_empty_tensor_value_info(tensor))
    session = onnxruntime.InferenceSession(
        probe.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    dims = [d if isinstance(d, int) else 1 for d in session.get_inputs()[0].shape]
    values = session.run([tensor], {session.get_inputs()[0].name: np.zeros(dims, np.float32)})
    return int(values[0].shape[1])


def _dense_head(
    source: str, features: int, classes: int = 3
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    rng = np.random.default_rng(1)
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.3, (features, classes)).astype(np.float32), "D"),
        numpy_helper.from_array(np.zeros(classes, np.float32), "DB"),
    ]
    nodes = [
        helper.make_node("Flatten", [source], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "D", "DB"], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["probs"], axis=-1),
    ]
    return nodes, inits


def _probs(classes: int = 3) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info("probs", FLOAT, ["N", classes])


def no_image_input() -> onnx.ModelProto:
    """A classifier of flat vectors (N, 64): no image input."""
    nodes, inits = _dense_head("vector", 64)
    vector = helper.make_tensor_value_info("vector", FLOAT, ["N", 64])
    return finish(helper.make_graph(nodes, "flat", [vector], [_probs()], inits))


def several_inputs() -> onnx.ModelProto:
    """Two image inputs added together before the classifier."""
    nodes, inits = _dense_head("sum", 64)
    nodes.insert(0, helper.make_node("Add", ["left", "right"], ["sum"]))
    inputs = [helper.make_tensor_value_info(n, FLOAT, ["N", 1, 8, 8]) for n in ("left", "right")]
    return finish(helper.make_graph(nodes, "two", inputs, [_probs()], inits))


def integer_input() -> onnx.ModelProto:
    """An image input of int64 pixels, cast to float inside the graph."""
    nodes, inits = _dense_head("pixels", 64)
    nodes.insert(0, helper.make_node("Cast", ["image"], ["pixels"], to=FLOAT))
    image = helper.make_tensor_value_info("image", TensorProto.INT64, ["N", 1, 8, 8])
    return finish(helper.make_graph(nodes, "ints", [image], [_probs()], inits))


def map_output() -> onnx.ModelProto:
    """A conv layer whose output, a feature map (N, 4, 8, 8), is the model's only output."""
    rng = np.random.default_rng(2)
    inits = [numpy_helper.from_array(rng.normal(0, 1, (4, 1, 3, 3)).astype(np.float32), "W")]
    nodes = [helper.make_node("Conv", ["image", "W"], ["maps"], pads=[1, 1, 1, 1])]
    image = helper.make_tensor_value_info("image", FLOAT, ["N", 1, 8, 8])
    maps = helper.make_tensor_value_info("maps", FLOAT, ["N", 4, 8, 8])
    return finish(helper.make_graph(nodes, "maps", [image], [maps], inits))


def save(model: onnx.ModelProto, path: Path) -> Path:
    """Write ``model`` to ``path`` and return the path."""
    path.write_bytes(model.SerializeToString())
    return path


def run_bare(model: onnx.ModelProto, batch: np.ndarray) -> np.ndarray:
    """The model's only output for ``batch``, straight from an ORT session (the reference)."""
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    feed = {session.get_inputs()[0].name: batch.astype(np.float32)}
    result: np.ndarray = session.run(None, feed)[0]
    return result
