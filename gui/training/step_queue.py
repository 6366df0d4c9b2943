"""StepQueue: drawing split into named steps, each in its own pass of the event loop.

While a network trains, the window must never stop reacting for long (issue 14: the longest
event-loop gap ≤ 50 ms). Each thing the training lab draws is a small step (the progress, the
loss curve, the first layer's pictures, the confusion matrix, …) that runs in a pass of its
own, and after each step the queue pauses `STEP_PAUSE_MS`: the views the step changed are
painted in the passes right after it (pyqtgraph paints its scenes from a queued call, widgets
from a posted update request), timers and input are handled, and only then does the next
step run. A pass so holds one step or one paint, never a whole epoch's redraw.

The pause is a timer rather than a posted call on purpose: Qt's GLib event loop can go on
serving posted events for a pass or two before it looks at its timers, so a chain of posted
steps would keep the window's own timers (and the benchmark's gap timer) waiting.

A step is requested by name; requesting a step that is already waiting keeps its place and
runs the newer callable (so lines arriving faster than the drawing coalesce: the progress is
drawn once, for the latest line). A step may also return an iterator: then each pass advances
it by one item (e.g. one slice of a long list) until it is exhausted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    Step = Callable[[], Iterator[object] | None]

_DONE = object()  # what next() gives for an exhausted step
STEP_PAUSE_MS = 4  # after a step: its paint, then timers and input, before the next step


class StepQueue(QObject):
    """Named steps run in order, one per pass of the event loop, with a pause after each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: dict[str, Step] = {}
        self._running: tuple[str, Iterator[object]] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(STEP_PAUSE_MS)
        self._timer.timeout.connect(self._step_pass)

    def request(self, name: str, step: Step) -> None:
        """Run `step` in a later pass; a waiting step of this name keeps its place, runs `step`."""
        self._steps[name] = step
        if not self._timer.isActive():
            self._timer.start()

    def pending(self) -> tuple[str, ...]:
        """The names of the steps still to run (a step in its slices first), in order."""
        started = (self._running[0],) if self._running is not None else ()
        return started + tuple(self._steps)

    def idle(self) -> bool:
        """True when no step waits."""
        return self._running is None and not self._steps

    def run_next(self) -> str | None:
        """Run the next step now (or the next slice of one); returns its name, None if idle."""
        if self._running is None:
            if not self._steps:
                return None
            name = next(iter(self._steps))
            slices = self._steps.pop(name)()
            if slices is None:
                return name
            self._running = (name, iter(slices))
        name, iterator = self._running
        if next(iterator, _DONE) is _DONE:
            self._running = None
        return name

    def finish(self) -> None:
        """Run every waiting step now, in order (e.g. before a new run replaces what they draw)."""
        self._timer.stop()
        while not self.idle():
            self.run_next()

    def _step_pass(self) -> None:
        """Run one step; the next waits `STEP_PAUSE_MS` (its paint, timers and input first)."""
        self.run_next()
        if not self.idle():
            self._timer.start()
