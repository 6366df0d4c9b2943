"""Before Qt starts: will its platform plugin load? Say what to install instead of aborting.

On Linux Qt draws through its *xcb* plugin, which needs system libraries that a fresh desktop
may lack (on Debian 12, libxcb-icccm4 and libxcb-keysyms1 are often missing, and Qt's own
message names only libxcb-cursor0). Qt then aborts the process. :func:`display_problem` loads
each library the plugin needs first and, if some are missing, names the Debian/Ubuntu packages
to install, so the command line can print that and exit with status 2.

:func:`choose_platform` makes ``--screenshot`` independent of any display: without an explicit
``QT_QPA_PLATFORM`` it renders with Qt's *offscreen* plugin.

This module imports no Qt: it must run before Qt is loaded.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping

XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb.so.1", "libxcb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libX11.so.6", "libx11-6"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
)
"""(soname, Debian/Ubuntu package) of every library Qt's xcb plugin loads that the Python
wheels do not bring: the NEEDED entries of PySide6's plugins/platforms/libqxcb.so and
lib/libQt6XcbQpa.so.6 (PySide6 6.11), with EGL, fontconfig and GLib that Qt's GUI module
needs."""

OFFSCREEN = "offscreen"


def load_library(soname: str) -> object:
    """Load a shared library by its soname, as Qt's plugin would (raises OSError if absent)."""
    return ctypes.CDLL(soname)


def qt_platform(env: Mapping[str, str], system: str = sys.platform) -> str:
    """The platform plugin Qt will choose.

    ``QT_QPA_PLATFORM``'s first entry if set; on Linux "wayland" in a Wayland session, else
    "xcb"; elsewhere "native".
    """
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen
    if not system.startswith("linux"):
        return "native"
    if env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def missing_libraries(load: Callable[[str], object] | None = None) -> list[tuple[str, str]]:
    """The (soname, package) pairs of ``XCB_LIBRARIES`` that ``load`` cannot load.

    ``load`` defaults to :func:`load_library`.
    """
    loader = load or load_library
    missing = []
    for soname, package in XCB_LIBRARIES:
        try:
            loader(soname)
        except OSError:
            missing.append((soname, package))
    return missing


def display_problem(
    env: Mapping[str, str],
    system: str = sys.platform,
    load: Callable[[str], object] | None = None,
) -> str:
    """Why the window cannot open on this display, with what to do ("" when it can).

    Only the xcb platform (Linux, X11) is checked: that a display is named, and that every
    library of ``XCB_LIBRARIES`` loads.
    """
    if qt_platform(env, system) != "xcb":
        return ""
    if not env.get("DISPLAY"):
        return (
            "there is no display to open the window on (DISPLAY is not set). Start it from a "
            "desktop session, or use --screenshot FILE.png, which needs no display."
        )
    missing = missing_libraries(load)
    if not missing:
        return ""
    names = ", ".join(soname for soname, _ in missing)
    packages = " ".join(package for _, package in missing)
    return (
        f"Qt's xcb platform plugin needs libraries this system lacks: {names}.\n"
        f"On Debian or Ubuntu install them with:\n    sudo apt install {packages}\n"
        "(other distributions name the packages after the same libraries)."
    )


def choose_platform(env: MutableMapping[str, str], *, screenshot: bool) -> None:
    """A screenshot renders offscreen unless ``QT_QPA_PLATFORM`` names a platform."""
    if screenshot and not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = OFFSCREEN


def prepare_display(*, screenshot: bool, env: MutableMapping[str, str] | None = None) -> str:
    """Choose the platform for this run and check it (see :func:`display_problem`)."""
    environment = os.environ if env is None else env
    choose_platform(environment, screenshot=screenshot)
    return display_problem(environment)
