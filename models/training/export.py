"""ONNX export: Keras's exporter (via tf2onnx), then the contract's names, I/O and metadata.

See contract.py for the model contract and onnx_names.py for the node and tensor names.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.contract import (
    BATCH_DIM,
    CLASS_LABELS,
    IMAGE_SIZE,
    INPUT_DESCRIPTION,
    INPUT_NAME,
    NUM_CLASSES,
    OUTPUT_NAME,
)
from models.training.onnx_names import tidy_names

if TYPE_CHECKING:
    from collections.abc import Mapping

    import keras
    import onnx

    from models.training.architectures import Architecture

ONNX_OPSET = 17
# Each Keras layer kind and the ONNX ops the app reads that layer's activations from.
OPS_OF_LAYER_KIND = {"Conv2D": {"Conv", "Relu"}, "MaxPooling2D": {"MaxPool"}, "Dense": {"MatMul"}}


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One node of the exported graph: op type, name, output tensors.

    For example GraphNode("Relu", "conv1/Relu", ("conv1/Relu:0",)).
    """

    op_type: str
    name: str
    outputs: tuple[str, ...]


def export_to_onnx(model: keras.Model) -> onnx.ModelProto:
    """Keras's own ONNX export (via tf2onnx), loaded back, with tidied names and I/O.

    Raises:
        RuntimeError: the exported graph lacks a node the app reads activations from.
        onnx.checker.ValidationError: the exported graph is not valid ONNX.
    """
    import onnx

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.onnx"
        with warnings.catch_warnings():
            # Keras's tf2onnx shim probes `np.object`, which NumPy 2 warns about.
            warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
            model.export(str(path), format="onnx", verbose=False, opset_version=ONNX_OPSET)
        proto = onnx.load(str(path))
    layer_names = [layer.name for layer in model.layers]
    tidy_names(proto, layer_names, model.name)
    set_io_signature(proto)
    check_graph(proto, model)
    return proto


def set_io_signature(proto: onnx.ModelProto) -> None:
    """Input "image" (batch, 28, 28, 1) float32, output "probabilities" (batch, 10) float32."""
    import onnx

    graph = proto.graph
    (image,) = graph.input
    (probabilities,) = graph.output
    image.CopyFrom(
        onnx.helper.make_tensor_value_info(
            INPUT_NAME, onnx.TensorProto.FLOAT, [BATCH_DIM, IMAGE_SIZE, IMAGE_SIZE, 1]
        )
    )
    probabilities.CopyFrom(
        onnx.helper.make_tensor_value_info(
            OUTPUT_NAME, onnx.TensorProto.FLOAT, [BATCH_DIM, NUM_CLASSES]
        )
    )


def check_graph(proto: onnx.ModelProto, model: keras.Model) -> None:
    """The app reads activations from Conv/Relu/MaxPool nodes named after the Keras layers.

    Raises:
        RuntimeError: a Conv2D, MaxPooling2D or Dense layer has no node of the expected op.
        onnx.checker.ValidationError: the graph is not valid ONNX.
    """
    import onnx

    onnx.checker.check_model(proto, full_check=True)
    ops_by_layer: dict[str, set[str]] = {}
    for node in proto.graph.node:
        layer = node.name.split("/", 1)[0]
        ops_by_layer.setdefault(layer, set()).add(node.op_type)
    for layer in model.layers:
        expected = OPS_OF_LAYER_KIND.get(type(layer).__name__, set())
        missing = expected - ops_by_layer.get(layer.name, set())
        if missing:
            raise RuntimeError(f"the exported graph has no {sorted(missing)} node for {layer.name}")


def model_metadata(
    architecture: Architecture, test_accuracy: float, trained_at: str, command: str, framework: str
) -> dict[str, str]:
    """The metadata_props of the contract (contract.METADATA_KEYS), in the order written."""
    return {
        "name": architecture.name,
        "architecture": architecture.key,
        "class_labels": json.dumps(list(CLASS_LABELS)),
        "input_description": INPUT_DESCRIPTION,
        "test_accuracy": f"{test_accuracy:.4f}",
        "training_date": trained_at,
        "command": command,
        "framework": framework,
    }


def add_metadata(proto: onnx.ModelProto, metadata: Mapping[str, str]) -> None:
    """Replace the model's metadata_props with `metadata`."""
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


def graph_nodes(proto: onnx.ModelProto) -> tuple[GraphNode, ...]:
    """Every node of the graph, in graph order."""
    return tuple(
        GraphNode(node.op_type, node.name, tuple(node.output)) for node in proto.graph.node
    )


def opset_of(proto: onnx.ModelProto) -> int:
    """The default-domain opset of an ONNX model."""
    return int(
        next(entry.version for entry in proto.opset_import if entry.domain in ("", "ai.onnx"))
    )
