"""MainWindow: one tab per registered mode, the menus, toolbars, status bar and settings.

The window knows its modes only through :class:`gui.modes.Mode`: it shows each in a tab in the
order given, offers one View ▸ *mode* action per mode (with the mode's shortcut), points
Edit ▸ Undo/Redo at the shown mode's undo stack, enables the actions, menus and toolbar a mode
contributes only while it is shown, and takes the window title and the status bar from it.
Actions are created in one place with standard keys; settings are read in the constructor and
written in ``closeEvent`` (geometry, toolbars, the shown mode by name, and each mode's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QLayout,
    QLayoutItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QToolBar,
    QWidget,
)

from gui.about import about_html
from gui.export import export_png
from gui.modes import Mode, ModeDescription, make_action, menu_actions
from gui.plain_text import plain_label, show_about_box
from gui.policies import install_app_policies
from gui.settings import app_settings, read_bytes, read_int, read_text
from gui.zoom import PRESENTATION_SCALE, next_step, set_zoom

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QAction, QCloseEvent, QShowEvent

    from gui.modes import ModeContributions

TITLE = "CNN Visualizer"
SHOWN_MODE_KEY = "window/mode"
ZOOM_KEY = "window/zoomPercent"
PRESENTATION_KEY = "window/presentation"
ZOOM_PERCENT = (50, 300)
"""The zoom read back from the settings, in percent (anything else: 100 %)."""
MESSAGE_MS = 5000
DEFAULT_SIZE = (1440, 900)
MINIMUM_SIZE = (800, 560)
"""The smallest window; everything fits from 1024x768 on (tests/test_layout_fits.py)."""

ModeT = TypeVar("ModeT", bound=Mode)


class MainWindow(QMainWindow):
    """The application window around the registered modes (one tab each, in order).

    Raises:
        ValueError: No modes, a mode without a description, or two modes with the same name
            or the same shortcut.
    """

    def __init__(self, modes: Sequence[Mode], parent: QWidget | None = None) -> None:
        _check_modes(modes)
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumSize(*MINIMUM_SIZE)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # window-wide policies, for every mode's widgets
            install_app_policies(app)  # text from files never rendered as rich text, zoom, wheel
        self._zoom = 1.0
        self._presenting = False
        self._pending_presentation = False
        self._before_presentation: _WindowLook | None = None
        self._modes = tuple(modes)
        self._contributions = {mode: mode.contributions() for mode in self._modes}
        self._shown: Mode | None = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._pages: dict[Mode, QScrollArea] = {}
        for mode in self._modes:
            mode.setParent(self)
            # A mode that builds its page on first use gets an empty page until then.
            content = mode.widget if mode.is_built else QWidget()
            self._pages[mode] = page = _scrolling_page(content)
            self.tabs.addTab(page, mode.description.title)
            mode.built.connect(partial(self._install_page, mode))
        self.setCentralWidget(self.tabs)
        self.mode_status = plain_label()  # names the model, whose name is from its file
        self.statusBar().addPermanentWidget(self.mode_status)
        self._create_actions()
        self._create_menus()
        self._create_toolbars()
        for mode in self._modes:
            mode.connect_peers(self._modes)
            mode.showRequested.connect(partial(self._show, mode))
            mode.statusMessage.connect(partial(self._mode_message, mode))
            mode.titleChanged.connect(partial(self._mode_title_changed, mode))
            mode.statusChanged.connect(partial(self._mode_status_changed, mode))
        self.tabs.currentChanged.connect(self._tab_changed)
        self._restore_settings()

    # ----- the modes -----------------------------------------------------------------------
    @property
    def modes(self) -> tuple[Mode, ...]:
        """The registered modes, in the order of their tabs."""
        return self._modes

    @property
    def shown_mode(self) -> Mode:
        """The mode whose tab is on show."""
        return self._modes[self.tabs.currentIndex()]

    def mode(self, name: str) -> Mode:
        """The registered mode called ``name``.

        Raises:
            ValueError: No mode has that name (the message lists the names).
        """
        for mode in self._modes:
            if mode.description.name == name:
                return mode
        known = ", ".join(m.description.name for m in self._modes)
        raise ValueError(f"unknown mode {name!r}; the modes are {known}")

    def mode_of(self, kind: type[ModeT]) -> ModeT:
        """The registered mode of class ``kind``.

        Raises:
            LookupError: No registered mode is a ``kind``.
        """
        for mode in self._modes:
            if isinstance(mode, kind):
                return mode
        raise LookupError(f"no {kind.__name__} is registered in this window")

    def show_mode(self, name: str) -> None:
        """Show the mode called ``name`` (ValueError if there is none, see :meth:`mode`)."""
        self._show(self.mode(name))

    def mode_action(self, name: str) -> QAction:
        """The View menu's action that shows the mode called ``name``."""
        return self._show_actions[self.mode(name)]

    def page(self, mode: Mode) -> QScrollArea:
        """The tab that holds ``mode``'s widget.

        It scrolls when the window is smaller than the mode needs (a zoomed view on a small
        screen), and fills the tab otherwise.
        """
        return self._pages[mode]

    def page_widget(self, mode: Mode) -> QWidget | None:
        """The widget a mode's tab shows (``mode.widget``), found through the tab."""
        holder = self._pages[mode].widget()
        layout = holder.layout() if holder is not None else None
        item = layout.itemAt(0) if layout is not None else None
        return item.widget() if item is not None else None

    def _show(self, mode: Mode) -> None:
        self.tabs.setCurrentWidget(self._pages[mode])

    def _install_page(self, mode: Mode) -> None:
        """Put a mode's page, built on first use, in its tab (instead of the empty one)."""
        holder = self._pages[mode].widget()
        layout = holder.layout() if holder is not None else None
        if holder is None or layout is None:
            return
        item = layout.takeAt(0)
        empty = item.widget() if item is not None else None
        layout.addWidget(mode.widget)
        if empty is not None:
            empty.deleteLater()
        # Shown and laid out now (not in the next pass): callers may measure it at once.
        layout.setGeometry(holder.rect())
        if holder.isVisible():
            mode.widget.show()

    def _tab_changed(self, index: int) -> None:
        mode = self._modes[index]
        mode.widget  # noqa: B018  # a mode built on first use is built when first shown
        previous, self._shown = self._shown, mode
        if previous is not None and previous is not mode:
            previous.hidden()
        for other, contributed in self._contributions.items():
            _set_active(contributed, active=other is mode, toolbar=not self._presenting)
        self.undo_group.setActiveStack(mode.undo_stack)  # type: ignore[arg-type]  # None: off
        self.open_image_action.setEnabled(mode.opens_images())
        self.statusBar().clearMessage()
        self._mode_title_changed(mode)
        self._mode_status_changed(mode)
        mode.shown()

    def _mode_message(self, mode: Mode, text: str, timeout_ms: int) -> None:
        if mode is self._shown:
            self.statusBar().showMessage(text, timeout_ms)

    def _mode_title_changed(self, mode: Mode) -> None:
        if mode is self._shown:
            self.setWindowTitle(f"{TITLE} — {mode.window_title()}")

    def _mode_status_changed(self, mode: Mode) -> None:
        if mode is self._shown:
            self.mode_status.setText(mode.status_text())

    # ----- actions, menus, toolbars --------------------------------------------------------
    def _create_actions(self) -> None:
        self.export_png_action = make_action(
            self, "Export View as &PNG…", self.export_view_png, "Ctrl+E",
            "Save a picture of the current view, for slides",
        )  # fmt: skip
        self.export_png_action.setIconText("Export PNG")
        self.quit_action = make_action(self, "&Quit", self.close)
        self.quit_action.setShortcuts(_standard_keys(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        # One Undo/Redo for every mode: it works on the shown mode's stack, or is off.
        self.undo_group = QUndoGroup(self)
        for mode in self._modes:
            if mode.undo_stack is not None:
                self.undo_group.addStack(mode.undo_stack)
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        # The toolbar shows "Undo"/"Redo" whatever the command (the menu and tooltip name it),
        # so the buttons keep their width and the others do not move.
        self.undo_action.setIconText("Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(_standard_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self.redo_action.setIconText("Redo")
        self.open_image_action = make_action(
            self, "Open &Image…", self.open_image, "Ctrl+I",
            "Use a PNG or JPEG of a digit (light or dark background) as the input",
        )  # fmt: skip
        self.open_image_action.setIconText("Open Image")
        self._show_actions = {
            mode: make_action(
                self,
                f"&{mode.description.label}",
                partial(self._show, mode),
                mode.description.shortcut,
                mode.description.title,
            )
            for mode in self._modes
        }
        self.zoom_in_action = make_action(
            self, "Zoom &In", self.zoom_in, None, "Larger type, cells and grids"
        )
        self.zoom_in_action.setShortcuts(_standard_keys(QKeySequence.StandardKey.ZoomIn, "Ctrl+="))
        self.zoom_out_action = make_action(
            self, "Zoom &Out", self.zoom_out, None, "Smaller type, cells and grids"
        )
        self.zoom_out_action.setShortcuts(
            _standard_keys(QKeySequence.StandardKey.ZoomOut, "Ctrl+-")
        )
        self.actual_size_action = make_action(
            self, "&Actual Size", self.actual_size, "Ctrl+0", "Type, cells and grids at 100 %"
        )
        self.presentation_action = make_action(
            self, "&Presentation Mode", self.toggle_presentation, None,
            "Full screen, larger type, only what the lecture needs (again to leave)",
        )  # fmt: skip
        self.presentation_action.setShortcuts(
            _standard_keys(QKeySequence.StandardKey.FullScreen, "F11")
        )
        self.presentation_action.setCheckable(True)
        self.about_action = make_action(self, "&About CNN Visualizer", self.show_about)
        self.keys_action = make_action(self, "&Keyboard Shortcuts", self.show_keys, "F1")

    def _create_menus(self) -> None:
        bar = self.menuBar()
        contributed = list(self._contributions.values())
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a for c in contributed for a in c.file_document])
        file_menu.addSeparator()
        file_menu.addAction(self.open_image_action)
        file_menu.addActions([a for c in contributed for a in c.file_input])
        file_menu.addSeparator()
        file_menu.addAction(self.export_png_action)
        file_menu.addActions([a for c in contributed for a in c.file_export])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        view = bar.addMenu("&View")
        view.addActions(list(self._show_actions.values()))
        view.addSeparator()
        view.addActions(list(self.window_view_actions))
        view.addSeparator()
        view.addActions([a for c in contributed for a in c.view])
        for menu in (m for c in contributed for m in c.menus):
            bar.addMenu(menu)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.keys_action)
        help_menu.addAction(self.about_action)
        # The menu bar is hidden in presentation mode: the window carries every action too, so
        # that their shortcuts (F11 to leave, Space to play, …) keep working.
        for menu_action in bar.actions():
            shown = menu_action.menu()
            if isinstance(shown, QMenu):
                self.addActions([a for a in menu_actions(shown) if not a.isSeparator()])

    @property
    def window_view_actions(self) -> tuple[QAction, ...]:
        """View ▸ Zoom In, Zoom Out, Actual Size and Presentation Mode: for every mode."""
        return (
            self.zoom_in_action, self.zoom_out_action, self.actual_size_action,
            self.presentation_action,
        )  # fmt: skip

    def _create_toolbars(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        for action in (
            self.open_image_action, self.undo_action, self.redo_action, self.export_png_action
        ):  # fmt: skip
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        for mode_toolbar in self._mode_toolbars():
            self.insertToolBar(toolbar, mode_toolbar)  # a mode's tools come first
            # Shown with its mode only: not offered in the toolbars' context menu.
            mode_toolbar.toggleViewAction().setVisible(False)
        for each in (toolbar, *self._mode_toolbars()):
            each.setMovable(False)
            each.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

    def _mode_toolbars(self) -> Iterator[QToolBar]:
        for contributed in self._contributions.values():
            if contributed.toolbar is not None:
                yield contributed.toolbar

    # ----- what the window does itself -----------------------------------------------------
    def open_image(self, path: str | None = None) -> bool:
        """An image file as the input of the mode on show (False if refused or cancelled)."""
        mode = self.shown_mode
        return mode.opens_images() and mode.open_image(path)

    def export_view_png(self, path: str | None = None) -> bool:
        """Save a picture of the shown mode's page, for slides (written atomically).

        A name that does not end in .png is refused before anything is rendered; a file that
        cannot be written is refused with a dialog naming it and why, and an existing file is
        left as it was.
        """
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export View", "view.png", "PNG (*.png)")
            if not path:
                return False
        try:
            export_png(self.shown_mode.widget, path)
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot export", f"{exc}\n\nNothing was written.")
            return False
        except OSError as exc:
            QMessageBox.warning(
                self, "Cannot export",
                f"{path} could not be written ({exc.strerror or exc}).\n\n"
                "Nothing was written; a file already there is unchanged.",
            )  # fmt: skip
            return False
        self.statusBar().showMessage(f"Saved {path}", MESSAGE_MS)
        return True

    def show_about(self) -> None:
        """What the program is for, and the versions of it and of Qt and ONNX Runtime.

        The box shows the app's own rich text (every version escaped): the one message box
        that is not plain text (``gui.plain_text.show_about_box``).
        """
        icon = self.windowIcon()
        logo = None if icon.isNull() else icon.pixmap(64)
        show_about_box(self, "About CNN Visualizer", about_html(), logo)

    # ----- zoom and presentation mode ------------------------------------------------------
    @property
    def zoom(self) -> float:
        """The zoom the user chose (1.0: actual size); presentation mode enlarges on top."""
        return self._zoom

    def set_zoom(self, factor: float) -> None:
        """Scale every font, cell and grid of the window by ``factor`` (kept in the settings).

        Raises:
            ValueError: ``factor`` is not a positive number.
        """
        if not factor > 0:
            raise ValueError(f"a zoom factor is a positive number, got {factor}")
        self._zoom = factor
        set_zoom(factor * (PRESENTATION_SCALE if self._presenting else 1.0))
        self.actual_size_action.setEnabled(abs(factor - 1.0) > 1e-6)

    def zoom_in(self) -> None:
        """One zoom step larger."""
        self.set_zoom(next_step(self._zoom, +1))

    def zoom_out(self) -> None:
        """One zoom step smaller."""
        self.set_zoom(next_step(self._zoom, -1))

    def actual_size(self) -> None:
        """Back to 100 %."""
        self.set_zoom(1.0)

    @property
    def presenting(self) -> bool:
        """Whether the window is in presentation mode."""
        return self._presenting

    def toggle_presentation(self) -> None:
        """Enter presentation mode, or leave it."""
        self.set_presentation(not self._presenting)

    def set_presentation(self, on: bool, *, full_screen: bool = True) -> None:
        """Enter or leave presentation mode.

        Larger type, no menus, toolbars, tabs or status bar, and every mode shows only what a
        lecture needs (:meth:`gui.modes.Mode.set_presentation`).

        Args:
            on: Enter (True) or leave (False); leaving restores the window as it was.
            full_screen: Fill the screen (False keeps the window's size, for screenshots).
        """
        self._pending_presentation = False
        self.presentation_action.setChecked(on)
        if on == self._presenting:
            return
        if on:
            self._before_presentation = _WindowLook(
                self.windowState(), self.geometry(), self.saveGeometry(), self.saveState(),
                tuple(bar for bar in self.findChildren(QToolBar) if bar.isVisibleTo(self)),
            )  # fmt: skip
        self._presenting = on
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        self.tabs.tabBar().setVisible(not on)
        for bar in self.findChildren(QToolBar):
            bar.setVisible(False)
        look = self._before_presentation
        if not on and look is not None:
            mode_bars = set(self._mode_toolbars())
            for bar in look.toolbars:
                bar.setVisible(bar not in mode_bars)
            shown = self.shown_mode
            for mode, contributed in self._contributions.items():
                _set_active(contributed, active=mode is shown)
        self.set_zoom(self._zoom)
        for mode in self._modes:
            mode.set_presentation(on)
        if on and full_screen:
            self.showFullScreen()
        elif not on and look is not None and self.isFullScreen():
            self.setWindowState(look.state)
            if not look.state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
                self.setGeometry(look.rect)

    def showEvent(self, event: QShowEvent) -> None:
        """On the first show, go back into presentation mode if the window was left in it."""
        super().showEvent(event)
        if self._pending_presentation:
            self.set_presentation(True)

    def keys_text(self) -> str:
        """The shortcut list: every shortcut of the menus and toolbars, and the modes' own keys.

        One line per shortcut under its menu's name; a mode's own are marked with its label.
        """
        owners = {
            action: mode.description.label
            for mode, contributed in self._contributions.items()
            for action in contributed.actions()
        }
        groups: list[str] = []
        listed: set[QAction] = set()
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if isinstance(menu, QMenu):
                lines = self._key_lines(menu_actions(menu), owners, listed)
                if lines:
                    groups.append("\n".join([menu.title().replace("&", ""), *lines]))
        toolbar_actions = (a for bar in self.findChildren(QToolBar) for a in bar.actions())
        lines = self._key_lines(toolbar_actions, owners, listed)
        for mode, contributed in self._contributions.items():
            lines += [
                f"{n.keys} — {n.meaning} ({mode.description.label})" for n in contributed.keys
            ]
        if lines:
            groups.append("\n".join(["In the modes", *lines]))
        return "\n\n".join(groups)

    def _key_lines(
        self, actions: Iterator[QAction], owners: dict[QAction, str], listed: set[QAction]
    ) -> list[str]:
        lines = []
        for action in actions:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            if not keys or action in listed:
                continue
            listed.add(action)
            name = _action_name(action, self.undo_action, self.redo_action)
            owner = f" ({owners[action]})" if action in owners else ""
            lines.append(f"{' or '.join(keys)} — {name}{owner}")
        return lines

    def show_keys(self) -> None:
        """The shortcut list (:meth:`keys_text`) in a dialog."""
        QMessageBox.information(self, "Keyboard shortcuts", self.keys_text())

    # ----- settings ------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = read_bytes(settings, "window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        window_state = read_bytes(settings, "window/state")
        if window_state is not None:
            self.restoreState(window_state)
        percent = read_int(settings, ZOOM_KEY, minimum=ZOOM_PERCENT[0], maximum=ZOOM_PERCENT[1])
        self.set_zoom(1.0 if percent is None else percent / 100)
        self._pending_presentation = read_text(settings, PRESENTATION_KEY) == "true"
        for mode in self._modes:
            mode.reset_layout(self.width(), self.height())
            mode.restore_settings(settings)
        names = {mode.description.name: mode for mode in self._modes}
        saved = read_text(settings, SHOWN_MODE_KEY, choices=names)
        first = names.get(saved or "", self._modes[0])  # a mode no longer registered: the first
        if self.tabs.currentWidget() is self._pages[first]:
            self._tab_changed(self.tabs.currentIndex())  # no currentChanged for the same tab
        else:
            self._show(first)

    def reset_layouts(self, width: int, height: int) -> None:
        """Every mode's default panel sizes for a window of this size (for screenshots)."""
        for mode in self._modes:
            mode.reset_layout(width, height)

    def save_settings(self) -> None:
        """Remember the window's layout, the shown mode (by name) and each mode's settings."""
        settings = app_settings()
        look = self._before_presentation if self._presenting else None
        geometry, state = (look.geometry, look.state_bytes) if look else _current_look(self)
        settings.setValue("window/geometry", geometry)
        settings.setValue("window/state", state)
        settings.setValue(ZOOM_KEY, round(self._zoom * 100))
        settings.setValue(PRESENTATION_KEY, "true" if self._presenting else "false")
        settings.setValue(SHOWN_MODE_KEY, self.shown_mode.description.name)
        for mode in self._modes:
            mode.save_settings(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask each mode about unsaved work; if all agree, hide, end the modes, remember."""
        if not all(mode.confirm_close() for mode in self._modes):
            event.ignore()
            return
        self.shown_mode.hidden()
        for mode in self._modes:
            mode.closing()
        self.save_settings()
        super().closeEvent(event)


@dataclass(frozen=True)
class _WindowLook:
    """The window as it was before presentation mode, to go back to."""

    state: Qt.WindowState
    rect: QRect
    geometry: QByteArray
    state_bytes: QByteArray
    toolbars: tuple[QToolBar, ...]


def _current_look(window: QMainWindow) -> tuple[QByteArray, QByteArray]:
    return window.saveGeometry(), window.saveState()


class _FillLayout(QLayout):
    """One widget filling its parent, at least its minimum size, without height-for-width.

    A scroll area sizes a content whose layout has a height for width (wrapped labels) to
    that height, which is the content's *preferred* height: a page would always scroll. Put
    between them, this layout makes the page scroll only below the content's minimum size.
    """

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setContentsMargins(0, 0, 0, 0)
        self._item: QLayoutItem | None = None
        self.addWidget(widget)

    def addItem(self, item: QLayoutItem) -> None:
        """Take the one widget (a second replaces the first)."""
        self._item = item

    def count(self) -> int:
        """One item, or none."""
        return 0 if self._item is None else 1

    def itemAt(self, index: int) -> QLayoutItem | None:
        """The widget's item at index 0."""
        return self._item if index == 0 else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        """Remove and return the widget's item."""
        item, self._item = (self._item, None) if index == 0 else (None, self._item)
        return item

    def setGeometry(self, rect: QRect) -> None:
        """The widget gets the whole rectangle."""
        super().setGeometry(rect)
        if self._item is not None:
            self._item.setGeometry(rect)

    def sizeHint(self) -> QSize:
        """The widget's."""
        return self._item.sizeHint() if self._item is not None else QSize()

    def minimumSize(self) -> QSize:
        """The widget's."""
        return self._item.minimumSize() if self._item is not None else QSize()

    def hasHeightForWidth(self) -> bool:
        """No: the page scrolls below the minimum height only."""
        return False


def _scrolling_page(widget: QWidget) -> QScrollArea:
    """A frameless scroll area that gives ``widget`` the whole tab.

    It scrolls only when the tab is smaller than the widget's minimum size (a zoomed view on
    a small screen).
    """
    holder = QWidget()
    holder.setLayout(_FillLayout(widget))
    page = QScrollArea()
    page.setFrameShape(QFrame.Shape.NoFrame)
    page.setWidgetResizable(True)
    page.setWidget(holder)
    return page


def _check_modes(modes: Sequence[Mode]) -> None:
    if not modes:
        raise ValueError("the window needs at least one mode")
    for mode in modes:
        if not isinstance(getattr(mode, "description", None), ModeDescription):
            raise ValueError(f"{type(mode).__name__} has no ModeDescription as its description")
    for field in ("name", "shortcut"):
        values = [getattr(mode.description, field) for mode in modes]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"two modes have the same {field}: {', '.join(repeated)}")


def _standard_keys(key: QKeySequence.StandardKey, usual: str) -> list[QKeySequence]:
    """The platform's first key for ``key``, and ``usual`` if that differs or there is none.

    Some platforms bind no key to Quit, or Ctrl+Y (not Ctrl+Shift+Z) to Redo; the app has
    always told its users Ctrl+Q and Ctrl+Shift+Z, so those work everywhere.
    """
    keys = [QKeySequence(key)] if not QKeySequence(key).isEmpty() else []
    if QKeySequence(usual) not in keys:
        keys.append(QKeySequence(usual))
    return keys


def _set_active(contributed: ModeContributions, *, active: bool, toolbar: bool = True) -> None:
    """Enable a mode's actions (and show its toolbar, if ``toolbar``) only while ``active``."""
    for action in contributed.actions():
        action.setEnabled(active)
    if contributed.toolbar is not None:
        contributed.toolbar.setVisible(active and toolbar)


def _action_name(action: QAction, *fixed: QAction) -> str:
    """The action's name without mnemonic and ellipsis; Undo/Redo without the command's name."""
    text = action.text().replace("&", "").removesuffix("…").removesuffix("...")
    if action in fixed:
        return text.split(" ", 1)[0]
    return text
