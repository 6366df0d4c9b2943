"""The lessons of issue 15 through the real window (pytest-qt, offscreen).

Each opens as ``python main.py --lesson ID`` opens it (``LaunchOptions(lesson=ID)``), steps
with the playground's own controls (the step button, play, the scrubber) to its end, shows
every step's caption and arithmetic as the engine wrote them, and shows the decks' golden
numbers: 6600 and 0 (curve detector), −log 0.9 ≈ 0.105 (cross-entropy), the KTH network's
shapes and parameter counts (832, 51,264, 3,212,288, 10,250). Its worked solution exported
from the window is the command line's. The numbers in the table are the engine's, written by
its number rule (``engine.animation.numbers``).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.animation.numbers import cell_candidates, write
from engine.animation.vector_setup import run_vector
from engine.animation.vector_steps import softmax
from engine.lessons.registry import lesson
from engine.lessons.worked import lesson_solution
from gui.app import LaunchOptions, build_window
from tests.layout_audit import layout_problems

ROOT = Path(__file__).resolve().parents[1]
VECTOR_LESSONS = ("fully-connected-x-or-o", "one-layer-mnist", "cross-entropy", "softmax",
                  "shapes-kth")  # fmt: skip
NEW_LESSONS = ("curve-detector", *VECTOR_LESSONS)


def open_window(qtbot, lesson_id: str, size=(1280, 800)):  # type: ignore[no-untyped-def]
    win = build_window(LaunchOptions(lesson=lesson_id))
    win.resize(*size)
    win.reset_layouts(*size)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win


def close(win) -> None:  # type: ignore[no-untyped-def]
    win.playground.player.pause()
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def opened(qtbot, request):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, request.param)
    yield win
    close(win)


def column(win, name: str) -> int:  # type: ignore[no-untyped-def]
    table = win.playground.vector_panel.table.table
    return [c.name for c in table.columns].index(name)


def assert_shows_frame(win) -> None:  # type: ignore[no-untyped-def]
    """The step controls show the state's frame: caption, arithmetic, scrubber, buttons."""
    view = win.playground
    frame = view.state.shown_frame
    steps = view.steps
    assert steps.position_label.text() == frame.caption
    assert steps.arithmetic.text() == frame.arithmetic
    assert steps.scrubber.value() == frame.position
    assert steps.buttons["forward"].isEnabled() == (not frame.at_end)
    assert steps.buttons["back"].isEnabled() == (not frame.at_start)


@pytest.mark.parametrize("opened", VECTOR_LESSONS, indirect=True)
def test_a_vector_lesson_steps_with_the_playgrounds_controls(opened, qtbot) -> None:
    win = opened
    view = win.playground
    state = view.state
    item = lesson(state.context.id)
    animation = state.vector_animation
    assert animation is not None and view.stage.currentWidget() is view.vector_panel
    assert view.vector_panel.isVisible() and not view.columns.isVisible()
    assert view.header.title.text().startswith(item.title)
    assert view.steps.scrubber.maximum() == len(animation) - 1
    assert state.position == 0
    assert_shows_frame(win)
    table = view.vector_panel.table
    QTest.mouseClick(view.steps.buttons["forward"], Qt.MouseButton.LeftButton)
    assert state.position == 1
    assert_shows_frame(win)
    for position in range(len(animation)):  # the scrubber, to every step
        view.steps.scrubber.setValue(position)
        assert state.position == position
        assert_shows_frame(win)
        assert table.current_row == animation[position].row
    QTest.mouseClick(view.steps.buttons["start"], Qt.MouseButton.LeftButton)
    assert state.position == 0
    player = view.player
    player.set_speed(view.steps.speed.maximum())
    QTest.mouseClick(view.steps.buttons["play"], Qt.MouseButton.LeftButton)
    assert player.playing
    qtbot.waitUntil(lambda: state.at_end, timeout=30_000)
    assert_shows_frame(win)
    assert not layout_problems(win), layout_problems(win)


@pytest.mark.parametrize("opened", VECTOR_LESSONS, indirect=True)
def test_the_table_fills_in_step_by_step_with_the_engines_numbers(opened) -> None:
    win = opened
    view = win.playground
    state = view.state
    table = view.vector_panel.table
    columns = table.table.columns
    numeric = [j for j, c in enumerate(columns) if c.values is not None]
    if state.context.id != "shapes-kth":
        assert numeric
    state.to_start()
    first = [table.shown_rows(j) for j in range(len(columns))]
    state.to_end()
    for j, c in enumerate(columns):  # everything computed at the end
        assert table.shown_rows(j) == len(table.table.row_names)
        for row in range(len(table.table.row_names)):
            text = table.cell_text(row, j)
            if c.values is not None:
                assert text in cell_candidates(float(c.values[row])), (c.name, row, text)
            else:
                assert text == c.texts[row]
    assert sum(first) < len(columns) * len(table.table.row_names)  # not all at the start


@pytest.mark.parametrize("opened", ["curve-detector"], indirect=True)
def test_curve_detector_shows_6600_then_0(opened) -> None:
    win = opened
    view = win.playground
    state = view.state
    assert state.vector_animation is None and view.stage.currentWidget() is view.columns
    np.testing.assert_array_equal(state.result.feature_maps[:, :, 0], [[6600, 0]])
    first = view.steps.arithmetic.text()  # the slide's (50·30)+(50·30)+(50·30)+(20·30)+(50·30)
    assert first.endswith("= 6600") and first.count("50×30") == 4 and "20×30" in first
    QTest.mouseClick(view.steps.buttons["forward"], Qt.MouseButton.LeftButton)
    assert state.at_end
    assert view.steps.arithmetic.text().endswith("= 0")
    grid = view.feature_maps.grids()[("conv", 0)]
    assert grid.cell_texts() == [["6600", "0"]]


@pytest.mark.parametrize("opened", ["cross-entropy"], indirect=True)
def test_cross_entropy_is_minus_log_point_nine(opened) -> None:
    win = opened
    view = win.playground
    state = view.state
    state.to_end()
    loss = state.vector_animation.result.loss
    assert loss == pytest.approx(-math.log(0.9), rel=1e-12)
    assert write(loss).text == "0.105"
    assert "0.105… + 0 + 0 + 0 ≈ 0.105\n" in view.steps.arithmetic.text()
    assert "J = −Σ y·log ŷ ≈ 0.105" in view.vector_panel.table.shown_totals()
    notes = view.header.notes.text()
    assert "2.3, not 1" in notes  # the slide's probabilities do not sum to 1
    assert write(float(softmax(np.array(lesson("cross-entropy").vector.values))[6])).text in notes


@pytest.mark.parametrize("opened", ["shapes-kth"], indirect=True)
def test_the_kth_networks_shapes_and_parameters(opened) -> None:
    win = opened
    view = win.playground
    view.state.to_end()
    table = view.vector_panel.table
    shapes = [table.cell_text(r, column(win, "Output shape")) for r in range(7)]
    assert shapes == [
        "[batch, 28, 28, 32]", "[batch, 14, 14, 32]", "[batch, 14, 14, 64]",
        "[batch, 7, 7, 64]", "[batch, 3136]", "[batch, 1024]", "[batch, 10]",
    ]  # fmt: skip
    params = [table.cell_text(r, column(win, "Parameters")) for r in range(7)]
    for row, count in ((0, "= 832"), (2, "= 51,264"), (5, "= 3,212,288"), (6, "= 10,250")):
        assert params[row].endswith(count), params[row]
    assert "3,274,634" in " ".join(table.shown_totals())
    assert "10,250" in view.steps.arithmetic.text()


@pytest.mark.parametrize("opened", ["fully-connected-x-or-o"], indirect=True)
def test_the_x_wins_on_the_x(opened) -> None:
    win = opened
    view = win.playground
    view.state.to_end()
    result = view.state.vector_animation.result
    assert result.logits[0] > result.logits[1]
    assert view.steps.arithmetic.text().endswith("the network votes X")
    z = column(win, "z")
    assert view.vector_panel.table.cell_text(0, z) in cell_candidates(float(result.logits[0]))


@pytest.mark.parametrize("opened", ["one-layer-mnist"], indirect=True)
def test_one_layer_mnist_with_the_users_learning_rate(opened, tmp_path: Path) -> None:
    win = opened
    view = win.playground
    state = view.state
    panel = view.vector_panel
    assert panel.rate_row.isVisible() and panel.rate.value() == pytest.approx(0.01)
    state.to_end()
    before = state.vector_animation.result
    assert before.update is not None and before.loss is not None
    shown = view.steps.arithmetic.text()
    loss_line = (
        f"J = −log ŷ[6]: {write(before.loss).alone} → {write(before.update.loss_next).alone}"
    )
    assert loss_line in shown
    panel.rate.setValue(0.5)  # the user's η: the update is computed again, at the same step
    assert state.learning_rate == 0.5 and state.at_end
    after = state.vector_animation.result
    assert after.learning_rate == 0.5 and after.loss == before.loss
    item = lesson("one-layer-mnist")
    spec = item.vector
    x = np.asarray(spec.maps).reshape(-1)  # an independent step: W − η·xᵀ(ŷ − y)
    z = x @ spec.weights + spec.bias
    y_hat = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    y = np.eye(10)[spec.label]
    w_next = spec.weights - 0.5 * np.outer(x, y_hat - y)
    b_next = spec.bias - 0.5 * (y_hat - y)
    z_next = x @ w_next + b_next
    loss_next = -(z_next[spec.label] - z_next.max() - np.log(np.exp(z_next - z_next.max()).sum()))
    assert after.update.loss_next == pytest.approx(loss_next, rel=1e-9)
    assert after.update.loss_next < before.update.loss_next < before.loss
    assert f"→ {write(after.update.loss_next).alone}" in view.steps.arithmetic.text()
    assert f"J after the step {write(loss_next).alone}" in panel.table.shown_totals()
    path = tmp_path / "eta.md"
    assert win.playground_mode.export_worked_solution(str(path))
    text = path.read_text(encoding="utf-8")
    assert "η = 0.5" in text and write(after.update.loss_next).alone in text
    assert panel.rate.minimum() > 0  # η is never 0 or negative
    assert run_vector(spec, 0.5).update.loss_next == after.update.loss_next


@pytest.mark.parametrize("lesson_id", NEW_LESSONS)
def test_the_worked_solution_from_the_window_is_the_command_lines(
    qtbot, tmp_path: Path, lesson_id: str
) -> None:
    win = open_window(qtbot, lesson_id)
    try:
        window_copy = tmp_path / "window.md"
        assert win.playground_mode.export_worked_solution(str(window_copy))
    finally:
        close(win)
    env = dict(os.environ, CNN_VISUALIZER_SETTINGS_DIR=str(tmp_path))
    line_copy = tmp_path / "line.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--lesson", lesson_id,
         "--export-solution", str(line_copy)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = line_copy.read_text(encoding="utf-8")
    assert window_copy.read_text(encoding="utf-8") == text == lesson_solution(lesson(lesson_id))
    golden = {
        "curve-detector": ("= 6600", "= 0"),
        "cross-entropy": ("≈ 0.105",),
        "shapes-kth": ("= 832", "= 51,264", "= 3,212,288", "= 10,250"),
        "one-layer-mnist": ("J = −log ŷ[6]: ≈ 0.152 → ≈ 0.127",),
        "softmax": ("add up to 1",),
        "fully-connected-x-or-o": ("votes X",),
    }[lesson_id]
    for number in golden:
        assert number in text, number


def test_list_lessons_lists_the_new_lessons() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--list-lessons"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = dict(line.split("\t", 1) for line in done.stdout.splitlines())
    for lesson_id in NEW_LESSONS:
        assert listed[lesson_id] == lesson(lesson_id).title


def test_an_edit_is_refused_while_a_vector_lesson_is_shown(qtbot) -> None:
    win = open_window(qtbot, "softmax")
    try:
        state = win.playground.state
        problems: list[str] = []
        state.problem.connect(problems.append)
        before = state.spec
        assert not state.edit("weight", lambda s: s.with_kernel_cell(0, 0, 0, 0, 2.5))
        assert problems and "no input or filters" in problems[0]
        assert state.spec is before and state.vector_animation is not None
        win.load_lesson(lesson("six-by-six"))  # back to a convolution: its panels again
        assert state.vector_animation is None
        assert win.playground.stage.currentWidget() is win.playground.columns
        assert_shows_frame(win)
    finally:
        close(win)


def test_the_step_grids_are_scrolled_into_view_at_1024x768(qtbot) -> None:
    from engine.animation.vector_frames import WEIGHTS
    from tests.test_layout_fits import in_view, settle

    win = open_window(qtbot, "fully-connected-x-or-o", (1024, 768))
    try:
        view = win.playground
        panel = view.vector_panel
        state = view.state
        assert not layout_problems(win), layout_problems(win)
        for position in (len(state.timeline) - 1, 0, len(state.timeline) - 1):
            view.steps.scrubber.setValue(position)
            settle()
            frame = state.shown_frame
            for key, marks in frame.marks.items():
                grid = panel.grids[key]
                whole = grid.cells_rect(((0, 0), (grid.rows - 1, grid.cols - 1)))
                if key == (WEIGHTS, 1) or position == 0:  # the unit computed, the cell moved
                    assert marks and in_view(grid, whole), (position, key)
    finally:
        close(win)


@pytest.mark.parametrize(
    ("lesson_id", "presentation"), [("softmax", False), ("one-layer-mnist", True)]
)
def test_the_table_is_written_larger_where_it_has_the_room(qtbot, lesson_id, presentation) -> None:
    from tests.test_layout_fits import settle

    win = build_window(LaunchOptions(lesson=lesson_id))
    win.resize(1920, 1080)
    win.reset_layouts(1920, 1080)
    win.set_presentation(presentation, full_screen=False)
    win.show()
    qtbot.waitExposed(win)
    settle()
    try:
        panel = win.playground.vector_panel
        table = panel.table
        assert table.scale > 1  # alone, or half the panel in presentation mode
        assert table.width() >= panel.width() // 2 - 40
        win.playground.state.to_end()
        assert not layout_problems(win), layout_problems(win)
    finally:
        close(win)
