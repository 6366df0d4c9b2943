"""The arithmetic of a step written out for students: "1×1 + 0×(−1) + … + 0 = 3".

Numbers use the typographic minus and drop needless decimals; a lesson can ask for the slides'
habit of cutting (not rounding) to two decimals.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from engine.animation.steps import ConvStep, PoolStep
    from engine.operations.backprop import BackpropResult

MAX_TERMS = 12


def format_number(value: float, decimals: int = 2, *, truncate: bool = False) -> str:
    """A short, readable number: 3, −1, 0.5, 0.78 (or 0.77 with ``truncate``)."""
    if not math.isfinite(value):
        return "−∞" if value < 0 else ("∞" if value > 0 else "NaN")
    scale = 10**decimals
    if truncate:
        shown = math.floor(abs(value) * scale + 1e-9) / scale
        shown = math.copysign(shown, value)
    else:
        shown = round(value, decimals)
    if shown == 0:
        return "0"
    text = f"{shown:.{decimals}f}".rstrip("0").rstrip(".") if decimals > 0 else f"{shown:.0f}"
    if decimals > 0 and truncate:
        text = f"{shown:.{decimals}f}"  # the slides keep trailing zeros: 1.00, 0.30
    return text.replace("-", "−")


def _operand(value: float, decimals: int, truncate: bool) -> str:
    """A number inside a sum: whole numbers stay whole, negatives get parentheses."""
    if float(value).is_integer():
        text = format_number(value, 0)
    else:
        text = format_number(value, decimals, truncate=truncate)
    return f"({text})" if text.startswith("−") else text


def _sum_of_products(window: np.ndarray, kernel: np.ndarray, decimals: int, truncate: bool) -> str:
    pairs = list(zip(window.ravel().tolist(), kernel.ravel().tolist(), strict=True))
    if len(pairs) > MAX_TERMS:  # long sums: leave out the products with a 0 weight
        pairs = [(x, w) for x, w in pairs if w != 0] or pairs[:1]
    terms = [
        f"{_operand(x, decimals, truncate)}×{_operand(w, decimals, truncate)}" for x, w in pairs
    ]
    if len(terms) > MAX_TERMS:
        terms = [*terms[:6], "…", *terms[-2:]]
    return " + ".join(terms)


def conv_step_text(
    step: ConvStep,
    *,
    divisor: float = 1.0,
    channel_names: tuple[str, ...] = (),
    decimals: int = 2,
    truncate: bool = False,
) -> str:
    """The dot product of one step, with the bias, the divisor and the result.

    A multi-channel step is written one channel per line, then the channel sums are added.
    """

    def fmt(value: float) -> str:
        return _operand(value, decimals, truncate).strip("()")

    bias = f" + {_operand(step.bias, decimals, truncate)}" if step.bias != 0 else ""
    if step.window.ndim == 3 and step.window.shape[2] > 1:
        lines = []
        sums = []
        for c in range(step.window.shape[2]):
            name = channel_names[c] if c < len(channel_names) else f"channel {c + 1}"
            part = float(step.products[:, :, c].sum())
            sums.append(part)
            body = _sum_of_products(step.window[:, :, c], step.kernel[:, :, c], decimals, truncate)
            lines.append(f"{name}: {body} = {fmt(part)}")
        total = " + ".join(_operand(s, decimals, truncate) for s in sums)
        lines.append(f"{total}{bias} = {fmt(step.value)}")
        head = "\n".join(lines)
    else:
        body = _sum_of_products(step.window, step.kernel, decimals, truncate)
        head = f"{body}{bias} = {fmt(step.value)}"
    if divisor != 1:
        quotient = format_number(step.value / divisor, decimals, truncate=truncate)
        dividend = _operand(step.value, decimals, truncate)
        head += f"\n{dividend} / {_operand(divisor, decimals, truncate)} = {quotient}"
    return head


def relu_text(feature_map: np.ndarray, map_name: str) -> str:
    """What ReLU does to one whole map, counted: "… 5 negative values become 0 …"."""
    negatives = int((feature_map < 0).sum())
    plural = "s" if negatives != 1 else ""
    return (
        f"ReLU(x) = max(0, x) on every cell of {map_name}'s map:\n"
        f"{negatives} negative value{plural} become 0, the others stay as they are."
    )


def pool_step_text(step: PoolStep, *, decimals: int = 2, truncate: bool = False) -> str:
    """max(…) = v or mean(…) = v over the window's real cells."""
    cells = [
        format_number(float(v), decimals, truncate=truncate)
        for v, pad in zip(step.window.ravel(), step.is_padding.ravel(), strict=True)
        if not pad
    ]
    name = "max" if step.mode == "max" else "mean"
    return f"{name}({', '.join(cells)}) = {format_number(step.value, decimals, truncate=truncate)}"


def gradient_text(result: BackpropResult, i: int, j: int, *, decimals: int = 2) -> str:
    """∂E/∂w_ij = Σ ∂E/∂h_kl · x = (h11 − t11)·x11 + … written out with numbers."""
    terms = result.terms[(i, j)]
    parts = " + ".join(
        f"{_operand(t.dE_dh, decimals, False)}×{_operand(t.x, decimals, False)}" for t in terms
    )
    names = " + ".join(
        f"∂E/∂h{t.out_row + 1}{t.out_col + 1}·x{t.in_row + 1}{t.in_col + 1}" for t in terms
    )
    value = format_number(float(result.dE_dw[i, j]), decimals)
    return f"∂E/∂w{i + 1}{j + 1} = {names}\n= {parts} = {value}"


def update_text(result: BackpropResult, *, decimals: int = 3) -> str:
    """One line per weight: w − η·∂E/∂w = new w, then the error before and after."""
    eta = format_number(result.learning_rate, decimals)
    lines = []
    for (i, j), _ in result.terms.items():
        w = _operand(float(result.w[i, j]), decimals, False)
        grad = _operand(float(result.dE_dw[i, j]), decimals, False)
        new = format_number(float(result.w_next[i, j]), decimals)
        lines.append(f"w{i + 1}{j + 1}: {w} − {eta}×{grad} = {new}")
    before = format_number(result.loss, decimals)
    after = format_number(result.loss_next, decimals)
    lines.append(f"Error E = Σ ½(h − t)²: {before} → {after} after the update")
    return "\n".join(lines)
