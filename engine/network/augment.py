"""The image's data path through the graph, and the model with its tensors added as outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx

from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from collections.abc import Sequence


def data_tensors(model: onnx.ModelProto, input_name: str) -> list[str]:
    """The first output of every node on the image's data path, in graph order."""
    data = {input_name}
    result: list[str] = []
    for node in model.graph.node:
        if op_info(node.op_type).kind is Kind.SHAPE or not any(i in data for i in node.input):
            continue
        data.update(o for o in node.output if o)
        if node.output and node.output[0]:
            result.append(node.output[0])
    return result


def producing_op(model: onnx.ModelProto, tensor: str) -> str | None:
    """The op that computed ``tensor``, looking through layout plumbing (Identity, Reshape...)."""
    producers = {o: node for node in model.graph.node for o in node.output}
    node = producers.get(tensor)
    for _ in range(len(model.graph.node)):
        if node is None or op_info(node.op_type).kind is not Kind.PLUMBING or not node.input:
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
