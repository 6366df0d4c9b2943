"""Readers for an ONNX node: its attributes, and the constant tensors its inputs may name.

What an op *is* (plumbing, channels-first, weighted...) is in the op table,
``engine.network.ops``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import numpy_helper

from engine.network.constant_folding import FOLDERS, as_ints
from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Constants", "as_ints", "as_pair", "node_attributes"]


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
    """Constant tensors by name: initializers, Constant nodes, and constants computed from them.

    Computed through the ops the table says fold (Identity, Reshape, Transpose, Cast,
    DequantizeLinear...).

    ``stored_size`` counts the values a constant is stored as in the file (an int8 weight
    dequantized in the graph counts its int8 values), which is what a parameter count counts.
    Values can be added under new names (``add``), e.g. decoded 8-bit weights.
    """

    def __init__(self, graph: onnx.GraphProto) -> None:
        self._tensors: dict[str, onnx.TensorProto] = {t.name: t for t in graph.initializer}
        self._folded: dict[str, onnx.NodeProto] = {}
        self._values: dict[str, NDArray[np.generic] | None] = {}
        self._sizes: dict[str, int] = {}
        for node in graph.node:
            entry = op_info(node.op_type)
            if entry.kind is Kind.CONSTANT and node.output:
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self._tensors[node.output[0]] = attribute.t
            elif entry.folds is not None and node.input and node.output:
                self._folded[node.output[0]] = node

    def __contains__(self, name: str) -> bool:
        return self.array(name) is not None

    def add(self, name: str, value: NDArray[np.generic], stored: int) -> None:
        """Keep ``value`` under ``name``; ``stored`` values of the file make it up."""
        self._values[name] = value
        self._sizes[name] = stored

    def array(self, name: str) -> NDArray[np.generic] | None:
        """The constant tensor ``name`` as an array, None when it is not a constant."""
        if name in self._values:
            return self._values[name]
        self._values[name] = None  # a cycle of folds ends here
        value: NDArray[np.generic] | None = None
        tensor = self._tensors.get(name)
        if tensor is not None:
            value = numpy_helper.to_array(tensor)
        elif name in self._folded:
            value = self._fold(self._folded[name])
        self._values[name] = value
        return value

    def _fold(self, node: onnx.NodeProto) -> NDArray[np.generic] | None:
        """The node's output when all its inputs are constants, else None."""
        fold = op_info(node.op_type).folds
        if fold is None:
            return None
        inputs = [self.array(i) if i else None for i in node.input]
        if any(value is None for i, value in zip(node.input, inputs, strict=True) if i):
            return None
        try:
            return FOLDERS[fold](inputs, node_attributes(node))
        except (ValueError, TypeError, IndexError):  # an odd shape: not a usable constant
            return None

    def stored_size(self, name: str) -> int:
        """How many values of the file the constant ``name`` is made of (0 if not a constant).

        Followed back through folding ops to the tensor they start from (their first input):
        a shape, a permutation or a scale are not counted.
        """
        if name in self._sizes:
            return self._sizes[name]
        seen = 0
        while name in self._folded and name not in self._tensors and seen < 1000:
            name, seen = self._folded[name].input[0], seen + 1
        tensor = self._tensors.get(name)
        return 0 if tensor is None else int(np.prod(tensor.dims, dtype=np.int64))


def as_pair(value: object, default: int) -> tuple[int, int]:
    """The first two ints of an attribute's list (e.g. strides), else (default, default)."""
    if isinstance(value, list | tuple) and len(value) >= 2:
        return (int(value[0]), int(value[1]))
    return (default, default)
