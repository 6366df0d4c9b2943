"""Text from files is shown as plain text, never as Qt rich text (issue 12).

Qt renders a label's, a message box's or a tool tip's text as HTML when it merely looks like
HTML (``Qt.TextFormat.AutoText``, the default): a lesson title, a model's name or class labels,
or a file name holding ``<img src="file:///...">`` would make the app open a local file it was
never given, and ``<b>`` would change what the user reads. One mechanism covers the whole
application: :class:`PlainTextGuard`, which sees the events of every widget (through the
application's one event filter, ``gui.app_events``), makes every label that still has the
default ``AutoText`` plain text before it is first shown (the labels Qt builds inside a
``QMessageBox``, a ``QProgressDialog`` or an ``QInputDialog`` included), and turns a tool tip
that looks like HTML into the same text, escaped. A label that shows the app's own markup (bold
headings) asks for ``RichText`` itself (:func:`rich_label`) and escapes whatever it puts in from
outside (:func:`escaped`); the About box is the one such message box (:func:`show_about_box`).

The guard is installed by the application (``gui.app.make_application``) and by every main
window (for windows built by tests), once.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import Qt  # QtGui's Qt adds mightBeRichText and convertFromPlainText
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from gui.app_events import install_policy

if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap

TOOL_TIP_LABEL = "qtooltip_label"
"""The object name of the label Qt shows tool tips in (the guard escapes tips instead)."""
_ESCAPED_FROM = "plainToolTipSource"
"""The dynamic property holding a tool tip's text before the guard escaped it."""


def escaped(text: str) -> str:
    """``text`` as rich text that shows exactly ``text``.

    ``<``, ``>`` and ``&`` are escaped (quotes need not be, outside a tag); line breaks are
    kept.
    """
    return escape(text, quote=False).replace("\n", "<br>")


def plain_label(text: str = "") -> QLabel:
    """A label whose text is always shown as it is (``Qt.TextFormat.PlainText``)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def rich_label(markup: str = "") -> QLabel:
    """A label for the app's own markup (``<b>``, ``<br>``); escape outside text in it.

    Build its text with :func:`escaped` for everything that does not come from the app's
    own code (numbers from a lesson file, names from a model file).
    """
    label = QLabel(markup)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def show_about_box(
    parent: QWidget | None, title: str, markup: str, icon: QPixmap | None = None
) -> None:
    """A modal box showing the app's own rich text (the About box); escape outside text in it."""
    box = QMessageBox(QMessageBox.Icon.Information, title, markup, QMessageBox.StandardButton.Ok)
    box.setParent(parent, box.windowFlags())
    box.setTextFormat(Qt.TextFormat.RichText)
    if icon is not None:
        box.setIconPixmap(icon)
    box.exec()


class PlainTextGuard(QObject):
    """An application-wide event policy (routed by ``gui.app_events``); see the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Make a label plain text when it is polished; escape a tool tip that looks like HTML.

        Never consumes an event.
        """
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, QLabel):
            if (
                watched.textFormat() == Qt.TextFormat.AutoText
                and watched.objectName() != TOOL_TIP_LABEL
            ):
                watched.setTextFormat(Qt.TextFormat.PlainText)
        elif kind == QEvent.Type.ToolTipChange and isinstance(watched, QWidget):
            _escape_tool_tip(watched)
        return False


def _escape_tool_tip(widget: QWidget) -> None:
    """Replace a tool tip that Qt would render as HTML by the same text, escaped."""
    tip = widget.toolTip()
    if not tip or not Qt.mightBeRichText(tip):
        return
    source = widget.property(_ESCAPED_FROM)
    if isinstance(source, str) and tip == _tool_tip_markup(source):
        return  # already escaped by the guard
    widget.setProperty(_ESCAPED_FROM, tip)
    widget.setToolTip(_tool_tip_markup(tip))


def _tool_tip_markup(text: str) -> str:
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def shown_tool_tip(widget: QWidget) -> str:
    """The text a widget's tool tip shows (the guard's escaping undone), for tests and views."""
    source = widget.property(_ESCAPED_FROM)
    tip = widget.toolTip()
    if isinstance(source, str) and tip == _tool_tip_markup(source):
        return source
    return tip


def install_plain_text_guard(app: QApplication) -> PlainTextGuard:
    """The application's :class:`PlainTextGuard`, installed once."""
    return install_policy(app, PlainTextGuard, (QEvent.Type.Polish, QEvent.Type.ToolTipChange))
