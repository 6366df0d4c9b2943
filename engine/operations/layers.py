"""The element-wise and fully connected parts of a CNN: ReLU, softmax, flatten, dense."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.operations.blas_threads import on_one_blas_thread
from engine.operations.params import as_float_array

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


def relu(x: ArrayLike) -> NDArray[np.floating]:
    """ReLU(z) = max(0, z), cell by cell (slide 004)."""
    result: NDArray[np.floating] = np.maximum(as_float_array(x, "input x"), 0)
    return result


def softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.floating]:
    """The softmax of ``x`` along ``axis``: e^{y_i} / Σ_j e^{y_j} (slide 002), computed stably.

    Raises:
        ValueError: ``x`` is a scalar or empty, or not finite.
    """
    xa = as_float_array(x, "input x")
    if xa.ndim == 0 or xa.size == 0:
        raise ValueError(f"softmax needs at least one value along an axis, got shape {xa.shape}")
    shifted = np.exp(xa - xa.max(axis=axis, keepdims=True))
    result: NDArray[np.floating] = shifted / shifted.sum(axis=axis, keepdims=True)
    return result


def flatten(x: ArrayLike) -> NDArray[np.floating]:
    """All values in one vector, row by row and channel by channel (Keras's Flatten order)."""
    return as_float_array(x, "input x").reshape(-1)


@on_one_blas_thread
def dense(x: ArrayLike, weights: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.floating]:
    """A fully connected layer: x · W + b, with W (inputs, outputs) as in Keras's Dense.

    x is a vector (inputs,) or a batch (N, inputs); returns (outputs,) or (N, outputs). The
    product runs on one BLAS thread (``engine.operations.blas_threads``).
    """
    xa = as_float_array(x, "input x")
    wa = as_float_array(weights, "weights")
    if wa.ndim != 2:
        raise ValueError(f"weights must be (inputs, outputs), got shape {wa.shape}")
    if xa.ndim not in (1, 2) or xa.shape[-1] != wa.shape[0]:
        raise ValueError(
            f"x has shape {xa.shape} but the weights expect {wa.shape[0]} inputs; "
            "flatten the input first"
        )
    out: NDArray[np.floating] = xa @ wa
    if bias is not None:
        ba = as_float_array(bias, "bias").reshape(-1)
        if ba.shape[0] != wa.shape[1]:
            raise ValueError(
                f"bias must have one value per output ({wa.shape[1]}), got {ba.shape[0]}"
            )
        out = out + ba
    return out
