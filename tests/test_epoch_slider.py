"""The digit lab's epoch slider over a training run's snapshots (issue 14, item 6)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.network.epoch_snapshots import epoch_snapshots
from gui.digits.lab import DigitLab
from models import DENSE_MODEL_PATH

if TYPE_CHECKING:
    from pathlib import Path


def make_run(folder: Path, epochs: int = 3) -> Path:
    """A run folder as models.training writes it: settings, epoch snapshots, the final model.

    Epoch e's network is the shipped dense model with its weights blended towards noise
    (e = last: the model itself), so each epoch answers differently.
    """
    (folder / "epochs").mkdir(parents=True)
    (folder / "settings.json").write_text('{"architecture": "dense-dropout"}', encoding="utf-8")
    rng = np.random.default_rng(1)
    for epoch in range(epochs):
        proto = onnx.load(str(DENSE_MODEL_PATH))
        share = epoch / (epochs - 1)
        for init in proto.graph.initializer:
            array = numpy_helper.to_array(init)
            if array.dtype == np.float32 and array.size > 1:
                noise = rng.normal(0.0, 0.05, array.shape).astype(np.float32)
                init.CopyFrom(
                    numpy_helper.from_array(share * array + (1 - share) * noise, init.name)
                )
        for entry in proto.metadata_props:
            if entry.key == "test_accuracy":
                entry.value = f"{0.1 + 0.4 * epoch:.4f}"
        onnx.save(proto, str(folder / "epochs" / f"epoch-{epoch:03d}.onnx"))
    shutil.copy(folder / "epochs" / f"epoch-{epochs - 1:03d}.onnx", folder / "model.onnx")
    return folder


def test_snapshots_of_a_run_and_of_other_files(tmp_path) -> None:
    run = make_run(tmp_path / "run")
    final = epoch_snapshots(run / "model.onnx")
    assert final is not None
    assert [e for e, _ in final.epochs] == [0, 1, 2]
    assert final.current == 2 and final.epoch == 2
    first = epoch_snapshots(run / "epochs" / "epoch-000.onnx")
    assert first is not None and first.current == 0
    assert first.at(1).path == run / "epochs" / "epoch-001.onnx"
    assert first.text(0.1) == "Epoch 0 of 2 (untrained) · 10 % on the MNIST test set"
    with pytest.raises(IndexError):
        first.at(3)
    assert epoch_snapshots(DENSE_MODEL_PATH) is None  # the shipped model: no run
    (run / "settings.json").unlink()
    assert epoch_snapshots(run / "model.onnx") is None  # the names alone are not enough


def ort_probabilities(path: Path, image: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["probabilities"], {"image": image.reshape(1, 28, 28, 1)})[0][0]


@pytest.fixture
def lab(qtbot):
    widget = DigitLab()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.undo_stack.clear()


def test_the_slider_steps_through_the_epochs_on_the_same_drawing(lab, tmp_path, qtbot) -> None:
    run = make_run(tmp_path / "run")
    assert not lab.epochs.isVisible()  # the shipped model is no run
    assert lab.load_sample(3)
    assert lab.load_model(str(run / "epochs" / "epoch-002.onnx"))  # "Open in Digit Lab"
    assert lab.epochs.isVisible()
    slider = lab.epochs.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 2, 2)
    image = lab.state.image.copy()
    for expected in (1, 0):
        slider.setFocus()
        QTest.keyClick(slider, Qt.Key.Key_Left)
        assert slider.value() == expected
        model = lab.model
        assert model is not None and model.path.name == f"epoch-{expected:03d}.onnx"
        np.testing.assert_array_equal(lab.state.image, image)  # the same drawing
        path = run / "epochs" / f"epoch-{expected:03d}.onnx"
        np.testing.assert_allclose(
            lab.prediction_panel.chart.values, ort_probabilities(path, image), atol=1e-5
        )
        run_state = lab.state.run
        assert run_state is not None
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        assert names == ["probabilities"]
        np.testing.assert_allclose(  # the layers shown are this epoch's too
            lab.network.rows["dense1"].picture.values, run_state.value("dense1"), atol=0
        )
    assert lab.epochs.text.text() == "Epoch 0 of 2 (untrained) · 10 % on the MNIST test set"
    assert lab.load_model(str(DENSE_MODEL_PATH))
    assert not lab.epochs.isVisible()
