"""Where the app keeps its settings, and readers that check each saved value.

The settings hold the window layout, the shown mode, the last lesson and the speed.

Tests and CI set CNN_VISUALIZER_SETTINGS_DIR so they never touch the user's configuration.
Settings files can be edited by hand or left by older versions, so every reader here returns
None for a value of the wrong kind and the caller keeps its default.
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


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A saved Qt state (geometry, splitter), or None if absent, empty or not bytes."""
    value = settings.value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    return None


def read_int(settings: QSettings, key: str) -> int | None:
    """A saved whole number, or None if absent or not one (an INI file stores text)."""
    value = settings.value(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def read_text(settings: QSettings, key: str) -> str | None:
    """A saved text, or None if absent or not text."""
    value = settings.value(key)
    return value if isinstance(value, str) else None


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
