"""What keeps an animation step and a digit-lab update cheap (issue 11) still holds.

A step or a mouse move must not repaint what did not change, relayout what did not move, or
draw what nobody sees; each shortcut must also show exactly what the plain way showed.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QGraphicsItem, QHBoxLayout, QLabel, QWidget

from engine.network.number_text import percent_text
from gui.cached_axis import CachedAxis
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.digits.bar_labels import BarLabels
from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.lab import DigitLab
from gui.digits.lookup_tables import diverging_lut, ink_lut, positive_lut
from gui.digits.screen_image import ScreenImageItem
from gui.flat_bars import FlatBars
from gui.widgets import Panel, SteadyLabel


def test_a_grid_given_the_same_values_keeps_its_painted_cells(qtbot) -> None:
    grid = CellGrid()
    qtbot.addWidget(grid)
    grid.resize(200, 200)
    grid.show()
    qtbot.waitExposed(grid)
    values = np.array([[0.5, -1.0], [2.0, 0.125]])
    grid.set_values(values)
    qtbot.waitUntil(lambda: grid._cache is not None)  # the cells, painted once
    painted = grid._cache
    grid.set_values(values.copy())  # a step whose kernel is the same
    assert grid._cache is painted
    grid.set_values(values, scale=ColourScale("diverging", 4.0))  # other colours: paint again
    assert grid._cache is None
    qtbot.waitUntil(lambda: grid._cache is not None)
    changed = values.copy()
    changed[1, 1] = 0.25
    grid.set_values(changed, scale=ColourScale("diverging", 4.0))
    assert grid._cache is None and grid.values[1, 1] == 0.25
    qtbot.waitUntil(lambda: grid._cache is not None)
    grid.set_values(changed, scale=ColourScale("diverging", 4.0), padding=np.eye(2, dtype=bool))
    assert grid._cache is None  # padding is part of what is shown


def test_a_steady_label_keeps_the_room_of_its_widest_text(qtbot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    label = SteadyLabel("3")
    row = QHBoxLayout(holder)
    row.addWidget(label)
    row.addWidget(QWidget(), 1)
    holder.show()
    narrow = label.sizeHint().width()
    label.setText("probability 99.5 %")
    wide = label.sizeHint().width()
    assert wide > narrow
    label.setText("7")  # a short answer: the neighbours do not move
    assert label.sizeHint().width() == wide
    label.reset_room()
    assert label.sizeHint().width() < wide
    label.setText("<b>not bold</b>")
    assert label.textFormat().name == "PlainText"


def test_bar_labels_write_the_texts_given_over_their_bars(qtbot) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    labels = BarLabels(QFont(), QColor("black"), (-0.5, 0.0, 2.5, 1.2))
    plot.addItem(labels)
    texts = (percent_text(0.25, compact=True), "", percent_text(0.75, compact=True))
    labels.set_labels(texts, [(0.0, 0.25), (1.0, 0.0), (2.0, 0.75)])
    assert labels.texts == texts
    assert labels.boundingRect().contains(2.0, 1.0)
    plot.resize(300, 200)
    plot.show()
    image = plot.grab().toImage()
    assert image.width() > 0  # painted without error
    with pytest.raises(ValueError, match="1 labels for 0 points"):
        labels.set_labels(("a",), [])


def _shown_lab(qtbot, width: int, height: int) -> DigitLab:  # type: ignore[no-untyped-def]
    """A digit lab of that size, shown and exposed."""
    lab = DigitLab()
    qtbot.addWidget(lab)
    lab.resize(width, height)
    lab.show()
    qtbot.waitExposed(lab)
    return lab


def _screen_images(
    image: np.ndarray, lut: np.ndarray | None, levels: tuple[float, float] | None
) -> tuple[QImage, QImage]:
    """The image rendered by pg.ImageItem (converted) and by ScreenImageItem."""
    plain = pg.ImageItem(axisOrder="row-major")
    quick = ScreenImageItem(axisOrder="row-major")
    for item in (plain, quick):
        item.setLookupTable(lut)
        item.setImage(image, autoLevels=levels is None, levels=levels)
        item.render()
    expected = plain.qimage.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    return expected, quick.qimage


def test_a_screen_image_shows_the_pixels_pyqtgraph_makes(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(5)
    ramp = np.linspace(0.0, 1.0, 28 * 28, dtype=np.float32).reshape(28, 28)
    mosaic = (rng.standard_normal((30, 61)) * 2.0).astype(np.float32)
    mosaic[:, 29:32] = np.nan  # the gaps between tiles
    cases = [
        (ramp, ink_lut(), (0.0, 1.0)),
        (ramp * 1.6 - 0.3, ink_lut(), (0.0, 1.0)),  # beyond the levels: clipped
        (mosaic, diverging_lut(), (-3.0, 3.0)),
        (np.abs(mosaic), positive_lut(), (0.0, 2.5)),
        (mosaic.astype(np.float64), diverging_lut(), (-1.0, 1.0)),
        (ramp, ink_lut(), (0.5, 0.5)),  # no range: pyqtgraph's span of 1
    ]
    rendered_by_pyqtgraph: list[bool] = []
    original = pg.ImageItem.render
    monkeypatch.setattr(
        pg.ImageItem, "render", lambda item: (rendered_by_pyqtgraph.append(True), original(item))
    )
    for image, lut, levels in cases:
        rendered_by_pyqtgraph.clear()
        expected, quick = _screen_images(image, lut, levels)
        assert rendered_by_pyqtgraph == [True]  # only the plain item: the quick one drew itself
        assert quick.format() == QImage.Format.Format_ARGB32_Premultiplied
        assert quick == expected
    colour = rng.random((12, 14, 3)).astype(np.float32)  # not one of the lab's: pyqtgraph's path
    rendered_by_pyqtgraph.clear()
    expected, quick = _screen_images(colour, None, (0.0, 1.0))
    assert rendered_by_pyqtgraph == [True, True]
    assert quick.format() == QImage.Format.Format_ARGB32_Premultiplied and quick == expected


def test_rows_out_of_sight_draw_their_values_when_seen_or_asked(qtbot) -> None:
    lab = _shown_lab(qtbot, 1280, 760)
    rows = lab.network.rows

    def out_of_sight() -> list[str]:
        return [name for name, row in rows.items() if row.visibleRegion().isEmpty()]

    qtbot.waitUntil(lambda: bool(out_of_sight()))  # laid out: the column scrolls
    lab.load_sample(3)
    run = lab.state.run
    assert run is not None
    hidden = out_of_sight()
    name = hidden[0]
    waiting = rows[name]._pending
    assert waiting is not None  # not drawn while out of sight…
    record = next(r for r in run.activations if r.name == name)
    picture = lab.network.picture(name)  # …drawn when asked for
    assert rows[name]._pending is None
    if isinstance(picture, FeatureMosaic):
        maps = record.array.transpose(2, 0, 1)
        origin = picture.tile_origin(0)
        h, w = picture.map_shape
        shown = picture.mosaic[origin[0] : origin[0] + h, origin[1] : origin[1] + w]
        np.testing.assert_array_equal(shown, maps[0])
    else:
        np.testing.assert_array_equal(picture.values, record.array.reshape(-1))
    lab.network.scroll_area.verticalScrollBar().setValue(10**6)  # the last rows come in sight
    last = list(rows.values())[-1]
    assert not last.visibleRegion().isEmpty() and last._pending is None
    lab.undo_stack.clear()


def test_a_panel_has_no_style_sheet(qtbot) -> None:
    panel = Panel("A panel")
    qtbot.addWidget(panel)
    assert panel.styleSheet() == ""  # one over a panel slows every widget in it
    panel.resize(200, 100)
    image = panel.grab().toImage()
    assert QColor(image.pixel(100, 50)) == QColor("#ffffff")


def _bars_chart(item: pg.BarGraphItem) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setMouseEnabled(x=False, y=False)
    plot.addItem(item)
    plot.setXRange(-0.6, 9.6, padding=0)
    plot.setYRange(0.0, 1.0, padding=0)
    plot.resize(320, 160)
    return plot


def test_flat_bars_paint_what_pyqtgraphs_bars_paint_without_measuring_pixels(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bars that shrink and grow leave the same pixels on screen as pg.BarGraphItem's.

    Read from the window's backing store (what partial repaints left), not a fresh grab.
    """
    plain = pg.BarGraphItem(x=np.arange(10.0), height=np.zeros(10), width=0.7, brush="b", pen=None)
    flat = FlatBars(x=np.arange(10.0), height=np.zeros(10), width=0.7, brush="b")
    charts = [_bars_chart(plain), _bars_chart(flat)]
    for chart in charts:
        qtbot.addWidget(chart)
        chart.show()
        qtbot.waitExposed(chart)
    rng = np.random.default_rng(3)
    for _ in range(6):
        heights = rng.random(10)
        for item in (plain, flat):
            item.setOpts(height=heights)
        QApplication.processEvents()  # each chart repaints only what its change exposed
        first, second = (chart.screen().grabWindow(chart.winId()).toImage() for chart in charts)
        assert not first.isNull() and first == second
    rect = flat.boundingRect()
    assert (rect.left(), rect.right()) == pytest.approx((-0.35, 9.35))
    calls: list[int] = []
    monkeypatch.setattr(FlatBars, "pixelVectors", lambda self, *a: calls.append(1))
    flat.boundingRect()
    assert calls == []  # pyqtgraph's bars map a pixel through the view on every call
    with pytest.raises(ValueError, match="without an outline"):
        flat.setOpts(pen="k")


def test_flat_bars_prepare_new_heights_as_pyqtgraph_does(qtbot) -> None:
    """The quick way for new heights and centres gives pyqtgraph's rectangles and bounds."""
    plain = pg.BarGraphItem(x=np.arange(4.0), height=np.zeros(4), width=0.7, brush="b", pen=None)
    flat = FlatBars(x=np.arange(4.0), height=np.zeros(4), width=0.7, brush="b")
    prepared: list[int] = []
    original = pg.BarGraphItem._prepareData

    def counting(item: pg.BarGraphItem) -> None:
        prepared.append(1)
        original(item)

    changes = [
        {"height": np.array([0.1, 0.9, 0.0, 0.4], dtype=np.float32)},
        {"height": [-0.5, 0.25, 1.0, 0.0]},
        {"x": [2.0], "height": [0.75]},
        {"x": np.arange(6, dtype=np.float64), "height": np.linspace(-1.0, 1.0, 6)},
        {"height": np.zeros(6)},
        {"x": [], "height": []},
        {"x": [1.0, 3.0], "height": [0.5, 0.2]},
    ]
    for change in changes:
        pg.BarGraphItem._prepareData = counting
        try:
            flat.setOpts(**change)
        finally:
            pg.BarGraphItem._prepareData = original
        plain.setOpts(**change)
        assert flat._dataBounds == plain._dataBounds
        assert np.array_equal(flat._rectarray.ndarray(), plain._rectarray.ndarray())
        assert flat.dataBounds(0) == plain.dataBounds(0)
        assert flat.dataBounds(1) == plain.dataBounds(1)
    assert prepared == []  # never pyqtgraph's general preparation for new heights
    for change in ({"width": 0.5}, {"x0": [0.0, 2.0]}):  # the second: left edges, pyqtgraph's
        pg.BarGraphItem._prepareData = counting
        try:
            flat.setOpts(**change)
        finally:
            pg.BarGraphItem._prepareData = original
        plain.setOpts(**change)
        assert np.array_equal(flat._rectarray.ndarray(), plain._rectarray.ndarray())
    assert prepared == [1]
    for item in (flat, plain):  # no heights at all: pyqtgraph's own answer, for both
        with pytest.raises(Exception, match="height"):
            item.setOpts(height=None, y1=None)


@pytest.mark.parametrize(
    ("alignment", "wrap", "texts"),
    [
        (Qt.AlignmentFlag.AlignCenter, False, ("probability ≈ 99.99 %", "probability 7 %", "9")),
        (Qt.AlignmentFlag.AlignLeft, True, ("The network answers as you draw.", "short", "مرحبا")),
    ],
)
def test_a_steady_label_paints_a_new_text_in_place_as_a_label_would(
    qtbot, alignment: Qt.AlignmentFlag, wrap: bool, texts: tuple[str, ...]
) -> None:
    """A text that fits is painted by the label itself, without a relayout: same pixels."""
    holder = QWidget()
    qtbot.addWidget(holder)
    steady, plain = SteadyLabel("probability ≈ 99.9999 % (the widest)"), QLabel()
    row = QHBoxLayout(holder)
    for label in (steady, plain):
        label.setAlignment(alignment)
        label.setWordWrap(wrap)
        label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(label)
    holder.resize(700, 120)
    holder.show()
    qtbot.waitExposed(holder)
    requests: list[QWidget] = []

    class Counter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                requests.append(watched)
            return False

    counter = Counter()
    holder.installEventFilter(counter)
    for text in texts:
        QApplication.processEvents()
        requests.clear()
        steady.setText(text)
        QApplication.processEvents()
        assert requests == []  # painted in place: nothing laid out again
        assert steady.text() == text
        plain.setText(text)
        plain.resize(steady.size())
        assert steady.grab().toImage() == plain.grab().toImage(), text
    assert steady.accessibleName() == texts[-1]
    steady.setText("a much longer text than any before, which needs more room than it has " * 20)
    assert QLabel.text(steady) == steady.text()  # QLabel takes it: the room grows


def test_a_steady_label_measures_its_room_again_in_a_new_font(qtbot) -> None:
    """The answer goes from "draw a digit" in small type to "3" in large type: its room is that
    of "3" in the large font, not that of the old text in the new font (which would squeeze
    the probability chart beside it to a sliver)."""
    holder = QWidget()
    qtbot.addWidget(holder)
    label = SteadyLabel("draw a digit")
    row = QHBoxLayout(holder)
    row.addWidget(label)
    row.addWidget(QWidget(), 1)
    holder.resize(600, 200)
    holder.show()
    qtbot.waitExposed(holder)
    big = QFont(label.font())
    big.setPointSize(40)
    label.setFont(big)
    label.setText("3")
    QApplication.processEvents()
    assert QLabel.text(label) == "3"
    wide = QFontMetrics(big).horizontalAdvance("draw a digit")
    assert label.sizeHint().width() < wide / 2
    label.setText("7")  # fits the room of "3": painted in place
    assert QLabel.text(label) == "3" and label.text() == "7"


def test_the_answer_leaves_the_probability_chart_its_room(qtbot) -> None:
    lab = _shown_lab(qtbot, 1280, 760)
    panel = lab.prediction_panel
    for label in (3, 7, 1):
        lab.load_sample(label)
        QApplication.processEvents()
        assert panel.answer.text() == str(label)
        assert panel.chart.width() > panel.width() * 0.6
    lab.undo_stack.clear()


def test_the_probability_charts_keep_their_axes_as_pictures(qtbot) -> None:
    """Each new set of bars touches the axes: they are blitted, not drawn again (same look)."""
    from gui.digits.probability_chart import ProbabilityChart

    charts = [ProbabilityChart(), ProbabilityChart()]
    for chart in charts:
        qtbot.addWidget(chart)
        chart.set_labels(tuple(str(k) for k in range(10)))
        chart.resize(500, 200)
        chart.show()
        qtbot.waitExposed(chart)
    cached, plain = charts
    for side in ("left", "bottom"):
        axis = cached.getPlotItem().getAxis(side)
        assert isinstance(axis, CachedAxis)
        assert axis.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
        plain.getPlotItem().getAxis(side).setCacheMode(QGraphicsItem.CacheMode.NoCache)
    rng = np.random.default_rng(2)
    for _ in range(4):
        values = rng.dirichlet(np.ones(10)).astype(np.float32)
        for chart in charts:
            chart.show_probabilities(values, int(np.argmax(values)), ())
        QApplication.processEvents()
        first, second = (c.screen().grabWindow(c.winId()).toImage() for c in charts)
        assert first == second


def test_the_canvas_draws_into_32_bit_rgb_and_reads_the_same_ink(qtbot) -> None:
    """Qt draws a stroke into RGB32 five times faster than into 8-bit gray; the ink is the same."""
    from gui.digits.canvas import DrawingCanvas
    from gui.digits.canvas_image import ink_of, pack, unpack

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(400, 400)
    canvas.show()
    qtbot.waitExposed(canvas)
    assert canvas.image.format() == QImage.Format.Format_RGB32
    canvas.begin_stroke(QPointF(60, 60))
    for step in range(1, 30):
        canvas.extend_stroke(QPointF(60 + 6 * step, 60 + 4 * step))
    canvas.end_stroke()
    gray = canvas.image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    expected = (255.0 - rows[:, : gray.width()].astype(np.float32)) * np.float32(1.0 / 255.0)
    ink = ink_of(canvas.image)
    assert ink.max() == 1.0 and np.array_equal(ink, expected)
    area = QRect(100, 100, 200, 150)
    back = unpack(pack(canvas.image, area), area)
    assert back.format() == QImage.Format.Format_RGB32
    assert back == canvas.image.copy(area)


def test_the_canvas_keeps_its_ink_up_to_date_where_it_changed(qtbot) -> None:
    """After strokes, erasing, undo, redo, a paste and a new picture: the ink read afresh."""
    from gui.digits.canvas_image import blank_paper, fitted_on_paper, ink_of, picture_of

    lab = _shown_lab(qtbot, 1000, 700)
    canvas = lab.canvas
    kept: list[np.ndarray] = []

    def same() -> None:
        ink = canvas.ink()
        assert not ink.flags.writeable and ink.flags.owndata  # the state keeps it as it is
        assert np.array_equal(ink, ink_of(canvas.image))
        kept.append(ink)

    same()
    for stroke, erase in ((0, False), (1, False), (2, True)):
        canvas.begin_stroke(QPointF(40 + 30 * stroke, 50), erase=erase)
        for step in range(1, 12):
            canvas.extend_stroke(QPointF(40 + 30 * stroke + 9 * step, 50 + 14 * step))
            same()
        canvas.end_stroke()
        same()
    for _ in range(2):
        lab.undo_stack.undo()
        same()
    lab.undo_stack.redo()
    same()
    lab.clear()  # a new blank picture; undone, the whole drawing is pasted back
    same()
    lab.undo_stack.undo()
    same()
    canvas.paste(QRect(100, 100, 60, 40), blank_paper().copy(QRect(0, 0, 60, 40)))
    same()
    canvas.replace(fitted_on_paper(picture_of(np.eye(28))))
    same()
    canvas.begin_stroke(QPointF(200, 200))
    canvas.extend_stroke(QPointF(120, 240))
    same()
    assert len({array.tobytes() for array in kept}) > 10  # the ink did change on the way
    assert not np.array_equal(kept[0], kept[-1])


def test_static_text_measures_a_text_once_per_font_and_width(qtbot) -> None:
    """A step's text is measured against the tallest text and for its font: remembered."""
    from gui.widgets import StaticText

    text = StaticText(2, point_size=10, min_point_size=8, max_point_size=14)
    qtbot.addWidget(text)
    text.resize(300, 80)
    text.show()
    qtbot.waitExposed(text)
    measured: list[str] = []
    bounding = text._bounding

    def counting(words: str, font: QFont, inner: int) -> QRect:
        measured.append(words)
        return bounding(words, font, inner)

    text._bounding = counting  # type: ignore[method-assign]
    steps = [f"1×{k} + 0×2 + 3×1 = {k + 3}" for k in range(5)]
    for words in steps:
        text.setText(words)
    first = len(measured)
    for words in steps:  # the same texts again (playing the animation a second time)
        text.setText("")
        text.setText(words)
    assert len(measured) == first  # nothing measured again
    assert first <= 3 * len(steps)
    assert text.fits()
