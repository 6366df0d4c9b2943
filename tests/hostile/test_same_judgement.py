"""The same parameters are judged the same way everywhere (issue 12, item 5).

``output_shape``, ``conv2d`` and ``conv_steps`` must accept or refuse the same input size,
kernel size, stride, padding and dilation together, with the same message; so must
``output_shape(pooling=True)``, ``pool2d`` and ``pool_steps`` for a pooling. Between the two
families the rules differ only where documented (a pooling has no dilation, and its padding
must be smaller than the window rather than at most the kernel): everywhere else they agree
too, with the same message up to the name of the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings

from engine import conv2d, conv_steps, output_shape, pool2d, pool_steps
from tests.hostile.reference import normal_padding, normal_pair
from tests.hostile.strategies import SEEDS, padding_value, pair_value, sides
from tests.hostile.tally import ACCEPTED, kind_of, tally

SETTINGS = settings(max_examples=1000, deadline=None, derandomize=True, database=None)
"""1,000 parameter sets per test, each tried on three functions (the API tests have 2,000)."""


def parameters(seed: int) -> dict[str, Any]:
    """One input size and window, and hostile stride, padding and dilation."""
    rng = np.random.default_rng(seed)
    (h, w), (kh, kw), (c, d) = sides(rng, 1, 6), sides(rng, 1, 3), sides(rng, 1, 2)
    return {
        "shape": (h, w, c),
        "window": (kh, kw),
        "filters": d,
        "stride": pair_value(rng, [1, 2, 3, (1, 2)]),
        "padding": padding_value(rng),
        "dilation": pair_value(rng, [1, 1, 2]),
    }


def judged(function: str, call: Any) -> tuple[Any, str]:
    """(the output's shape or None, the refusal's message or "")."""
    try:
        result = call()
    except ValueError as exc:
        message = str(exc)
        kind = kind_of(message)
        assert kind is not None, f"{function}: not an engine message: {message!r}"
        tally(function, kind)
        return None, message
    tally(function, ACCEPTED)
    shape = result.shape if not hasattr(result, "output") else result.output.shape
    return tuple(shape), ""


def conv_judgements(p: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    x = np.ones(p["shape"])
    kernel = np.ones((*p["window"], p["shape"][2], p["filters"]))
    geometry = {"stride": p["stride"], "padding": p["padding"], "dilation": p["dilation"]}
    return {
        "output_shape": judged(
            "output_shape (same judgement)",
            lambda: output_shape(p["shape"], p["window"], filters=p["filters"], **geometry),
        ),
        "conv2d": judged("conv2d (same judgement)", lambda: conv2d(x, kernel, **geometry)),
        "conv_steps": judged(
            "conv_steps (same judgement)", lambda: conv_steps(x, kernel, **geometry)
        ),
    }


def pool_judgements(p: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    x = np.ones(p["shape"])
    geometry = {"stride": p["stride"], "padding": p["padding"]}
    # pool2d's stride defaults to the pool size (as Keras); output_shape's to 1
    shape_stride = p["window"] if p["stride"] is None else p["stride"]
    return {
        "output_shape": judged(
            "output_shape pooling (same judgement)",
            lambda: output_shape(
                p["shape"], p["window"], pooling=True, stride=shape_stride, padding=p["padding"]
            ),
        ),
        "pool2d": judged("pool2d (same judgement)", lambda: pool2d(x, p["window"], **geometry)),
        "pool_steps": judged(
            "pool_steps (same judgement)", lambda: pool_steps(x, p["window"], **geometry)
        ),
    }


def _as_conv(message: str) -> str:
    """A pooling's message in a convolution's words (the window's name differs, nothing else)."""
    return message.replace("pool window", "kernel").replace("pool size", "kernel size")


def _pool_rules_apply(p: dict[str, Any]) -> bool:
    """Dilation 1 and no padding as large as the window: no rule of one family only applies."""
    stride = normal_pair(p["stride"])
    if normal_pair(p["dilation"]) != (1, 1) or stride is None:
        return False
    pads = normal_padding(p["padding"], p["shape"][:2], p["window"], stride, (1, 1))
    if pads is None:
        return True  # malformed: both refuse it, with the same message
    top, bottom, left, right = pads
    return bool(max(top, bottom) < p["window"][0] and max(left, right) < p["window"][1])


@SETTINGS
@given(SEEDS.map(parameters))
def test_conv2d_conv_steps_and_output_shape_judge_alike(p: dict[str, Any]) -> None:
    found = conv_judgements(p)
    assert len(set(found.values())) == 1, found


@SETTINGS
@given(SEEDS.map(parameters))
def test_pool2d_pool_steps_and_output_shape_judge_alike(p: dict[str, Any]) -> None:
    found = pool_judgements(p)
    assert len(set(found.values())) == 1, found


@SETTINGS
@given(SEEDS.map(parameters))
def test_convolution_and_pooling_judge_shared_rules_alike(p: dict[str, Any]) -> None:
    if not _pool_rules_apply(p):
        return
    conv_shape, conv_message = conv_judgements(p)["output_shape"]
    pool_shape, pool_message = pool_judgements(p)["output_shape"]
    assert (conv_shape is None) == (pool_shape is None), (conv_message, pool_message)
    assert conv_message.replace(" including dilation", "") == _as_conv(pool_message)
    if conv_shape is not None:
        assert conv_shape[:2] == pool_shape[:2]
