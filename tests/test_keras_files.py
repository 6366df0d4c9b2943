"""Keras model files: converted to ONNX in a child process with the training package's exporter,
kept beside the original, their own preprocessing layers kept (and found); without TensorFlow
the message says how to install it. Neither the test process nor the GUI imports TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog

import main
from engine import OnnxModel
from engine.drawings.samples import load_samples
from engine.network import keras_files
from engine.network.input_choice import choose_input
from engine.network.keras_files import (
    CONVERTER,
    convert_keras_file,
    converted_path,
    is_keras_file,
    parse_event,
    up_to_date,
)
from engine.network.model import ModelError
from gui.digits import keras_conversion
from gui.digits.lab import DigitLab

ROOT = Path(__file__).resolve().parent.parent

# The shipped network as a Keras model with a Rescaling(1/255) layer in front: it takes raw
# 0..255 pixels, which the app must find after converting it.
MAKE_KERAS_MODEL = """
import os, sys
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import keras, onnx
from onnx import numpy_helper
from models import DEFAULT_MODEL_PATH
shipped = onnx.load(str(DEFAULT_MODEL_PATH))
weights = {t.name: numpy_helper.to_array(t) for t in shipped.graph.initializer}
layers = keras.layers
inputs = keras.Input((28, 28, 1))
x = layers.Rescaling(1 / 255, name="rescaling")(inputs)
x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(x)
x = layers.MaxPooling2D(name="pool1")(x)
x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
x = layers.MaxPooling2D(name="pool2")(x)
x = layers.Flatten(name="flatten")(x)
x = layers.Dense(128, activation="relu", name="dense1")(x)
outputs = layers.Dense(10, activation="softmax", name="digits")(x)
model = keras.Model(inputs, outputs, name="raw_pixels")
for name in ("conv1", "conv2"):
    model.get_layer(name).set_weights(
        [weights[name + "/kernel"].transpose(2, 3, 1, 0), weights[name + "/bias"]]
    )
model.get_layer("dense1").set_weights([weights["dense1/kernel"], weights["dense1/bias"]])
model.get_layer("digits").set_weights(
    [weights["probabilities/kernel"], weights["probabilities/bias"]]
)
model.save(sys.argv[1])
"""


def environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained Keras digit model (.keras), made in a child process (TensorFlow stays there)."""
    path = tmp_path_factory.mktemp("keras") / "raw pixels.keras"
    done = subprocess.run(
        [sys.executable, "-c", MAKE_KERAS_MODEL, str(path)],
        capture_output=True, text=True, env=environment(), timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return path


def test_the_converter_speaks_json_lines() -> None:
    assert parse_event('{"event": "progress", "message": "Reading"}') == (
        keras_files.ConversionEvent("progress", "Reading")
    )
    assert parse_event('{"event": "done", "path": "/x.onnx"}').text == "/x.onnx"  # type: ignore[union-attr]
    assert parse_event("2024-01-01 tensorflow says hello") is None
    assert parse_event('{"event": "other"}') is None
    assert is_keras_file("m.keras") and is_keras_file("M.H5") and not is_keras_file("m.onnx")
    assert converted_path("/a/model.h5") == Path("/a/model.h5.onnx")


def test_a_keras_file_is_converted_kept_and_its_rescaling_found(keras_file, monkeypatch, capsys):
    messages: list[str] = []
    output = convert_keras_file(keras_file, messages.append)
    assert output == converted_path(keras_file) and output.is_file()
    assert messages[0].startswith("Starting TensorFlow")
    assert up_to_date(keras_file)
    model = OnnxModel(output)
    assert model.metadata["converted_from"] == keras_file.name
    layers = [(info.name, info.op) for info in model.layers()]
    assert layers[:4] == [  # Keras's Rescaling is exported as x · scale + offset
        ("rescaling", "Mul"), ("rescaling 2", "Add"), ("conv1", "Conv"), ("conv1 · relu", "Relu"),
    ]  # fmt: skip
    choice = choose_input(model, samples=load_samples())
    assert choice.preprocessing.name == "0..255" and choice.detection is not None
    assert choice.detection.best.correct >= 90
    # Opened again: the converted file is used at once, no child process is started.
    monkeypatch.setattr(keras_files.subprocess, "Popen", None)
    assert convert_keras_file(keras_file) == output
    assert main.main(["--model", str(keras_file), "--summary"]) == 0
    summary = capsys.readouterr().out
    assert "rescaling (Mul)" in summary and "0..255" in summary


def test_the_lab_converts_in_a_child_process_with_progress(keras_file, qtbot, tmp_path) -> None:
    copy = tmp_path / "copy.keras"
    copy.write_bytes(keras_file.read_bytes())
    lab = DigitLab()
    qtbot.addWidget(lab)
    try:
        progress: list[str] = []
        lab.conversion.progress.connect(progress.append)
        with qtbot.waitSignal(lab.modelChanged, timeout=240_000):
            assert not lab.load_model(str(copy))  # started, not done
            assert lab.conversion.running
        assert lab.model is not None and lab.model.path == converted_path(copy)
        assert any(text.startswith("Converting to ONNX") for text in progress)
        assert lab.input.setup.range_box.currentText() == "0..255"
        assert lab.load_sample(7)
        assert lab.prediction is not None and lab.prediction[0] == "7"
    finally:
        lab.undo_stack.clear()
        lab.close()
        lab.deleteLater()


@pytest.fixture
def no_tensorflow(monkeypatch) -> None:
    """The converter started without site-packages: TensorFlow, Keras and tf2onnx are missing."""

    def command(source: str | os.PathLike[str]) -> list[str]:
        return [sys.executable, "-S", "-m", CONVERTER, str(source), str(converted_path(source))]

    monkeypatch.setattr(keras_files, "conversion_command", command)
    monkeypatch.setattr(keras_conversion, "conversion_command", command)


def test_without_tensorflow_the_message_says_how_to_install_it(tmp_path, no_tensorflow) -> None:
    fake = tmp_path / "model.keras"
    fake.write_bytes(b"PK not really")
    with pytest.raises(ModelError) as caught:
        convert_keras_file(fake)
    message = str(caught.value)
    assert "model.keras: opening a Keras model needs tensorflow" in message
    assert 'pip install -e ".[train]"' in message
    assert not converted_path(fake).exists()
    assert main.main(["--model", str(fake), "--classify", str(fake)]) == 2


def test_the_lab_says_how_to_install_tensorflow(tmp_path, no_tensorflow, qtbot, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text)
    )
    fake = tmp_path / "model.h5"
    fake.write_bytes(b"\x89HDF not really")
    lab = DigitLab()
    qtbot.addWidget(lab)
    try:
        previous = lab.model
        with qtbot.waitSignal(lab.conversion.failed, timeout=60_000):
            lab.load_model(str(fake))
        assert len(shown) == 1 and 'pip install -e ".[train]"' in shown[0]
        assert lab.model is previous
    finally:
        lab.close()
        lab.deleteLater()


def test_closing_the_window_ends_a_conversion(tmp_path, qtbot, monkeypatch) -> None:
    from gui.digits.mode import DigitLabMode

    def slow(source: str | os.PathLike[str]) -> list[str]:
        return [sys.executable, "-c", "import time; time.sleep(60)"]

    monkeypatch.setattr(keras_conversion, "conversion_command", slow)
    fake = tmp_path / "slow.keras"
    fake.write_bytes(b"PK")
    mode = DigitLabMode()
    qtbot.addWidget(mode.lab)
    try:
        assert not mode.open_model(str(fake))
        assert mode.lab.converting
        process = mode.lab.conversion.process
        assert process is not None
        qtbot.waitUntil(lambda: process.processId() > 0, timeout=5000)
        dialogs = mode.lab.findChildren(QProgressDialog)
        assert len(dialogs) == 1 and dialogs[0].isVisible()
        mode.closing()
        assert not mode.lab.converting
        assert not dialogs[0].isVisible()
    finally:
        mode.lab.close()
        mode.lab.deleteLater()
