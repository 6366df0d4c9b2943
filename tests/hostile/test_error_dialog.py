"""The last resort: an exception that escapes a slot is said in a dialog; the app keeps running.

Issue 12, item 1. Every action that reads or writes outside data says its own problems (the
other tests of this folder); should one still escape a slot, PySide6 hands it to
``sys.excepthook``, which ``gui.app`` points at :class:`gui.app.ErrorDialogs`: a plain-text
dialog instead of a traceback nobody sees, one dialog however often the error repeats, and
stderr only when nobody can answer (a screenshot).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.app import ERROR_TITLE, ErrorDialogs, LaunchOptions, build_window, install_error_dialogs
from tests.hostile.tally import tally

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ErrorDialogs, list[str]]]:
    """The application's error dialogs installed, their QMessageBox.critical recorded."""
    shown: list[str] = []

    def record(parent: object, title: str, text: str, *args: object) -> Any:
        shown.append(f"{title}\n{text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", record)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = sys.excepthook
    dialogs = install_error_dialogs(app)
    assert sys.excepthook == dialogs.excepthook
    yield dialogs, shown
    dialogs.uninstall()
    dialogs.setParent(None)
    dialogs.deleteLater()
    assert sys.excepthook == before


def broken_slot() -> None:
    """A slot with a bug."""
    raise ZeroDivisionError("division by zero in a slot <b>not bold</b>")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_dialog_and_the_app_goes_on(
    qtbot: Any, hook: tuple[ErrorDialogs, list[str]]
) -> None:
    _, shown = hook
    window = build_window(LaunchOptions(lesson="x-or-o"))
    qtbot.addWidget(window)
    window.show()
    action = QAction("Broken", window)
    action.triggered.connect(broken_slot)
    action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    title, text = shown[0].split("\n", 1)
    assert title == ERROR_TITLE
    assert "ZeroDivisionError: division by zero in a slot <b>not bold</b>" in text
    assert "keeps working" in text and "Traceback" not in text
    # The window is still alive and answers the next action.
    position = window.playground.state.position
    window.forward_action.trigger()
    assert window.playground.state.position == position + 1
    window.close()
    tally("window: an exception escaping a slot", "shown in the last-resort dialog")


@pytest.mark.qt_no_exception_capture
def test_an_error_repeated_while_its_dialog_is_open_makes_no_second_dialog(
    qtbot: Any, hook: tuple[ErrorDialogs, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs, shown = hook

    def dialog_that_sees_a_repaint(parent: object, title: str, text: str, *args: object) -> Any:
        shown.append(text)
        try:  # a paint handler failing again while the dialog is up
            raise ValueError("again")
        except ValueError:
            dialogs.excepthook(*sys.exc_info())
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", dialog_that_sees_a_repaint)
    try:
        raise RuntimeError("first")
    except RuntimeError:
        dialogs.excepthook(*sys.exc_info())
    assert len(shown) == 1 and len(dialogs.errors) == 2
    tally("window: an exception escaping a slot", "repeated while its dialog is open")


def test_without_anyone_to_answer_errors_go_to_stderr_only(
    hook: tuple[ErrorDialogs, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    dialogs, shown = hook
    dialogs.interactive = False
    try:
        raise KeyError("in a screenshot")
    except KeyError:
        dialogs.excepthook(*sys.exc_info())
    assert not shown and dialogs.errors
    assert "unexpected error: KeyError" in capsys.readouterr().err
    tally("window: an exception escaping a slot", "said on stderr during a screenshot")
