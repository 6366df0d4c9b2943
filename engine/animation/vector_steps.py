"""The computations after the feature maps, one step at a time: flatten, dense, softmax, loss.

Each function is the textbook formula in NumPy, written so that a lesson can step through it:

* **flatten** (Keras ``Flatten``, channels-last): the maps (H, W, C) become one vector in
  row-major order, cell (r, c) of channel ch going to index (r·W + c)·C + ch (slide 004,
  "CNN in TensorFlow (6/7)": [batch, 7, 7, 64] → [batch, 7 * 7 * 64]);
* **dense** (Keras ``Dense``): z = x·W + b with W (N, K), one output unit per column (slide
  004, "One-Layer Network For Classifying MNIST (3/4)": L_{0,k} = w_{0,k}x_0 + … + w_{783,k}x_783);
* **softmax**: ŷ_k = e^{z_k} / Σ_j e^{z_j} (slide 002, Industrial AI Lab, "CNNs for
  Classification: Class Probabilities");
* **cross-entropy** with a one-hot label y: J = −Σ_k y_k·log ŷ_k, natural logarithm as in
  Keras (slide 004, "How Good the Predictions Are?");
* **the gradient of a one-layer network** with softmax and cross-entropy: ∂J/∂z = ŷ − y,
  ∂J/∂W = xᵀ(ŷ − y), ∂J/∂b = ŷ − y, and one step W − η·∂J/∂W (slide 004).

Everything here is float64 and checked by the caller (``engine.animation.vector_setup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_CELL_STEPS = 100
"""Maps with at most this many cells are flattened one cell per step, larger ones one row of
every channel per step (a 28x28 digit: 28 steps instead of 784)."""


def flatten_index(row: int, col: int, channel: int, shape: tuple[int, int, int]) -> int:
    """The index of cell (row, col) of ``channel`` in the flattened vector, Keras's order.

    Args:
        row: The cell's row, counted from 0.
        col: Its column, counted from 0.
        channel: Its channel, counted from 0.
        shape: The maps' (H, W, C).

    Returns:
        (row·W + col)·C + channel: channels-last, row-major (``numpy.reshape`` of (H, W, C),
        which is what Keras's ``Flatten`` does with ``data_format="channels_last"``).
    """
    _, width, channels = shape
    return (row * width + col) * channels + channel


@dataclass(frozen=True, slots=True)
class FlattenStep:
    """Cells of the maps that one step moves into the vector, in the vector's order.

    Attributes:
        index: The step's number, from 0.
        cells: (row, col, channel) of each cell moved, counted from 0.
        indices: The index in the vector of each cell, ``flatten_index``; consecutive.
        values: The cells' values, (len(cells),).
        whole_row: Whether the step moves a whole row of every channel (large maps).
    """

    index: int
    cells: tuple[tuple[int, int, int], ...]
    indices: tuple[int, ...]
    values: NDArray[np.float64]
    whole_row: bool

    @property
    def first(self) -> int:
        """The vector index of the step's first cell."""
        return self.indices[0]

    @property
    def last(self) -> int:
        """The vector index of the step's last cell."""
        return self.indices[-1]


def flatten_steps(maps: NDArray[np.float64]) -> tuple[FlattenStep, ...]:
    """The steps that flatten (H, W, C) maps: one cell each, or one row of every channel each.

    A row step moves cells (r, 0, 0), (r, 0, 1), …, (r, W − 1, C − 1): indices r·W·C to
    (r + 1)·W·C − 1, a run of the vector. Maps of more than ``MAX_CELL_STEPS`` cells go row
    by row.
    """
    h, w, c = maps.shape
    shape = (h, w, c)
    if h * w * c <= MAX_CELL_STEPS:
        groups = [[(r, col, ch)] for r in range(h) for col in range(w) for ch in range(c)]
    else:
        groups = [[(r, col, ch) for col in range(w) for ch in range(c)] for r in range(h)]
    steps = []
    for number, cells in enumerate(groups):
        values = np.array([maps[r, col, ch] for r, col, ch in cells], dtype=np.float64)
        values.flags.writeable = False
        indices = tuple(flatten_index(r, col, ch, shape) for r, col, ch in cells)
        steps.append(FlattenStep(number, tuple(cells), indices, values, len(cells) > 1))
    return tuple(steps)


def flatten(maps: NDArray[np.float64]) -> NDArray[np.float64]:
    """(H, W, C) maps → (H·W·C,) vector in Keras's ``Flatten`` order (``flatten_index``)."""
    return np.ascontiguousarray(maps, dtype=np.float64).reshape(-1)


def dense(
    x: NDArray[np.float64], weights: NDArray[np.float64], bias: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The outputs x·W + b: (N,) · (N, K) + (K,) → (K,), Keras's ``Dense`` without activation."""
    z: NDArray[np.float64] = x @ weights + bias
    return z


@dataclass(frozen=True, slots=True)
class SoftmaxParts:
    """Softmax written the slide's way: e^z for each class, their sum, each division.

    Attributes:
        exps: e^{z_k}, (K,).
        total: Σ_k e^{z_k}.
        probabilities: e^{z_k} / Σ, (K,); they add up to 1.
    """

    exps: NDArray[np.float64]
    total: float
    probabilities: NDArray[np.float64]


def softmax_parts(logits: NDArray[np.float64]) -> SoftmaxParts:
    """e^z, Σ e^z and e^z / Σ e^z for logits (K,), exactly as written (no shift by max z).

    The caller keeps |z| small enough (``engine.animation.vector_setup.MAX_ABS_LOGIT``) that
    e^z is finite; frameworks subtract max z first, which gives the same probabilities.
    """
    exps = np.exp(logits)
    total = float(exps.sum())
    return SoftmaxParts(exps, total, exps / total)


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Softmax of any finite logits (K,), computed as e^(z − max z) / Σ e^(z − max z)."""
    shifted = np.exp(logits - logits.max())
    result: NDArray[np.float64] = shifted / shifted.sum()
    return result


def one_hot(label: int, classes: int) -> NDArray[np.float64]:
    """The one-hot vector of ``label`` among ``classes`` classes (slide 004: "this is a 6")."""
    y = np.zeros(classes, dtype=np.float64)
    y[label] = 1.0
    return y


def cross_entropy_terms(
    onehot: NDArray[np.float64], probabilities: NDArray[np.float64]
) -> NDArray[np.float64]:
    """y_k·log ŷ_k for each class (natural log); a class with y_k = 0 gives 0.

    Every ŷ_k must be > 0 (the caller checks); the cross-entropy is −Σ of these terms.
    """
    terms: NDArray[np.float64] = onehot * np.log(probabilities)
    return terms


def cross_entropy_of_logits(logits: NDArray[np.float64], label: int) -> float:
    """−log softmax(z)[label], computed stably as log Σ e^(z − m) − (z[label] − m), m = max z."""
    top = float(logits.max())
    return float(np.log(np.exp(logits - top).sum()) - (logits[label] - top))


@dataclass(frozen=True, slots=True)
class OneLayerStep:
    """One gradient-descent step of a one-layer softmax network on one example (slide 004).

    Attributes:
        gradient_z: ∂J/∂z = ŷ − y, (K,); also ∂J/∂b.
        gradient_w: ∂J/∂W = xᵀ(ŷ − y), (N, K): column k is x·(ŷ_k − y_k).
        weights_next: W − η·∂J/∂W, (N, K).
        bias_next: b − η·∂J/∂b, (K,).
        logits_next: x·W′ + b′, (K,).
        probabilities_next: softmax of ``logits_next`` (stable form), (K,).
        loss_next: −log ŷ′[label].
    """

    gradient_z: NDArray[np.float64]
    gradient_w: NDArray[np.float64]
    weights_next: NDArray[np.float64]
    bias_next: NDArray[np.float64]
    logits_next: NDArray[np.float64]
    probabilities_next: NDArray[np.float64]
    loss_next: float


def one_layer_step(
    x: NDArray[np.float64],
    weights: NDArray[np.float64],
    bias: NDArray[np.float64],
    probabilities: NDArray[np.float64],
    onehot: NDArray[np.float64],
    learning_rate: float,
) -> OneLayerStep:
    """The gradients of J = −Σ y·log softmax(x·W + b) and one step W − η·∂J/∂W, b − η·∂J/∂b.

    Args:
        x: The input vector (N,).
        weights: W (N, K).
        bias: b (K,).
        probabilities: ŷ = softmax(x·W + b), (K,).
        onehot: The label y, (K,).
        learning_rate: η > 0.

    Returns:
        The gradients, the new weights and bias, and the loss after the step.
    """
    gradient_z = probabilities - onehot
    gradient_w = np.outer(x, gradient_z)
    weights_next = weights - learning_rate * gradient_w
    bias_next = bias - learning_rate * gradient_z
    logits_next = dense(x, weights_next, bias_next)
    label = int(np.argmax(onehot))
    return OneLayerStep(
        gradient_z,
        gradient_w,
        weights_next,
        bias_next,
        logits_next,
        softmax(logits_next),
        cross_entropy_of_logits(logits_next, label),
    )
