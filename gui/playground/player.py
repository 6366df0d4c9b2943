"""Playback: a main-thread QTimer that picks the step from elapsed time x speed.

Because the position comes from the clock rather than from counting ticks, playback keeps its
pace when drawing falls behind: steps are skipped, never queued up. A jump made while playing
(Home, End, the arrows, the scrubber) moves the clock's starting point: playback goes on from
there instead of snapping back.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from gui.playground.state import PlaygroundState

MIN_SPEED, MAX_SPEED = 1, 60


class Player(QObject):
    """Plays the state's timeline at ``speed`` steps per second."""

    playingChanged = Signal(bool)
    """Playback started (True) or stopped (False)."""

    def __init__(self, state: PlaygroundState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._speed = 4.0
        self._timer = QTimer(self)
        self._timer.setInterval(8)
        self._timer.timeout.connect(self._tick)
        self._start_time = 0.0
        self._start_position = 0
        self._holding = False
        self._ticking = False
        state.specChanged.connect(self._rebase)
        state.positionChanged.connect(self._moved)

    @property
    def speed(self) -> float:
        """Steps per second."""
        return self._speed

    def set_speed(self, steps_per_second: float) -> None:
        """Play at this many steps per second (kept within MIN_SPEED .. MAX_SPEED)."""
        self._speed = float(min(max(steps_per_second, MIN_SPEED), MAX_SPEED))
        self._rebase()

    @property
    def playing(self) -> bool:
        """Whether playback is running."""
        return self._timer.isActive()

    def play(self) -> None:
        """Start playing (from the first step when at the end)."""
        if self.playing:
            return
        if self._state.at_end:
            self._state.to_start()
        self._rebase()
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        """Stop playing, staying at the current step."""
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def hold(self, on: bool) -> None:
        """Hold playback (True) while the scrubber is dragged, or let it go on (False).

        Held, playback does not move the position; released, it goes on from the position
        the user left.
        """
        self._holding = on
        self._rebase()

    def _rebase(self) -> None:
        self._start_time = time.monotonic()
        self._start_position = self._state.position

    def _moved(self, position: int) -> None:
        """Someone else moved the position: play on from there."""
        if not self._ticking:
            self._rebase()

    def _tick(self) -> None:
        if self._holding:
            return
        elapsed = time.monotonic() - self._start_time
        target = self._start_position + int(elapsed * self._speed)
        self._ticking = True
        try:
            self._state.set_position(target)
        finally:
            self._ticking = False
        if self._state.at_end:
            self.pause()
