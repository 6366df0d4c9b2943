"""Starting the Qt application: the window, optional screenshot, and a clean exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from gui.main_window import MainWindow


@dataclass(frozen=True)
class LaunchOptions:
    """What the command line asked the window to show."""

    lesson: str | None = None
    tab: str | None = None
    step: int | None = None
    model: str | None = None
    image: str | None = None
    screenshot: str | None = None
    size: tuple[int, int] = (1280, 800)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("CNN Visualizer")
    app.setOrganizationName("CNN Visualizer")
    app.setStyle("Fusion")
    font = app.font()
    font.setPointSize(10)
    app.setFont(font)
    return app


def build_window(options: LaunchOptions) -> MainWindow:
    """The main window with everything the options ask for applied (errors → ValueError)."""
    from engine.lessons.registry import lesson
    from gui.digits.lab import DigitLab
    from gui.main_window import DIGITS_TAB, PLAYGROUND_TAB, MainWindow

    window = MainWindow(DigitLab(options.model))
    if options.image is not None and not window.digit_lab.open_image(options.image):
        window.close()
        raise ValueError(f"cannot open the image {options.image}")
    if options.lesson is not None:
        window.load_lesson(lesson(options.lesson))
    if options.step is not None:
        window.playground.state.set_position(options.step)
    if options.tab is not None:
        window.tabs.setCurrentIndex(DIGITS_TAB if options.tab == "digits" else PLAYGROUND_TAB)
    elif options.image is not None:
        window.tabs.setCurrentIndex(DIGITS_TAB)
    return window


def run(options: LaunchOptions) -> int:
    """Show the window; with ``screenshot`` render it offscreen-friendly, save, and exit 0."""
    app = make_application()
    try:
        window = build_window(options)
    except ValueError as exc:
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    if options.screenshot:
        window.resize(*options.size)
        window.playground.default_sizes(*options.size)
    window.show()
    status = 0
    if options.screenshot:
        path = options.screenshot
        shown = window

        def capture() -> None:
            nonlocal status
            app.processEvents()
            if not shown.grab().save(path, "PNG"):
                print(f"cnn-visualizer: cannot write the screenshot {path}", file=sys.stderr)
                status = 2
            shown.close()

        QTimer.singleShot(300, capture)
    code = app.exec()
    # Delete the window while the application still exists (PySide6 + pyqtgraph can crash
    # at interpreter exit when widgets outlive the QApplication).
    window.deleteLater()
    app.sendPostedEvents(None, 0)
    app.processEvents()
    return status or code
