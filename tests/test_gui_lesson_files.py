"""Lesson files through the window: what a saved built-in lesson keeps, and how it reopens."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from engine.lessons.registry import lesson
from gui.app import LaunchOptions, build_window

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def window(qtbot):
    win = build_window(LaunchOptions())
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()


def test_a_saved_builtin_lesson_keeps_its_notes_and_display_rule(window, tmp_path: Path) -> None:
    window.load_lesson(lesson("x-or-o"))  # notes, and the slide's rule of cutting to 2 decimals
    window.playground.state.edit("bias", lambda s: s.with_bias(0, 1.0))
    path = tmp_path / "x.json"
    assert window.save_lesson_file(str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert data["display"]["truncate"] is True
    assert data["notes"] == list(lesson("x-or-o").notes)
    assert data["filters"][0]["bias"] == 1

    window.load_lesson(lesson("six-by-six"))
    assert window.open_lesson_file(str(path))
    state = window.playground.state
    assert state.context.id == "file"  # the file's lesson, not the built-in one
    assert state.context.truncate is True
    assert state.context.notes == lesson("x-or-o").notes
    assert state.spec.biases[0] == 1
    assert window.lesson_picker.currentIndex() == -1
