"""2-D convolution (cross-correlation, as in Keras and the slides), channels-last."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from engine.operations.blas_threads import on_one_blas_thread
from engine.operations.params import Geometry, Padding, window_geometry
from engine.operations.values import as_float_array, norm, require_finite, require_sums_fit

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.operations.params import IntPair, PaddingSpec


class ConvPlan(NamedTuple):
    """Validated arrays and geometry of one convolution, shared by conv2d and conv_steps.

    ``x`` is always (H, W, C) and ``kernel`` always (kh, kw, C, D); ``flat`` records that the
    caller gave a 2-D input with a 2-D kernel, so results are returned as (H', W'). A named
    tuple rather than a frozen dataclass: as immutable, and built in a third of the time,
    which counts on a convolution that takes 20 µs.
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
        """The kernel's (rows, cols), before dilation."""
        return (self.kernel.shape[0], self.kernel.shape[1])

    @property
    def filters(self) -> int:
        """The number of filters D, i.e. of output channels."""
        return int(self.kernel.shape[3])

    @property
    def channels(self) -> int:
        """The number of input channels C each filter spans."""
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


def conv_geometry(
    input_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: object,
    padding: object,
    dilation: object,
    *,
    channels: int = 1,
    filters: int = 1,
) -> Geometry:
    """The checked (and remembered) geometry of a convolution: ``window_geometry``."""
    return window_geometry(
        input_hw, kernel_hw, stride, padding, dilation,
        channels=channels, maps=filters, pooling=False,
    )  # fmt: skip


def plan_conv(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
) -> ConvPlan:
    """Check every argument of a convolution and work out its geometry.

    Returns:
        The plan ``run_conv`` computes; x (H, W, C), kernel (kh, kw, C, D), bias (D,).

    Raises:
        ValueError: as ``conv2d``.
    """
    xa = as_float_array(x, "input x", check=False)
    ka = as_float_array(kernel, "kernel", check=False)
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
    filters = int(k4.shape[3])
    _, strides, dilations, pad, out_hw = conv_geometry(
        (int(x3.shape[0]), int(x3.shape[1])),
        (int(k4.shape[0]), int(k4.shape[1])),
        stride,
        padding,
        dilation,
        channels=int(x3.shape[2]),
        filters=filters,
    )
    if bias is None:
        b = np.zeros(filters, dtype=np.result_type(x3.dtype, k4.dtype))
    else:
        b = as_float_array(bias, "bias", check=False).reshape(-1)
        if b.shape[0] != filters:
            raise ValueError(
                f"bias must have one value per filter ({filters}), got {b.shape[0]} value(s)"
            )
    x2, k2, b2 = require_finite((xa, "input x"), (ka, "kernel"), (b, "bias"))
    plan = ConvPlan(x3, k4, b, strides, dilations, pad, out_hw, flat)
    require_sums_fit(
        norm(x2) * norm(k2) + norm(b2),
        np.result_type(x3.dtype, k4.dtype, b.dtype),
        lambda: run_conv(plan._replace(x=np.abs(x3), kernel=np.abs(k4), bias=np.abs(b))),
        "the convolution",
    )
    return plan


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


@on_one_blas_thread
def run_conv(plan: ConvPlan) -> NDArray[np.floating]:
    """The convolution of a checked plan, always (H', W', D); its products on one BLAS thread.

    One thread (``engine.operations.blas_threads``) keeps the convolution fast beside a busy
    process.
    """
    if plan.stride[0] == 1 and plan.channels > 1:
        return _run_by_kernel_rows(plan)
    oh, ow = plan.out_hw
    weights = np.concatenate((plan.kernel.reshape(-1, plan.filters), plan.bias[None, :]))
    out = im2col(plan, ones_column=True) @ weights
    return out.reshape(oh, ow, plan.filters)


def _run_by_kernel_rows(plan: ConvPlan) -> NDArray[np.floating]:
    """The convolution as one matrix product per kernel row, for a row stride of 1.

    ``rows[r, c]`` holds the kw·C input values that kernel row 0 meets at output (r, c) of a
    convolution starting at padded row r. Kernel row i meets those of padded row r + i·dh,
    which with a row stride of 1 are simply the rows i·dh·W' further on: a slice of the same
    matrix, no copy. The matrix is kh times smaller than the full im2col, so less is written
    and, with BLAS on two cores, less travels from this core to the other: conv2d on
    14x14x32 → 64 took 80-118 µs instead of 93-119 µs (old and new in alternating rounds in
    one process, six runs on a 2-core machine); on one core both take 104-107 µs.
    """
    oh, ow = plan.out_hw
    kh, kw = plan.kernel_hw
    dh, dw = plan.dilation
    c = plan.channels
    xp = np.ascontiguousarray(plan.padded_input())
    s0, s1, s2 = xp.strides
    hp = oh + (kh - 1) * dh  # the padded rows some output reaches
    rows = np.empty((hp, ow, kw, c), dtype=xp.dtype)
    rows[...] = np.ndarray(
        (hp, ow, kw, c), dtype=xp.dtype, buffer=xp, strides=(s0, s1 * plan.stride[1], s1 * dw, s2)
    )
    matrix = rows.reshape(hp * ow, kw * c)
    kernel = plan.kernel.reshape(kh, kw * c, plan.filters)
    n = oh * ow
    out: NDArray[np.floating] = matrix[:n] @ kernel[0]
    dtype = np.result_type(out.dtype, plan.bias.dtype)
    if out.dtype != dtype:
        out = out.astype(dtype)
    for i in range(1, kh):
        start = i * dh * ow
        out += matrix[start : start + n] @ kernel[i]
    out += plan.bias
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

    Raises:
        ValueError: naming the argument, what it was and what is allowed, for anything but
            real, finite, non-empty arrays of matching channels; a kernel size, stride,
            padding or dilation that is not an int (bools, floats, strings, None) or breaks a
            limit of ``engine.operations.limits`` (padding up to the dilated kernel's size,
            kernel no larger than the padded input, stride and dilation 1 to 4,096, at most
            4,096 cells a side, at most 2^26 values allocated); and values whose products
            would overflow.
    """
    plan = plan_conv(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    out = run_conv(plan)
    return out[:, :, 0] if plan.flat else out
