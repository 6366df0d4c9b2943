"""Set-up and headless use: the xcb libraries are checked before Qt starts (exit 2 with the
packages to install, not Qt's abort), and --screenshot needs no display at all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from gui.platform_check import (
    XCB_LIBRARIES,
    choose_platform,
    display_problem,
    missing_libraries,
    qt_platform,
)

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_12_GAPS = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def loader_without(absent: set[str]):  # type: ignore[no-untyped-def]
    """A library loader for which ``absent`` are not installed (and every other one is)."""

    def load(soname: str) -> object:
        if soname in absent:
            raise OSError(f"{soname}: cannot open shared object file: No such file or directory")
        return object()

    return load


def test_the_platform_qt_will_choose() -> None:
    assert qt_platform({}, "linux") == "xcb"
    assert qt_platform({"QT_QPA_PLATFORM": "offscreen"}, "linux") == "offscreen"
    assert qt_platform({"QT_QPA_PLATFORM": "xcb;wayland"}, "linux") == "xcb"
    assert qt_platform({"QT_QPA_PLATFORM": "xcb:dpi=96"}, "linux") == "xcb"
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert qt_platform(wayland, "linux") == "wayland"
    assert qt_platform({}, "win32") == "native" and qt_platform({}, "darwin") == "native"


def test_missing_xcb_libraries_name_the_debian_packages() -> None:
    env = {"DISPLAY": ":0"}
    problem = display_problem(env, "linux", loader_without(DEBIAN_12_GAPS))
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in problem
    assert "libxcb-cursor0" not in problem  # only what is missing
    assert display_problem(env, "linux", loader_without(set())) == ""
    every = {soname for soname, _ in XCB_LIBRARIES}
    assert len(missing_libraries(loader_without(every))) == len(XCB_LIBRARIES)


def test_only_the_xcb_platform_is_checked() -> None:
    nothing = loader_without({soname for soname, _ in XCB_LIBRARIES})
    for env, system in (
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "w-0"}, "linux"),
        ({}, "win32"),
        ({}, "darwin"),
    ):
        assert display_problem(env, system, nothing) == ""
    assert "DISPLAY is not set" in display_problem({}, "linux", nothing)


def test_a_screenshot_renders_offscreen_unless_told_otherwise() -> None:
    env: dict[str, str] = {}
    choose_platform(env, screenshot=True)
    assert env == {"QT_QPA_PLATFORM": "offscreen"}
    env = {"QT_QPA_PLATFORM": "xcb"}
    choose_platform(env, screenshot=True)
    assert env == {"QT_QPA_PLATFORM": "xcb"}
    env = {}
    choose_platform(env, screenshot=False)
    assert env == {}


def headless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env["CNN_VISUALIZER_SETTINGS_DIR"] = str(tmp_path)
    env.update(extra)
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux's platform")
def test_the_command_line_exits_2_before_qt_with_the_packages(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import gui.platform_check as check

        def load(soname):
            if soname in {sorted(DEBIAN_12_GAPS)!r}:
                raise OSError(soname)
            return object()

        check.load_library = load
        import main
        status = main.main(["--lesson", "x-or-o"])
        assert "PySide6.QtGui" not in sys.modules, "Qt was started"
        sys.exit(status)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env=headless_env(tmp_path, DISPLAY=":99"), cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("presentation", [False, True])
def test_a_screenshot_needs_no_display(tmp_path: Path, presentation: bool) -> None:
    shot = tmp_path / "lesson.png"
    command = [
        sys.executable, str(ROOT / "main.py"), "--lesson", "x-or-o", "--step", "60",
        "--screenshot", str(shot), "--size", "1024x768",
    ]  # fmt: skip
    if presentation:
        command.append("--presentation")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=headless_env(tmp_path),
        cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as picture:
        assert picture.size == (1024, 768)  # the size asked for, also in presentation mode


def test_no_display_without_a_screenshot_exits_2(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux needs a DISPLAY")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, timeout=120,
        env=headless_env(tmp_path), cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "DISPLAY is not set" in done.stderr and "--screenshot" in done.stderr
