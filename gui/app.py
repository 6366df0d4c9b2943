"""Starting the Qt application: the window, optional screenshot, and a clean exit.

The application is made with its window-wide safety policies: text from files is never
rendered as rich text (``gui.plain_text``), and an exception that escapes a slot, which Qt
would only print, is shown in a dialog while the app keeps running (:class:`ErrorDialogs`, the
last resort: every action that reads or writes outside data says its own problems first).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.operations.blas_threads import one_blas_thread_for_this_process
from gui.export import save_png
from gui.platform_check import prepare_display
from gui.policies import install_app_policies

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from gui.app_window import AppWindow
    from gui.modes import ModeFactory

ERROR_TITLE = "Something went wrong"
MAX_DETAIL_CHARS = 400


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
    install_app_policies(app)
    install_error_dialogs(app)
    return app


def error_text(kind: type[BaseException], error: BaseException) -> str:
    """What the last-resort dialog says about an unexpected error (plain text)."""
    detail = " ".join(str(error).split())
    if len(detail) > MAX_DETAIL_CHARS:
        detail = detail[: MAX_DETAIL_CHARS - 1] + "…"
    said = f"{kind.__name__}: {detail}" if detail else kind.__name__
    return (
        "CNN Visualizer met an error it did not expect, and what you just did may not have "
        f"finished:\n\n{said}\n\nThe window keeps working, and your work is as it was before. "
        "Please report this, with what you did just before."
    )


class ErrorDialogs(QObject):
    """The last resort: ``sys.excepthook`` while the application runs.

    PySide6 hands an exception that escapes a slot or an event handler to ``sys.excepthook``
    and carries on; this hook says it in a dialog (plain text) instead of a traceback the
    user never sees, and on stderr in one line. An error raised again while its dialog is
    open (a paint handler failing on every repaint) is only counted on stderr, so dialogs
    never pile up. Without anyone to answer (``interactive`` False: a screenshot), errors go to
    stderr only. :meth:`uninstall` puts the previous hook back.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._previous = sys.excepthook
        self._showing = False
        self.errors: list[str] = []
        """Every error's text so far, shown or not (for tests and bug reports)."""
        self.interactive = True
        """False while nobody can answer a dialog (a screenshot): errors go to stderr only."""
        sys.excepthook = self.excepthook

    def excepthook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        """Say the error in a dialog (or on stderr only, while one is open)."""
        if issubclass(kind, KeyboardInterrupt | SystemExit):
            self._previous(kind, error, trace)
            return
        text = error_text(kind, error)
        self.errors.append(text)
        print(f"cnn-visualizer: unexpected error: {kind.__name__}: {error}", file=sys.stderr)
        if self._showing or not self.interactive:
            return
        self._showing = True
        try:
            QMessageBox.critical(QApplication.activeWindow(), ERROR_TITLE, text)
        except Exception as failed:  # the dialog itself failed: stderr is all there is
            print(f"cnn-visualizer: the error dialog failed too: {failed!r}", file=sys.stderr)
        finally:
            self._showing = False

    def uninstall(self) -> None:
        """Give ``sys.excepthook`` back to what it was before."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous


def install_error_dialogs(app: QApplication) -> ErrorDialogs:
    """The application's :class:`ErrorDialogs`, installed once."""
    existing = app.findChild(ErrorDialogs)
    if isinstance(existing, ErrorDialogs):
        return existing
    return ErrorDialogs(app)


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

    app = QApplication.instance()
    if isinstance(app, QApplication):  # one made elsewhere (a test's) gets them here
        install_app_policies(app)
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
    errors = install_error_dialogs(app)
    errors.interactive = not options.screenshot  # nobody is there to answer a dialog
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
            try:
                save_png(shown.grab().toImage(), path)
            except OSError as exc:
                print(
                    f"cnn-visualizer: cannot write the screenshot {path} ({exc.strerror or exc})",
                    file=sys.stderr,
                )
                status = 2
            shown.close()

        QTimer.singleShot(300, capture)
    code = app.exec()
    # Delete the window while the application still exists (PySide6 + pyqtgraph can crash
    # at interpreter exit when widgets outlive the QApplication).
    window.deleteLater()
    app.sendPostedEvents(None, 0)
    app.processEvents()
    if options.screenshot and errors.errors:  # said on stderr: the picture may be wrong
        status = 2
    return status or code
