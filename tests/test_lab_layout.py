"""The Digit Lab's layer column fits its view: nothing cut at the right, the hint not cut.

At 1280 × 800 a layer's one-line title ("conv1 — convolution (ONNX Conv) → 28×28×32") made the
column wider than its view (no horizontal scroll bar), which cut every row's text at the
right, and the hint beside the buttons wrapped onto five lines and was cut at the bottom.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from gui.app import LaunchOptions, build_window


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_the_layer_column_fits_its_view(qtbot, size: tuple[int, int]) -> None:
    window = build_window(LaunchOptions(tab="digits"))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    lab = window.digit_lab_mode.widget
    lab.load_sample(7)
    for _ in range(3):
        QApplication.processEvents()
    network = lab.network
    viewport = network.scroll_area.viewport()
    column = network.scroll_area.widget()
    assert column.width() <= viewport.width()  # nothing cut at the right
    hint = network.choice
    assert hint.height() >= hint.heightForWidth(hint.width())  # every line of the hint shows
    for row in network.rows.values():
        assert row.title.width() <= column.width()
    lab.undo_stack.clear()
    window.playground.state.undo_stack.setClean()
