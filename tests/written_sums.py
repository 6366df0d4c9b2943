"""Reading the playground's written arithmetic back into intervals, to check that it is true.

A number as written stands for an interval of values: an exact one ("2.5") for itself, a marked
one ("0.333…", "≈ 0.333") for everything that rounds to it (half a unit of its last decimal
either way), or, with a slide's rule that cuts (``cut``), "0.77…" for 0.77 and more digits.
``check_line`` parses one line of arithmetic ("x×w + … + b = v", "a / b ≈ q", "w − η×g = v",
"max(a, b) = v", "mean(…) ≈ v"), works out the interval of what the written operands can give,
and says whether the written result's interval meets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FLOAT_NOISE = 1e-9
LEFT_OUT = re.compile(r" … \(\+ (\d+) more terms?(?:: (\S+)| with weight 0)\)")
RESULT = re.compile(r"^(?P<body>.+) (?P<sign>=|≈) (?P<result>\S+)$")
POOLED = re.compile(r"^(?P<kind>max|mean)\((?P<items>[^)]*)\)$")


@dataclass(frozen=True)
class Interval:
    """The values a written number (or a written expression) can stand for."""

    low: float
    high: float

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.low - other.high, self.high - other.low)

    def __mul__(self, other: Interval) -> Interval:
        corners = [a * b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(corners), max(corners))

    def divided(self, other: Interval) -> Interval:
        assert other.low > 0 or other.high < 0, "a divisor interval must not hold 0"
        corners = [a / b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(corners), max(corners))

    def meets(self, other: Interval) -> bool:
        slack = FLOAT_NOISE * max(1.0, abs(self.low), abs(self.high))
        return self.low <= other.high + slack and other.low <= self.high + slack

    def holds(self, value: float) -> bool:
        return self.meets(Interval(value, value))


def half_unit(digits: str) -> float:
    """Half a unit of the last decimal written: 0.005 for "0.33", 0.5 for "12"."""
    places = len(digits.split(".")[1]) if "." in digits else 0
    return 0.5 * 10.0**-places


def number(token: str, *, rounded: bool = False, cut: bool = False) -> Interval:
    """The interval of a written number: "(−1.5)", "0.333…" (marked) or "2.5" (exact).

    With ``cut``, a number marked "…" had its digits cut off (towards zero), not rounded.
    """
    text = token.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    marked = text.endswith("…")
    if marked:
        text, rounded = text[:-1], True
    value = float(text.replace("−", "-"))
    if marked and cut:
        unit = 2 * half_unit(text)
        return Interval(value, value + unit) if value >= 0 else Interval(value - unit, value)
    spread = half_unit(text) if rounded else 0.0
    return Interval(value - spread, value + spread)


def terms_sum(body: str, *, cut: bool = False) -> tuple[Interval, list[tuple[Interval, Interval]]]:
    """What a written sum of products and numbers can add up to, and its x×w pairs in order."""
    total = Interval(0.0, 0.0)
    left_out = LEFT_OUT.search(body)
    if left_out is not None:
        if left_out.group(2) is not None:
            total = total + number(left_out.group(2))
        body = body[: left_out.start()] + body[left_out.end() :]
    pairs = []
    for term in body.split(" + "):
        if "×" in term:
            x, w = (number(part) for part in term.split("×"))
            pairs.append((x, w))
            total = total + x * w
        else:
            total = total + number(term, cut=cut)
    return total, pairs


@dataclass(frozen=True)
class CheckedLine:
    """One line of arithmetic read back: what it adds up to, what it says, its products."""

    computed: Interval
    written: Interval
    pairs: list[tuple[Interval, Interval]]

    @property
    def adds_up(self) -> bool:
        """Whether the written result is what the written operands give, within precision."""
        return self.computed.meets(self.written)


def check_line(line: str, *, cut: bool = False) -> CheckedLine:
    """Read one line of a step's arithmetic (see the module docstring).

    ``cut``: results and map values marked "…" were cut by a slide's rule (slide 004); the
    inputs and weights of a product are always written by the general rule.
    """
    if ": " in line and "×" in line.split(": ", 1)[1]:
        line = line.split(": ", 1)[1]  # "R: …" a channel's line
    match = RESULT.match(line)
    assert match is not None, f"not a line of arithmetic: {line!r}"
    body, sign, result = match["body"], match["sign"], match["result"]
    written = number(result, rounded=sign == "≈", cut=cut)
    pooled = POOLED.match(body)
    pairs: list[tuple[Interval, Interval]] = []
    if pooled is not None:
        items = [number(item, cut=cut) for item in pooled["items"].split(", ")]
        if pooled["kind"] == "max":
            computed = Interval(max(i.low for i in items), max(i.high for i in items))
        else:
            total = Interval(0.0, 0.0)
            for item in items:
                total = total + item
            computed = Interval(total.low / len(items), total.high / len(items))
    elif " − " in body:  # an update: w − η×∂E/∂w
        minuend, product = body.split(" − ")
        eta, gradient = (number(part) for part in product.split("×"))
        computed = number(minuend) - eta * gradient
    elif " / " in body:
        dividend, divisor = body.split(" / ")
        computed = number(dividend).divided(number(divisor))
    else:
        computed, pairs = terms_sum(body, cut=cut)
    return CheckedLine(computed, written, pairs)
