"""An undoable move of the digit lab's 28×28 input (the arrow keys), on the drawing's undo stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from collections.abc import Callable


class ShiftEdit(QUndoCommand):
    """The input moved from ``before`` to ``after`` (rows, cols); undo moves it back.

    ``apply`` puts the input at a shift (the lab's ``_apply_shift``); ``redo`` (which
    ``QUndoStack.push`` calls first) applies ``after``.
    """

    def __init__(
        self,
        apply: Callable[[tuple[int, int]], None],
        before: tuple[int, int],
        after: tuple[int, int],
        text: str,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.before = before
        self.after = after

    def redo(self) -> None:
        """Move the input to ``after``."""
        self._apply(self.after)

    def undo(self) -> None:
        """Move the input back to ``before``."""
        self._apply(self.before)
