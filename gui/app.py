"""Starting the Qt application: the window, optional screenshot, and a clean exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine.operations.blas_threads import one_blas_thread_for_this_process
from gui.platform_check import prepare_display

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gui.app_window import AppWindow
    from gui.modes import ModeFactory


@dataclass(frozen=True)
class LaunchOptions:
    """What the command line asked the window to show.

    Attributes:
        lesson: A registry lesson's id, or a lesson file's path, for the Playground.
        tab: The name of the mode to show (see ``gui.app_window.mode_names``).
        step: The Playground's first step, 0-based.
        model: An ONNX classifier for the Digit Lab (None: the shipped one).
        image: A picture of a digit for the Digit Lab's canvas.
        screenshot: Save the window to this PNG and exit (rendered offscreen unless
            QT_QPA_PLATFORM names a platform).
        size: The window's (width, height) in pixels for a screenshot.
        presentation: Start in presentation mode (True), or not (False); None: as the window
            was left. A screenshot is in presentation mode only when this is True, and keeps
            ``size`` rather than filling the screen.
    """

    lesson: str | None = None
    tab: str | None = None
    step: int | None = None
    model: str | None = None
    image: str | None = None
    screenshot: str | None = None
    size: tuple[int, int] = (1280, 800)
    presentation: bool | None = None


def make_application(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, or a new one named and styled for CNN Visualizer.

    A new one first sets the process's BLAS to one thread
    (``engine.operations.blas_threads.one_blas_thread_for_this_process``).
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    one_blas_thread_for_this_process()  # nothing spins against a busy neighbour (issue 11)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("CNN Visualizer")
    app.setOrganizationName("CNN Visualizer")
    app.setStyle("Fusion")
    font = app.font()
    font.setPointSize(10)
    app.setFont(font)
    return app


def build_window(
    options: LaunchOptions, factories: Sequence[ModeFactory] | None = None
) -> AppWindow:
    """The main window with every registered mode, and the options applied.

    Args:
        options: What the command line asked for; each mode applies what concerns it, then
            ``tab`` picks the mode on show.
        factories: The modes to build, in tab order (default: ``MODE_FACTORIES``).

    Raises:
        ValueError: An option cannot be honoured: an unknown lesson or mode, an unusable image.
    """
    from gui.app_window import MODE_FACTORIES, AppWindow

    modes = [factory(options) for factory in (factories or MODE_FACTORIES)]
    window = AppWindow(modes)
    try:
        for mode in modes:
            mode.apply(options)
        if options.tab is not None:
            window.show_mode(options.tab)
    except ValueError:
        window.close()
        window.deleteLater()
        raise
    return window


def run(options: LaunchOptions) -> int:
    """Show the window; with ``screenshot`` render it (offscreen), save it, and exit 0.

    Returns 2, with a message on stderr, when the display cannot be used (see
    ``gui.platform_check``) or an option cannot be honoured.
    """
    if QApplication.instance() is None:  # the platform is chosen with the application
        problem = prepare_display(screenshot=bool(options.screenshot))
        if problem:
            print(f"cnn-visualizer: {problem}", file=sys.stderr)
            return 2
    app = make_application()
    try:
        window = build_window(options)
    except ValueError as exc:
        print(f"cnn-visualizer: {exc}", file=sys.stderr)
        return 2
    if options.screenshot:
        window.resize(*options.size)
        window.reset_layouts(*options.size)
        window.set_presentation(bool(options.presentation), full_screen=False)
    elif options.presentation is not None:
        window.set_presentation(options.presentation)
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
