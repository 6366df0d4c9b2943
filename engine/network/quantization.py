"""8-bit models: how their integer tensors and weights code real values, and decoding them.

ONNX Runtime's quantization (``onnxruntime.quantization``) writes three kinds of int8 models:
QOperator (QLinearConv, QLinearMatMul: integer tensors between layers, each with a constant
scale and zero point), QDQ (float ops between QuantizeLinear/DequantizeLinear pairs, int8
weights dequantized in the graph) and dynamic (ConvInteger/MatMulInteger on values quantized
with a scale worked out on each run, their int32 results rescaled by a Mul). The op table says
where each op keeps its scales and zero points (``OnnxOp.quantized``); here they are read, so
that every layer is shown with real values, real = (q − zero point) · scale, and its weights
decoded the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.constant_folding import dequantize
from engine.network.nodes import node_attributes
from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import onnx
    from numpy.typing import NDArray

    from engine.network.nodes import Constants

DECODED = "#decoded"  # suffix of the names decoded weights are kept under


@dataclass(frozen=True, slots=True)
class Coding:
    """How an integer tensor codes real values: real = (q − zero_point) · scale.

    ``scale`` and ``zero_point`` are scalars or one per index along ``axis``.
    """

    scale: NDArray[np.generic]
    zero_point: NDArray[np.generic] | None
    axis: int = 1

    def decode(self, q: NDArray[np.generic]) -> NDArray[np.float32]:
        """The real values of ``q`` (any shape, batch first), float32."""
        return dequantize(q, self.scale, self.zero_point, self.axis)


def _axis(node: onnx.NodeProto) -> int:
    axis = node_attributes(node).get("axis", 1)
    return int(axis) if isinstance(axis, int) else 1


def _input(node: onnx.NodeProto, index: int) -> str:
    return node.input[index] if index < len(node.input) else ""


def _coding_from(
    node: onnx.NodeProto, positions: tuple[int, int], constants: Constants
) -> Coding | None:
    scale = constants.array(_input(node, positions[0]))
    if scale is None:
        return None
    zero_name = _input(node, positions[1])
    return Coding(scale, constants.array(zero_name) if zero_name else None, _axis(node))


def _keeps_coding(node: onnx.NodeProto) -> bool:
    """Ops whose integer output is coded like their integer input (re-laid, or max-pooled)."""
    entry = op_info(node.op_type)
    return entry.passes_data_on or (entry.kind is Kind.POOL and entry.quantized is None)


def tensor_codings(
    nodes: Sequence[tuple[onnx.NodeProto, list[str]]],
    integers: set[str],
    constants: Constants,
) -> dict[str, Coding]:
    """The coding of every integer tensor on the data path whose scale is a constant.

    ``nodes`` are the data path's nodes in order, each with its data inputs; ``integers``
    the tensors whose values are integers. A tensor coded on each run (dynamic quantization)
    or by an op the table does not describe has no entry.
    """
    codings: dict[str, Coding] = {}
    for node, data_inputs in nodes:
        outputs = [o for o in node.output[:1] if o in integers]
        if not outputs:
            continue
        quantized = op_info(node.op_type).quantized
        coding: Coding | None = None
        if quantized is not None and quantized.output is not None:
            coding = _coding_from(node, quantized.output, constants)
        elif _keeps_coding(node) and data_inputs:
            coding = codings.get(data_inputs[0])
        if coding is not None:
            codings[outputs[0]] = coding
    return codings


def decode_weights(
    node: onnx.NodeProto,
    inputs: list[str],
    constants: Constants,
    rescale: NDArray[np.generic] | None = None,
) -> list[str]:
    """``inputs`` with each integer weight of ``node`` replaced by its decoded float values.

    The decoded values are kept in ``constants`` under a new name (with the stored size of
    the integer weight, so parameter counts count what the file stores). ``rescale`` is the
    constant part of the Mul that rescales an integer product (its weights' scale).
    """
    entry = op_info(node.op_type)
    quantized = entry.quantized
    if quantized is None:
        return inputs
    result = list(inputs)
    axis = 0 if entry.kernel == "filters" else -1  # a filter or a matrix column per channel
    for position, (scale_at, zero_at) in quantized.weights.items():
        scale = constants.array(_input(node, scale_at))
        zero = constants.array(_input(node, zero_at))
        if scale is not None:
            _decode(result, position, constants, Coding(scale, zero, axis))
    for position, zero_at in quantized.weight_zero_points.items():
        zero = constants.array(_input(node, zero_at))
        if rescale is not None:
            _decode(result, position, constants, Coding(rescale, zero, axis))
    bias_at = entry.bias_input
    if quantized.bias_scale and bias_at is not None:
        scales = [constants.array(_input(node, i)) for i in quantized.bias_scale]
        found = [np.asarray(s, np.float64).reshape(-1) for s in scales if s is not None]
        if len(found) == len(scales):
            _decode(result, bias_at, constants, Coding(np.prod(found, axis=0), None, 0))
    return result


def _decode(inputs: list[str], position: int, constants: Constants, coding: Coding) -> None:
    """Replace inputs[position] by its decoded constant, when it is an integer constant."""
    name = inputs[position] if position < len(inputs) else ""
    stored = constants.array(name) if name else None
    if stored is None or stored.dtype.kind == "f":
        return
    decoded_name = name + DECODED
    constants.add(decoded_name, coding.decode(stored), constants.stored_size(name))
    inputs[position] = decoded_name


def decode_bias(
    node: onnx.NodeProto, position: int, constants: Constants
) -> tuple[str, NDArray[np.float32]] | None:
    """The constant operand ``position`` of a bias add, decoded if the add is 8-bit.

    Returns (name it is kept under, values), None when it is not a constant.
    """
    name = _input(node, position)
    value = constants.array(name)
    if value is None:
        return None
    quantized = op_info(node.op_type).quantized
    coded = None if quantized is None else quantized.weights.get(position)
    if coded is None or value.dtype.kind == "f":
        return name, np.asarray(value, dtype=np.float32)
    scale = constants.array(_input(node, coded[0]))
    if scale is None:
        return None
    zero = constants.array(_input(node, coded[1]))
    decoded = dequantize(value, scale, zero, 0)
    constants.add(name + DECODED, decoded, constants.stored_size(name))
    return name + DECODED, decoded


def constant_factor(
    name: str, constants: Constants, producers: Mapping[str, onnx.NodeProto], depth: int = 0
) -> NDArray[np.float64] | None:
    """The product of the constants in a tree of Muls (other factors count as 1).

    A dynamic model rescales an integer product by (input scale · weight scale); the input
    scale is worked out on each run, the weight scale is a constant: this finds the latter.
    None when the tree holds no constant.
    """
    value = constants.array(name)
    if value is not None:
        return np.asarray(value, dtype=np.float64)
    node = producers.get(name)
    if node is None or depth > 8 or op_info(node.op_type).combines != "multiply":
        return None
    factors = [constant_factor(i, constants, producers, depth + 1) for i in node.input[:2]]
    found = [f for f in factors if f is not None]
    if not found:
        return None
    product = found[0]
    for factor in found[1:]:
        product = product * factor
    return product
