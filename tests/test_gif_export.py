"""The GIF export for slides: its own pace, the app's colours, a size a slide deck takes, an
atomic write, and a name without .gif refused before anything is rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.lessons.registry import lesson
from gui.app import LaunchOptions, build_window
from gui.colours import MARK_COLOURS, NEGATIVE, POSITIVE
from gui.export import (
    DEFAULT_FRAME_SECONDS,
    LAST_FRAME_HOLD,
    MAX_GIF_WIDTH,
    gif_frames,
    gif_path_problem,
    slide_frame,
    write_gif,
)

if TYPE_CHECKING:
    from pathlib import Path

MEGABYTE = 1_000_000


@pytest.fixture
def window(qtbot):
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


def test_the_six_by_six_lesson_fits_a_slide(window, tmp_path: Path) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    state.set_position(5)
    window.playground.steps.speed.setValue(60)  # the playback speed no longer sets the pace
    path = tmp_path / "lesson.gif"
    assert window.export_animation_gif(str(path))
    assert path.stat().st_size <= MEGABYTE
    with Image.open(path) as gif:
        assert gif.n_frames == len(state.timeline) == 40
        assert gif.width <= MAX_GIF_WIDTH
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
    pace = round(DEFAULT_FRAME_SECONDS * 1000)
    assert durations[:-1] == [pace] * 39 and durations[-1] == pace * LAST_FRAME_HOLD
    assert state.position == 5  # left where it was
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_the_gif_keeps_the_apps_colours(window, tmp_path: Path) -> None:
    window.load_lesson(lesson("six-by-six"))
    state = window.playground.state
    frames = []
    for position in (0, 7, 20, 39):
        state.set_position(position)
        frames.append(slide_frame(window.playground.animated_panels()))
    for original, paletted in zip(frames, gif_frames(frames), strict=True):
        shown = np.asarray(paletted.convert("RGB"), dtype=int)
        exact = np.asarray(original, dtype=int)
        assert np.abs(shown - exact).mean() < 1.0  # against the PNG of the same frame
        assert (shown == exact).all(axis=2).mean() > 0.9
        for colour in (
            POSITIVE,
            NEGATIVE,
            *[(c.red(), c.green(), c.blue()) for c in MARK_COLOURS.values()],
        ):
            where = (exact == np.asarray(colour, dtype=int)).all(axis=2)
            assert (shown[where] == exact[where]).all()  # reds stay red, outlines keep colour
        background = tuple(exact[0, 0])
        where = (exact == np.asarray(background)).all(axis=2)
        assert (shown[where] == exact[where]).all()  # the grey background stays grey


def test_its_own_pace_is_asked_and_remembered(window, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from gui.playground import mode as mode_module

    window.load_lesson(lesson("six-by-six-stride-2"))
    path = tmp_path / "slow.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    asked: list[float] = []

    def ask(seconds: float, steps: int, parent: object) -> float:
        asked.append(seconds)
        return 1.25

    monkeypatch.setattr(mode_module, "ask_frame_seconds", ask)
    window.playground_mode.export_gif_action.trigger()
    assert asked == [DEFAULT_FRAME_SECONDS]
    with Image.open(path) as gif:
        assert gif.info["duration"] == 1250
    window.playground_mode.export_gif_action.trigger()
    assert asked == [DEFAULT_FRAME_SECONDS, 1.25]  # the last choice is offered again
    monkeypatch.setattr(mode_module, "ask_frame_seconds", lambda *a: None)  # cancelled
    path.unlink()
    assert not window.playground_mode.export_animation_gif()
    assert not path.exists()


@pytest.mark.parametrize("name", ["animation", "animation.png", "animation.gif.txt"])
def test_a_name_without_gif_is_refused_before_rendering(
    window, tmp_path: Path, monkeypatch, name
) -> None:
    from gui.playground import mode as mode_module

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))

    def never(*args: object, **kwargs: object) -> int:
        raise AssertionError("rendered despite the bad name")

    monkeypatch.setattr(mode_module, "export_gif", never)
    path = tmp_path / name
    assert not window.export_animation_gif(str(path))
    assert shown and ".gif" in shown[0] and gif_path_problem(str(path)) in shown[0]
    assert not path.exists()
    assert gif_path_problem(str(tmp_path / "Lesson.GIF")) == ""


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "old.gif"
    target.write_bytes(b"the slide deck's copy")
    frames = [Image.new("RGB", (8, 6), (178, 24, 43)), Image.new("RGB", (8, 6), (255, 255, 255))]

    def broken(self: Image.Image, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        write_gif(frames, str(target), 0.5)
    assert target.read_bytes() == b"the slide deck's copy"
    assert [p.name for p in tmp_path.iterdir()] == ["old.gif"]


def test_frames_of_different_sizes_share_one(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (10, 6), (239, 239, 239)), Image.new("RGB", (10, 9), (20, 20, 28))]
    path = tmp_path / "grown.gif"
    write_gif(frames, str(path), 0.2)
    with Image.open(path) as gif:
        assert gif.size == (10, 9) and gif.n_frames == 2
    with pytest.raises(ValueError, match="frame lasts"):
        write_gif(frames, str(path), 0.0)
