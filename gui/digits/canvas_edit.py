"""Undoable changes of the drawing: the changed area of the backing store, before and after.

Only the area a stroke touched is kept (not the whole image), packed, and the undo stack keeps
a bounded number of edits, so thousands of strokes use a small, bounded amount of memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from gui.digits.canvas_image import pack, unpack

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage

    from gui.digits.canvas import DrawingCanvas


@dataclass(frozen=True, slots=True)
class CanvasChange:
    """The backing store's pixels in ``area`` (device pixels) before and after one edit.

    The pixels are packed (``canvas_image.pack``). ``before_origin`` and ``after_origin`` are
    the canvas's ``origin`` before and after (what the picture was made from, if anyone said).
    """

    area: QRect
    before: bytes
    after: bytes
    before_origin: object = None
    after_origin: object = None

    @classmethod
    def between(
        cls,
        before: QImage,
        after: QImage,
        area: QRect,
        before_origin: object = None,
        after_origin: object = None,
    ) -> CanvasChange:
        """The change of ``area`` from image ``before`` to image ``after``."""
        return cls(area, pack(before, area), pack(after, area), before_origin, after_origin)

    @property
    def size(self) -> int:
        """Bytes kept."""
        return len(self.before) + len(self.after)


class CanvasEdit(QUndoCommand):
    """One stroke, a clear, or a picture put on the canvas: undo restores the area's pixels.

    The change has already happened when the command is pushed, so the first ``redo`` (which
    ``QUndoStack.push`` calls) does nothing.
    """

    def __init__(self, canvas: DrawingCanvas, change: CanvasChange, text: str) -> None:
        super().__init__(text)
        self._canvas = canvas
        self._change = change
        self._done = True

    def redo(self) -> None:
        """Put the edit's pixels back (not the first time: the edit is already on the canvas)."""
        if self._done:
            self._done = False
            return
        change = self._change
        self._canvas.paste(change.area, unpack(change.after, change.area), change.after_origin)

    def undo(self) -> None:
        """Put back the pixels the edit covered."""
        change = self._change
        self._canvas.paste(change.area, unpack(change.before, change.area), change.before_origin)
