"""Readers for an ONNX node: its attributes, and the constant tensors its inputs may name.

What an op *is* (plumbing, channels-first, weighted...) is in the op table,
``engine.network.ops``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx
from onnx import numpy_helper

from engine.network.ops import IDENTITY, Kind, op_info

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def node_attributes(node: onnx.NodeProto) -> dict[str, object]:
    """A node's attributes by name: ints, floats, strings (decoded) and lists of them.

    Tensor- and graph-valued attributes are left out.
    """
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
            kind = op_info(node.op_type).kind
            if kind is Kind.CONSTANT and node.output:
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self._tensors[node.output[0]] = attribute.t
            elif node.op_type == IDENTITY and node.input and node.output:
                self._aliases[node.output[0]] = node.input[0]

    def __contains__(self, name: str) -> bool:
        return self._resolve(name) in self._tensors

    def _resolve(self, name: str) -> str:
        seen = 0
        while name in self._aliases and name not in self._tensors and seen < 100:
            name, seen = self._aliases[name], seen + 1
        return name

    def array(self, name: str) -> NDArray[np.generic] | None:
        """The constant tensor ``name`` as an array, None when it is not a constant."""
        tensor = self._tensors.get(self._resolve(name))
        return None if tensor is None else numpy_helper.to_array(tensor)


def as_ints(value: object) -> list[int]:
    """An attribute's list of ints; [] when it is not a list."""
    return [int(v) for v in value] if isinstance(value, list | tuple) else []


def as_pair(value: object, default: int) -> tuple[int, int]:
    """The first two ints of an attribute's list (e.g. strides), else (default, default)."""
    if isinstance(value, list | tuple) and len(value) >= 2:
        return (int(value[0]), int(value[1]))
    return (default, default)
