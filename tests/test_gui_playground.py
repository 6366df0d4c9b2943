"""The playground through the real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from engine.animation.timeline import CONV, POOL, RELU
from engine.lessons.registry import all_lessons, lesson
from gui.app import LaunchOptions, build_window
from gui.playground.filter_panel import CellEditor

if TYPE_CHECKING:
    from pathlib import Path

    from gui.cell_grid import CellGrid


@pytest.fixture
def window(qtbot):
    win = build_window(LaunchOptions())
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.player.pause()
    win.playground.state.undo_stack.setClean()  # no "unsaved changes" question at teardown
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone now, not later


def click_cell(grid: CellGrid, row: int, col: int, button=Qt.MouseButton.LeftButton) -> None:
    center = grid.cell_rect(row, col).center().toPoint()
    QTest.mouseClick(grid, button, Qt.KeyboardModifier.NoModifier, center)


def shown_maps(win, stage: str) -> np.ndarray:
    panel = win.playground.feature_maps
    d = win.playground.state.spec.num_filters
    return np.stack([panel._grids[(stage, i)].values for i in range(d)], axis=-1)


def test_window_title_and_modes(window) -> None:
    assert window.windowTitle().startswith("CNN Visualizer")
    assert window.tabs.count() == 3
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Lessons", "Training", "Help"]


@pytest.mark.parametrize(
    "item", [i for i in all_lessons() if i.vector is None], ids=lambda item: item.id
)
def test_each_lesson_shows_the_engines_numbers(window, item) -> None:
    # vector lessons (flatten, dense, softmax, …): tests/test_gui_vector_lessons.py
    window.load_lesson(item)
    state = window.playground.state
    result = state.result
    assert window.playground.header.title.text().startswith(item.title)
    assert item.explanation in window.playground.header.explanation.text()
    for c in range(item.spec.channels):
        shown = window.playground.input_panel._grids[c].values
        np.testing.assert_array_equal(shown, result.conv.padded_input[:, :, c])
    for d in range(item.spec.num_filters):
        for c in range(item.spec.channels):
            grid = window.playground.filter_panel._cards[d].grids[c]
            np.testing.assert_array_equal(grid.values, item.spec.filters[:, :, c, d])
    if item.backprop is None:
        np.testing.assert_allclose(shown_maps(window, CONV), result.feature_maps)
        if item.spec.relu:
            np.testing.assert_allclose(shown_maps(window, RELU), result.activated)
        if result.pooled is not None:
            np.testing.assert_allclose(shown_maps(window, POOL), result.pooled)
    else:
        panel = window.playground.backprop_panel
        assert window.playground.results.currentWidget() is panel
        np.testing.assert_allclose(panel.grids["dE_dw"].values, state.backprop.dE_dw)
        np.testing.assert_allclose(panel.grids["w_next"].values, state.backprop.w_next)


def test_slide_typo_is_corrected_and_noted(window) -> None:
    window.load_lesson(lesson("feature-detector"))
    assert shown_maps(window, CONV)[2, 2, 0] == 0
    notes = window.playground.header.notes
    assert notes.isVisibleTo(window) and "typo" in notes.text()


def test_painting_a_cell_changes_the_output(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    before = state.result.feature_maps.copy()
    grid = window.playground.input_panel._grids[0]
    assert state.spec.input[0, 1, 0] == 0
    click_cell(grid, 0, 1)
    assert state.spec.input[0, 1, 0] == 1
    after = shown_maps(window, CONV)
    assert not np.array_equal(before, after)
    np.testing.assert_allclose(after, state.result.feature_maps)
    click_cell(grid, 0, 1, Qt.MouseButton.RightButton)  # right-click erases
    assert state.spec.input[0, 1, 0] == 0


def test_drag_paints_one_undoable_stroke(window, qtbot) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    original = state.spec.input.copy()
    grid = window.playground.input_panel._grids[0]
    QTest.mousePress(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     grid.cell_rect(0, 1).center().toPoint())  # fmt: skip
    for col in (2, 3, 4):
        QTest.mouseMove(grid, grid.cell_rect(0, col).center().toPoint())
    QTest.mouseRelease(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       grid.cell_rect(0, 4).center().toPoint())  # fmt: skip
    assert state.spec.input[0, 1:5, 0].tolist() == [1, 1, 1, 1]
    window.undo_action.trigger()
    np.testing.assert_array_equal(state.spec.input, original)  # the whole stroke at once
    window.redo_action.trigger()
    assert state.spec.input[0, 1:5, 0].tolist() == [1, 1, 1, 1]


def test_stepping_moves_the_window_and_the_arithmetic(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    grid = window.playground.input_panel._grids[0]
    label = window.playground.steps.arithmetic
    assert grid._highlights[0].cells[0] == (0, 0)
    first_text = label.text()
    assert first_text.endswith("= 3")
    window.forward_action.trigger()
    assert window.playground.state.position == 1
    assert grid._highlights[0].cells[0] == (0, 1)
    assert label.text().endswith("= −1") and label.text() != first_text
    window.back_action.trigger()
    assert grid._highlights[0].cells[0] == (0, 0) and label.text() == first_text
    window.end_action.trigger()
    state = window.playground.state
    assert state.position == len(state.timeline) - 1
    assert label.text().startswith("max(")
    window.start_action.trigger()
    assert state.position == 0


def test_keyboard_steps(window, qtbot) -> None:
    window.load_lesson(lesson("x-or-o"))
    window.playground.steps.scrubber.setFocus()
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_End)
    state = window.playground.state
    assert state.at_end
    QTest.keyClick(window, Qt.Key.Key_Home)
    assert state.position == 0


def test_playing_advances_and_stops_at_the_end(window, qtbot) -> None:
    window.load_lesson(lesson("six-by-six-stride-2"))
    window.playground.steps.speed.setValue(60)
    window.play_action.trigger()
    assert window.playground.player.playing
    qtbot.waitUntil(lambda: window.playground.state.at_end, timeout=3000)
    qtbot.waitUntil(lambda: not window.playground.player.playing, timeout=1000)


def test_impossible_parameters_are_blocked_with_a_message(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    params = window.playground.parameters
    before = state.spec
    params.kernel.setValue(9)  # a 9x9 kernel cannot fit a 6x6 input without padding
    assert state.spec is before
    assert params.problem_text.isVisibleTo(window)
    assert "larger than the padded input" in params.problem_text.text()
    assert params.kernel.value() == 3  # the control shows the set-up that holds
    params.padding.setCurrentIndex(1)  # "same" makes it possible again
    params.kernel.setValue(5)
    assert state.spec.kernel_size == (5, 5)
    assert not params.problem_text.isVisibleTo(window)
    assert "⌈6 / 1⌉ = 6" in params.shape_text.text()


def test_parameter_changes_update_formulas_and_maps(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    params = window.playground.parameters
    params.stride.setValue(2)
    assert "⌊(6 + 2·0 − 3) / 2⌋ + 1 = 2" in params.shape_text.text()
    assert shown_maps(window, CONV).shape == (2, 2, 2)
    assert "(3·3·1 + 1)·2 = 20" in params.params_text.text()


def test_filter_preset_and_bias_edits(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    card = window.playground.filter_panel._cards[0]
    index = card.preset.findData("identity")
    card.preset.activated.emit(index)
    state = window.playground.state
    np.testing.assert_array_equal(state.spec.filters[:, :, 0, 0], np.diag([0, 1, 0]))
    np.testing.assert_array_equal(state.result.feature_maps[:, :, 0], state.spec.input[1:5, 1:5, 0])
    card.bias.setValue(2.0)
    assert state.spec.biases[0] == 2
    window.playground.filter_panel.add_filter()
    assert state.spec.num_filters == 3
    window.playground.filter_panel.remove_filter(2)
    assert state.spec.num_filters == 2
    for _ in range(4):
        window.undo_action.trigger()
    np.testing.assert_array_equal(state.spec.filters, lesson("six-by-six").spec.filters)


def test_typing_a_weight(window, qtbot) -> None:
    window.load_lesson(lesson("six-by-six"))
    grid = window.playground.filter_panel._cards[1].grids[0]
    click_cell(grid, 0, 0)
    editors = grid.findChildren(CellEditor)
    assert len(editors) == 1
    editors[0].setText("2.5")
    QTest.keyClick(editors[0], Qt.Key.Key_Return)
    assert window.playground.state.spec.filters[0, 0, 0, 1] == 2.5


def test_lesson_file_round_trip(window, tmp_path: Path) -> None:
    window.load_lesson(lesson("x-or-o"))
    click_cell(window.playground.input_panel._grids[0], 0, 0)
    path = tmp_path / "mine.json"
    assert window.save_lesson_file(str(path))
    spec = window.playground.state.spec
    window.load_lesson(lesson("six-by-six"))
    assert window.open_lesson_file(str(path))
    np.testing.assert_array_equal(window.playground.state.spec.input, spec.input)
    assert window.playground.state.spec.divisor == 9


def test_corrupt_lesson_file_is_refused_and_state_kept(window, tmp_path: Path, monkeypatch) -> None:
    window.load_lesson(lesson("x-or-o"))
    click_cell(window.playground.input_panel._grids[0], 0, 0)
    spec = window.playground.state.spec
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cnn-visualizer-lesson", "version": 99}')
    assert not window.open_lesson_file(str(bad))
    assert shown and "version 99" in shown[0] and "keeps what it showed" in shown[0]
    assert window.playground.state.spec is spec
    assert window.playground.state.undo_stack.canUndo()  # the user's edit is still there


def test_png_and_gif_export(window, tmp_path: Path) -> None:
    window.load_lesson(lesson("six-by-six-stride-2"))
    png = tmp_path / "view.png"
    assert window.export_view_png(str(png))
    with Image.open(png) as image:
        assert image.size[0] >= 1000
    gif = tmp_path / "steps.gif"
    assert window.export_animation_gif(str(gif))
    with Image.open(gif) as image:
        assert image.n_frames == len(window.playground.state.timeline) == 8
    assert window.playground.state.position == 0  # left where it was


def test_backprop_learning_rate_updates_the_step(window) -> None:
    window.load_lesson(lesson("backprop"))
    state = window.playground.state
    panel = window.playground.backprop_panel
    panel.rate.setValue(0.2)
    assert state.backprop.learning_rate == 0.2
    np.testing.assert_allclose(
        panel.grids["w_next"].values, state.backprop.w - 0.2 * state.backprop.dE_dw
    )
    window.end_action.trigger()
    assert "0.2×" in window.playground.steps.arithmetic.text()


def test_unsaved_edits_are_not_lost_without_asking(window, monkeypatch) -> None:
    window.load_lesson(lesson("six-by-six"))
    click_cell(window.playground.input_panel._grids[0], 0, 1)
    answers = [QMessageBox.StandardButton.Cancel]
    asked: list[str] = []

    def question(parent, title, text, buttons, default):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    assert not window.load_lesson(lesson("x-or-o"))  # cancelled: the edit stays
    assert window.playground.state.context.id == "six-by-six"
    assert window.playground.state.spec.input[0, 1, 0] == 1
    assert window.lesson_picker.currentData() == "six-by-six"
    assert window.isVisible()
    answers.append(QMessageBox.StandardButton.Cancel)
    window.close()  # closing asks too, and Cancel keeps the window open
    assert window.isVisible()
    answers.append(QMessageBox.StandardButton.Discard)
    assert window.load_lesson(lesson("x-or-o"))
    assert len(asked) == 3 and "not saved" in asked[0]


PANELS = (
    "gui.playground.input_panel.InputPanel",
    "gui.playground.filter_panel.FilterPanel",
    "gui.playground.feature_map_panel.FeatureMapPanel",
    "gui.playground.backprop_panel.BackpropPanel",
    "gui.playground.step_panel.StepPanel",
    "gui.playground.parameter_panel.ParameterPanel",
    "gui.playground.lesson_header.LessonHeader",
)
SET_UPS = {  # what each panel redoes for a new set-up
    "InputPanel": "_show_animation",
    "FilterPanel": "_show_animation",
    "FeatureMapPanel": "_show_animation",
    "BackpropPanel": "_show_animation",
    "ParameterPanel": "refresh",
    "LessonHeader": "_show_comparison",
}


def count_calls(monkeypatch, counts: Counter[str], cls: type, method: str) -> None:
    original = getattr(cls, method)

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts[f"{cls.__name__}.{method}"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, counting)


def test_an_edit_paints_every_panel_once_and_a_step_repaints_no_set_up(qtbot, monkeypatch) -> None:
    import importlib

    from gui.playground.view import PlaygroundView

    counts: Counter[str] = Counter()
    for path in PANELS:
        module, name = path.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        count_calls(monkeypatch, counts, cls, "show_frame")
        if name in SET_UPS:
            count_calls(monkeypatch, counts, cls, SET_UPS[name])
    from gui.cell_grid import CellGrid

    count_calls(monkeypatch, counts, CellGrid, "set_values")
    view = PlaygroundView()
    qtbot.addWidget(view)
    view.state.load_lesson(lesson("x-or-o"))
    view.state.set_position(3)
    emitted: list[object] = []
    view.state.frameChanged.connect(emitted.append)
    grids = 1 + 3 + 3 * 3 + 3  # input, 3 filters, 3 maps x (conv, ReLU, pool), dot product

    counts.clear()
    assert view.state.edit("bias", lambda s: s.with_bias(1, 0.5))
    assert len(emitted) == 1
    once = {f"{path.rsplit('.', 1)[1]}.show_frame": 1 for path in PANELS}
    once |= {f"{name}.{method}": 1 for name, method in SET_UPS.items()}
    assert {k: v for k, v in counts.items() if k != "CellGrid.set_values"} == once
    assert counts["CellGrid.set_values"] == grids  # every value grid filled once, not twice

    for action in (view.state.undo_stack.undo, lambda: view.state.step(1)):
        counts.clear()
        emitted.clear()
        action()
        assert len(emitted) == 1
        assert all(counts[f"{path.rsplit('.', 1)[1]}.show_frame"] == 1 for path in PANELS)
    assert not any(counts[f"{name}.{method}"] for name, method in SET_UPS.items())
    assert counts["CellGrid.set_values"] == 3  # a step: only the dot product's 3 grids


class LayoutRequests(QObject):
    """Counts the layout requests the watched widgets receive."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.count = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_step_lays_out_neither_the_maps_nor_the_dot_product_again(window, monkeypatch) -> None:
    from gui.playground.feature_map_panel import FeatureMapPanel

    view = window.playground
    window.load_lesson(lesson("x-or-o"))
    view.state.set_position(20)
    for _ in range(8):  # the new lesson's layout settles
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    fits: Counter[str] = Counter()
    count_calls(monkeypatch, fits, FeatureMapPanel, "fit_cells")
    maps = view.feature_maps.scroll_area.widget()
    requests = LayoutRequests(maps, view.steps.dot, view.steps.work)
    sizes = {key: grid.size() for key, grid in view.feature_maps.grids().items()}
    for _ in range(12):  # steps within the convolution of the first filter
        view.state.step(1)
        QApplication.processEvents()
    assert not fits and requests.count == 0
    assert {key: grid.size() for key, grid in view.feature_maps.grids().items()} == sizes
    assert view.state.edit("bias", lambda s: s.with_bias(0, 0.5))  # a new set-up, same sizes
    QApplication.processEvents()
    assert fits["FeatureMapPanel.fit_cells"] == 1 and requests.count == 0
