"""A manual check, run under strace: the app never opens a file a rich-text name points at.

    strace -f -e trace=openat -o app.log python -m tests.hostile.probe_with_strace
    grep '"/tmp/cnn-visualizer-probe.png"' app.log      # only the O_CREAT that made it

    CONTROL=1 strace -f -e trace=openat -o control.log python -m tests.hostile.probe_with_strace
    grep '"/tmp/cnn-visualizer-probe.png"' control.log  # also an O_RDONLY: Qt read it

The script makes the probe file (so Qt would find it), then, in the real window (offscreen),
opens a lesson file, a model and an image whose texts and names hold
``<img src="file:///tmp/cnn-visualizer-probe.png">`` (tests/hostile/test_rich_text.py makes
them), refuses a broken image in a real (non-modal) message box, hovers and picks a layer,
shows every tool tip that holds the probe, and paints the window and the box. With
``CONTROL=1`` it also shows one label that asks for rich text: strace then shows Qt reading
the probe, so a clean log means something. Not part of the test run (strace is a tool of the
developer, not of CI); ``test_rich_text.py`` is the Qt-level check that runs everywhere.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CNN_VISUALIZER_SETTINGS_DIR"] = tempfile.mkdtemp()
os.environ["CNN_VISUALIZER_DATA_DIR"] = tempfile.mkdtemp()

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QToolTip, QWidget

from gui.app import LaunchOptions, build_window, make_application
from tests.hostile import hostile_files as hf
from tests.hostile.test_rich_text import rich_image_path, rich_lesson, rich_model


def main() -> int:
    """Open every rich-text name in the window; print what was shown."""
    Image.new("RGB", (64, 64), (255, 0, 0)).save(hf.PROBE)
    app = make_application([])
    folder = Path(tempfile.mkdtemp())
    boxes: list[QMessageBox] = []
    chosen: list[Path] = []

    def show(parent: object, title: str, text: str, *args: object) -> Any:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok)
        box.show()
        app.processEvents()
        box.grab()
        boxes.append(box)
        return QMessageBox.StandardButton.Ok

    setattr(QMessageBox, "warning", show)  # noqa: B010  (no dialog waits for an answer)
    setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)  # noqa: B010
    setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(chosen[-1]), ""))  # noqa: B010
    window = build_window(LaunchOptions())
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    if os.environ.get("CONTROL"):
        control = QLabel(hf.RICH_NAME)
        control.setTextFormat(Qt.TextFormat.RichText)
        control.show()
        app.processEvents()
        control.grab()
    chosen.append(rich_lesson(folder))
    window.playground_mode.open_lesson_action.trigger()
    app.processEvents()
    window.grab()
    window.show_mode("digits")
    chosen.append(rich_model(folder))
    window.digit_lab_mode.open_model_action.trigger()
    lab = window.digit_lab
    lab.load_sample(3)
    first = next(iter(lab.network.rows))
    lab.network.choose_filter(first, 0)
    lab._cell_hovered(first, 0, 2, 2)
    app.processEvents()
    window.grab()
    image = rich_image_path(folder)
    Image.fromarray(255 - (np.eye(56, dtype=np.uint8) * 255)).save(image)
    chosen.append(image)
    window.open_image_action.trigger()
    broken = image.with_name(image.name.replace(".png", " broken.png"))
    broken.write_bytes(b"not a picture")
    chosen.append(broken)
    window.open_image_action.trigger()
    app.processEvents()
    for widget in [window, *window.findChildren(QWidget)]:
        if "img" in widget.toolTip():
            QToolTip.showText(widget.mapToGlobal(QPoint(2, 2)), widget.toolTip(), widget)
            app.processEvents()
    window.grab()
    print(f"{len(boxes)} message box(es); window title: {window.windowTitle()[:70]}")
    window.playground.state.undo_stack.setClean()
    lab.undo_stack.clear()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
