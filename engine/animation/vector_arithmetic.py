"""The arithmetic of a vector lesson's steps written out, by the playground's one number rule.

Every number goes through ``engine.animation.numbers.write``: exact when short, otherwise
rounded and marked (an operand "0.556…", a result "≈ 0.854"), so a written sum adds up to what
it shows. A dense unit's sum of N products is written in the long-sum form of
``engine.animation.arithmetic``: the ``MAX_TERMS`` largest products, in index order, then
"… (+ n more terms: s)" with what the others add up to, then the bias. Indices count from 0,
as slide 004 does (x_0 … x_783, L_{0,0} … L_{0,9}); log is the natural logarithm, as in Keras.

Each text is one or more lines: a line naming what is computed ("z[3] = x·w[:, 3] + b[3] …"),
then the numbers ("1×0.5 + … + 0.1 ≈ 2.35").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.arithmetic import MAX_TERMS, left_out_text
from engine.animation.layer_shapes import tensor_text
from engine.animation.numbers import write

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from engine.animation.layer_shapes import LayerShape
    from engine.animation.vector_setup import VectorResult, VectorSpec
    from engine.animation.vector_steps import FlattenStep

SUM_TOLERANCE = 1e-9
"""How far from 1 probabilities may add up before the loss's text says they do not."""


def _op(value: float) -> str:
    return write(float(value)).operand


def _item(value: float) -> str:
    return write(float(value)).item


def _equals(value: float) -> str:
    return write(float(value)).equals


def _alone(value: float) -> str:
    return write(float(value)).alone


def _largest(spec: VectorSpec, values: NDArray[np.float64]) -> tuple[str, str]:
    """The class of the largest value (the first on ties) and that value, "= v" or "≈ v"."""
    best = int(np.argmax(values))
    return spec.class_name(best), _equals(values[best])


def shown_terms(products: NDArray[np.float64]) -> NDArray[np.intp]:
    """The indices of the products a long sum writes out, in index order.

    All of them when there are at most ``MAX_TERMS``, else the ``MAX_TERMS`` largest in size
    (the first on ties).
    """
    if products.size <= MAX_TERMS:
        return np.arange(products.size)
    order = np.argsort(-np.abs(products), kind="stable")[:MAX_TERMS]
    return np.sort(order)


def long_sum(xs: NDArray[np.float64], ws: NDArray[np.float64]) -> str:
    """x×w + x×w + … for two vectors (N,), shortened to the largest products (``shown_terms``).

    Ends with "… (+ n more terms: s)" when products are left out, s what they add up to.
    """
    products = xs * ws
    shown = shown_terms(products)
    text = " + ".join(f"{_op(xs[i])}×{_op(ws[i])}" for i in shown)
    hidden = np.setdiff1d(np.arange(products.size), shown)
    if hidden.size:
        rest = float(products[hidden].sum())
        text += " " + left_out_text(int(hidden.size), rest, bool(np.all(ws[hidden] == 0)))
    return text


def plain_sum(values: NDArray[np.float64]) -> str:
    """The values of a vector added up: "a + b + …", after ``MAX_TERMS`` values shortened."""
    shown = values[:MAX_TERMS]
    text = " + ".join(_item(v) for v in shown)
    if values.size > MAX_TERMS:
        rest = values[MAX_TERMS:]
        text += " " + left_out_text(int(rest.size), float(rest.sum()), False)
    return text


# ----- flatten --------------------------------------------------------------------------------
def flatten_text(step: FlattenStep, spec: VectorSpec) -> str:
    """Where the step's cells go: x[i] = map[r, c], and the index (r·W + c)·C + ch = i."""
    assert spec.maps is not None  # a flatten step belongs to a lesson with maps
    _, width, channels = spec.maps.shape
    if not step.whole_row:
        r, c, ch = step.cells[0]
        value = float(step.values[0])
        return (
            f"x[{step.first}] = {spec.map_name(ch)}[{r}, {c}] {_equals(value)}\n"
            f"index (r·W + c)·C + ch = ({r}·{width} + {c})·{channels} + {ch} = {step.first}"
        )
    r = step.cells[0][0]
    nonzero = int(np.count_nonzero(step.values))
    cells = f"{width} cells" + (f" × {channels} channels" if channels > 1 else "")
    return (
        f"x[{step.first}] … x[{step.last}] = row {r} of {spec.input_name or 'the maps'} "
        f"({cells})\n"
        f"index (r·W + c)·C + ch = ({r}·{width} + c)·{channels} + ch = {step.first} … "
        f"{step.last}\n"
        f"{nonzero} of these {len(step.cells)} values are not 0"
    )


# ----- dense ----------------------------------------------------------------------------------
def dense_text(result: VectorResult, k: int, *, decide: bool = False) -> str:
    """z[k] = Σ x[i]·w[i, k] + b[k], written out; ``decide`` adds which unit is largest."""
    spec = result.spec
    assert result.x is not None
    assert result.logits is not None
    assert spec.weights is not None
    assert spec.bias is not None
    name = spec.class_name(k)
    n = result.x.size
    body = long_sum(result.x, spec.weights[:, k])
    text = (
        f"z[{name}] = x·w[:, {name}] + b[{name}], {n} products\n"
        f"{body} + {_op(spec.bias[k])} {_equals(result.logits[k])}"
    )
    if decide:
        best, value = _largest(spec, result.logits)
        text += f"\nThe largest output is z[{best}] {value}: the network votes {best}"
    return text


# ----- softmax --------------------------------------------------------------------------------
def exponent_text(result: VectorResult, k: int) -> str:
    """e^z[k] = e^(z) ≈ value."""
    assert result.logits is not None
    assert result.softmax is not None
    name = result.spec.class_name(k)
    return f"e^z[{name}] = e^({_item(result.logits[k])}) {_equals(result.softmax.exps[k])}"


def exponent_sum_text(result: VectorResult) -> str:
    """Σ e^z = e^z[0] + … + e^z[K−1], written out."""
    assert result.softmax is not None
    parts = result.softmax
    names = [result.spec.class_name(k) for k in range(result.units)]
    return (
        f"Σ e^z = e^z[{names[0]}] + … + e^z[{names[-1]}]\n"
        f"{plain_sum(parts.exps)} {_equals(parts.total)}"
    )


def divide_text(result: VectorResult, k: int, *, last: bool = False) -> str:
    """ŷ[k] = e^z[k] / Σ e^z; ``last`` adds the most probable class."""
    assert result.softmax is not None
    parts = result.softmax
    spec = result.spec
    name = spec.class_name(k)
    text = (
        f"ŷ[{name}] = e^z[{name}] / Σ e^z\n"
        f"{_op(parts.exps[k])} / {_op(parts.total)} {_equals(parts.probabilities[k])}"
    )
    if last:
        best, value = _largest(spec, parts.probabilities)
        text += (
            f"\nThe {result.units} probabilities add up to 1; the most probable class is "
            f"{best}, ŷ {value}"
        )
    return text


# ----- cross-entropy --------------------------------------------------------------------------
def _label_and_probability(result: VectorResult, k: int) -> tuple[str, int, float]:
    """Class k's name, its one-hot label y[k] (0 or 1) and its probability ŷ[k]."""
    assert result.onehot is not None
    assert result.probabilities is not None
    return result.spec.class_name(k), int(result.onehot[k]), float(result.probabilities[k])


def loss_term_text(result: VectorResult, k: int) -> str:
    """y[k]·log ŷ[k]: the label's 0 or 1 times the log of the probability."""
    assert result.log_terms is not None
    name, y, p = _label_and_probability(result, k)
    log = math.log(p)
    return (
        f"y[{name}]·log ŷ[{name}] = {y}×log {_item(p)}, log {_item(p)} {_equals(log)}\n"
        f"{y}×{_op(log)} {_equals(result.log_terms[k])}"
    )


def loss_text(result: VectorResult) -> str:
    """J = −Σ y·log ŷ: the negated terms added up, and a remark if ŷ does not add up to 1."""
    assert result.log_terms is not None
    assert result.loss is not None
    assert result.probabilities is not None
    spec = result.spec
    label = spec.class_name(int(spec.label or 0))
    text = (
        f"J = −Σ y·log ŷ = −log ŷ[{label}] (y is 1 for the true class {label}, 0 for the "
        f"others)\n{plain_sum(-result.log_terms + 0.0)} {_equals(result.loss)}"
    )
    total = float(result.probabilities.sum())
    if abs(total - 1) > SUM_TOLERANCE:
        text += f"\n(these ŷ add up to {_alone(total)}, not 1: no softmax gives them)"
    return text


# ----- the update -----------------------------------------------------------------------------
def _x_nonzero(result: VectorResult) -> int:
    assert result.x is not None
    return int(np.count_nonzero(result.x))


def gradient_text(result: VectorResult, k: int) -> str:
    """∂J/∂z[k] = ŷ[k] − y[k], and what it makes of unit k's bias and weights."""
    assert result.update is not None
    assert result.x is not None
    name, y, p = _label_and_probability(result, k)
    g = float(result.update.gradient_z[k])
    return (
        f"∂J/∂z[{name}] = ŷ[{name}] − y[{name}]\n"
        f"{_item(p)} − {y} {_equals(g)}\n"
        f"∂J/∂b[{name}] = ∂J/∂z[{name}]; ∂J/∂w[i, {name}] = x[i]·∂J/∂z[{name}], not 0 for "
        f"the {_x_nonzero(result)} of {result.x.size} inputs with x[i] ≠ 0"
    )


def example_input(x: NDArray[np.float64]) -> int:
    """The input whose weight the update's text writes out: the first of the largest |x[i]|."""
    return int(np.argmax(np.abs(x)))


def update_text(result: VectorResult, k: int) -> str:
    """b[k] − η·∂J/∂b[k], one weight w[i, k] − η·∂J/∂w[i, k], and how many others change."""
    update, spec = result.update, result.spec
    assert update is not None
    assert result.x is not None
    assert result.learning_rate is not None
    assert spec.weights is not None
    assert spec.bias is not None
    name = spec.class_name(k)
    eta = _op(result.learning_rate)
    i = example_input(result.x)
    return (
        f"b[{name}]: {_op(spec.bias[k])} − {eta}×{_op(update.gradient_z[k])} "
        f"{_equals(update.bias_next[k])}\n"
        f"w[{i}, {name}]: {_op(spec.weights[i, k])} − {eta}×{_op(update.gradient_w[i, k])} "
        f"{_equals(update.weights_next[i, k])}\n"
        f"and so for every w[i, {name}] with x[i] ≠ 0 ({_x_nonzero(result)} weights); the "
        "others keep their value"
    )


def loss_after_text(result: VectorResult) -> str:
    """The true class's probability and the loss, before and after the update."""
    update = result.update
    assert update is not None
    assert result.probabilities is not None
    assert result.loss is not None
    label = int(result.spec.label or 0)
    name = result.spec.class_name(label)
    return (
        "After the update: z′ = x·W′ + b′, ŷ′ = softmax(z′)\n"
        f"ŷ[{name}]: {_alone(result.probabilities[label])} → "
        f"{_alone(update.probabilities_next[label])}\n"
        f"J = −log ŷ[{name}]: {_alone(result.loss)} → {_alone(update.loss_next)}"
    )


# ----- shapes ---------------------------------------------------------------------------------
def layer_text(shape: LayerShape, *, total: int | None = None) -> str:
    """A layer's Keras code, its input and output shape with the formula, its parameters.

    ``total``, given for the last layer, adds the parameters of the whole network.
    """
    layer = shape.layer
    text = (
        f"{layer.keras}\n"
        f"{tensor_text(shape.input_shape)} → {tensor_text(shape.output_shape)}: "
        f"{shape.shape_formula}\n"
        f"parameters {shape.params_formula}"
    )
    if total is not None:
        text += f"\nThe whole network: {total:,} parameters"
    return text
