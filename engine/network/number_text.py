"""Numbers as the digit lab and the command line write them: true, or marked as rounded.

One rule for every percentage, probability and value the lab shows and ``--classify`` prints:
a number is written exactly when a few decimals say it exactly (0.5 → "50 %", 0.125 →
"12.5 %"); otherwise it is rounded to fit and marked "≈" ("≈ 98 %"), with as many decimals as
it takes not to show a value that is not 0 % or 100 % as "0 %" or "100 %" (0.99999 →
"≈ 99.999 %"). Exactly means within the rounding of the float32 number itself (four float32
steps), since that is all the model computed. ``--classify`` prints a probability without
rounding at all: the shortest decimal that is that float32 value.
"""

from __future__ import annotations

import math

import numpy as np

from engine.animation.arithmetic import format_number

APPROX = "≈ "
MAX_EXACT_DECIMALS = 3  # a percentage with up to 3 decimals is written exactly (12.5 %)
MAX_DECIMALS = 6  # never more decimals than this to keep a value off 0 % or 100 %
VALUE_DECIMALS = 2
FLOAT32_STEPS = 4


def _slack(value: float, scale: float) -> float:
    """How far a written number may be from ``value`` and still be the same float32 number.

    In the units of ``value * scale`` (a percentage: scale 100).
    """
    return float(np.spacing(np.float32(abs(value)))) * FLOAT32_STEPS * scale


def _is_exact(shown: float, value: float, slack: float) -> bool:
    return abs(shown - value) <= slack


def percent_text(probability: float, *, compact: bool = False) -> str:
    """A probability (0..1) in percent, exact or marked "≈" (see the module's rule).

    ``compact`` drops the spaces ("≈17%"), for labels above narrow bars.
    """
    text = _percent(probability)
    return text.replace(" ", "") if compact else text


def _percent(probability: float) -> str:
    if not math.isfinite(probability):
        return f"{format_number(probability)} %"
    percent = probability * 100.0
    slack = _slack(probability, 100.0)
    for decimals in range(MAX_EXACT_DECIMALS + 1):
        if _is_exact(round(percent, decimals), percent, slack):
            return f"{format_number(percent, decimals)} %"
    decimals = 0 if 1.0 <= percent <= 99.0 else 1
    while decimals < MAX_DECIMALS and round(percent, decimals) in (0.0, 100.0):
        decimals += 1
    return f"{APPROX}{format_number(percent, decimals)} %"


def value_text(value: float | None) -> str:
    """A layer's value: exact up to two decimals, else "≈" and two decimals.

    Two significant digits below 0.01, so a small value is never written as 0; "—" when there
    is none.
    """
    if value is None:
        return "—"
    if not math.isfinite(value):
        return format_number(value)
    slack = _slack(value, 1.0)
    if _is_exact(round(value, VALUE_DECIMALS), value, slack):
        return format_number(value, VALUE_DECIMALS)
    decimals = VALUE_DECIMALS
    if 0 < abs(value) < 10**-VALUE_DECIMALS:
        decimals = 1 - math.floor(math.log10(abs(value)))  # two significant digits
    return f"{APPROX}{format_number(value, decimals)}"


def probability_column(probability: float) -> str:
    """A probability for ``--classify``'s output: the shortest decimal of its float32 value.

    Nothing is rounded away (0.99999 stays 0.99999; 1.0 is written 1), and the column stays
    a plain number that scripts can read.
    """
    return str(np.format_float_positional(np.float32(probability), trim="-"))
