"""Where the app keeps its settings, and readers that check each saved value.

The settings hold the window layout, the shown mode, the last lesson and the speed.

Tests and CI set CNN_VISUALIZER_SETTINGS_DIR so they never touch the user's configuration.
Settings files can be edited by hand, damaged or left by older versions, so every reader here
validates what it reads (its kind, and a number's range, a text's or a path's length and
form, a text's choices, a saved state's size) and returns None for anything else; the caller
keeps its default (issue 12: a speed of 10^23 once stopped every start with an OverflowError).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from PySide6.QtWidgets import QSplitter

ORGANISATION = "CNN Visualizer"
APPLICATION = "CNN Visualizer"


def app_settings() -> QSettings:
    """The app's settings: an INI file in $CNN_VISUALIZER_SETTINGS_DIR, else the user's."""
    folder = os.environ.get("CNN_VISUALIZER_SETTINGS_DIR")
    if folder:
        return QSettings(str(Path(folder) / "cnn-visualizer.ini"), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


MAX_STATE_BYTES = 65_536
"""The largest saved Qt state read (a window's is a few hundred bytes)."""
MAX_TEXT_CHARS = 200
"""The longest saved text read (a mode's name, a lesson's id)."""
MAX_INT_CHARS = 20
"""A saved whole number longer than this is not read (no int() of thousands of digits)."""
MAX_PATH_CHARS = 4096
"""The longest saved file path read (Linux's PATH_MAX, 4,096 bytes, with the final NUL)."""


def _value(settings: QSettings, key: str) -> object:
    """The raw saved value; None if absent or if Qt cannot turn it into a Python value."""
    try:
        return settings.value(key)
    except Exception:  # a damaged "@Variant(...)" entry may not convert
        return None


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A saved Qt state (geometry, splitter), or None if absent, empty, not bytes or too large.

    Qt checks the state's content itself when it restores it (``restoreGeometry`` and
    ``restoreState`` refuse garbage); at most ``MAX_STATE_BYTES`` are handed to it.
    """
    value = _value(settings, key)
    if isinstance(value, QByteArray) and 0 < value.size() <= MAX_STATE_BYTES:
        return value
    return None


def read_int(settings: QSettings, key: str, *, minimum: int, maximum: int) -> int | None:
    """A saved whole number from ``minimum`` to ``maximum``, or None.

    None when absent, not a whole number (an INI file stores text: "12" is read, "12.5",
    "1e23" and "twelve" are not), longer than ``MAX_INT_CHARS`` characters, or outside the
    range.
    """
    value = _value(settings, key)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and len(value) <= MAX_INT_CHARS:
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None or not minimum <= number <= maximum:
        return None
    return number


def read_text(settings: QSettings, key: str, choices: Iterable[str] | None = None) -> str | None:
    """A saved text of at most ``MAX_TEXT_CHARS`` characters, one of ``choices`` if given.

    None when absent, not text, too long, or not one of the choices.
    """
    value = _value(settings, key)
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        return None
    if choices is not None and value not in set(choices):
        return None
    return value


def read_path(settings: QSettings, key: str) -> Path | None:
    """A saved file path: absolute, under ``MAX_PATH_CHARS`` characters, without NUL; or None.

    None when absent, not text, empty, too long, relative (it would depend on the folder the
    app starts in) or holding a NUL character (which the file system calls refuse with a
    ValueError). Whether the file still exists is for the caller to check when it is used.
    """
    value = _value(settings, key)
    if not isinstance(value, str) or not 0 < len(value) < MAX_PATH_CHARS or "\0" in value:
        return None
    path = Path(value)
    return path if path.is_absolute() else None


def splitter_key(splitter: QSplitter) -> str:
    """The key a splitter's sizes are saved under: ``splitters/<objectName>``."""
    return f"splitters/{splitter.objectName()}"


def restore_splitters(settings: QSettings, splitters: Iterable[QSplitter]) -> None:
    """Give each splitter its saved sizes (a splitter without saved sizes keeps its own)."""
    for splitter in splitters:
        saved = read_bytes(settings, splitter_key(splitter))
        if saved is not None:
            splitter.restoreState(saved)


def save_splitters(settings: QSettings, splitters: Iterable[QSplitter]) -> None:
    """Remember each splitter's sizes under :func:`splitter_key` (it needs an object name).

    Raises:
        ValueError: A splitter has no object name, so its key would clash with others'.
    """
    for splitter in splitters:
        if not splitter.objectName():
            raise ValueError("a splitter whose sizes are saved needs an object name")
        settings.setValue(splitter_key(splitter), splitter.saveState())
