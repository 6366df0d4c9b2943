"""Checking arrays of numbers, and that the sums an operation makes of them stay finite.

An input array must be real numbers (ints, floats or bools; not complex, strings or objects),
rectangular and finite. A result must be finite too: a convolution of finite values can still
overflow (1e200 · 1e200), and a sum of finite values can pass the largest float. Rather than
look at results (whether a sum overflows depends on the order it is added in, which differs
between the matrix product of ``conv2d`` and the written-out sum of a step), the engine refuses
an operation when some sum of |products| would reach the largest float; then no order of
adding can overflow, and ``conv2d``, ``conv_steps`` and the arithmetic text agree.

That check is free for ordinary values: by Cauchy–Schwarz a sum of |x_i·k_i| is at most
‖x‖·‖k‖, and ‖x‖² is the dot product ``require_finite`` computes anyway. Only when that bound
is near the float range is the exact sum of |products| computed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import ArrayLike, NDArray

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_LARGEST = {dtype: float(np.finfo(dtype).max) for dtype in _FLOATS}
_SAFE = {dtype: largest / 2**20 for dtype, largest in _LARGEST.items()}
_MARGIN = 1 - 2**-20  # room for rounding: a sum added in another order may round up a little


def as_float_array(value: ArrayLike, name: str, *, check: bool = True) -> NDArray[np.floating]:
    """A float array (float32 stays float32, everything else becomes float64), all finite.

    With ``check=False`` the caller promises to pass the array to ``require_finite`` itself
    (one check of several arrays is cheaper than one each).

    Raises:
        ValueError: ragged rows, values that are not real numbers (complex, text, objects,
            None), ints too large for a float, or (with ``check``) NaN or infinite values.
    """
    if type(value) is np.ndarray and value.dtype in _FLOATS:  # the common case, kept cheap
        if check:
            require_finite((value, name))
        return value
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged nested lists, huge ints
        raise ValueError(
            f"{name} must be an array of real numbers with rows of equal length, got a "
            f"{type(value).__name__} that is not one"
        ) from None
    kind = array.dtype.kind
    if kind not in "fiub":
        what = "complex values" if kind == "c" else f"values of dtype {array.dtype}"
        raise ValueError(f"{name} must be an array of real numbers, got {what}")
    if array.dtype != np.float32:
        with np.errstate(over="ignore"):  # a float128 beyond float64 becomes inf: refused below
            array = array.astype(np.float64)
    if check and kind == "f":
        require_finite((array, name))
    return array


def require_finite(*named: tuple[NDArray[np.floating], str]) -> tuple[float, ...]:
    """ValueError naming the first array that holds NaN or an infinity; else the sums of squares.

    Cheaper than isfinite on every cell: the dot product of the values with themselves is NaN
    or inf whenever a cell is (or when it overflows; the exact check then decides). The sums
    of squares Σv² (inf when they overflowed) are returned for ``sums_fit``.
    """
    squares: list[float] = []
    suspects = []
    with np.errstate(all="ignore"):  # an overflow here is not an error, just a slower check
        for array, name in named:
            flat = array.reshape(-1)
            square = float(np.dot(flat, flat)) if flat.size else 0.0
            squares.append(square)
            if not math.isfinite(square):
                suspects.append((array, name))
    for array, name in suspects:
        if not np.isfinite(array).all():
            raise ValueError(
                f"{name} contains NaN or infinite values; only finite numbers are allowed"
            )
    return tuple(squares)


def require_sums_fit(
    bound: float,
    dtype: np.dtype[np.floating],
    exact: Callable[[], NDArray[np.floating]],
    what: str,
) -> None:
    """ValueError unless every sum of |products| stays below the largest float.

    Args:
        bound: An upper bound of every such sum (e.g. ‖x‖·‖k‖ + ‖b‖); inf or NaN when unknown.
        dtype: The dtype the operation computes in (float32 or float64).
        exact: Computes every sum of |products| exactly; called only when ``bound`` is large.
        what: The operation, for the message ("the convolution").
    """
    largest = _LARGEST.get(np.dtype(dtype), _LARGEST[np.dtype(np.float64)])
    if bound < _SAFE.get(np.dtype(dtype), largest / 2**20):
        return
    with np.errstate(all="ignore"):
        totals = exact()
        fits = bool(np.all(totals < largest * _MARGIN))
    if not fits:
        raise ValueError(
            f"the values are too large: {what} would make sums beyond the largest "
            f"{np.dtype(dtype).name} number ({largest:.3g}); use smaller values"
        )


def real_number(value: object, name: str) -> float:
    """A finite real number given as one value (an int or float, Python's or NumPy's).

    Raises:
        ValueError: bools, text, None, complex numbers, NaN, ±inf, and ints too large for a
            float; the message names ``name``.
    """
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not real:
        shown = repr(value) if isinstance(value, (str, bytes)) else type(value).__name__
        raise ValueError(f"{name} must be a finite number, got {shown[:40]}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        shown = f"{number}" if isinstance(value, (float, np.floating)) else "an int beyond ±1.8e308"
        raise ValueError(f"{name} must be a finite number, got {shown}")
    return number


def norm(square: float) -> float:
    """‖v‖ from Σv² (inf stays inf)."""
    return math.sqrt(square) if square >= 0 else math.inf
