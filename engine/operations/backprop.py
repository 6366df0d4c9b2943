"""Backpropagation through one convolutional layer (slide 004, "Training CNN").

A 3x3 input X, a 2x2 filter W, no padding, stride 1 → a 2x2 output H. With the error
E = Σ E_h, E_h = ½ (h − t)², each gradient is a sum over the outputs,

    ∂E/∂w_ij = Σ_kl ∂E/∂h_kl · ∂h_kl/∂w_ij = Σ_kl (h_kl − t_kl) · x_(k+i)(l+j),

and the update is w − η · ∂E/∂w. Everything is written out term by term for the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.operations.conv import conv2d
from engine.operations.limits import MAX_BACKPROP_TERMS
from engine.operations.values import as_float_array, real_number

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class GradientTerm:
    """One term ∂E/∂h_kl · x of the sum for a weight's gradient."""

    out_row: int
    out_col: int
    dE_dh: float
    in_row: int
    in_col: int
    x: float

    @property
    def value(self) -> float:
        """This term of the sum: ∂E/∂h_kl · x."""
        return self.dE_dh * self.x


@dataclass(frozen=True)
class BackpropResult:
    """The forward pass, the gradients written as sums, and one gradient-descent update."""

    x: NDArray[np.float64]
    w: NDArray[np.float64]
    target: NDArray[np.float64]
    learning_rate: float
    h: NDArray[np.float64]
    loss: float
    dE_dh: NDArray[np.float64]
    dE_dw: NDArray[np.float64]
    terms: dict[tuple[int, int], tuple[GradientTerm, ...]]
    w_next: NDArray[np.float64]
    h_next: NDArray[np.float64]
    loss_next: float

    def touched_inputs(self, i: int, j: int) -> tuple[tuple[int, int], ...]:
        """The input cells weight w_ij multiplies, one per output (to highlight them)."""
        return tuple((t.in_row, t.in_col) for t in self.terms[(i, j)])


def _finite(value: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    if not np.isfinite(value).all():
        raise ValueError(
            f"the values are too large: {what} passes the largest float64 number; "
            "use smaller values or a smaller learning rate"
        )
    return value


def _loss(h: NDArray[np.float64], target: NDArray[np.float64], what: str) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(0.5 * np.sum((h - target) ** 2))
    if not np.isfinite(loss):
        raise ValueError(
            f"the values are too large: the error E {what} passes the largest float64 number; "
            "use smaller values"
        )
    return loss


def _learning_rate(value: object) -> float:
    rate = real_number(value, "the learning rate")
    if rate < 0:
        raise ValueError(f"the learning rate must not be negative, got {rate}")
    return rate


def conv_backprop(
    x: ArrayLike, w: ArrayLike, target: ArrayLike, learning_rate: float
) -> BackpropResult:
    """Forward pass, ∂E/∂W and one update for a single-channel valid, stride-1 convolution.

    x is the input X (H, W), w the filter W (kh, kw), target the targets t (H', W') with
    H' = H − kh + 1, W' = W − kw + 1; η = ``learning_rate`` ≥ 0.

    Raises:
        ValueError: an array that is not 2-D, empty, not real numbers or not finite; a filter
            larger than the input; a target of another shape than the output; a learning
            rate that is not a finite number ≥ 0 (bools and text included); more than
            ``MAX_BACKPROP_TERMS`` written-out terms (outputs × weights); values so large that
            a result would overflow.
    """
    xa = as_float_array(x, "input X").astype(np.float64)
    wa = as_float_array(w, "filter W").astype(np.float64)
    if xa.ndim != 2 or wa.ndim != 2:
        raise ValueError(
            f"backprop needs a 2-D input X and a 2-D filter W, got shapes {xa.shape} and {wa.shape}"
        )
    rate = _learning_rate(learning_rate)
    ta = as_float_array(target, "target").astype(np.float64)
    h = np.asarray(conv2d(xa, wa), dtype=np.float64)  # refuses an empty or too large filter
    if ta.shape != h.shape:
        raise ValueError(f"the target must have the output's shape {h.shape}, got {ta.shape}")
    terms_count = h.size * wa.size
    if terms_count > MAX_BACKPROP_TERMS:
        raise ValueError(
            f"backprop writes every gradient out term by term: {h.shape[0]}x{h.shape[1]} "
            f"outputs × {wa.shape[0]}x{wa.shape[1]} weights are {terms_count:,} terms; at most "
            f"{MAX_BACKPROP_TERMS:,} are allowed"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        dE_dh = _finite(h - ta, "∂E/∂h = h − t")
    # ∂E/∂W is the input convolved with ∂E/∂H (valid, stride 1).
    dE_dw = np.asarray(conv2d(xa, dE_dh), dtype=np.float64)
    terms = {
        (i, j): tuple(
            GradientTerm(k, l, float(dE_dh[k, l]), k + i, l + j, float(xa[k + i, l + j]))
            for k in range(h.shape[0])
            for l in range(h.shape[1])  # noqa: E741 -- the slide's index names
        )
        for i in range(wa.shape[0])
        for j in range(wa.shape[1])
    }
    with np.errstate(over="ignore", invalid="ignore"):
        w_next = _finite(wa - rate * dE_dw, "the update W − η ∂E/∂W")
    h_next = np.asarray(conv2d(xa, w_next), dtype=np.float64)
    return BackpropResult(
        x=xa,
        w=wa,
        target=ta,
        learning_rate=rate,
        h=h,
        loss=_loss(h, ta, "before the update"),
        dE_dh=dE_dh,
        dE_dw=dE_dw,
        terms=terms,
        w_next=w_next,
        h_next=h_next,
        loss_next=_loss(h_next, ta, "after the update"),
    )
