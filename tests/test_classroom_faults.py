"""The smaller faults an instructor met in class: playback that ignored End, Home and the
scrubber; the mouse wheel changing unfocused boxes; the keyboard stuck in a field; Divide by 0
silently undone; a refusal left in the status bar; the lesson's text describing a replaced
input; toolbar buttons changing width; an About box without versions."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from engine.lessons.registry import lesson
from gui.about import about_html, app_version, pyproject_version
from gui.app import LaunchOptions, build_window
from gui.playground.filter_panel import CellEditor


@pytest.fixture
def window(qtbot):
    # Windows of earlier tests are destroyed when an event loop runs: that would stall the
    # playback timers of the tests below for half a second.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    win = build_window(LaunchOptions(tab="playground"))
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.player.pause()
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone now, not later


# ----- playback ---------------------------------------------------------------------------
def test_home_while_playing_jumps_and_plays_on(window, qtbot) -> None:
    state, player = window.playground.state, window.playground.player
    window.load_lesson(lesson("x-or-o"))
    window.playground.steps.speed.setValue(20)
    state.set_position(150)
    player.play()
    qtbot.waitUntil(lambda: state.position > 152, timeout=3000)
    window.start_action.trigger()  # Home
    assert state.position == 0
    qtbot.waitUntil(lambda: state.position >= 3, timeout=3000)
    assert state.position < 100  # it went on from the start, it did not snap back to 150+
    assert player.playing


def test_end_while_playing_jumps_to_the_end(window, qtbot) -> None:
    state, player = window.playground.state, window.playground.player
    window.load_lesson(lesson("x-or-o"))
    window.playground.steps.speed.setValue(10)
    player.play()
    qtbot.waitUntil(lambda: state.position >= 1, timeout=3000)
    window.end_action.trigger()  # End
    assert state.at_end
    qtbot.waitUntil(lambda: not player.playing, timeout=3000)  # nothing left to play
    assert state.at_end


def test_the_scrubber_while_playing_holds_then_plays_on_from_the_release(window, qtbot) -> None:
    state, player = window.playground.state, window.playground.player
    scrubber = window.playground.steps.scrubber
    window.load_lesson(lesson("x-or-o"))
    window.playground.steps.speed.setValue(30)
    player.play()
    qtbot.waitUntil(lambda: state.position >= 3, timeout=3000)
    scrubber.sliderPressed.emit()
    scrubber.setValue(120)  # dragged to step 121
    held = time.monotonic()
    qtbot.wait(150)
    assert state.position == 120  # held while the button is down
    scrubber.sliderReleased.emit()
    qtbot.waitUntil(lambda: state.position > 121, timeout=3000)
    assert state.position < 120 + 30 * (time.monotonic() - held) + 5  # from 120, not from 3
    assert player.playing


def test_the_arrow_keys_while_playing_move_and_play_on(window, qtbot) -> None:
    state, player = window.playground.state, window.playground.player
    window.load_lesson(lesson("x-or-o"))
    window.playground.steps.speed.setValue(5)
    state.set_position(100)
    player.play()
    window.back_action.trigger()
    window.back_action.trigger()
    assert state.position <= 99
    qtbot.wait(60)  # a few ticks: playback goes on from 98, it does not snap back to 100
    assert state.position <= 99
    qtbot.waitUntil(lambda: state.position >= 100, timeout=3000)
    assert state.position < 110 and player.playing


# ----- the mouse wheel --------------------------------------------------------------------
def wheel(widget: QWidget, steps: int = 1) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(QPoint(0, 0))) + centre, QPoint(0, 0),
        QPoint(0, -120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def value_of(widget: QWidget) -> object:
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    assert isinstance(widget, QAbstractSpinBox)
    return widget.text()


def boxes(root: QWidget) -> list[QWidget]:
    found = [*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)]
    return [w for w in found if w.isEnabled()]


@pytest.mark.parametrize("mode", ["playground", "digits"])
def test_the_wheel_over_an_unfocused_box_changes_nothing(window, mode) -> None:
    window.load_lesson(lesson("x-or-o"))
    window.show_mode(mode)
    QApplication.processEvents()
    stacks = [m.undo_stack for m in window.modes if m.undo_stack is not None]
    undo_counts = [stack.count() for stack in stacks]
    spec = window.playground.state.spec
    found = boxes(window)
    assert len(found) >= (12 if mode == "playground" else 1)
    for widget in found:
        widget.clearFocus()
        before = value_of(widget)
        wheel(widget, 3)
        assert value_of(widget) == before, f"{type(widget).__name__} {widget.toolTip()!r}"
        assert widget.focusPolicy() != Qt.FocusPolicy.WheelFocus
    assert [stack.count() for stack in stacks] == undo_counts  # no accidental undo entries
    assert window.playground.state.spec is spec


def test_the_wheel_changes_a_box_that_has_the_focus(window, qtbot) -> None:
    window.load_lesson(lesson("six-by-six"))
    stride = window.playground.parameters.stride
    stride.setFocus()
    qtbot.waitUntil(stride.hasFocus, timeout=1000)
    wheel(stride, -1)
    assert stride.value() == 2
    assert window.playground.state.spec.stride == (2, 2)


def test_a_filters_preset_box_ignores_the_wheel(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    preset = window.playground.filter_panel._cards[0].preset
    filters = window.playground.state.spec.filters.copy()
    for _ in range(6):
        wheel(preset)
    assert (window.playground.state.spec.filters == filters).all()
    assert not window.playground.state.undo_stack.canUndo()


# ----- the keyboard goes back to the animation --------------------------------------------
@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_esc_or_enter_in_a_field_gives_the_keys_back_to_the_animation(window, qtbot, key) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    scrubber = window.playground.steps.scrubber
    bias = window.playground.filter_panel._cards[0].bias
    bias.setFocus()
    qtbot.waitUntil(bias.hasFocus, timeout=1000)
    QTest.keyClicks(bias.lineEdit(), "1")
    QTest.keyClick(bias, key)
    assert scrubber.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert state.position == 1
    QTest.keyClick(window, Qt.Key.Key_End)
    assert state.at_end


def test_esc_in_a_weights_editor_cancels_and_gives_the_keys_back(window, qtbot) -> None:
    window.load_lesson(lesson("six-by-six"))
    grid = window.playground.filter_panel._cards[1].grids[0]
    QTest.mouseClick(
        grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
        grid.cell_rect(0, 0).center().toPoint(),
    )  # fmt: skip
    editor = grid.findChildren(CellEditor)[0]
    editor.setText("7")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert window.playground.steps.scrubber.hasFocus()
    assert window.playground.state.spec.filters[0, 0, 0, 1] != 7
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert window.playground.state.position == 1


# ----- refusals and the status bar --------------------------------------------------------
def test_divide_by_zero_is_refused_with_a_reason(window) -> None:
    window.load_lesson(lesson("x-or-o"))
    params = window.playground.parameters
    state = window.playground.state
    before = state.spec
    params.divisor.setValue(0)
    assert state.spec is before
    assert params.problem_text.isVisibleTo(window)
    assert "divisor" in params.problem_text.text() and "non-zero" in params.problem_text.text()
    assert "divisor" in window.statusBar().currentMessage()
    assert params.divisor.value() == 9  # the control shows the set-up that holds


def test_a_valid_edit_clears_a_refusal_from_the_status_bar(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    params = window.playground.parameters
    params.kernel.setValue(9)  # refused
    assert "larger than the padded input" in window.statusBar().currentMessage()
    params.stride.setValue(2)  # accepted
    assert window.statusBar().currentMessage() == ""
    window.playground_mode.statusMessage.emit("Saved x.json", 5000)  # not a refusal: it stays
    params.stride.setValue(1)
    assert window.statusBar().currentMessage() == "Saved x.json"


def test_the_header_says_when_the_input_was_replaced(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    header = window.playground.header
    assert "6x6" in header.explanation.text() and not header.input_note.isVisibleTo(window)
    assert window.playground.load_sample(3)
    assert header.input_note.isVisibleTo(window)
    assert "The input was replaced" in header.input_note.text()
    assert "28×28" in header.input_note.text() and "6×6" in header.input_note.text()
    window.undo_action.trigger()
    assert not header.input_note.isVisibleTo(window)


# ----- toolbar and About ------------------------------------------------------------------
def toolbar_geometry(window) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    found = {}
    for bar in window.findChildren(QToolBar):
        for button in bar.findChildren(QToolButton):
            if button.isVisible() and button.defaultAction() is not None:
                found[button.defaultAction().text()] = (button.x(), button.width())
    return found


def test_toolbar_buttons_keep_their_width_when_undo_names_a_command(window) -> None:
    window.load_lesson(lesson("six-by-six"))
    QApplication.processEvents()
    before = {a: g for a, g in toolbar_geometry(window).items() if "Undo" not in a}
    undo = window.undo_action
    width = next(b.width() for b in window.findChildren(QToolButton) if b.defaultAction() is undo)
    window.playground.state.edit("Paint input", lambda s: s.with_bias(0, 1.0))
    QApplication.processEvents()
    assert undo.text() == "&Undo Paint input" or "Paint input" in undo.text()
    assert undo.iconText() == "Undo"
    after = {a: g for a, g in toolbar_geometry(window).items() if "Undo" not in a}
    assert after == before
    assert (
        next(b.width() for b in window.findChildren(QToolButton) if b.defaultAction() is undo)
        == width
    )


def test_about_names_the_versions(window, monkeypatch) -> None:
    import onnxruntime
    import PySide6

    from gui import main_window

    shown: list[str] = []
    monkeypatch.setattr(
        main_window, "show_about_box", lambda parent, title, text, icon=None: shown.append(text)
    )
    window.about_action.trigger()
    assert shown == [about_html()]
    assert f"CNN Visualizer {app_version()}" in shown[0]
    assert f"PySide6 {PySide6.__version__}" in shown[0]
    assert f"ONNX Runtime {onnxruntime.__version__}" in shown[0]


def test_the_version_falls_back_to_pyproject(tmp_path, monkeypatch) -> None:
    from importlib import metadata

    from gui import about

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "cnn-visualizer"\n'
        'version = "9.8.7"\n\n[tool.other]\nversion = "0"\n',
        encoding="utf-8",
    )
    assert pyproject_version(pyproject) == "9.8.7"

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(about.metadata, "version", missing)
    assert app_version(pyproject) == "9.8.7"
    assert app_version(tmp_path / "absent.toml") == "unknown"
