"""Saving and loading a playground set-up as a lesson file (JSON with a format version).

Saves are atomic (write a temporary file, then rename), so a crash never leaves half a file.
Loading checks everything and raises ``LessonFileError`` with a sentence that names the file
and says what is wrong; the caller keeps its current state.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from engine.animation.playground import PlaygroundSpec, PoolSettings

FORMAT_NAME = "cnn-visualizer-lesson"
FORMAT_VERSION = 1


class LessonFileError(ValueError):
    """A lesson file that cannot be read: not JSON, another format or version, bad values."""


def spec_to_dict(spec: PlaygroundSpec, *, title: str = "", explanation: str = "") -> dict[str, Any]:
    """A JSON-ready description of the set-up."""
    pad = spec.padding
    padding: Any = [list(a) for a in pad] if isinstance(pad, (tuple, list)) else pad
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": title,
        "explanation": explanation,
        "input": spec.input.tolist(),
        "channel_names": list(spec.channel_names),
        "filters": [
            {
                "name": spec.filter_names[d] if spec.filter_names else "",
                "bias": float(spec.biases[d]),
                "weights": spec.filters[:, :, :, d].tolist(),
            }
            for d in range(spec.num_filters)
        ],
        "stride": list(spec.stride),
        "padding": padding,
        "dilation": list(spec.dilation),
        "divisor": spec.divisor,
        "relu": spec.relu,
        "pool": None
        if spec.pool is None
        else {
            "size": spec.pool.size,
            "stride": spec.pool.stride,
            "mode": spec.pool.mode,
            "padding": spec.pool.padding,
        },
    }


def _require(data: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in data:
        raise LessonFileError(f"the {what} ({key!r}) is missing")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise LessonFileError(f"the {what} ({key!r}) has the wrong type: {value!r:.60}")
    return value


def _padding(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def spec_from_dict(data: Any) -> tuple[PlaygroundSpec, str, str]:
    """(spec, title, explanation) from parsed JSON; LessonFileError if anything is off."""
    if not isinstance(data, dict):
        raise LessonFileError("the file does not hold a lesson (expected a JSON object)")
    if data.get("format") != FORMAT_NAME:
        raise LessonFileError(
            f"this is not a CNN Visualizer lesson (format {data.get('format')!r}, "
            f"expected {FORMAT_NAME!r})"
        )
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise LessonFileError(
            f"the lesson has format version {version!r}; this app reads version "
            f"{FORMAT_VERSION}"
            + (
                " — it was made by a newer app"
                if isinstance(version, int) and version > FORMAT_VERSION
                else ""
            )
        )
    filters = _require(data, "filters", list, "list of filters")
    if not filters:
        raise LessonFileError("the lesson has no filters; it needs at least one")
    try:
        weights = [
            np.asarray(_require(f, "weights", list, "filter weights"), float) for f in filters
        ]
        if any(w.ndim != 3 for w in weights) or len({w.shape for w in weights}) != 1:
            raise LessonFileError(
                "every filter's weights must be a (kh, kw, C) grid, all of the same size"
            )
        pool_data = data.get("pool")
        pool = None
        if pool_data is not None:
            if not isinstance(pool_data, dict):
                raise LessonFileError("'pool' must be null or an object")
            pool = PoolSettings(
                size=int(_require(pool_data, "size", int, "pool size")),
                stride=int(_require(pool_data, "stride", int, "pool stride")),
                mode=str(_require(pool_data, "mode", str, "pool mode")),
                padding=str(pool_data.get("padding", "valid")),
            )
        names = [str(f.get("name", "")) for f in filters]
        spec = PlaygroundSpec(
            input=np.asarray(_require(data, "input", list, "input grid"), float),
            filters=np.stack(weights, axis=-1),
            biases=np.asarray([float(_require(f, "bias", (int, float), "bias")) for f in filters]),
            stride=tuple(_require(data, "stride", list, "stride")),
            padding=_padding(data.get("padding", "valid")),
            dilation=tuple(data.get("dilation", [1, 1])),
            divisor=float(data.get("divisor", 1.0)),
            relu=bool(data.get("relu", False)),
            pool=pool,
            channel_names=tuple(str(n) for n in data.get("channel_names", [])),
            filter_names=tuple(names) if any(names) else (),
        ).checked()
    except LessonFileError:
        raise
    except (ValueError, TypeError, AttributeError) as exc:
        raise LessonFileError(f"the lesson's values are not usable: {exc}") from None
    return spec, str(data.get("title", "")), str(data.get("explanation", ""))


def save_lesson(
    path: str | Path, spec: PlaygroundSpec, *, title: str = "", explanation: str = ""
) -> None:
    """Write the set-up to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    text = json.dumps(spec_to_dict(spec, title=title, explanation=explanation), indent=1)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_lesson(path: str | Path) -> tuple[PlaygroundSpec, str, str]:
    """(spec, title, explanation) from a lesson file; LessonFileError naming the file otherwise."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonFileError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonFileError(f"{source}: cannot be read as text ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LessonFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    try:
        return spec_from_dict(data)
    except LessonFileError as exc:
        raise LessonFileError(f"{source}: {exc}") from None
