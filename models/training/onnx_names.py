"""Readable, repeatable node and tensor names for the exported ONNX graph.

The app finds activations by the Keras layer names, and the export must give the same graph from
one run to the next, so the names tf2onnx makes up are tidied here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from models.training.contract import OUTPUT_NAME

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import onnx


def tidy_names(proto: onnx.ModelProto, layer_names: Sequence[str], model_name: str) -> None:
    """Make the node and tensor names readable and the same from one export to the next.

    * The traced scopes lose their decorations: 'mnist_cnn_1/conv1_1/Relu' becomes 'conv1/Relu',
      so the Keras layer names are what one sees (and what the app uses to find activations).
    * The names tf2onnx makes up ('Transpose__36', 'const_axes__25') depend on Python's hash
      order; they are renumbered in graph order ('Transpose__3', 'const__1').
    * The learned parameters are called '<layer>/kernel' and '<layer>/bias'.
    * The output tensor becomes "probabilities".

    Raises:
        RuntimeError: two tensors would get the same name.
    """
    graph = proto.graph
    layers = "|".join(re.escape(name) for name in layer_names)
    model_prefix = re.compile(rf"^{re.escape(model_name)}(?:_\d+)?/")
    layer_scope = re.compile(rf"^({layers})(?:_\d+)?/")
    rename_everything(graph, lambda name: layer_scope.sub(r"\1/", model_prefix.sub("", name)))
    generated = numbered_generated_names(graph, set(layer_names))
    rename_everything(graph, lambda name: generated.get(name, name))
    weights = weight_names(graph, set(layer_names))
    rename_everything(graph, lambda name: weights.get(name, name))
    (output,) = graph.output
    rename_everything(graph, lambda name: OUTPUT_NAME if name == output.name else name)
    graph.name = model_name
    initializers = sorted(graph.initializer, key=lambda tensor: tensor.name)
    del graph.initializer[:]
    graph.initializer.extend(initializers)


def rename_everything(graph: onnx.GraphProto, rename: Callable[[str], str]) -> None:
    """Apply `rename` to every node name and tensor name of a graph (without subgraphs).

    Raises:
        RuntimeError: two tensors would get the same name.
    """
    tensors = {name for node in graph.node for name in (*node.input, *node.output) if name}
    tensors |= {value.name for value in (*graph.initializer, *graph.input, *graph.output)}
    new_names = {name: rename(name) for name in tensors}
    if len(set(new_names.values())) != len(new_names):
        raise RuntimeError("renaming the ONNX tensors would merge two of them")
    for node in graph.node:
        node.name = rename(node.name)
        node.input[:] = [new_names.get(name, name) for name in node.input]
        node.output[:] = [new_names[name] for name in node.output]
    for value in (*graph.initializer, *graph.input, *graph.output, *graph.value_info):
        value.name = new_names.get(value.name, value.name)


def weight_names(graph: onnx.GraphProto, layer_names: set[str]) -> dict[str, str]:
    """'<layer>/kernel' and '<layer>/bias' for the constant weights of Conv, MatMul and Add nodes.

    ONNX keeps a Conv kernel as (out channels, in channels, height, width) and a MatMul's as
    (inputs, units).
    """
    constants = {tensor.name for tensor in graph.initializer}
    roles = {"Conv": {1: "kernel", 2: "bias"}, "MatMul": {1: "kernel"}, "Add": {1: "bias"}}
    names: dict[str, str] = {}
    for node in graph.node:
        layer = node.name.split("/", 1)[0]
        if layer not in layer_names:
            continue
        for slot, role in roles.get(node.op_type, {}).items():
            if slot < len(node.input) and node.input[slot] in constants:
                names[node.input[slot]] = f"{layer}/{role}"
    return names


def numbered_generated_names(graph: onnx.GraphProto, layer_names: set[str]) -> dict[str, str]:
    """New names for tf2onnx's made-up names ('<something>__<counter>'), numbered in graph order.

    A node and its outputs keep sharing a stem ('Transpose__3', 'Transpose__3:0'); constants
    become 'const__<n>'; a Keras layer scope is kept ('flatten/Reshape__9').
    """
    constants = {tensor.name for tensor in graph.initializer}
    stems: dict[str, str] = {}

    def number(stem: str, kind: str) -> None:
        if stem in stems or not re.search(r"__\d+$", stem):
            return
        scope = stem.split("/", 1)[0]
        prefix = f"{scope}/" if "/" in stem and scope in layer_names else ""
        stems[stem] = f"{prefix}{kind}__{len(stems)}"

    for node in graph.node:
        for name in node.input:
            if name in constants:
                number(name.split(":")[0], "const")
        number(node.name, node.op_type)
        for name in node.output:
            number(name.split(":")[0], node.op_type)

    def renamed(name: str) -> str:
        stem, colon, port = name.partition(":")
        return stems[stem] + colon + port if stem in stems else name

    names = {name for node in graph.node for name in (node.name, *node.input, *node.output)}
    return {name: renamed(name) for name in names if renamed(name) != name}
