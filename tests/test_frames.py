"""The frame builder (engine only, no Qt) against computations done here by hand.

Window cells from stride, dilation and padding; revealed cells by counting the steps done;
pooling windows and the max cell on the map; the backprop lesson's weights and the input cells
each one multiplies; the arithmetic text is the arithmetic module's, unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.animation.arithmetic import conv_step_text, pool_step_text, relu_text
from engine.animation.frames import (
    BLOCK,
    CELLS,
    CHOSEN,
    CURRENT,
    DE_DH,
    DE_DW,
    FILTER,
    INPUT,
    READ,
    STEP_WINDOW,
    W_NEXT,
    WHOLE,
    Animation,
    H,
    NumberStyle,
)
from engine.animation.numbers import GENERAL, NumberRule
from engine.animation.playground import PlaygroundSpec, PoolSettings, run_pipeline
from engine.animation.timeline import CONV, FORWARD, GRADIENT, POOL, RELU, UPDATE, Timeline
from engine.lessons.registry import lesson
from engine.operations.backprop import conv_backprop
from engine.operations.shapes import output_shape


def animate(spec: PlaygroundSpec, style: NumberStyle | None = None) -> Animation:
    result = run_pipeline(spec)
    return Animation(result, Timeline(result), style or NumberStyle())


def backprop_animation() -> Animation:
    item = lesson("backprop")
    assert item.backprop is not None
    result = run_pipeline(item.spec)
    exercise = item.backprop
    backprop = conv_backprop(exercise.x, exercise.w, exercise.target, exercise.learning_rate)
    return Animation(result, Timeline(result, backprop), NumberStyle(item.decimals))


@st.composite
def conv_specs(draw: st.DrawFn) -> PlaygroundSpec:
    k = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    rows = draw(st.integers((k - 1) * dilation + 1, 7))
    cols = draw(st.integers((k - 1) * dilation + 1, 7))
    channels = draw(st.sampled_from([1, 3]))
    filters = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    pool = draw(st.sampled_from([None, PoolSettings(2, 2, "max", "same"), PoolSettings(2, 1)]))
    try:
        return PlaygroundSpec.create(
            rng.integers(-2, 3, (rows, cols, channels)).astype(float),
            rng.integers(-1, 2, (k, k, channels, filters)).astype(float),
            stride=(draw(st.integers(1, 3)),) * 2,
            dilation=(dilation, dilation),
            padding=draw(st.sampled_from(["valid", "same", 1, 2])),
            relu=draw(st.booleans()),
            pool=pool,
        )
    except ValueError:  # e.g. a pooling window larger than a 1x1 feature map
        assume(False)
        raise


@settings(max_examples=60, deadline=None, derandomize=True)
@given(conv_specs())
def test_conv_windows_follow_stride_dilation_and_padding(spec: PlaygroundSpec) -> None:
    animation = animate(spec)
    result = animation.result
    (kh, kw), (sh, sw), (dh, dw) = spec.kernel_size, spec.stride, spec.dilation
    top, left = result.padding.top, result.padding.left
    rows, cols = spec.input.shape[:2]
    oh, ow = result.feature_maps.shape[:2]
    position = 0
    for d in range(spec.num_filters):
        for r in range(oh):
            for c in range(ow):
                frame = animation[position]
                expected = tuple(
                    (r * sh + i * dh - top, c * sw + j * dw - left)
                    for i in range(kh)
                    for j in range(kw)
                )
                assert frame.stage == CONV and frame.filter == d
                assert frame.window == expected
                assert frame.window_padding == tuple(
                    not (0 <= y < rows and 0 <= x < cols) for y, x in expected
                )
                on_grid = tuple((y + top, x + left) for y, x in expected)
                for channel in range(spec.channels):
                    assert frame.marks[(INPUT, channel)][0].cells == on_grid
                assert frame.channels == tuple(range(spec.channels))
                assert frame.marks[(CONV, d)][0].cells == ((r, c),)
                position += 1


def count_done(animation: Animation, position: int, stage: str, map_index: int) -> int:
    """Steps of ``stage`` for map ``map_index`` at or before ``position``, counted one by one."""
    done = 0
    for p in range(position + 1):
        entry = animation.timeline[p]
        if entry.stage != stage:
            continue
        if stage == CONV:
            belongs = animation.result.conv[entry.index].filter == map_index
        elif stage == POOL:
            assert animation.result.pool is not None
            belongs = animation.result.pool[entry.index].channel == map_index
        else:
            belongs = entry.index == map_index
        done += belongs
    return done


@settings(max_examples=15, deadline=None, derandomize=True)
@given(conv_specs())
def test_revealed_cells_are_the_steps_done(spec: PlaygroundSpec) -> None:
    animation = animate(spec)
    result = animation.result
    per_map = result.feature_maps.shape[0] * result.feature_maps.shape[1]
    for position in range(len(animation)):
        frame = animation[position]
        for d in range(spec.num_filters):
            assert frame.revealed[(CONV, d)] == count_done(animation, position, CONV, d)
            if spec.relu:
                relu_done = count_done(animation, position, RELU, d)
                assert frame.revealed[(RELU, d)] == per_map * relu_done
            else:
                assert (RELU, d) not in frame.revealed
            if result.pool is not None:
                assert frame.revealed[(POOL, d)] == count_done(animation, position, POOL, d)


def test_pool_frames_mark_the_window_and_the_max_on_the_map() -> None:
    animation = animate(lesson("feature-detector").spec)
    result = animation.result
    assert result.pool is not None
    fmap = result.feature_maps[:, :, 0]
    start = animation.timeline.start_of(POOL)
    for index in range(len(result.pool)):
        frame = animation[start + index]
        r, c = divmod(index, result.pool.out_hw[1])
        # 2x2 windows with stride 2, "same" padding adds cells past the bottom and right edges
        window = tuple((2 * r + i, 2 * c + j) for i in range(2) for j in range(2))
        inside = [(y, x) for y, x in window if y < fmap.shape[0] and x < fmap.shape[1]]
        best = max(inside, key=lambda cell: fmap[cell])
        assert frame.stage == POOL and frame.window == window
        assert frame.window_padding == tuple(cell not in inside for cell in window)
        assert frame.window_source == CONV  # no ReLU in this lesson: pooling reads the conv map
        source_marks = frame.marks[(CONV, 0)]
        assert [(m.role, m.outline) for m in source_marks] == [(READ, BLOCK), (CHOSEN, CELLS)]
        assert source_marks[0].cells == window
        assert fmap[source_marks[1].cells[0]] == fmap[best]
        assert frame.marks[(POOL, 0)][0].cells == ((r, c),)
        assert frame.pool is not None and frame.marks[(STEP_WINDOW, 0)][0].cells == (
            frame.pool.chosen,
        )
        assert frame.arithmetic.startswith(pool_step_text(frame.pool))
        assert frame.arithmetic.endswith("only the cells inside count.)") == (len(inside) < 4)


def test_average_pooling_marks_no_chosen_cell_and_reads_relu() -> None:
    spec = lesson("x-or-o").spec.with_changes(pool=PoolSettings(2, 2, "avg"))
    animation = animate(spec)
    frame = animation[animation.timeline.start_of(POOL)]
    assert frame.window_source == RELU
    assert [m.role for m in frame.marks[(RELU, 0)]] == [READ]
    assert frame.marks[(STEP_WINDOW, 0)] == ()


def test_relu_frames_mark_the_whole_map() -> None:
    animation = animate(lesson("x-or-o").spec, NumberStyle(2, truncate=True))
    result = animation.result
    start = animation.timeline.start_of(RELU)
    for d in range(3):
        frame = animation[start + d]
        assert frame.stage == RELU and frame.conv is None and frame.pool is None
        (mark,) = frame.marks[(RELU, d)]
        assert (mark.role, mark.outline) == (CURRENT, WHOLE)
        assert sorted(mark.cells) == [(r, c) for r in range(7) for c in range(7)]
        name = result.spec.filter_name(d)
        assert frame.arithmetic == relu_text(result.feature_maps[:, :, d], name)
        assert frame.filter is None and frame.window == ()


def test_conv_text_and_numbers_follow_the_lesson_and_the_divisor() -> None:
    spec = lesson("x-or-o").spec
    x_or_o = animate(spec, NumberStyle(2, truncate=True, spec=spec))
    frame = x_or_o[0]
    assert frame.conv is not None and frame.conv.value == x_or_o.result.conv[0].value == 7
    assert frame.arithmetic == conv_step_text(
        x_or_o.result.conv[0], divisor=9, channel_names=("",), results=NumberRule(2, True)
    )
    assert frame.arithmetic.endswith("= 7\n7 / 9 = 0.77…")  # cut, as on the slide, and marked
    assert x_or_o.map_numbers == NumberRule(2, True) and frame.window_numbers == GENERAL
    six_spec = lesson("six-by-six").spec
    six = animate(six_spec, NumberStyle(0, spec=six_spec))
    assert six.map_numbers == NumberRule(0)
    assert six.kernel_numbers == six.input_numbers == six.product_numbers == GENERAL
    assert six[0].arithmetic.endswith("= 3") and six[1].arithmetic.endswith("= −1")
    divided = animate(six_spec.with_changes(divisor=3), NumberStyle(0, spec=six_spec))
    assert divided.map_numbers == GENERAL  # an edited set-up: the general rule
    assert divided[0].arithmetic.endswith("= 3\n3 / 3 = 1")
    assert divided[1].arithmetic.endswith("= −1\n(−1) / 3 ≈ −0.333")


def test_captions_labels_and_positions() -> None:
    animation = animate(lesson("six-by-six").spec)
    first, last = animation[0], animation[-1]
    assert first.caption == (
        f"Step 1 of {len(animation)} · Convolution · Filter 1 (↘ diagonal) · output row 1, column 1"
    )
    assert first.at_start and not first.at_end and first.progress == 1
    assert last.position == len(animation) - 1 == last.last_position and last.at_end
    assert last.stage_length == 8 and last.progress == 8  # 2 filters x 2x2 pooled cells
    assert [f.position for f in animation[2:5]] == [2, 3, 4]
    with pytest.raises(IndexError, match="out of range"):
        animation[len(animation)]


def test_cs231n_windows_reach_into_the_padding_on_every_channel() -> None:
    animation = animate(lesson("cs231n-volume").spec, NumberStyle(0))
    frame = animation[0]
    assert frame.window == tuple((r, c) for r in (-1, 0, 1) for c in (-1, 0, 1))
    assert frame.window_padding == (True, True, True, True, False, False, True, False, False)
    assert [key for key in frame.marks if key[0] == INPUT] == [(INPUT, 0), (INPUT, 1), (INPUT, 2)]
    lines = frame.arithmetic.splitlines()
    assert [line.split(": ")[0] for line in lines[:3]] == ["x[:,:,0]", "x[:,:,1]", "x[:,:,2]"]
    assert animation.input_title == "Input  5×5×3, padded to 7×7"
    assert animation.input_cell(0, 0) is None and animation.input_cell(1, 1) == (0, 0)
    assert animation.input_cell(5, 5) == (4, 4) and animation.input_cell(6, 3) is None


def test_backprop_frames_walk_forward_gradient_update() -> None:
    animation = backprop_animation()
    backprop = animation.backprop
    assert backprop is not None
    stages = [animation[p].stage for p in range(len(animation))]
    assert stages == [FORWARD] * 4 + [GRADIENT] * 4 + [UPDATE]
    forward = animation[2]
    assert forward.label == "Forward pass · h21"
    assert forward.arithmetic.startswith("h21 = ")
    assert forward.revealed[(H, 0)] == 3 and forward.revealed[(DE_DW, 0)] == 0
    assert forward.marks[(H, 0)][0].cells == ((1, 0),)
    for i in range(2):
        for j in range(2):
            frame = animation[4 + 2 * i + j]
            # w_ij multiplies x[k + i, l + j] for every output (k, l) of the 2x2 output
            touched = tuple((k + i, m + j) for k in range(2) for m in range(2))
            assert frame.weight == (i, j) and frame.filter == 0
            assert frame.window == touched and not any(frame.window_padding)
            assert frame.marks[(INPUT, 0)][0].outline == CELLS
            assert frame.marks[(FILTER, 0)][0].cells == ((i, j),)
            assert frame.marks[(DE_DH, 0)][0].outline == WHOLE
            assert frame.revealed[(DE_DW, 0)] == 2 * i + j + 1 == frame.progress
            assert frame.arithmetic.startswith(f"∂E/∂w{i + 1}{j + 1} = ")
    update = animation[-1]
    assert update.marks[(W_NEXT, 0)][0].cells == tuple(backprop.terms)
    assert update.revealed == {(CONV, 0): 4}
    assert "Error E" in update.arithmetic


def test_frames_are_frozen() -> None:
    frame = animate(lesson("six-by-six").spec)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.position = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        frame.marks[(CONV, 0)] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        frame.revealed[(CONV, 0)] = 0  # type: ignore[index]


def test_no_frame_is_built_before_it_is_asked_for() -> None:
    rng = np.random.default_rng(0)
    spec = PlaygroundSpec.create(
        rng.random((28, 28)), rng.random((3, 3, 1, 16)), padding="same", relu=True
    )
    animation = animate(spec)
    assert len(animation) == 28 * 28 * 16 + 16
    sizes = [len(v) for v in vars(animation).values() if isinstance(v, (list, tuple, dict))]
    assert max(sizes) < 28 * 28 + 1  # only per-map tables (the ReLU mark), nothing per step
    frame = animation[12345]
    assert frame.conv is not None
    assert (frame.conv.filter, frame.conv.row, frame.conv.col) == (
        15,
        20,
        25,
    )  # 12345 = 15·784 + 20·28 + 25


def test_timeline_stage_progress_and_lengths() -> None:
    timeline = animate(lesson("x-or-o").spec).timeline
    assert [timeline.stage_length(s) for s in (CONV, RELU, POOL)] == [3 * 49, 3, 3 * 16]
    start = timeline.start_of(RELU)
    assert timeline.stage_progress(RELU, start - 1) == 0
    assert timeline.stage_progress(RELU, start) == 1
    assert timeline.stage_progress(RELU, len(timeline) - 1) == 3
    assert timeline.stage_length(FORWARD) == 0 and timeline.stage_progress(FORWARD, 5) == 0


def test_pipeline_result_gives_the_pooled_formula_and_the_padding_amount() -> None:
    result = run_pipeline(lesson("x-or-o").spec)
    assert result.pooled is not None and result.pooled_shape is not None
    assert result.pooled_shape.shape == result.pooled.shape[:2] == (4, 4)
    assert result.pooled_shape.formula == output_shape((7, 7), 2, stride=2, padding="same").formula
    assert run_pipeline(lesson("cs231n-volume").spec).padding_amount == 1
    assert run_pipeline(lesson("six-by-six-stride-2").spec).pooled_shape is None
