"""Every number the playground writes is true (issue 11, "Wrong numbers"), engine side.

The rule itself (engine.animation.numbers), the cases the issue reports, a lesson's display rule
giving way to the general rule after an edit, long sums that leave out terms, and a property
test: for random non-integer inputs, weights, biases and divisors, every line of every step's
arithmetic, read back (tests/written_sums.py), adds up to the value it shows within the shown
precision, and shows the true value within that precision.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.animation.arithmetic import MAX_TERMS, conv_step_text, pool_step_text
from engine.animation.frames import Animation
from engine.animation.numbers import (
    GENERAL,
    NumberRule,
    NumberStyle,
    cell_candidates,
    cell_text,
    exact_text,
    within,
    write,
)
from engine.animation.playground import PlaygroundSpec, PoolSettings, run_pipeline
from engine.animation.presets import preset
from engine.animation.timeline import CONV, POOL, Timeline
from engine.lessons.registry import lesson
from tests.written_sums import check_line, half_unit, number


def animate(spec: PlaygroundSpec, style: NumberStyle | None = None) -> Animation:
    result = run_pipeline(spec)
    return Animation(result, Timeline(result), style or NumberStyle())


def lesson_animation(lesson_id: str, spec: PlaygroundSpec | None = None) -> Animation:
    """A lesson's animation with its display rule, as the app builds it (for its own spec)."""
    item = lesson(lesson_id)
    style = NumberStyle(item.decimals, item.truncate_decimals, item.spec)
    return animate(item.spec if spec is None else spec, style)


# ----- the rule -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0625, "0.0625"), (4.5, "4.5"), (2.5, "2.5"), (1.25, "1.25"), (-0.125, "−0.125"),
        (0.375, "0.375"), (12.3456, "12.3456"), (-3.0, "−3"), (0.1 * 3, "0.3"), (0.0, "0"),
        (-0.0, "0"), (123456789.0, "123456789"),
    ],
)  # fmt: skip
def test_short_values_are_written_exactly(value: float, text: str) -> None:
    written = write(value)
    assert (written.text, written.exact) == (text, True)
    assert written.equals == f"= {text}" and written.item == text


@pytest.mark.parametrize("value", [1e-17, -1e-17, 5.551115123125783e-17, math.exp(-40), 2e-9])
def test_a_tiny_value_is_never_an_exact_zero(value: float) -> None:
    """e^−40 (a softmax of far-apart logits) or float noise reads "≈ 0", never "= 0"."""
    written = write(value)
    assert (written.text, written.exact) == ("0", False)
    assert written.equals == "≈ 0" and written.item == "0…"


@pytest.mark.parametrize(
    ("value", "text", "operand", "equals"),
    [
        (7 / 9, "0.778", "0.778…", "≈ 0.778"),
        (-1 / 3, "−0.333", "(−0.333…)", "≈ −0.333"),
        (1234.567, "1235", "1235…", "≈ 1235"),
        (0.01875 / 3, "0.00625", "0.00625…", "≈ 0.00625"),
        (123.45678, "123", "123…", "≈ 123"),
        (1e-8, "0", "0…", "≈ 0"),
    ],
)
def test_long_values_are_rounded_and_marked(
    value: float, text: str, operand: str, equals: str
) -> None:
    written = write(value)
    assert (written.text, written.exact, written.cut) == (text, False, False)
    assert written.operand == operand and written.equals == equals
    assert abs(number(text).low - value) <= half_unit(text)


def test_a_slides_rule_cuts_only_what_is_not_exact() -> None:
    slide = NumberRule(2, truncate=True)  # slide 004
    assert write(7 / 9, slide).equals == "= 0.77…"  # cut, and "…" says digits were cut off
    assert write(-5 / 9, slide).operand == "(−0.55…)"
    assert write(1.0, slide).equals == "= 1.00"  # the slide keeps its zeros
    assert write(0.0, slide).text == "0"
    assert write(0.125, slide).equals == "= 0.125"  # exact values stay exact
    rounding = NumberRule(2)
    assert write(7 / 9, rounding).equals == "≈ 0.78" and write(1.0, rounding).text == "1"


def test_exact_text_needs_few_digits() -> None:
    assert exact_text(0.0625) == "0.0625"
    assert exact_text(1 / 3) is None
    assert exact_text(0.00390625) is None  # 1/256: eight decimals
    assert exact_text(12345.6789) is None  # nine significant digits


def test_cells_round_to_fewer_decimals_only_when_the_number_does_not_fit() -> None:
    assert cell_candidates(0.0625) == ("0.0625", "0.063", "0.06", "0.1", "0")
    assert cell_text(0.0625, GENERAL, within(6)) == "0.0625"
    assert cell_text(0.0625, GENERAL, within(4)) == "0.06"
    assert cell_text(-1 / 3, GENERAL, within(5)) == "−0.33"
    assert cell_text(1234.5, GENERAL, within(2)) == "1235"  # the whole part is never cut
    assert cell_text(7 / 9, NumberRule(2, truncate=True), within(3)) == "0.7"  # cut, not 0.8
    assert cell_text(1.0, NumberRule(2, truncate=True), within(6)) == "1.00"


# ----- the cases of the issue ---------------------------------------------------------------
def test_six_by_six_with_a_weight_of_2_5() -> None:
    spec = lesson("six-by-six").spec.with_kernel_cell(0, 0, 0, 0, 2.5)
    frame = lesson_animation("six-by-six", spec)[0]
    assert frame.arithmetic == (
        "1×2.5 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 = 4.5"
    )


def test_gaussian_blur_on_the_six_by_six_input() -> None:
    spec = lesson("six-by-six").spec.with_kernel(0, preset("gaussian_blur").kernel)
    animation = lesson_animation("six-by-six", spec)
    assert animation[0].arithmetic == (
        "1×0.0625 + 0×0.125 + 0×0.0625 + 0×0.125 + 1×0.25 + 0×0.125 + 0×0.0625 + 0×0.125 "
        "+ 1×0.0625 = 0.375"
    )
    kernel = spec.filters[:, :, 0, 0]
    texts = [[cell_text(w, animation.kernel_numbers, within(6)) for w in row] for row in kernel]
    edge, middle = ["0.0625", "0.125", "0.0625"], ["0.125", "0.25", "0.125"]
    assert texts == [edge, middle, edge]
    for frame in animation:  # every sum of the blur is true to the last digit
        for line in frame.arithmetic.splitlines():
            checked = check_line(line)
            assert checked.adds_up, line


def test_average_pooling_writes_the_mean_and_the_map_holds_it() -> None:
    x = np.zeros((6, 6))
    x[:2, :2] = [[3, 0], [2, 0]]
    item = lesson("six-by-six")
    spec = item.spec.with_kernel_size(1).with_changes(
        input=x[:, :, None], pool=PoolSettings(2, 2, "avg")
    )
    animation = lesson_animation("six-by-six", spec)
    frame = animation[animation.timeline.start_of(POOL)]
    assert frame.arithmetic == "mean(3, 0, 2, 0) = 1.25"
    pooled = animation.columns[2].maps
    assert pooled is not None and pooled[0, 0, 0] == 1.25
    assert cell_text(pooled[0, 0, 0], animation.map_numbers, within(6)) == "1.25"


def test_a_digit_as_input_gives_fractional_pooled_values() -> None:
    from engine.drawings.samples import load_samples

    digit = load_samples().first_of(3)
    spec = (
        lesson("six-by-six").spec.with_picture(digit).with_changes(pool=PoolSettings(2, 2, "avg"))
    )
    animation = lesson_animation("six-by-six", spec)
    assert animation.map_numbers == GENERAL
    pooled = animation.columns[2].maps
    assert pooled is not None
    fractional = [v for v in pooled.ravel() if abs(v - round(v)) > 0.01]
    assert fractional, "the digit's pooled maps hold fractions"
    for value in fractional:
        text = cell_text(value, animation.map_numbers, within(6))
        assert "." in text and abs(number(text).low - value) <= half_unit(text)


def test_the_slides_rule_holds_until_the_first_edit_and_after_an_undo() -> None:
    item = lesson("x-or-o")
    slide = lesson_animation("x-or-o")
    assert slide.map_numbers == NumberRule(2, truncate=True)
    assert slide[0].arithmetic.endswith("= 7\n7 / 9 = 0.77…")
    pooled = slide[slide.timeline.start_of(POOL)]
    assert pooled.arithmetic == "max(0.77…, 0, 0, 1.00) = 1.00"
    edited = lesson_animation("x-or-o", item.spec.with_bias(2, 0.5))  # any edit at all
    assert edited.map_numbers == GENERAL
    assert edited[0].arithmetic.endswith("= 7\n7 / 9 ≈ 0.778")
    assert edited[edited.timeline.start_of(POOL)].arithmetic == "max(0.778…, 0, 0, 1) = 1"
    # the same numbers again (an undo, or typing the old value back): the slide's rule again
    back = lesson_animation("x-or-o", item.spec.with_bias(2, 0.5).with_bias(2, 0.0))
    assert back.map_numbers == NumberRule(2, truncate=True)


def test_another_learning_rate_is_an_edit_too() -> None:
    spec = lesson("backprop").spec
    style = NumberStyle(2, False, spec, learning_rate=0.1)
    assert style.rule_for(spec, 0.1) == NumberRule(2)
    assert style.rule_for(spec, 0.2) == GENERAL
    assert style.rule_for(spec.with_bias(0, 1.0), 0.1) == GENERAL
    assert NumberStyle().rule_for(spec) == GENERAL


def test_a_long_sum_says_how_many_terms_it_leaves_out_and_what_they_add_up_to() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(1, 5, (5, 5)).astype(float)
    kernel = np.full((5, 5), 0.5)
    spec = PlaygroundSpec.create(x, kernel, [0.25])
    frame = animate(spec)[0]
    assert frame.conv is not None
    shown = MAX_TERMS
    rest = float((x.ravel()[shown:] * 0.5).sum())
    assert frame.arithmetic.count("×") == shown
    assert f" … (+ {25 - shown} more terms: {write(rest).item}) + 0.25 = " in frame.arithmetic
    checked = check_line(frame.arithmetic)
    assert checked.adds_up and checked.written.holds(frame.conv.value)


def test_pool_and_conv_texts_take_the_rule_for_results() -> None:
    result = run_pipeline(lesson("x-or-o").spec)
    assert conv_step_text(result.conv[0], divisor=9).endswith("7 / 9 ≈ 0.778")
    assert result.pool is not None
    assert pool_step_text(result.pool[0], results=NumberRule(2, True)).startswith("max(0.77…")


# ----- the property -------------------------------------------------------------------------
VALUES = st.one_of(
    st.floats(-9, 9, allow_nan=False, allow_infinity=False),
    st.integers(-72, 72).map(lambda k: k / 8),
    st.integers(-9999, 9999).map(lambda k: k / 1000),
    st.integers(-9, 9).map(lambda k: k / 3),
)
DIVISORS = st.one_of(
    st.floats(0.05, 20, allow_nan=False), st.integers(1, 40).map(lambda k: k / 4), st.just(9.0)
).flatmap(lambda d: st.sampled_from([d, -d]))


@st.composite
def set_ups(draw: st.DrawFn) -> PlaygroundSpec:
    """Random non-integer set-ups: input, filters, biases, divisor, ReLU and pooling."""
    k = draw(st.integers(1, 3))
    rows, cols = draw(st.integers(k, 5)), draw(st.integers(k, 5))
    channels, filters = draw(st.sampled_from([1, 3])), draw(st.integers(1, 2))
    x = np.array(
        draw(st.lists(VALUES, min_size=rows * cols * channels, max_size=rows * cols * channels))
    )
    w = np.array(
        draw(
            st.lists(
                VALUES, min_size=k * k * channels * filters, max_size=k * k * channels * filters
            )
        )
    )
    b = np.array(draw(st.lists(VALUES, min_size=filters, max_size=filters)))
    out = min(rows, cols) - k + 1
    pool = None
    if out >= 2 and draw(st.booleans()):
        pool = PoolSettings(2, draw(st.integers(1, 2)), draw(st.sampled_from(["max", "avg"])))
    return PlaygroundSpec.create(
        x.reshape(rows, cols, channels), w.reshape(k, k, channels, filters), b,
        divisor=draw(DIVISORS), relu=draw(st.booleans()), pool=pool,
    )  # fmt: skip


def lines_of(text: str) -> list[str]:
    """The lines of arithmetic (not the note about a window past the edge)."""
    return [line for line in text.splitlines() if not line.startswith("(The window")]


@settings(max_examples=120, deadline=None)
@given(set_ups())
def test_every_written_sum_adds_up_and_shows_the_true_value(spec: PlaygroundSpec) -> None:
    animation = animate(spec)
    result = animation.result
    for frame in animation:
        if frame.stage not in (CONV, POOL):
            continue
        lines = lines_of(frame.arithmetic)
        checked = [check_line(line) for line in lines]
        for line, check in zip(lines, checked, strict=True):
            assert check.adds_up, f"{line!r} does not add up"
        if frame.conv is not None:
            step = frame.conv
            true_map_value = result.feature_maps[step.row, step.col, step.filter]
            assert checked[-1].written.holds(true_map_value), lines[-1]
            if spec.divisor != 1:
                assert checked[-2].written.holds(step.value), lines[-2]
            window = step.window.reshape(-1, spec.channels)
            kernel = step.kernel.reshape(-1, spec.channels)
            for c in range(spec.channels):
                pairs = checked[c].pairs if spec.channels > 1 else checked[0].pairs
                for (x, w), x_true, w_true in zip(pairs, window[:, c], kernel[:, c], strict=True):
                    assert x.holds(x_true) and w.holds(w_true), lines[c]
        else:
            assert frame.pool is not None and result.pooled is not None
            step = frame.pool
            assert checked[-1].written.holds(result.pooled[step.row, step.col, step.channel])


@settings(max_examples=300, deadline=None)
@given(VALUES, st.integers(1, 8))
def test_a_cell_shows_the_true_value_within_its_precision(value: float, room: int) -> None:
    text = cell_text(value, GENERAL, within(room))
    shown = float(text.replace("−", "-"))
    assert abs(shown - value) <= half_unit(text) + 1e-9
    written = write(value)
    assert abs(float(written.text.replace("−", "-")) - value) <= (
        1e-9 * max(1, abs(value)) if written.exact else half_unit(written.text) + 1e-12
    )
