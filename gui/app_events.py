"""One application event filter for every app-wide policy, called only for its events.

The application has three policies that must see events of every widget, those made later
included: labels and tool tips show text from files as plain text (``gui.plain_text``), fonts
follow the zoom (``gui.zoom``), and the wheel leaves an unfocused box alone
(``gui.wheel_guard``). Each was an application event filter of its own, and Qt calls every
application filter for every event of the application: a paint, a timer, a posted call. A
call into Python with the event and its receiver wrapped costs a few microseconds, and one
digit-lab update sends about 30 events, so the three filters cost 1.2 ms of a 9 ms update
(``benchmarks/bench_busy.py``; issue 11). :class:`AppEventHub` is the one filter Qt calls; it
hands an event to the policies that asked for its type, and lets every other event through
untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject

if TYPE_CHECKING:
    from collections.abc import Iterable

    from PySide6.QtWidgets import QApplication

Policy = TypeVar("Policy", bound=QObject)


class AppEventHub(QObject):
    """The application's one event filter: routes each event type to the policies that want it.

    A policy is a QObject whose ``eventFilter(watched, event)`` returns True to consume the
    event, as an installed filter would; it is called in the order the policies were added.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._routes: dict[QEvent.Type, tuple[QObject, ...]] = {}

    def add(self, policy: QObject, kinds: Iterable[QEvent.Type]) -> None:
        """Give ``policy`` every event of the types ``kinds`` (once, however often added)."""
        for kind in kinds:
            policies = self._routes.get(kind, ())
            if policy not in policies:
                self._routes[kind] = (*policies, policy)

    def kinds(self) -> frozenset[QEvent.Type]:
        """The event types some policy asked for."""
        return frozenset(self._routes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Hand the event to the policies of its type; True if one consumed it."""
        policies = self._routes.get(event.type())
        if policies:
            for policy in policies:
                if policy.eventFilter(watched, event):
                    return True
        return False


def app_event_hub(app: QApplication) -> AppEventHub:
    """The application's :class:`AppEventHub`, installed once as its event filter."""
    existing = app.findChild(AppEventHub)
    if isinstance(existing, AppEventHub):
        return existing
    hub = AppEventHub(app)
    app.installEventFilter(hub)
    return hub


def install_policy(app: QApplication, kind: type[Policy], events: Iterable[QEvent.Type]) -> Policy:
    """The application's policy of class ``kind`` (made with the app as its parent), once.

    Routed the ``events`` types by the application's :class:`AppEventHub`.
    """
    existing = app.findChild(kind)
    if isinstance(existing, kind):
        return existing
    policy = kind(app)
    app_event_hub(app).add(policy, events)
    return policy
