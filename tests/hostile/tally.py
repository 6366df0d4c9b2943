"""Counting the hostile inputs the suite tries, by kind, and naming the kind of a refusal.

``kind_of(message)`` sorts an engine refusal by what it says; a message that fits no kind is
not one the engine is meant to give (a NumPy or Python internal, say), and the tests fail on
it. The tests of outside files, the command line, the settings and the window count their
inputs under their own kinds (``tally(function, kind)``). The counts are printed at the end of
a run (``tests/hostile/conftest.py``).
"""

from __future__ import annotations

import re
from collections import Counter

ACCEPTED = "accepted (checked against the reference)"

_KINDS: tuple[tuple[str, str], ...] = (
    ("non-finite value (NaN, ±inf)", r"NaN or infinite|finite number, got -?(nan|inf)"),
    ("beyond a limit (negative, zero, too large, too many)", r"an int beyond"),
    ("overflowing result", r"values are too large"),
    (
        "wrong type (float, bool, str, None, complex, object, ragged …)",
        r"must be an int|must be made of ints|must be True or False|must be a number|"
        r"must be a finite number|real numbers|unknown padding|bad padding|"
        r"unknown pooling mode|input shape must be|must be a tuple of texts|"
        r"must be pooling settings|has no setting",
    ),
    (
        "beyond a limit (negative, zero, too large, too many)",
        r"must be at least|must be at most|must not be negative|larger than|spans|"
        r"would hold|would read|padding must be|is as large as|at most .* are allowed|"
        r"must be between|must have 1 to|there must be 1 to|pooling has no dilation|"
        r"needs at least one|there can be at most",
    ),
    (
        "wrong shape (ndim, empty, channels, lengths)",
        r"must be \(|must not be empty|must be a non-empty|shape|channel\(s\)|one value per|"
        r"names given for|must be \d-D|needs a 2-D|expect \d+ inputs",
    ),
)

_COUNTS: Counter[tuple[str, str]] = Counter()


def kind_of(message: str) -> str | None:
    """The kind of refusal ``message`` reports, or None when it is not an engine message."""
    for kind, pattern in _KINDS:
        if re.search(pattern, message):
            return kind
    return None


def tally(function: str, kind: str) -> None:
    """Count one input tried on ``function`` with this outcome kind."""
    _COUNTS[(function, kind)] += 1


def summary_lines() -> list[str]:
    """Totals by kind, then by function."""
    if not _COUNTS:
        return []
    by_kind: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for (function, kind), n in _COUNTS.items():
        by_kind[kind] += n
        by_function[function] += n
    total = sum(by_kind.values())
    refused = total - by_kind[ACCEPTED]
    lines = [
        f"{total:,} inputs, {refused:,} of them refused (a ValueError from the engine, a dialog "
        "in the window, exit status 2 on the command line, or a default kept for a setting):"
    ]
    lines += [f"  {n:>7,}  {kind}" for kind, n in by_kind.most_common()]
    lines.append("by function:")
    lines += [f"  {n:>7,}  {function}" for function, n in sorted(by_function.items())]
    return lines
