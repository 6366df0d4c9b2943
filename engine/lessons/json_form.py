"""Lesson files as JSON data: parsed JSON → ``Lesson`` (format versions 1 to 3), and back.

Version 2 (what the app writes for a convolution lesson, so that older versions of the app
read it) holds, besides the set-up, the lesson's id, source, explanation, notes, number display
rule and backprop exercise. Grids are written as the slides draw them: an input is a list of
channels, each a list of rows of numbers; a filter is a list of channels too, one per input
channel. Version 3 adds a ``kind``: "convolution" (version 2's lesson), "network" and "shapes"
(vector lessons, written as version 3; ``engine.lessons.vector_form``). Version 1 (the app's
first lesson files: input (H, W, C) nested, filters' ``weights`` (kh, kw, C)) is still read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.animation.playground import PlaygroundSpec, PoolSettings
from engine.lessons.definition import BackpropExercise, Lesson
from engine.lessons.errors import LessonFileError
from engine.lessons.json_values import (
    GRID_NOUNS,
    checked_text,
    checked_texts,
    json_number,
    json_rows,
    number_block,
    read_only,
    stack_channels,
)
from engine.lessons.schema import FORMAT_NAME, check_against_schema, lesson_kind, shown
from engine.lessons.vector_form import vector_from_dict, vector_to_dict

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from engine.operations.params import PaddingSpec

FORMAT_VERSION = 2
"""The version written for a convolution (or backprop) lesson: older apps read it."""
VECTOR_FORMAT_VERSION = 3
"""The version written for a vector lesson (kinds "network" and "shapes")."""
READABLE_VERSIONS = (1, 2, 3)
NEWEST_VERSION = READABLE_VERSIONS[-1]
FILE_LESSON_ID = "file"
DISPLAY_ABOUT = (
    "How the slide writes its own numbers: 'decimals' digits after the point, cut instead of "
    "rounded when 'truncate' is true (slide 004 writes 7/9 = 0.777… as 0.77). The rule "
    "applies to the slide's own numbers only."
)
BACKPROP_ABOUT = (
    "Slide 004's exercise: X is the input above and W its one filter (stride 1, no padding); "
    "the error is E = Σ ½ (h − t)² over the outputs h and the targets t, and one update is "
    "W ← W − η ∂E/∂W with η the learning rate."
)
_V1_NOUNS = ("rows", "cells", "channel values")


def format_version(data: Any) -> int:
    """The format version of parsed JSON, after checking that it is a lesson this app reads.

    Raises:
        LessonFileError: not a JSON object, another format, or a version this app cannot read
            (a newer one is named as such).
    """
    if not isinstance(data, dict):
        raise LessonFileError(
            f"the file does not hold a lesson (expected a JSON object, got {shown(data)})"
        )
    if data.get("format") != FORMAT_NAME:
        got = shown(data["format"]) if "format" in data else "no format"
        raise LessonFileError(
            f'this is not a CNN Visualizer lesson (format: expected "{FORMAT_NAME}", got {got})'
        )
    version = data.get("version")
    choices = ", ".join(str(v) for v in READABLE_VERSIONS[:-1]) + f" or {NEWEST_VERSION}"
    if type(version) is not int:  # not True, not 2.0, not "2"
        got = shown(version) if "version" in data else "nothing"
        raise LessonFileError(f"version: expected a whole number ({choices}), got {got}")
    if version > NEWEST_VERSION:
        readable = ", ".join(str(v) for v in READABLE_VERSIONS[:-1]) + f" and {NEWEST_VERSION}"
        raise LessonFileError(
            f"version: the lesson has format version {version}, made by a newer CNN "
            f"Visualizer; this app reads versions {readable}. Update the app to open it."
        )
    if version not in READABLE_VERSIONS:
        raise LessonFileError(f"version: expected {choices}, got {version}")
    return version


def lesson_from_dict(data: Any, *, check_schema: bool = True) -> Lesson:
    """A ``Lesson`` from a parsed lesson file of format version 1, 2 or 3.

    Args:
        data: The parsed JSON.
        check_schema: Check every field against the JSON schema first. Only the package's own
            files skip it: the tests check them against the schema, and importing jsonschema
            would slow the app's start.

    Returns:
        The lesson; id "file" when the file gives none (version 1 never does). Without a
        display rule, numbers get 0 decimals when the input and filters are whole, else 2.

    Raises:
        LessonFileError: the first problem, naming the field (not the file).
    """
    version = format_version(data)
    if check_schema:
        check_against_schema(data, version)
    try:
        if version == 1:
            return _from_v1(data)
        kind = lesson_kind(data, version)
        return _from_v2(data) if kind == "convolution" else _from_vector(data, kind)
    except LessonFileError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        # only reached without the schema pass (e.g. a shipped file damaged after the tests)
        raise LessonFileError(f"does not follow the lesson schema ({exc!r})") from None


def _from_v2(data: dict[str, Any]) -> Lesson:
    x = stack_channels(data["input"]["channels"], "input.channels")
    filters = data["filters"]
    kernels = [
        stack_channels(f["channels"], f"filters[{d}].channels") for d, f in enumerate(filters)
    ]
    spec = _spec(
        data,
        x,
        kernels,
        [float(f.get("bias", 0)) for f in filters],
        checked_texts(data["input"].get("channel_names", []), "input.channel_names"),
        [checked_text(f.get("name", ""), f"filters[{d}].name") for d, f in enumerate(filters)],
        kernel_field="channels",
    )
    display = data.get("display")
    return Lesson(
        id=checked_text(data.get("id", FILE_LESSON_ID), "id"),
        title=checked_text(data.get("title", ""), "title"),
        explanation=checked_text(data.get("explanation", ""), "explanation"),
        source=checked_text(data.get("source", ""), "source"),
        spec=spec,
        notes=checked_texts(data.get("notes", []), "notes"),
        backprop=_backprop(data.get("backprop"), spec),
        decimals=default_decimals(spec) if display is None else int(display["decimals"]),
        truncate_decimals=False if display is None else bool(display["truncate"]),
    )


def _from_vector(data: dict[str, Any], kind: str) -> Lesson:
    return Lesson(
        id=checked_text(data.get("id", FILE_LESSON_ID), "id"),
        title=checked_text(data.get("title", ""), "title"),
        explanation=checked_text(data.get("explanation", ""), "explanation"),
        source=checked_text(data.get("source", ""), "source"),
        spec=None,
        notes=checked_texts(data.get("notes", []), "notes"),
        vector=vector_from_dict(data, kind),
    )


def _from_v1(data: dict[str, Any]) -> Lesson:
    filters = data["filters"]
    spec = _spec(
        data,
        number_block(data["input"], "input", _V1_NOUNS),
        [
            number_block(f["weights"], f"filters[{d}].weights", _V1_NOUNS)
            for d, f in enumerate(filters)
        ],
        [float(f["bias"]) for f in filters],
        checked_texts(data.get("channel_names", []), "channel_names"),
        [checked_text(f.get("name", ""), f"filters[{d}].name") for d, f in enumerate(filters)],
        kernel_field="weights",
    )
    return Lesson(
        id=FILE_LESSON_ID,
        title=checked_text(data.get("title", ""), "title"),
        explanation=checked_text(data.get("explanation", ""), "explanation"),
        source="",
        spec=spec,
        decimals=default_decimals(spec),
    )


def default_decimals(spec: PlaygroundSpec) -> int:
    """Decimals for a lesson without a display rule: 0 if the input and filters are whole."""
    whole = not (np.any(spec.input % 1) or np.any(spec.filters % 1))
    return 0 if whole else 2


def _spec(
    data: dict[str, Any],
    x: NDArray[np.float64],
    kernels: list[NDArray[np.float64]],
    biases: list[float],
    channel_names: tuple[str, ...],
    filter_names: list[str],
    *,
    kernel_field: str,
) -> PlaygroundSpec:
    """The set-up, with the checks the schema cannot make (shapes agree), then the engine's."""
    names_field = "input.channel_names" if kernel_field == "channels" else "channel_names"
    channels = x.shape[2]
    if channel_names and len(channel_names) != channels:
        raise LessonFileError(
            f"{names_field}: expected {channels} names (one per input channel) or none, "
            f"got {len(channel_names)}"
        )
    for d, kernel in enumerate(kernels):
        if kernel.shape[2] != channels:
            raise LessonFileError(
                f"filters[{d}].{kernel_field}: expected {channels} channels (one per input "
                f"channel), got {kernel.shape[2]}"
            )
        if kernel.shape != kernels[0].shape:
            first, this = kernels[0].shape, kernel.shape
            raise LessonFileError(
                f"filters[{d}].{kernel_field}: expected {first[0]}x{first[1]} like filters[0], "
                f"got {this[0]}x{this[1]} (all filters have the same size)"
            )
    pool = data.get("pool")
    try:
        return PlaygroundSpec(
            input=x,
            filters=np.stack(kernels, axis=-1),
            biases=np.asarray(biases, dtype=np.float64),
            stride=_pair(data.get("stride", [1, 1])),
            padding=_padding(data.get("padding", "valid")),
            dilation=_pair(data.get("dilation", [1, 1])),
            divisor=float(data.get("divisor", 1)),
            relu=bool(data.get("relu", False)),
            pool=None
            if pool is None
            else PoolSettings(
                int(pool["size"]), int(pool["stride"]), pool["mode"], pool.get("padding", "valid")
            ),
            channel_names=channel_names,
            filter_names=tuple(filter_names) if any(filter_names) else (),
        ).checked()
    except ValueError as exc:
        raise LessonFileError(f"the set-up is not usable: {exc}") from None


def _backprop(block: dict[str, Any] | None, spec: PlaygroundSpec) -> BackpropExercise | None:
    if block is None:
        return None
    target = number_block(block["target"], "backprop.target", GRID_NOUNS)
    shape = BackpropExercise.output_shape(spec)
    if shape is None:
        raise LessonFileError(
            "backprop: the exercise needs one input channel, one filter, stride [1, 1], "
            'dilation [1, 1] and padding "valid" (X is the input, W the filter)'
        )
    if target.shape != shape:
        raise LessonFileError(
            f"backprop.target: expected {shape[0]}x{shape[1]} (the output's shape), "
            f"got {target.shape[0]}x{target.shape[1]}"
        )
    return BackpropExercise(
        x=read_only(spec.input[:, :, 0]),
        w=read_only(spec.filters[:, :, 0, 0]),
        target=read_only(target),
        learning_rate=float(block["learning_rate"]),
    )


def _pair(value: list[int]) -> tuple[int, int]:
    return (int(value[0]), int(value[1]))


def _padding(value: Any) -> PaddingSpec:
    if isinstance(value, list):
        (top, bottom), (left, right) = value
        return ((int(top), int(bottom)), (int(left), int(right)))
    return value if isinstance(value, str) else int(value)


# ----- writing: Lesson → JSON data (version 2) ------------------------------------------------
def lesson_to_dict(lesson: Lesson) -> dict[str, Any]:
    """The JSON data of a lesson; ``lesson_from_dict`` reads it back equal.

    A convolution lesson is written as format version 2, a vector lesson as version 3.
    Whole numbers are written without ".0" (3, not 3.0). The id is left out when it is "file".
    The backprop exercise is written only if it still fits the set-up (one channel, one
    filter, stride 1, dilation 1, padding "valid", the target's shape): otherwise the
    playground shows a plain convolution, and so does the file.
    """
    vector = lesson.vector
    version = FORMAT_VERSION if vector is None else VECTOR_FORMAT_VERSION
    data: dict[str, Any] = {"format": FORMAT_NAME, "version": version}
    if vector is not None:
        data["kind"] = lesson.kind
    if lesson.id != FILE_LESSON_ID:
        data["id"] = lesson.id
    texts = {
        "title": lesson.title,
        "source": lesson.source,
        "explanation": lesson.explanation,
        "notes": list(lesson.notes),
    }
    if vector is not None:
        return data | texts | vector_to_dict(vector)
    spec = lesson.convolution
    exercise = lesson.backprop
    fits = exercise is not None and BackpropExercise.fits(spec, exercise.target.shape)
    return (
        data
        | texts
        | {
            "display": {
                "about": DISPLAY_ABOUT,
                "decimals": lesson.decimals,
                "truncate": lesson.truncate_decimals,
            },
            "input": {
                "channel_names": list(spec.channel_names),
                "channels": [json_rows(spec.input[:, :, c]) for c in range(spec.channels)],
            },
            "filters": [
                {
                    "name": spec.filter_names[d] if spec.filter_names else "",
                    "bias": json_number(spec.biases[d]),
                    "channels": [json_rows(spec.filters[:, :, c, d]) for c in range(spec.channels)],
                }
                for d in range(spec.num_filters)
            ],
            "stride": list(spec.stride),
            "padding": _padding_data(spec.padding),
            "dilation": list(spec.dilation),
            "divisor": json_number(spec.divisor),
            "relu": spec.relu,
            "pool": None
            if spec.pool is None
            else {
                "size": spec.pool.size,
                "stride": spec.pool.stride,
                "mode": spec.pool.mode,
                "padding": spec.pool.padding,
            },
            "backprop": {
                "about": BACKPROP_ABOUT,
                "target": json_rows(exercise.target),
                "learning_rate": json_number(exercise.learning_rate),
            }
            if fits and exercise is not None
            else None,
        }
    )


def _padding_data(padding: PaddingSpec) -> Any:
    if isinstance(padding, (tuple, list)):
        return [[int(v) for v in side] for side in padding]
    return padding if isinstance(padding, str) else int(padding)
