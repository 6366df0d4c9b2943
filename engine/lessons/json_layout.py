"""Writing lesson data as JSON that people read and edit: grids as rows, numbers in columns.

``json.dumps(indent=...)`` puts every number of a grid on its own line, so a 14x14 digit
becomes 196 lines. Here a list of numbers stays on one line, a grid (a list of such rows) gets
one row per line with its numbers right-aligned in columns, and a small object of plain values
(e.g. pooling) stays on one line. Instructors copy these files to make their own lessons.
"""

from __future__ import annotations

import json
from typing import Any

INDENT = 2
WIDTH = 100


def dumps_readable(value: Any) -> str:
    """JSON text for ``value`` (dicts, lists, str, int, float, bool, None), ending in a newline.

    ``json.loads`` of the result equals ``value``; non-ASCII text is written as is (UTF-8).
    """
    return _dump(value, 0) + "\n"


def _flat(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _is_row(value: Any) -> bool:
    """A list of numbers (not text: a list of long strings reads better one per line)."""
    return isinstance(value, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    )


def _is_grid(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, list) and row and _is_row(row) for row in value)
    )


def _dump(value: Any, indent: int) -> str:
    if _is_scalar(value) or _is_row(value):
        return _flat(value)
    inner = " " * (indent + INDENT)
    close = " " * indent
    if _is_grid(value):
        return "[\n" + ",\n".join(inner + row for row in _aligned_rows(value)) + f"\n{close}]"
    if isinstance(value, list):
        flat = _flat(value)
        if all(_is_scalar(v) for v in value) and indent + len(flat) <= WIDTH:
            return flat
        items = [inner + _dump(item, indent + INDENT) for item in value]
        return "[\n" + ",\n".join(items) + f"\n{close}]"
    flat = _flat(value)
    if all(_is_scalar(v) or _is_row(v) for v in value.values()) and indent + len(flat) <= WIDTH:
        return flat
    items = [f"{inner}{_flat(key)}: {_dump(item, indent + INDENT)}" for key, item in value.items()]
    return "{\n" + ",\n".join(items) + f"\n{close}}}"


def _aligned_rows(grid: list[list[Any]]) -> list[str]:
    """Each row on one line, every number right-aligned to the grid's widest: [ 1, -1,  0]."""
    cells = [[_flat(v) for v in row] for row in grid]
    width = max(len(text) for row in cells for text in row)
    return ["[" + ", ".join(text.rjust(width) for text in row) + "]" for row in cells]
