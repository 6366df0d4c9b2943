"""Sentences for what the mouse points at: a map cell, a unit, an input pixel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.animation.arithmetic import format_number
from gui.digits.probability_chart import percent_text

if TYPE_CHECKING:
    from engine import PixelRect


def value_text(value: float | None) -> str:
    return "—" if value is None else format_number(value, 2)


def map_cell_text(
    layer: str,
    k: int,
    count: int,
    row: int,
    col: int,
    value: float | None,
    field: PixelRect | None,
) -> str:
    """A feature-map cell and the input pixels it depends on (its receptive field)."""
    head = (
        f"<b>{layer}</b>, map {k + 1} of {count}, row {row + 1}, column {col + 1}: "
        f"<b>{value_text(value)}</b>"
    )
    if field is None:
        return head
    if field.height <= 0 or field.width <= 0:
        return f"{head}<br>It sees only padding, no input pixel."
    where = (
        f"input rows {field.row0 + 1}–{field.row1}, columns {field.col0 + 1}–{field.col1} "
        f"({field.height}×{field.width} pixels, outlined)"
    )
    return f"{head}<br>It depends only on {where}."


def unit_text(
    layer: str, i: int, count: int, value: float | None, class_label: str | None = None
) -> str:
    """A unit of a vector layer; a class when the layer is the answer."""
    if class_label is not None and value is not None and 0 <= value <= 1:
        head = f"<b>{layer}</b>, class {class_label}: <b>{percent_text(value)}</b>"
    elif class_label is not None:
        head = f"<b>{layer}</b>, score of class {class_label}: <b>{value_text(value)}</b>"
    else:
        head = f"<b>{layer}</b>, unit {i + 1} of {count}: <b>{value_text(value)}</b>"
    return f"{head}<br>It depends on every input pixel."


def pixel_text(row: int, col: int, value: float) -> str:
    return (
        f"Input pixel row {row + 1}, column {col + 1}: <b>{format_number(value, 2)}</b> "
        "(0 = paper, 1 = ink)"
    )
