"""Layers that an exporter wrote as several nodes, read back as one layer.

A Keras Dense layer is exported as a MatMul and an Add of its bias; CNTK adds a convolution's
bias with its own Add; ONNX Runtime's quantizers put QuantizeLinear/DequantizeLinear pairs
between a MatMul and its bias, and rescale a ConvInteger's int32 result with a Cast and a Mul
before adding the bias. Each of these is one layer for a student: the weighted op (the first
node), and the nodes that follow it up to and including the bias add. The layer's output is
the last of them, so its values are real numbers with the bias added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.network.ops import Kind, op_info
from engine.network.quantization import constant_factor

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np
    import onnx
    from numpy.typing import NDArray

    from engine.network.nodes import Constants


@dataclass(frozen=True, slots=True)
class Fusion:
    """A weighted node and the nodes after it that belong to its layer.

    Attributes:
        main: The weighted node (Conv, MatMul, QLinearMatMul, ConvInteger...).
        chain: The nodes after it that are part of the layer, in order.
        bias: The operand (position) of the last node that is the layer's bias, None when no
            bias is added.
        rescale: The constant factor of the Mul that rescales an integer product (the weights'
            scale), None when there is none.
    """

    main: onnx.NodeProto
    chain: tuple[onnx.NodeProto, ...]
    bias: int | None
    rescale: NDArray[np.float64] | None

    @property
    def output(self) -> str:
        """The tensor holding the layer's values."""
        last = self.chain[-1] if self.chain else self.main
        return str(last.output[0])

    @property
    def bias_node(self) -> onnx.NodeProto | None:
        """The node that adds the bias, None when there is none."""
        return self.chain[-1] if self.bias is not None and self.chain else None


def _takes_bias(node: onnx.NodeProto) -> bool:
    """True when the node's own bias input is empty (its bias may be added by a later node)."""
    at = op_info(node.op_type).bias_input
    return at is not None and (at >= len(node.input) or not node.input[at])


def _other_operand(node: onnx.NodeProto, tensor: str) -> int | None:
    """The position of the operand of ``node`` that is not ``tensor`` (it combines two)."""
    first, second = op_info(node.op_type).operands
    names = list(node.input)
    if max(first, second) >= len(names):
        return None
    if names[first] == tensor and names[second] != tensor:
        return second
    if names[second] == tensor and names[first] != tensor:
        return first
    return None


def fusion_of(
    node: onnx.NodeProto,
    data: set[str],
    constants: Constants,
    consumers: Mapping[str, list[onnx.NodeProto]],
    graph_outputs: set[str],
    producers: Mapping[str, onnx.NodeProto],
) -> Fusion | None:
    """The layer a weighted node heads, when nodes after it belong to it; else None.

    Follows the node's output while it has exactly one consumer: nodes that only re-code it
    (Quantize/DequantizeLinear, Cast, Identity), the Mul that rescales an integer product, and
    finally an Add of a constant bias (when the node has no bias of its own).
    """
    entry = op_info(node.op_type)
    kernel_at = entry.kernel_input
    if (
        entry.kernel is None
        or kernel_at >= len(node.input)
        or node.input[kernel_at] not in constants
    ):
        return None
    integer = entry.quantized is not None and entry.quantized.integer_product
    chain: list[onnx.NodeProto] = []
    kept = 0  # nodes of the chain that end in something the layer needs (rescale, bias)
    rescale: NDArray[np.float64] | None = None
    bias: int | None = None
    tensor = str(node.output[0])
    while tensor not in graph_outputs and len(consumers.get(tensor, [])) == 1:
        user = consumers[tensor][0]
        user_entry = op_info(user.op_type)
        other = _other_operand(user, tensor) if user_entry.combines else None
        recodes = user_entry.kind is Kind.QUANTIZE and not _dynamic(user)
        if recodes or user_entry.folds in ("same", "cast"):
            chain.append(user)
        elif (
            integer and rescale is None and user_entry.combines == "multiply" and other is not None
        ):
            operand = user.input[other]
            if operand in data:
                break
            rescale = constant_factor(operand, constants, producers)
            chain.append(user)
            kept = len(chain)
        elif user_entry.combines == "add" and other is not None and _takes_bias(node):
            if user.input[other] not in constants:
                break
            chain.append(user)
            kept, bias = len(chain), other
            break
        else:
            break
        tensor = str(user.output[0])
    if kept == 0:
        return None
    return Fusion(node, tuple(chain[:kept]), bias, rescale)


def _dynamic(node: onnx.NodeProto) -> bool:
    quantized = op_info(node.op_type).quantized
    return quantized is not None and quantized.dynamic
