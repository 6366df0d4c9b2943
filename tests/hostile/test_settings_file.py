"""A damaged settings file never stops the app from starting (issue 12, item 10).

A speed of 10^23 once stopped every start with an OverflowError until the user found and
edited the file. Each kind of damage (numbers out of range or not numbers, a geometry blob of
garbage, a mode or lesson that does not exist, texts of 100,000 characters) is written into
the test's own settings folder (``CNN_VISUALIZER_SETTINGS_DIR``); the window starts with the
defaults for what it cannot use, through ``build_window`` and through the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engine.lessons.registry import all_lessons
from gui.app import LaunchOptions, build_window
from gui.export import DEFAULT_FRAME_SECONDS
from tests.hostile import hostile_files as hf
from tests.hostile.tally import tally

if TYPE_CHECKING:
    from gui.app_window import AppWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def defaults(qtbot: Any) -> dict[str, object]:
    """What a window started without settings shows (the defaults to fall back to)."""
    window = build_window(LaunchOptions())
    qtbot.addWidget(window)
    found = _looks(window)
    window.deleteLater()
    return found


def _looks(window: AppWindow) -> dict[str, object]:
    return {
        "speed": window.playground.steps.speed.value(),
        "zoom": window.zoom,
        "gif": window.playground_mode.gif_frame_seconds,
        "mode": window.shown_mode.description.name,
        "lesson": window.playground.state.context.id,
        "presenting": window.presenting,
    }


@pytest.fixture
def settings_folder() -> Path:
    """The test's own settings folder (tests/conftest.py points the app at it)."""
    return Path(os.environ["CNN_VISUALIZER_SETTINGS_DIR"])


@pytest.mark.parametrize("kind", list(hf.CORRUPT_SETTINGS))
def test_a_damaged_setting_falls_back_to_its_default(
    qtbot: Any, defaults: dict[str, object], settings_folder: Path, kind: str
) -> None:
    hf.write_settings(settings_folder, [hf.CORRUPT_SETTINGS[kind]])
    window = build_window(LaunchOptions())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert _looks(window) == defaults
    assert window.width() >= 800 and window.height() >= 560  # a usable window, not garbage
    window.close()
    tally("settings file", f"setting: {kind}")


def test_every_damage_at_once_starts_with_the_defaults(
    qtbot: Any, defaults: dict[str, object], settings_folder: Path
) -> None:
    hf.write_settings(settings_folder, list(hf.CORRUPT_SETTINGS.values()))
    window = build_window(LaunchOptions())
    qtbot.addWidget(window)
    assert _looks(window) == defaults
    window.close()
    tally("settings file", "setting: every damage at once")


def test_good_settings_are_still_read(qtbot: Any, settings_folder: Path) -> None:
    """The checks refuse damage, not values the app wrote itself."""
    lesson_id = all_lessons()[-1].id
    hf.write_settings(
        settings_folder,
        [("playground", "speed", "7"), ("playground", "gifFrameMs", "1250"),
         ("window", "zoomPercent", "150"), ("window", "mode", "digits"),
         ("playground", "lesson", lesson_id)],
    )  # fmt: skip
    window = build_window(LaunchOptions())
    qtbot.addWidget(window)
    found = _looks(window)
    assert found["speed"] == 7 and found["zoom"] == 1.5 and found["gif"] == 1.25
    assert found["mode"] == "digits" and found["lesson"] == lesson_id
    assert DEFAULT_FRAME_SECONDS != 1.25
    window.set_zoom(1.0)
    window.close()
    tally("settings file", "accepted (checked against the reference)")


def test_the_command_line_starts_with_a_damaged_settings_file(tmp_path: Path) -> None:
    hf.write_settings(tmp_path, list(hf.CORRUPT_SETTINGS.values()))
    shot = tmp_path / "shot.png"
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", CNN_VISUALIZER_SETTINGS_DIR=str(tmp_path),
        CNN_VISUALIZER_DATA_DIR=str(tmp_path),
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(shot)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 10_000 and "Traceback" not in done.stderr
    tally("settings file", "setting: every damage at once, through the command line")
