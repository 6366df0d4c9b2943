"""Shared test set-up: headless Qt, isolated settings, and the MNIST data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    """Point QSettings at a temporary directory so tests never touch the user's config."""
    settings_dir = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("CNN_VISUALIZER_SETTINGS_DIR", str(settings_dir))
