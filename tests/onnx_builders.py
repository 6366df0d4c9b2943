"""Small ONNX image classifiers, built with onnx.helper, for the tests of engine.network.model.

``classifier`` builds Conv → Relu → pool → flatten → dense → [Softmax] in either layout:
channels-first like PyTorch (Flatten + Gemm with transB=1) or channels-last like Keras's export
(Transpose in, Conv/Relu/MaxPool in NCHW, Transpose back, Reshape + MatMul + Add).
The other builders make models that ``OnnxModel`` must reject.
"""

from __future__ import annotations

import json
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


# ----- models from the shipped model's weights: each kind of file a student may bring ------
SHIPPED_WEIGHTS = ("conv1/kernel", "conv1/bias", "conv2/kernel", "conv2/bias", "dense1/kernel",
                   "dense1/bias", "probabilities/kernel", "probabilities/bias")  # fmt: skip


def shipped() -> onnx.ModelProto:
    """The shipped model (Keras export: NHWC, opset 17, metadata)."""
    from models import DEFAULT_MODEL_PATH

    return onnx.load(str(DEFAULT_MODEL_PATH))


def _shipped_weights() -> dict[str, np.ndarray]:
    found = {t.name: numpy_helper.to_array(t) for t in shipped().graph.initializer}
    return {name: found[name] for name in SHIPPED_WEIGHTS}


def pytorch_digits(
    *, opset: int = OPSET, batch: int | str = "N", names: bool = True
) -> onnx.ModelProto:
    """The shipped network as PyTorch exports it: NCHW, Flatten + Gemm, no metadata.

    Conv(32) → Relu → MaxPool → Conv(64) → Relu → MaxPool → Flatten → Gemm(128) → Relu →
    Gemm(10) → Softmax, with the shipped weights (the dense rows reordered for an NCHW
    flatten), at any opset from 7 on.
    """
    w = _shipped_weights()
    dense1 = w["dense1/kernel"].reshape(7, 7, 64, 128).transpose(2, 0, 1, 3).reshape(3136, 128)
    inits = [
        numpy_helper.from_array(w["conv1/kernel"], "conv1.weight"),
        numpy_helper.from_array(w["conv1/bias"], "conv1.bias"),
        numpy_helper.from_array(w["conv2/kernel"], "conv2.weight"),
        numpy_helper.from_array(w["conv2/bias"], "conv2.bias"),
        numpy_helper.from_array(np.ascontiguousarray(dense1.T), "fc1.weight"),
        numpy_helper.from_array(w["dense1/bias"], "fc1.bias"),
        numpy_helper.from_array(np.ascontiguousarray(w["probabilities/kernel"].T), "fc2.weight"),
        numpy_helper.from_array(w["probabilities/bias"], "fc2.bias"),
    ]
    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    pool = {"kernel_shape": [2, 2], "strides": [2, 2]}

    def node(op: str, inputs: list[str], output: str, name: str, **attrs: Any) -> onnx.NodeProto:
        return helper.make_node(op, inputs, [output], name if names else "", **attrs)

    nodes = [
        node("Conv", ["input", "conv1.weight", "conv1.bias"], "c1", "/conv1/Conv", **conv),
        node("Relu", ["c1"], "r1", "/relu1/Relu"),
        node("MaxPool", ["r1"], "p1", "/pool1/MaxPool", **pool),
        node("Conv", ["p1", "conv2.weight", "conv2.bias"], "c2", "/conv2/Conv", **conv),
        node("Relu", ["c2"], "r2", "/relu2/Relu"),
        node("MaxPool", ["r2"], "p2", "/pool2/MaxPool", **pool),
        node("Flatten", ["p2"], "f", "/Flatten", axis=1),
        node("Gemm", ["f", "fc1.weight", "fc1.bias"], "d1", "/fc1/Gemm", transB=1),
        node("Relu", ["d1"], "r3", "/relu3/Relu"),
        node("Gemm", ["r3", "fc2.weight", "fc2.bias"], "logits", "/fc2/Gemm", transB=1),
        node("Softmax", ["logits"], "output", "/Softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "torch_digits",
        [helper.make_tensor_value_info("input", FLOAT, [batch, 1, 28, 28])],
        [helper.make_tensor_value_info("output", FLOAT, [batch, 10])],
        inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = helper.find_min_ir_version_for([helper.make_opsetid("", opset)])
    if model.ir_version < 4:  # before IR 4 every initializer is also a graph input
        model.graph.input.extend(
            helper.make_tensor_value_info(t.name, t.data_type, t.dims) for t in inits
        )
    onnx.checker.check_model(model)
    return model


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    result = onnx.ModelProto()
    result.CopyFrom(model)
    return result


def without_metadata(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy without metadata_props (the app must find the preprocessing itself)."""
    result = _copy(model)
    del result.metadata_props[:]
    return result


INPUT_ADAPTERS = {
    # name: the nodes that turn what the model is now given into what it was trained on
    "0..255": [("Mul", 1 / 255)],  # a Keras Rescaling(1/255) layer in front
    "-1..1": [("Add", 1.0), ("Mul", 0.5)],  # trained with Normalize((0.5,), (0.5,))
    "mnist-std": [("Mul", 0.3081), ("Add", 0.1307)],  # Normalize((0.1307,), (0.3081,))
    "inverted": [("Neg", None), ("Add", 1.0)],  # black ink on white paper
    # the graph itself normalises 0..1 to -1..1 (Sub/Div), then back: still a 0..1 model
    "normalised-in-graph": [("Sub", 0.5), ("Div", 0.5), ("Add", 1.0), ("Mul", 0.5)],
}


def with_input_adapter(model: onnx.ModelProto, kind: str) -> onnx.ModelProto:
    """A copy that expects another input (``INPUT_ADAPTERS``): nodes in front turn it back.

    The metadata is dropped (it would describe the old input).
    """
    result = without_metadata(model)
    graph = result.graph
    image = graph.input[0].name
    current = image
    nodes = []
    for i, (op, value) in enumerate(INPUT_ADAPTERS[kind]):
        out = f"adapted_{i}"
        if value is None:
            nodes.append(helper.make_node(op, [current], [out], f"/input_adapter/{op}_{i}"))
        else:
            constant = f"adapter_constant_{i}"
            graph.initializer.append(numpy_helper.from_array(np.array(value, np.float32), constant))
            nodes.append(
                helper.make_node(op, [current, constant], [out], f"/input_adapter/{op}_{i}")
            )
        current = out
    for node in graph.node:
        node.input[:] = [current if name == image else name for name in node.input]
    for i, node in enumerate(nodes):
        graph.node.insert(i, node)
    onnx.checker.check_model(result)
    return result


def reversed_nodes(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy whose nodes are listed last to first (as keras2onnx 1.5 wrote some graphs)."""
    result = _copy(model)
    nodes = list(result.graph.node)[::-1]
    del result.graph.node[:]
    result.graph.node.extend(nodes)
    return result


def with_head(model: onnx.ModelProto, head: str) -> onnx.ModelProto:
    """A copy whose final Softmax is replaced: "sigmoid", "handwritten" softmax
    (Exp/ReduceSum/Div), "logsoftmax", or "logits" (no softmax)."""
    result = _copy(model)
    graph = result.graph
    index = next(i for i, n in enumerate(graph.node) if n.op_type == "Softmax")
    softmax = graph.node[index]
    scores, out = softmax.input[0], softmax.output[0]
    del graph.node[index]
    if head == "sigmoid":
        new = [helper.make_node("Sigmoid", [scores], [out], "/head/Sigmoid")]
    elif head == "logsoftmax":
        new = [helper.make_node("LogSoftmax", [scores], [out], "/head/LogSoftmax", axis=1)]
    elif head == "handwritten":
        graph.initializer.append(numpy_helper.from_array(np.array([1], np.int64), "sum_axes"))
        new = [
            helper.make_node("Exp", [scores], ["exps"], "/head/Exp"),
            helper.make_node("ReduceSum", ["exps", "sum_axes"], ["total"], "/head/ReduceSum",
                             keepdims=1),
            helper.make_node("Div", ["exps", "total"], [out], "/head/Div"),
        ]  # fmt: skip
    elif head == "logits":
        new = [helper.make_node("Identity", [scores], [out], "/head/Identity")]
    else:
        raise ValueError(head)
    for i, node in enumerate(new):
        graph.node.insert(index + i, node)
    onnx.checker.check_model(result)
    return result


def with_training_dropout(model: onnx.ModelProto, after: str = "r3") -> onnx.ModelProto:
    """A copy with a Dropout(0.5) saved in training mode after tensor ``after``."""
    result = _copy(model)
    graph = result.graph
    graph.initializer.extend([
        numpy_helper.from_array(np.array(0.5, np.float32), "drop_ratio"),
        numpy_helper.from_array(np.array(True), "drop_training"),
    ])  # fmt: skip
    for node in graph.node:
        node.input[:] = ["dropped" if name == after else name for name in node.input]
    producer = next(i for i, n in enumerate(graph.node) if after in n.output)
    dropout = helper.make_node(
        "Dropout", [after, "drop_ratio", "drop_training"], ["dropped"], "/dropout/Dropout"
    )
    graph.node.insert(producer + 1, dropout)
    onnx.checker.check_model(result)
    return result


def with_identity_batch_norm(model: onnx.ModelProto, after: str = "c1") -> onnx.ModelProto:
    """A copy with a BatchNormalization (inference) after ``after`` that changes nothing
    (scale 1, offset 0, mean 0, variance 1 − ε): a real BN node on a working model."""
    result = with_batch_norm(model, after, name="/bn1/BatchNormalization")
    epsilon = 1e-3
    for tensor in result.graph.initializer:
        if tensor.name in ("bn_scale", "bn_offset", "bn_mean", "bn_var"):
            values = numpy_helper.to_array(tensor)
            fill = {"bn_scale": 1.0, "bn_offset": 0.0, "bn_mean": 0.0, "bn_var": 1.0 - epsilon}
            tensor.CopyFrom(
                numpy_helper.from_array(np.full_like(values, fill[tensor.name]), tensor.name)
            )
    return result


def with_fixed_batch(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy whose input and output take a batch of exactly 1."""
    result = _copy(model)
    for value in (*result.graph.input, *result.graph.output):
        value.type.tensor_type.shape.dim[0].dim_value = 1
    onnx.checker.check_model(result)
    return result


def cntk_like_digits() -> onnx.ModelProto:
    """Like the ONNX zoo's CNTK mnist-8: convolutions without bias, each bias added by an Add of
    a reshaped constant, and the dense matrix stored in another shape and reshaped.

    Parameters: 32·9 + 32 + 64·32·9 + 64 + 3136·10 + 10 = 50,186.
    """
    rng = np.random.default_rng(8)
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.3, (32, 1, 3, 3)).astype(np.float32), "W1"),
        numpy_helper.from_array(rng.normal(0, 0.1, (32,)).astype(np.float32), "B1"),
        numpy_helper.from_array(np.array([32, 1, 1], np.int64), "bias_shape1"),
        numpy_helper.from_array(rng.normal(0, 0.1, (64, 32, 3, 3)).astype(np.float32), "W2"),
        numpy_helper.from_array(rng.normal(0, 0.1, (64,)).astype(np.float32), "B2"),
        numpy_helper.from_array(np.array([64, 1, 1], np.int64), "bias_shape2"),
        numpy_helper.from_array(rng.normal(0, 0.05, (64, 7, 7, 10)).astype(np.float32), "D"),
        numpy_helper.from_array(np.array([3136, 10], np.int64), "dense_shape"),
        numpy_helper.from_array(rng.normal(0, 0.1, (1, 10)).astype(np.float32), "DB"),
    ]
    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    pool = {"kernel_shape": [2, 2], "strides": [2, 2]}
    nodes = [
        helper.make_node("Conv", ["Input3", "W1"], ["c1"], "Convolution28", **conv),
        helper.make_node("Reshape", ["B1", "bias_shape1"], ["b1"], "Parameter6_reshape1"),
        helper.make_node("Add", ["c1", "b1"], ["a1"], "Plus30"),
        helper.make_node("Relu", ["a1"], ["r1"], "ReLU32"),
        helper.make_node("MaxPool", ["r1"], ["p1"], "Pooling66", **pool),
        helper.make_node("Conv", ["p1", "W2"], ["c2"], "Convolution110", **conv),
        helper.make_node("Reshape", ["B2", "bias_shape2"], ["b2"], "Parameter88_reshape1"),
        helper.make_node("Add", ["c2", "b2"], ["a2"], "Plus112"),
        helper.make_node("Relu", ["a2"], ["r2"], "ReLU114"),
        helper.make_node("MaxPool", ["r2"], ["p2"], "Pooling160", **pool),
        helper.make_node("Reshape", ["D", "dense_shape"], ["d"], "Parameter193_reshape1"),
        helper.make_node("Flatten", ["p2"], ["f"], "Times212_reshape0", axis=1),
        helper.make_node("MatMul", ["f", "d"], ["m"], "Times212"),
        helper.make_node("Add", ["m", "DB"], ["Plus214_Output_0"], "Plus214"),
    ]
    graph = helper.make_graph(
        nodes, "CNTKGraph",
        [helper.make_tensor_value_info("Input3", FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("Plus214_Output_0", FLOAT, [1, 10])],
        inits,
    )  # fmt: skip
    return finish(graph)


def image_classifier(
    *, size: int = 32, channels: int = 3, classes: int = 10, layout: str = "NCHW",
    blocks: int = 2, convs_per_block: int = 1, filters: int = 8, seed: int = 0,
    labels: list[str] | None = None,
) -> onnx.ModelProto:  # fmt: skip
    """A small colour classifier with random weights: blocks of Conv(3×3) → Relu (×n) →
    MaxPool, then Flatten → Gemm → Softmax. NCHW like PyTorch, or NHWC like Keras (a
    Transpose in front). ``convs_per_block=2, blocks=2, size=64`` is CNN Explainer's Tiny VGG."""
    rng = np.random.default_rng(seed)
    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []
    image_shape: list[int | str]
    if layout == "NHWC":
        image_shape = ["N", size, size, channels]
        nodes.append(helper.make_node("Transpose", ["image"], ["x"], "/to_nchw", perm=[0, 3, 1, 2]))
    else:
        image_shape = ["N", channels, size, size]
        nodes.append(helper.make_node("Identity", ["image"], ["x"], "/input"))
    current, depth, side = "x", channels, size
    for b in range(blocks):
        for c in range(convs_per_block):
            name = f"conv_{b + 1}_{c + 1}"
            scale = np.sqrt(2.0 / (depth * 9))
            inits += [
                numpy_helper.from_array(
                    rng.normal(0, scale, (filters, depth, 3, 3)).astype(np.float32), f"{name}.w"
                ),
                numpy_helper.from_array(
                    rng.normal(0, 0.05, filters).astype(np.float32), f"{name}.b"
                ),
            ]
            nodes += [
                helper.make_node("Conv", [current, f"{name}.w", f"{name}.b"], [name],
                                 f"/{name}/Conv", pads=[1, 1, 1, 1]),
                helper.make_node("Relu", [name], [f"{name}_relu"], f"/{name}/Relu"),
            ]  # fmt: skip
            current, depth = f"{name}_relu", filters
        pooled = f"pool_{b + 1}"
        nodes.append(helper.make_node("MaxPool", [current], [pooled], f"/{pooled}/MaxPool",
                                      kernel_shape=[2, 2], strides=[2, 2]))  # fmt: skip
        current, side = pooled, side // 2
    features = depth * side * side
    inits += [
        numpy_helper.from_array(
            rng.normal(0, np.sqrt(1.0 / features), (classes, features)).astype(np.float32), "fc.w"
        ),
        numpy_helper.from_array(np.zeros(classes, np.float32), "fc.b"),
    ]
    nodes += [
        helper.make_node("Flatten", [current], ["flat"], "/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], "/fc/Gemm", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], "/Softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, f"colour_{size}",
        [helper.make_tensor_value_info("image", FLOAT, image_shape)],
        [helper.make_tensor_value_info("probs", FLOAT, ["N", classes])],
        inits,
    )  # fmt: skip
    metadata = None if labels is None else {"class_labels": json.dumps(labels)}
    return finish(graph, metadata)


def quantized(model_path: Path, kind: str, out_path: Path, calibration: np.ndarray) -> Path:
    """``model_path`` quantized to int8 by ONNX Runtime: "dynamic", "qoperator" or "qdq".

    ``calibration`` are inputs in the model's own shape (N, ...), fed one at a time to the
    static quantizers' calibration.
    """
    from onnxruntime import quantization as q

    class Reader(q.CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            name = (
                onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
                .get_inputs()[0]
                .name
            )
            self.feeds = iter([{name: x[None].astype(np.float32)} for x in calibration])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.feeds, None)

    if kind == "dynamic":
        q.quantize_dynamic(str(model_path), str(out_path))
    else:
        fmt = q.QuantFormat.QOperator if kind == "qoperator" else q.QuantFormat.QDQ
        q.quantize_static(str(model_path), str(out_path), Reader(), quant_format=fmt)
    return out_path
