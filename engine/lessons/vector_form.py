"""Vector lessons as JSON data (format version 3, kinds "network" and "shapes"), and back.

The blocks are described in ``engine.lessons.vector_schema``. Reading checks what the schema
cannot (a ragged grid, a block the lesson's steps do not use, input maps *and* values), then
the engine's checks (``VectorSpec.checked``: W has one row per value of x, the label is a
class, softmax's e^z stays finite, …), and names the file's field in every message, e.g.
``network.dense.weights: expected 48 rows (one per value of the input vector), got 47``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.animation.layer_shapes import ShapeLayer
from engine.animation.vector_setup import (
    CROSS_ENTROPY,
    DENSE,
    SHAPES,
    UPDATE,
    VectorSetupError,
    VectorSpec,
)
from engine.lessons.errors import LessonFileError
from engine.lessons.json_values import (
    GRID_NOUNS,
    checked_text,
    checked_texts,
    json_number,
    json_rows,
    number_block,
    stack_channels,
)

NETWORK_ABOUT = (
    "The steps after the feature maps, in order: flatten (x[(r·W + c)·C + ch] = map ch at row "
    "r, column c, as Keras's Flatten), dense (z = x·W + b, W with one row per value of x and "
    "one column per output unit), softmax (ŷ = e^z / Σ e^z), cross-entropy (J = −Σ y·log ŷ "
    "against the one-hot label) and one update of the one-layer network (W − η·xᵀ(ŷ − y), "
    "b − η·(ŷ − y)). The input is maps to flatten (channels) or a vector (values)."
)
SHAPES_ABOUT = (
    "A network's layers: conv (kernel, filters, stride, padding), pool (size, stride, "
    "padding), flatten, dense (units). Each layer's output shape and parameters are worked out "
    "from its input: (k·k·C + 1)·D for a convolution, (N + 1)·units for a dense layer."
)
FIELDS = {
    "steps": "network.steps",
    "maps": "network.input.channels",
    "map_names": "network.input.channel_names",
    "values": "network.input.values",
    "weights": "network.dense.weights",
    "bias": "network.dense.bias",
    "classes": "network.classes",
    "label": "network.label",
    "learning_rate": "network.learning_rate",
    "layers": "shapes.layers",
}
"""The file's field for each ``VectorSpec`` field named by a ``VectorSetupError``."""
USED_BY = {"dense": DENSE, "label": CROSS_ENTROPY, "learning_rate": UPDATE}
"""Blocks of ``network`` that only a lesson with this step uses."""


def vector_from_dict(data: dict[str, Any], kind: str) -> VectorSpec:
    """The ``VectorSpec`` of a version-3 lesson of kind "network" or "shapes".

    Raises:
        LessonFileError: the first problem, naming the file's field.
    """
    spec = _shapes(data["shapes"]) if kind == "shapes" else _network(data["network"])
    try:
        return spec.checked()
    except VectorSetupError as exc:
        raise LessonFileError(f"{FIELDS[exc.field]}: {exc.problem}") from None


def _network(block: dict[str, Any]) -> VectorSpec:
    steps = tuple(str(step) for step in block["steps"])
    for name, step in USED_BY.items():
        if name in block and step not in steps:
            raise LessonFileError(
                f"network.{name}: only a lesson with the {step} step uses it; its steps are "
                + ", ".join(steps)
            )
    given = block["input"]
    if ("channels" in given) == ("values" in given):
        raise LessonFileError(
            "network.input: expected either channels (maps to flatten) or values (a vector)"
        )
    maps = values = None
    if "channels" in given:
        maps = stack_channels(given["channels"], "network.input.channels")
    else:
        values = np.array(given["values"], dtype=np.float64)
    weights = bias = None
    dense = block.get("dense")
    if dense is not None:
        weights = number_block(dense["weights"], "network.dense.weights", GRID_NOUNS)
        bias = np.array(dense["bias"], dtype=np.float64)
    rate = block.get("learning_rate")
    return VectorSpec(
        steps=steps,
        maps=maps,
        values=values,
        weights=weights,
        bias=bias,
        classes=checked_texts(block.get("classes", []), "network.classes"),
        label=block.get("label"),
        learning_rate=None if rate is None else float(rate),
        map_names=checked_texts(given.get("channel_names", []), "network.input.channel_names"),
        input_name=checked_text(given.get("name", ""), "network.input.name"),
    )


def _shapes(block: dict[str, Any]) -> VectorSpec:
    layers = []
    for n, layer in enumerate(block["layers"]):
        kind = str(layer["layer"])
        size = layer.get("kernel", layer.get("size", 0))
        layers.append(
            ShapeLayer(
                kind=kind,
                name=checked_text(layer.get("name", ""), f"shapes.layers[{n}].name"),
                size=int(size),
                stride=int(layer.get("stride", size if kind == "pool" else 1)),
                padding=str(layer.get("padding", "valid")),
                count=int(layer.get("filters", layer.get("units", 0))),
                activation=checked_text(
                    layer.get("activation", ""), f"shapes.layers[{n}].activation"
                ),
            )
        )
    return VectorSpec(
        steps=(SHAPES,), shapes_input=tuple(int(d) for d in block["input"]), layers=tuple(layers)
    )


# ----- writing --------------------------------------------------------------------------------
def vector_to_dict(spec: VectorSpec) -> dict[str, Any]:
    """The ``network`` or ``shapes`` block of a vector lesson (``vector_from_dict`` reads it)."""
    if spec.is_shapes:
        return {
            "shapes": {
                "about": SHAPES_ABOUT,
                "input": list(spec.shapes_input),
                "layers": [_layer(layer) for layer in spec.layers],
            }
        }
    given: dict[str, Any] = {"name": spec.input_name}
    if spec.maps is not None:
        given["channel_names"] = list(spec.map_names)
        given["channels"] = [json_rows(spec.maps[:, :, c]) for c in range(spec.maps.shape[2])]
    elif spec.values is not None:
        given["values"] = [json_number(v) for v in spec.values.tolist()]
    block: dict[str, Any] = {"about": NETWORK_ABOUT, "steps": list(spec.steps), "input": given}
    if spec.weights is not None and spec.bias is not None:
        block["dense"] = {
            "weights": json_rows(spec.weights),
            "bias": [json_number(v) for v in spec.bias.tolist()],
        }
    if spec.classes:
        block["classes"] = list(spec.classes)
    if spec.label is not None:
        block["label"] = spec.label
    if spec.learning_rate is not None:
        block["learning_rate"] = json_number(spec.learning_rate)
    return {"network": block}


def _layer(layer: ShapeLayer) -> dict[str, Any]:
    data: dict[str, Any] = {"layer": layer.kind}
    if layer.name:
        data["name"] = layer.name
    if layer.kind == "conv":
        data |= {"kernel": layer.size, "filters": layer.count, "stride": layer.stride,
                 "padding": layer.padding}  # fmt: skip
    elif layer.kind == "pool":
        data |= {"size": layer.size, "stride": layer.stride, "padding": layer.padding}
    elif layer.kind == "dense":
        data["units"] = layer.count
    if layer.activation:
        data["activation"] = layer.activation
    return data
