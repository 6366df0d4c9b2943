"""The arithmetic of a dense unit and of the model's decision, written out with its numbers.

A dense (fully connected) unit computes z = b + Σᵢ wᵢ·aᵢ over every unit i of the layer
feeding it (KTH slide 004, "fully connected layer"; YZU's "Step 4 – Full Connection"). For the
lab's current drawing, ``unit_arithmetic`` gives that sum for one unit of any dense layer with
its largest contributions wᵢ·aᵢ written out and the rest summed into one term; for the layer
whose units are the classes, ``decision_arithmetic`` adds the softmax, pₖ = e^zₖ / Σⱼ e^zⱼ
(Industrial AI Lab's softmax slide), with each e^z, their sum and the division.

Every number is written by the playground's rule (``engine.animation.numbers.write``): exact
when short, else rounded and marked (0.111…, ≈ 0.778), so a written-out sum adds up to its
result within the precision shown. The weights are the model's own (``OnnxModel.weights``), the
activations the run's (``ModelRun.value``), and the sums are worked out in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.numbers import MINUS, Written, write
from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from engine.network.model import OnnxModel
    from engine.network.model_run import ModelRun

SHOWN_TERMS = 10
"""How many contributions wᵢ·aᵢ are written out (the largest by size); the rest are summed."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One term wᵢ·aᵢ of a dense unit's sum: the feeding unit i, its weight and activation."""

    source: int
    weight: float
    activation: float

    @property
    def product(self) -> float:
        """wᵢ·aᵢ (float64)."""
        return self.weight * self.activation


@dataclass(frozen=True, slots=True)
class UnitArithmetic:
    """z = b + Σᵢ wᵢ·aᵢ for one unit of a dense layer, on one input.

    Attributes:
        layer: The dense layer's name.
        unit: The unit's index in the layer's output.
        source_layer: The layer whose values aᵢ feed it.
        bias: b.
        shown: The largest contributions by size (at most ``SHOWN_TERMS``), largest first.
        rest: The sum of every other contribution.
        rest_count: How many contributions ``rest`` sums.
        value: z, worked out here in float64 from the weights and the activations.
        model_value: The unit's value as ONNX Runtime gave it (float32), for comparison.
    """

    layer: str
    unit: int
    source_layer: str
    bias: float
    shown: tuple[Contribution, ...]
    rest: float
    rest_count: int
    value: float
    model_value: float

    @property
    def inputs(self) -> int:
        """How many units feed this one."""
        return len(self.shown) + self.rest_count


@dataclass(frozen=True, slots=True)
class SoftmaxArithmetic:
    """pₖ = e^(zₖ − m) / Σⱼ e^(zⱼ − m), m the largest logit (the same pₖ as without m).

    Attributes:
        logits: z (K,), float64.
        largest: m, the largest logit.
        exponentials: e^(zⱼ − m) (K,).
        total: Σⱼ e^(zⱼ − m).
        probabilities: e^(zⱼ − m) / total (K,).
    """

    logits: tuple[float, ...]
    largest: float
    exponentials: tuple[float, ...]
    total: float
    probabilities: tuple[float, ...]


def softmax_arithmetic(logits: np.ndarray) -> SoftmaxArithmetic:
    """Softmax of ``logits`` (K,) step by step, in float64 (Industrial AI Lab's formula).

    Raises:
        ValueError: ``logits`` is empty, not 1-D, or not finite.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError(f"softmax needs a finite vector of logits, got shape {z.shape}")
    m = float(z.max())
    e = np.exp(z - m)
    total = float(e.sum())
    return SoftmaxArithmetic(
        tuple(z.tolist()), m, tuple(e.tolist()), total, tuple((e / total).tolist())
    )


def is_dense(model: OnnxModel, layer: str) -> bool:
    """Whether ``layer`` is a dense layer whose weights the engine can read."""
    info = next((i for i in model.layers() if i.name == layer), None)
    if info is None or op_info(info.op).kind != Kind.DENSE or len(info.output_shape) != 1:
        return False
    try:
        model.weights(layer)
    except ValueError:
        return False
    return True


def class_layer(model: OnnxModel) -> str | None:
    """The last dense layer with one unit per class (its values are the logits), or None."""
    for info in reversed(model.layers()):
        if info.output_shape == (model.num_classes,) and is_dense(model, info.name):
            return info.name
    return None


def unit_arithmetic(
    model: OnnxModel, run: ModelRun, layer: str, unit: int, shown: int = SHOWN_TERMS
) -> UnitArithmetic:
    """The weighted sum of ``unit`` of dense ``layer`` on the input of ``run``.

    Args:
        model: The model ``run`` ran.
        run: One run of it (its activations give aᵢ and the unit's own value).
        layer: A dense layer's name (``is_dense``).
        unit: Its unit, 0 <= unit < the layer's width.
        shown: How many of the largest contributions |wᵢ·aᵢ| to keep apart.

    Raises:
        ValueError: ``layer`` is not a dense layer of the model, or ``unit`` is outside it.
    """
    if not is_dense(model, layer):
        raise ValueError(f"{layer!r} is not a dense layer whose weights can be read")
    info = next(i for i in model.layers() if i.name == layer)
    if not 0 <= unit < info.output_shape[0]:
        raise ValueError(f"{layer!r} has {info.output_shape[0]} units, not {unit + 1}")
    source = info.inputs[0] if info.inputs else None
    kernel, bias = model.weights(layer)
    a = (run.model_input if source is None else run.value(source)).astype(np.float64).reshape(-1)
    w = kernel[:, unit].astype(np.float64)
    products = w * a
    order = np.argsort(-np.abs(products), kind="stable")
    top = order[: max(0, shown)]
    rest = order[max(0, shown) :]
    b = float(bias[unit])
    return UnitArithmetic(
        layer=layer,
        unit=unit,
        source_layer="the input" if source is None else source,
        bias=b,
        shown=tuple(Contribution(int(i), float(w[i]), float(a[i])) for i in top),
        rest=float(products[rest].sum()),
        rest_count=len(rest),
        value=b + float(products.sum()),
        model_value=float(run.value(layer).reshape(-1)[unit]),
    )


def unit_text(arithmetic: UnitArithmetic, label: str | None = None) -> str:
    """The sum written out, one term per line, as the lab shows it (plain text).

    ``label`` names the class when the unit is one (its value is that class's logit).
    """
    x = arithmetic
    what = "" if label is None else f": the logit of class {label}"
    lines = [
        f"{x.layer}, unit {x.unit}{what}",
        f"z = b + Σ w·a over the {x.inputs} units a of {x.source_layer}",
        "",
        f"  b (the bias)                 {_number(x.bias).item}",
    ]
    for term in x.shown:
        product = f"{_number(term.weight).operand} × {_number(term.activation).operand}"
        lines.append(f"  + unit {term.source:>5}:  {product}  {_number(term.product).equals}")
    if x.rest_count:
        lines.append(f"  + the other {x.rest_count} terms, summed  {_number(x.rest).equals}")
    terms = [_number(x.bias).operand]
    terms += [_number(t.product).operand for t in x.shown]
    if x.rest_count:
        terms.append(_number(x.rest).operand)
    lines += ["", f"z = {' + '.join(terms)}", f"  {_number(x.value).equals}"]
    return "\n".join(lines)


def softmax_text(arithmetic: SoftmaxArithmetic, labels: tuple[str, ...], chosen: int) -> str:
    """Softmax written out: each e^(z − m), the sum, the division for class ``chosen``."""
    s = arithmetic
    m = _number(s.largest)
    lines = [
        "Softmax: p = e^z / (the sum of e^z over every class)",
        f"(every z minus the largest, m = {m.item}, first: the same p, smaller numbers)",
        "",
    ]
    for k, label in enumerate(labels):
        diff = s.logits[k] - s.largest
        mark = "  ←" if k == chosen else ""
        power = f"z − m = {_number(diff).item},  e^(z − m) {_number(s.exponentials[k]).equals}"
        lines.append(f"  class {label}: {power}{mark}")
    lines += [
        "",
        f"sum = {' + '.join(_number(e).operand for e in s.exponentials)}",
        f"  {_number(s.total).equals}",
        f"p(class {labels[chosen]}) = {_number(s.exponentials[chosen]).operand} / "
        f"{_number(s.total).operand} {_number(s.probabilities[chosen]).equals}"
        f"  ({_percent(s.probabilities[chosen])})",
    ]
    return "\n".join(lines)


def decision_text(model: OnnxModel, run: ModelRun, class_index: int) -> str:
    """The model's decision for class ``class_index`` on ``run``'s input: its logit, then softmax.

    Raises:
        ValueError: The model has no dense layer with one unit per class (its decision cannot
            be written as a weighted sum), or the class is outside it.
    """
    layer = class_layer(model)
    if layer is None:
        raise ValueError(
            f"{model.name} has no dense layer with one unit per class, so its decision "
            "cannot be written out as a weighted sum"
        )
    labels = model.class_labels
    if not 0 <= class_index < len(labels):
        raise ValueError(f"the model has {len(labels)} classes, not {class_index + 1}")
    logits = run.value(layer).astype(np.float64).reshape(-1)
    parts = [
        unit_text(unit_arithmetic(model, run, layer, class_index), labels[class_index]),
        "",
        softmax_text(softmax_arithmetic(logits), labels, class_index),
    ]
    return "\n".join(parts)


def dense_unit_text(model: OnnxModel, run: ModelRun, layer: str, unit: int) -> str:
    """The weighted sum of one unit of a dense layer (the class's softmax too if it is one).

    Raises:
        ValueError: ``layer`` is not a dense layer, or ``unit`` is outside it.
    """
    if layer == class_layer(model):
        return decision_text(model, run, unit)
    return unit_text(unit_arithmetic(model, run, layer, unit))


def _percent(probability: float) -> str:
    """A probability in percent, marked when rounded ("99.7… %")."""
    return f"{_number(probability * 100.0).item} %"


SMALLEST_PLAIN = 1e-3
"""Smaller magnitudes (but not 0) are written in powers of ten: the general rule would write
e^(−40) as 0, which is not true."""
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _number(value: float) -> Written:
    """``write(value)``, except a tiny non-zero value: 9.61×10⁻²⁰, marked as rounded."""
    if value == 0 or not math.isfinite(value) or abs(value) >= SMALLEST_PLAIN:
        return write(value)
    mantissa, exponent = f"{value:.2e}".split("e")
    text = f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return Written(text.replace("-", MINUS, 1) if value < 0 else text, exact=False)
