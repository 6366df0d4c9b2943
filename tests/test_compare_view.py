"""Why convolution in the digit lab: a second network, the raw framing, arrow-key shifts.

The engine's framing and shifts against independent NumPy (block means, slicing); the compare
view through the real widgets, its numbers against ONNX Runtime run here on the same input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.drawings.digit_prep import to_raw
from engine.drawings.digit_shift import clamp_shift, frame_drawing, shift_images, shift_text
from engine.network.lab_state import LabState
from gui.digits.compare_panel import DENSE, NOTHING
from gui.digits.lab import DigitLab
from models import DEFAULT_MODEL_PATH, DENSE_MODEL_PATH

if TYPE_CHECKING:
    from collections.abc import Iterator


def ort_probabilities(path: object, image: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    batch = np.asarray(image, np.float32).reshape(1, 28, 28, 1)
    return np.asarray(session.run(["probabilities"], {"image": batch})[0][0])


# ----- the engine ------------------------------------------------------------------------
def test_raw_framing_is_the_block_mean_of_the_whole_canvas() -> None:
    rng = np.random.default_rng(0)
    canvas = (rng.random((280, 280)) > 0.7).astype(np.float32)
    expected = canvas.reshape(28, 10, 28, 10).mean(axis=(1, 3))
    np.testing.assert_allclose(to_raw(canvas), expected, atol=1e-5)
    off_centre = np.zeros((280, 280), np.float32)
    off_centre[0:60, 200:240] = 1.0  # a blob in the top right stays there
    raw = frame_drawing(off_centre, "raw")
    assert raw[:6, 20:24].min() == pytest.approx(1.0)
    assert raw[6:, :].max() == 0.0
    centred = frame_drawing(off_centre, "mnist")
    rows, cols = np.nonzero(centred > 0.5)
    assert 10 <= rows.mean() <= 18 and 10 <= cols.mean() <= 18
    with pytest.raises(ValueError, match="framing"):
        frame_drawing(off_centre, "sideways")  # type: ignore[arg-type]


@pytest.mark.parametrize(("rows", "cols"), [(0, 0), (1, 0), (0, -1), (-3, 5), (8, -8), (28, 0)])
def test_shift_moves_every_pixel_and_fills_with_paper(rows: int, cols: int) -> None:
    image = np.arange(1, 28 * 28 + 1, dtype=np.float32).reshape(28, 28)
    moved = shift_images(image, rows, cols)
    expected = np.zeros_like(image)
    for r in range(28):
        for c in range(28):
            if 0 <= r - rows < 28 and 0 <= c - cols < 28:
                expected[r, c] = image[r - rows, c - cols]
    np.testing.assert_array_equal(moved, expected)
    batch = shift_images(np.stack([image, image]), rows, cols)  # (N, H, W) too
    np.testing.assert_array_equal(batch[1], expected)


def test_shift_words_and_limits() -> None:
    assert shift_text(0, 0) == "not moved"
    assert shift_text(-1, 2) == "2 px right, 1 px up"
    assert clamp_shift(40, -40) == (27, -27)
    with pytest.raises(ValueError, match="whole number"):
        shift_images(np.zeros((28, 28)), 0.5, 0)  # type: ignore[arg-type]


def test_lab_state_shifts_and_compares_on_the_same_input() -> None:
    canvas = np.zeros((280, 280), np.float32)
    canvas[60:220, 130:150] = 1.0  # a one
    state = LabState.start().with_model_file(None).with_comparison(DENSE_MODEL_PATH)
    drawn = state.with_drawing(canvas)
    moved = drawn.with_shift(2, -3)
    np.testing.assert_array_equal(moved.image, shift_images(drawn.image, 2, -3))
    comparison = moved.comparison
    assert comparison is not None and comparison.run is not None
    np.testing.assert_allclose(
        comparison.run.probabilities, ort_probabilities(DENSE_MODEL_PATH, moved.image), atol=1e-5
    )
    raw = moved.with_framing("raw")
    np.testing.assert_allclose(raw.image, shift_images(to_raw(canvas), 2, -3), atol=1e-6)
    assert moved.without_comparison().comparison is None


# ----- through the widgets -----------------------------------------------------------------
@pytest.fixture
def lab(qtbot) -> Iterator[DigitLab]:
    widget = DigitLab()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.undo_stack.clear()


def assert_compare_view_is_onnxruntime(lab: DigitLab) -> None:
    """Both answers on screen are ONNX Runtime's, run here on the lab's current input."""
    image = lab.state.image
    mlp = ort_probabilities(DENSE_MODEL_PATH, image)
    cnn = ort_probabilities(DEFAULT_MODEL_PATH, image)
    np.testing.assert_allclose(lab.compare.chart.values, mlp, atol=1e-5)
    np.testing.assert_allclose(lab.prediction_panel.chart.values, cnn, atol=1e-5)
    assert lab.compare.answer.text() == str(int(np.argmax(mlp)))
    assert lab.prediction_panel.answer.text() == str(int(np.argmax(cnn)))


def test_the_dense_network_is_compared_live_from_the_start(lab) -> None:
    assert lab.compare.model_box.currentIndex() == DENSE
    assert lab.compare.result.isVisible()
    assert lab.load_sample(4)
    assert_compare_view_is_onnxruntime(lab)
    assert lab.load_sample(9)
    assert_compare_view_is_onnxruntime(lab)


def test_arrow_keys_move_the_input_one_pixel_and_undo_moves_it_back(lab, qtbot) -> None:
    assert lab.load_sample(3)
    start = lab.state.image.copy()
    lab.canvas.setFocus()
    QTest.keyClick(lab.canvas, Qt.Key.Key_Right)
    QTest.keyClick(lab.canvas, Qt.Key.Key_Right)
    QTest.keyClick(lab.canvas, Qt.Key.Key_Up)
    assert lab.state.shift == (-1, 2)
    np.testing.assert_array_equal(lab.state.image, shift_images(start, -1, 2))
    np.testing.assert_array_equal(lab.input.view.image_item.image, shift_images(start, -1, 2))
    assert lab.compare.shift.text() == "2 px right, 1 px up"
    assert lab.compare.reset_button.isEnabled()
    assert_compare_view_is_onnxruntime(lab)
    lab.undo_stack.undo()
    assert lab.state.shift == (0, 2)
    QTest.mouseClick(lab.compare.reset_button, Qt.MouseButton.LeftButton)
    assert lab.state.shift == (0, 0)
    np.testing.assert_array_equal(lab.state.image, start)
    assert lab.compare.shift.text() == "Not moved"
    assert not lab.compare.reset_button.isEnabled()
    for _ in range(8):
        QTest.keyClick(lab.canvas, Qt.Key.Key_Left)
    assert lab.state.shift == (0, -8)
    assert_compare_view_is_onnxruntime(lab)


def test_the_framing_switch_feeds_the_whole_canvas(lab) -> None:
    assert lab.load_sample(7)
    box = lab.compare.framing_box
    box.setCurrentIndex(1)
    box.activated.emit(1)  # as a click on the item "raw (whole canvas)"
    assert lab.state.framing == "raw"
    ink = lab.canvas.ink()
    h, w = ink.shape
    blocks = ink.reshape(28, h // 28, 28, w // 28).mean(axis=(1, 3))
    np.testing.assert_allclose(lab.state.image, blocks, atol=1e-5)
    assert_compare_view_is_onnxruntime(lab)
    box.setCurrentIndex(0)
    box.activated.emit(0)
    assert lab.state.framing == "mnist"
    assert_compare_view_is_onnxruntime(lab)


def test_compare_with_nothing_and_back(lab) -> None:
    assert lab.load_sample(2)
    lab.compare.model_box.setCurrentIndex(NOTHING)
    lab.compare.model_box.activated.emit(NOTHING)
    assert lab.state.comparison is None
    assert not lab.compare.result.isVisible()
    lab.compare.model_box.setCurrentIndex(DENSE)
    lab.compare.model_box.activated.emit(DENSE)
    assert lab.compare.result.isVisible()
    assert_compare_view_is_onnxruntime(lab)


def test_a_bad_comparison_file_is_refused_and_the_old_one_stays(lab, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "gui.digits.lab.QMessageBox.warning", lambda _p, _t, text, *a, **k: shown.append(text)
    )
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    assert not lab.set_comparison(str(bad))
    assert shown and "bad.onnx" in shown[0]
    assert lab.compare.model_box.currentIndex() == DENSE
    assert lab.load_sample(1)
    assert_compare_view_is_onnxruntime(lab)
