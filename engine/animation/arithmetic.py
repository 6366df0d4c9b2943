"""The arithmetic of a step written out for students: "1×2.5 + 0×(−1) + … + 0 = 4.5".

Every number is written by ``engine.animation.numbers``: the inputs, weights, biases and
divisors the user typed by the general rule, the results (what the maps show) by ``results``,
a slide's rule while the set-up is the slide's own. A number that is not exact is marked
(0.111…, ≈ 0.778), so every written sum adds up to what it shows. A sum of more than
``MAX_TERMS`` products writes the first ones (those with a weight other than 0 first) and says
how many are left out and what they add up to: "… (+ 16 more terms: 2.5)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.animation.numbers import GENERAL, fixed_decimals, write

if TYPE_CHECKING:
    from engine.animation.numbers import NumberRule
    from engine.animation.steps import ConvStep, PoolStep
    from engine.operations.backprop import BackpropResult

MAX_TERMS = 12


def format_number(value: float, decimals: int = 2, *, truncate: bool = False) -> str:
    """A number with fixed decimals (see ``engine.animation.numbers.fixed_decimals``).

    Kept for the digit lab's percentages and hover texts; the playground uses ``write``.
    """
    return fixed_decimals(value, decimals, truncate=truncate)


def _operand(value: float, rule: NumberRule = GENERAL) -> str:
    return write(value, rule).operand


def left_out_text(count: int, rest: float, weights_zero: bool) -> str:
    """What a long sum leaves out, written as the playground writes it.

    "… (+ 16 more terms: 2.5)", ``rest`` being what the left-out terms add up to, or with
    ``weights_zero`` "… (+ 16 more terms with weight 0)".
    """
    return _left_out(count, rest, weights_zero)


def _left_out(count: int, rest: float, weights_zero: bool) -> str:
    """What a long sum leaves out: "… (+ 16 more terms: 2.5)" or "… (+ 16 more terms ×0)"."""
    plural = "s" if count != 1 else ""
    if weights_zero:
        return f"… (+ {count} more term{plural} with weight 0)"
    return f"… (+ {count} more term{plural}: {write(rest).item})"


def sum_of_products(window: np.ndarray, kernel: np.ndarray) -> str:
    """x×w + x×w + … for a (kh, kw) window and kernel, shortened to ``MAX_TERMS`` terms.

    When shortened, only products with a weight other than 0 are written (in reading order,
    at most ``MAX_TERMS``; the first product if every weight is 0), and the text ends with how
    many terms are left out and what they add up to.
    """
    xs = np.asarray(window, dtype=np.float64).ravel()
    ws = np.asarray(kernel, dtype=np.float64).ravel()
    order = np.arange(xs.size)
    shown, hidden = order, order[:0]
    if xs.size > MAX_TERMS:
        weighted = order[ws != 0][:MAX_TERMS]
        shown = weighted if weighted.size else order[:1]
        hidden = np.setdiff1d(order, shown)
    terms = [f"{_operand(float(xs[i]))}×{_operand(float(ws[i]))}" for i in shown]
    text = " + ".join(terms)
    if hidden.size:
        rest = float((xs[hidden] * ws[hidden]).sum())
        text += " " + _left_out(int(hidden.size), rest, bool(np.all(ws[hidden] == 0)))
    return text


def conv_step_text(
    step: ConvStep,
    *,
    divisor: float = 1.0,
    channel_names: tuple[str, ...] = (),
    results: NumberRule = GENERAL,
) -> str:
    """The dot product of one step, with the bias, the divisor and the result.

    A multi-channel step is written one channel per line, then the channel sums are added.
    The map's value (after the divisor, if any) is written by ``results``; the sums before it
    by the general rule.
    """
    last = results if divisor == 1 else GENERAL
    bias = f" + {_operand(step.bias)}" if step.bias != 0 else ""
    if step.window.ndim == 3 and step.window.shape[2] > 1:
        lines = []
        sums = []
        for c in range(step.window.shape[2]):
            name = channel_names[c] if c < len(channel_names) else f"channel {c + 1}"
            part = float(step.products[:, :, c].sum())
            sums.append(part)
            body = sum_of_products(step.window[:, :, c], step.kernel[:, :, c])
            lines.append(f"{name}: {body} {write(part).equals}")
        total = " + ".join(_operand(s) for s in sums)
        lines.append(f"{total}{bias} {write(step.value, last).equals}")
        head = "\n".join(lines)
    else:
        body = sum_of_products(step.window, step.kernel)
        head = f"{body}{bias} {write(step.value, last).equals}"
    if divisor != 1:
        quotient = write(step.value / divisor, results).equals
        head += f"\n{_operand(step.value)} / {_operand(divisor)} {quotient}"
    return head


def relu_text(feature_map: np.ndarray, map_name: str) -> str:
    """What ReLU does to one whole map, counted: "… 5 negative values become 0 …"."""
    negatives = int((feature_map < 0).sum())
    plural = "s" if negatives != 1 else ""
    return (
        f"ReLU(x) = max(0, x) on every cell of {map_name}'s map:\n"
        f"{negatives} negative value{plural} become 0, the others stay as they are."
    )


def pool_step_text(step: PoolStep, *, results: NumberRule = GENERAL) -> str:
    """max(…) = v or mean(…) = v over the window's real cells, written by ``results``."""
    cells = [
        write(float(v), results).item
        for v, pad in zip(step.window.ravel(), step.is_padding.ravel(), strict=True)
        if not pad
    ]
    name = "max" if step.mode == "max" else "mean"
    return f"{name}({', '.join(cells)}) {write(step.value, results).equals}"


def gradient_text(result: BackpropResult, i: int, j: int, *, results: NumberRule = GENERAL) -> str:
    """∂E/∂w_ij = Σ ∂E/∂h_kl · x = (h11 − t11)·x11 + … written out with numbers (slide 004)."""
    terms = result.terms[(i, j)]
    parts = " + ".join(f"{_operand(t.dE_dh, results)}×{_operand(t.x)}" for t in terms)
    names = " + ".join(
        f"∂E/∂h{t.out_row + 1}{t.out_col + 1}·x{t.in_row + 1}{t.in_col + 1}" for t in terms
    )
    value = write(float(result.dE_dw[i, j]), results).equals
    return f"∂E/∂w{i + 1}{j + 1} = {names}\n= {parts} {value}"


def update_text(result: BackpropResult, *, results: NumberRule = GENERAL) -> str:
    """One line per weight: w − η×∂E/∂w = new w, then the error before and after."""
    eta = _operand(result.learning_rate)
    lines = []
    for i, j in result.terms:
        w = _operand(float(result.w[i, j]))
        grad = _operand(float(result.dE_dw[i, j]), results)
        new = write(float(result.w_next[i, j]), results).equals
        lines.append(f"w{i + 1}{j + 1}: {w} − {eta}×{grad} {new}")
    lines.append(f"Error E = Σ ½(h − t)²: {loss_change(result, results)} after the update")
    return "\n".join(lines)


def loss_change(result: BackpropResult, results: NumberRule = GENERAL) -> str:
    """The error before and after the update: "1.25 → ≈ 0.731" (≈ marks a rounded one)."""
    return f"{write(result.loss, results).alone} → {write(result.loss_next, results).alone}"
