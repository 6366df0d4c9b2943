"""Shapes, formulas, layers, layout converters and the arithmetic text."""

from __future__ import annotations

import numpy as np
import pytest

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
from engine.animation.arithmetic import conv_step_text, format_number, pool_step_text
from engine.animation.numbers import NumberRule, write
from engine.animation.playground import run_pipeline
from engine.animation.presets import PRESETS, fit_kernel, preset
from engine.lessons.registry import lesson
from engine.operations import limits


def test_output_shape_formula_with_numbers_filled_in() -> None:
    shape = output_shape(28, 3, padding=1)
    assert shape.shape == (28, 28)
    assert shape.formula == "(28 + 2·1 − 3) / 1 + 1 = 28"
    assert output_shape((7, 7, 3), 3, stride=2, padding=0, filters=2).shape == (3, 3, 2)
    assert str(output_shape(6, 3, stride=2)) == "⌊(6 + 2·0 − 3) / 2⌋ + 1 = 2"
    same = output_shape(28, 5, padding="same", stride=2)
    assert same.rows == 14 and same.formula.startswith("⌈28 / 2⌉ = 14")
    dilated = output_shape(10, 3, dilation=2)
    assert dilated.rows == 6 and "((3 − 1)·2 + 1)" in dilated.formula
    asym = output_shape((5, 6), (3, 2), padding=((0, 1), (2, 0)))
    assert asym.shape == (4, 7) and asym.formula.startswith("rows: (5 + 0 + 1 − 3)")


@pytest.mark.parametrize(
    ("h", "k", "s", "p"), [(28, 3, 1, 1), (14, 5, 2, 2), (9, 3, 2, 0), (7, 2, 3, 1)]
)
def test_output_shape_agrees_with_conv2d(h: int, k: int, s: int, p: int) -> None:
    out = conv2d(np.ones((h, h)), np.ones((k, k)), stride=s, padding=p)
    assert output_shape(h, k, stride=s, padding=p).shape == out.shape


def test_param_count_formula_of_slide_002() -> None:
    count = param_count(3, 1, 32)
    assert count.value == 320 and int(count) == 320
    assert count.formula == "(3·3·1 + 1)·32 = 320"
    assert param_count(3, 32, 64).value == 18496
    assert param_count(1, 3136, 128).value == 401536  # dense1 of the lecture CNN
    assert param_count(3, 1, 32, bias=False).formula == "(3·3·1)·32 = 288"


def test_relu_softmax_flatten_dense() -> None:
    np.testing.assert_array_equal(relu([-2, 0, 3]), [0, 0, 3])
    p = softmax([1.0, 2.0, 3.0])
    assert p.sum() == pytest.approx(1) and np.argmax(p) == 2
    assert softmax([1000.0, 1000.0]).tolist() == [0.5, 0.5]  # stable
    x = np.arange(12.0).reshape(2, 2, 3)
    assert flatten(x).tolist() == list(range(12))  # channels-last order, like Keras
    w = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(dense([1, 1, 1], w, [1, -1]), [7, 8])
    assert dense(np.ones((4, 3)), w).shape == (4, 2)


def test_layout_converters_round_trip_and_agree_with_conv() -> None:
    rng = np.random.default_rng(1)
    k = rng.random((3, 2, 4, 5))
    assert kernel_to_onnx(k).shape == (5, 4, 3, 2)
    np.testing.assert_array_equal(kernel_from_onnx(kernel_to_onnx(k)), k)
    a = rng.random((2, 4, 6, 7))
    assert nchw_to_nhwc(a).shape == (2, 6, 7, 4)
    np.testing.assert_array_equal(nhwc_to_nchw(nchw_to_nhwc(a)), a)
    assert nchw_to_nhwc(a[0]).shape == (6, 7, 4)
    with pytest.raises(ValueError, match="ONNX kernel must be 4-D"):
        kernel_from_onnx(np.ones((3, 3)))


def test_pool_avg_same_excludes_padding() -> None:
    x = np.arange(9.0).reshape(3, 3)
    out = pool2d(x, 2, mode="avg", padding="same")
    assert out[1, 1] == 8  # the corner window holds one real cell
    assert out[0, 1] == pytest.approx((2 + 5) / 2)


def test_arithmetic_text_of_slide_000_first_step() -> None:
    result = run_pipeline(lesson("six-by-six").spec)
    text = conv_step_text(result.conv[0], results=NumberRule(0))
    assert text == "1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 = 3"
    assert result.pool is not None
    assert pool_step_text(result.pool[0], results=NumberRule(0)) == "max(3, −1, −3, 1) = 3"


def test_arithmetic_text_with_bias_divisor_and_channels() -> None:
    item = lesson("x-or-o")
    result = run_pipeline(item.spec)
    text = conv_step_text(result.conv[0], divisor=9, results=NumberRule(2, truncate=True))
    assert text.endswith("= 7\n7 / 9 = 0.77…")  # cut as on the slide, and marked as cut
    assert conv_step_text(result.conv[0], divisor=9).endswith("= 7\n7 / 9 ≈ 0.778")
    cs = run_pipeline(lesson("cs231n-volume").spec)
    lines = conv_step_text(cs.conv[0], channel_names=("R", "G", "B")).splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["R", "G", "B"]
    assert lines[3].endswith(f"+ 1 = {write(cs.conv[0].value).text}")


def test_long_sums_leave_out_zero_weights_and_say_so() -> None:
    result = run_pipeline(lesson("blur-digit").spec)
    text = conv_step_text(result.conv[40], divisor=9).splitlines()[0]
    assert text.count("×") == 9  # the 5x5 kernel's 16 zero weights are left out
    assert "… (+ 16 more terms with weight 0) = " in text


def test_format_number() -> None:
    assert format_number(-1.0) == "−1"
    assert format_number(0.5) == "0.5"
    assert format_number(2 / 3) == "0.67"
    assert format_number(2 / 3, truncate=True) == "0.66"
    assert format_number(-0.0001) == "0"
    assert format_number(float("-inf")) == "−∞"


def test_presets() -> None:
    assert {p.id for p in PRESETS} >= {
        "identity", "box_blur", "gaussian_blur", "sharpen", "laplacian", "sobel_x", "sobel_y",
        "diagonal", "vertical", "x_shape",
    }  # fmt: skip
    assert preset("box_blur").kernel.sum() == pytest.approx(1)
    assert preset("gaussian_blur").kernel.sum() == pytest.approx(1)
    x = np.random.default_rng(2).random((6, 6))
    np.testing.assert_allclose(conv2d(x, preset("identity").kernel, padding="same"), x)
    big = fit_kernel(preset("laplacian").kernel, 5)
    assert big.shape == (5, 5) and big[2, 2] == -4 and big[0].sum() == 0
    assert fit_kernel(big, 3).tolist() == preset("laplacian").kernel.tolist()
    with pytest.raises(ValueError, match="unknown filter preset 'nope'"):
        preset("nope")


def test_relu_text_counts_the_negatives() -> None:
    from engine.animation.arithmetic import relu_text

    text = relu_text(np.array([[-1.0, 0.0], [2.0, -3.0]]), "Filter 1")
    assert "Filter 1's map" in text and "2 negative values become 0" in text
    assert "1 negative value become" in relu_text(np.array([[-1.0]]), "m")


@pytest.mark.parametrize(
    ("stride", "dilation", "padding"),
    [(1, 1, "same"), (1, 2, "valid"), ((1, 2), 1, ((0, 2), (1, 0))), ((1, 3), (2, 1), 1)],
)
def test_multichannel_conv_with_row_stride_1_matches_a_plain_loop(
    stride: object, dilation: object, padding: object
) -> None:
    """Row stride 1 with several channels runs one product per kernel row (operations.conv)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((9, 8, 3))
    kernel = rng.standard_normal((3, 2, 3, 4))
    bias = rng.standard_normal(4)
    out = conv2d(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    steps = conv_steps(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    loop = np.zeros(out.shape)
    for step in steps:  # windows gathered one by one, summed in the plainest way
        loop[step.row, step.col, step.filter] = float(np.sum(step.window * step.kernel)) + step.bias
    np.testing.assert_allclose(out, loop, atol=1e-12)


def test_output_dtype_follows_every_input() -> None:
    x = np.ones((5, 5, 2), dtype=np.float32)
    k = np.ones((3, 3, 2, 2), dtype=np.float32)
    assert conv2d(x, k, np.ones(2, dtype=np.float32), padding="same").dtype == np.float32
    assert conv2d(x, k, padding="same").dtype == np.float32
    assert conv2d(x, k, np.ones(2), padding="same").dtype == np.float64  # a float64 bias
    assert conv2d(x.astype(np.float64), k, padding="same").dtype == np.float64
    assert conv2d(x, k, np.array([1, 2]), stride=2).dtype == np.float64  # the im2col path


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(
    ("size", "stride", "padding"), [(9, 1, "valid"), ((10, 12), 2, "same"), (8, 3, 4)]
)
def test_pooling_a_large_window_over_few_outputs_matches_a_plain_loop(
    mode: str, size: object, stride: int, padding: object
) -> None:
    """Windows of more than 64 cells and more cells than outputs are pooled output by output."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((12, 13, 2))
    out = pool2d(x, size, stride=stride, mode=mode, padding=padding)
    steps = pool_steps(x, size, stride=stride, mode=mode, padding=padding)
    loop = np.zeros(out.shape)
    for step in steps:  # each window's real cells, taken one by one
        cells = step.window[~step.is_padding]
        loop[step.row, step.col, step.channel] = cells.max() if mode == "max" else cells.mean()
    np.testing.assert_allclose(out, loop, atol=1e-12)
    assert out.shape[0] * out.shape[1] < np.prod(steps.plan.size)  # the output-by-output path


def test_the_limits_table_states_every_limit() -> None:
    """The table the README quotes (engine.operations.limits) and the constants agree."""
    table = limits.__doc__ or ""
    assert f"{limits.MAX_SIDE:,} cells a side" in table
    assert f"{limits.MAX_CELLS:,} (2^26" in table and limits.MAX_CELLS == 2**26
    assert f"{limits.MAX_BACKPROP_TERMS:,} written-out terms" in table
    side, kernel = limits.PLAYGROUND_MAX_INPUT_SIZE, limits.PLAYGROUND_MAX_KERNEL_SIZE
    assert f"1x1 to {side}x{side} cells, 1 to {limits.PLAYGROUND_MAX_CHANNELS} channels" in table
    assert f"1x1 to {kernel}x{kernel}" in table
    assert f"1 to {limits.PLAYGROUND_MAX_FILTERS}\n" in table
    assert f"(|v| ≤ {short(limits.PLAYGROUND_MAX_ABS_VALUE)})" in table
    low, high = limits.PLAYGROUND_MIN_ABS_DIVISOR, limits.PLAYGROUND_MAX_ABS_DIVISOR
    assert f"{short(low)} ≤ |divisor| ≤ {short(high)}" in table


def short(value: float) -> str:
    """1e6, 1e-6: a power of ten as the table writes it."""
    return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
