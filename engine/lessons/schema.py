"""The JSON schemas of lesson files (format versions 1 and 2) and their messages for people.

Every field's type and range is checked with the ``jsonschema`` package (Draft 2020-12); the
first problem becomes a ``LessonFileError`` that names the field, e.g.
``filters[0].channels[0][1][2]: expected a number, got "1"``. Booleans must be JSON booleans
and numbers JSON numbers (``"relu": "false"`` and ``"bias": "1"`` are refused). Whether the
set-up itself works (kernel fits, channels agree) is checked afterwards by the engine
(``PlaygroundSpec.checked``), in ``engine.lessons.json_form``.

The bounds follow the playground's: inputs up to ``MAX_INPUT_SIZE`` cells a side, kernels up
to ``MAX_KERNEL_SIZE``, at most ``MAX_FILTERS`` filters (engine.animation.playground).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from engine.animation.playground import MAX_FILTERS, MAX_INPUT_SIZE, MAX_KERNEL_SIZE
from engine.lessons.errors import LessonFileError

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT_NAME = "cnn-visualizer-lesson"
MAX_CHANNELS = 16
MAX_ABS_VALUE = 1e6  # any cell, weight, bias or divisor; the playground's editors stay far below
MAX_DECIMALS = 6
MAX_LEARNING_RATE = 10.0
ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID_LENGTH = 64

# Keys the messages use (ignored by jsonschema): what a list holds, and what a value should be
# when a plain type or range does not say it.
NOUN = "x-noun"
EXPECTED = "x-expected"


def text_schema(max_length: int) -> dict[str, Any]:
    """Text of at most ``max_length`` characters."""
    return {"type": "string", "maxLength": max_length}


def list_schema(items: dict[str, Any], low: int, high: int, noun: str) -> dict[str, Any]:
    """A list of ``low`` to ``high`` ``items``; messages call them ``noun`` ("rows")."""
    return {"type": "array", "minItems": low, "maxItems": high, "items": items, NOUN: noun}


def whole_schema(low: int, high: int) -> dict[str, Any]:
    """A whole number from ``low`` to ``high``."""
    return {"type": "integer", "minimum": low, "maximum": high}


def pair_schema(low: int, high: int) -> dict[str, Any]:
    """Two whole numbers from ``low`` to ``high`` ([rows, columns])."""
    return list_schema(whole_schema(low, high), 2, 2, "numbers")


NUMBER: dict[str, Any] = {"type": "number", "minimum": -MAX_ABS_VALUE, "maximum": MAX_ABS_VALUE}
BOOLEAN: dict[str, Any] = {"type": "boolean"}


def grid_schema(max_size: int) -> dict[str, Any]:
    """Rows of numbers: (rows, columns), each 1..max_size."""
    return list_schema(list_schema(NUMBER, 1, max_size, "numbers"), 1, max_size, "rows")


PADDING: dict[str, Any] = {
    "anyOf": [
        {"enum": ["valid", "same"]},
        whole_schema(0, MAX_INPUT_SIZE),
        list_schema(pair_schema(0, MAX_INPUT_SIZE), 2, 2, "pairs"),
    ],
    EXPECTED: f'"valid", "same", a number of cells (0 to {MAX_INPUT_SIZE}) or '
    "[[top, bottom], [left, right]]",
}
POOL: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["size", "stride", "mode"],
    "additionalProperties": False,
    "properties": {
        "size": whole_schema(1, MAX_INPUT_SIZE),
        "stride": whole_schema(1, MAX_INPUT_SIZE),
        "mode": {"enum": ["max", "avg"]},
        "padding": {"enum": ["valid", "same"]},
    },
}
SETUP_PROPERTIES: dict[str, Any] = {
    "stride": pair_schema(1, MAX_INPUT_SIZE),
    "padding": PADDING,
    "dilation": pair_schema(1, MAX_INPUT_SIZE),
    "divisor": NUMBER,
    "relu": BOOLEAN,
    "pool": POOL,
}

SCHEMA_V1: dict[str, Any] = {
    "type": "object",
    "required": ["input", "filters", "stride"],
    "properties": {
        "title": text_schema(500),
        "explanation": text_schema(10_000),
        # (H, W, C): rows of cells, each cell a list of channel values
        "input": list_schema(
            list_schema(
                list_schema(NUMBER, 1, MAX_CHANNELS, "channels"), 1, MAX_INPUT_SIZE, "cells"
            ),
            1,
            MAX_INPUT_SIZE,
            "rows",
        ),
        "channel_names": list_schema(text_schema(60), 0, MAX_CHANNELS, "names"),
        "filters": list_schema(
            {
                "type": "object",
                "required": ["weights", "bias"],
                "properties": {
                    "name": text_schema(60),
                    "bias": NUMBER,
                    # (kh, kw, C)
                    "weights": list_schema(
                        list_schema(
                            list_schema(NUMBER, 1, MAX_CHANNELS, "channels"),
                            1,
                            MAX_KERNEL_SIZE,
                            "cells",
                        ),
                        1,
                        MAX_KERNEL_SIZE,
                        "rows",
                    ),
                },
            },
            1,
            MAX_FILTERS,
            "filters",
        ),
        **SETUP_PROPERTIES,
    },
}

SCHEMA_V2: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version", "input", "filters"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT_NAME},
        "version": {"const": 2},
        "id": {
            "type": "string",
            "maxLength": MAX_ID_LENGTH,
            "pattern": ID_PATTERN,
            EXPECTED: "lowercase letters and digits in words joined by hyphens, "
            'like "my-first-lesson"',
        },
        "title": text_schema(500),
        "source": text_schema(1000),
        "explanation": text_schema(10_000),
        "notes": list_schema(text_schema(5000), 0, 20, "notes"),
        "display": {
            "type": "object",
            "required": ["decimals", "truncate"],
            "additionalProperties": False,
            "properties": {
                "about": text_schema(1000),
                "decimals": whole_schema(0, MAX_DECIMALS),
                "truncate": BOOLEAN,
            },
        },
        "input": {
            "type": "object",
            "required": ["channels"],
            "additionalProperties": False,
            "properties": {
                "channel_names": list_schema(text_schema(60), 0, MAX_CHANNELS, "names"),
                "channels": list_schema(grid_schema(MAX_INPUT_SIZE), 1, MAX_CHANNELS, "channels"),
            },
        },
        "filters": list_schema(
            {
                "type": "object",
                "required": ["channels"],
                "additionalProperties": False,
                "properties": {
                    "name": text_schema(60),
                    "bias": NUMBER,
                    "channels": list_schema(
                        grid_schema(MAX_KERNEL_SIZE), 1, MAX_CHANNELS, "channels"
                    ),
                },
            },
            1,
            MAX_FILTERS,
            "filters",
        ),
        **SETUP_PROPERTIES,
        "backprop": {
            "type": ["object", "null"],
            "required": ["target", "learning_rate"],
            "additionalProperties": False,
            "properties": {
                "about": text_schema(1000),
                "target": grid_schema(MAX_INPUT_SIZE),
                "learning_rate": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": MAX_LEARNING_RATE,
                },
            },
        },
    },
}

SCHEMA_V3_CONVOLUTION: dict[str, Any] = {
    **SCHEMA_V2,
    "required": [*SCHEMA_V2["required"], "kind"],
    "properties": {
        **SCHEMA_V2["properties"],
        "version": {"const": 3},
        "kind": {"const": "convolution"},
    },
}
"""Version 3's convolution lesson: version 2's, with ``"kind": "convolution"``."""

SCHEMAS: dict[int, dict[str, Any]] = {1: SCHEMA_V1, 2: SCHEMA_V2}


def lesson_kind(data: Any, version: int) -> str:
    """The kind of lesson a parsed file holds: "convolution" before version 3, else its kind.

    Raises:
        LessonFileError: a version-3 file without a known ``kind``.
    """
    if version < 3:
        return "convolution"
    from engine.lessons.vector_schema import KINDS

    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in KINDS:
        got = shown(kind) if isinstance(data, dict) and "kind" in data else None
        expected = ", ".join(f'"{k}"' for k in KINDS)
        if got is None:
            raise LessonFileError(f"kind: this field is missing (one of {expected})")
        raise LessonFileError(f"kind: expected one of {expected}, got {got}")
    return str(kind)


def check_against_schema(data: Any, version: int) -> None:
    """Check parsed JSON against the schema of its format version (and kind, from version 3).

    Args:
        data: The parsed file (its "format" and "version" already checked).
        version: 1, 2 or 3.

    Raises:
        LessonFileError: the first problem found, naming the field (without the file name).
    """
    problem = next(iter(_validator(version, lesson_kind(data, version)).iter_errors(data)), None)
    if problem is not None:
        raise LessonFileError(describe(problem))


@cache
def _validator(version: int, kind: str) -> Any:
    # Imported here: jsonschema takes 50-100 ms to import, which the app's start does not need.
    from jsonschema import Draft202012Validator

    if version < 3:
        schema = SCHEMAS[version]
    else:
        from engine.lessons.vector_schema import SCHEMA_V3_NETWORK, SCHEMA_V3_SHAPES

        schema = {
            "convolution": SCHEMA_V3_CONVOLUTION,
            "network": SCHEMA_V3_NETWORK,
            "shapes": SCHEMA_V3_SHAPES,
        }[kind]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def field_name(path: Iterable[str | int]) -> str:
    """A field's path as a reader writes it: ``filters[0].channels[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the lesson"


def counted(count: int, noun: str) -> str:
    """``1 filter``, ``2 filters`` (``noun`` is the plural)."""
    return f"{count} {noun[:-1] if count == 1 and noun.endswith('s') else noun}"


def shown(value: Any) -> str:
    """A value from the file, briefly: ``"1"``, ``true``, ``a list of 3 items``."""
    if isinstance(value, list):
        return f"a list of {counted(len(value), 'items')}" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:37]}…"


_TYPES = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def describe(error: Any) -> str:
    """One sentence for a jsonschema ``ValidationError``: the field, then what is wrong."""
    kind, rule, value, schema = error.validator, error.validator_value, error.instance, error.schema
    path = list(error.absolute_path)
    if kind == "required":
        missing = next(name for name in rule if name not in value)
        return f"{field_name([*path, missing])}: this field is missing"
    if kind == "additionalProperties":
        known = schema.get("properties", {})
        extra = next(name for name in value if name not in known)
        return f"{field_name([*path, extra])}: unknown field; the fields here are " + ", ".join(
            known
        )
    return f"{field_name(path)}: {_expectation(kind, rule, value, schema)}"


def _bound(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _expectation(kind: str, rule: Any, value: Any, schema: dict[str, Any]) -> str:
    got = shown(value)
    if EXPECTED in schema and kind in ("anyOf", "pattern"):
        return f"expected {schema[EXPECTED]}, got {got}"
    if kind == "type":
        kinds = [rule] if isinstance(rule, str) else list(rule)
        return f"expected {' or '.join(_TYPES[k] for k in kinds)}, got {got}"
    if kind in ("minItems", "maxItems"):
        noun = schema.get(NOUN, "items")
        bound = "at least" if kind == "minItems" else "at most"
        return f"expected {bound} {counted(rule, noun)}, got {len(value) or 'none'}"
    if kind == "maxLength":
        return f"expected at most {rule} characters, got {len(value)}"
    bounds = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "more than",
        "exclusiveMaximum": "less than",
    }
    if kind in bounds:
        return f"expected {bounds[kind]} {_bound(rule)}, got {got}"
    if kind == "enum":
        return f"expected one of {', '.join(json.dumps(v) for v in rule)}, got {got}"
    if kind == "const":
        return f"expected {json.dumps(rule)}, got {got}"
    return f"{got} is not allowed here ({kind})"
