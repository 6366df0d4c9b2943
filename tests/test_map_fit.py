"""The feature maps' cell size (gui.playground.map_fit): the whole table in the view, cells as large
as fit, a readable floor below which the view scrolls down, never sideways."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gui.playground.map_fit import SMALLEST_CELL, MapTable, fit_maps

BAR = 15


def table(
    shapes: tuple[tuple[int, int], ...] = ((4, 4), (2, 2)),
    filters: int = 2,
    *,
    label: int = 80,
    label_ideal: int = 0,
    floors: tuple[int, ...] | None = None,
    ideals: tuple[int, ...] | None = None,
    line: int = 16,
) -> MapTable:
    """A table whose captions wrap into lines of ``line`` pixels: one per 60 px of text."""
    floors = floors or tuple(30 for _ in shapes)
    ideals = ideals or tuple(60 for _ in shapes)

    def header_height(widths: tuple[int, ...]) -> int:
        lines = [-(-ideal // max(width, 1)) for ideal, width in zip(ideals, widths, strict=True)]
        return line * max(lines, default=0)

    return MapTable(
        shapes=shapes, filters=filters, label_width=label, label_height=20,
        column_floors=floors, column_ideals=ideals, header_height=header_height,
        spacing=(10, 12), label_ideal=label_ideal,
    )  # fmt: skip


def fits(t: MapTable, cell: int, room: tuple[int, int]) -> bool:
    return t.width(cell) <= room[0] and t.height(cell, room[0]) <= room[1]


def test_the_whole_table_fits_with_the_largest_cells_that_do() -> None:
    t = table()
    room = (600, 300)
    fit = fit_maps(t, room, floor=12, largest=80, scroll_bar=BAR)
    assert not fit.scrolls
    assert fits(t, fit.cell, room)
    assert not fits(t, fit.cell + 1, room)  # one pixel more and it would not
    assert fit.cell == 33  # captions on one line (16) + 2 rows of 4 cells (2 x 133) + 12 = 294


def test_cells_stop_at_the_largest() -> None:
    fit = fit_maps(table(), (4000, 4000), floor=12, largest=80, scroll_bar=BAR)
    assert fit.cell == 80 and not fit.scrolls


def test_below_the_floor_the_view_scrolls_down_at_the_floor() -> None:
    t = table(((7, 7), (7, 7), (4, 4)), filters=3)
    room = (600, 200)  # 21 rows of cells: 9 px cells would fit, 12 do not
    fit = fit_maps(t, room, floor=12, largest=80, scroll_bar=BAR)
    assert fit.cell == 12 and fit.scrolls
    assert t.height(12, room[0] - BAR) > room[1]
    assert t.width(12) <= room[0] - BAR  # room for the scroll bar: never sideways


def test_the_width_always_fits_even_below_the_floor() -> None:
    t = table(((26, 26), (26, 26)), filters=1, label=40)  # two 26x26 maps in a narrow view
    room = (500, 2000)
    fit = fit_maps(t, room, floor=12, largest=80, scroll_bar=BAR)
    assert fit.cell < 12 and not fit.scrolls
    assert t.width(fit.cell) <= room[0] and not t.width(fit.cell + 1) <= room[0]


def test_a_narrow_view_that_must_scroll_keeps_the_scroll_bar_s_width() -> None:
    t = table(((26, 26), (26, 26)), filters=4, label=40)
    room = (500, 300)
    fit = fit_maps(t, room, floor=12, largest=80, scroll_bar=BAR)
    assert fit.scrolls and fit.cell < 12
    assert t.width(fit.cell) <= room[0] - BAR


def test_spare_width_goes_to_captions_and_names_that_would_wrap() -> None:
    t = table(((4, 4), (2, 2)), ideals=(70, 200), label=60, label_ideal=100)
    room = (1000, 300)
    fit = fit_maps(t, room, floor=12, largest=30, scroll_bar=BAR)
    assert fit.cell == 30
    assert fit.columns == (121, 200)  # the maps' own width, the caption on one line
    assert fit.label_width == 100
    assert fit.label_width + sum(fit.columns) + 20 <= room[0]


def test_spare_width_too_short_for_every_caption_is_shared() -> None:
    t = table(((4, 4), (2, 2)), ideals=(300, 300), label=60)
    fit = fit_maps(t, (500, 300), floor=12, largest=20, scroll_bar=BAR)
    least = t.least_columns(fit.cell)
    assert all(w >= low for w, low in zip(fit.columns, least, strict=True))
    assert fit.label_width + sum(fit.columns) + 20 <= 500


def test_nothing_fits_a_tiny_view_but_the_smallest_cell_is_given() -> None:
    fit = fit_maps(table(), (20, 20), floor=12, largest=80, scroll_bar=BAR)
    assert fit.cell == SMALLEST_CELL


shapes = st.lists(st.tuples(st.integers(1, 32), st.integers(1, 32)), min_size=1, max_size=3).map(
    tuple
)


@settings(max_examples=300, deadline=None)
@given(
    shapes=shapes,
    filters=st.integers(1, 8),
    width=st.integers(150, 2000),
    height=st.integers(100, 1400),
    floor=st.integers(8, 20),
    largest=st.integers(20, 100),
)
def test_fit_properties(shapes, filters, width, height, floor, largest) -> None:  # type: ignore[no-untyped-def]
    t = table(shapes, filters)
    fit = fit_maps(t, (width, height), floor=floor, largest=largest, scroll_bar=BAR)
    assert SMALLEST_CELL <= fit.cell <= largest
    room = width - BAR if fit.scrolls else width
    if t.width(SMALLEST_CELL) <= room:
        assert t.width(fit.cell) <= room  # never wider than the view: no sideways scrolling
        assert fit.label_width + sum(fit.columns) + 10 * len(shapes) <= room
    if fit.scrolls:
        assert fit.cell <= floor  # it scrolls only at the floor (or below, when too narrow)
        assert not fits(t, min(floor, largest), (width, height))
    else:
        assert t.height(fit.cell, width) <= height
        if fit.cell < largest:  # as large as fits
            assert not fits(t, fit.cell + 1, (width, height))
