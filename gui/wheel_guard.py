"""The mouse wheel changes a combo box or a spin box only while it has the keyboard focus.

Scrolling a panel whose cards hold combo boxes (a filter's *Preset…* box) must scroll the panel,
not replace the filter under the pointer: :class:`WheelGuard`, an application-wide event policy
(``gui.app_events``), for every combo box and spin box of the application (those made later
too), takes the wheel focus away (a wheel event never gives them the focus) and passes a wheel
event on to the parent widgets unless the box has the keyboard focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

from gui.app_events import install_policy

GUARDED = (QComboBox, QAbstractSpinBox)
"""The widgets whose value the wheel would change."""


def guarded(widget: QObject) -> bool:
    """Whether the wheel must leave this widget's value alone unless it has the focus."""
    return isinstance(widget, GUARDED)


class WheelGuard(QObject):
    """An application-wide event policy (routed by ``gui.app_events``); see the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Swallow a wheel event over an unfocused box (its parents get it); never otherwise."""
        kind = event.type()
        if kind == QEvent.Type.Polish and guarded(watched):
            assert isinstance(watched, QWidget)
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and guarded(watched):
            assert isinstance(watched, QWidget)
            if not watched.hasFocus():
                # Ignored and handled: Qt offers a real wheel event to the parents (a scroll
                # area scrolls), and the box never sees it.
                event.ignore()
                return True
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """The application's :class:`WheelGuard`, installed once."""
    return install_policy(app, WheelGuard, (QEvent.Type.Polish, QEvent.Type.Wheel))
