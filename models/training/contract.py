"""The contract of the trainer's ONNX model, and a check any code can run on an exported file.

The app and its tests rely on it: one input "image", float32 (batch, 28, 28, 1), pixels 0..1 with
ink = 1; one output "probabilities", float32 (batch, 10), softmax over the digits 0–9; and the
metadata keys in `METADATA_KEYS` (class labels "0".."9", the test accuracy as a fraction, an
ISO 8601 training date with a time zone, ...). `check_model_contract` needs only the `onnx`
package (part of the app's plain install), which it imports when called.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import onnx

IMAGE_SIZE = 28
NUM_CLASSES = 10
CLASS_LABELS = tuple(str(digit) for digit in range(NUM_CLASSES))
INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
BATCH_DIM = "batch"
INPUT_SHAPE = (BATCH_DIM, IMAGE_SIZE, IMAGE_SIZE, 1)
OUTPUT_SHAPE = (BATCH_DIM, NUM_CLASSES)
INPUT_DESCRIPTION = (
    "28x28 grayscale digit, float32 0..1, ink = 1, background = 0, prepared like MNIST "
    "(fit to 20x20, centred by centre of mass), layout NHWC (N, 28, 28, 1)"
)
METADATA_KEYS = (
    "name",
    "architecture",
    "class_labels",
    "input_description",
    "test_accuracy",
    "training_date",
    "command",
    "framework",
)
FLOAT32 = 1  # onnx.TensorProto.FLOAT


class ContractError(ValueError):
    """An ONNX model breaks the contract; `problems` lists every broken rule, one per line."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        super().__init__(f"{source} breaks the model contract:\n- " + "\n- ".join(problems))
        self.source = source
        self.problems = tuple(problems)


def tensor_problems(
    kind: str, values: Sequence[onnx.ValueInfoProto], name: str, shape: Sequence[str | int]
) -> list[str]:
    """What is wrong with a graph's inputs or outputs against one float32 tensor `name`.

    `shape`'s first entry stands for a symbolic batch dimension (any name, no fixed size).
    """
    if [value.name for value in values] != [name]:
        return [f"expected one {kind} named {name!r}, found {[value.name for value in values]}"]
    tensor_type = values[0].type.tensor_type
    problems = []
    if tensor_type.elem_type != FLOAT32:
        problems.append(
            f"{kind} {name!r} should be float32 (element type {FLOAT32}), got "
            f"element type {tensor_type.elem_type}"
        )
    dims = [
        dim.dim_value if dim.HasField("dim_value") else dim.dim_param or "?"
        for dim in tensor_type.shape.dim
    ]
    batch_ok = bool(dims) and isinstance(dims[0], str)
    if not batch_ok or dims[1:] != list(shape[1:]):
        expected = ", ".join(str(size) for size in ("batch", *shape[1:]))
        problems.append(
            f"{kind} {name!r} should have shape ({expected}) with a symbolic batch dimension, "
            f"got ({', '.join(str(size) for size in dims)})"
        )
    return problems


def metadata_problems(metadata: Mapping[str, str]) -> list[str]:
    """What is wrong with the model's metadata_props (keys missing or values malformed)."""
    missing = [key for key in METADATA_KEYS if not metadata.get(key)]
    problems = [f"metadata lacks {', '.join(missing)}"] if missing else []
    if metadata.get("class_labels"):
        try:
            labels = json.loads(metadata["class_labels"])
        except ValueError:
            labels = None
        if labels != list(CLASS_LABELS):
            problems.append(
                f"metadata class_labels should be {json.dumps(list(CLASS_LABELS))}, "
                f"got {metadata['class_labels']!r}"
            )
    if metadata.get("test_accuracy"):
        try:
            accuracy = float(metadata["test_accuracy"])
        except ValueError:
            accuracy = math.nan
        if not 0.0 <= accuracy <= 1.0:
            problems.append(
                "metadata test_accuracy should be a fraction in 0..1, "
                f"got {metadata['test_accuracy']!r}"
            )
    if metadata.get("training_date"):
        try:
            zone = datetime.fromisoformat(metadata["training_date"]).tzinfo
        except ValueError:
            zone = None
        if zone is None:
            problems.append(
                "metadata training_date should be an ISO 8601 date and time with a time zone, "
                f"got {metadata['training_date']!r}"
            )
    return problems


def contract_problems(model: onnx.ModelProto) -> list[str]:
    """Every way `model` breaks the contract (input, output, metadata); [] if it keeps it."""
    graph = model.graph
    initializers = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initializers]
    metadata = {entry.key: entry.value for entry in model.metadata_props}
    return [
        *tensor_problems("input", inputs, INPUT_NAME, INPUT_SHAPE),
        *tensor_problems("output", list(graph.output), OUTPUT_NAME, OUTPUT_SHAPE),
        *metadata_problems(metadata),
    ]


def check_model_contract(model: Path | bytes | onnx.ModelProto) -> None:
    """Check an exported model (a file, its bytes, or a loaded ModelProto) against the contract.

    Raises:
        ContractError: the model cannot be read as ONNX, or breaks the contract; its message
            lists every problem found.
    """
    import onnx
    from google.protobuf.message import DecodeError

    source = str(model) if isinstance(model, Path) else "the ONNX model"
    if isinstance(model, onnx.ModelProto):
        proto = model
    else:
        try:
            proto = (
                onnx.load(str(model)) if isinstance(model, Path) else onnx.load_from_string(model)
            )
        except (OSError, DecodeError, ValueError) as error:
            raise ContractError(source, [f"not a readable ONNX model ({error})"]) from error
    problems = contract_problems(proto)
    if problems:
        raise ContractError(source, problems)
