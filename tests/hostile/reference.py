"""An independent statement of what the engine's API accepts, and what it must return.

Written from the documented rules (``engine.operations.limits``, Keras's and TensorFlow's
definitions of convolution, pooling and "same" padding), with plain loops and no code of the
engine: ``normal_*`` return the argument as the engine should understand it, or None when it
must be refused; ``reference_*`` compute the result cell by cell in float64.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_SIDE = 4096
UNBOUNDED = 10**10000  # above any int a test passes: the size rules, not the type, refuse it
LARGEST = float(np.finfo(np.float64).max)
Pads = tuple[int, int, int, int]


def normal_int(value: object, low: int, high: int) -> int | None:
    """A Python or NumPy int (not a bool) from low to high, else None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return None
    number = int(value)
    return number if low <= number <= high else None


def normal_pair(value: object, low: int = 1, high: int = MAX_SIDE) -> tuple[int, int] | None:
    """An int or a (rows, cols) tuple or list of two ints, each from low to high."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            return None
        first, second = normal_int(value[0], low, high), normal_int(value[1], low, high)
        return None if first is None or second is None else (first, second)
    number = normal_int(value, low, high)
    return None if number is None else (number, number)


def tf_same(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's "same" padding along one axis (tensorflow/core/framework/kernel_shape_util)."""
    span = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride) if stride <= size else 1
    total = max((out - 1) * stride + span - size, 0)
    return (total // 2, total - total // 2)


def normal_padding(
    padding: object,
    hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> Pads | None:
    """(top, bottom, left, right) of an accepted padding spec, else None."""
    if isinstance(padding, str):
        if padding.lower() == "valid":
            return (0, 0, 0, 0)
        if padding.lower() == "same":
            return (
                *tf_same(hw[0], kernel[0], stride[0], dilation[0]),
                *tf_same(hw[1], kernel[1], stride[1], dilation[1]),
            )
        return None
    if not isinstance(padding, (tuple, list)):
        amount = normal_int(padding, 0, UNBOUNDED)
        return None if amount is None else (amount,) * 4
    if len(padding) != 2:
        return None
    sides: list[int] = []
    for axis in padding:
        if not isinstance(axis, (tuple, list)) or len(axis) != 2:
            return None
        for v in axis:
            amount = normal_int(v, 0, UNBOUNDED)
            if amount is None:
                return None
            sides.append(amount)
    return (sides[0], sides[1], sides[2], sides[3])


def real_array(value: object) -> np.ndarray | None:
    """A finite array of real numbers (ints, floats, bools), else None."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if array.dtype.kind not in "fiub":
        return None
    with np.errstate(all="ignore"):
        as64 = array.astype(np.float64)
    return as64 if np.isfinite(as64).all() else None


def window_fits(hw: tuple[int, int], span: tuple[int, int], pads: Pads, *, pooling: bool) -> bool:
    """The documented geometry rules (engine.operations.limits), for small inputs."""
    top, bottom, left, right = pads
    rows, cols = max(top, bottom), max(left, right)
    if pooling and (rows >= span[0] or cols >= span[1]):
        return False
    if rows > span[0] or cols > span[1] or max(span) > MAX_SIDE:
        return False
    padded = (hw[0] + top + bottom, hw[1] + left + right)
    return max(padded) <= MAX_SIDE and span[0] <= padded[0] and span[1] <= padded[1]


def reference_conv(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray,
    stride: tuple[int, int],
    pads: Pads,
    dilation: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """(output, sums of |products| + |bias|) of x (H, W, C) and kernel (kh, kw, C, D)."""
    h, w, c = x.shape
    kh, kw, _, d = kernel.shape
    top, bottom, left, right = pads
    xp = np.zeros((h + top + bottom, w + left + right, c))
    xp[top : top + h, left : left + w] = x
    oh = (xp.shape[0] - ((kh - 1) * dilation[0] + 1)) // stride[0] + 1
    ow = (xp.shape[1] - ((kw - 1) * dilation[1] + 1)) // stride[1] + 1
    out = np.zeros((oh, ow, d))
    size = np.zeros((oh, ow, d))
    with np.errstate(all="ignore"):
        for r in range(oh):
            for col in range(ow):
                rows = r * stride[0] + np.arange(kh) * dilation[0]
                cols = col * stride[1] + np.arange(kw) * dilation[1]
                window = xp[np.ix_(rows, cols)]
                for f in range(d):
                    products = window * kernel[:, :, :, f]
                    out[r, col, f] = products.sum() + bias[f]
                    size[r, col, f] = np.abs(products).sum() + abs(bias[f])
    return out, size


def reference_pool(
    x: np.ndarray, size: tuple[int, int], stride: tuple[int, int], pads: Pads, mode: str
) -> tuple[np.ndarray, np.ndarray]:
    """(output, sums of |cells|) of max or average pooling of x (H, W, C), Keras's way."""
    h, w, c = x.shape
    top, bottom, left, right = pads
    oh = (h + top + bottom - size[0]) // stride[0] + 1
    ow = (w + left + right - size[1]) // stride[1] + 1
    out = np.zeros((oh, ow, c))
    totals = np.zeros((oh, ow, c))
    with np.errstate(all="ignore"):
        for r in range(oh):
            for col in range(ow):
                r0, c0 = r * stride[0] - top, col * stride[1] - left
                rows = range(max(r0, 0), min(r0 + size[0], h))
                cols = range(max(c0, 0), min(c0 + size[1], w))
                cells = x[np.ix_(list(rows), list(cols))].reshape(-1, c)
                out[r, col] = cells.max(axis=0) if mode == "max" else cells.mean(axis=0)
                totals[r, col] = np.abs(cells).sum(axis=0)
    return out, totals


def close(ours: Any, reference: np.ndarray, size: np.ndarray, dtype: np.dtype[Any]) -> bool:
    """Equal up to rounding: within a few ulps of the sums of |terms| (float32 or float64)."""
    tolerance = 1e-5 if np.dtype(dtype) == np.float32 else 1e-9
    ours64 = np.asarray(ours, dtype=np.float64)
    return ours64.shape == reference.shape and bool(
        np.all(np.abs(ours64 - reference) <= tolerance * size + 1e-12)
    )
