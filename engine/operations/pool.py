"""2-D max and average pooling, channels-last, padding exactly as Keras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.operations.params import (
    IntPair,
    Padding,
    PaddingSpec,
    as_float_array,
    check_fits,
    output_size,
    pair,
    resolve_padding,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

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
    """Check every argument of a pooling and work out its geometry."""
    xa = as_float_array(x, "input x")
    if xa.ndim not in (2, 3):
        raise ValueError(f"input x must be (H, W) or (H, W, C), got shape {xa.shape}")
    if 0 in xa.shape:
        raise ValueError(f"input x must not be empty, got shape {xa.shape}")
    if not isinstance(mode, str) or mode.lower() not in POOL_MODES:
        raise ValueError(f'unknown pooling mode {mode!r}; mode must be "max" or "avg"')
    sizes = pair(size, "pool size")
    strides = sizes if stride is None else pair(stride, "stride")
    x3 = xa[:, :, None] if xa.ndim == 2 else xa
    pad = resolve_padding(padding, (x3.shape[0], x3.shape[1]), sizes, strides, (1, 1))
    if max(pad.top, pad.bottom) >= sizes[0] or max(pad.left, pad.right) >= sizes[1]:
        raise ValueError(
            f"padding {padding!r} is as large as the pool window {sizes[0]}x{sizes[1]}: some "
            "windows would hold only padding; padding must be smaller than the pool size"
        )
    padded_hw = (x3.shape[0] + pad.top + pad.bottom, x3.shape[1] + pad.left + pad.right)
    check_fits(padded_hw, sizes, "pool window")
    out_hw = (
        output_size(padded_hw[0], sizes[0], strides[0]),
        output_size(padded_hw[1], sizes[1], strides[1]),
    )
    return PoolPlan(x3, sizes, strides, pad, mode.lower(), out_hw, xa.ndim == 2)


def padded_for_pool(plan: PoolPlan) -> NDArray[np.floating]:
    """The input padded with −inf (max) or 0 (avg), so padding never wins and never adds."""
    p = plan.padding
    if p.is_zero:
        return plan.x
    fill = -np.inf if plan.mode == "max" else 0.0
    return np.pad(plan.x, (p.rows, p.cols, (0, 0)), constant_values=fill)


def run_pool(plan: PoolPlan) -> NDArray[np.floating]:
    """The pooling of a checked plan, always (H', W', C)."""
    xp = padded_for_pool(plan)
    (kh, kw), (sh, sw), (oh, ow) = plan.size, plan.stride, plan.out_hw
    out: NDArray[np.floating] | None = None
    for i in range(kh):
        rows = slice(i, i + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            part = xp[rows, j : j + sw * (ow - 1) + 1 : sw]
            if out is None:
                out = part.copy()
            elif plan.mode == "max":
                np.maximum(out, part, out=out)
            else:
                out += part
    assert out is not None  # the pool window has at least one cell
    if plan.mode == "avg":
        out /= plan.valid_counts()[:, :, None]
    return out


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
    """
    plan = plan_pool(x, size, stride=stride, mode=mode, padding=padding)
    out = run_pool(plan)
    return out[:, :, 0] if plan.flat else out
