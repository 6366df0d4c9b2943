"""Bad input raises ValueError with a message that says what is wrong and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from engine import (
    conv2d,
    conv_steps,
    dense,
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

X = np.ones((5, 5))
K = np.ones((3, 3))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be at least 1"),
        ({"stride": -2}, "stride must be at least 1"),
        ({"stride": (1, 0)}, "stride must be at least 1"),
        ({"stride": 1.5}, "stride must be an int"),
        ({"dilation": 0}, "dilation must be at least 1"),
        ({"padding": "full"}, "unknown padding 'full'.*valid.*same"),
        ({"padding": -1}, "must not be negative"),
        ({"padding": ((1, 2),)}, "bad padding"),
        ({"padding": ((1, -1), (0, 0))}, "non-negative ints"),
        ({"dilation": 3}, "larger than the padded input"),
    ],
)
def test_conv2d_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv2d(X, K, **kwargs)
    with pytest.raises(ValueError, match=message):
        conv_steps(X, K, **kwargs)


@pytest.mark.parametrize(
    ("good", "bad"),
    [(1, 1.0), (1, True), ((1, 1), (1.0, 1)), ((2, 1), [True, 1]), ("same", ["same"])],
)
def test_a_remembered_geometry_does_not_let_equal_values_of_other_types_through(
    good: object, bad: object
) -> None:
    """1 == 1.0 == True: the geometry cache must still see the float and the bool."""
    key = "padding" if good == "same" else "stride"
    conv2d(X, K, **{key: good})  # remembered
    with pytest.raises(ValueError, match=key):
        conv2d(X, K, **{key: bad})


def test_kernel_larger_than_input() -> None:
    with pytest.raises(ValueError, match=r"kernel \(7x7.*larger than the padded input \(5x5\)"):
        conv2d(X, np.ones((7, 7)))
    assert conv2d(X, np.ones((7, 7)), padding=1).shape == (1, 1)  # padding makes it fit


def test_channels_must_agree() -> None:
    with pytest.raises(ValueError, match=r"kernel has 2 input channel.*x has 3"):
        conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 4)))


@pytest.mark.parametrize(
    ("x", "k", "message"),
    [
        (np.ones(5), K, r"input x must be \(H, W\) or \(H, W, C\)"),
        (np.ones((1, 5, 5, 1)), K, r"input x must be \(H, W\) or \(H, W, C\)"),
        (X, np.ones((3, 3, 1)), r"kernel must be \(kh, kw\) or \(kh, kw, C, D\)"),
        (X, np.ones(3), r"kernel must be"),
        (np.ones((0, 5)), K, "must not be empty"),
    ],
)
def test_wrong_ranks(x: np.ndarray, k: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv2d(x, k)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values(bad: float) -> None:
    x = X.copy()
    x[2, 2] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        conv2d(x, K)
    k = K.copy()
    k[0, 0] = bad
    with pytest.raises(ValueError, match="kernel contains NaN or infinite"):
        conv2d(X, k)
    with pytest.raises(ValueError, match="NaN or infinite"):
        pool2d(x)
    with pytest.raises(ValueError, match="bias contains NaN"):
        conv2d(X, K, [bad])


def test_huge_but_finite_values_are_allowed() -> None:
    x = np.full((3, 3), 1e308)
    assert conv2d(x, np.eye(1)).shape == (3, 3)


def test_non_numeric_inputs() -> None:
    with pytest.raises(ValueError, match="real numbers"):
        conv2d(np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1)))
    with pytest.raises(ValueError, match="real numbers with rows of equal length"):
        conv2d([[1, 2], [3]], np.ones((1, 1)))
    with pytest.raises(ValueError, match="complex"):
        conv2d(np.ones((2, 2)) * 1j, np.ones((1, 1)))


def test_bias_count_must_match_filters() -> None:
    with pytest.raises(ValueError, match=r"bias must have one value per filter \(2\), got 3"):
        conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 2)), [1, 2, 3])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "median"}, "unknown pooling mode 'median'.*max.*avg"),
        ({"size": 0}, "pool size must be at least 1"),
        ({"stride": 0}, "stride must be at least 1"),
        ({"size": 6}, "pool window.*larger than the padded input"),
        ({"padding": "reflect"}, "unknown padding"),
        ({"size": 2, "padding": 2}, "padding must be smaller than the pool size"),
    ],
)
def test_pool2d_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pool2d(X, **kwargs)
    with pytest.raises(ValueError, match=message):
        pool_steps(X, **kwargs)


def test_shape_helpers_reject_impossible_settings() -> None:
    with pytest.raises(ValueError, match="larger than the padded input"):
        output_shape(5, 7)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        output_shape(28, 3, stride=0)
    with pytest.raises(ValueError, match="input shape must be"):
        output_shape((28,), 3)
    with pytest.raises(ValueError, match="channels must be at least 1, got 0"):
        param_count(3, 0, 32)


def test_layer_helpers_reject_bad_shapes() -> None:
    with pytest.raises(ValueError, match="weights expect 3 inputs"):
        dense(np.ones(4), np.ones((3, 2)))
    with pytest.raises(ValueError, match="one value per output"):
        dense(np.ones(3), np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        relu([np.nan])
    with pytest.raises(ValueError, match="at least one value"):
        softmax(np.array([]))


def test_step_lookup_outside_the_output() -> None:
    steps = conv_steps(X, K)
    with pytest.raises(ValueError, match="no output at map 0, row 3"):
        steps.index_of(0, 3, 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: output_shape((7, 11), 3, filters=1.5),
            r"filters must be an int, got 1.5 \(float\)",
        ),
        (
            lambda: output_shape((7, 11), 3, filters=float("nan")),
            r"filters must be an int, got nan",
        ),
        (lambda: output_shape(28.0, 3), r"input shape must be .* got 28.0 \(float\)"),
        (lambda: output_shape(28, 3, pooling=True, dilation=2), r"pooling has no dilation"),
        (lambda: output_shape(10, 3, dilation=4096), r"kernel spans 8193x8193 cells"),
        (lambda: param_count(3, 1, 32, bias=None), r"bias must be True or False, got None"),
        (lambda: param_count(3.0, 1, 32), r"kernel size must be an int or a \(rows, cols\) pair"),
        (lambda: conv2d(X, K, stride=10**20), r"stride must be at most 4,096, got 10{20}"),
        (lambda: conv2d(X, K, dilation=10**400), r"dilation must be at most 4,096, got an int of"),
        (lambda: conv2d(X, K, padding=2000), r"padding must be at most the kernel's size \(3x3"),
        (lambda: conv2d(X, K, padding=10**9), r"on each side, got 1000000000"),
        (
            lambda: conv2d(X, K, padding=((0, 4), (0, 0))),
            r"on each side, got \(\(0, 4\), \(0, 0\)\)",
        ),
        (lambda: conv2d(np.ones((1, 5000)), [[1.0]]), r"the input is 1x5000 cells; at most 4,096"),
        (
            lambda: conv2d(np.ones((4096, 1)), np.ones((3, 1)), padding=1),
            r"padded input would be 4098x3",
        ),
        (
            lambda: conv2d(np.ones((1, 1)), np.ones((91, 91)), padding=90),
            r"would read 68,574,961 values",
        ),
        (lambda: conv2d(np.full((3, 3), 1e200), np.full((2, 2), 1e200)), r"values are too large"),
        (
            lambda: pool2d(np.ones((28, 28)), 6000, padding="same"),
            r"pool size must be at most 4,096",
        ),
        (
            lambda: pool2d(np.full((4, 4), 1.5e308), 2, mode="avg"),
            r"average pooling would make sums",
        ),
        (lambda: softmax([1.0, 2.0], axis=3), r"axis must be at most 0, got 3"),
        (lambda: softmax([1.0, 2.0], axis=1.0), r"axis must be an int, got 1.0 \(float\)"),
        (lambda: dense(np.full(3, 1e200), np.full((3, 2), 1e200)), r"dense layer would make sums"),
        (lambda: relu(np.zeros((0, 3))), r"input x must not be empty"),
    ],
)
def test_issue_12_examples_are_refused_with_a_message(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_conv_backprop_checks_the_learning_rate_and_the_number_of_terms() -> None:
    x, w, t = np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2))
    for rate, message in [
        (True, r"learning rate must be a finite number, got bool"),
        ("0.1", r"learning rate must be a finite number, got '0.1'"),
        (10**400, r"an int beyond"),
        (float("nan"), r"got nan"),
        (-0.1, r"must not be negative"),
    ]:
        with pytest.raises(ValueError, match=message):
            conv_backprop(x, w, t, rate)
    with pytest.raises(ValueError, match=r"599x599 outputs × 2x2 weights are 1,435,204 terms"):
        conv_backprop(np.ones((600, 600)), w, np.ones((599, 599)), 0.1)
    assert conv_backprop(x, w, t, np.float32(0.5)).learning_rate == 0.5


def test_layout_converters_refuse_what_they_cannot_move() -> None:
    with pytest.raises(ValueError, match=r"ONNX kernel must be .* real numbers, got .* object"):
        kernel_from_onnx(np.empty((1, 1, 1, 1), dtype=object))
    with pytest.raises(ValueError, match=r"rows of equal length"):
        nchw_to_nhwc([[[1, 2], [3]]])
    with pytest.raises(ValueError, match=r"complex"):
        nhwc_to_nchw(np.ones((2, 2, 2), dtype=complex))
    with pytest.raises(ValueError, match=r"must be 4-D, got shape \(2, 2\)"):
        kernel_to_onnx(np.ones((2, 2)))
    # moving values does not judge them: NaN stays NaN, and the dtype is kept
    moved = kernel_from_onnx(np.full((1, 1, 1, 1), np.nan, dtype=np.float32))
    assert moved.dtype == np.float32 and np.isnan(moved).all()
