"""The ONNX op vocabulary the engine reads graphs with, and readers for a node's attributes and
constant inputs.

The op sets say which nodes only re-lay data (plumbing), which produce shapes rather than data,
which work on NCHW data, which are activations, dense or weighted layers, and what a layer with
no scope in its node name is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx
from onnx import numpy_helper

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# Ops that only move data around; they never get a record of their own.
PLUMBING_OPS = frozenset(
    ("Transpose", "Identity", "Cast", "Dropout", "Squeeze", "Unsqueeze", "Reshape", "Flatten")
)
# Ops that produce shapes, not data: the data path stops there.
SHAPE_OPS = frozenset({"Shape", "Size"})
# ONNX defines these on NCHW data, whatever layout the model's input had.
CHANNELS_FIRST_OPS = frozenset(
    {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "BatchNormalization"}
    | {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "InstanceNormalization", "LRN"}
)
# Activations are named after the layer they follow: "conv1 · relu".
ACTIVATION_OPS = frozenset(
    {"Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Softplus"}
    | {"Softsign", "HardSigmoid", "HardSwish", "Clip", "Softmax", "LogSoftmax", "Gelu", "Mish"}
)
DENSE_OPS = frozenset({"Gemm", "MatMul", "MatMul+Add"})
WEIGHTED_OPS = frozenset({"Conv", "ConvTranspose", "BatchNormalization", "PRelu"}) | DENSE_OPS
# Fallback names for layers whose node names carry no layer scope.
KIND_NAMES = {
    "Conv": "conv",
    "ConvTranspose": "deconv",
    "MaxPool": "pool",
    "AveragePool": "pool",
    "GlobalAveragePool": "global pool",
    "GlobalMaxPool": "global pool",
    "Gemm": "dense",
    "MatMul": "dense",
    "MatMul+Add": "dense",
    "BatchNormalization": "batchnorm",
}


def node_attributes(node: onnx.NodeProto) -> dict[str, object]:
    result: dict[str, object] = {}
    for attribute in node.attribute:
        value = onnx.helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, onnx.TensorProto | onnx.GraphProto):
            continue
        result[attribute.name] = value
    return result


class Constants:
    """Initializers and Constant-node values, looked up by tensor name (through Identity)."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self._tensors = {t.name: t for t in graph.initializer}
        self._aliases: dict[str, str] = {}
        for node in graph.node:
            if node.op_type == "Constant" and node.output:
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self._tensors[node.output[0]] = attribute.t
            elif node.op_type == "Identity" and node.input and node.output:
                self._aliases[node.output[0]] = node.input[0]

    def __contains__(self, name: str) -> bool:
        return self._resolve(name) in self._tensors

    def _resolve(self, name: str) -> str:
        seen = 0
        while name in self._aliases and name not in self._tensors and seen < 100:
            name, seen = self._aliases[name], seen + 1
        return name

    def array(self, name: str) -> NDArray[np.generic] | None:
        tensor = self._tensors.get(self._resolve(name))
        return None if tensor is None else numpy_helper.to_array(tensor)


def as_ints(value: object) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list | tuple) else []


def as_pair(value: object, default: int) -> tuple[int, int]:
    if isinstance(value, list | tuple) and len(value) >= 2:
        return (int(value[0]), int(value[1]))
    return (default, default)
