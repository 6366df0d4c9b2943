"""A walk over a window's widget tree that finds what a person would call broken layout.

- text that does not fit: a label, button, check box, combo box or spin box whose text is
  wider (or, wrapped, taller) than the widget, a tab whose title is elided, a self-painting
  text (``StaticText``) whose text runs past its bottom;
- content cut at the side: a scroll area that scrolls sideways (its content is wider);
- widgets on top of each other: two visible sibling widgets whose geometries intersect;
- widgets cut by their parent: a visible widget that reaches outside its parent (except the
  content of a scroll area, which scrolls).

:func:`layout_problems` returns one sentence per problem, naming the widget by its class, its
object name and its text, so a failing test says what to look at.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QMainWindow,
    QMenu,
    QRubberBand,
    QScrollArea,
    QScrollBar,
    QSplitterHandle,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QWidget,
)

from gui.widgets import StaticText

if TYPE_CHECKING:
    from collections.abc import Iterator

SLACK = 1  # pixels of rounding a layout may leave


def describe(widget: QWidget) -> str:
    """Class, object name and text of a widget, for a message."""
    text = ""
    for getter in ("text", "currentText", "title", "windowTitle"):
        method = getattr(widget, getter, None)
        if callable(method):
            try:
                value = method()
            except TypeError:
                continue
            if isinstance(value, str) and value:
                text = value
                break
    name = widget.objectName()
    parts = [type(widget).__name__]
    if type(widget) in (QWidget, QScrollArea) and widget.parentWidget() is not None:
        parts.append(f"in {type(widget.parentWidget()).__name__}")
    if name:
        parts.append(f"#{name}")
    if text:
        parts.append(repr(text[:60]))
    return " ".join(parts)


def visible_widgets(root: QWidget) -> Iterator[QWidget]:
    """The root and every widget under it that is shown (not hidden, not a separate window)."""
    yield root
    for child in root.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.isWindow() or not child.isVisibleTo(root) or isinstance(child, QMenu):
            continue
        yield from visible_widgets(child)


def text_problem(widget: QWidget) -> str | None:
    """Why the widget's text does not fit it, or None."""
    if isinstance(widget, StaticText):
        if not widget.fits():
            needed = widget.text_height(widget.text())
            return f"{describe(widget)} needs {needed} px of height, has {widget.height()}"
        return None
    if isinstance(widget, QLabel):
        return _label_problem(widget)
    if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().isVisible():
        return f"{describe(widget)} scrolls sideways: its content is wider than its view"
    if isinstance(widget, QTabBar):
        return _tab_problem(widget)
    if isinstance(widget, QComboBox):
        return _combo_problem(widget)
    if isinstance(widget, QAbstractSpinBox):
        return _spin_problem(widget)
    if isinstance(widget, QAbstractButton) and widget.text():
        hint = widget.sizeHint()
        if hint.width() > widget.width() + SLACK or (
            isinstance(widget, QCheckBox) and hint.height() > widget.height() + SLACK
        ):
            return f"{describe(widget)} needs {hint.width()} px, has {widget.width()}"
    return None


def _label_problem(label: QLabel) -> str | None:
    if not label.text() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    room = label.contentsRect()
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height() + SLACK:
            return f"{describe(label)} needs {needed} px of height, has {label.height()}"
        longest = label.minimumSizeHint().width()
        if longest > label.width() + SLACK:
            return f"{describe(label)} has a word {longest} px wide in {label.width()} px"
        return None
    hint = label.sizeHint()
    margins = label.width() - room.width()
    if hint.width() > room.width() + margins + SLACK:
        return f"{describe(label)} needs {hint.width()} px, has {label.width()}"
    if hint.height() > label.height() + SLACK:
        return f"{describe(label)} needs {hint.height()} px of height, has {label.height()}"
    return None


def _tab_problem(bar: QTabBar) -> str | None:
    for index in range(bar.count()):
        if bar.tabRect(index).width() + SLACK < bar.tabSizeHint(index).width():
            return f"tab {bar.tabText(index)!r} is elided"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText() or combo.placeholderText()
    if not text:
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = combo.fontMetrics().horizontalAdvance(text)
    if needed > field.width() + SLACK:
        return f"{describe(combo)} shows {needed} px of text in {field.width()} px"
    return None


def _spin_problem(spin: QAbstractSpinBox) -> str | None:
    edit = spin.lineEdit()
    needed = spin.fontMetrics().horizontalAdvance(spin.text()) + 4
    if needed > edit.width() + SLACK:
        return f"{describe(spin)} shows {needed} px of text in {edit.width()} px"
    return None


def _ignored_child(widget: QWidget) -> bool:
    return isinstance(widget, (QRubberBand, QSplitterHandle, QScrollBar))


def overlap_problems(parent: QWidget) -> Iterator[str]:
    """Visible children of ``parent`` that lie on top of each other or outside it."""
    children = [
        child
        for child in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not child.isWindow() and child.isVisibleTo(parent) and not isinstance(child, QMenu)
    ]
    scrolls = isinstance(parent.parentWidget(), QAbstractScrollArea) and (
        parent is parent.parentWidget().viewport()  # type: ignore[union-attr]
    )
    inside = QRect(0, 0, parent.width(), parent.height()).adjusted(-SLACK, -SLACK, SLACK, SLACK)
    for child in children:
        if not scrolls and not inside.contains(child.geometry()) and not _ignored_child(child):
            yield f"{describe(child)} reaches outside {describe(parent)}"
    if isinstance(parent, QMainWindow):
        return  # its own layout places bars and the centre side by side
    laid = [c for c in children if not _ignored_child(c) and c.width() > 0 and c.height() > 0]
    for a, b in combinations(laid, 2):
        shared = a.geometry().intersected(b.geometry())
        if shared.width() > SLACK and shared.height() > SLACK:
            yield f"{describe(a)} overlaps {describe(b)}"


def layout_problems(root: QWidget) -> list[str]:
    """Every problem of the shown part of ``root``'s widget tree (see the module docstring)."""
    for _ in range(8):  # a layout may ask for another after it settles
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    problems: list[str] = []
    for widget in visible_widgets(root):
        problem = text_problem(widget)
        if problem:
            problems.append(problem)
        problems.extend(overlap_problems(widget))
    return problems
