"""How every number the playground shows is written, so that it is always true.

The rule, for grid cells, the arithmetic, the maps, the backprop panel and worked solutions:

1. **Exact when short.** A value that is a decimal of at most ``MAX_EXACT_DECIMALS`` (4)
   places and at most ``MAX_EXACT_DIGITS`` (6) significant digits, up to floating-point noise
   (``EXACT_TOLERANCE``, relative), is written exactly: 0.0625, 4.5, 1.25, −0.125, 12. Whole
   numbers are always exact.
2. **Otherwise rounded, and known to be rounded.** Any other value is rounded to
   ``SIGNIFICANT`` (3) significant digits (never into its whole part: 1234.56 → 1235; at most
   ``MAX_ROUNDED_DECIMALS`` places): 7/9 → 0.778, 1/3 → 0.333.
3. **Marked wherever a sum is written out.** A number that is not exact carries a mark: an
   operand gets a trailing "…" (0.111…), a result is written "≈ 0.778" instead of "= 0.778".
   So a written sum adds up to the value shown within the precision shown: the exact operands
   add up exactly, and every marked number is the true value to within half a unit of its last
   digit (a cut number: less than one unit, towards zero).
4. **A slide's own numbers, the slide's way.** A lesson's display rule (``NumberRule`` with
   ``decimals``, e.g. slide 004: two decimals, cut) replaces step 2 for the slide's own
   results while the set-up is the lesson's own: 7/9 is written 0.77 (a cut result reads
   "= 0.77…"), and a cutting slide keeps its trailing zeros (1.00). Exact values stay exact.
   ``NumberStyle`` carries the rule with the set-up it belongs to: after any edit the general
   rule (``GENERAL``) takes over.
5. **Cells round to fit.** A number too wide for its grid cell is rounded (or cut) to fewer
   decimals there (``cell_text``), never marked: no sum is written in a cell.

Text uses the typographic minus (−).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from engine.animation.playground import PlaygroundSpec

MAX_EXACT_DECIMALS = 4
MAX_EXACT_DIGITS = 6
EXACT_TOLERANCE = 1e-9
SIGNIFICANT = 3
MAX_ROUNDED_DECIMALS = 6
MINUS = "−"
ROUNDED_OPERAND = "…"
"""The mark after an operand that is not exact (rounded, or cut by a slide's rule)."""
ROUNDED_RESULT = "≈"
"""The sign before a rounded result, in place of "="."""


@dataclass(frozen=True, slots=True)
class NumberRule:
    """How the values that are not exact are written.

    Attributes:
        decimals: None for the general rule (``SIGNIFICANT`` significant digits); else a
            slide's fixed number of decimals (rule 4 of the module docstring).
        truncate: Whether the slide cuts digits off instead of rounding (slide 004 writes
            7/9 = 0.777… as 0.77); only with ``decimals``.
    """

    decimals: int | None = None
    truncate: bool = False

    @property
    def is_general(self) -> bool:
        """Whether this is the general rule rather than a slide's."""
        return self.decimals is None


GENERAL = NumberRule()
"""The general rule: exact when short, else three significant digits, marked."""


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """A lesson's display rule and the set-up it belongs to.

    Attributes:
        decimals: The slide's decimals; None for no display rule (the general rule).
        truncate: Whether the slide cuts instead of rounding (slide 004: 7/9 → 0.77).
        spec: The lesson's own set-up: the rule applies to it only, and after any edit the
            general rule takes over. None: the rule applies to any set-up (for tests and
            for callers that decide themselves).
        learning_rate: The lesson's own η (a backprop exercise), None if it has none: another
            η is an edit too.
    """

    decimals: int | None = None
    truncate: bool = False
    spec: PlaygroundSpec | None = None
    learning_rate: float | None = None

    def rule_for(self, spec: PlaygroundSpec, learning_rate: float | None = None) -> NumberRule:
        """The rule for the results of ``spec`` (and η): the slide's while they are its own."""
        if self.decimals is None:
            return GENERAL
        if self.spec is not None and not same_setup(self.spec, spec):
            return GENERAL
        own_rate = self.learning_rate
        if own_rate is not None and learning_rate is not None and learning_rate != own_rate:
            return GENERAL
        return NumberRule(self.decimals, self.truncate)


PLAIN = NumberStyle()
"""No display rule: every number follows the general rule."""


def same_setup(a: PlaygroundSpec, b: PlaygroundSpec) -> bool:
    """Whether two set-ups hold the same numbers and settings (arrays compared by value)."""
    if a is b:
        return True
    arrays = ("input", "filters", "biases")
    if any(not np.array_equal(getattr(a, n), getattr(b, n)) for n in arrays):
        return False
    settings = (
        "stride", "padding", "dilation", "divisor", "relu", "pool", "channel_names",
        "filter_names",
    )  # fmt: skip
    return all(getattr(a, n) == getattr(b, n) for n in settings)


@dataclass(frozen=True, slots=True)
class Written:
    """A number as written: its text and whether the text is the value itself.

    Attributes:
        text: The digits, with the typographic minus and no mark ("0.778", "−0.125").
        exact: Whether ``text`` is the value (up to floating-point noise).
        cut: Whether the digits were cut off (a slide's rule) rather than rounded.
    """

    text: str
    exact: bool
    cut: bool = False

    @property
    def item(self) -> str:
        """The number inside a list or after a sign: "0.111…" when not exact."""
        return self.text if self.exact else f"{self.text}{ROUNDED_OPERAND}"

    @property
    def operand(self) -> str:
        """The number as an operand of a sum or product: marked, a negative in parentheses."""
        item = self.item
        return f"({item})" if item.startswith(MINUS) else item

    @property
    def alone(self) -> str:
        """The number on its own: "4.5", "≈ 0.778", or "0.77…" for a cut one."""
        if self.exact:
            return self.text
        return f"{self.text}{ROUNDED_OPERAND}" if self.cut else f"{ROUNDED_RESULT} {self.text}"

    @property
    def equals(self) -> str:
        """The number as a result: "= 4.5", "≈ 0.778", or "= 0.77…" for a cut one."""
        if self.exact:
            return f"= {self.text}"
        if self.cut:
            return f"= {self.text}{ROUNDED_OPERAND}"
        return f"{ROUNDED_RESULT} {self.text}"


def write(value: float, rule: NumberRule = GENERAL) -> Written:
    """``value`` written by ``rule`` (see the module docstring).

    Args:
        value: Any float; ±∞ and NaN are written "∞", "−∞", "NaN".
        rule: ``GENERAL``, or a slide's rule for the slide's own results.

    Returns:
        The text, and whether it is exact.
    """
    return _write(float(value), rule)


@lru_cache(maxsize=8192)
def _write(value: float, rule: NumberRule) -> Written:
    if not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("∞" if value > 0 else f"{MINUS}∞")
        return Written(text, exact=True)
    exact = exact_text(value)
    if exact is not None:
        if rule.truncate and rule.decimals and exact != "0" and _decimals(exact) <= rule.decimals:
            exact = f"{float(exact):.{rule.decimals}f}"  # a cutting slide writes 1 as 1.00
        return Written(_typographic(exact), exact=True)
    if rule.decimals is None:
        return Written(_typographic(_rounded(value)), exact=False)
    text = _fixed(value, rule.decimals, rule.truncate)
    return Written(_typographic(text), exact=False, cut=rule.truncate)


def exact_text(value: float) -> str | None:
    """The value's short exact decimal ("0.0625", "−3"), or None if it has none.

    Short: whole, or at most ``MAX_EXACT_DECIMALS`` places and ``MAX_EXACT_DIGITS``
    significant digits, equal to the value within ``EXACT_TOLERANCE`` (relative to the value,
    so a tiny non-zero value such as e^−40 is never an exact "0": it is written "≈ 0"). Uses
    the ASCII minus.
    """
    if value == 0:
        return "0"
    tolerance = EXACT_TOLERANCE * abs(value)  # relative: e^−40 is not an exact 0
    for places in range(MAX_EXACT_DECIMALS + 1):
        text = f"{value:.{places}f}"
        if abs(float(text) - value) <= tolerance:
            if places and _significant_digits(text) > MAX_EXACT_DIGITS:
                return None
            return _without_negative_zero(text)
    return None


def _significant_digits(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _without_negative_zero(text: str) -> str:
    """A zero has no sign: "-0" and "-0.00" become "0" and "0.00"."""
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


def _rounded(value: float) -> str:
    """``SIGNIFICANT`` significant digits, at most ``MAX_ROUNDED_DECIMALS`` places; "0" if none."""
    magnitude = math.floor(math.log10(abs(value)))
    places = min(MAX_ROUNDED_DECIMALS, max(0, SIGNIFICANT - 1 - magnitude))
    text = _fixed(value, places, truncate=False)
    return "0" if float(text) == 0 else text


def _fixed(value: float, places: int, truncate: bool) -> str:
    """``places`` decimals, cut towards zero (``truncate``) or rounded; ASCII minus.

    Rounding is the schoolbook one, halves away from zero (0.0625 → 0.063), applied to the
    shortest decimal that reads back as the value (``repr``).
    """
    if truncate:
        scale = 10**places
        cut = math.floor(abs(value) * scale + 1e-9) / scale  # 1e-9: 0.3 − noise is still 0.3
        return _without_negative_zero(f"{math.copysign(cut, value):.{places}f}")
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _without_negative_zero(f"{rounded:f}")


def _typographic(text: str) -> str:
    return text.replace("-", MINUS)


def cell_candidates(value: float, rule: NumberRule = GENERAL) -> tuple[str, ...]:
    """The texts a grid cell may show for ``value``, most precise first.

    ``write``'s text, then the same value rounded (or cut, by a cutting slide's rule) to one
    decimal fewer each time, down to none. Never marked (rule 5 of the module docstring).
    """
    return _cell_candidates(float(value), rule)


@lru_cache(maxsize=16384)
def _cell_candidates(value: float, rule: NumberRule) -> tuple[str, ...]:
    text = _write(value, rule).text
    if not math.isfinite(value):
        return (text,)
    truncate = rule.truncate and not rule.is_general
    shorter = [_typographic(_fixed(value, places, truncate)) for places in range(_decimals(text))]
    return (text, *(t for t in reversed(shorter) if len(t) < len(text)))


def within(max_chars: int) -> Callable[[str], bool]:
    """A test for ``cell_text``: the text has at most ``max_chars`` characters."""
    return lambda text: len(text) <= max_chars


def cell_text(value: float, rule: NumberRule, fits: Callable[[str], bool]) -> str:
    """A grid cell's text: the most precise of ``cell_candidates`` that ``fits`` the cell.

    ``fits`` says whether a text fits (the GUI measures it; ``within(n)`` counts characters).
    When none fits, the shortest (the value rounded to a whole number).
    """
    candidates = _cell_candidates(float(value), rule)
    return next((text for text in candidates if fits(text)), candidates[-1])


def cell_texts(
    values: np.ndarray, rule: NumberRule, fits: Callable[[str], bool]
) -> list[list[str]]:
    """``cell_text`` of every cell of a (rows, cols) array, row by row."""
    return [[cell_text(v, rule, fits) for v in row] for row in np.asarray(values).tolist()]


def fixed_decimals(value: float, decimals: int = 2, *, truncate: bool = False) -> str:
    """``decimals`` places, rounded (or cut off), needless zeros dropped: 3, −1, 0.5, 0.67.

    With ``truncate`` the zeros stay, as on the slides (1.00, 0.30). For numbers whose
    precision is set by what they are, not by their value (a percentage in the digit lab); the
    playground writes its numbers with ``write``.
    """
    if not math.isfinite(value):
        return write(value).text
    text = _fixed(value, decimals, truncate)
    if float(text) == 0:
        return "0"
    if decimals > 0 and not truncate:
        text = text.rstrip("0").rstrip(".")
    return _typographic(text)
