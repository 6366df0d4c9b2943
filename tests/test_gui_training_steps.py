"""The training lab keeps its window responsive while a network trains (issue 14).

The target (the longest event-loop gap ≤ 50 ms while training) is measured by
benchmarks/bench_training.py; these tests check, by structure and never by timing, what keeps
every pass of the event loop short: the StepQueue runs one step per pass with the step's paint
before the next; an epoch's redraw is a sequence of steps that each change one part of one
view; the saved runs are read a few folders per pass; and what made single passes long does
not come back (charts resized by a new caption, the loss axis redrawn for every line).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QGraphicsItem, QHeaderView

import gui.training.lab as lab_module
from gui.cached_axis import CachedAxis
from gui.training import step_queue
from gui.training.class_results_view import DARK_CELL, LIGHT_TEXT, TEXT, ClassResultsView
from gui.training.curves_view import CurvesView, Overlay
from gui.training.lab import EPOCH_STEPS, LIVE_STEPS, RUNS_PER_PASS, TrainingLab
from gui.training.progress_strip import IDLE_TEXT
from gui.training.runs_panel import RunsPanel
from gui.training.step_queue import StepQueue
from models.training.history import RunHistory
from models.training.protocol import Validation
from models.training.runs import list_runs, summarise_run
from tests.training_runs_factory import (
    CONFUSION,
    batch,
    epoch_line,
    make_run,
    start,
    two_epoch_lines,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from models.training.runs import RunSummary


def recording(order: list[str], name: str) -> Callable[[], None]:
    """A step that notes its name and posts an event (as a paint request is posted)."""

    def step() -> None:
        order.append(name)
        QTimer.singleShot(0, lambda: order.append(f"posted by {name}"))

    return step


# --------------------------------------------------------------------------------------------
# The StepQueue
# --------------------------------------------------------------------------------------------


def test_steps_run_in_order_each_after_what_the_one_before_posted(qtbot: QtBot) -> None:
    queue = StepQueue()
    order: list[str] = []
    for name in ("a", "b", "c"):
        queue.request(name, recording(order, name))
    assert queue.pending() == ("a", "b", "c")
    assert order == []  # nothing runs in the pass that asks
    qtbot.waitUntil(lambda: len(order) == 6)
    assert order == ["a", "posted by a", "b", "posted by b", "c", "posted by c"]
    assert queue.idle()


def test_a_waiting_step_asked_for_again_keeps_its_place_and_runs_once(qtbot: QtBot) -> None:
    queue = StepQueue()
    order: list[str] = []
    queue.request("progress", lambda: order.append("progress, line 1"))
    queue.request("curves", lambda: order.append("curves"))
    queue.request("progress", lambda: order.append("progress, line 2"))
    assert queue.pending() == ("progress", "curves")
    qtbot.waitUntil(queue.idle)
    assert order == ["progress, line 2", "curves"]


def test_an_iterator_step_runs_one_slice_per_pass(qtbot: QtBot) -> None:
    queue = StepQueue()
    order: list[str] = []

    def slices() -> Iterator[None]:
        for number in range(3):
            order.append(f"slice {number}")
            QTimer.singleShot(0, lambda number=number: order.append(f"posted by {number}"))
            yield

    queue.request("list", slices)
    queue.request("after", lambda: order.append("after"))
    qtbot.waitUntil(queue.idle)
    assert order == [
        "slice 0", "posted by 0", "slice 1", "posted by 1", "slice 2", "posted by 2", "after",
    ]  # fmt: skip


def test_finish_runs_every_step_now(qtbot: QtBot) -> None:
    queue = StepQueue()
    order: list[str] = []
    queue.request("a", lambda: order.append("a"))
    queue.request("b", lambda: order.append("b"))
    queue.finish()
    assert order == ["a", "b"]
    assert queue.idle() and queue.run_next() is None
    qtbot.wait(20)  # its timer was stopped: nothing runs twice
    assert order == ["a", "b"]


# --------------------------------------------------------------------------------------------
# The lab's drawing, step by step
# --------------------------------------------------------------------------------------------


@pytest.fixture
def stepped_lab(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TrainingLab:
    """A lab whose steps run only when the test says (run_next), shown at a usual size."""
    monkeypatch.setattr(step_queue, "STEP_PAUSE_MS", 3_600_000)
    lab = TrainingLab(runs_folder=tmp_path / "runs", missing_packages=[])
    qtbot.addWidget(lab)
    lab.resize(1280, 800)
    lab.default_sizes(1280, 800)
    lab.show()
    qtbot.waitExposed(lab)
    return lab


def view_parts(lab: TrainingLab) -> dict[str, object]:
    """What each drawing step changes: one entry per part of a view."""
    results = lab.class_results
    image = results.matrix.image
    return {
        "progress": (lab.strip.text.text(), lab.strip.bar.value()),
        "loss curves": lab.curves.live_points("loss-training"),
        "accuracy curves": lab.curves.live_points("accuracy-training"),
        "first layer": lab.first_layer.caption.text(),
        "per-class bars": (tuple(results.bars.opts["height"]), results.caption.text()),
        "confusion shades": None if image is None else image.tobytes(),
        "confusion counts": tuple(text.text() for text in results.counts.values()),
        "saved runs": tuple(run.name for run in lab.runs.runs),
    }


def run_step(lab: TrainingLab) -> str:
    """Run the next step, every slice of it; its name."""
    name = lab.steps.run_next()
    assert name is not None
    while lab.steps.pending()[:1] == (name,):
        assert lab.steps.run_next() == name
    return name


def test_an_epochs_redraw_is_split_into_steps_that_each_change_one_view_part(
    stepped_lab: TrainingLab, qtbot: QtBot
) -> None:
    lab = stepped_lab
    for line in two_epoch_lines()[:5]:  # start, two batch lines, epoch 0, epoch 1
        lab.trainer.lineReceived.emit(line)
    qtbot.waitUntil(lambda: "first layer" in lab.steps.pending())  # the redraw timer
    assert lab.steps.pending() == ("saved runs", *LIVE_STEPS, *EPOCH_STEPS)
    before = view_parts(lab)
    for expected in lab.steps.pending():
        assert run_step(lab) == expected
        after = view_parts(lab)
        changed = [part for part in after if after[part] != before[part]]
        assert changed == ([] if expected == "saved runs" else [expected])  # no runs saved
        before = after
    assert lab.steps.idle()
    assert lab.curves.live_points("loss-training") == 2
    assert "after epoch 1" in lab.first_layer.caption.text()  # epoch 0 was skipped
    np.testing.assert_allclose(lab.class_results.bars.opts["height"], [0.8] * 10)


def test_new_texts_never_resize_the_charts(stepped_lab: TrainingLab, qtbot: QtBot) -> None:
    """A caption or a progress line that moved the layout repainted every chart in one pass."""
    lab = stepped_lab
    charts = (lab.curves.loss_plot, lab.curves.accuracy_plot, lab.first_layer.graphics,
              lab.class_results.graphics)  # fmt: skip
    assert lab.strip.text.text() == IDLE_TEXT
    sizes = [chart.size() for chart in charts]
    for line in two_epoch_lines():
        lab.trainer.lineReceived.emit(line)
        qtbot.waitUntil(lambda: bool(lab.steps.pending()))
        while not lab.steps.idle():
            run_step(lab)
            QApplication.sendPostedEvents()  # layout requests, as the next pass would
        assert [chart.size() for chart in charts] == sizes, line
    assert "after epoch 2" in lab.first_layer.caption.text()


def test_the_saved_runs_are_read_a_few_folders_per_pass(
    stepped_lab: TrainingLab, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = stepped_lab
    for day in range(1, 10):
        make_run(lab.runs_folder, f"2025-01-{day:02d}_000000-softmax", two_epoch_lines())
    read: list[str] = []
    summarise = summarise_run

    def counted(folder: Path) -> RunSummary:
        read.append(folder.name)
        return summarise(folder)

    monkeypatch.setattr(lab_module, "summarise_run", counted)
    lab.trainer.lineReceived.emit(start())
    per_pass = []
    while lab.steps.pending()[:1] == ("saved runs",):
        before = len(read)
        assert lab.steps.run_next() == "saved runs"
        per_pass.append(len(read) - before)
    assert per_pass == [RUNS_PER_PASS, RUNS_PER_PASS, 9 - 2 * RUNS_PER_PASS, 0]  # then shown
    assert [run.name for run in lab.runs.runs] == sorted(read, reverse=True)


# --------------------------------------------------------------------------------------------
# What made single passes long
# --------------------------------------------------------------------------------------------


def test_the_loss_axis_runs_from_zero_to_the_largest_loss_and_stays(qtbot: QtBot) -> None:
    curves = CurvesView()
    qtbot.addWidget(curves)
    history = RunHistory.of([start(), batch(1, 1, 2.0, 0.5), batch(1, 2, 1.5, 1.0)])
    curves.show_measure("loss", history)
    view = curves.loss_plot.getPlotItem().getViewBox()
    low, high = view.viewRange()[1]
    assert low < 0.0 < 2.0 < high < 2.1
    shown = view.viewRange()[1]
    for step in range(3, 10):  # lower losses: the axis is not drawn again
        history.add(batch(1, step, 1.0 / step, 1.0))
        curves.show_measure("loss", history)
        assert view.viewRange()[1] == shown
    history.add(batch(1, 10, 2.5, 1.0))  # a larger one: the axis grows to show it
    curves.show_measure("loss", history)
    assert 2.5 < view.viewRange()[1][1] < 2.6
    worse = replace(
        epoch_line(1, 0.5, 1.0), validation=Validation(4.0, 0.5, (0.5,) * 10, CONFUSION)
    )
    curves.set_overlays([Overlay("dense-sigmoid · 50.0 %", RunHistory.of([start(), worse]))])
    assert 4.0 < view.viewRange()[1][1] < 4.1  # another run's curves are shown whole too
    curves.set_overlays([])
    assert 2.5 < view.viewRange()[1][1] < 2.6


def test_the_charts_axes_are_cached_and_repainted_whenever_pyqtgraph_redraws_them(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    curves, results = CurvesView(), ClassResultsView()
    qtbot.addWidget(curves)
    qtbot.addWidget(results)
    plots = (curves.loss_plot.getPlotItem(), curves.accuracy_plot.getPlotItem(),
             results.bars_plot, results.matrix_plot)  # fmt: skip
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    for plot in plots:
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            assert isinstance(axis, CachedAxis) and axis.cacheMode() == cached
    axis = curves.accuracy_plot.getPlotItem().getAxis("left")
    asked: list[str] = []
    monkeypatch.setattr(axis, "update", lambda: asked.append("update"))
    axis.resizeEvent(None)  # pyqtgraph drops its drawing here without asking for a paint
    assert axis.picture is None and asked == ["update"]  # Qt's cached picture goes too


def test_the_confusion_counts_are_the_mistakes_at_the_same_size_at_any_zoom(qtbot: QtBot) -> None:
    results = ClassResultsView()
    qtbot.addWidget(results)
    confusion = [list(row) for row in CONFUSION]
    confusion[3][5] = 1234  # most of the threes are taken for fives: a dark cell
    measured = Validation(0.5, 0.7, (0.8,) * 10, tuple(tuple(row) for row in confusion))
    results.show_counts(measured)
    assert results.counts[3, 5].text() == "1,234"
    assert results.counts[0, 1].text() == "2"
    assert results.counts[0, 2].text() == ""  # no mistake there
    assert results.counts[4, 4].text() == ""  # the diagonal: the right answers
    assert DARK_CELL < 1234 / (1234 + 8 + 2)  # the row of the threes
    assert results.counts[3, 5].brush().color() == LIGHT_TEXT
    assert results.counts[0, 1].brush().color() == TEXT
    flag = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
    assert all(text.flags() & flag for text in results.counts.values())
    results.show_counts(None)
    assert all(text.text() == "" for text in results.counts.values())


def test_the_runs_table_sizes_its_columns_once_to_their_contents(
    qtbot: QtBot, tmp_path: Path
) -> None:
    for day in range(1, 13):
        make_run(tmp_path, f"2025-01-{day:02d}_000000-softmax", two_epoch_lines())
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    panel.set_runs(list_runs(tmp_path))
    header = panel.table.horizontalHeader()
    modes = [header.sectionResizeMode(column) for column in range(header.count())]
    assert modes[3] == QHeaderView.ResizeMode.Stretch  # the status takes the rest
    assert all(
        mode == QHeaderView.ResizeMode.ResizeToContents
        for column, mode in enumerate(modes)
        if column != 3
    )
    QApplication.processEvents()
    for column in (1, 2, 4, 5, 6, 7):
        assert header.sectionSize(column) >= panel.table.sizeHintForColumn(column)
