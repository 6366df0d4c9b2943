"""Output shapes and parameter counts, with the formula written out for students.

``output_shape`` and ``param_count`` check their arguments like ``conv2d`` does and return
the number together with the formula as text, the numbers filled in, e.g.
"(28 + 2·1 − 3) / 1 + 1 = 28" and "(3·3·1 + 1)·32 = 320".
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.operations.params import (
    IntPair,
    PaddingSpec,
    check_fits,
    effective_size,
    output_size,
    pair,
    resolve_padding,
)


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
) -> OutputShape:
    """The output size of a convolution (or, with ``filters=None``, a pooling window).

    ``input_shape`` is a size (square), (H, W) or (H, W, C); the result has ``filters`` channels
    for a convolution, the input's channels when only (H, W, C) is given, else none.
    Impossible settings raise ValueError exactly as ``conv2d`` would.
    """
    if isinstance(input_shape, int):
        dims: tuple[int, ...] = (input_shape, input_shape)
    else:
        dims = tuple(input_shape)
    if len(dims) not in (2, 3) or any(
        isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in dims
    ):
        raise ValueError(
            f"input shape must be a positive size, (H, W) or (H, W, C), got {input_shape!r}"
        )
    kernel = pair(kernel_size, "kernel size")
    strides = pair(stride, "stride")
    dilations = pair(dilation, "dilation")
    if filters is not None and (isinstance(filters, bool) or filters < 1):
        raise ValueError(f"filters must be at least 1, got {filters!r}")
    hw = (dims[0], dims[1])
    pad = resolve_padding(padding, hw, kernel, strides, dilations)
    check_fits(
        (hw[0] + pad.top + pad.bottom, hw[1] + pad.left + pad.right),
        (effective_size(kernel[0], dilations[0]), effective_size(kernel[1], dilations[1])),
        "kernel",
    )
    same = isinstance(padding, str) and padding.lower() == "same"
    rows, row_formula = _axis_formula(hw[0], pad.rows, kernel[0], strides[0], dilations[0], same)
    cols, col_formula = _axis_formula(hw[1], pad.cols, kernel[1], strides[1], dilations[1], same)
    channels = filters if filters is not None else (dims[2] if len(dims) == 3 else None)
    return OutputShape(rows, cols, channels, row_formula, col_formula)


def param_count(
    kernel_size: IntPair, channels: int, filters: int, *, bias: bool = True
) -> ParamCount:
    """Learned parameters of a conv layer, (w·h·C + 1)·D (slide 002); a dense layer is 1x1.

    For a dense layer with n inputs and m outputs use ``param_count(1, n, m)``: (1·1·n + 1)·m.
    """
    kh, kw = pair(kernel_size, "kernel size")
    for name, value in (("channels", channels), ("filters", filters)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    weights = kh * kw * channels
    total = (weights + int(bias)) * filters
    inner = f"{kh}·{kw}·{channels}" + (" + 1" if bias else "")
    return ParamCount(total, f"({inner})·{filters} = {total}")
