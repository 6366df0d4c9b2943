"""2-D convolution (cross-correlation, as in Keras and the slides), channels-last."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from engine.params import (
    IntPair,
    Padding,
    PaddingSpec,
    as_float_array,
    check_fits,
    effective_size,
    output_size,
    pair,
    resolve_padding,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class ConvPlan:
    """Validated arrays and geometry of one convolution, shared by conv2d and conv_steps.

    ``x`` is always (H, W, C) and ``kernel`` always (kh, kw, C, D); ``flat`` records that the
    caller gave a 2-D input with a 2-D kernel, so results are returned as (H', W').
    """

    x: NDArray[np.floating]
    kernel: NDArray[np.floating]
    bias: NDArray[np.floating]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: Padding
    out_hw: tuple[int, int]
    flat: bool

    @property
    def kernel_hw(self) -> tuple[int, int]:
        return (self.kernel.shape[0], self.kernel.shape[1])

    @property
    def filters(self) -> int:
        return int(self.kernel.shape[3])

    @property
    def channels(self) -> int:
        return int(self.kernel.shape[2])

    def padded_input(self) -> NDArray[np.floating]:
        """The input with its zero padding, (H + top + bottom, W + left + right, C)."""
        p = self.padding
        if p.is_zero:
            return self.x
        h, w, c = self.x.shape
        padded = np.zeros((h + p.top + p.bottom, w + p.left + p.right, c), dtype=self.x.dtype)
        padded[p.top : p.top + h, p.left : p.left + w] = self.x
        return padded


def _hashable(value: object) -> object:
    return tuple(_hashable(v) for v in value) if isinstance(value, (list, tuple)) else value


@lru_cache(maxsize=512)
def _cached_geometry(
    input_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: object,
    padding: object,
    dilation: object,
) -> tuple[tuple[int, int], tuple[int, int], Padding, tuple[int, int]]:
    strides = pair(stride, "stride")
    dilations = pair(dilation, "dilation")
    pad = resolve_padding(padding, input_hw, kernel_hw, strides, dilations)
    padded_hw = (input_hw[0] + pad.top + pad.bottom, input_hw[1] + pad.left + pad.right)
    window_hw = (
        effective_size(kernel_hw[0], dilations[0]),
        effective_size(kernel_hw[1], dilations[1]),
    )
    check_fits(padded_hw, window_hw, "kernel")
    out_hw = (
        output_size(padded_hw[0], window_hw[0], strides[0]),
        output_size(padded_hw[1], window_hw[1], strides[1]),
    )
    return strides, dilations, pad, out_hw


def conv_geometry(
    input_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: object,
    padding: object,
    dilation: object,
) -> tuple[tuple[int, int], tuple[int, int], Padding, tuple[int, int]]:
    """(strides, dilations, padding, output size) of a convolution, or ValueError.

    Checked once per combination and remembered: animation and the digit lab repeat the same
    geometry thousands of times, and the checks cost more than a small convolution.
    """
    key = (_hashable(stride), _hashable(padding), _hashable(dilation))
    try:
        return _cached_geometry(input_hw, kernel_hw, *key)
    except TypeError:  # something unhashable: let the checks say what is wrong with it
        return _cached_geometry.__wrapped__(input_hw, kernel_hw, stride, padding, dilation)


def plan_conv(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
) -> ConvPlan:
    """Check every argument of a convolution and work out its geometry."""
    xa = as_float_array(x, "input x")
    ka = as_float_array(kernel, "kernel")
    if xa.ndim not in (2, 3):
        raise ValueError(f"input x must be (H, W) or (H, W, C), got shape {xa.shape}")
    if ka.ndim not in (2, 4):
        raise ValueError(
            f"kernel must be (kh, kw) or (kh, kw, C, D) like Keras's Conv2D, got shape {ka.shape}"
        )
    flat = xa.ndim == 2 and ka.ndim == 2
    x3 = xa[:, :, None] if xa.ndim == 2 else xa
    k4 = ka[:, :, None, None] if ka.ndim == 2 else ka
    if x3.shape[0] == 0 or x3.shape[1] == 0 or x3.shape[2] == 0:
        raise ValueError(f"input x must not be empty, got shape {xa.shape}")
    if 0 in k4.shape:
        raise ValueError(f"kernel must not be empty, got shape {ka.shape}")
    if k4.shape[2] != x3.shape[2]:
        raise ValueError(
            f"the kernel has {k4.shape[2]} input channel(s) but x has {x3.shape[2]}; "
            "they must be equal (kernel (kh, kw, C, D) for x (H, W, C))"
        )
    strides, dilations, pad, out_hw = conv_geometry(
        (int(x3.shape[0]), int(x3.shape[1])),
        (int(k4.shape[0]), int(k4.shape[1])),
        stride,
        padding,
        dilation,
    )
    filters = int(k4.shape[3])
    if bias is None:
        b = np.zeros(filters, dtype=np.result_type(x3.dtype, k4.dtype))
    else:
        b = as_float_array(bias, "bias").reshape(-1)
        if b.shape[0] != filters:
            raise ValueError(
                f"bias must have one value per filter ({filters}), got {b.shape[0]} value(s)"
            )
    return ConvPlan(x3, k4, b, strides, dilations, pad, out_hw, flat)


def im2col(plan: ConvPlan, *, ones_column: bool = False) -> NDArray[np.floating]:
    """Every kernel window of the padded input as a row: (H'·W', kh·kw·C [+ 1]).

    The columns are ordered (kernel row, kernel column, channel), which is exactly the memory
    order of a Keras kernel, so ``im2col(plan) @ kernel.reshape(-1, D)`` is the convolution.
    With ``ones_column`` a last column of ones is added, so that the bias can ride along in the
    same matrix product (cheaper than adding it afterwards). The windows are one strided view
    of the padded input, copied in a single pass.
    """
    kh, kw = plan.kernel_hw
    oh, ow = plan.out_hw
    sh, sw = plan.stride
    dh, dw = plan.dilation
    c = plan.channels
    xp = np.ascontiguousarray(plan.padded_input())
    width = kh * kw * c
    s0, s1, s2 = xp.strides
    if c == 1:
        # One row per kernel cell, each a shifted copy of the input, handed out transposed
        # (a view): the copy runs along the input's rows instead of scattering single values.
        rows = np.empty((width + ones_column, oh, ow), dtype=xp.dtype)
        if ones_column:
            rows[width] = 1
        shifted = np.ndarray(
            (kh, kw, oh, ow),
            dtype=xp.dtype,
            buffer=xp,
            strides=(s0 * dh, s1 * dw, s0 * sh, s1 * sw),
        )
        rows[:width].reshape(kh, kw, oh, ow)[...] = shifted
        return rows.reshape(width + ones_column, oh * ow).T
    # A view of all windows: (H', W', kh, kw, C). The geometry was checked, so every window
    # lies inside the padded input.
    windows = np.ndarray(
        (oh, ow, kh, kw, c),
        dtype=xp.dtype,
        buffer=xp,
        strides=(s0 * sh, s1 * sw, s0 * dh, s1 * dw, s2),
    )
    matrix = np.empty((oh * ow, width + ones_column), dtype=xp.dtype)
    if ones_column:
        matrix[:, width] = 1
    matrix[:, :width].reshape(oh, ow, kh, kw, c)[...] = windows
    return matrix


def run_conv(plan: ConvPlan) -> NDArray[np.floating]:
    """The convolution of a checked plan, always (H', W', D)."""
    oh, ow = plan.out_hw
    weights = np.concatenate((plan.kernel.reshape(-1, plan.filters), plan.bias[None, :]))
    out = im2col(plan, ones_column=True) @ weights
    return out.reshape(oh, ow, plan.filters)


def conv2d(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
) -> NDArray[np.floating]:
    """Convolve x with kernel the way Keras's Conv2D does (no kernel flip).

    x is (H, W) or (H, W, C); kernel is (kh, kw) or (kh, kw, C, D). A 2-D x with a 2-D kernel
    gives (H', W'); anything else gives (H', W', D). ``padding`` is "valid", "same" (exactly as
    TensorFlow: output ceil(H / stride), an odd extra row/column at the bottom/right), an int on
    all sides, or ((top, bottom), (left, right)). Float32 inputs give float32, others float64.
    """
    plan = plan_conv(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    out = run_conv(plan)
    return out[:, :, 0] if plan.flat else out
