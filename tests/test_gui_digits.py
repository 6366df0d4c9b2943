"""The digit lab through the real widgets (pytest-qt, offscreen): draw, classify, look inside."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from engine import OnnxModel, load_canvas, to_mnist
from engine.drawings.image_files import load_picture
from engine.drawings.picture_fit import fit_picture
from engine.drawings.samples import load_samples
from engine.network import lab_state
from engine.network.model_run import run_model
from engine.network.number_text import percent_text, value_text
from gui.digits.canvas_image import CANVAS_SIZE, fitted_on_paper, picture_of
from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.lab import DigitLab
from gui.digits.summary_dialog import SummaryDialog
from gui.digits.vector_views import VectorBars, VectorStrip
from tests import onnx_builders as build

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from gui.digits.layer_view import LayerView

LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


# ----- helpers ---------------------------------------------------------------------------
def make_lab(qtbot, model_path: str | None = None) -> DigitLab:
    lab = DigitLab(model_path)
    qtbot.addWidget(lab)
    lab.resize(1280, 760)
    lab.show()
    qtbot.waitExposed(lab)
    return lab


@pytest.fixture
def lab(qtbot) -> Iterator[DigitLab]:
    widget = make_lab(qtbot)
    yield widget
    widget.undo_stack.clear()
    widget.close()
    widget.deleteLater()


def stroke(lab: DigitLab, points: Sequence[tuple[float, float]]) -> None:
    """Draw one stroke with QTest through canvas coordinates (0..CANVAS_SIZE)."""
    canvas = lab.canvas
    pixels = [canvas.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(canvas, LEFT, NO_MODIFIER, pixels[0])
    for pixel in pixels[1:]:
        QTest.mouseMove(canvas, pixel)
    QTest.mouseRelease(canvas, LEFT, NO_MODIFIER, pixels[-1])


def one() -> list[tuple[float, float]]:
    return [(140.0 + 0.1 * t, 50.0 + 1.8 * t) for t in range(0, 101, 4)]


def zero() -> list[tuple[float, float]]:
    return [
        (140 + 62 * math.sin(a), 140 - 90 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 48)
    ]


def seven() -> list[tuple[float, float]]:
    top = [(80 + 1.4 * t, 60.0) for t in range(0, 101, 5)]
    stem = [(220 - 0.9 * t, 60 + 1.6 * t) for t in range(0, 101, 5)]
    return top + stem


def view_point(view: LayerView, x: float, y: float) -> QPoint:
    """Viewport pixel of data point (x, y) in a pyqtgraph view."""
    scene = view.view_box.mapViewToScene(QPointF(x, y))
    return view.mapFromScene(scene)


def hover_cell(lab: DigitLab, layer: str, k: int, row: int, col: int) -> None:
    mosaic = lab.network.rows[layer].picture
    assert isinstance(mosaic, FeatureMosaic)
    QApplication.processEvents()  # settle the layout first: a new answer may move the rows
    lab.network.scroll_area.ensureWidgetVisible(mosaic)
    QApplication.processEvents()
    centre = mosaic.cell_centre(k, row, col)
    QTest.mouseMove(mosaic.viewport(), view_point(mosaic, centre.x(), centre.y()))


def move_to(view: LayerView, x: float, y: float) -> None:
    """The mouse moved over data point (x, y) of a view: the move sent to the view itself.

    (QTest.mouseMove routes through the window's cursor position, which in a scroll area
    that has just scrolled may still point at the row above.)
    """
    pixel = QPointF(view_point(view, x, y))
    viewport = view.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove, pixel, viewport.mapToGlobal(pixel),
        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, NO_MODIFIER,
    )  # fmt: skip
    QApplication.sendEvent(viewport, event)


def click_map(lab: DigitLab, layer: str, k: int) -> None:
    mosaic = lab.network.rows[layer].picture
    assert isinstance(mosaic, FeatureMosaic)
    QApplication.processEvents()  # settle the layout first: a new answer may move the rows
    lab.network.scroll_area.ensureWidgetVisible(mosaic)
    QApplication.processEvents()
    centre = mosaic.cell_centre(k, mosaic.map_shape[0] // 2, mosaic.map_shape[1] // 2)
    QTest.mouseClick(
        mosaic.viewport(), LEFT, NO_MODIFIER, view_point(mosaic, centre.x(), centre.y())
    )


def tiny_nchw_model(path: Path, *, size: int = 28, filters: int = 6, softmax: bool = True) -> Path:
    """Conv(3x3, 6 filters) → Relu → MaxPool 2x2 → Flatten → Gemm [→ Softmax], 10 classes,
    NCHW (PyTorch's layout); without the softmax it ends in scores (logits)."""
    rng = np.random.default_rng(7)
    pooled = size // 2
    features = filters * pooled * pooled
    initializers = [
        numpy_helper.from_array(rng.normal(0, 0.5, (filters, 1, 3, 3)).astype(np.float32), "W"),
        numpy_helper.from_array(np.zeros(filters, np.float32), "B"),
        numpy_helper.from_array(rng.normal(0, 0.1, (10, features)).astype(np.float32), "D"),
        numpy_helper.from_array(np.zeros(10, np.float32), "DB"),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "W", "B"], ["c"], "/edge/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], "/edge/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], "/squash/MaxPool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], "/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "D", "DB"], ["s"], "/head/Gemm", transB=1),
    ]  # fmt: skip
    if softmax:
        nodes.append(helper.make_node("Softmax", ["s"], ["probs"], "/Softmax", axis=-1))
    output = "probs" if softmax else "s"
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, size, size])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["N", 10])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


@pytest.fixture
def warnings_shown(monkeypatch) -> list[str]:
    """QMessageBox.warning replaced by a recorder (no modal dialog in tests)."""
    shown: list[str] = []

    def record(parent, title, text, *args, **kwargs):
        shown.append(f"{title}\n{text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    return shown


# ----- drawing and the answer ------------------------------------------------------------
def test_empty_canvas_invites_drawing(lab) -> None:
    assert lab.prediction is None
    assert not lab.prepared_image.any()
    assert lab.prepared_image.shape == (28, 28)
    assert lab.prepared_image.dtype == np.float32
    assert lab.prediction_panel.answer.text() == "draw a digit"
    assert not lab.prediction_panel.chart.values.any()


@pytest.mark.parametrize(("shape", "label"), [(one, "1"), (zero, "0"), (seven, "7")])
def test_drawn_digits_are_recognised(lab, shape, label) -> None:
    stroke(lab, shape())
    prediction = lab.prediction
    assert prediction is not None
    assert prediction[0] == label
    assert lab.prediction_panel.answer.text() == label
    probabilities = lab.prediction_panel.chart.values
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert int(np.argmax(probabilities)) == int(label)
    assert lab.prepared_image.any()


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Delete])
def test_clear_brings_back_draw_a_digit(lab, key) -> None:
    stroke(lab, one())
    assert lab.prediction is not None
    lab.canvas.setFocus()
    QTest.keyClick(lab.canvas, key)
    assert lab.prediction is None
    assert lab.prediction_panel.answer.text() == "draw a digit"
    assert not lab.canvas.ink().any()
    lab.undo_stack.undo()  # a clear is undoable too
    assert lab.prediction is not None
    assert lab.prediction[0] == "1"


def test_clear_button_and_method(lab) -> None:
    stroke(lab, zero())
    QTest.mouseClick(lab.draw.clear_button, LEFT)
    assert lab.prediction is None
    count = lab.undo_stack.count()
    lab.clear()  # nothing to clear: no new undo step
    assert lab.undo_stack.count() == count


def test_undo_takes_back_the_last_stroke(lab) -> None:
    stroke(lab, one())
    after_first = lab.canvas.ink().copy()
    stroke(lab, [(60.0, 60.0), (220.0, 220.0)])
    assert lab.undo_stack.count() == 2
    assert not np.array_equal(lab.canvas.ink(), after_first)
    lab.undo_stack.undo()
    np.testing.assert_array_equal(lab.canvas.ink(), after_first)
    assert lab.prediction is not None
    assert lab.prediction[0] == "1"
    lab.undo_stack.redo()
    assert not np.array_equal(lab.canvas.ink(), after_first)
    lab.undo_stack.undo()
    QTest.mouseClick(lab.draw.undo_button, LEFT)
    assert not lab.canvas.ink().any()
    assert lab.prediction is None
    assert not lab.draw.undo_button.isEnabled()


def test_right_button_and_eraser_erase(lab) -> None:
    stroke(lab, one())
    inked = lab.canvas.ink().sum()
    canvas = lab.canvas
    across = [canvas.to_widget(QPointF(x, 140.0)).toPoint() for x in range(100, 181, 10)]
    QTest.mousePress(canvas, Qt.MouseButton.RightButton, NO_MODIFIER, across[0])
    for point in across[1:]:
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(canvas, Qt.MouseButton.RightButton, NO_MODIFIER, across[-1])
    erased = lab.canvas.ink().sum()
    assert erased < inked
    QTest.mouseClick(lab.draw.eraser, LEFT)
    assert lab.canvas.eraser
    stroke(lab, [(140.0, 40.0), (140.0, 240.0)])
    assert lab.canvas.ink().sum() < erased


def test_pen_width_changes_the_stroke(lab) -> None:
    lab.draw.pen_width.setValue(8)
    stroke(lab, one())
    thin = lab.canvas.ink().sum()
    lab.clear()
    lab.draw.pen_width.setValue(40)
    stroke(lab, one())
    assert lab.canvas.ink().sum() > 2 * thin


def test_touch_draws(lab) -> None:
    device = QTest.createTouchDevice()
    canvas = lab.canvas
    points = [canvas.to_widget(QPointF(140.0, y)).toPoint() for y in range(50, 231, 20)]
    QTest.touchEvent(canvas, device).press(0, points[0], canvas)
    for point in points[1:]:
        QTest.touchEvent(canvas, device).move(0, point, canvas)
    QTest.touchEvent(canvas, device).release(0, points[-1], canvas)
    assert lab.canvas.ink().any()
    assert lab.undo_stack.count() == 1
    assert lab.prediction is not None
    assert lab.prediction[0] == "1"


def test_moves_are_coalesced_into_one_update(lab, monkeypatch) -> None:
    model = lab.model
    assert model is not None
    runs, preparations = [], []
    original = model.forward
    monkeypatch.setattr(model, "forward", lambda image: runs.append(1) or original(image))
    prepare = lab_state.to_mnist
    monkeypatch.setattr(
        lab_state, "to_mnist", lambda canvas: preparations.append(1) or prepare(canvas)
    )
    canvas = lab.canvas
    pixels = [canvas.to_widget(QPointF(140.0, y)).toPoint() for y in range(40, 241, 5)]

    def send(kind: QEvent.Type, pixel: QPoint, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind, QPointF(pixel), canvas.mapToGlobal(QPointF(pixel)), LEFT, buttons, NO_MODIFIER
        )
        QApplication.sendEvent(canvas, event)

    send(QEvent.Type.MouseButtonPress, pixels[0], LEFT)
    for pixel in pixels[1:]:
        send(QEvent.Type.MouseMove, pixel, LEFT)
    assert runs == preparations == []  # nothing computed inside the event handlers
    QApplication.processEvents()
    assert len(runs) == len(preparations) == 1  # 40 moves, one to_mnist and one ORT run
    send(QEvent.Type.MouseButtonRelease, pixels[-1], Qt.MouseButton.NoButton)
    assert lab.prediction is not None


def test_undo_history_is_bounded(lab) -> None:
    limit = lab.undo_stack.undoLimit()
    assert 0 < limit <= 200
    for i in range(limit + 5):
        y = 40.0 + (i % 20) * 10
        stroke(lab, [(100.0, y), (180.0, y)])
    assert lab.undo_stack.count() == limit


# ----- other inputs ----------------------------------------------------------------------
def test_every_gallery_sample_gets_its_class(lab) -> None:
    for label in range(10):
        QTest.mouseClick(lab.draw.gallery.buttons[label], LEFT)
        prediction = lab.prediction
        assert prediction is not None, label
        assert prediction[0] == str(label)
        assert lab.prediction_panel.answer.text() == str(label)
    assert lab.undo_stack.count() == 10


def test_load_sample_puts_the_digit_on_the_canvas_scaled_up(lab) -> None:
    samples = load_samples()
    assert lab.load_sample(3, 1)
    ink = lab.canvas.ink()
    assert ink.shape[0] >= CANVAS_SIZE
    rows = np.flatnonzero(ink.max(axis=1) > 0.5)
    assert rows[-1] - rows[0] > CANVAS_SIZE // 2  # a big digit, not a 28-pixel one
    expected = OnnxModel().predict(samples.of_class(3)[1])
    assert lab.prediction is not None
    assert lab.prediction[0] == str(int(np.argmax(expected)))
    assert not lab.load_sample(3, 10_000)
    assert not lab.load_sample(11)


@pytest.mark.parametrize("suffix", ["png", "jpg"])
@pytest.mark.parametrize("dark_ink", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_open_image_classifies(lab, tmp_path, suffix, dark_ink) -> None:
    digit = load_samples().first_of(5)
    big = np.kron(digit, np.ones((6, 6), dtype=np.float32))
    big = np.pad(big, 30)
    shades = 1.0 - big if dark_ink else big
    gray = np.rint(40 + shades * 180).astype(np.uint8)  # gray paper, not pure black/white
    path = tmp_path / f"five.{suffix}"
    Image.fromarray(gray).convert("RGB").save(path)
    assert lab.open_image(str(path))
    assert lab.prediction is not None
    assert lab.prediction[0] == "5"
    assert lab.undo_stack.count() == 1


def test_bad_image_keeps_the_drawing(lab, tmp_path, warnings_shown) -> None:
    stroke(lab, one())
    before = lab.canvas.ink().copy()
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a picture at all")
    assert not lab.open_image(str(bad))
    assert len(warnings_shown) == 1
    assert "broken.png" in warnings_shown[0]
    np.testing.assert_array_equal(lab.canvas.ink(), before)
    assert lab.prediction is not None
    assert lab.prediction[0] == "1"


def test_open_image_dialog_cancelled(lab, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert not lab.open_image()


def test_an_opened_picture_is_classified_as_the_file_until_edited(lab, tmp_path) -> None:
    path = tmp_path / "three.png"
    digit = load_samples().first_of(3)
    Image.fromarray(np.rint(255 - 255 * np.kron(digit, np.ones((5, 5)))).astype(np.uint8)).save(
        path
    )
    from_file = to_mnist(load_canvas(path))
    assert lab.open_image(str(path))
    np.testing.assert_array_equal(lab.prepared_image, from_file)
    stroke(lab, [(20.0, 20.0), (60.0, 30.0)])  # an edit: now it is a drawing
    edited = lab.prepared_image.copy()
    assert not np.array_equal(edited, from_file)
    np.testing.assert_array_equal(edited, to_mnist(lab.canvas.ink()))
    lab.undo_stack.undo()  # back to the unedited picture: the file's input again
    np.testing.assert_array_equal(lab.prepared_image, from_file)
    lab.undo_stack.undo()  # before the picture: nothing
    assert lab.prediction is None
    lab.undo_stack.redo()
    np.testing.assert_array_equal(lab.prepared_image, from_file)
    lab.undo_stack.redo()
    np.testing.assert_array_equal(lab.prepared_image, edited)
    lab.clear()
    assert lab.prediction is None and not lab.prepared_image.any()


# ----- models ----------------------------------------------------------------------------
def test_model_summary_for_the_status_bar(lab) -> None:
    summary = lab.model_summary()
    assert "MNIST CNN" in summary
    assert "28×28×1" in summary
    assert "99.46 % on MNIST test" in summary


def test_bad_model_gives_a_dialog_and_keeps_the_previous(lab, qtbot, tmp_path, warnings_shown):
    previous = lab.model
    stroke(lab, seven())
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(bytes(range(256)) * 40)
    with qtbot.assertNotEmitted(lab.modelChanged):
        assert not lab.load_model(str(garbage))
    assert len(warnings_shown) == 1
    assert "garbage.onnx" in warnings_shown[0]
    assert lab.model is previous
    assert lab.prediction is not None
    assert lab.prediction[0] == "7"
    assert not lab.load_model(str(tmp_path / "missing.onnx"))
    assert len(warnings_shown) == 2
    assert lab.model is previous


def test_model_with_an_input_too_small_to_show_is_refused(lab, tmp_path, warnings_shown) -> None:
    path = tiny_nchw_model(tmp_path / "small.onnx", size=4)
    previous = lab.model
    assert not lab.load_model(str(path))
    assert "4×4" in warnings_shown[0]
    assert "from 8×8 to 256×256" in warnings_shown[0]
    assert lab.model is previous


def test_custom_nchw_model_shows_its_own_layers(lab, qtbot, tmp_path) -> None:
    path = tiny_nchw_model(tmp_path / "tiny.onnx")
    stroke(lab, one())
    with qtbot.waitSignal(lab.modelChanged, timeout=2000):
        assert lab.load_model(str(path))
    model = lab.model
    assert model is not None
    assert model.layout == "NCHW"
    names = [info.name for info in model.layers()]
    assert list(lab.network.rows) == names
    assert "conv1" not in names  # nothing of the shipped model's names is assumed
    assert lab.prediction is not None  # the drawing stays and is classified by the new model
    run = lab.state.run
    assert run is not None
    records = model.forward(run.model_input).activations  # as preprocessed for this model
    for record in records:
        picture = lab.network.picture(record.name)
        if record.array.ndim == 3:
            assert isinstance(picture, FeatureMosaic)
            assert picture.count == record.array.shape[2]
            assert_tiles_equal(picture, record.array)
        else:
            assert isinstance(picture, (VectorBars, VectorStrip))
            np.testing.assert_allclose(picture.values, record.array.reshape(-1), rtol=1e-6)
    first_conv = names[0]
    click_map(lab, first_conv, 2)
    assert lab.network.chosen_filter == (first_conv, 2)
    assert "28×28×1" in lab.model_summary()
    assert "test accuracy unknown" in lab.model_summary()


def test_model_ending_in_scores_still_shows_probabilities(lab, tmp_path) -> None:
    path = tiny_nchw_model(tmp_path / "logits.onnx", softmax=False)
    assert lab.load_model(str(path))
    lab.load_sample(2)
    model = lab.model
    assert model is not None
    assert model.layers()[-1].op != "Softmax"
    shown = lab.prediction_panel.chart.values
    run = lab.state.run
    assert run is not None and run.kind == "logits"
    np.testing.assert_allclose(shown, model.predict(run.model_input), rtol=1e-5, atol=1e-7)
    assert "softmax of the model's scores" in lab.prediction_panel.detail.text()
    assert lab.prediction is not None
    assert lab.prediction[1] == pytest.approx(float(shown.max()))


def test_lab_without_a_model_still_draws(qtbot, tmp_path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\x01garbage")
    lab = make_lab(qtbot, str(garbage))
    try:
        assert lab.model is None
        assert lab.results.currentWidget() is lab.problem
        assert "garbage.onnx" in lab.problem.text.text()
        assert lab.model_summary() == "No model loaded"
        stroke(lab, one())
        assert lab.prepared_image.any()
        assert lab.prediction is None
        assert lab.load_model(str(OnnxModel().path))
        assert lab.results.currentWidget() is not lab.problem
        assert lab.prediction is not None
        assert lab.prediction[0] == "1"
    finally:
        lab.undo_stack.clear()
        lab.close()
        lab.deleteLater()


def test_names_from_a_model_file_are_shown_as_plain_text(lab, tmp_path) -> None:
    path = tiny_nchw_model(tmp_path / "tags.onnx")
    proto = onnx.load(str(path))
    proto.graph.node[0].name = "/<b>x&y/Conv"  # a layer name that looks like markup
    entry = proto.metadata_props.add()
    entry.key, entry.value = "name", "<i>Tiny</i>"
    path.write_bytes(proto.SerializeToString())
    assert lab.load_model(str(path))
    assert "<b>x&y" in lab.network.rows
    row = lab.network.rows["<b>x&y"]
    assert "&lt;b&gt;x&amp;y — convolution" in row.title.text()
    assert lab.network.title.text() == "Inside the network: <i>Tiny</i>, 6 layers"
    assert lab.network.title.textFormat() == Qt.TextFormat.PlainText
    stroke(lab, one())
    hover_cell(lab, "<b>x&y", 0, 5, 5)
    assert lab.input.info.text().startswith("<b>&lt;b&gt;x&amp;y</b>, map 1 of 6, row 6, column 6")


# ----- inside the network ----------------------------------------------------------------
def assert_tiles_equal(mosaic: FeatureMosaic, maps: np.ndarray) -> None:
    h, w = mosaic.map_shape
    image = mosaic.image_item.image
    assert image.dtype == np.float32
    assert image.flags["C_CONTIGUOUS"]
    for k in range(maps.shape[2]):
        r0, c0 = mosaic.tile_origin(k)
        np.testing.assert_array_equal(image[r0 : r0 + h, c0 : c0 + w], maps[:, :, k])


def test_every_layer_is_shown_with_its_activations(lab) -> None:
    stroke(lab, seven())
    model = lab.model
    assert model is not None
    records = model.activations(lab.prepared_image)
    assert list(lab.network.rows) == [info.name for info in model.layers()]
    assert [r.name for r in records] == list(lab.network.rows)
    for record in records:
        row = lab.network.rows[record.name]
        assert record.name in row.title.text()
        assert "×".join(map(str, record.shape)) in row.title.text()
        picture = row.picture
        if record.array.ndim == 3:
            assert isinstance(picture, FeatureMosaic)
            assert_tiles_equal(picture, record.array)
            assert len(picture.image_item.lut) <= 256
        else:
            np.testing.assert_allclose(picture.values, record.array.reshape(-1), rtol=1e-6)
    mosaics = [r.picture for r in lab.network.rows.values() if isinstance(r.picture, FeatureMosaic)]
    assert len(mosaics) == 6  # one image per map layer, not a widget per map


def test_mosaics_keep_fixed_levels(lab) -> None:
    lab.load_sample(0)
    mosaic = lab.network.rows["conv1"].picture
    assert isinstance(mosaic, FeatureMosaic)
    levels = tuple(mosaic.image_item.getLevels())
    lab.load_sample(8)
    assert tuple(mosaic.image_item.getLevels()) == levels


def test_hovering_shows_receptive_fields(lab) -> None:
    stroke(lab, seven())
    hover_cell(lab, "conv1", 0, 10, 10)
    conv1 = lab.input.view.field_rect
    assert conv1 is not None
    assert (conv1.width(), conv1.height()) == (3, 3)
    assert "conv1" in lab.input.info.text()
    hover_cell(lab, "conv2", 5, 7, 7)
    conv2 = lab.input.view.field_rect
    assert conv2 is not None
    assert conv2.width() > conv1.width()
    assert conv2.height() > conv1.height()
    field = lab.model.receptive_field("conv2", 7, 7)
    assert (conv2.x(), conv2.y(), conv2.width(), conv2.height()) == (
        field.col0, field.row0, field.width, field.height,
    )  # fmt: skip
    value = lab.model.activations(lab.prepared_image)[3].array[7, 7, 5]
    assert "map 6 of 64" in lab.input.info.text()
    assert value_text(float(value)) in lab.input.info.text()


def test_choosing_a_first_layer_map_animates_its_filter(lab, qtbot) -> None:
    stroke(lab, seven())
    button = lab.network.animate_button
    assert not button.isEnabled()
    click_map(lab, "conv2", 4)  # not the first convolution: nothing to animate
    assert lab.network.chosen_filter is None
    assert not button.isEnabled()
    click_map(lab, "conv1", 4)
    assert lab.network.chosen_filter == ("conv1", 4)
    assert button.isEnabled()
    with qtbot.waitSignal(lab.animateFilterRequested, timeout=2000) as signal:
        QTest.mouseClick(button, LEFT)
    assert signal.args == ["conv1", 4]
    click_map(lab, "conv1 · relu", 9)  # the ReLU's maps are the same filters
    assert lab.network.chosen_filter == ("conv1", 9)
    with qtbot.waitSignal(lab.animateFilterRequested, timeout=2000) as signal:
        QTest.mouseClick(button, LEFT)
    assert signal.args == ["conv1", 9]


def test_hovering_a_dense_unit_covers_the_whole_input(lab) -> None:
    stroke(lab, seven())
    bars = lab.network.rows["dense1"].picture
    assert isinstance(bars, VectorBars)
    QApplication.processEvents()  # settle the layout first: a new answer may move the rows
    lab.network.scroll_area.ensureWidgetVisible(bars)
    QApplication.processEvents()
    move_to(bars, 5.0, 0.0)
    field = lab.input.view.field_rect
    assert field is not None
    assert (field.x(), field.y(), field.width(), field.height()) == (0, 0, 28, 28)
    assert "unit 6 of 128" in lab.input.info.text()
    assert "every input pixel" in lab.input.info.text()
    scores = lab.network.rows["probabilities"].picture
    QApplication.processEvents()  # settle the layout first: a new answer may move the rows
    lab.network.scroll_area.ensureWidgetVisible(scores)
    QApplication.processEvents()
    move_to(scores, 7.0, 0.0)
    assert "class 7" in lab.input.info.text()
    QTest.mouseMove(lab.input.view.viewport(), view_point(lab.input.view, 3.5, 2.5))
    assert lab.input.view.field_rect is None
    assert "row 3, column 4" in lab.input.info.text()


def test_tablet_pen_draws_and_its_eraser_erases(lab) -> None:
    canvas = lab.canvas
    capabilities = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    stylus = QInputDevice.DeviceType.Stylus
    pointers = (QPointingDevice.PointerType.Pen, QPointingDevice.PointerType.Eraser)
    devices = {
        pointer: QPointingDevice(f"test {pointer.name}", 1, stylus, pointer, capabilities, 1, 3)
        for pointer in pointers
    }

    def pen(kind: QEvent.Type, y: float, pointer: QPointingDevice.PointerType) -> None:
        position = canvas.to_widget(QPointF(140.0, y))
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(
            kind, devices[pointer], position, canvas.mapToGlobal(position), 0.8, 0.0, 0.0, 0.0,
            0.0, 0.0, NO_MODIFIER, LEFT, buttons,
        )  # fmt: skip
        QApplication.sendEvent(canvas, event)

    tip = QPointingDevice.PointerType.Pen
    pen(QEvent.Type.TabletPress, 50.0, tip)
    for y in range(60, 231, 10):
        pen(QEvent.Type.TabletMove, float(y), tip)
    pen(QEvent.Type.TabletRelease, 230.0, tip)
    inked = canvas.ink().sum()
    assert inked > 0
    assert lab.undo_stack.count() == 1
    eraser = QPointingDevice.PointerType.Eraser
    pen(QEvent.Type.TabletPress, 100.0, eraser)
    pen(QEvent.Type.TabletMove, 180.0, eraser)
    pen(QEvent.Type.TabletRelease, 180.0, eraser)
    assert canvas.ink().sum() < inked
    assert lab.undo_stack.count() == 2


# ----- the eraser, titles, numbers ----------------------------------------------------------
def band_height(ink: np.ndarray, column: int, inked: bool) -> int:
    """How many rows of one column are ink (or paper)."""
    values = ink[:, column]
    return int(np.sum(values > 0.5) if inked else np.sum(values < 0.5))


def test_the_eraser_is_as_wide_as_the_pen(lab) -> None:
    canvas = lab.canvas
    middle = [(40.0 + 10 * i, 140.0) for i in range(21)]
    stroke(lab, middle)
    drawn = band_height(canvas.ink(), 280, inked=True)  # device column at x = 140
    assert drawn == pytest.approx(22 * 2, abs=3)  # the pen: 22 logical px, 2 device px each
    black = fitted_on_paper(picture_of(np.ones((28, 28), np.float32)))
    canvas.replace(black)
    pixels = [canvas.to_widget(QPointF(x, y)).toPoint() for x, y in middle]
    QTest.mousePress(canvas, Qt.MouseButton.RightButton, NO_MODIFIER, pixels[0])
    for point in pixels[1:]:
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(canvas, Qt.MouseButton.RightButton, NO_MODIFIER, pixels[-1])
    erased = band_height(canvas.ink(), 280, inked=False)
    assert erased == pytest.approx(drawn, abs=2)  # the same width as the pen's stroke


def test_class_layers_are_titled_by_what_their_values_are(lab) -> None:
    scores = lab.network.rows["probabilities"]
    assert scores.title.text().endswith("→ 10 logits")
    assert "Its values are logits (scores), not probabilities." in scores.explanation.text()
    answer = lab.network.rows["probabilities · softmax"]
    assert answer.title.text().endswith("→ 10 probabilities")
    assert lab.network.rows["dense1"].title.text().endswith("→ 128")


def test_rounded_percentages_are_marked(lab) -> None:
    lab.load_sample(1)
    run = lab.state.run
    assert run is not None
    texts = lab.prediction_panel.chart.bar_texts
    for probability, text in zip(run.probabilities.tolist(), texts, strict=True):
        if text:
            assert text == percent_text(probability, compact=True)
    top = float(run.probabilities.max())
    assert lab.prediction_panel.detail.text().startswith(f"probability {percent_text(top)}")
    if top < 1.0:
        assert "100 %" not in lab.prediction_panel.detail.text().replace("99.", "")


def test_the_summary_shows_what_summary_prints(lab, qtbot) -> None:
    QTest.mouseClick(lab.network.summary_button, LEFT)
    dialogs = lab.findChildren(SummaryDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.isVisible()
    assert dialog.text.toPlainText() == lab.summary_text()
    assert "Total params: 421,642" in dialog.text.toPlainText()
    assert "Preprocessing: input 0..1, white ink on black (read from the model file)" in (
        dialog.text.toPlainText()
    )
    dialog.close()


# ----- the input range, shown and editable ----------------------------------------------------
def test_the_input_range_is_shown_changed_and_remembered(lab, qtbot, tmp_path) -> None:
    setup = lab.input.setup
    assert setup.range_box.currentText() == "0..1"
    assert setup.chosen.text() == "read from the model file"
    assert not setup.fit_box.isVisibleTo(lab) and setup.ink_box.isVisibleTo(lab)
    lab.load_sample(5)
    before = lab.state.run
    index = setup.range_box.findText("−1..1")
    setup.range_box.setCurrentIndex(index)
    setup.range_box.activated.emit(index)
    choice = lab.state.choice
    assert choice is not None and choice.source == "chosen"
    assert (choice.preprocessing.name, choice.preprocessing.inverted) == ("−1..1", False)
    run = lab.state.run
    assert run is not None and before is not None
    np.testing.assert_allclose(run.model_input[..., 0], lab.prepared_image * 2 - 1, atol=1e-6)
    assert setup.chosen.text() == "chosen by you for this model file"
    setup.ink_box.setCurrentIndex(1)
    setup.ink_box.activated.emit(1)
    assert lab.state.choice.preprocessing.inverted  # type: ignore[union-attr]
    again = make_lab(qtbot)  # a new lab (a new run of the app) remembers the choice
    try:
        kept = again.state.choice
        assert kept is not None and kept.source == "chosen"
        assert kept.preprocessing.name == "−1..1" and kept.preprocessing.inverted
        assert again.input.setup.range_box.currentText() == "−1..1"
    finally:
        again.close()
        again.deleteLater()


def test_a_model_no_range_fits_gets_a_warning_banner(lab, tmp_path) -> None:
    path = tiny_nchw_model(tmp_path / "random.onnx")
    assert not lab.warning.isVisibleTo(lab)
    assert lab.load_model(str(path))
    assert lab.warning.isVisibleTo(lab)
    assert "cannot be trusted" in lab.warning.text()
    assert lab.input.setup.chosen.text().startswith("found on the MNIST samples: ")


# ----- models of any image size -------------------------------------------------------------
def colour_photo(path: Path, height: int = 60, width: int = 100) -> Path:
    rng = np.random.default_rng(11)
    coarse = (rng.random((5, 5, 3)) * 255).astype(np.uint8)
    photo = Image.fromarray(coarse).resize((width, height), Image.Resampling.BILINEAR)
    photo.save(path)
    return path


def test_an_image_model_classifies_opened_pictures(lab, tmp_path, qtbot) -> None:
    labels = [f"thing {i}" for i in range(10)]
    path = build.save(build.image_classifier(labels=labels), tmp_path / "cifar.onnx")
    stroke(lab, one())
    with qtbot.waitSignal(lab.modelChanged, timeout=3000):
        assert lab.load_model(str(path))
    assert lab.source.currentWidget() is lab.picture
    assert "32×32×3" in lab.picture.hint.text()
    assert lab.prediction is None  # a drawing is not this model's input
    assert lab.prediction_panel.answer.text() == "open a picture"
    assert lab.input.setup.fit_box.isVisibleTo(lab)
    assert not lab.input.setup.ink_box.isVisibleTo(lab)
    assert not lab.load_sample(3)  # MNIST digits are not this model's pictures
    photo = colour_photo(tmp_path / "photo.png")
    assert lab.open_image(str(photo))
    model = lab.model
    assert model is not None
    state = lab.state
    assert state.image.shape == (32, 32, 3)
    np.testing.assert_array_equal(
        state.image, fit_picture(load_picture(photo), (32, 32, 3), "crop")
    )
    run = run_model(model, state.image)
    assert lab.prediction == (run.prediction.label, run.prediction.probability)
    assert lab.prediction_panel.answer.text() in labels
    assert lab.input.view.image_item.image.shape == (32, 32, 3)
    QApplication.processEvents()  # the input view is laid out for 32×32 pictures
    QApplication.processEvents()  # and the compare panel beside the answer for an image model
    QTest.mouseMove(lab.input.view.viewport(), view_point(lab.input.view, 4.5, 2.5))
    assert "Input pixel row 3, column 5: <b>R " in lab.input.info.text()  # and G, B
    lab.input.setup.fit_box.setCurrentIndex(1)
    lab.input.setup.fit_box.activated.emit(1)
    letterboxed = lab.state.image
    assert letterboxed[:6].max() == 0.0  # a 60×100 photo letterboxed: black rows above
    assert lab.inputs.get(model.sha256).fit == "letterbox"
    lab.clear()
    assert lab.prediction is None and not lab.state.image.any()


def test_models_and_pictures_can_be_dropped_on_the_lab(lab, tmp_path, qtbot) -> None:
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    def drop(path: Path) -> None:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, LEFT, NO_MODIFIER)
        lab.dropEvent(event)

    model_path = build.save(build.image_classifier(size=16), tmp_path / "drop.onnx")
    with qtbot.waitSignal(lab.modelChanged, timeout=3000):
        drop(model_path)
    assert lab.model is not None and lab.model.path == model_path
    drop(colour_photo(tmp_path / "dropped.png"))
    assert lab.prediction is not None
    assert lab.state.image.shape == (16, 16, 3)


def test_every_layer_view_shows_its_whole_picture(lab, tmp_path) -> None:
    assert lab.load_model(str(tiny_nchw_model(tmp_path / "tiny.onnx")))
    lab.load_sample(4)
    QApplication.processEvents()
    views = [row.picture for row in lab.network.rows.values()]
    views.append(lab.input.view)
    for view in views:  # no view paints into a stale, shorter viewport after a re-layout
        assert view.viewport().size() == view.size(), view
