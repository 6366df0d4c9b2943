"""Output shapes and parameter counts, with the formula written out for students.

``output_shape`` and ``param_count`` check their arguments like ``conv2d`` does and return
the number together with the formula as text, the numbers filled in, e.g.
"(28 + 2·1 − 3) / 1 + 1 = 28" and "(3·3·1 + 1)·32 = 320".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.operations.limits import MAX_CELLS
from engine.operations.params import (
    describe,
    describe_typed,
    effective_size,
    output_size,
    pair,
    whole,
    window_geometry,
)

if TYPE_CHECKING:
    from engine.operations.params import IntPair, PaddingSpec


@dataclass(frozen=True, slots=True)
class OutputShape:
    """The output of a convolution or pooling: (rows, cols[, channels]) and how it was found."""

    rows: int
    cols: int
    channels: int | None
    row_formula: str
    col_formula: str

    @property
    def shape(self) -> tuple[int, ...]:
        """(rows, cols) or (rows, cols, channels)."""
        if self.channels is None:
            return (self.rows, self.cols)
        return (self.rows, self.cols, self.channels)

    @property
    def formula(self) -> str:
        """Both formulas, or one when rows and columns are worked out identically."""
        if self.row_formula == self.col_formula:
            return self.row_formula
        return f"rows: {self.row_formula}; cols: {self.col_formula}"

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True, slots=True)
class ParamCount:
    """The number of learned parameters of a layer and its formula, e.g. (3·3·1 + 1)·32 = 320."""

    value: int
    formula: str

    def __int__(self) -> int:
        return self.value

    def __str__(self) -> str:
        return self.formula


def _axis_formula(
    size: int, pad: tuple[int, int], kernel: int, stride: int, dilation: int, same: bool
) -> tuple[int, str]:
    window = effective_size(kernel, dilation)
    out = output_size(size + pad[0] + pad[1], window, stride)
    if same:
        return out, f"⌈{size} / {stride}⌉ = {out}  (“same” pads {pad[0]} + {pad[1]})"
    pad_text = f"2·{pad[0]}" if pad[0] == pad[1] else f"{pad[0]} + {pad[1]}"
    kernel_text = str(window) if dilation == 1 else f"(({kernel} − 1)·{dilation} + 1)"
    numerator = f"{size} + {pad_text} − {kernel_text}"
    exact = (size + pad[0] + pad[1] - window) % stride == 0
    if stride == 1:
        return out, f"({numerator}) / 1 + 1 = {out}"
    if exact:
        return out, f"({numerator}) / {stride} + 1 = {out}"
    return out, f"⌊({numerator}) / {stride}⌋ + 1 = {out}"


def output_shape(
    input_shape: int | tuple[int, ...],
    kernel_size: IntPair,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    filters: int | None = None,
    pooling: bool = False,
) -> OutputShape:
    """The output size of a convolution, or with ``pooling=True`` of a pooling window.

    ``input_shape`` is a size (square), (H, W) or (H, W, C); the result has ``filters`` channels
    for a convolution, the input's channels when only (H, W, C) is given, else none. Formula:
    ⌊(H + pad_top + pad_bottom − ((k − 1)·d + 1)) / s⌋ + 1 (Dumoulin & Visin, "A guide to
    convolution arithmetic for deep learning", 2016; slide 002).

    Raises:
        ValueError: exactly as ``conv2d`` (or, with ``pooling``, ``pool2d``) would for the
            same sizes and parameters, with the same message (both call
            ``engine.operations.params.window_geometry``); also for an input shape that is not
            a positive int or a tuple of 2 or 3 of them, and ``filters`` that is not a
            positive int.
    """
    dims = _dims(input_shape)
    if filters is not None:
        filters = whole(filters, "filters", low=1, high=MAX_CELLS)
    if not isinstance(pooling, (bool, np.bool_)):
        raise ValueError(f"pooling must be True or False, got {describe_typed(pooling)}")
    channels = dims[2] if len(dims) == 3 else 1
    maps = filters if filters is not None else channels
    hw = (dims[0], dims[1])
    kernel, strides, dilations, pad, out_hw = window_geometry(
        hw, kernel_size, stride, padding, dilation,
        channels=channels, maps=maps, pooling=bool(pooling),
    )  # fmt: skip
    same = isinstance(padding, str) and padding.lower() == "same"
    rows, row_formula = _axis_formula(hw[0], pad.rows, kernel[0], strides[0], dilations[0], same)
    cols, col_formula = _axis_formula(hw[1], pad.cols, kernel[1], strides[1], dilations[1], same)
    assert (rows, cols) == out_hw  # one formula, written out and computed
    channels_out = filters if filters is not None else (dims[2] if len(dims) == 3 else None)
    return OutputShape(rows, cols, channels_out, row_formula, col_formula)


def _dims(input_shape: object) -> tuple[int, ...]:
    """(H, W) or (H, W, C) from a size or a tuple; ValueError for anything else."""
    problem = (
        f"input shape must be a positive size, (H, W) or (H, W, C) of positive ints, got "
        f"{describe_typed(input_shape)}"
    )
    values = (
        (input_shape, input_shape) if not isinstance(input_shape, (tuple, list)) else input_shape
    )
    if len(values) not in (2, 3):
        raise ValueError(problem)
    dims = []
    for d in values:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(problem)
        dims.append(int(d))
    if len(dims) == 3 and dims[2] > MAX_CELLS:
        raise ValueError(f"input channels must be at most {MAX_CELLS:,}, got {describe(dims[2])}")
    return tuple(dims)


def param_count(
    kernel_size: IntPair, channels: int, filters: int, *, bias: bool = True
) -> ParamCount:
    """Learned parameters of a conv layer, (w·h·C + 1)·D (slide 002); a dense layer is 1x1.

    For a dense layer with n inputs and m outputs use ``param_count(1, n, m)``: (1·1·n + 1)·m.

    Raises:
        ValueError: a kernel size that is not an int or pair of ints from 1 to 4,096; channels
            or filters that are not ints from 1 to 2^26; ``bias`` that is not True or False.
    """
    kh, kw = pair(kernel_size, "kernel size")
    c = whole(channels, "channels", low=1, high=MAX_CELLS)
    d = whole(filters, "filters", low=1, high=MAX_CELLS)
    if not isinstance(bias, (bool, np.bool_)):
        raise ValueError(f"bias must be True or False, got {describe_typed(bias)}")
    weights = kh * kw * c
    total = (weights + int(bias)) * d
    inner = f"{kh}·{kw}·{c}" + (" + 1" if bias else "")
    return ParamCount(total, f"({inner})·{d} = {total}")
