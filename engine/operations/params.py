"""Checking and normalising the parameters of convolution and pooling.

Every public operation of the engine funnels its arguments through these helpers, so that bad
input always becomes a ``ValueError`` that says what was wrong and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

IntPair = int | tuple[int, int]
PaddingSpec = str | int | tuple[tuple[int, int], tuple[int, int]]

PADDING_HELP = (
    'padding must be "valid", "same", a non-negative int, or ((top, bottom), (left, right))'
)


@dataclass(frozen=True, slots=True)
class Padding:
    """Zero padding on each side of the input, in cells."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def rows(self) -> tuple[int, int]:
        """Padding (top, bottom), in cells."""
        return (self.top, self.bottom)

    @property
    def cols(self) -> tuple[int, int]:
        """Padding (left, right), in cells."""
        return (self.left, self.right)

    @property
    def is_zero(self) -> bool:
        """True when there is no padding on any side."""
        return self.top == self.bottom == self.left == self.right == 0


def pair(value: object, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """An int or (rows, cols) pair of ints, each at least ``minimum``."""
    if type(value) is int and value >= minimum:  # the common case, kept cheap
        return (value, value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple[object, ...] = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        values = tuple(value)
    else:
        raise ValueError(f"{name} must be an int or a (rows, cols) pair of ints, got {value!r}")
    result: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{name} must be made of ints, got {value!r}")
        if v < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
        result.append(int(v))
    return (result[0], result[1])


def effective_size(kernel: int, dilation: int) -> int:
    """How many input cells a dilated kernel spans: (k − 1)·d + 1."""
    return (kernel - 1) * dilation + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow/Keras "same" padding along one axis: output ceil(size / stride).

    An odd total goes to the end (bottom or right), exactly as TensorFlow does.
    """
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective_size(kernel, dilation) - size, 0)
    return (total // 2, total - total // 2)


def resolve_padding(
    padding: object,
    input_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> Padding:
    """Turn any accepted padding spec into explicit amounts on each side."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return Padding(0, 0, 0, 0)
        if mode == "same":
            top, bottom = same_padding(input_hw[0], kernel_hw[0], stride[0], dilation[0])
            left, right = same_padding(input_hw[1], kernel_hw[1], stride[1], dilation[1])
            return Padding(top, bottom, left, right)
        raise ValueError(f"unknown padding {padding!r}; {PADDING_HELP}")
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        if padding < 0:
            raise ValueError(f"padding must not be negative, got {padding}; {PADDING_HELP}")
        p = int(padding)
        return Padding(p, p, p, p)
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        sides: list[int] = []
        for axis in padding:
            if not (isinstance(axis, (tuple, list)) and len(axis) == 2):
                raise ValueError(f"bad padding {padding!r}; {PADDING_HELP}")
            for v in axis:
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                    raise ValueError(
                        f"bad padding {padding!r}: amounts must be non-negative ints; "
                        f"{PADDING_HELP}"
                    )
                sides.append(int(v))
        return Padding(*sides)
    raise ValueError(f"bad padding {padding!r}; {PADDING_HELP}")


def as_float_array(value: ArrayLike, name: str, *, check: bool = True) -> NDArray[np.floating]:
    """A float array (float32 stays float32, everything else becomes float64), all finite.

    With ``check=False`` the caller promises to pass the array to ``require_finite`` itself
    (one check of several arrays is cheaper than one each).
    """
    if type(value) is np.ndarray and value.dtype in _FLOATS:  # the common case, kept cheap
        if check:
            require_finite((value, name))
        return value
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    kind = array.dtype.kind
    if kind not in "fiub":
        what = "complex values" if kind == "c" else f"dtype {array.dtype}"
        raise ValueError(f"{name} must be an array of real numbers, got {what}")
    if array.dtype != np.float32:
        array = array.astype(np.float64)
    if check and kind == "f":
        require_finite((array, name))
    return array


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def require_finite(*named: tuple[NDArray[np.floating], str]) -> None:
    """ValueError naming the first array that holds NaN or an infinity.

    Cheaper than isfinite on every cell: the dot product of the values with themselves is NaN
    or inf whenever a cell is (or when it overflows; the exact check then decides).
    """
    suspects = []
    with np.errstate(all="ignore"):  # an overflow here is not an error, just a slower check
        for array, name in named:
            flat = array.reshape(-1)
            if flat.size and not math.isfinite(float(np.dot(flat, flat))):
                suspects.append((array, name))
    for array, name in suspects:
        _check_finite(array, name)


def _check_finite(array: NDArray[np.floating], name: str) -> None:
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values; only finite numbers are allowed")


def check_fits(
    padded_hw: tuple[int, int],
    window_hw: tuple[int, int],
    what: str,
) -> None:
    """The (dilated) window must fit inside the padded input."""
    if window_hw[0] > padded_hw[0] or window_hw[1] > padded_hw[1]:
        raise ValueError(
            f"the {what} ({window_hw[0]}x{window_hw[1]} cells including dilation) is larger "
            f"than the padded input ({padded_hw[0]}x{padded_hw[1]}); use a smaller {what}, "
            "more padding, or a larger input"
        )


def output_size(padded: int, window: int, stride: int) -> int:
    """floor((padded − window) / stride) + 1."""
    return (padded - window) // stride + 1
