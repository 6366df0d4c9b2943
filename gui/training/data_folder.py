"""Where the app keeps its data (saved training runs): the user's data folder.

`QStandardPaths.AppDataLocation` (e.g. ~/.local/share/CNN Visualizer/CNN Visualizer on Linux),
unless CNN_VISUALIZER_DATA_DIR names another folder (tests and CI set it, so they never touch
the user's data).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from models.training.runs import runs_root

DATA_DIR_VARIABLE = "CNN_VISUALIZER_DATA_DIR"


def data_folder() -> Path:
    """The app's data folder ($CNN_VISUALIZER_DATA_DIR, else Qt's AppDataLocation)."""
    chosen = os.environ.get(DATA_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location)


def training_runs_folder() -> Path:
    """The folder that holds the saved training runs (one sub-folder per run)."""
    return runs_root(data_folder())
