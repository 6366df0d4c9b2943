"""The view follows the animation: the cells a frame marks are scrolled into view.

A frame marks, per grid, the cells its step reads and the cell it computes (``Frame.marks``).
When those grids sit in a scroll area (the feature maps of many filters, a 28×28 digit's map),
:func:`follow_marks` scrolls it so that the marked cells are visible, the computed cell first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect

from engine.animation.frames import CURRENT

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from PySide6.QtWidgets import QScrollArea, QWidget

    from engine.animation.frames import MapKey, Mark
    from gui.cell_grid import CellGrid

MARGIN = 12
"""Pixels left around the followed cells when the view scrolls."""


def widget_rect(area: QScrollArea, widget: QWidget, rect: QRect | None = None) -> QRect:
    """A rectangle of ``widget`` (default: all of it) in the coordinates of the area's content."""
    rect = QRect(0, 0, widget.width(), widget.height()) if rect is None else rect
    content = area.widget()
    top_left = widget.mapTo(content, rect.topLeft()) if content is not None else QPoint()
    return QRect(top_left, rect.size())


def show_rect(
    area: QScrollArea, rect: QRect, margin: int = MARGIN, *, centre: bool = False
) -> None:
    """Scroll so that ``rect`` (content coordinates) is visible.

    The least possible, or with ``rect`` in the middle (``centre``: what was computed before
    stays in view around it); its top left corner wins when it is larger than the viewport.
    """
    if rect.isEmpty():
        return
    viewport = area.viewport()
    for bar, start, length, room in (
        (area.horizontalScrollBar(), rect.left(), rect.width(), viewport.width()),
        (area.verticalScrollBar(), rect.top(), rect.height(), viewport.height()),
    ):
        low, high = bar.value(), bar.value() + room
        if start - margin >= low and start + length + margin <= high:
            continue  # already in view
        if centre and length + 2 * margin <= room:
            bar.setValue(start + length // 2 - room // 2)
        elif length + 2 * margin > room or start - margin < low:
            bar.setValue(start - margin)
        else:
            bar.setValue(start + length + margin - room)


def follow_marks(
    area: QScrollArea,
    grids: Mapping[MapKey, CellGrid],
    marks: Mapping[MapKey, tuple[Mark, ...]],
) -> None:
    """Scroll ``area`` so that the cells ``marks`` names on its ``grids`` are visible.

    Each marked grid whole when it fits the viewport (the map stays in context), else its
    marked cells; all of them if they fit together, else the computed (CURRENT) ones first.
    Shown grids only; nothing moves when no grid of the area is marked.
    """
    viewport = area.viewport().size()
    everything: list[QRect] = []
    computed: list[QRect] = []
    for key, grid in grids.items():
        grid_marks = marks.get(key, ())
        if not grid_marks or not grid.isVisibleTo(area):
            continue
        whole = grid.cells_rect(((0, 0), (grid.rows - 1, grid.cols - 1)))
        fits = whole.width() + 2 * MARGIN <= viewport.width() and (
            whole.height() + 2 * MARGIN <= viewport.height()
        )
        for mark in grid_marks:
            rect = widget_rect(area, grid, whole if fits else grid.cells_rect(mark.cells))
            everything.append(rect)
            if mark.role == CURRENT:
                computed.append(rect)
    if not everything:
        return
    show_rect(area, _union(everything))
    if computed:
        show_rect(area, _union(computed), centre=True)


def follow_widget(area: QScrollArea, widget: QWidget) -> None:
    """Scroll ``area`` so that ``widget`` (inside it) is visible, its top first."""
    show_rect(area, widget_rect(area, widget))


def _union(rects: Iterable[QRect]) -> QRect:
    result = QRect()
    for rect in rects:
        result = result.united(rect)
    return result
