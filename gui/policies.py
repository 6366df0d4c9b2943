"""The application-wide policies, installed together before any widget is made.

Text from files shown as plain text (``gui.plain_text``), explicit font sizes following the
zoom (``gui.zoom``), the wheel leaving an unfocused box alone (``gui.wheel_guard``), all routed
by the application's one event filter (``gui.app_events``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.plain_text import install_plain_text_guard
from gui.wheel_guard import install_wheel_guard
from gui.zoom import install_font_zoom

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def install_app_policies(app: QApplication) -> None:
    """Install every app-wide policy once (again: nothing happens).

    A widget polished before a policy is installed escapes it (a filter's preset box would keep
    taking the focus from the wheel), so the application (``gui.app.make_application``), the
    window builder and every main window install them before building anything.
    """
    install_plain_text_guard(app)
    install_font_zoom(app)
    install_wheel_guard(app)
