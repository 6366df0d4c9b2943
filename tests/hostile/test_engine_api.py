"""The engine's public API under hostile arguments (issue 12, items 3 and 5).

For every public function of ``engine.operations`` and the step sequences, hypothesis draws
2,000 calls, mostly ordinary and many hostile (floats, bools, strings, None, NumPy scalars,
huge ints, NaN, ±inf, 1e308, empty, ragged, object, complex and wrongly shaped arrays,
malformed paddings). Each call must either return the result an independent reference
(``tests.hostile.reference``) computes, or raise a ValueError whose message is one the engine
gives (``tests.hostile.tally.kind_of``); and it must do so exactly when the documented rules
say so. Any other exception, a NumPy warning (an error under the suite's filterwarnings) or a
hang (the folder's time limit) fails the test.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from engine import (
    conv2d,
    conv_steps,
    dense,
    flatten,
    kernel_from_onnx,
    kernel_to_onnx,
    nchw_to_nhwc,
    nhwc_to_nchw,
    output_shape,
    param_count,
    pool2d,
    pool_steps,
    relu,
    softmax,
)
from engine.operations.backprop import conv_backprop
from tests.hostile.reference import (
    LARGEST,
    MAX_SIDE,
    close,
    normal_int,
    normal_padding,
    normal_pair,
    real_array,
    reference_conv,
    reference_pool,
    window_fits,
)
from tests.hostile.strategies import (
    BAD_SCALARS,
    LEARNING_RATES,
    PAIR_PARTS,
    POOL_MODES,
    SEEDS,
    bend_shape,
    int_value,
    make_array,
    one_of_values,
    padding_value,
    pair_value,
    pick,
    sides,
    usually,
)
from tests.hostile.tally import ACCEPTED, kind_of, tally

if TYPE_CHECKING:
    from collections.abc import Callable

EXAMPLES = 2000
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
MAX_CELLS = 2**26
BELOW_LARGEST = LARGEST * (1 - 2**-20)


def outcome(function: str, call: Callable[[], Any]) -> tuple[Any, str | None]:
    """(result, None) or (None, the ValueError's message); any other exception propagates."""
    try:
        result = call()
    except ValueError as exc:
        message = str(exc)
        kind = kind_of(message)
        assert kind is not None, f"{function} refused with a message not the engine's: {message!r}"
        tally(function, kind)
        return None, message
    tally(function, ACCEPTED)
    return result, None


def settle(function: str, expected: object, message: str | None, call: dict[str, Any]) -> None:
    """Accepted exactly when the reference accepts."""
    if expected is None:
        assert message is not None, f"{function} accepted what the rules refuse: {call!r}"
    else:
        assert message is None, f"{function} refused a valid call {call!r}: {message}"


# ----- convolution --------------------------------------------------------------------------
def conv_call(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    (c, d), (kh, kw), (h, w) = sides(rng, 1, 2), sides(rng, 1, 3), sides(rng, 1, 5)
    flat = c == d == 1 and rng.random() < 0.5
    kernel_c = one_of_values(rng, c, c, c, c + 1)
    bias_length = one_of_values(rng, d, d, d, d + 1)
    return {
        "x": make_array(rng, bend_shape(rng, (h, w) if flat else (h, w, c))),
        "kernel": make_array(rng, bend_shape(rng, (kh, kw) if flat else (kh, kw, kernel_c, d))),
        "bias": None if rng.random() < 0.4 else make_array(rng, (bias_length,)),
        "stride": pair_value(rng, [1, 2, 3, (1, 2)]),
        "padding": padding_value(rng),
        "dilation": pair_value(rng, [1, 1, 2, (2, 1)]),
    }


conv_calls = SEEDS.map(conv_call)


def expected_conv(call: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(output, sums of |products|) of a call the rules accept, else None."""
    x, kernel = real_array(call["x"]), real_array(call["kernel"])
    if x is None or kernel is None or x.ndim not in (2, 3) or kernel.ndim not in (2, 4):
        return None
    flat = x.ndim == 2 and kernel.ndim == 2
    x3 = x[:, :, None] if x.ndim == 2 else x
    k4 = kernel[:, :, None, None] if kernel.ndim == 2 else kernel
    if 0 in x3.shape or 0 in k4.shape or k4.shape[2] != x3.shape[2]:
        return None
    bias = np.zeros(k4.shape[3]) if call["bias"] is None else real_array(call["bias"])
    if bias is None or bias.reshape(-1).shape != (k4.shape[3],):
        return None
    stride, dilation = normal_pair(call["stride"]), normal_pair(call["dilation"])
    if stride is None or dilation is None:
        return None
    hw, size = x3.shape[:2], k4.shape[:2]
    span = ((size[0] - 1) * dilation[0] + 1, (size[1] - 1) * dilation[1] + 1)
    pads = normal_padding(call["padding"], hw, size, stride, dilation)
    if pads is None or not window_fits(hw, span, pads, pooling=False):
        return None
    out, sums = reference_conv(x3, k4, bias.reshape(-1), stride, pads, dilation)
    if not np.all(sums < BELOW_LARGEST):
        return None
    return (out[:, :, 0], sums[:, :, 0]) if flat else (out, sums)


def _conv(call: dict[str, Any], function: Callable[..., Any]) -> Any:
    return function(
        call["x"], call["kernel"], call["bias"],
        stride=call["stride"], padding=call["padding"], dilation=call["dilation"],
    )  # fmt: skip


@SETTINGS
@given(conv_calls)
def test_conv2d_returns_the_convolution_or_refuses(call: dict[str, Any]) -> None:
    expected = expected_conv(call)
    result, message = outcome("conv2d", lambda: _conv(call, conv2d))
    settle("conv2d", expected, message, call)
    if expected is not None:
        assert close(result, *expected, result.dtype), call


@SETTINGS
@given(conv_calls)
def test_conv_steps_hold_the_convolution_or_refuse(call: dict[str, Any]) -> None:
    expected = expected_conv(call)
    steps, message = outcome("conv_steps", lambda: _conv(call, conv_steps))
    settle("conv_steps", expected, message, call)
    if expected is None:
        return
    out, sums = expected
    out3, sums3 = (out[:, :, None], sums[:, :, None]) if out.ndim == 2 else (out, sums)
    assert len(steps) == out.size
    for index in {0, len(steps) // 2, len(steps) - 1}:
        step = steps[index]
        cell = (step.row, step.col, step.filter)
        assert abs(step.value - out3[cell]) <= 1e-9 * sums3[cell] + 1e-12
        np.testing.assert_array_equal(step.products, step.window * step.kernel)


# ----- pooling ------------------------------------------------------------------------------
def pool_call(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    c, (h, w) = sides(rng, 1, 2, 1)[0], sides(rng, 1, 5)
    shape = (h, w) if c == 1 and rng.random() < 0.5 else (h, w, c)
    return {
        "x": make_array(rng, bend_shape(rng, shape)),
        "size": pair_value(rng, [1, 2, 2, 3, (2, 1)]),
        "stride": None if rng.random() < 0.3 else pair_value(rng, [1, 2, 3, (1, 2)]),
        "mode": usually(rng, ["max", "avg"], POOL_MODES, 0.7),
        "padding": padding_value(rng),
    }


pool_calls = SEEDS.map(pool_call)


def expected_pool(call: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(output, sums of |cells| per window) of a call the rules accept, else None."""
    x, mode = real_array(call["x"]), call["mode"]
    if x is None or x.ndim not in (2, 3) or 0 in x.shape:
        return None
    if not isinstance(mode, str) or mode.lower() not in ("max", "avg"):
        return None
    x3 = x[:, :, None] if x.ndim == 2 else x
    size = normal_pair(call["size"])
    stride = size if call["stride"] is None else normal_pair(call["stride"])
    if size is None or stride is None:
        return None
    hw = x3.shape[:2]
    pads = normal_padding(call["padding"], hw, size, stride, (1, 1))
    if pads is None or not window_fits(hw, size, pads, pooling=True):
        return None
    out, sums = reference_pool(x3, size, stride, pads, mode.lower())
    if mode.lower() == "avg" and not np.all(sums < BELOW_LARGEST):
        return None
    return (out[:, :, 0], sums[:, :, 0]) if x.ndim == 2 else (out, sums)


def _pool(call: dict[str, Any], function: Callable[..., Any]) -> Any:
    return function(
        call["x"], call["size"], stride=call["stride"], mode=call["mode"], padding=call["padding"]
    )


@SETTINGS
@given(pool_calls)
def test_pool2d_returns_the_pooling_or_refuses(call: dict[str, Any]) -> None:
    expected = expected_pool(call)
    result, message = outcome("pool2d", lambda: _pool(call, pool2d))
    settle("pool2d", expected, message, call)
    if expected is not None:
        assert close(result, *expected, result.dtype), call


@SETTINGS
@given(pool_calls)
def test_pool_steps_hold_the_pooling_or_refuse(call: dict[str, Any]) -> None:
    expected = expected_pool(call)
    steps, message = outcome("pool_steps", lambda: _pool(call, pool_steps))
    settle("pool_steps", expected, message, call)
    if expected is None:
        return
    out, sums = expected
    out3, sums3 = (out[:, :, None], sums[:, :, None]) if out.ndim == 2 else (out, sums)
    assert len(steps) == out.size
    for index in {0, len(steps) // 2, len(steps) - 1}:
        step = steps[index]
        cell = (step.row, step.col, step.channel)
        assert abs(step.value - out3[cell]) <= 1e-9 * sums3[cell] + 1e-12


# ----- element-wise and dense layers --------------------------------------------------------
def any_array(seed: int, max_dims: int = 3) -> Any:
    rng = np.random.default_rng(seed)
    return make_array(rng, tuple(sides(rng, 0, 3, int(rng.integers(max_dims + 1)))))


def any_array_and_axis(seed: int) -> tuple[Any, Any]:
    return any_array(seed), int_value(np.random.default_rng(seed + 1), -3, 3)


@SETTINGS
@given(SEEDS.map(any_array))
def test_relu_returns_max_0_z_or_refuses(x: Any) -> None:
    values = real_array(x)
    expected = None if values is None or values.size == 0 else np.where(values > 0, values, 0.0)
    result, message = outcome("relu", lambda: relu(x))
    settle("relu", expected, message, {"x": x})
    if expected is not None:
        np.testing.assert_array_equal(np.asarray(result, dtype=np.float64), expected)


def _softmax_1d(values: np.ndarray) -> np.ndarray:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = math.fsum(exps)
    return np.array([e / total for e in exps])


@SETTINGS
@given(SEEDS.map(any_array_and_axis))
def test_softmax_returns_probabilities_or_refuses(call: tuple[Any, Any]) -> None:
    x, axis = call
    values = real_array(x)
    expected = None
    if values is not None and values.ndim > 0 and values.size > 0:
        axis_number = normal_int(axis, -values.ndim, values.ndim - 1)
        if axis_number is not None:
            expected = np.apply_along_axis(_softmax_1d, axis_number, values)
    result, message = outcome("softmax", lambda: softmax(x, axis))
    settle("softmax", expected, message, {"x": x, "axis": axis})
    if expected is not None:
        tolerance = 1e-6 if np.asarray(result).dtype == np.float32 else 1e-12
        np.testing.assert_allclose(result, expected, rtol=0, atol=tolerance)


@SETTINGS
@given(SEEDS.map(lambda seed: any_array(seed, 4)))
def test_flatten_returns_the_values_in_keras_order_or_refuses(x: Any) -> None:
    values = real_array(x)
    expected = None
    if values is not None and values.size > 0:
        expected = np.array([values[index] for index in np.ndindex(values.shape)])
    result, message = outcome("flatten", lambda: flatten(x))
    settle("flatten", expected, message, {"x": x})
    if expected is not None:
        np.testing.assert_array_equal(np.asarray(result, dtype=np.float64), expected)


def dense_call(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    (n, m), batch = sides(rng, 1, 4), one_of_values(rng, (), (2,), (1,))
    n_x = one_of_values(rng, n, n, n, n + 1)
    return {
        "x": make_array(rng, bend_shape(rng, (*batch, n_x))),
        "weights": make_array(rng, bend_shape(rng, (n, m))),
        "bias": None if rng.random() < 0.4 else make_array(rng, (one_of_values(rng, m, m, m + 1),)),
    }


def expected_dense(call: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    x, weights = real_array(call["x"]), real_array(call["weights"])
    if x is None or weights is None or weights.ndim != 2 or weights.size == 0:
        return None
    if x.ndim not in (1, 2) or x.size == 0 or x.shape[-1] != weights.shape[0]:
        return None
    bias = np.zeros(weights.shape[1]) if call["bias"] is None else real_array(call["bias"])
    if bias is None or bias.reshape(-1).shape != (weights.shape[1],):
        return None
    rows = np.atleast_2d(x)
    out = np.zeros((rows.shape[0], weights.shape[1]))
    sums = np.zeros_like(out)
    with np.errstate(all="ignore"):
        for i in range(rows.shape[0]):
            for j in range(weights.shape[1]):
                terms = [rows[i, k] * weights[k, j] for k in range(weights.shape[0])]
                out[i, j] = math.fsum(terms) + bias.reshape(-1)[j]
                sums[i, j] = math.fsum(abs(t) for t in terms) + abs(bias.reshape(-1)[j])
    if not np.all(sums < BELOW_LARGEST):
        return None
    return (out[0], sums[0]) if x.ndim == 1 else (out, sums)


@SETTINGS
@given(SEEDS.map(dense_call))
def test_dense_returns_x_w_plus_b_or_refuses(call: dict[str, Any]) -> None:
    expected = expected_dense(call)
    result, message = outcome("dense", lambda: dense(call["x"], call["weights"], call["bias"]))
    settle("dense", expected, message, call)
    if expected is not None:
        assert close(result, *expected, result.dtype), call


# ----- shapes and parameter counts ----------------------------------------------------------
INPUT_SHAPES: list[Any] = [
    *range(1, 7),
    *itertools.product(range(1, 7), repeat=2),
    *itertools.product(range(1, 5), range(1, 5), range(1, 4)),
    *BAD_SCALARS,
    *((a, b) for a in PAIR_PARTS for b in PAIR_PARTS[:5]),
    *((3, 3, c) for c in BAD_SCALARS),
    [4, 5], [4, 5, 2], (4096, 4096, 5), (4097, 1), (5,), (), (1, 2, 3, 4), "28",
]  # fmt: skip
GOOD_SHAPES: list[Any] = [*range(1, 7), (4, 5), (5, 4, 2), (6, 6, 3)]


def shape_call(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "input_shape": usually(rng, GOOD_SHAPES, INPUT_SHAPES, 0.5),
        "kernel_size": pair_value(rng, [1, 2, 3, (3, 2)]),
        "stride": pair_value(rng, [1, 2, 3, (1, 2)]),
        "padding": padding_value(rng),
        "dilation": pair_value(rng, [1, 1, 2, (2, 1)]),
        "filters": None if rng.random() < 0.3 else int_value(rng, 1, 3),
        "pooling": usually(rng, [False, True], [None, 0, 1, "yes", np.bool_(True)], 0.8),
    }


def _dims(value: object) -> tuple[int, ...] | None:
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) not in (2, 3):
        return None
    dims = [normal_int(v, 1, 10**100) for v in values]
    if any(d is None for d in dims):
        return None
    return tuple(int(d) for d in dims if d is not None)


def expected_shape(call: dict[str, Any]) -> tuple[int, ...] | None:
    """The output shape of a call the rules accept (engine.operations.limits), else None."""
    dims = _dims(call["input_shape"])
    filters = call["filters"]
    if dims is None or (len(dims) == 3 and dims[2] > MAX_CELLS):
        return None
    if filters is not None and normal_int(filters, 1, MAX_CELLS) is None:
        return None
    if not isinstance(call["pooling"], (bool, np.bool_)):
        return None
    pooling, hw = bool(call["pooling"]), (dims[0], dims[1])
    size = normal_pair(call["kernel_size"])
    stride, dilation = normal_pair(call["stride"]), normal_pair(call["dilation"])
    if max(hw) > MAX_SIDE or size is None or stride is None or dilation is None:
        return None
    if pooling and dilation != (1, 1):
        return None
    span = ((size[0] - 1) * dilation[0] + 1, (size[1] - 1) * dilation[1] + 1)
    pads = normal_padding(call["padding"], hw, size, stride, dilation)
    if pads is None or not window_fits(hw, span, pads, pooling=pooling):
        return None
    padded = (hw[0] + pads[0] + pads[1], hw[1] + pads[2] + pads[3])
    out = ((padded[0] - span[0]) // stride[0] + 1, (padded[1] - span[1]) // stride[1] + 1)
    channels = dims[2] if len(dims) == 3 else 1
    maps = int(filters) if filters is not None else channels
    cells = (
        padded[0] * padded[1] * channels,
        out[0] * out[1] * size[0] * size[1] * channels,
        out[0] * out[1] * maps,
    )
    if max(cells) > MAX_CELLS:
        return None
    if filters is not None:
        return (*out, int(filters))
    return (*out, dims[2]) if len(dims) == 3 else out


@SETTINGS
@given(SEEDS.map(shape_call))
def test_output_shape_returns_the_shape_or_refuses(call: dict[str, Any]) -> None:
    expected = expected_shape(call)
    arguments = {k: v for k, v in call.items() if k not in ("input_shape", "kernel_size")}
    result, message = outcome(
        "output_shape", lambda: output_shape(call["input_shape"], call["kernel_size"], **arguments)
    )
    settle("output_shape", expected, message, call)
    if expected is not None:
        assert result.shape == expected
        assert f"= {expected[0]}" in result.row_formula
        assert f"= {expected[1]}" in result.col_formula


def param_count_call(seed: int) -> tuple[Any, Any, Any, Any]:
    rng = np.random.default_rng(seed)
    bias = usually(rng, [True, False], [None, 0, 1, "True", np.bool_(False), 1.0], 0.7)
    return pair_value(rng, [1, 3, (3, 2)]), int_value(rng, 1, 64), int_value(rng, 1, 64), bias


@SETTINGS
@given(SEEDS.map(param_count_call))
def test_param_count_returns_the_count_or_refuses(call: tuple[Any, Any, Any, Any]) -> None:
    kernel_size, channels, filters, bias = call
    size = normal_pair(kernel_size)
    c, d = normal_int(channels, 1, MAX_CELLS), normal_int(filters, 1, MAX_CELLS)
    valid = size is not None and c is not None and d is not None
    expected = None
    if valid and isinstance(bias, (bool, np.bool_)) and size and c and d:
        expected = (size[0] * size[1] * c + int(bias)) * d
    arguments = {"kernel_size": kernel_size, "channels": channels, "filters": filters}
    result, message = outcome(
        "param_count", lambda: param_count(kernel_size, channels, filters, bias=bias)
    )
    settle("param_count", expected, message, {**arguments, "bias": bias})
    if expected is not None:
        assert result.value == expected and result.formula.endswith(f"= {expected}")


# ----- layout converters --------------------------------------------------------------------
LAYOUTS: list[tuple[str, Callable[[Any], Any], tuple[int, ...], str]] = [
    ("kernel_from_onnx", kernel_from_onnx, (4,), "dchw->hwcd"),
    ("kernel_to_onnx", kernel_to_onnx, (4,), "hwcd->dchw"),
    ("nchw_to_nhwc", nchw_to_nhwc, (3, 4), "chw->hwc|nchw->nhwc"),
    ("nhwc_to_nchw", nhwc_to_nchw, (3, 4), "hwc->chw|nhwc->nchw"),
]


@pytest.mark.parametrize(("name", "convert", "ndims", "einsum"), LAYOUTS)
def test_layout_converters_move_values_or_refuse(
    name: str, convert: Callable[[Any], Any], ndims: tuple[int, ...], einsum: str
) -> None:
    @SETTINGS
    @given(SEEDS.map(lambda seed: any_array(seed, 5)))
    def check(x: Any) -> None:
        try:
            array = np.asarray(x)
        except (TypeError, ValueError, OverflowError):
            array = None
        ok = array is not None and array.dtype.kind in "fiub" and array.ndim in ndims
        result, message = outcome(name, lambda: convert(x))
        settle(name, True if ok else None, message, {"x": x})
        if ok and array is not None:
            spec = einsum.split("|")[0 if array.ndim == 3 else -1]
            np.testing.assert_array_equal(result, np.einsum(spec, array))
            assert result.dtype == array.dtype

    check()


# ----- backprop -----------------------------------------------------------------------------
def backprop_call(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    (h, w), (kh, kw) = sides(rng, 1, 4), sides(rng, 1, 3)
    target = (max(h - kh + 1, 1), max(w - kw + 1, 1))
    rate = float(rng.uniform(0, 2)) if rng.random() < 0.6 else pick(rng, LEARNING_RATES)
    return {
        "x": make_array(rng, bend_shape(rng, (h, w))),
        "w": make_array(rng, bend_shape(rng, (kh, kw))),
        "target": make_array(rng, one_of_values(rng, target, target, target, (1, 5))),
        "learning_rate": rate,
    }


def _valid_conv(x: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A 2-D valid, stride-1 convolution and its sums of |products|; None if they overflow."""
    out, sums = reference_conv(
        x[:, :, None], kernel[:, :, None, None], np.zeros(1), (1, 1), (0, 0, 0, 0), (1, 1)
    )
    return (out[:, :, 0], sums[:, :, 0]) if np.all(sums < BELOW_LARGEST) else None


def _rate(value: object) -> float | None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        return None
    if isinstance(value, int) and abs(value) > 10**300:
        return None
    rate = float(value)
    return rate if math.isfinite(rate) and rate >= 0 else None


def expected_backprop(call: dict[str, Any]) -> dict[str, Any] | None:
    """h, ∂E/∂W (with their sums of |products|) and E of a call the rules accept, else None."""
    x, w, target = real_array(call["x"]), real_array(call["w"]), real_array(call["target"])
    rate = _rate(call["learning_rate"])
    if x is None or w is None or target is None or rate is None or x.ndim != 2 or w.ndim != 2:
        return None
    if 0 in x.shape or 0 in w.shape or w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]:
        return None
    forward = _valid_conv(x, w)
    if forward is None or target.shape != forward[0].shape:
        return None
    with np.errstate(all="ignore"):
        de_dh = forward[0] - target
        gradient = _valid_conv(x, de_dh) if np.isfinite(de_dh).all() else None
        w_next = None if gradient is None else w - rate * gradient[0]
        after = None if w_next is None or not np.isfinite(w_next).all() else _valid_conv(x, w_next)
        if gradient is None or after is None:
            return None
        losses = [0.5 * np.sum((forward[0] - target) ** 2), 0.5 * np.sum((after[0] - target) ** 2)]
    if not all(math.isfinite(loss) for loss in losses):
        return None
    return {"h": forward, "dE_dw": gradient, "loss": losses[0]}


@SETTINGS
@given(SEEDS.map(backprop_call))
def test_conv_backprop_returns_the_gradients_or_refuses(call: dict[str, Any]) -> None:
    expected = expected_backprop(call)
    result, message = outcome("conv_backprop", lambda: conv_backprop(**call))
    settle("conv_backprop", expected, message, call)
    if expected is None:
        return
    (h, h_sums), (gradient, gradient_sums) = expected["h"], expected["dE_dw"]
    assert close(result.h, h, h_sums, np.dtype(np.float64))
    assert close(result.dE_dw, gradient, gradient_sums, np.dtype(np.float64))
    assert result.loss == pytest.approx(expected["loss"], rel=1e-9, abs=1e-12)
    assert len(result.terms) == result.w.size
