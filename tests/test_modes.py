"""The window hosts registered modes: a third mode gets its own tab, shortcut, actions and
(no) undo stack; actions, toolbars, title and status follow the shown mode; --tab and the
settings name modes; the shortcut list is built from the registered actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox, QToolBar

from engine.lessons.registry import lesson
from gui.app import LaunchOptions, build_window
from gui.app_window import MODE_FACTORIES, mode_names
from gui.digits.mode import DigitLabMode
from gui.main_window import MainWindow
from gui.modes import Mode, ModeContributions, ModeDescription, make_action
from gui.playground.mode import PlaygroundMode
from gui.settings import app_settings
from main import build_parser


class NotesMode(Mode):
    """A fourth mode for the tests: no undo stack, no images, one action and a toolbar."""

    description = ModeDescription("notes", "Notes", "Notes — a mode made by the tests", "Ctrl+4")

    def __init__(self, options: LaunchOptions | None = None, parent=None) -> None:
        super().__init__(QLabel("notes"), None, parent)
        self.events: list[str] = []
        self.keep_open = False
        self.tidy_action = make_action(
            self, "&Tidy Notes", lambda: self.events.append("tidy"), "Ctrl+Shift+T"
        )
        self.toolbar = QToolBar("Notes")
        self.toolbar.setObjectName("notesToolbar")
        self.toolbar.addAction(self.tidy_action)

    def contributions(self) -> ModeContributions:
        return ModeContributions(view=(self.tidy_action,), toolbar=self.toolbar)

    def status_text(self) -> str:
        return "3 notes"

    def shown(self) -> None:
        self.events.append("shown")

    def hidden(self) -> None:
        self.events.append("hidden")

    def confirm_close(self) -> bool:
        return not self.keep_open

    def closing(self) -> None:
        self.events.append("closing")


def close(win: MainWindow) -> None:
    for mode in win.modes:
        if isinstance(mode, PlaygroundMode):
            mode.view.player.pause()
            mode.view.state.undo_stack.setClean()  # no "unsaved changes" question
        if isinstance(mode, NotesMode):
            mode.keep_open = False
    win.close()
    win.deleteLater()


@pytest.fixture
def window(qtbot):
    win = build_window(LaunchOptions(tab="playground"), (*MODE_FACTORIES, NotesMode))
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    close(win)


def shortcuts(action: QAction) -> list[str]:
    return [k.toString() for k in action.shortcuts()]


def test_a_third_mode_gets_its_tab_shortcut_and_status(window, qtbot) -> None:
    notes = window.mode("notes")
    assert isinstance(notes, NotesMode)
    assert window.tabs.count() == 4
    assert window.tabs.tabText(3) == "Notes — a mode made by the tests"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    shows = [a for a in view_menu.actions() if a.text() == "&Notes"]
    assert len(shows) == 1 and shortcuts(shows[0]) == ["Ctrl+4"]
    assert window.mode_action("notes") is shows[0]
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.shown_mode is notes and window.tabs.currentWidget() is window.page(notes)
    assert window.page_widget(notes) is notes.widget
    assert notes.events == ["shown"]
    assert window.windowTitle() == "CNN Visualizer — Notes"
    assert window.mode_status.text() == "3 notes"
    notes.statusMessage.emit("tidied", 0)
    assert window.statusBar().currentMessage() == "tidied"
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.shown_mode is window.mode("playground")
    assert notes.events == ["shown", "hidden"]
    assert window.statusBar().currentMessage() == ""  # one mode's message leaves with it
    notes.statusMessage.emit("not on show", 0)  # a hidden mode does not speak
    assert window.statusBar().currentMessage() == ""
    assert window.windowTitle() == f"CNN Visualizer — {window.playground.state.context.title}"


def test_a_mode_without_an_undo_stack_never_gets_another_modes(window) -> None:
    state = window.playground.state
    state.edit("bias", lambda s: s.with_bias(0, 5.0))
    window.digit_lab.load_sample(7)
    assert window.undo_group.activeStack() is state.undo_stack and window.undo_action.isEnabled()
    window.show_mode("notes")
    assert window.undo_group.activeStack() is None
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    window.undo_action.trigger()  # disabled: nothing happens anywhere
    assert state.spec.biases[0] == 5.0 and window.digit_lab.prediction[0] == "7"
    window.show_mode("digits")
    assert window.undo_group.activeStack() is window.digit_lab.undo_stack
    window.undo_action.trigger()
    assert window.digit_lab.prediction is None and state.spec.biases[0] == 5.0
    window.show_mode("playground")
    assert window.undo_group.activeStack() is state.undo_stack
    window.undo_action.trigger()
    assert state.spec.biases[0] == 0


def test_each_modes_actions_and_toolbar_only_while_it_is_shown(window) -> None:
    contributed = {mode: mode.contributions() for mode in window.modes}
    assert all(list(c.actions()) for c in contributed.values())
    for shown in window.modes:
        window.show_mode(shown.description.name)
        for mode, parts in contributed.items():
            on_show = mode is shown
            assert all(a.isEnabled() == on_show for a in parts.actions()), mode.description.name
            assert parts.toolbar is not None and parts.toolbar.isVisible() == on_show
        assert window.toolbar.isVisible()  # the window's own tools stay
        assert window.open_image_action.isEnabled() == shown.opens_images()
    notes = window.mode("notes")
    window.show_mode("playground")
    notes.tidy_action.trigger()  # disabled: Ctrl+Shift+T does nothing on another tab
    assert "tidy" not in notes.events
    window.show_mode("notes")
    notes.tidy_action.trigger()
    assert notes.events[-1] == "tidy"
    playground = window.playground_mode
    assert not playground.lessons_menu.menuAction().isEnabled()
    assert not playground.play_action.isEnabled() and not playground.lesson_picker.isVisible()
    offered = [a.text() for a in window.createPopupMenu().actions() if a.isVisible()]
    assert offered == ["Main"]  # a mode's toolbar comes and goes with its mode only


def test_hiding_the_playground_pauses_it_and_showing_focuses_the_scrubber(window, qtbot) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    window.load_lesson(lesson("x-or-o"))
    window.play_action.trigger()
    assert window.playground.player.playing
    window.show_mode("notes")
    assert not window.playground.player.playing
    window.show_mode("playground")
    assert window.playground.steps.scrubber.hasFocus()


def test_closing_asks_every_mode(window) -> None:
    notes = window.mode("notes")
    notes.keep_open = True
    window.close()
    assert window.isVisible() and "closing" not in notes.events
    notes.keep_open = False
    window.close()
    assert not window.isVisible() and notes.events == ["closing"]


def test_the_shortcut_list_names_every_registered_shortcut(window, monkeypatch) -> None:
    text = window.keys_text()
    keyed = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(keyed) >= 18
    for action in keyed:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(line.startswith(keys + " ") for line in text.splitlines()), action.text()
    lines = text.splitlines()
    for expected in (
        "Ctrl+I — Open Image", "Ctrl+M — Open Model (Digit Lab)",
        "Ctrl+Shift+E — Export Animation as GIF (Playground)", "Ctrl+Q — Quit",
        "Ctrl+Z — Undo", "Space — Play / Pause (Playground)",
        "Ctrl+4 — Notes", "Ctrl+Shift+T — Tidy Notes (Notes)", "F1 — Keyboard Shortcuts",
        "Ctrl+3 — Training", "Ctrl+T — Train (Training)", "Ctrl+. — Stop Training (Training)",
        "Ctrl+Shift+D — Open Run in Digit Lab (Training)",
        "Esc or Delete — clear the drawing (Digit Lab)",
    ):  # fmt: skip
        assert expected in lines
    redo = [line for line in lines if line.endswith("— Redo")]  # Ctrl+Y first on some systems
    assert len(redo) == 1 and "Ctrl+Shift+Z" in redo[0].split(" — ")[0].split(" or ")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, body: shown.append(body))
    window.keys_action.trigger()
    assert shown == [text]


def test_shipped_window_keeps_every_shortcut_and_menu(qtbot) -> None:
    win = build_window(LaunchOptions())
    qtbot.addWidget(win)
    keys = {k for a in win.findChildren(QAction) for k in shortcuts(a)}
    assert keys >= {
        "Space", "Left", "Right", "Home", "End", "Ctrl+O", "Ctrl+S", "Ctrl+E", "Ctrl+Shift+E",
        "Ctrl+I", "Ctrl+M", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+1", "Ctrl+2", "F1", "Ctrl+Q",
        "Ctrl+Shift+S", "Ctrl+=", "Ctrl+-", "Ctrl+0", "F11", "Ctrl+3", "Ctrl+T", "Ctrl+.",
        "Ctrl+Shift+D",
    }  # fmt: skip
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "View", "Lessons", "Training", "Help"]
    assert [a.text() for a in menus["File"].actions()] == [
        "&Open Lesson File…", "&Save Lesson As…", "", "Open &Image…", "Open &Model…", "",
        "Export View as &PNG…", "Export Animation as &GIF…", "Export Worked &Solution…", "",
        "&Quit",
    ]  # fmt: skip
    assert [a.text() for a in menus["View"].actions()] == [
        "&Playground", "&Digit Lab", "&Training", "", "Zoom &In", "Zoom &Out", "&Actual Size",
        "&Presentation Mode", "", "&Play / Pause", "Step &Forward", "Step &Back",
        "To &Start", "To &End",
    ]  # fmt: skip
    close(win)


@pytest.mark.parametrize("name", mode_names())
def test_tab_opens_each_registered_mode(qtbot, name: str) -> None:
    assert build_parser().parse_args(["--tab", name]).tab == name
    win = build_window(LaunchOptions(tab=name))
    qtbot.addWidget(win)
    assert win.shown_mode.description.name == name
    close(win)


def test_an_unknown_tab_exits_2_and_lists_the_modes(capsys, qtbot) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["--tab", "nope"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and all(f"'{name}'" in err for name in mode_names())
    assert mode_names() == ["playground", "digits", "training"]
    with pytest.raises(
        ValueError, match="unknown mode 'nope'; the modes are playground, digits, training"
    ):
        build_window(LaunchOptions(tab="nope"))


def test_settings_remember_the_shown_mode_by_name(qtbot) -> None:
    first = build_window(LaunchOptions(tab="digits"))
    qtbot.addWidget(first)
    close(first)
    assert app_settings().value("window/mode") == "digits"
    second = build_window(LaunchOptions())
    qtbot.addWidget(second)
    assert second.shown_mode is second.mode("digits")
    assert second.windowTitle() == "CNN Visualizer — Digit Lab"
    assert "MNIST CNN" in second.mode_status.text()
    close(second)
    for saved in ("sketchpad", "1", ""):  # a mode no longer registered, an old tab index
        settings = app_settings()
        settings.setValue("window/mode", saved)
        settings.sync()
        third = build_window(LaunchOptions())
        qtbot.addWidget(third)
        assert third.shown_mode is third.modes[0]
        close(third)


def test_modes_must_have_distinct_names_and_shortcuts(qtbot) -> None:
    class Twin(NotesMode):
        description = ModeDescription("notes", "Twin", "Twin", "Ctrl+5")

    class SameKeys(NotesMode):
        description = ModeDescription("same-keys", "Same", "Same", "Ctrl+4")

    for other in (Twin, SameKeys):
        modes = [NotesMode(), other()]
        with pytest.raises(ValueError, match="two modes have the same"):
            MainWindow(modes)
    with pytest.raises(ValueError, match="at least one mode"):
        MainWindow([])

    class Nameless(Mode):
        pass

    with pytest.raises(ValueError, match="Nameless has no ModeDescription"):
        MainWindow([Nameless(QLabel(), None)])
    with pytest.raises(ValueError, match="lower-case"):
        ModeDescription("Notes", "Notes", "Notes", "Ctrl+3")
    with pytest.raises(ValueError, match="'Loose' needs an object name"):
        ModeContributions(toolbar=QToolBar("Loose"))
    with pytest.raises(ValueError, match="unreadable shortcut"):
        ModeDescription("notes", "Notes", "Notes", "Ctrl+Banana")


def test_the_digit_lab_alone_says_no_mode_can_animate(qtbot) -> None:
    win = build_window(LaunchOptions(), (DigitLabMode, NotesMode))
    qtbot.addWidget(win)
    assert win.tabs.count() == 2 and win.shown_mode is win.digit_lab_mode
    with pytest.raises(LookupError, match="no PlaygroundMode"):
        _ = win.playground
    win.digit_lab.load_sample(3)
    assert not win.digit_lab_mode.animate_filter("conv1", 0)
    assert win.statusBar().currentMessage() == "No mode of this window can animate a filter"
    close(win)


def test_settings_remember_each_modes_panel_sizes(qtbot) -> None:
    first = build_window(LaunchOptions())
    qtbot.addWidget(first)
    first.resize(1280, 800)
    first.show()
    qtbot.waitExposed(first)
    columns = first.playground.columns
    columns.setSizes([500, 200, 500])
    first.show_mode("digits")
    lab_columns = first.digit_lab.columns
    lab_columns.setSizes([700, 500])
    wanted = (columns.sizes(), lab_columns.sizes())
    close(first)
    second = build_window(LaunchOptions())
    qtbot.addWidget(second)
    # The offscreen screen is smaller than the window, so restoreGeometry shrinks it and the
    # splitters rescale; at the first window's size, restoring gives the sizes back exactly.
    second.resize(1280, 800)
    second.show()
    qtbot.waitExposed(second)
    for mode in second.modes:
        second.show_mode(mode.description.name)  # laid out at the first window's size
        mode.restore_settings(app_settings())
    assert second.playground.columns.sizes() == wanted[0]
    assert second.digit_lab.columns.sizes() == wanted[1]
    close(second)
