"""Where the app keeps its settings (window layout, last lesson, speed).

Tests and CI set CNN_VISUALIZER_SETTINGS_DIR so they never touch the user's configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANISATION = "CNN Visualizer"
APPLICATION = "CNN Visualizer"


def app_settings() -> QSettings:
    folder = os.environ.get("CNN_VISUALIZER_SETTINGS_DIR")
    if folder:
        return QSettings(str(Path(folder) / "cnn-visualizer.ini"), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )
