"""2-D max and average pooling, channels-last, padding exactly as Keras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.operations.params import Padding, describe, output_size, window_geometry
from engine.operations.values import as_float_array, norm, require_finite, require_sums_fit

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.operations.params import IntPair, PaddingSpec

POOL_MODES = ("max", "avg")


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """Validated input and geometry of one pooling; ``x`` is always (H, W, C)."""

    x: NDArray[np.floating]
    size: tuple[int, int]
    stride: tuple[int, int]
    padding: Padding
    mode: str
    out_hw: tuple[int, int]
    flat: bool

    def valid_counts(self) -> NDArray[np.floating]:
        """How many real (non-padding) input cells each output's window covers, (H', W')."""
        rows = _valid_per_window(self.x.shape[0], self.padding.rows, self.size[0], self.stride[0])
        cols = _valid_per_window(self.x.shape[1], self.padding.cols, self.size[1], self.stride[1])
        return np.outer(rows, cols).astype(self.x.dtype)


def _valid_per_window(
    size: int, pad: tuple[int, int], window: int, stride: int
) -> NDArray[np.int64]:
    starts = np.arange(output_size(size + pad[0] + pad[1], window, stride)) * stride - pad[0]
    return np.minimum(starts + window, size) - np.maximum(starts, 0)


def plan_pool(
    x: ArrayLike,
    size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    mode: str = "max",
    padding: PaddingSpec = "valid",
) -> PoolPlan:
    """Check every argument of a pooling and work out its geometry.

    Returns:
        The plan ``run_pool`` computes; x (H, W, C).

    Raises:
        ValueError: as ``pool2d``.
    """
    xa = as_float_array(x, "input x", check=False)
    if xa.ndim not in (2, 3):
        raise ValueError(f"input x must be (H, W) or (H, W, C), got shape {xa.shape}")
    if 0 in xa.shape:
        raise ValueError(f"input x must not be empty, got shape {xa.shape}")
    if not isinstance(mode, str) or mode.lower() not in POOL_MODES:
        raise ValueError(f'unknown pooling mode {describe(mode)}; mode must be "max" or "avg"')
    x3 = xa[:, :, None] if xa.ndim == 2 else xa
    channels = int(x3.shape[2])
    sizes, strides, _, pad, out_hw = window_geometry(
        (int(x3.shape[0]), int(x3.shape[1])),
        size,
        size if stride is None else stride,
        padding,
        1,
        channels=channels,
        maps=channels,
        pooling=True,
    )
    (square,) = require_finite((xa, "input x"))
    plan = PoolPlan(x3, sizes, strides, pad, mode.lower(), out_hw, xa.ndim == 2)
    if plan.mode == "avg":
        require_sums_fit(
            sizes[0] * sizes[1] * norm(square),
            x3.dtype,
            lambda: _window_reduce(padded_for_pool(plan), plan, "sum", absolute=True),
            "the average pooling",
        )
    return plan


def padded_for_pool(plan: PoolPlan) -> NDArray[np.floating]:
    """The input padded with −inf (max) or 0 (avg), so padding never wins and never adds."""
    p = plan.padding
    if p.is_zero:
        return plan.x
    fill = -np.inf if plan.mode == "max" else 0.0
    return np.pad(plan.x, (p.rows, p.cols, (0, 0)), constant_values=fill)


SMALL_WINDOW = 64
"""Windows of at most this many cells are combined cell by cell (see ``run_pool``)."""


def run_pool(plan: PoolPlan) -> NDArray[np.floating]:
    """The pooling of a checked plan, always (H', W', C)."""
    out = _window_reduce(padded_for_pool(plan), plan, "max" if plan.mode == "max" else "sum")
    if plan.mode == "avg":
        out /= plan.valid_counts()[:, :, None]
    return out


def _window_reduce(
    xp: NDArray[np.floating], plan: PoolPlan, how: str, *, absolute: bool = False
) -> NDArray[np.floating]:
    """The max or the sum of every window of the padded input ``xp``, (H', W', C).

    A small window (or one with fewer cells than there are outputs, the usual case) is
    combined one window cell at a time over all outputs at once; a large window over few
    outputs (pool size 60 on a 64x64 map) one output at a time over its whole window. Either
    way at most √(outputs · window cells) + 64 NumPy calls, which the cell limit keeps small.
    """
    (kh, kw), (sh, sw), (oh, ow) = plan.size, plan.stride, plan.out_hw
    if absolute:
        xp = np.abs(xp)
    if kh * kw > max(oh * ow, SMALL_WINDOW):
        out = np.empty((oh, ow, xp.shape[2]), dtype=xp.dtype)
        reduce = np.max if how == "max" else np.sum
        for r in range(oh):
            for c in range(ow):
                out[r, c] = reduce(xp[r * sh : r * sh + kh, c * sw : c * sw + kw], axis=(0, 1))
        return out
    result: NDArray[np.floating] | None = None
    for i in range(kh):
        rows = slice(i, i + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            part = xp[rows, j : j + sw * (ow - 1) + 1 : sw]
            if result is None:
                result = part.copy()
            elif how == "max":
                np.maximum(result, part, out=result)
            else:
                result += part
    assert result is not None  # the pool window has at least one cell
    return result


def pool2d(
    x: ArrayLike,
    size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    mode: str = "max",
    padding: PaddingSpec = "valid",
) -> NDArray[np.floating]:
    """Max or average pooling of (H, W) or (H, W, C), like Keras's MaxPooling2D/AveragePooling2D.

    ``stride`` defaults to ``size``. With "same" padding the output is ceil(H / stride), the extra
    cells go at the bottom/right, and the average counts only real input cells, as in Keras.

    Raises:
        ValueError: naming the argument, what it was and what is allowed, for anything but a
            real, finite, non-empty (H, W) or (H, W, C) array; a mode other than "max" or
            "avg"; a pool size, stride or padding that is not an int (bools, floats, strings,
            None) or breaks a limit of ``engine.operations.limits`` (padding smaller than
            the pool size, window no larger than the padded input, stride 1 to 4,096, at
            most 4,096 cells a side, at most 2^26 values read); and averages whose sums would
            overflow.
    """
    plan = plan_pool(x, size, stride=stride, mode=mode, padding=padding)
    out = run_pool(plan)
    return out[:, :, 0] if plan.flat else out
