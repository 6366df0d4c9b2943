"""The JSON schemas of format version 3's vector lessons: "network" and "shapes" (issue 15).

Version 3 adds a ``kind``: "convolution" (the version-2 lesson, unchanged), "network" (a run of
the steps after the feature maps: flatten, dense, softmax, cross-entropy, the update of a
one-layer network) or "shapes" (a network's tensor shapes and parameters, layer by layer).
A network lesson's numbers live in its ``network`` block::

    "network": {
      "steps": ["flatten", "dense", "softmax", "cross-entropy", "update"],
      "input": {"name": "the digit", "channels": [[[0, 0.5, …], …]]},   (maps to flatten)
           or  {"name": "the logits", "values": [2.1, −0.3, …]},      (a vector)
      "dense": {"weights": [[w00, w01, …], …], "bias": [b0, b1, …]},   (N rows of K numbers)
      "classes": ["0", "1", …], "label": 7, "learning_rate": 0.1
    }

and a shapes lesson's in its ``shapes`` block (``{"input": [28, 28, 1], "layers": [{"layer":
"conv", "kernel": 5, "filters": 32, "padding": "same"}, …]}``). The bounds are the engine's
(``engine.animation.vector_setup``, ``engine.animation.layer_shapes``); whether the numbers
fit together (W has one row per value of x) is checked by ``VectorSpec.checked``.
"""

from __future__ import annotations

from typing import Any

from engine.animation.layer_shapes import LAYER_KINDS, MAX_LAYERS
from engine.animation.layer_shapes import MAX_SIZE as MAX_LAYER_SIZE
from engine.animation.layer_shapes import MAX_UNITS as MAX_LAYER_UNITS
from engine.animation.playground import MAX_INPUT_SIZE
from engine.animation.vector_setup import (
    CHAIN,
    MAX_LEARNING_RATE,
    MAX_MAP_CHANNELS,
    MAX_UNITS,
    MAX_VECTOR,
)
from engine.lessons.schema import (
    EXPECTED,
    FORMAT_NAME,
    ID_PATTERN,
    MAX_ID_LENGTH,
    NOUN,
    NUMBER,
    grid_schema,
    list_schema,
    text_schema,
    whole_schema,
)

KINDS = ("convolution", "network", "shapes")
"""The kinds of lesson of format version 3."""

_ID = {
    "type": "string",
    "maxLength": MAX_ID_LENGTH,
    "pattern": ID_PATTERN,
    EXPECTED: 'lowercase letters and digits in words joined by hyphens, like "my-lesson"',
}
_TEXTS: dict[str, Any] = {
    "title": text_schema(500),
    "source": text_schema(1000),
    "explanation": text_schema(10_000),
    "notes": list_schema(text_schema(5000), 0, 20, "notes"),
}


def _head(kind: str) -> dict[str, Any]:
    return {
        "format": {"const": FORMAT_NAME},
        "version": {"const": 3},
        "kind": {"const": kind},
        "id": _ID,
        **_TEXTS,
    }


NETWORK_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": text_schema(100),
        "channel_names": list_schema(text_schema(60), 0, MAX_MAP_CHANNELS, "names"),
        "channels": list_schema(grid_schema(MAX_INPUT_SIZE), 1, MAX_MAP_CHANNELS, "channels"),
        "values": list_schema(NUMBER, 1, MAX_VECTOR, "numbers"),
    },
}
DENSE: dict[str, Any] = {
    "type": "object",
    "required": ["weights", "bias"],
    "additionalProperties": False,
    "properties": {
        # (N, K): one row per input value, one number per output unit
        "weights": list_schema(list_schema(NUMBER, 1, MAX_UNITS, "numbers"), 1, MAX_VECTOR, "rows"),
        "bias": list_schema(NUMBER, 1, MAX_UNITS, "numbers"),
    },
}
NETWORK: dict[str, Any] = {
    "type": "object",
    "required": ["steps", "input"],
    "additionalProperties": False,
    "properties": {
        "about": text_schema(1000),
        "steps": {
            **list_schema({"enum": list(CHAIN)}, 1, len(CHAIN), "steps"),
            "uniqueItems": True,
        },
        "input": NETWORK_INPUT,
        "dense": DENSE,
        "classes": list_schema(text_schema(20), 1, MAX_UNITS, "names"),
        "label": whole_schema(0, MAX_UNITS - 1),
        "learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_LEARNING_RATE},
    },
}
SCHEMA_V3_NETWORK: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version", "kind", "network"],
    "additionalProperties": False,
    "properties": {**_head("network"), "network": NETWORK},
}

_SIZE = whole_schema(1, MAX_LAYER_SIZE)
_COUNT = whole_schema(1, MAX_LAYER_UNITS)
LAYER: dict[str, Any] = {
    "type": "object",
    "required": ["layer"],
    "additionalProperties": False,
    "properties": {
        "layer": {"enum": list(LAYER_KINDS)},
        "name": text_schema(60),
        "kernel": _SIZE,
        "size": _SIZE,
        "stride": _SIZE,
        "padding": {"enum": ["valid", "same"]},
        "filters": _COUNT,
        "units": _COUNT,
        "activation": text_schema(30),
    },
    "allOf": [
        {
            "if": {"properties": {"layer": {"const": "conv"}}},
            "then": {"required": ["kernel", "filters"]},
        },
        {"if": {"properties": {"layer": {"const": "pool"}}}, "then": {"required": ["size"]}},
        {"if": {"properties": {"layer": {"const": "dense"}}}, "then": {"required": ["units"]}},
    ],
}
SCHEMA_V3_SHAPES: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version", "kind", "shapes"],
    "additionalProperties": False,
    "properties": {
        **_head("shapes"),
        "shapes": {
            "type": "object",
            "required": ["input", "layers"],
            "additionalProperties": False,
            "properties": {
                "about": text_schema(1000),
                "input": {**list_schema(_SIZE, 3, 3, "numbers"), NOUN: "numbers (H, W, C)"},
                "layers": list_schema(LAYER, 1, MAX_LAYERS, "layers"),
            },
        },
    },
}
