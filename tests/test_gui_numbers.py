"""The numbers the playground's panels paint are the engine's, and true (issue 11, real widgets).

Cells ask the engine (engine.animation.numbers) for their text; a lesson's display rule holds
for the lesson's own maps only and gives way to the general rule after an edit.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.animation.numbers import GENERAL, NumberRule
from engine.animation.playground import PoolSettings
from engine.animation.presets import preset
from engine.animation.timeline import POOL
from engine.drawings.samples import load_samples
from engine.lessons.registry import lesson
from gui.playground.view import PlaygroundView
from tests.written_sums import half_unit


@pytest.fixture
def view(qtbot):
    shown = PlaygroundView()
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    shown.player.pause()


def kernel_grid(view: PlaygroundView, d: int = 0):
    return view.filter_panel._cards[d].grids[0]


def test_a_typed_weight_of_2_5_is_shown_and_added_as_2_5(view) -> None:
    view.state.load_lesson(lesson("six-by-six"))
    assert view.state.edit("weight", lambda s: s.with_kernel_cell(0, 0, 0, 0, 2.5))
    assert kernel_grid(view).cell_texts()[0][0] == "2.5"
    assert view.steps.arithmetic.text().startswith("1×2.5 + ")
    assert view.steps.arithmetic.text().endswith(" = 4.5")
    conv = view.feature_maps._grids[("conv", 0)]
    assert conv.numbers == GENERAL and conv.cell_texts()[0][0] == "4.5"


def test_the_gaussian_blur_kernel_shows_its_exact_weights(view) -> None:
    view.state.load_lesson(lesson("six-by-six"))
    assert view.state.edit("preset", lambda s: s.with_kernel(0, preset("gaussian_blur").kernel))
    assert kernel_grid(view).cell_texts() == [
        ["0.0625", "0.125", "0.0625"],
        ["0.125", "0.25", "0.125"],
        ["0.0625", "0.125", "0.0625"],
    ]
    dot_kernel = view.steps.dot.rows[0][3]
    assert dot_kernel.cell_texts()[0] == ["0.0625", "0.125", "0.0625"]
    assert view.steps.arithmetic.text().endswith("+ 1×0.0625 = 0.375")


def test_average_pooling_shows_1_25_in_the_text_and_the_map(view) -> None:
    x = np.zeros((6, 6))
    x[:2, :2] = [[3, 0], [2, 0]]
    view.state.load_lesson(lesson("six-by-six"))
    assert view.state.edit(
        "avg",
        lambda s: s.with_kernel_size(1).with_changes(input=x[:, :, None], pool=PoolSettings()),
    )
    assert view.state.edit("avg", lambda s: s.with_changes(pool=PoolSettings(2, 2, "avg")))
    view.state.set_position(view.state.timeline.start_of(POOL))
    assert view.steps.arithmetic.text() == "mean(3, 0, 2, 0) = 1.25"
    pooled = view.feature_maps._grids[("pool", 0)]
    assert pooled.cell_texts()[0][0] == "1.25"


def test_a_digit_as_input_shows_fractions_in_the_pooled_map(view) -> None:
    view.state.load_lesson(lesson("six-by-six"))
    digit = load_samples().first_of(3)
    assert view.state.edit("digit", lambda s: s.with_picture(digit))
    assert view.state.edit("avg", lambda s: s.with_changes(pool=PoolSettings(2, 2, "avg")))
    pooled = view.feature_maps._grids[("pool", 0)]
    assert pooled.numbers == GENERAL
    pooled.resize(14 * 44, 14 * 44)  # cells large enough for numbers
    texts = pooled.cell_texts()
    fractions = [
        (text, value)
        for row, values in zip(texts, pooled.values, strict=True)
        for text, value in zip(row, values, strict=True)
        if abs(value - round(value)) > 0.01
    ]
    assert fractions
    for text, value in fractions:
        assert "." in text and abs(float(text.replace("−", "-")) - value) <= half_unit(text)


def test_the_slides_cut_decimals_hold_for_its_own_maps_until_an_edit(view) -> None:
    view.state.load_lesson(lesson("x-or-o"))
    conv = view.feature_maps._grids[("conv", 0)]
    conv.setMaximumSize(7 * 48, 7 * 48)
    conv.resize(7 * 48, 7 * 48)  # cells large enough for three decimals
    assert conv.numbers == NumberRule(2, truncate=True)
    assert conv.cell_texts()[0][0] == "0.77"  # as on slide 004
    assert view.steps.arithmetic.text().endswith("7 / 9 = 0.77…")
    assert view.state.edit("bias", lambda s: s.with_bias(1, 0.5))
    conv.resize(7 * 48, 7 * 48)
    assert conv.numbers == GENERAL and conv.cell_texts()[0][0] == "0.778"
    assert view.steps.arithmetic.text().endswith("7 / 9 ≈ 0.778")
    conv.resize(7 * 48, 7 * 48)
    view.state.undo_stack.undo()
    conv.resize(7 * 48, 7 * 48)
    assert conv.numbers == NumberRule(2, truncate=True) and conv.cell_texts()[0][0] == "0.77"
    view.state.undo_stack.setClean()


def test_the_backprop_panel_writes_the_error_from_its_value(view) -> None:
    view.state.load_lesson(lesson("backprop"))
    assert (
        view.backprop_panel.loss.text() == "Error E = Σ ½(h − t)²: 5.625 → 2.6775 after one update"
    )
    view.state.set_learning_rate(1 / 3)  # an edit: the general rule
    assert view.backprop_panel.loss.text().startswith("Error E = Σ ½(h − t)²: 5.625 → ≈ 0.486 ")
    view.state.set_position(len(view.state.timeline) - 1)
    assert view.steps.arithmetic.text().startswith("w11: 0.5 − 0.333…×2 ≈ −0.167\n")
