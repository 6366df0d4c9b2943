"""Where the digit lab draws each value of a layer, and which value is under the mouse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.network.picture_grids import (
    BarScale,
    MosaicGrid,
    StripGrid,
    axis_ticks,
    bars_x_range,
    pixel_at,
)


def test_a_mosaic_of_32_maps() -> None:
    grid = MosaicGrid.of((28, 28, 32))
    assert (grid.rows, grid.cols, grid.gap, grid.pitch) == (2, 16, 4, (32, 32))
    assert (grid.height, grid.width) == (60, 508)
    assert grid.buffer_shape == (64, 512)
    assert (grid.full_rows, grid.maps_in_full_rows, grid.last_row_maps) == (2, 32, 0)
    assert grid.tile_origin(17) == (32, 32)
    assert grid.cell_centre(17, 3, 5) == (37.5, 35.5)
    assert grid.tile_box(0) == (-2.0, -2.0, 32.0, 32.0)
    assert grid.cell_at(30.0, 5.0) is None  # a gap
    assert grid.cell_at(-0.5, 5.0) is None
    assert grid.cell_at(600.0, 5.0) is None


def test_a_mosaic_with_a_short_last_row() -> None:
    grid = MosaicGrid.of((7, 7, 20))
    assert (grid.rows, grid.cols, grid.gap) == (2, 16, 1)
    assert (grid.full_rows, grid.maps_in_full_rows, grid.last_row_maps) == (1, 16, 4)
    assert grid.cell_at(*grid.cell_centre(19, 6, 6)) == (19, 6, 6)
    y0, x0 = grid.tile_origin(20)  # where a 21st map would be: an empty tile
    assert grid.cell_at(x0 + 0.5, y0 + 0.5) is None
    assert grid.height_for_tiles(110) == round(110 * grid.height / 7)


@given(
    st.integers(1, 30), st.integers(1, 30), st.integers(1, 70), st.data(),
)  # fmt: skip
def test_every_cell_is_found_under_its_centre(h: int, w: int, c: int, data) -> None:
    grid = MosaicGrid.of((h, w, c))
    k = data.draw(st.integers(0, c - 1))
    row, col = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1))
    assert grid.cell_at(*grid.cell_centre(k, row, col)) == (k, row, col)
    x, y, width, height = grid.cell_box(k, row, col)
    assert grid.cell_at(x, y) == (k, row, col)
    assert (width, height) == (1.0, 1.0)
    assert x + 1 <= grid.width and y + 1 <= grid.height


@pytest.mark.parametrize(("count", "rows", "cols"), [(1, 1, 1), (3136, 18, 178), (500, 8, 71)])
def test_a_strip_is_a_wide_band(count: int, rows: int, cols: int) -> None:
    grid = StripGrid.of(count)
    assert (grid.rows, grid.cols) == (rows, cols)
    assert grid.cells >= count > grid.cells - cols
    last = count - 1
    x, y, _, _ = grid.cell_box(last)
    assert grid.unit_at(x + 0.5, y + 0.5) == last
    if grid.cells > count:  # the empty cell after the last unit
        assert grid.unit_at(x + 1.5, y + 0.5) is None
    assert grid.unit_at(-0.1, 0.5) is None


def test_bars_on_a_fixed_scale() -> None:
    signed = BarScale.of(128, (-2.0, 2.0), labelled=False)
    assert (signed.low, signed.high, signed.bottom) == (-2.16, 2.16, -2.16)
    probabilities = BarScale.of(10, (0.0, 1.0), labelled=True)
    assert probabilities.low == 0.0 and probabilities.high == pytest.approx(1.04)
    assert probabilities.bottom == pytest.approx(-0.3 * 1.04)
    assert probabilities.x_range == bars_x_range(10) == (-0.6, 9.6)
    assert probabilities.unit_at(6.6) == 7
    assert probabilities.unit_at(-0.6) is None and probabilities.unit_at(9.7) is None
    assert probabilities.bar_box(7) == (6.5, 0.0, 1.0, probabilities.high)


def test_pixels_and_axis_ticks() -> None:
    assert pixel_at(3.5, 2.5, (28, 28)) == (2, 3)
    assert pixel_at(28.0, 2.5, (28, 28)) is None
    assert pixel_at(-0.01, 2.5, (28, 28)) is None
    labels = tuple(str(i) for i in range(10))
    assert axis_ticks(labels) == [(i, str(i)) for i in range(10)]
    many = tuple(f"c{i}" for i in range(100))
    assert axis_ticks(many) == [(i, f"c{i}") for i in range(0, 100, 5)]
