"""Widgets that size themselves to the room a panel gives them: a CellGrid asked for cells of a
given size, and a StaticText that writes its text larger when it has room to spare."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from gui.cell_grid import CellGrid
from gui.widgets import StaticText

SHORT = "1×1 + 0×2 = 1"
LONG = " + ".join(f"{i}×(−{i})" for i in range(1, 10)) + " = −285"


def test_a_grid_asked_for_cells_of_a_size_gets_exactly_them(qtbot) -> None:
    grid = CellGrid(max_cell=80)
    qtbot.addWidget(grid)
    grid.set_values(np.arange(12.0).reshape(3, 4))
    grid.set_cell_hint(37)
    assert grid.sizeHint() == grid.size_for_cell(37)
    assert (grid.sizeHint().width(), grid.sizeHint().height()) == (4 * 37 + 1, 3 * 37 + 1)
    grid.resize(grid.sizeHint())
    assert grid.cell_size() == 37  # the closing grid line has its own pixel
    last = grid.cell_rect(2, 3)
    assert last.right() <= grid.width() - 1 and last.bottom() <= grid.height() - 1
    grid.set_values(np.zeros((6, 6)))  # another shape: the hint follows it
    assert grid.sizeHint() == grid.size_for_cell(37)
    grid.set_cell_hint(None)
    assert grid.sizeHint() != grid.size_for_cell(37)  # the default hint again


@pytest.fixture
def text(qtbot):
    window = QWidget()  # a child is resized at once (a window waits for its platform)
    qtbot.addWidget(window)
    window.resize(1000, 400)
    shown = StaticText(4, point_size=13, min_point_size=10, max_point_size=22, parent=window)
    shown.resize(900, 300)
    window.show()
    qtbot.waitExposed(window)
    yield shown  # the window stays referenced until the test ends
    window.close()


def test_a_text_with_room_to_spare_is_written_larger_up_to_its_largest(text) -> None:
    text.setText(SHORT)
    assert text.shown_font().pointSizeF() == 22
    assert text.fits()


def test_a_longer_text_makes_it_smaller_and_stepping_back_keeps_that_size(text) -> None:
    text.resize(360, 110)
    text.setText(SHORT)
    short = text.shown_font().pointSizeF()
    text.setText(LONG)
    long = text.shown_font().pointSizeF()
    assert 13 <= long < short and text.fits()
    text.setText(SHORT)  # the next step: the same size, the text does not jump
    assert text.shown_font().pointSizeF() == long
    text.reset_room()  # a new set-up: measured again
    assert text.shown_font().pointSizeF() == short


def test_a_new_size_measures_again(text) -> None:
    text.resize(360, 110)
    text.setText(LONG)
    small = text.shown_font().pointSizeF()
    text.resize(900, 300)
    assert text.shown_font().pointSizeF() > small and text.fits()


def test_a_text_without_a_largest_size_never_grows(qtbot) -> None:
    plain = StaticText(4, point_size=13, min_point_size=10)
    qtbot.addWidget(plain)
    plain.resize(900, 300)
    plain.setText(SHORT)
    assert plain.shown_font().pointSizeF() == 13
