"""The shift chart: the engine's accuracies against ONNX Runtime, the cache, the dialog."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort
import pytest

from engine import OnnxModel
from engine.network import shift_accuracy as sa
from gui.digits import shift_chart
from gui.digits.lab import DigitLab
from gui.digits.shift_chart import ShiftChartDialog
from models import DEFAULT_MODEL_PATH, DENSE_MODEL_PATH

if TYPE_CHECKING:
    from pathlib import Path

DIGITS = 150


def ort_accuracy(path: Path, images: np.ndarray, labels: np.ndarray, rows: int, cols: int):
    """Accuracy of ORT on the digits moved by slicing (independent of shift_images)."""
    moved = np.zeros_like(images)
    h, w = images.shape[1:]
    for r in range(h):
        for c in range(w):
            if 0 <= r - rows < h and 0 <= c - cols < w:
                moved[:, r, c] = images[:, r - rows, c - cols]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = session.run(["probabilities"], {"image": moved[..., None].astype(np.float32)})[0]
    return float(np.mean(out.argmax(axis=1) == labels))


@pytest.fixture(scope="module")
def digits(mnist_npz: Path) -> tuple[np.ndarray, np.ndarray]:
    return sa.load_test_digits(mnist_npz, DIGITS)


@pytest.mark.parametrize("path", [DEFAULT_MODEL_PATH, DENSE_MODEL_PATH], ids=["cnn", "mlp"])
def test_accuracy_per_shift_is_onnxruntimes(path, digits) -> None:
    images, labels = digits
    steps: list[tuple[int, int]] = []
    result = sa.measure_shift_accuracy(
        OnnxModel(path), images, labels, progress=lambda d, t: steps.append((d, t))
    )
    assert steps[-1] == (33, 33) and len(steps) == 33
    assert result.digits == DIGITS and result.shifts == tuple(range(9))
    for direction, (dr, dc) in sa.DIRECTIONS.items():
        for shift in (0, 3, 8):
            expected = ort_accuracy(path, images, labels, dr * shift, dc * shift)
            assert result.accuracy[direction][shift] == pytest.approx(expected)
    assert result.mean[0] == pytest.approx(result.accuracy["left"][0])


def test_cancelling_stops_and_keeps_nothing(digits) -> None:
    images, labels = digits
    with pytest.raises(sa.Cancelled):
        sa.measure_shift_accuracy(
            OnnxModel(DENSE_MODEL_PATH), images, labels, cancelled=lambda: True
        )


def test_results_round_trip_and_damaged_records_are_measured_again(tmp_path, digits) -> None:
    images, labels = digits
    model = OnnxModel(DENSE_MODEL_PATH)
    result = sa.measure_shift_accuracy(model, images[:20], labels[:20])
    path = sa.cache_file(tmp_path, model, 20)
    sa.write_cached(path, result)
    assert sa.read_cached(path) == result
    record = json.loads(path.read_text())
    record["accuracy"]["up"][2] = 7.5
    path.write_text(json.dumps(record))
    assert sa.read_cached(path) is None
    path.write_text("{not json")
    assert sa.read_cached(path) is None
    assert sa.cache_file(tmp_path, model, 20) != sa.cache_file(tmp_path, model, 1000)


def test_table_and_words_are_made_from_the_numbers(digits) -> None:
    images, labels = digits
    results = [
        sa.measure_shift_accuracy(OnnxModel(p), images, labels)
        for p in (DEFAULT_MODEL_PATH, DENSE_MODEL_PATH)
    ]
    table = sa.shift_table(results).splitlines()
    assert len(table) == 2 + 9
    assert table[2].startswith(f"| 0 | {sa.percent(results[0].mean[0])} |")
    words = sa.shift_summary(results)
    assert f"moved by 4 px: {results[0].model} {sa.percent(results[0].mean[4])}" in words
    assert "percentage points" in words


def test_a_bad_mnist_file_is_a_message(tmp_path) -> None:
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"nope")
    with pytest.raises(ValueError, match=r"mnist\.npz"):
        sa.load_test_digits(bad)


# ----- the dialog, through the lab ---------------------------------------------------------
@pytest.fixture
def lab(qtbot, monkeypatch, mnist_npz):
    monkeypatch.setenv("MNIST_NPZ", str(mnist_npz))
    monkeypatch.setattr(shift_chart, "TEST_DIGITS", DIGITS)
    widget = DigitLab()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.stop_shift_chart()


def test_the_chart_is_measured_off_the_gui_thread_then_kept(lab, qtbot, digits, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(lab.compare.chart_button, Qt.MouseButton.LeftButton)
    dialog = lab.shift_chart
    assert isinstance(dialog, ShiftChartDialog)
    assert dialog.running or dialog.results  # measuring in its thread
    qtbot.waitUntil(lambda: len(dialog.results) == 2, timeout=120_000)
    assert not dialog.progress.isVisible()
    images, labels = digits
    cnn, mlp = dialog.results
    assert cnn.accuracy["right"][4] == pytest.approx(
        ort_accuracy(DEFAULT_MODEL_PATH, images, labels, 0, 4)
    )
    assert mlp.accuracy["down"][2] == pytest.approx(
        ort_accuracy(DENSE_MODEL_PATH, images, labels, 2, 0)
    )
    assert len(dialog.plot.getPlotItem().listDataItems()) == 2 * 5
    assert sa.shift_summary(dialog.results) in dialog.text.text()

    def not_again(*_args, **_kwargs):
        raise AssertionError("a kept result is measured again")

    monkeypatch.setattr(shift_chart, "measure_shift_accuracy", not_again)
    again = lab.show_shift_chart()
    assert again is not None and again is not dialog
    qtbot.waitUntil(lambda: len(again.results) == 2, timeout=30_000)
    assert again.results == [cnn, mlp]
