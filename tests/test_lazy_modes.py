"""The Digit Lab and the Training lab are built when first shown or used, not at start-up.

Their models, ONNX Runtime and pyqtgraph cost over a second of every start (issue 11); the
window starts with the shown mode's page only, and builds another mode's page when its tab is
shown or the mode is asked for it. Settings of a page never built are left as remembered.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QSplitter

from gui.app import LaunchOptions, build_window
from gui.settings import app_settings, read_bytes, splitter_key

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from gui.app import LaunchOptions, build_window, make_application
app = make_application()
window = build_window(LaunchOptions(tab="playground"))
window.show()
app.processEvents()
built = [m.description.name for m in window.modes if m.is_built]
print(built, "pyqtgraph" in sys.modules, "onnxruntime" in sys.modules)
window.show_mode("digits")
app.processEvents()
print(window.digit_lab_mode.is_built, "pyqtgraph" in sys.modules, "onnxruntime" in sys.modules)
window.playground.state.undo_stack.setClean()
"""


def test_the_window_starts_with_the_playground_only(tmp_path) -> None:
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "CNN_VISUALIZER_SETTINGS_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    assert lines == ["['playground'] False False", "True True True"]


def test_a_mode_is_built_into_its_tab_when_asked_for(qtbot) -> None:
    window = build_window(LaunchOptions(tab="playground"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    mode = window.digit_lab_mode
    assert not mode.is_built
    assert window.page_widget(mode) is not mode.widget  # asking for it builds it…
    assert mode.is_built
    assert window.page_widget(mode) is window.digit_lab  # …into its tab
    window.show_mode("digits")
    assert window.shown_mode is mode and window.digit_lab.isVisible()
    assert window.digit_lab.width() > 1000  # laid out at once, at the tab's size
    window.show_mode("training")
    assert window.page_widget(window.training_mode) is window.training_mode.lab
    window.playground.state.undo_stack.setClean()
    window.close()


def test_a_page_never_built_keeps_its_remembered_sizes(qtbot) -> None:
    settings = app_settings()
    remembered = {"digitLabColumns": b"digit lab sizes", "trainingLabColumns": b"training sizes"}
    for name, value in remembered.items():
        settings.setValue(f"splitters/{name}", QByteArray(value))
    settings.sync()
    window = build_window(LaunchOptions(tab="playground"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.playground.state.undo_stack.setClean()
    window.close()  # saves every mode's settings
    assert not window.digit_lab_mode.is_built and not window.training_mode.is_built
    settings = app_settings()
    for name, value in remembered.items():
        saved = read_bytes(settings, splitter_key(QSplitter(objectName=name)))
        assert saved is not None and bytes(saved.data()) == value


def test_a_mode_built_during_presentation_starts_presenting(qtbot) -> None:
    window = build_window(LaunchOptions(tab="playground"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.set_presentation(True, full_screen=False)
    mode = window.training_mode
    assert not mode.is_built
    window.show_mode("training")
    assert mode.is_built and mode.lab.presenting and not mode.lab.tabs.isVisible()
    window.set_presentation(False)
    assert not mode.lab.presenting and mode.lab.tabs.isVisibleTo(mode.lab)
    window.playground.state.undo_stack.setClean()
    window.close()
