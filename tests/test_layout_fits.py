"""Any room, any projector: at 1024x768 nothing is cut or overlapping (every lesson, also in
presentation mode), the view follows the animation (the step's map cells, filter and input
cells stay in view at every stage), zoom and presentation mode round-trip and are remembered,
and the room goes where a class needs it: every map in view at every size (scrolling only at
the readable floor), the dot product and the input grown into the room they have."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar

from engine.animation.frames import CURRENT, FILTER, INPUT, READ
from engine.lessons.registry import all_lessons, lesson
from gui.app import LaunchOptions, build_window
from gui.playground.feature_map_panel import FLOOR_CELL
from gui.playground.feature_map_panel import MAX_CELL as MAP_CELL
from gui.zoom import PRESENTATION_SCALE, scaled, zoom_factor
from tests.layout_audit import layout_problems

SMALL = (1024, 768)
MIN_SCRUBBER = 200


def settle() -> None:
    for _ in range(8):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def open_window(qtbot, size=SMALL, *, presentation: bool = False):  # type: ignore[no-untyped-def]
    win = build_window(LaunchOptions())
    win.resize(*size)
    win.reset_layouts(*size)
    if presentation:
        win.set_presentation(True, full_screen=False)
    win.show()
    qtbot.waitExposed(win)
    settle()
    return win


def close(win) -> None:  # type: ignore[no-untyped-def]
    win.playground.player.pause()
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone now, not later


@pytest.fixture
def small_window(qtbot):
    win = open_window(qtbot)
    yield win
    close(win)


def sample_positions(state) -> list[int]:  # type: ignore[no-untyped-def]
    """The first and last position of every stage, and one in the middle of the timeline."""
    positions = {len(state.timeline) // 2}
    stages: dict[str, list[int]] = {}
    for position in range(len(state.timeline)):
        stages.setdefault(state.timeline[position].stage, []).append(position)
    for found in stages.values():
        positions.update((found[0], found[-1]))
    return sorted(positions)


@pytest.mark.parametrize("item", all_lessons(), ids=lambda item: item.id)
def test_nothing_is_cut_or_overlapping_at_1024x768(small_window, item) -> None:
    win = small_window
    assert (win.width(), win.height()) == SMALL  # the window no longer refuses 1024x768
    win.load_lesson(item)
    state = win.playground.state
    for position in sample_positions(state):
        state.set_position(position)
        problems = layout_problems(win)
        assert not problems, f"{item.id} at step {position + 1}: {problems}"
        assert win.playground.steps.scrubber.width() >= MIN_SCRUBBER
        caption = win.playground.steps.position_label
        assert caption.text() == state.shown_frame.caption and caption.fits()


@pytest.mark.parametrize("item", all_lessons(), ids=lambda item: item.id)
def test_nothing_is_cut_in_presentation_mode_at_1024x768(qtbot, item) -> None:
    win = open_window(qtbot, presentation=True)
    try:
        win.load_lesson(item)
        state = win.playground.state
        for position in (0, len(state.timeline) - 1):
            state.set_position(position)
            problems = layout_problems(win)
            assert not problems, f"{item.id} at step {position + 1}: {problems}"
    finally:
        close(win)


def in_view(widget, rect: QRect) -> bool:  # type: ignore[no-untyped-def]
    """Whether all of ``rect`` (widget coordinates) is visible, not clipped by a scroll area."""
    if not widget.isVisible() or rect.isEmpty():
        return False
    inner = rect.adjusted(1, 1, -1, -1)  # cell rectangles are rounded outwards
    visible = widget.visibleRegion()
    return all(
        visible.contains(point)
        for point in (inner.topLeft(), inner.bottomRight(), inner.topRight(), inner.bottomLeft())
    )


def assert_followed(win) -> None:  # type: ignore[no-untyped-def]
    view = win.playground
    frame = view.state.frame
    settle()
    label = f"{view.state.context.id} at step {frame.position + 1} ({frame.label})"
    results = view.results.currentWidget()
    grids = view.feature_maps.grids() if results is view.feature_maps else {}
    for key, marks in frame.marks.items():
        grid = grids.get(key)
        if grid is None:
            continue
        for mark in marks:
            if mark.role == CURRENT:
                assert in_view(grid, grid.cells_rect(mark.cells)), f"map {key} of {label}"
    if frame.filter is not None:
        card = view.filter_panel._cards[frame.filter]
        for grid in card.grids[: view.state.spec.channels]:
            whole = grid.cells_rect(((0, 0), (grid.rows - 1, grid.cols - 1)))
            assert in_view(grid, whole), f"filter {frame.filter + 1} of {label}"
    for c in frame.channels:
        grid = view.input_panel._grids[c]
        for mark in frame.marks.get((INPUT, c), ()):
            assert mark.role == READ
            assert in_view(grid, grid.cells_rect(mark.cells)), f"input channel {c} of {label}"
    assert FILTER  # the frame keys used above


@pytest.mark.parametrize(
    "item", [i for i in all_lessons() if i.vector is None], ids=lambda item: item.id
)
def test_the_view_follows_every_stage(small_window, item) -> None:
    # a vector lesson has no input, filters or maps to follow (tests/test_gui_vector_lessons.py)
    win = small_window
    win.load_lesson(item)
    state = win.playground.state
    for position in sample_positions(state):
        state.set_position(position)
        assert_followed(win)
    # and each filter's first and last step, in order (the list and maps scroll back too)
    entries = [state.timeline[p] for p in range(len(state.timeline))]
    firsts: dict[object, int] = {}
    for position, _entry in enumerate(entries):
        frame = state.animation[position]
        firsts.setdefault((frame.stage, frame.filter), position)
    for position in sorted(firsts.values(), reverse=True):
        state.set_position(position)
        assert_followed(win)


def test_a_new_filter_is_scrolled_into_view(small_window) -> None:
    win = small_window
    win.load_lesson(lesson("x-or-o"))
    panel = win.playground.filter_panel
    panel.add_filter()
    settle()
    card = panel._cards[3]
    grid = card.grids[0]
    assert win.playground.state.spec.num_filters == 4
    assert in_view(grid, grid.cells_rect(((0, 0), (2, 2))))


def test_the_convolution_map_shows_numbers_where_relu_does(qtbot) -> None:
    win = open_window(qtbot, (1920, 1080))
    try:
        win.load_lesson(lesson("x-or-o"))
        state = win.playground.state
        state.to_end()
        settle()
        grids = win.playground.feature_maps.grids()
        conv, relu = grids[("conv", 0)], grids[("relu", 0)]
        assert abs(conv.cell_size() - relu.cell_size()) < 1
        assert conv.shows_numbers() and relu.shows_numbers()
    finally:
        close(win)


def test_zoom_round_trips_and_is_remembered(qtbot) -> None:
    win = open_window(qtbot)
    try:
        title = win.playground.header.title
        grid = win.playground.input_panel._grids[0]
        points, largest = title.font().pointSizeF(), grid.max_cell()
        app_points = QApplication.font().pointSizeF()
        win.zoom_in_action.trigger()
        win.zoom_in_action.trigger()
        assert win.zoom == pytest.approx(1.25)
        assert zoom_factor() == pytest.approx(1.25)
        assert title.font().pointSizeF() == pytest.approx(points * 1.25)
        assert QApplication.font().pointSizeF() == pytest.approx(app_points * 1.25)
        assert grid.max_cell() == pytest.approx(largest * 1.25)
        assert not layout_problems(win)
        win.zoom_out_action.trigger()
        assert win.zoom == pytest.approx(1.1)
        win.save_settings()
    finally:
        close(win)
    again = open_window(qtbot)
    try:
        assert again.zoom == pytest.approx(1.1)
        assert again.playground.header.title.font().pointSizeF() == pytest.approx(points * 1.1)
        QTest.keyClick(again, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # Actual Size
        assert again.zoom == 1.0
        assert again.playground.header.title.font().pointSizeF() == pytest.approx(points)
        assert QApplication.font().pointSizeF() == pytest.approx(app_points)
    finally:
        close(again)


def visible_bars(win) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {
        "menu": win.menuBar().isVisible(),
        "status": win.statusBar().isVisible(),
        "tabs": win.tabs.tabBar().isVisible(),
        **{bar.objectName(): bar.isVisible() for bar in win.findChildren(QToolBar)},
    }


def test_presentation_mode_round_trips_and_is_remembered(qtbot) -> None:
    win = open_window(qtbot)
    try:
        view = win.playground
        bars = visible_bars(win)
        columns = view.columns.sizes()
        title_points = view.header.title.font().pointSizeF()
        QTest.keyClick(win, Qt.Key.Key_F11)  # works with the menus shown …
        assert win.presenting and win.presentation_action.isChecked()
        assert not any(visible_bars(win).values())
        assert not view.parameters.isVisible() and not view.input_panel.tools.isVisible()
        assert not view.header.text.isVisible() and not view.filter_panel.tools.isVisible()
        for panel in (view.input_panel, view.filter_panel, view.feature_maps, view.steps):
            assert panel.isVisible()
        assert zoom_factor() == pytest.approx(PRESENTATION_SCALE)
        assert view.header.title.font().pointSizeF() == pytest.approx(title_points * 1.25)
        win.show_mode("digits")  # another mode's toolbar stays hidden while presenting
        assert not any(visible_bars(win).values())
        win.show_mode("playground")
        QTest.keyClick(win, Qt.Key.Key_Space)  # … and the step keys with the menus hidden
        assert view.player.playing
        view.player.pause()
        QTest.keyClick(win, Qt.Key.Key_F11)
        settle()
        assert not win.presenting and visible_bars(win) == bars
        assert view.parameters.isVisible() and view.input_panel.tools.isVisible()
        assert (win.width(), win.height()) == SMALL
        assert view.columns.sizes() == pytest.approx(columns, abs=2)
        assert zoom_factor() == 1.0
        assert view.header.title.font().pointSizeF() == pytest.approx(title_points)
        win.set_presentation(True, full_screen=False)
        win.save_settings()
    finally:
        close(win)
    again = build_window(LaunchOptions())
    try:
        assert not again.presenting  # not before it is shown …
        again.show()
        qtbot.waitExposed(again)
        assert again.presenting  # … then as it was left
        again.set_presentation(False)
        assert again.menuBar().isVisible()
    finally:
        close(again)


# ----- the space goes where a class needs it: maps, dot product, input -----------------------
SIZES = ((1024, 768), (1280, 800), (1920, 1080))


def check_maps_fit(win, label: str) -> None:  # type: ignore[no-untyped-def]
    """The maps share one cell size, never scroll sideways, and are all in view unless the
    view scrolls (at the readable floor)."""
    view = win.playground
    panel = view.feature_maps
    if view.results.currentWidget() is not panel:
        return  # the backprop lesson
    area = panel.scroll_area
    grids = [g for g in panel.grids().values() if g.isVisibleTo(panel)]
    assert grids, label
    assert not area.horizontalScrollBar().isVisible(), f"{label}: the maps scroll sideways"
    assert panel.cell <= MAP_CELL * zoom_factor() + 0.5, label
    for grid in grids:
        assert abs(grid.cell_size() - panel.cell) < 0.01, f"{label}: cells differ"
    floor = scaled(FLOOR_CELL)
    if panel.scrolls:
        assert panel.cell <= floor, f"{label}: scrolls with {panel.cell}-px cells"
        assert area.verticalScrollBar().isVisible(), label
    else:
        assert not area.verticalScrollBar().isVisible(), f"{label}: scrolls although it fits"
        for grid in grids:
            whole = grid.cells_rect(((0, 0), (grid.rows - 1, grid.cols - 1)))
            assert in_view(grid, whole), f"{label}: a map is cut off"


@pytest.mark.parametrize("presentation", [False, True], ids=["window", "presentation"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_lessons_maps_fit_the_view(qtbot, size, presentation) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, size, presentation=presentation)
    try:
        for item in all_lessons():
            if item.vector is not None:  # no feature maps (tests/test_gui_vector_lessons.py)
                continue
            win.load_lesson(item)
            settle()
            check_maps_fit(win, f"{item.id} at {size}")
    finally:
        close(win)


def test_the_six_by_six_maps_all_show_their_numbers_at_1024x768(small_window) -> None:
    win = small_window
    win.load_lesson(lesson("six-by-six"))
    win.playground.state.set_position(4)
    settle()
    panel = win.playground.feature_maps
    assert not panel.scrolls
    for d in (0, 1):  # both filters' whole 4x4 maps, not the first 1.5 rows
        conv = panel.grids()[("conv", d)]
        assert in_view(conv, conv.cells_rect(((0, 0), (3, 3))))
        assert conv.shows_numbers()


def test_at_1920x1080_the_room_goes_to_the_grids(qtbot) -> None:
    win = open_window(qtbot, (1920, 1080))
    try:
        win.load_lesson(lesson("six-by-six"))
        view = win.playground
        view.state.set_position(4)
        settle()
        maps = view.feature_maps
        second = maps.grids()[("conv", 1)]
        assert in_view(second, second.cells_rect(((0, 0), (3, 3))))  # not cut at the bottom
        assert maps.cell >= 48
        kernel = view.steps.dot.rows[0][3]
        assert kernel.cell_size() >= 48  # not the 24-px least size
        arithmetic = view.steps.arithmetic
        assert arithmetic.shown_font().pointSizeF() > arithmetic.font().pointSizeF()
        assert arithmetic.fits()
        box = view.input_panel.grid_box
        grid = view.input_panel._grids[0]
        room = min((box.width() - 1) / grid.cols, (box.height() - 1) / grid.rows)
        assert grid.cell_size() > 56  # larger than the old cap
        assert grid.cell_size() == pytest.approx(min(room, grid.max_cell()), abs=1)
    finally:
        close(win)


def test_three_channels_go_side_by_side_when_that_shows_their_numbers(qtbot) -> None:
    win = open_window(qtbot, (1920, 1080))
    try:
        win.load_lesson(lesson("cs231n-volume"))
        settle()
        dot = win.playground.steps.dot
        assert dot.per_line > 1
        for row in dot.rows:
            for grid in (row[1], row[3], row[5]):
                assert grid.isVisible() and grid.shows_numbers()
        assert not layout_problems(win)
    finally:
        close(win)


def test_zoom_scales_the_maps_floor(small_window) -> None:
    win = small_window
    win.load_lesson(lesson("x-or-o"))
    settle()
    panel = win.playground.feature_maps
    assert panel.scrolls and panel.cell == FLOOR_CELL  # 21 rows of cells do not fit 1024x768
    win.zoom_in_action.trigger()
    win.zoom_in_action.trigger()
    settle()
    assert panel.scrolls and panel.cell == round(FLOOR_CELL * 1.25)
    check_maps_fit(win, "x-or-o zoomed")
    QTest.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
