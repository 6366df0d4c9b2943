"""The element-wise and fully connected parts of a CNN: ReLU, softmax, flatten, dense."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.operations.blas_threads import on_one_blas_thread
from engine.operations.params import whole
from engine.operations.values import as_float_array, norm, require_finite, require_sums_fit

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


def _values(x: ArrayLike, name: str = "input x") -> NDArray[np.floating]:
    """A finite, non-empty float array (any shape, a single number included)."""
    xa = as_float_array(x, name)
    if xa.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {xa.shape}")
    return xa


def relu(x: ArrayLike) -> NDArray[np.floating]:
    """ReLU(z) = max(0, z), cell by cell (slide 004); any shape, the same shape back.

    Raises:
        ValueError: ``x`` is empty, not real numbers, or not finite.
    """
    result: NDArray[np.floating] = np.maximum(_values(x), 0)
    return result


def softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.floating]:
    """The softmax of ``x`` along ``axis``: e^{y_i} / Σ_j e^{y_j} (slide 002), computed stably.

    Raises:
        ValueError: ``x`` is a scalar or empty, not real numbers, or not finite; ``axis`` is
            not an int naming one of x's axes.
    """
    xa = as_float_array(x, "input x")
    if xa.ndim == 0 or xa.size == 0:
        raise ValueError(f"softmax needs at least one value along an axis, got shape {xa.shape}")
    axis = whole(axis, "axis", low=-xa.ndim, high=xa.ndim - 1)
    with np.errstate(over="ignore"):  # 1e308 − (−1e308) is −inf: its e^ is 0, as it should be
        shifted = np.exp(xa - xa.max(axis=axis, keepdims=True))
    result: NDArray[np.floating] = shifted / shifted.sum(axis=axis, keepdims=True)
    return result


def flatten(x: ArrayLike) -> NDArray[np.floating]:
    """All values in one vector, row by row and channel by channel (Keras's Flatten order).

    Raises:
        ValueError: ``x`` is empty, not real numbers, or not finite.
    """
    return _values(x).reshape(-1)


@on_one_blas_thread
def dense(x: ArrayLike, weights: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.floating]:
    """A fully connected layer: x · W + b, with W (inputs, outputs) as in Keras's Dense.

    x is a vector (inputs,) or a batch (N, inputs); returns (outputs,) or (N, outputs). The
    product runs on one BLAS thread (``engine.operations.blas_threads``).

    Raises:
        ValueError: an array that is empty, not real numbers or not finite; W not 2-D; x not
            1-D or 2-D or of another length than W's inputs; a bias of another length than
            W's outputs; values whose products would overflow.
    """
    xa = as_float_array(x, "input x", check=False)
    wa = as_float_array(weights, "weights", check=False)
    if wa.ndim != 2 or wa.size == 0:
        raise ValueError(f"weights must be a non-empty (inputs, outputs) array, got {wa.shape}")
    if xa.ndim not in (1, 2) or xa.size == 0 or xa.shape[-1] != wa.shape[0]:
        raise ValueError(
            f"x has shape {xa.shape} but the weights expect {wa.shape[0]} inputs; "
            "flatten the input first"
        )
    ba = None if bias is None else as_float_array(bias, "bias", check=False).reshape(-1)
    if ba is not None and ba.shape[0] != wa.shape[1]:
        raise ValueError(f"bias must have one value per output ({wa.shape[1]}), got {ba.shape[0]}")
    named = [(xa, "input x"), (wa, "weights")] + ([] if ba is None else [(ba, "bias")])
    squares = require_finite(*named)
    bound = norm(squares[0]) * norm(squares[1]) + (norm(squares[2]) if ba is not None else 0.0)
    dtype = np.result_type(*(a for a, _ in named))
    require_sums_fit(
        bound,
        dtype,
        lambda: np.abs(xa) @ np.abs(wa) + (0 if ba is None else np.abs(ba)),
        "the dense layer",
    )
    out: NDArray[np.floating] = xa @ wa
    if ba is not None:
        out = out + ba
    return out
