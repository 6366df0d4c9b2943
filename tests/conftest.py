"""Shared test set-up: headless Qt, isolated settings, and the MNIST data path."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

# Qt must be headless before any Qt module is imported by a test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist.npz"


def mnist_path() -> Path:
    """The MNIST npz: $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository."""
    return Path(os.environ.get("MNIST_NPZ", str(DEFAULT_MNIST)))


@pytest.fixture(scope="session")
def mnist_npz() -> Path:
    """Path of the MNIST npz. Fails (never skips) when it is missing, so CI notices."""
    path = mnist_path()
    if not path.is_file():
        pytest.fail(
            f"MNIST data not found at {path}. Set MNIST_NPZ to the path of an npz with "
            "x_train, y_train, x_test, y_test (the format of keras.datasets.mnist)."
        )
    return path


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point QSettings and the data folder (saved training runs, remembered choices) at
    temporary directories so tests never touch the user's config or data."""
    settings_dir = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("CNN_VISUALIZER_SETTINGS_DIR", str(settings_dir))
    monkeypatch.setenv("CNN_VISUALIZER_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def _no_leaked_windows() -> Iterator[None]:
    """Fail a test that leaves a visible top-level window behind (close and delete them)."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return  # an engine test: no Qt at all
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    app.sendPostedEvents(None, 0)  # deliver pending deleteLater()
    app.processEvents()
    left = [w for w in app.topLevelWidgets() if w.isVisible()]
    for widget in left:
        widget.close()
    assert not left, f"the test left windows open: {[type(w).__name__ for w in left]}"
