"""Hostile arguments for the engine's API: mostly ordinary values, and every kind of bad one.

Catalogs of values (ints that are not ints, huge ints, NumPy scalars, malformed pairs and
paddings, arrays that are not arrays of real numbers, special floats) and pickers that draw
from them with a NumPy generator seeded by hypothesis (``SEEDS``). Kept cheap (small arrays,
one hypothesis draw per example) so that thousands of examples per function run in seconds.
Ordinary values come often enough that every function also computes real results, which the
tests check against ``tests.hostile.reference``.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

NOT_INTS: list[Any] = [
    2.0, 1.5, -0.5, float("nan"), float("inf"), float("-inf"), True, False, None, "2", "",
    b"2", 1 + 0j, Fraction(2), Decimal(2), np.float64(2.0), np.float32(1.0), np.bool_(True),
    [], {}, (), object(), np.array(2), np.array([1, 2]),
]  # fmt: skip
HUGE_INTS: list[Any] = [
    4096, 4097, 10**6, 10**9, 2**31, 2**63, 2**64, -(2**63), 10**30, 10**400, 10**5000,
    np.uint64(2**64 - 1), np.int64(-(2**63)),
]  # fmt: skip
NUMPY_INTS: list[Any] = [np.int64(2), np.int32(1), np.uint8(3), np.int8(-1), np.intp(0)]

SMALL_INTS = [-2, -1, 0, 4, 5]
BAD_SCALARS: list[Any] = [*NOT_INTS, *HUGE_INTS, *NUMPY_INTS, *SMALL_INTS]
"""Where an int from 1 to 3 is wanted: everything else a caller might pass."""
PAIR_PARTS: list[Any] = [
    1, 2, 3, 0, -1, 4096, 4097, 10**400, 1.5, 2.0, True, None, "2", np.int64(2), np.uint8(3),
    float("nan"),
]  # fmt: skip

PAIR_CATALOG: list[Any] = [
    *BAD_SCALARS,
    *((a, b) for a in PAIR_PARTS for b in PAIR_PARTS),
    *([a, b] for a in PAIR_PARTS[:6] for b in PAIR_PARTS[:6]),
    (), (1,), (1, 1, 1), ((1, 1), 1), [[1, 1], [1, 1]], "11", {1: 1},
]  # fmt: skip
"""Where an int or a (rows, cols) pair is expected (kernel size, stride, dilation): ints and
pairs of ints and not-ints, and sequences of other lengths."""

GOOD_PADDINGS: list[Any] = ["valid", "same", 0, 1, 2, 3]
PADDING_CATALOG: list[Any] = [
    *GOOD_PADDINGS, "VALID", "Same",
    *(((a, b), (c, d)) for a, b, c, d in itertools.product(range(4), repeat=4)),
    *([[a, b], [1, 1]] for a in PAIR_PARTS for b in PAIR_PARTS[:4]),
    "full", "", "causal", "reflect", " same", *BAD_SCALARS,
    ((1, 2),), ((1, 2, 3), (0, 0)), ((1, 1), (1, None)), ((1, 1), 1), [1, 1], ((1, 1),) * 3,
]  # fmt: skip
"""Where a padding spec is expected: the four accepted forms, and malformed ones."""

SPECIAL_VALUES = [
    float("nan"), float("inf"), float("-inf"), 1e200, -1e200, 1e308, -1e308, 5e-324, -0.0,
]  # fmt: skip
HOSTILE_ARRAYS: list[Any] = [
    None, "abc", 3.0, [], [[1, 2], [3]], [[1j, 2]], [[10**400]], {"a": 1}, object(),
    np.array([["a", "b"]]), np.empty((2, 2), dtype=object), np.ones((2, 2), dtype=complex),
    np.zeros((0, 3)), np.zeros((3, 0, 1)), np.array(np.datetime64("2024-01-01")),
    np.full((2, 2), np.longdouble(10) ** 400), np.ones((2, 2), dtype=np.float16),
]  # fmt: skip
DTYPES = [np.float64, np.float64, np.float64, np.float32, np.int64, np.uint8, np.bool_]


SEEDS = st.integers(0, 2**32 - 1)
"""Each example is one seed: a NumPy generator seeded by hypothesis picks every argument from
the catalogs above. One draw per example instead of a dozen keeps 2,000 examples per
function at about a millisecond each (hypothesis costs 0.3-0.5 ms per draw)."""


def pick(rng: np.random.Generator, catalog: list[Any]) -> Any:
    """One entry of ``catalog``, uniformly."""
    return catalog[int(rng.integers(len(catalog)))]


def one_of_values(rng: np.random.Generator, *choices: Any) -> Any:
    """One of ``choices``, uniformly."""
    return pick(rng, list(choices))


def usually(rng: np.random.Generator, good: list[Any], catalog: list[Any], odds: float) -> Any:
    """A value of ``good`` with probability ``odds``, else one of ``catalog``."""
    return pick(rng, good) if rng.random() < odds else pick(rng, catalog)


def int_value(rng: np.random.Generator, low: int = -2, high: int = 5) -> Any:
    """Where an int is expected: a small int half the time, else anything from BAD_SCALARS."""
    return int(rng.integers(low, high + 1)) if rng.random() < 0.5 else pick(rng, BAD_SCALARS)


def pair_value(rng: np.random.Generator, good: list[Any]) -> Any:
    """A kernel size, stride or dilation: one of ``good`` 60% of the time, else the catalog."""
    return usually(rng, good, PAIR_CATALOG, 0.6)


def padding_value(rng: np.random.Generator) -> Any:
    """A padding: an ordinary one 40% of the time, else anything from the catalog."""
    return usually(rng, GOOD_PADDINGS, PADDING_CATALOG, 0.4)


def make_array(rng: np.random.Generator, shape: tuple[int, ...], *, hostile: float = 0.1) -> Any:
    """An array of ``shape`` in one of several dtypes, sometimes with a special value; with
    probability ``hostile`` something that is not such an array at all."""
    if rng.random() < hostile:
        return pick(rng, HOSTILE_ARRAYS)
    values = rng.integers(-4, 5, shape).astype(np.float64)
    if rng.random() < 0.5:
        values /= 4  # quarters: exact in binary, so sums are exact too
    if values.size and rng.random() < 0.1:
        values.reshape(-1)[rng.integers(values.size)] = pick(rng, SPECIAL_VALUES)
    with np.errstate(all="ignore"):
        return values.astype(pick(rng, DTYPES))


def bend_shape(rng: np.random.Generator, good: tuple[int, ...]) -> tuple[int, ...]:
    """Usually ``good``; sometimes one dimension fewer or more, or an empty dimension."""
    choice = int(rng.integers(20))
    if choice == 0:
        return good[:-1]
    if choice == 1:
        return (*good, 1)
    if choice == 2:
        return (0, *good[1:])
    return good


def sides(rng: np.random.Generator, low: int, high: int, count: int = 2) -> list[int]:
    """``count`` ints from low to high (inclusive)."""
    return [int(v) for v in rng.integers(low, high + 1, count)]


POOL_MODES: list[Any] = ["max", "avg", "MAX", "Avg", "median", "min", "", None, 1, b"max", ["max"]]
LEARNING_RATES: list[Any] = [
    0, 1, 0.1, 0.5, 2.0, -0.1, float("nan"), float("inf"), True, None, "0.1", 1e308, 10**400,
    np.float32(0.5), np.int64(1), 1 + 0j,
]  # fmt: skip
