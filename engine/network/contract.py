"""The contract an image classifier must meet, and the labels and accuracy in its metadata.

One float32 image input (NHWC or NCHW, 1 or 3 channels, a fixed size from 8×8 to 256×256, a
batch of 1 or a dynamic batch) and one class-vector output.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import onnx

from engine.drawings.file_bytes import read_regular_file
from engine.network.file import ModelError
from engine.network.nodes import as_ints, node_attributes
from engine.network.ops import Layout, op_info

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

CHANNEL_COUNTS = (1, 3)
MIN_SIDE, MAX_SIDE = 8, 256  # image sizes the lab can show (its maps, every layer)
EXPECTED_INPUT = (
    "expected one float32 image input, (N, H, W, C) channels-last like Keras or (N, C, H, W) "
    "channels-first like PyTorch, with C = 1 (grayscale) or 3 (RGB)"
)
EXPECTED_OUTPUT = "expected one output: a float32 class vector (N, K), one score per class, K ≥ 2"


@dataclass(frozen=True, slots=True)
class ImageInput:
    """The model's image input: its name, layout, (H, W, C) and batch size.

    ``batch`` is 1 for a fixed batch of one, or the dimension's name ("N", "batch", "?")
    when the batch is dynamic.
    """

    name: str
    layout: str
    height: int
    width: int
    channels: int
    batch: int | str = "N"

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
    size = (int(a), int(b), int(c)) if layout == "NHWC" else (int(b), int(c), int(a))
    batch_size: int | str = 1 if isinstance(batch, int) else batch
    found = ImageInput(value.name, layout, *size, batch=batch_size)
    _check_size(found, path)
    return found


def _check_size(image: ImageInput, path: Path) -> None:
    """ModelError for an image size the lab cannot show (below 8×8 or above 256×256)."""
    h, w, c = image.shape
    if min(h, w) < MIN_SIDE or max(h, w) > MAX_SIDE:
        raise ModelError(
            f"{path}: this model takes {h}×{w}×{c} images; the app shows image classifiers with "
            f"inputs from {MIN_SIDE}×{MIN_SIDE} to {MAX_SIDE}×{MAX_SIDE} pixels"
        )


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


def opset_of(model: onnx.ModelProto) -> int:
    """The opset of the default ONNX domain the model imports (0 when it imports none)."""
    return next((int(o.version) for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def output_step(model: onnx.ModelProto, output: str) -> float:
    """The quantization step of an output computed by a DequantizeLinear (its scale), else 0.

    An 8-bit softmax decoded this way adds up to 1 only within K steps.
    """
    constants = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if output in node.output and op_info(node.op_type).folds == "dequantize":
            scale = constants.get(node.input[1]) if len(node.input) > 1 else None
            if scale is not None:
                values = onnx.numpy_helper.to_array(scale)
                return float(abs(values).max()) if values.size else 0.0
    return 0.0


MAX_LABEL_CHARS = 200
"""The longest class label (ImageNet's longest is under 100 characters)."""


def checked_labels(labels: Sequence[str], count: int, source: str) -> tuple[str, ...]:
    """``labels`` as a tuple, ValueError unless there is one (non-empty) label per class.

    Each label has at most ``MAX_LABEL_CHARS`` characters.
    """
    found = tuple(str(label) for label in labels)
    if len(found) != count:
        raise ValueError(
            f"{source} has {len(found)} labels but the model outputs {count} classes; "
            "expected one label per class"
        )
    for number, label in enumerate(found, start=1):
        if not label.strip():
            raise ValueError(f"{source} has an empty label; expected one label per class")
        if len(label) > MAX_LABEL_CHARS:
            raise ValueError(
                f"{source}: label {number} has {len(label):,} characters; a class label has "
                f"at most {MAX_LABEL_CHARS}"
            )
    return found


MAX_LABELS_FILE = 1_000_000  # bytes: a labels file is a short text
EXPECTED_LABELS = "expected a text file of class labels, one per line"


def read_labels(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Class labels from a text file (UTF-8), one per line; blank lines at the end are ignored.

    Raises:
        OSError: The file is missing ("labels file not found: <path>").
        ValueError: Not a regular file of at most ``MAX_LABELS_FILE`` bytes, not UTF-8, or
            no labels (the message names the file).
    """
    file = Path(path)
    data = read_regular_file(file, limit=MAX_LABELS_FILE, kind="labels", expected=EXPECTED_LABELS)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            f"{file} is not a text file (UTF-8); expected one label per line"
        ) from None
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise ValueError(f"{file} holds no labels; expected one label per line")
    return tuple(lines)


def class_labels(metadata: Mapping[str, str], count: int, path: Path) -> tuple[str, ...]:
    """Labels from metadata "class_labels" (a JSON list of strings), else "0".."K-1"."""
    text = metadata.get("class_labels")
    if text is None:
        return tuple(str(i) for i in range(count))
    try:
        labels = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
        labels = None
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ModelError(
            f"{path}: its metadata class_labels is not a JSON list of strings ({text[:60]!r}); "
            f'expected e.g. ["0", "1", ...], one label per class'
        )
    try:
        return checked_labels(labels, count, f"{path}: its metadata class_labels")
    except ValueError as exc:
        raise ModelError(str(exc)) from None


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
