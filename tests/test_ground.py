"""Widgets that repaint on every step paint their own flat ground (``gui.ground``, issue 11).

An opaque widget promises Qt to paint every pixel, so Qt no longer repaints the panels beneath
it: the promise must hold (the window shows exactly what the plain, transparent painting
shows), it must be kept only where the ground is one flat colour, and the panels beneath the
step's grids must really be spared.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QSplitter, QVBoxLayout, QWidget

from engine.lessons.registry import all_lessons, lesson
from gui.cell_grid import CellGrid
from gui.ground import flat_ground
from gui.widgets import PANEL_GROUND, Panel, StaticText
from tests.test_layout_fits import close, open_window, sample_positions, settle


def _nested(outer: QWidget, *kinds: type[QWidget]) -> QWidget:
    """Widgets of ``kinds`` nested in ``outer`` (each in the one before), the innermost."""
    parent = outer
    for kind in kinds:
        child = kind()
        layout = parent.layout() or QVBoxLayout(parent)
        layout.addWidget(child)
        parent = child
    return parent


class _Painting(QWidget):
    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QPainter(self).fillRect(self.rect(), QColor("red"))


class _PaintingPanel(Panel):
    def __init__(self) -> None:
        super().__init__("paints more")

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().paintEvent(event)


def test_the_ground_is_found_only_where_it_is_one_flat_colour(qtbot) -> None:
    panel = Panel("a panel")
    qtbot.addWidget(panel)
    assert flat_ground(_nested(panel, QWidget, QSplitter, QWidget)) == PANEL_GROUND

    filled = QWidget()
    qtbot.addWidget(filled)
    filled.setAutoFillBackground(True)
    palette = filled.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#123456"))
    filled.setPalette(palette)
    assert flat_ground(_nested(filled, QWidget, QWidget)) == QColor("#123456")

    for blocker in (_Painting, _PaintingPanel):  # a class that paints more than a ground
        outer = Panel("outer")
        qtbot.addWidget(outer)
        assert flat_ground(_nested(outer, blocker, QWidget)) is None
    styled = Panel("styled")
    qtbot.addWidget(styled)
    inner = _nested(styled, QWidget)
    inner.parentWidget().setStyleSheet("background: pink")  # type: ignore[union-attr]
    assert flat_ground(_nested(inner, QWidget)) is None
    framed = Panel("framed")
    qtbot.addWidget(framed)
    box = _nested(framed, QFrame)
    assert isinstance(box, QFrame)
    box.setFrameShape(QFrame.Shape.Box)
    assert flat_ground(_nested(box, QWidget)) is None
    palette.setColor(QPalette.ColorRole.Window, QColor(0, 0, 0, 100))  # see-through
    filled.setPalette(palette)
    assert flat_ground(_nested(filled, QWidget)) is None
    assert flat_ground(QWidget()) is None  # nothing beneath a window of its own
    own = _nested(panel, QWidget)
    own.setAutoFillBackground(True)  # Qt paints its own background before its paintEvent
    assert flat_ground(own) is None


def test_a_new_ground_beneath_is_found_again(qtbot) -> None:
    """A palette or style sheet set later on an ancestor; an application style sheet."""
    panel = Panel("a panel")
    qtbot.addWidget(panel)
    middle = _nested(panel, QWidget)
    grid = CellGrid(max_cell=10)
    QVBoxLayout(middle).addWidget(grid)
    grid.set_values(np.ones((2, 2)))
    panel.show()
    qtbot.waitExposed(panel)
    assert grid.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    middle.setStyleSheet("background: pink")  # reaches the grid as a StyleChange
    assert not grid.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    middle.setStyleSheet("")
    assert grid.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet("QLabel { color: black }")
    try:
        assert flat_ground(grid) is None
    finally:
        app.setStyleSheet("")
    assert flat_ground(grid) == PANEL_GROUND


def test_an_opaque_grid_paints_its_ground_around_its_cells(qtbot) -> None:
    panel = Panel("a panel")
    qtbot.addWidget(panel)
    grid = CellGrid(max_cell=10)
    panel.body.addWidget(grid)
    grid.set_values(np.ones((2, 2)))
    panel.resize(300, 300)
    panel.show()
    qtbot.waitExposed(panel)
    assert grid.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    assert grid.width() > 2 * 10 + 10  # room around the cells
    image = grid.grab().toImage()
    assert image.pixelColor(1, 1) == PANEL_GROUND
    assert image.pixelColor(image.width() - 2, image.height() - 2) == PANEL_GROUND


@pytest.mark.parametrize("kind", [CellGrid, StaticText])
def test_a_widget_without_a_parent_goes_with_its_last_reference(qtbot, kind) -> None:
    """No reference cycle through its ground: the garbage collector never deletes it later.

    A collection inside Qt's list of all widgets deleted a widget under it (a crash).
    """
    gone: list[bool] = []
    gc.disable()
    try:
        widget = kind()
        widget.show()  # finds its ground
        widget.hide()
        widget.destroyed.connect(lambda: gone.append(True))
        del widget
        assert gone == [True]
    finally:
        gc.enable()


def _backing_store(window: QWidget) -> QImage:
    return window.screen().grabWindow(window.winId()).toImage()


def _grounds_off(window: QWidget) -> int:
    """Every ground off, as before ``gui.ground``; how many widgets had one."""
    count = 0
    for widget in window.findChildren(QWidget):
        ground = getattr(widget, "_ground", None)
        if ground is not None and ground.colour is not None:
            ground.colour = None
            widget.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
            count += 1
    return count


@pytest.mark.parametrize("item", all_lessons(), ids=lambda item: item.id)
def test_stepping_leaves_on_screen_what_transparent_widgets_paint(qtbot, item) -> None:
    """After partial repaints step by step, the window equals a full transparent repaint."""
    window = open_window(qtbot, (1280, 800))
    try:
        other = "rgb-kernels" if item.id != "rgb-kernels" else "six-by-six"
        window.load_lesson(lesson(other))  # grids of other sizes in other places before
        settle()
        window.load_lesson(item)
        settle()
        state = window.playground.state
        for position in sample_positions(state):
            state.set_position(position)
            QApplication.processEvents()  # only what changed is painted again
        shown = _backing_store(window)
        assert _grounds_off(window) > 0
        window.repaint()
        assert _backing_store(window) == shown
    finally:
        close(window)


def test_a_step_repaints_no_panel_beneath_the_grids(qtbot) -> None:
    """The step's grids and text are opaque: the panels they sit in are not painted again."""
    window = open_window(qtbot, (1280, 800))
    try:
        window.load_lesson(lesson("six-by-six"))
        settle()
        view = window.playground
        hot = [view.steps.arithmetic, view.steps.position_label]
        hot += view.steps.findChildren(CellGrid) + view.input_panel.findChildren(CellGrid)
        for widget in hot:
            assert isinstance(widget, (CellGrid, StaticText))
            assert widget.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent), widget

        painted: list[str] = []

        class Spy(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and isinstance(watched, Panel):
                    painted.append(type(watched).__name__)
                return False

        spy = Spy()
        QApplication.instance().installEventFilter(spy)  # type: ignore[union-attr]
        try:
            for position in range(3, 13):
                window.playground.state.set_position(position)
                QApplication.processEvents()
        finally:
            QApplication.instance().removeEventFilter(spy)  # type: ignore[union-attr]
        assert painted == []
    finally:
        close(window)
