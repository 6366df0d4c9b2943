"""The presets (the KTH ladder and the CNNs) against Keras: summary, code, export, digit lab.

The GUI shows a preset's `model.summary()` table and Keras code computed without TensorFlow;
these tests build the real Keras models and check that what the GUI shows is what trains. Every
preset's export keeps the model contract, and the digit lab opens it and classifies a digit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pytest

from models.training.architectures import (
    ARCHITECTURES,
    regularisation_text,
    summary_rows,
    total_parameters,
)
from models.training.contract import check_model_contract
from models.training.data import MnistData
from models.training.fitting import exponential_rate, learning_rate_callbacks, make_optimizer
from models.training.framework import use_tensorflow_backend
from models.training.keras_code import keras_code, model_code
from models.training.keras_models import build_model, first_layer_weights, layer_rows
from models.training.settings import TrainingSettings
from models.training.snapshots import measured_export

if TYPE_CHECKING:
    from pathlib import Path

    import keras
    from pytestqt.qtbot import QtBot

PRESETS = list(ARCHITECTURES)
LADDER_PARAMETERS = {
    # (784 + 1)·10 = 7,850: slide 004's one-layer network
    "softmax": 7_850,
    # (784+1)·200 + (200+1)·100 + (100+1)·60 + (60+1)·30 + (30+1)·10
    "dense-sigmoid": 157_000 + 20_100 + 6_060 + 1_830 + 310,
}


@pytest.fixture(scope="module")
def models() -> dict[str, keras.Model]:
    use_tensorflow_backend()
    import keras

    keras.utils.set_random_seed(0)
    return {key: build_model(architecture) for key, architecture in ARCHITECTURES.items()}


@pytest.mark.parametrize("key", PRESETS)
def test_the_summary_table_is_keras_own(key: str, models: dict[str, keras.Model]) -> None:
    assert summary_rows(ARCHITECTURES[key]) == layer_rows(models[key])


def test_parameter_counts_follow_the_slides_formula() -> None:
    for key, expected in LADDER_PARAMETERS.items():
        assert total_parameters(summary_rows(ARCHITECTURES[key])) == expected
    rows = {row.name: row for row in summary_rows(ARCHITECTURES["lecture"])}
    assert rows["conv1"].parameters == (3 * 3 * 1 + 1) * 32  # slide 002: (w·h·C + 1)·D
    assert rows["conv2"].parameters == (3 * 3 * 32 + 1) * 64
    assert rows["pool2"].output_shape == "7×7×64"


def test_a_dropout_rate_reaches_every_dropout_layer() -> None:
    architecture = ARCHITECTURES["dense-dropout"]
    rows = summary_rows(architecture, dropout=0.5)
    assert [row.kind for row in rows if row.name.startswith("dropout")] == [
        "Dropout 0.5 (training only)"
    ]
    assert regularisation_text(architecture) == "dropout 0.2 after dense1"
    assert regularisation_text(ARCHITECTURES["lecture"]) == (
        "dropout 0.25 after flatten, 0.4 after dense1"
    )
    assert regularisation_text(ARCHITECTURES["lecture"], 0.1) == (
        "dropout 0.1 after flatten and dense1"
    )
    assert regularisation_text(ARCHITECTURES["softmax"]) == "none"
    use_tensorflow_backend()
    model = build_model(architecture, dropout=0.5)
    assert {layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"} == {0.5}


@pytest.mark.parametrize("key", PRESETS)
def test_the_code_a_student_reads_builds_the_same_network(
    key: str, models: dict[str, keras.Model]
) -> None:
    import tensorflow as tf

    namespace: dict[str, object] = {"tf": tf}
    exec(model_code(TrainingSettings.for_architecture(key)), namespace)
    student = namespace["model"]
    ours = [row for row in layer_rows(models[key]) if row.kind != "Input"]
    theirs = [
        (layer.output.shape[1:], int(layer.count_params()))
        for layer in student.layers  # type: ignore[attr-defined]
    ]
    assert [(tuple(int(size) for size in shape), count) for shape, count in theirs] == [
        (tuple(int(size) for size in row.output_shape.split("×")), row.parameters) for row in ours
    ]
    ours_config = [layer.get_config() for layer in models[key].layers[1:]]
    theirs_config = [layer.get_config() for layer in student.layers]  # type: ignore[attr-defined]
    for mine, yours in zip(ours_config, theirs_config, strict=True):
        for setting in ("activation", "rate", "padding", "kernel_initializer", "units"):
            if setting in mine:
                assert mine[setting] == yours[setting], (key, setting)


def test_the_code_follows_the_settings() -> None:
    code = keras_code(TrainingSettings.for_architecture("dense-dropout"), 2000)
    assert "x_train, y_train = x_train[:2000], y_train[:2000]" in code
    assert "return 0.01 * math.pow(0.6, epoch)" in code  # slide 004's decay
    assert "callbacks=[lr_decay_callback]" in code
    # slide 004's code, as the deck writes it
    assert "tf.keras.layers.Dense(128, kernel_initializer='he_normal', activation='relu')" in code
    assert "tf.keras.layers.Dropout(0.2)," in code
    softmax = keras_code(TrainingSettings.for_architecture("softmax"))
    assert "optimizer=tf.keras.optimizers.SGD(learning_rate=0.1)" in softmax
    assert "batch_size=100, epochs=10" in softmax
    assert "x_train[:" not in softmax
    lecture = keras_code(TrainingSettings.for_architecture("lecture"), 60000)
    # 60,000 / 128 → 469 steps per epoch, 20 epochs
    assert "CosineDecay(\n    0.001, decay_steps=9380, alpha=0.01)" in lecture
    assert "(augmentation)" in lecture


def test_the_optimizer_and_decay_follow_the_settings() -> None:
    use_tensorflow_backend()
    import keras

    sgd = make_optimizer(TrainingSettings.for_architecture("softmax"), steps=10)
    assert isinstance(sgd, keras.optimizers.SGD)
    assert float(sgd.learning_rate) == pytest.approx(0.1)
    cosine = make_optimizer(TrainingSettings.for_architecture("lecture"), steps=10)
    assert isinstance(cosine, keras.optimizers.Adam)
    assert isinstance(cosine._learning_rate, keras.optimizers.schedules.CosineDecay)
    assert learning_rate_callbacks(TrainingSettings.for_architecture("dense-relu")) == []
    (scheduler,) = learning_rate_callbacks(TrainingSettings.for_architecture("dense-dropout"))
    assert isinstance(scheduler, keras.callbacks.LearningRateScheduler)
    assert [scheduler.schedule(epoch) for epoch in range(3)] == pytest.approx([0.01, 0.006, 0.0036])
    assert exponential_rate(0.01, 4) == pytest.approx(0.01 * math.pow(0.6, 4))


@pytest.mark.parametrize("key", PRESETS)
def test_the_first_layers_weights_become_pictures(key: str, models: dict[str, keras.Model]) -> None:
    weights = first_layer_weights(models[key], ARCHITECTURES[key])
    expected = {
        "softmax": ("probabilities", "dense", (10, 28, 28)),
        "dense-sigmoid": ("dense1", "dense", (16, 28, 28)),
        "lecture": ("conv1", "conv", (32, 3, 3)),
        "kth": ("conv1", "conv", (32, 5, 5)),
    }
    if key in expected:
        assert (weights.layer, weights.kind, weights.values.shape) == expected[key]
    kernel = models[key].get_layer(weights.layer).get_weights()[0]
    if weights.kind == "conv":
        np.testing.assert_array_equal(weights.values[5], kernel[:, :, 0, 5])
    else:
        np.testing.assert_array_equal(weights.values[3].ravel(), kernel[:, 3])


@pytest.fixture(scope="module")
def few_test_images(mnist_npz: Path) -> MnistData:
    with np.load(mnist_npz) as data:
        x_test, y_test = data["x_test"][:200], data["y_test"][:200].astype(np.int64)
    return MnistData(x_test, y_test, x_test, y_test, str(mnist_npz))


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
    models: dict[str, keras.Model],
    few_test_images: MnistData,
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("presets")
    paths = {}
    for key, model in models.items():
        proto, _ = measured_export(model, ARCHITECTURES[key], few_test_images, "test")
        paths[key] = folder / f"{key}.onnx"
        paths[key].write_bytes(proto.SerializeToString())
    return paths


@pytest.mark.parametrize("key", PRESETS)
def test_every_preset_exports_a_model_that_keeps_the_contract(
    key: str, exported: dict[str, Path]
) -> None:
    check_model_contract(exported[key])


@pytest.mark.parametrize("key", PRESETS)
def test_the_digit_lab_opens_every_preset(
    key: str, exported: dict[str, Path], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from gui.digits.lab import DigitLab

    def refuse(*args: object) -> None:
        raise AssertionError(f"the digit lab refused the {key} model: {args[2:]}")

    monkeypatch.setattr(QMessageBox, "warning", refuse)
    lab = DigitLab()
    qtbot.addWidget(lab)
    assert lab.load_model(str(exported[key]))
    assert lab.model is not None
    assert lab.load_sample(3)
    prediction = lab.prediction
    assert prediction is not None
    label, probability = prediction
    assert label in {str(digit) for digit in range(10)}
    assert 0.0 <= probability <= 1.0
