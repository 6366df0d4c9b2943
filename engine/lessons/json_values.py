"""Values read from and written to lesson files: grids of numbers, texts, JSON numbers.

Shared by the readers and writers of every kind of lesson (``engine.lessons.json_form``,
``engine.lessons.vector_form``). Ragged grids are refused with the field named; texts must be
valid Unicode; whole numbers are written without ".0".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.lessons.errors import LessonFileError

if TYPE_CHECKING:
    from numpy.typing import NDArray

GRID_NOUNS = ("rows", "numbers")
"""What a grid's two levels hold, for messages."""


def read_only(array: NDArray[np.float64]) -> NDArray[np.float64]:
    """A read-only float64 copy of ``array``."""
    copy = np.array(array, dtype=np.float64)
    copy.flags.writeable = False
    return copy


def stack_channels(channels: list[Any], field: str) -> NDArray[np.float64]:
    """Channels, each a grid of rows → (H, W, C); every channel the same size."""
    grids = [number_block(grid, f"{field}[{c}]", GRID_NOUNS) for c, grid in enumerate(channels)]
    for c, grid in enumerate(grids):
        if grid.shape != grids[0].shape:
            (h, w), (hc, wc) = grids[0].shape, grid.shape
            raise LessonFileError(
                f"{field}[{c}]: expected {h}x{w} like {field}[0], got {hc}x{wc} "
                "(all channels have the same size)"
            )
    return np.stack(grids, axis=-1)


def number_block(value: list[Any], field: str, nouns: tuple[str, ...]) -> NDArray[np.float64]:
    """Nested lists of numbers → an array of len(nouns) dimensions; a ragged one is refused."""
    shape = []
    item: Any = value
    for _ in nouns:
        shape.append(len(item))
        item = item[0]
    _check_lengths(value, field, tuple(shape), nouns)
    return np.array(value, dtype=np.float64)


def _check_lengths(
    value: list[Any], field: str, shape: tuple[int, ...], nouns: tuple[str, ...]
) -> None:
    if len(value) != shape[0]:
        raise LessonFileError(
            f"{field}: expected {shape[0]} {nouns[0]} like the first one, got {len(value)}"
        )
    if len(shape) > 1:
        for i, item in enumerate(value):
            _check_lengths(item, f"{field}[{i}]", shape[1:], nouns[1:])


def checked_text(value: str, field: str) -> str:
    """``value`` if it is text that can be written as UTF-8.

    Raises:
        TypeError: not text (only reached without the schema pass).
        LessonFileError: a lone surrogate, naming ``field``.
    """
    if not isinstance(value, str):
        raise TypeError(f"{field} is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise LessonFileError(
            f"{field}: contains a character that is not valid Unicode (a lone surrogate such "
            "as \\ud800)"
        ) from None
    return value


def checked_texts(values: list[str], field: str) -> tuple[str, ...]:
    """Each of ``values`` through ``checked_text`` (``field[i]`` in messages)."""
    return tuple(checked_text(v, f"{field}[{i}]") for i, v in enumerate(values))


def json_number(value: float) -> int | float:
    """A number as written to a file: whole numbers as ints (3, not 3.0)."""
    value = float(value)
    return int(value) if value.is_integer() else value


def json_rows(grid: NDArray[np.float64]) -> list[list[int | float]]:
    """A (rows, cols) array as rows of JSON numbers."""
    return [[json_number(v) for v in row] for row in grid.tolist()]
