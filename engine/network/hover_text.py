"""Sentences for what the mouse points at in the digit lab: a map cell, a unit, an input pixel.

The sentences come as runs of text, some of them emphasised (the layer's name, the value), so
the GUI can set them in bold while showing every name from a model file as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.network.number_text import percent_text, value_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.network.receptive_field import PixelRect

__all__ = ["HoverText", "TextRun", "map_cell_text", "pixel_text", "unit_text", "value_text"]
CHANNEL_NAMES = ("R", "G", "B")


@dataclass(frozen=True, slots=True)
class TextRun:
    """A piece of a sentence; ``strong`` ones are emphasised."""

    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class HoverText:
    """Lines of text runs."""

    lines: tuple[tuple[TextRun, ...], ...]

    @property
    def plain(self) -> str:
        """The text without emphasis, one line per line."""
        return "\n".join("".join(run.text for run in line) for line in self.lines)


def map_cell_text(
    layer: str,
    k: int,
    count: int,
    row: int,
    col: int,
    value: float | None,
    field: PixelRect | None,
) -> HoverText:
    """Cell (row, col) of map k (0-based) of ``count`` maps, and its receptive field.

    ``field`` is the input pixels the cell depends on, None when it cannot be traced.
    """
    head = (
        TextRun(layer, strong=True),
        TextRun(f", map {k + 1} of {count}, row {row + 1}, column {col + 1}: "),
        TextRun(value_text(value), strong=True),
    )
    if field is None:
        return HoverText((head,))
    if field.height <= 0 or field.width <= 0:
        return HoverText((head, (TextRun("It sees only padding, no input pixel."),)))
    where = (
        f"It depends only on input rows {field.row0 + 1}–{field.row1}, columns "
        f"{field.col0 + 1}–{field.col1} ({field.height}×{field.width} pixels, outlined)."
    )
    return HoverText((head, (TextRun(where),)))


def unit_text(
    layer: str,
    i: int,
    count: int,
    value: float | None,
    class_label: str | None = None,
    probability: bool = False,
) -> HoverText:
    """Unit i (0-based) of a vector of ``count``; a class when the layer is the answer.

    ``probability``: the layer's values are probabilities (shown in percent); otherwise a
    class's value is its score, shown as it is.
    """
    if class_label is not None and probability and value is not None:
        head = (
            TextRun(layer, strong=True),
            TextRun(f", class {class_label}: "),
            TextRun(percent_text(value), strong=True),
        )
    elif class_label is not None:
        head = (
            TextRun(layer, strong=True),
            TextRun(f", score of class {class_label}: "),
            TextRun(value_text(value), strong=True),
        )
    else:
        head = (
            TextRun(layer, strong=True),
            TextRun(f", unit {i + 1} of {count}: "),
            TextRun(value_text(value), strong=True),
        )
    return HoverText((head, (TextRun("It depends on every input pixel."),)))


def pixel_text(
    row: int,
    col: int,
    values: Sequence[float],
    *,
    digits: bool = True,
    given: Sequence[float] | None = None,
) -> HoverText:
    """Input pixel (row, col), 0-based, and its value(s) in 0..1.

    ``values`` has one value (gray) or three (R, G, B). A digit's pixel says 0 = paper and
    1 = ink. ``given`` is what the model is given for it after preprocessing, when that
    differs from the picture's values.
    """
    if len(values) == 1:
        shown = value_text(values[0])
    else:
        shown = ", ".join(
            f"{n} {value_text(v)}" for n, v in zip(CHANNEL_NAMES, values, strict=False)
        )
    runs = [
        TextRun(f"Input pixel row {row + 1}, column {col + 1}: "),
        TextRun(shown, strong=True),
    ]
    if digits:
        runs.append(TextRun(" (0 = paper, 1 = ink)"))
    lines = [tuple(runs)]
    if given is not None and list(given) != list(values):
        model_values = ", ".join(value_text(v) for v in given)
        lines.append((TextRun(f"The model is given {model_values} (its preprocessing)."),))
    return HoverText(tuple(lines))
