"""What the playground's panels show, as plain data, for comparing two versions of the code.

``snapshot(view)`` reads what every panel paints at the current position (texts, highlights,
revealed cells, the dot-product grids, which widgets are hidden); ``static_snapshot(view)``
what does not move with the position (grid values, titles, formulas). ``scenarios()`` lists the
built-in lessons plus a few edited set-ups (dilation with padding, average pooling, RGB), and
``sample_positions`` picks the positions compared: every one for short timelines, else the
first and last of every stage and evenly spaced ones in between.

The recorded file tests/golden/playground_panels.json.gz was written by running

    QT_QPA_PLATFORM=offscreen python -m tests.panel_snapshot tests/golden/playground_panels.json.gz

first on the code before the playground was restructured around engine frames (commit 5b7e5fc,
the same panels as /work/baseline), then again when every number came to be written from its
value (``engine.animation.numbers``; the grids record their rule and their cells' texts instead
of a number of decimals); tests/test_playground_unchanged.py compares against it.
"""

from __future__ import annotations

import gzip
import json
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from engine.animation.numbers import cell_texts, within
from engine.animation.playground import PoolSettings
from engine.lessons.registry import all_lessons, lesson

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtWidgets import QWidget

    from engine.animation.playground import PlaygroundSpec
    from gui.cell_grid import CellGrid
    from gui.playground.view import PlaygroundView

MAX_ALL_POSITIONS = 60
TEXT_ROOM = 6
"""Characters a cell holds in the recording: the numbers' texts are recorded whatever the size
the panels happen to have (a 34-pixel cell at the smallest readable font holds 6)."""
EVENLY_SPACED = 24

EDITED: tuple[tuple[str, str, Callable[[PlaygroundSpec], PlaygroundSpec]], ...] = (
    (
        "six-by-six dilated, padded, average-pooled",
        "six-by-six",
        lambda s: s.with_changes(
            dilation=(2, 2), padding=2, pool=PoolSettings(3, 2, "avg", "same")
        ),
    ),
    (
        "cs231n ReLU and overlapping max pooling",
        "cs231n-volume",
        lambda s: s.with_changes(relu=True, pool=PoolSettings(2, 1, "max", "same")),
    ),
    (
        "backprop with stride 2 is plain convolution",
        "backprop",
        lambda s: s.with_changes(padding=1, stride=(2, 2)),
    ),
    ("edge detection in RGB", "edge-detect-digit", lambda s: s.with_channels(3)),
    (
        "x-or-o, one filter removed, valid pooling",
        "x-or-o",
        lambda s: s.with_filter_removed(1).with_changes(pool=PoolSettings(3, 2, "max", "valid")),
    ),
)


def scenarios() -> Iterator[tuple[str, Callable[[PlaygroundView], None]]]:
    """(name, set-up) for every built-in convolution lesson and the edited set-ups above.

    Vector lessons (flatten, dense, softmax, …) show none of these panels; their own panel is
    tested in tests/test_gui_vector_lessons.py.
    """
    for item in all_lessons():
        if item.vector is not None:
            continue
        yield item.id, lambda view, item=item: view.state.load_lesson(item)
    for name, lesson_id, change in EDITED:

        def set_up(view: PlaygroundView, lesson_id: str = lesson_id, change: Any = change) -> None:
            view.state.load_lesson(lesson(lesson_id))
            assert view.state.edit("snapshot", change)

        yield name, set_up


def sample_positions(view: PlaygroundView) -> list[int]:
    """Every position of a short timeline; else stage starts and ends and evenly spaced ones."""
    timeline = view.state.timeline
    total = len(timeline)
    if total <= MAX_ALL_POSITIONS:
        return list(range(total))
    chosen = {0, total - 1}
    start = 0
    for _, count in timeline.stages:
        chosen.update((start, start + 1, start + count - 1))
        start += count
    chosen.update(round(i * (total - 1) / (EVENLY_SPACED - 1)) for i in range(EVENLY_SPACED))
    return sorted(p for p in chosen if 0 <= p < total)


def _array(values: np.ndarray | None) -> Any:
    return None if values is None else np.asarray(values).tolist()


def _marks(grid: CellGrid) -> dict[str, Any]:
    """The revealed count and the highlights of a grid ({} when it shows neither)."""
    shown: dict[str, Any] = {}
    if grid._revealed is not None:
        shown["revealed"] = grid._revealed
    if grid._highlights:
        shown["highlights"] = [
            [[list(c) for c in h.cells], h.colour.name(), h.box, h.width] for h in grid._highlights
        ]
    return shown


def _hidden(view: PlaygroundView, widget: QWidget) -> bool:
    """True when the widget would not be seen with the view shown (itself or a parent hidden)."""
    return not widget.isVisibleTo(view)


def _grid(view: PlaygroundView, grid: CellGrid, *, with_values: bool) -> dict[str, Any]:
    """Whether a grid is hidden; if not, its marks (and its values when asked)."""
    if _hidden(view, grid):
        return {"hidden": True}
    shown = _marks(grid)
    if with_values:
        scale = grid.scale
        shown |= {
            "values": _array(grid.values),
            "padding": _array(grid._padding),
            "numbers": [grid.numbers.decimals, grid.numbers.truncate],
            "texts": cell_texts(grid.values, grid.numbers, within(TEXT_ROOM)),
            "scale": [scale.kind, scale.limit, scale.tint],
            "minimum": [grid.minimumWidth(), grid.minimumHeight()],
        }
    return shown


def _grids(view: PlaygroundView) -> Iterator[tuple[str, CellGrid]]:
    for c, grid in enumerate(view.input_panel._grids):
        yield f"input/{c}", grid
    for d, card in enumerate(view.filter_panel._cards):
        for c, grid in enumerate(card.grids):
            yield f"filter/{d}/{c}", grid
    for (stage, d), grid in sorted(view.feature_maps._grids.items()):
        yield f"map/{stage}/{d}", grid
    for key, grid in view.backprop_panel.grids.items():
        yield f"backprop/{key}", grid


def snapshot(view: PlaygroundView) -> dict[str, Any]:
    """What the panels paint at the current position."""
    steps = view.steps
    dot = steps.dot
    shown: dict[str, Any] = {
        "position": view.state.position,
        "position_label": steps.position_label.text(),
        "arithmetic": steps.arithmetic.text(),
        "scrubber": [steps.scrubber.minimum(), steps.scrubber.maximum(), steps.scrubber.value()],
        "buttons": {name: b.isEnabled() for name, b in steps.buttons.items()},
        "active_cards": [card._active for card in view.filter_panel._cards],
        "dot_headers": [[h.text(), _hidden(view, h)] for h in dot.headers],
        "dot_rows": [
            [
                row[0].text(),
                [_hidden(view, w) for w in row],
                _grid(view, row[1], with_values=True),
                _grid(view, row[3], with_values=True),
                _grid(view, row[5], with_values=True),
            ]
            for row in dot.rows
        ],
    }
    marked = ((name, _marks(grid)) for name, grid in _grids(view) if not _hidden(view, grid))
    shown["grids"] = {name: marks for name, marks in marked if marks}
    return shown


def static_snapshot(view: PlaygroundView) -> dict[str, Any]:
    """What the panels show that does not move with the position."""
    maps = view.feature_maps
    return {
        "grids": {name: _grid(view, grid, with_values=True) for name, grid in _grids(view)},
        "titles": [
            view.input_panel.title.text(),
            view.filter_panel.title.text(),
            view.feature_maps.title.text(),
        ],
        "map_headers": {k: [h.text(), _hidden(view, h)] for k, h in maps._headers.items()},
        "row_labels": [[label.text(), _hidden(view, label)] for label in maps._row_labels],
        "input_labels": [[lab.text(), _hidden(view, lab)] for lab in view.input_panel._labels],
        "cards": [
            [card.name.text(), _hidden(view, card), card.bias.value(), card.remove.isEnabled()]
            for card in view.filter_panel._cards
        ],
        "parameters": [
            view.parameters.shape_text.text(),
            view.parameters.pool_text.text(),
            _hidden(view, view.parameters.pool_text),
            view.parameters.params_text.text(),
            _hidden(view, view.parameters),
        ],
        "results": view.results.currentIndex(),
        "backprop": None
        if _hidden(view, view.backprop_panel)
        else [view.backprop_panel.loss.text(), view.backprop_panel.rate.value()],
        "header": [
            view.header.title.text(),
            view.header.explanation.text(),
            view.header.source.text(),
            view.header.notes.text(),
            _hidden(view, view.header.notes),
            view.header.comparison.text(),
            _hidden(view, view.header.comparison),
        ],
    }


def record_all(make_view: Callable[[], PlaygroundView]) -> dict[str, Any]:
    """Static and per-position snapshots of every scenario.

    Each position is shown in a view of its own (set up, then moved there), so the recording
    holds what a panel shows at a position however the user got there.
    """
    recorded: dict[str, Any] = {}
    for name, set_up in scenarios():
        view = make_view()
        set_up(view)
        frames = {}
        for position in sample_positions(view):
            fresh = make_view()
            set_up(fresh)
            fresh.state.set_position(position)
            frames[str(position)] = snapshot(fresh)
            fresh.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        recorded[name] = {"static": static_snapshot(view), "positions": frames}
        view.deleteLater()
    return recorded


def load(path: str) -> dict[str, Any]:
    """A recording written by ``main``."""
    with open(path, "rb") as file:
        recorded: dict[str, Any] = json.loads(gzip.decompress(file.read()).decode("utf-8"))
    return recorded


def main(path: str) -> int:
    """Record every scenario into ``path`` (gzipped JSON)."""
    from gui.app import make_application
    from gui.playground.view import PlaygroundView

    app = make_application()
    recorded = record_all(PlaygroundView)
    text = json.dumps(recorded, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with open(path, "wb") as file:
        file.write(gzip.compress(text.encode("utf-8"), mtime=0))
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
