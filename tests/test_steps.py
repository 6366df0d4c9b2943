"""The step sequences: one record per output value, each equal to conv2d/pool2d at its position."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv2d, conv_steps, pool2d, pool_steps


@st.composite
def conv_setups(draw: st.DrawFn) -> dict:
    k = draw(st.integers(1, 3))
    d = draw(st.integers(1, 2))
    size = draw(st.integers((k - 1) * d + 1, 8))
    c = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    return {
        "x": rng.integers(-3, 4, (size, size + 1, c)).astype(float),
        "kernel": rng.integers(-2, 3, (k, k, c, draw(st.integers(1, 3)))).astype(float),
        "stride": draw(st.integers(1, 3)),
        "dilation": d,
        # explicit padding goes up to the dilated kernel's size (engine.operations.limits)
        "padding": draw(
            st.sampled_from(["valid", "same", 1, ((0, 2), (1, 0))]).filter(
                lambda p: isinstance(p, str) or (k - 1) * d + 1 >= 2 or p == 1
            )
        ),
    }


@settings(max_examples=150, deadline=None, derandomize=True)
@given(conv_setups())
def test_conv_steps_cover_every_output_once_with_conv2d_values(setup: dict) -> None:
    bias = np.arange(setup["kernel"].shape[3], dtype=float) - 0.5
    args = {k: setup[k] for k in ("stride", "padding", "dilation")}
    out = conv2d(setup["x"], setup["kernel"], bias, **args)
    steps = conv_steps(setup["x"], setup["kernel"], bias, **args)
    assert len(steps) == out.size
    seen = set()
    for i, step in enumerate(steps):
        assert step.index == i
        seen.add((step.filter, step.row, step.col))
        assert step.value == pytest.approx(out[step.row, step.col, step.filter], abs=1e-9)
        assert step.value == pytest.approx(step.products.sum() + step.bias, abs=1e-12)
        np.testing.assert_array_equal(step.products, step.window * step.kernel)
        assert step.window.shape == setup["kernel"].shape[:3]
        assert np.all(step.window[step.is_padding] == 0)
    assert len(seen) == out.size
    # Order: filter, then row, then column.
    positions = [(s.filter, s.row, s.col) for s in steps]
    assert positions == sorted(positions)


def test_conv_step_window_marks_padding_cells() -> None:
    x = np.arange(1, 10, dtype=float).reshape(3, 3)
    steps = conv_steps(x, np.ones((3, 3)), padding=1)
    first = steps[0]
    assert first.is_padding.tolist() == [
        [True, True, True],
        [True, False, False],
        [True, False, False],
    ]
    assert first.window.tolist() == [[0, 0, 0], [0, 1, 2], [0, 4, 5]]
    assert first.value == 12
    assert first.input_rows == (0, 1, 2) and first.input_cols == (0, 1, 2)


def test_conv_steps_index_negative_and_slices() -> None:
    steps = conv_steps(np.eye(4), np.ones((2, 2)))
    assert steps[-1].index == len(steps) - 1
    assert [s.index for s in steps[2:5]] == [2, 3, 4]
    assert steps.index_of(0, 1, 2) == 5
    with pytest.raises(IndexError, match="out of range"):
        steps[len(steps)]


def test_step_records_are_frozen() -> None:
    step = conv_steps(np.eye(3), np.ones((2, 2)))[0]
    with pytest.raises(AttributeError):
        step.value = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        step.window[0, 0] = 5


def test_dilated_steps_spread_the_window() -> None:
    steps = conv_steps(np.arange(25.0).reshape(5, 5), np.ones((2, 2)), dilation=2, stride=2)
    assert steps[0].input_rows == (0, 2) and steps[0].input_cols == (0, 2)
    assert steps[0].window.tolist() == [[0, 2], [10, 12]]


def test_building_the_sequence_is_lazy() -> None:
    rng = np.random.default_rng(0)
    x, k = rng.random((28, 28, 1)), rng.random((3, 3, 1, 32))
    steps = conv_steps(x, k, padding="same")
    assert len(steps) == 28 * 28 * 32  # 25,088 steps
    # No per-step arrays exist until asked for: nothing in the object is step-sized.
    assert not any(isinstance(v, list) and len(v) >= len(steps) for v in vars(steps).values())
    assert steps[12345].value == pytest.approx(
        conv2d(x, k, padding="same").reshape(-1, 32).T.ravel()[12345]
    )


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["max", "avg"]),
    st.sampled_from(["valid", "same"]),
    st.integers(0, 1000),
)
def test_pool_steps_match_pool2d(
    size: int, stride: int, mode: str, padding: str, seed: int
) -> None:
    x = np.random.default_rng(seed).integers(-5, 6, (5, 6, 2)).astype(float)
    out = pool2d(x, size, stride=stride, mode=mode, padding=padding)
    steps = pool_steps(x, size, stride=stride, mode=mode, padding=padding)
    assert len(steps) == out.size
    for step in steps:
        assert step.value == pytest.approx(out[step.row, step.col, step.channel])
        real = step.window[~step.is_padding]
        if mode == "max":
            assert step.chosen is not None and not step.is_padding[step.chosen]
            assert step.window[step.chosen] == real.max() == step.value
        else:
            assert step.mean == pytest.approx(real.mean())


def test_pool_step_of_the_slide_example_chooses_the_max_cell() -> None:
    fmap = np.array(
        [[0, 1, 0, 0, 0], [0, 1, 1, 1, 0], [1, 0, 0, 2, 1], [1, 4, 2, 1, 0], [0, 0, 1, 2, 1]]
    )
    steps = pool_steps(fmap, 2, padding="same")
    assert len(steps) == 9
    step = steps.__getitem__(steps.index_of(0, 1, 0))
    assert step.value == 4 and step.chosen == (1, 1)
    corner = steps[-1]
    assert corner.is_padding.tolist() == [[False, True], [True, True]]
    assert corner.value == 1


def test_padding_mask_flags_the_padding_cells_read_only() -> None:
    steps = conv_steps(np.ones((3, 4)), np.ones((3, 3)), padding=((1, 2), (0, 1)))
    mask = steps.padding_mask
    assert mask.shape == steps.padded_input.shape[:2] == (6, 5)
    expected = np.ones((6, 5), dtype=bool)
    expected[1:4, 0:4] = False  # the 3x4 input starts one row down, at the left edge
    np.testing.assert_array_equal(mask, expected)
    assert not mask.flags.writeable
    for step in steps:  # every step's padding flags are the mask under its window
        np.testing.assert_array_equal(
            step.is_padding, mask[np.ix_(step.input_rows, step.input_cols)]
        )
