"""Converters between the ONNX/PyTorch layout and the engine's (Keras's) layout.

ONNX and PyTorch store conv kernels as (D, C, kh, kw) and activations as NCHW; the engine, like
Keras, uses (kh, kw, C, D) kernels and channels-last (H, W, C) activations.

A converter moves values and keeps their dtype; it does not judge them: NaN stays NaN and an
empty array stays empty (the model reader decides what it accepts). What it cannot move is
refused with a ValueError: text, objects, complex numbers, ragged rows, the wrong number of
dimensions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


def _array(value: ArrayLike, name: str, ndims: tuple[int, ...]) -> NDArray[np.generic]:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged nested lists, huge ints
        raise ValueError(
            f"{name} must be an array of real numbers with rows of equal length, got a "
            f"{type(value).__name__} that is not one"
        ) from None
    if array.dtype.kind not in "fiub":
        what = "complex values" if array.dtype.kind == "c" else f"values of dtype {array.dtype}"
        raise ValueError(f"{name} must be an array of real numbers, got {what}")
    if array.ndim not in ndims:
        allowed = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {allowed}, got shape {array.shape}")
    return array


def kernel_from_onnx(kernel: ArrayLike) -> NDArray[np.generic]:
    """(D, C, kh, kw) → (kh, kw, C, D).

    Raises:
        ValueError: not an array of real numbers, or another number of dimensions.
    """
    return np.ascontiguousarray(_array(kernel, "ONNX kernel", (4,)).transpose(2, 3, 1, 0))


def kernel_to_onnx(kernel: ArrayLike) -> NDArray[np.generic]:
    """(kh, kw, C, D) → (D, C, kh, kw).

    Raises:
        ValueError: not an array of real numbers, or another number of dimensions.
    """
    return np.ascontiguousarray(_array(kernel, "engine kernel", (4,)).transpose(3, 2, 0, 1))


def nchw_to_nhwc(x: ArrayLike) -> NDArray[np.generic]:
    """(N, C, H, W) → (N, H, W, C), or (C, H, W) → (H, W, C).

    Raises:
        ValueError: not an array of real numbers, or another number of dimensions.
    """
    array = _array(x, "NCHW activation", (3, 4))
    axes = (1, 2, 0) if array.ndim == 3 else (0, 2, 3, 1)
    return np.ascontiguousarray(array.transpose(axes))


def nhwc_to_nchw(x: ArrayLike) -> NDArray[np.generic]:
    """(N, H, W, C) → (N, C, H, W), or (H, W, C) → (C, H, W).

    Raises:
        ValueError: not an array of real numbers, or another number of dimensions.
    """
    array = _array(x, "NHWC activation", (3, 4))
    axes = (2, 0, 1) if array.ndim == 3 else (0, 3, 1, 2)
    return np.ascontiguousarray(array.transpose(axes))
