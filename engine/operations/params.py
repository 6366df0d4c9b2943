"""Checking the parameters of convolution and pooling: one path for every operation.

``judge_geometry`` (remembered by ``window_geometry``) is the only place where an input size,
a kernel or pool size, a stride, a padding and a dilation are judged; ``conv2d``,
``conv_steps``, ``pool2d``, ``pool_steps`` and ``output_shape`` all call it, so the same
parameters get the same answer and the same message everywhere. Bad input always becomes a
``ValueError`` that names the argument, says what it was and what is allowed, and is raised
before anything is allocated. The limits are those of ``engine.operations.limits``; the
arrays' own checks are in ``engine.operations.values``.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeGuard

import numpy as np

from engine.operations.limits import MAX_CELLS, MAX_SIDE
from engine.operations.values import as_float_array, require_finite

__all__ = [
    "PADDING_HELP",
    "Geometry",
    "IntPair",
    "Padding",
    "PaddingSpec",
    "as_float_array",
    "check_fits",
    "describe",
    "describe_typed",
    "effective_size",
    "judge_geometry",
    "output_size",
    "pair",
    "require_finite",
    "resolve_padding",
    "same_padding",
    "whole",
    "window_geometry",
]

IntPair = int | tuple[int, int]
PaddingSpec = str | int | tuple[tuple[int, int], tuple[int, int]]

PADDING_HELP = (
    'padding must be "valid", "same", a non-negative int, or ((top, bottom), (left, right))'
)

_REPR = reprlib.Repr()
_REPR.maxstring = 40
_REPR.maxother = 40
_REPR.maxlist = _REPR.maxtuple = 4


def describe(value: object, depth: int = 0) -> str:
    """A value for a message, briefly and safely (huge ints, long or deep lists summarised)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        digits = int(value).bit_length() * 0.30103
        return str(int(value)) if digits < 30 else f"an int of about {int(digits) + 1} digits"
    if isinstance(value, (tuple, list)):
        if depth >= 3:
            return "(…)" if isinstance(value, tuple) else "[…]"
        shown = [describe(v, depth + 1) for v in value[:4]]
        inner = ", ".join(shown) + (", …" if len(value) > 4 else "")
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    try:
        return _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not hide the real problem
        return f"a {type(value).__name__}"


def describe_typed(value: object) -> str:
    """``describe`` followed by the value's type, for messages about a wrong type."""
    return f"{describe(value)} ({type(value).__name__})"


def _is_int(value: object) -> TypeGuard[int | np.integer[Any]]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def whole(value: object, name: str, *, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high``; ValueError naming ``name`` otherwise.

    Python and NumPy ints are accepted; bools, floats (even 2.0), strings and None are not.
    """
    if type(value) is int and low <= value <= high:  # the common case, kept cheap
        return value
    if not _is_int(value):
        raise ValueError(f"{name} must be an int, got {describe_typed(value)}")
    number = int(value)
    if number < low:
        raise ValueError(f"{name} must be at least {low}, got {describe(number)}")
    if number > high:
        raise ValueError(f"{name} must be at most {high:,}, got {describe(number)}")
    return number


def pair(value: object, name: str, *, minimum: int = 1, maximum: int = MAX_SIDE) -> tuple[int, int]:
    """An int or (rows, cols) pair of ints, each from ``minimum`` to ``maximum``.

    Raises:
        ValueError: a bool, float, string, None, a pair of another length, or a number out of
            range; the message names ``name`` and what is allowed.
    """
    if type(value) is int and minimum <= value <= maximum:  # the common case, kept cheap
        return (value, value)
    if _is_int(value):
        values: tuple[object, ...] = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        values = tuple(value)
    else:
        raise ValueError(
            f"{name} must be an int or a (rows, cols) pair of ints, got {describe_typed(value)}"
        )
    result: list[int] = []
    for v in values:
        if not _is_int(v):
            raise ValueError(
                f"{name} must be made of ints, got {describe(value)}: "
                f"{describe_typed(v)} is not an int"
            )
        number = int(v)
        if number < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {describe(value)}")
        if number > maximum:
            raise ValueError(f"{name} must be at most {maximum:,}, got {describe(value)}")
        result.append(number)
    return (result[0], result[1])


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


def effective_size(kernel: int, dilation: int) -> int:
    """How many input cells a dilated kernel spans: (k − 1)·d + 1."""
    return (kernel - 1) * dilation + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow/Keras "same" padding along one axis: output ceil(size / stride).

    An odd total goes to the end (bottom or right), exactly as TensorFlow does. Integer
    arithmetic only, so any int is safe.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_size(kernel, dilation) - size, 0)
    return (total // 2, total - total // 2)


def resolve_padding(
    padding: object,
    input_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> Padding:
    """Turn any accepted padding spec into explicit amounts on each side.

    Raises:
        ValueError: an unknown string, a negative amount, or anything but "valid", "same",
            an int or ((top, bottom), (left, right)) of ints.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return Padding(0, 0, 0, 0)
        if mode == "same":
            top, bottom = same_padding(input_hw[0], kernel_hw[0], stride[0], dilation[0])
            left, right = same_padding(input_hw[1], kernel_hw[1], stride[1], dilation[1])
            return Padding(top, bottom, left, right)
        raise ValueError(f"unknown padding {describe(padding)}; {PADDING_HELP}")
    if _is_int(padding):
        p = int(padding)
        if p < 0:
            raise ValueError(f"padding must not be negative, got {p}; {PADDING_HELP}")
        return Padding(p, p, p, p)
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        sides: list[int] = []
        for axis in padding:
            if not (isinstance(axis, (tuple, list)) and len(axis) == 2):
                raise ValueError(f"bad padding {describe(padding)}; {PADDING_HELP}")
            for v in axis:
                if not _is_int(v) or v < 0:
                    raise ValueError(
                        f"bad padding {describe(padding)}: amounts must be non-negative ints; "
                        f"{PADDING_HELP}"
                    )
                sides.append(int(v))
        return Padding(*sides)
    raise ValueError(f"bad padding {describe_typed(padding)}; {PADDING_HELP}")


def check_fits(
    padded_hw: tuple[int, int],
    window_hw: tuple[int, int],
    what: str,
) -> None:
    """The (dilated) window must fit inside the padded input."""
    if window_hw[0] > padded_hw[0] or window_hw[1] > padded_hw[1]:
        dilation = " including dilation" if what == "kernel" else ""
        raise ValueError(
            f"the {what} ({window_hw[0]}x{window_hw[1]} cells{dilation}) is larger "
            f"than the padded input ({padded_hw[0]}x{padded_hw[1]}); use a smaller {what}, "
            "more padding, or a larger input"
        )


def output_size(padded: int, window: int, stride: int) -> int:
    """floor((padded − window) / stride) + 1."""
    return (padded - window) // stride + 1


class Geometry(NamedTuple):
    """How a window slides over an input: the checked parameters and the output size."""

    window: tuple[int, int]
    """The kernel or pool size (rows, cols), before dilation."""
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: Padding
    out_hw: tuple[int, int]


def _typed_key(value: object) -> object:
    """A cache key that tells 1 from 1.0 and True and turns lists into tuples.

    1, 1.0 and True compare and hash equal, so as plain keys they would share a cache entry.
    """
    if isinstance(value, (list, tuple)):
        return (type(value), *(_typed_key(v) for v in value))
    return (type(value), value)


_GEOMETRIES: dict[tuple[object, ...], Geometry] = {}
_GEOMETRIES_KEPT = 512


def window_geometry(
    input_hw: tuple[int, int],
    window: object,
    stride: object,
    padding: object,
    dilation: object,
    *,
    channels: int,
    maps: int,
    pooling: bool,
) -> Geometry:
    """Check every parameter of a convolution or pooling, in one order, and size its output.

    Checked once per combination and remembered: animation and the digit lab repeat the same
    geometry thousands of times, and the checks cost more than a small convolution. The key
    tells 1 from 1.0 and True, so a remembered answer is never given to another type.
    """
    simple = type(stride) is int and type(dilation) is int and type(padding) in (str, int)
    if simple and type(window) is tuple:  # a kernel's shape: ints, from the array
        simple = all(type(v) is int for v in window)
    elif simple:
        simple = type(window) is int
    if simple:
        key: tuple[object, ...] = (
            input_hw, window, stride, padding, dilation, channels, maps, pooling,
        )  # fmt: skip
    else:
        key = (
            input_hw, _typed_key(window), _typed_key(stride), _typed_key(padding),
            _typed_key(dilation), channels, maps, pooling,
        )  # fmt: skip
    try:
        return _GEOMETRIES[key]
    except KeyError:
        pass
    except TypeError:  # something unhashable: let the checks say what is wrong with it
        return judge_geometry(
            input_hw, window, stride, padding, dilation,
            channels=channels, maps=maps, pooling=pooling,
        )  # fmt: skip
    geometry = judge_geometry(
        input_hw, window, stride, padding, dilation, channels=channels, maps=maps, pooling=pooling
    )  # or ValueError: refusals are not remembered
    if len(_GEOMETRIES) >= _GEOMETRIES_KEPT:
        _GEOMETRIES.clear()
    _GEOMETRIES[key] = geometry
    return geometry


def judge_geometry(
    input_hw: tuple[int, int],
    window: object,
    stride: object,
    padding: object,
    dilation: object,
    *,
    channels: int,
    maps: int,
    pooling: bool,
) -> Geometry:
    """Check every parameter of a convolution or pooling, in one order, and size its output.

    ``window_geometry`` remembers the answers of this function.

    Args:
        input_hw: The input's (H, W), each at least 1.
        window: The kernel size (convolution) or pool size (pooling): an int or a pair.
        stride: An int or a pair.
        padding: "valid", "same", an int, or ((top, bottom), (left, right)).
        dilation: An int or a pair; a pooling takes 1 only.
        channels: C, the input's channels.
        maps: The output's channels: D filters (convolution) or C (pooling).
        pooling: Judge as a pooling (Keras's rule that padding is smaller than the window)
            rather than a convolution (padding up to the dilated kernel's size).

    Returns:
        The checked parameters and the output size (H', W').

    Raises:
        ValueError: the first parameter that breaks a rule of ``engine.operations.limits``,
            named, with what it was and what is allowed.
    """
    noun = "pool window" if pooling else "kernel"
    h, w = input_hw
    if h > MAX_SIDE or w > MAX_SIDE:
        raise ValueError(
            f"the input is {describe(h)}x{describe(w)} cells; at most {MAX_SIDE:,} cells a side "
            "are allowed"
        )
    size = pair(window, "pool size" if pooling else "kernel size")
    strides = pair(stride, "stride")
    dilations = pair(dilation, "dilation")
    if pooling and dilations != (1, 1):
        raise ValueError(f"pooling has no dilation: dilation must be 1, got {describe(dilation)}")
    spans = (effective_size(size[0], dilations[0]), effective_size(size[1], dilations[1]))
    if max(spans) > MAX_SIDE:
        raise ValueError(
            f"the {noun} spans {spans[0]}x{spans[1]} cells including dilation; at most "
            f"{MAX_SIDE:,} cells a side are allowed"
        )
    pad = resolve_padding(padding, (h, w), size, strides, dilations)
    _check_padding(pad, padding, spans, pooling)
    padded = (h + pad.top + pad.bottom, w + pad.left + pad.right)
    if max(padded) > MAX_SIDE:
        raise ValueError(
            f"the padded input would be {padded[0]}x{padded[1]} cells; at most {MAX_SIDE:,} "
            "cells a side are allowed"
        )
    check_fits(padded, spans, noun)
    out = (
        output_size(padded[0], spans[0], strides[0]),
        output_size(padded[1], spans[1], strides[1]),
    )
    _check_cells(padded, size, out, channels, maps, noun)
    return Geometry(size, strides, dilations, pad, out)


def _check_padding(pad: Padding, given: object, spans: tuple[int, int], pooling: bool) -> None:
    """Padding beyond the window only adds outputs that read nothing but padding."""
    rows, cols = max(pad.top, pad.bottom), max(pad.left, pad.right)
    if pooling and (rows >= spans[0] or cols >= spans[1]):
        raise ValueError(
            f"padding {describe(given)} is as large as the pool window {spans[0]}x{spans[1]}: "
            "some windows would hold only padding; padding must be smaller than the pool size"
        )
    if rows > spans[0] or cols > spans[1]:
        raise ValueError(
            f"padding must be at most the kernel's size ({spans[0]}x{spans[1]} cells including "
            f"dilation) on each side, got {describe(given)}"
        )


def _check_cells(
    padded: tuple[int, int],
    size: tuple[int, int],
    out: tuple[int, int],
    channels: int,
    maps: int,
    noun: str,
) -> None:
    """What the operation would allocate: the padded input, the windows it reads, its output."""
    counts = (
        (padded[0] * padded[1] * channels, f"the padded input would hold {{n:,}} values "
         f"({padded[0]}x{padded[1]}x{channels})"),
        (out[0] * out[1] * size[0] * size[1] * channels, f"the {noun} would read {{n:,}} "
         f"values ({out[0]}x{out[1]} outputs × {size[0]}x{size[1]} cells × {channels} "
         "channel(s))"),
        (out[0] * out[1] * maps, f"the output would hold {{n:,}} values "
         f"({out[0]}x{out[1]}x{maps})"),
    )  # fmt: skip
    for n, text in counts:
        if n > MAX_CELLS:
            raise ValueError(text.format(n=n) + f"; at most {MAX_CELLS:,} are allowed")
