"""Receptive fields: the input pixels that can influence one cell of a feature map.

Traced back through the model's own graph, layer by layer, with each conv and pooling layer's
kernel, stride, padding and dilation; nothing assumes a particular architecture. At every layer
the span is clipped to that layer's input, because padding cells carry no input pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.network.layers import LayerPlan

Span = tuple[int, int]  # first and last index, inclusive


class PixelRect(NamedTuple):
    """Input pixels rows row0..row1-1, columns col0..col1-1 (inclusive-exclusive, like slices)."""

    row0: int
    row1: int
    col0: int
    col1: int

    @property
    def height(self) -> int:
        """Rows covered: row1 − row0."""
        return self.row1 - self.row0

    @property
    def width(self) -> int:
        """Columns covered: col1 − col0."""
        return self.col1 - self.col0


def window_span(
    span: Span, size: int, kernel: int, stride: int, pad_before: int, dilation: int
) -> Span | None:
    """The input cells under the windows of output cells ``span``, clipped to the input.

    Output cell i reads input cells i·stride − pad_before + j·dilation for j = 0..kernel−1.
    None when every one of them is padding.
    """
    lo = max(span[0] * stride - pad_before, 0)
    hi = min(span[1] * stride - pad_before + (kernel - 1) * dilation, size - 1)
    return None if lo > hi else (lo, hi)


def receptive_field(
    layers: Mapping[str, LayerPlan], name: str, row: int, col: int, image_hw: tuple[int, int]
) -> PixelRect:
    """The rectangle of input pixels that influence cell (row, col) of layer ``name``'s map."""
    plan = layers[name]
    if len(plan.shape) != 3:
        raise ValueError(
            f"{name!r} has output shape {plan.shape}, not a feature map (H, W, C); every input "
            "pixel influences each of its values"
        )
    height, width = plan.shape[0], plan.shape[1]
    for what, value, limit in (("row", row, height), ("col", col, width)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < limit:
            raise ValueError(f"{what} must be an int in 0..{limit - 1} for {name!r}, got {value!r}")
    cache: dict[tuple[str, Span, Span], tuple[Span, Span] | None] = {}
    found = _trace(layers, name, (row, row), (col, col), image_hw, cache)
    if found is None:
        return PixelRect(0, 0, 0, 0)
    (r0, r1), (c0, c1) = found
    return PixelRect(r0, r1 + 1, c0, c1 + 1)


def _trace(
    layers: Mapping[str, LayerPlan],
    name: str,
    rows: Span,
    cols: Span,
    image_hw: tuple[int, int],
    cache: dict[tuple[str, Span, Span], tuple[Span, Span] | None],
) -> tuple[Span, Span] | None:
    """Spans of output cells of ``name`` → spans of image pixels (memoised for merging graphs)."""
    key = (name, rows, cols)
    if key in cache:
        return cache[key]
    plan = layers[name]
    in_shape = plan.input_shape
    whole_image = ((0, image_hw[0] - 1), (0, image_hw[1] - 1))
    found: tuple[Span, Span] | None
    if len(in_shape) != 3:  # fed by a vector: it depends on everything before
        found = whole_image
    else:
        in_rows: Span | None = rows
        in_cols: Span | None = cols
        g = plan.geometry
        if g is not None:
            in_rows = window_span(
                rows, in_shape[0], g.kernel_size[0], g.stride[0], g.padding[0][0], g.dilation[0]
            )
            in_cols = window_span(
                cols, in_shape[1], g.kernel_size[1], g.stride[1], g.padding[1][0], g.dilation[1]
            )
        elif len(plan.shape) != 3 or plan.shape[:2] != in_shape[:2]:
            in_rows, in_cols = (0, in_shape[0] - 1), (0, in_shape[1] - 1)  # global/unknown op
        if in_rows is None or in_cols is None:
            found = None
        elif not plan.sources:
            found = (in_rows, in_cols)
        else:
            found = None
            for source in plan.sources:
                part = _trace(layers, source, in_rows, in_cols, image_hw, cache)
                if part is not None:
                    found = part if found is None else _union(found, part)
    cache[key] = found
    return found


def _union(a: tuple[Span, Span], b: tuple[Span, Span]) -> tuple[Span, Span]:
    return (
        (min(a[0][0], b[0][0]), max(a[0][1], b[0][1])),
        (min(a[1][0], b[1][0]), max(a[1][1], b[1][1])),
    )
