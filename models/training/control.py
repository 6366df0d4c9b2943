"""`--control stdin`: the commands a parent process (the training lab) sends on standard input.

One command per line: "stop" asks the run to stop after the current training step, then save
its last weights as a usable model (the snapshot of the part epoch, the final model, the card)
and end normally. The end of the input (the parent closed the pipe, or died) stops the run the
same way, so a trainer never outlives its parent for long. Other lines are reported on stderr
and ignored.
"""

from __future__ import annotations

import sys
import threading
from typing import IO

STOP_COMMAND = "stop"


def read_commands(stream: IO[str], stop: threading.Event) -> None:
    """Read commands from `stream` until "stop" or the end of the input; then set `stop`."""
    for line in stream:
        command = line.strip()
        if command == STOP_COMMAND:
            break
        if command:
            print(f"models.training: ignoring the unknown command {command!r}", file=sys.stderr)
    stop.set()


def listen_for_stop(stream: IO[str] | None = None) -> threading.Event:
    """Start a daemon thread reading commands from `stream` (stdin); returns the stop event."""
    stop = threading.Event()
    thread = threading.Thread(
        target=read_commands,
        args=(sys.stdin if stream is None else stream, stop),
        name="training-control",
        daemon=True,
    )
    thread.start()
    return stop
