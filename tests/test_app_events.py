"""The application's one event filter hands each policy only the events it asked for (issue 11).

Three app-wide policies (plain text, zoom, wheel guard) used to be three application event
filters, each called by Qt for every event of the application: 1.2 ms of a 9 ms digit-lab
update. They are now routed by ``gui.app_events.AppEventHub``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from gui.app import LaunchOptions, build_window
from gui.app_events import AppEventHub

ROOT = Path(__file__).resolve().parent.parent


class Recorder(QObject):
    """A policy that records what it is given, and consumes the types it is told to."""

    def __init__(self, consume: frozenset[QEvent.Type] = frozenset()) -> None:
        super().__init__()
        self.seen: list[QEvent.Type] = []
        self.consume = consume

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.seen.append(event.type())
        return event.type() in self.consume


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def test_a_policy_gets_only_the_event_types_it_asked_for(qtbot) -> None:
    hub = AppEventHub()
    first, second = Recorder(), Recorder()
    hub.add(first, (QEvent.Type.Polish, QEvent.Type.Wheel))
    hub.add(first, (QEvent.Type.Polish,))  # added twice: still called once
    hub.add(second, (QEvent.Type.Polish,))
    widget = QWidget()
    for kind in (QEvent.Type.Paint, QEvent.Type.Timer, QEvent.Type.Polish, QEvent.Type.Show):
        assert hub.eventFilter(widget, QEvent(kind)) is False
    assert first.seen == [QEvent.Type.Polish]
    assert second.seen == [QEvent.Type.Polish]
    assert hub.kinds() == {QEvent.Type.Polish, QEvent.Type.Wheel}


def test_a_policy_that_consumes_an_event_stops_it(qtbot) -> None:
    hub = AppEventHub()
    eater, after = Recorder(consume=frozenset({QEvent.Type.Wheel})), Recorder()
    hub.add(eater, (QEvent.Type.Wheel,))
    hub.add(after, (QEvent.Type.Wheel,))
    assert hub.eventFilter(QWidget(), QEvent(QEvent.Type.Wheel)) is True
    assert after.seen == []  # in the order added; the first to consume ends it


PROBE = """
import sys
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QComboBox
from gui.plain_text import PlainTextGuard
from gui.wheel_guard import WheelGuard
from gui.zoom import FontZoom

seen = set()
for policy in (PlainTextGuard, FontZoom, WheelGuard):  # before any instance exists
    def recording(self, watched, event, _original=policy.eventFilter):
        seen.add(event.type().name)
        return _original(self, watched, event)
    policy.eventFilter = recording

from gui.app import LaunchOptions, build_window, make_application
from gui.app_events import AppEventHub
app = make_application()
window = build_window(LaunchOptions(tab="playground"))
window.show()
for _ in range(5):
    app.processEvents()
boxes = window.findChildren(QComboBox)
print(len(app.findChildren(AppEventHub)), sorted(seen))
print(len(boxes) > 3, all(b.focusPolicy().name == "StrongFocus" for b in boxes))
window.playground.state.undo_stack.setClean()
"""


def test_the_app_policies_share_one_filter_and_see_no_other_events(tmp_path) -> None:
    """In a fresh process, as the app starts: one hub, and the policies see only their events.

    Installed as Qt filters of their own, they would be called for every paint, timer and
    show. The first window's combo boxes are guarded too (its widgets are polished after the
    policies are installed).
    """
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "CNN_VISUALIZER_SETTINGS_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    first, last = done.stdout.strip().splitlines()[-2:]
    hubs, seen = first.split(" ", 1)
    assert hubs == "1"
    assert "Polish" in seen  # the policies see what they need ...
    assert set(ast.literal_eval(seen)) <= {"Polish", "ToolTipChange", "FontChange", "Wheel"}
    assert last == "True True"


def test_a_window_built_in_an_application_made_elsewhere_is_guarded(qtbot) -> None:
    """``build_window`` installs the policies before it builds the modes (a test's app)."""
    window = build_window(LaunchOptions(tab="playground"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    boxes = window.findChildren(QComboBox)
    assert boxes
    assert all(box.focusPolicy() == Qt.FocusPolicy.StrongFocus for box in boxes)
    assert len(_app().findChildren(AppEventHub)) == 1
    window.playground.state.undo_stack.setClean()
