"""The image's data path through the graph, and the model with its tensors added as outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx

from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from collections.abc import Sequence


def data_outputs(node: onnx.NodeProto) -> list[str]:
    """The outputs of a data-path node that carry data.

    All of them, except for an op that codes values on each run (DynamicQuantizeLinear): its
    scale and zero point outputs describe the data, they are not data.
    """
    quantized = op_info(node.op_type).quantized
    outputs = node.output[:1] if quantized is not None and quantized.dynamic else node.output
    return [o for o in outputs if o]


def data_path(model: onnx.ModelProto, input_name: str) -> list[tuple[onnx.NodeProto, list[str]]]:
    """The nodes fed (directly or not) by the image, in graph order, each with its data inputs.

    Nodes that compute shapes (Shape, Size) end the path: their outputs are not data. The
    graph's nodes must be in topological order (``graph_order.in_data_order``).
    """
    data = {input_name}
    path: list[tuple[onnx.NodeProto, list[str]]] = []
    for node in model.graph.node:
        inputs = [i for i in node.input if i in data]
        if op_info(node.op_type).kind is Kind.SHAPE or not inputs or not node.output:
            continue
        data.update(data_outputs(node))
        path.append((node, inputs))
    return path


def data_tensors(model: onnx.ModelProto, input_name: str) -> list[str]:
    """The first output of every node on the image's data path, in graph order."""
    return [node.output[0] for node, _ in data_path(model, input_name) if node.output[0]]


def producing_op(model: onnx.ModelProto, tensor: str) -> str | None:
    """The op that computed ``tensor``, looking through ops that pass data on.

    Identity, Reshape, DequantizeLinear... are looked through to the op that computed the value.
    """
    producers = {o: node for node in model.graph.node for o in node.output}
    node = producers.get(tensor)
    for _ in range(len(model.graph.node)):
        if node is None or not op_info(node.op_type).passes_data_on or not node.input:
            break
        node = producers.get(node.input[0])
    return None if node is None else str(node.op_type)


def with_outputs(model: onnx.ModelProto, names: Sequence[str]) -> bytes:
    """A copy of the model with ``names`` added as graph outputs, serialised for ORT."""
    augmented = onnx.ModelProto()
    augmented.CopyFrom(model)
    existing = {o.name for o in augmented.graph.output}
    for name in names:
        if name not in existing:
            augmented.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
            existing.add(name)
    return bytes(augmented.SerializeToString())
