"""Modes: the pages of the main window (Playground, Digit Lab, …) and what each adds to it.

A mode is one tab of the window. Its class declares a frozen :class:`ModeDescription` (the name
``--tab`` and the settings use, the label, the tab's title, the shortcut that shows it); its
object holds the widget, the undo stack, the actions, menus and toolbar it contributes (the
window enables them only while the mode is shown), its settings, what *Open Image* means in it,
what it does when it is shown or hidden or the window presents, and whether closing must ask
about unsaved work.

The window (:class:`gui.main_window.MainWindow`) knows modes only through this interface, and
the application builds them from :data:`gui.app_window.MODE_FACTORIES`, in tab order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QToolBar, QWidget

    from gui.app import LaunchOptions

NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True, slots=True)
class ModeDescription:
    """What the window and the command line know of a mode before it is built.

    Attributes:
        name: Lower-case identifier, the value of ``--tab`` and of the saved shown mode
            (e.g. ``"playground"``); it must not change once released, or users' settings
            fall back to the first mode.
        label: Short name for people: the View menu, the window title, the shortcut list
            (e.g. ``"Playground"``).
        title: The tab's text (e.g. ``"Playground — step through a convolution"``).
        shortcut: The key sequence that shows the mode, in Qt's portable text form
            (e.g. ``"Ctrl+1"``); the mode chooses it, not its position among the tabs.

    Raises:
        ValueError: The name is not lower-case letters, digits and hyphens, the label or the
            title is empty, or the shortcut is not a key sequence Qt can read.
    """

    name: str
    label: str
    title: str
    shortcut: str

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise ValueError(
                f"a mode's name is lower-case letters, digits and hyphens, got {self.name!r}"
            )
        if not self.label.strip() or not self.title.strip():
            raise ValueError(f"the mode {self.name!r} needs a label and a title")
        keys = QKeySequence(self.shortcut)
        if keys.isEmpty() or keys.toString() != self.shortcut:
            raise ValueError(f"the mode {self.name!r} has an unreadable shortcut {self.shortcut!r}")


@dataclass(frozen=True, slots=True)
class KeyNote:
    """A key a mode's widget handles itself (not through an action), for the shortcut list.

    Attributes:
        keys: The keys as the user types them (e.g. ``"Esc or Delete"``).
        meaning: What they do, in a few words (e.g. ``"clear the drawing"``).
    """

    keys: str
    meaning: str


@dataclass(frozen=True)
class ModeContributions:
    """What a mode adds to the window's menus and toolbars.

    The window enables every action here (including those of ``menus``, and the ``toolbar``)
    only while the mode is shown, and shows the toolbar only then; a mode does not toggle them
    itself. An action's shortcut works through the menu or toolbar it is placed in, so every
    action with a shortcut belongs in one of them (the shortcut list, F1, is built from them).
    Menu placement, in the order of the window's menus:

    Attributes:
        file_document: File menu, first group: open and save what the mode works on.
        file_input: File menu, after *Open Image*: other inputs (e.g. a model).
        file_export: File menu, after *Export View as PNG* (e.g. an animation).
        view: View menu, after the actions that show the modes (e.g. stepping).
        menus: Whole menus of the mode, placed before Help (e.g. Lessons).
        toolbar: The mode's toolbar, left of the window's own (None for none); give it an
            object name so the window's saved layout can name it.
        keys: Keys its widget handles without an action, for the shortcut list.

    Raises:
        ValueError: The toolbar has no object name.
    """

    file_document: tuple[QAction, ...] = ()
    file_input: tuple[QAction, ...] = ()
    file_export: tuple[QAction, ...] = ()
    view: tuple[QAction, ...] = ()
    menus: tuple[QMenu, ...] = ()
    toolbar: QToolBar | None = None
    keys: tuple[KeyNote, ...] = ()

    def __post_init__(self) -> None:
        if self.toolbar is not None and not self.toolbar.objectName():
            raise ValueError(f"the toolbar {self.toolbar.windowTitle()!r} needs an object name")

    def actions(self) -> Iterator[QAction]:
        """Every action contributed: menu groups, the menus' own (recursively), the toolbar's."""
        yield from (*self.file_document, *self.file_input, *self.file_export, *self.view)
        for menu in self.menus:
            yield menu.menuAction()
            yield from menu_actions(menu)
        if self.toolbar is not None:
            yield from self.toolbar.actions()


def menu_actions(menu: QMenu) -> Iterator[QAction]:
    """The menu's actions, each submenu's (after the submenu's own action) included."""
    for action in menu.actions():
        yield action
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            yield from menu_actions(submenu)


class Mode(QObject):
    """One page of the window: a widget and everything the window needs to host it.

    A subclass sets the class attribute ``description``, builds its widget and passes it (and
    its undo stack, or None) to this constructor, creates its actions with :func:`make_action`
    (parented to the mode), and overrides the hooks below that concern it; the defaults are
    those of a mode that has no files, no settings and nothing to lose. Its constructor takes
    the command line's :class:`gui.app.LaunchOptions` (see :class:`ModeFactory`).
    """

    description: ClassVar[ModeDescription]

    statusMessage = Signal(str, int)
    """A message for the status bar, and how long to show it in ms (0: until the next one).
    The window shows it only while this mode is shown."""
    titleChanged = Signal()
    """What :meth:`window_title` returns has changed."""
    statusChanged = Signal()
    """What :meth:`status_text` returns has changed."""
    showRequested = Signal()
    """The mode wants to be shown: it has just loaded something the user asked for."""
    built = Signal()
    """A mode built on first use has just built its page (:meth:`build_widget`)."""

    def __init__(
        self, widget: QWidget | None, undo_stack: QUndoStack | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._widget = widget
        self._undo_stack = undo_stack

    @property
    def widget(self) -> QWidget:
        """The page the mode's tab shows (built now if the mode builds it on first use)."""
        if self._widget is None:
            self._widget = self.build_widget()
            self.built.emit()
        return self._widget

    @property
    def is_built(self) -> bool:
        """Whether the page exists (a mode given None at construction builds it on first use)."""
        return self._widget is not None

    def build_widget(self) -> QWidget:
        """Build the page of a mode constructed without one (its tab shown, or it was asked).

        Such a mode starts the window faster: its widgets, models and their libraries are
        loaded when first needed. Its hooks must then not build it for nothing: settings
        are restored when it is built and saved only once it exists.

        Raises:
            NotImplementedError: The mode was given its widget (there is nothing to build).
        """
        raise NotImplementedError(f"{type(self).__name__} was given its widget")

    @property
    def undo_stack(self) -> QUndoStack | None:
        """The stack Edit ▸ Undo/Redo work on while the mode is shown (None: they are off)."""
        return self._undo_stack

    def contributions(self) -> ModeContributions:
        """The mode's actions, menus, toolbar and key notes; asked once, at registration."""
        return ModeContributions()

    def window_title(self) -> str:
        """The window title's part for this mode (after "CNN Visualizer — ")."""
        return self.description.label

    def status_text(self) -> str:
        """The permanent text at the right of the status bar while the mode is shown."""
        return ""

    def opens_images(self) -> bool:
        """Whether File ▸ Open Image means something here (the window disables it if not)."""
        return False

    def open_image(self, path: str | None = None) -> bool:
        """Use an image file as the mode's input (``None``: ask for one with a dialog).

        Returns:
            True if the image is now the input; False if it was refused (the mode says why)
            or the dialog was cancelled. A mode that does not open images returns False.
        """
        return False

    def apply(self, options: LaunchOptions) -> None:
        """Carry out the command line's options that concern this mode (after registration).

        Raises:
            ValueError: An option cannot be honoured (the command line exits with status 2).
        """

    def connect_peers(self, modes: Sequence[Mode]) -> None:
        """Meet the other registered modes, for a hand-over between them (default: none)."""

    def reset_layout(self, width: int, height: int) -> None:
        """Panel sizes that suit a window of ``width`` × ``height`` pixels (before settings)."""

    def restore_settings(self, settings: QSettings) -> None:
        """Read what the mode remembers (panel sizes, speed, last document).

        Values of the wrong kind are ignored and the defaults kept.
        """

    def save_settings(self, settings: QSettings) -> None:
        """Write what the mode remembers (the window syncs the settings afterwards)."""

    def set_presentation(self, on: bool) -> None:
        """The window entered (``on``) or left presentation mode.

        In presentation mode the window is full screen, with larger type and without menus,
        toolbars, tabs or status bar; a mode hides what a lecture does not need (settings,
        galleries) and shows it again when ``on`` is False. The default keeps everything.
        """

    def shown(self) -> None:
        """The mode's tab has just been shown (e.g. give the keyboard focus to its control)."""

    def hidden(self) -> None:
        """The mode's tab has just been hidden, or the window is closing (e.g. pause)."""

    def confirm_close(self) -> bool:
        """Whether the window may close: True if nothing would be lost, or the user said so.

        Only a question: another mode may still keep the window open. Stop work in
        :meth:`closing`.
        """
        return True

    def closing(self) -> None:
        """The window is closing (every mode agreed): end background work (a child process)."""


class ModeFactory(Protocol):
    """What the application registers: a mode class (its description, built from options)."""

    @property
    def description(self) -> ModeDescription:
        """The mode's name, label, title and shortcut."""
        ...

    def __call__(self, options: LaunchOptions) -> Mode:
        """Build the mode for a window started with these command-line options."""
        ...


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    """A menu or toolbar action that calls ``slot()`` (without Qt's ``checked`` argument).

    Args:
        parent: Owner of the action (a mode or the window), so the window finds it.
        text: Menu text, with ``&`` before the mnemonic letter.
        slot: What the action does; its return value is ignored.
        shortcut: Standard key (preferred) or portable text such as ``"Ctrl+Shift+E"``.
        tip: Status bar and tooltip text.
    """
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    # Qt passes "checked" to triggered; a slot with an optional path would take it as one.
    action.triggered.connect(lambda _checked=False: slot())
    return action
