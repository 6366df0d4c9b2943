"""The contract an image classifier must meet, and the labels and accuracy in its metadata.

One float32 image input (NHWC or NCHW, 1 or 3 channels) and one class-vector output.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import onnx

from engine.network.file import ModelError
from engine.network.nodes import as_ints, node_attributes
from engine.network.ops import Layout, op_info

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

CHANNEL_COUNTS = (1, 3)
EXPECTED_INPUT = (
    "expected one float32 image input, (N, H, W, C) channels-last like Keras or (N, C, H, W) "
    "channels-first like PyTorch, with C = 1 (grayscale) or 3 (RGB)"
)
EXPECTED_OUTPUT = "expected one output: a float32 class vector (N, K), one score per class, K ≥ 2"


@dataclass(frozen=True, slots=True)
class ImageInput:
    """The model's image input: its name, layout and (H, W, C)."""

    name: str
    layout: str
    height: int
    width: int
    channels: int

    @property
    def shape(self) -> tuple[int, int, int]:
        """(H, W, C), whatever the layout."""
        return (self.height, self.width, self.channels)

    @property
    def batch_shape(self) -> tuple[int, int, int, int]:
        """The shape of a batch of one, in the model's own layout."""
        if self.layout == "NCHW":
            return (1, self.channels, self.height, self.width)
        return (1, self.height, self.width, self.channels)


def _dims(value: onnx.ValueInfoProto) -> tuple[int | str, ...] | None:
    """A value's declared shape: ints where fixed, the symbol (or "?") where dynamic."""
    tensor = value.type.tensor_type
    if not tensor.HasField("shape"):
        return None
    return tuple(
        d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in tensor.shape.dim
    )


def _shape_text(dims: Sequence[int | str] | None) -> str:
    if dims is None:
        return "unknown"
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _type_name(elem_type: int) -> str:
    try:
        return str(onnx.TensorProto.DataType.Name(elem_type)).lower()
    except ValueError:
        return f"type {elem_type}"


def image_input(model: onnx.ModelProto, path: Path) -> ImageInput:
    """The one image input, or ModelError saying what is wrong with the inputs."""
    graph = model.graph
    constants = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in constants]
    if not inputs:
        raise ModelError(f"{path} has no input at all; {EXPECTED_INPUT}")
    if len(inputs) > 1:
        names = ", ".join(repr(v.name) for v in inputs)
        raise ModelError(f"{path} has {len(inputs)} inputs ({names}); {EXPECTED_INPUT}")
    value = inputs[0]
    if not value.type.HasField("tensor_type"):
        raise ModelError(
            f"{path} has no image input: {value.name!r} is not a tensor; {EXPECTED_INPUT}"
        )
    elem = value.type.tensor_type.elem_type
    if elem != onnx.TensorProto.FLOAT:
        raise ModelError(
            f"{path}: its input {value.name!r} holds {_type_name(elem)} values, not float32 "
            f"pixels; {EXPECTED_INPUT}"
        )
    dims = _dims(value)
    if dims is None or len(dims) != 4:
        raise ModelError(
            f"{path} has no image input: its input {value.name!r} has shape {_shape_text(dims)}; "
            f"{EXPECTED_INPUT}"
        )
    batch, a, b, c = dims
    if not all(isinstance(d, int) and d > 0 for d in (a, b, c)):
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, whose image size is "
            f"not fixed; {EXPECTED_INPUT} and a fixed H, W and C"
        )
    if isinstance(batch, int) and batch not in (0, 1):
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, a fixed batch of "
            f"{batch}; expected a batch size of 1 or a dynamic batch"
        )
    layout = _input_layout((int(a), int(b), int(c)), graph, value.name)
    if layout is None:
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, with neither 1 nor 3 "
            f"channels first or last; {EXPECTED_INPUT}"
        )
    if layout == "NHWC":
        return ImageInput(value.name, layout, int(a), int(b), int(c))
    return ImageInput(value.name, layout, int(b), int(c), int(a))


def _input_layout(dims: tuple[int, int, int], graph: onnx.GraphProto, name: str) -> str | None:
    first, last = dims[0] in CHANNEL_COUNTS, dims[2] in CHANNEL_COUNTS
    if last and not first:
        return "NHWC"
    if first and not last:
        return "NCHW"
    if not (first or last):
        return None
    # Ambiguous (e.g. (N, 3, 8, 3)): ask how the graph uses the input.
    for node in graph.node:
        if node.input and node.input[0] == name:
            layout = op_info(node.op_type).layout
            if layout is Layout.CHANNELS_FIRST:
                return "NCHW"
            perm = as_ints(node_attributes(node).get("perm"))
            if layout is Layout.PERMUTATION and perm == [0, 3, 1, 2]:
                return "NHWC"
    return "NHWC"


def class_output(model: onnx.ModelProto, path: Path) -> str:
    """The name of the one class output, or ModelError (checked again on a real run)."""
    outputs = list(model.graph.output)
    if len(outputs) != 1:
        names = ", ".join(repr(v.name) for v in outputs)
        raise ModelError(f"{path} has {len(outputs)} outputs ({names}); {EXPECTED_OUTPUT}")
    value = outputs[0]
    if value.type.HasField("tensor_type"):
        elem = value.type.tensor_type.elem_type
        if elem != onnx.TensorProto.FLOAT:
            raise ModelError(
                f"{path}: its output {value.name!r} holds {_type_name(elem)} values; "
                f"{EXPECTED_OUTPUT}"
            )
        dims = _dims(value)
        if dims is not None:
            check_class_vector(dims, value.name, path)
    return str(value.name)


def check_class_vector(dims: Sequence[int | str], name: str, path: Path) -> None:
    """ModelError unless ``dims`` is (N, K) with K ≥ 2 (or K unknown)."""
    if len(dims) != 2 or (isinstance(dims[1], int) and dims[1] < 2):
        raise ModelError(
            f"{path}: its output {name!r} has shape {_shape_text(dims)}, not a class vector; "
            f"{EXPECTED_OUTPUT}"
        )


def class_labels(metadata: Mapping[str, str], count: int, path: Path) -> tuple[str, ...]:
    """Labels from metadata "class_labels" (a JSON list of strings), else "0".."K-1"."""
    text = metadata.get("class_labels")
    if text is None:
        return tuple(str(i) for i in range(count))
    try:
        labels = json.loads(text)
    except ValueError:
        labels = None
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ModelError(
            f"{path}: its metadata class_labels is not a JSON list of strings ({text[:60]!r}); "
            f'expected e.g. ["0", "1", ...], one label per class'
        )
    if len(labels) != count:
        raise ModelError(
            f"{path}: its metadata class_labels has {len(labels)} labels but the model outputs "
            f"{count} classes; expected one label per class"
        )
    return tuple(labels)


def accuracy_from(metadata: Mapping[str, str]) -> float | None:
    """The metadata's "test_accuracy" as a fraction (0.99 or "99 %" both give 0.99), else None."""
    text = metadata.get("test_accuracy", "").strip()
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        return None
    if percent or 1.0 < value <= 100.0:
        value /= 100.0
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None
