"""The shipped model, its samples and its model card (ONNX Runtime only; no TensorFlow here)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import onnx
import onnxruntime
import pytest

from models import DEFAULT_MODEL_PATH, MODEL_CARD_PATH, SAMPLES_PATH

if TYPE_CHECKING:
    from pathlib import Path

MIN_ACCURACY = 0.993
MAX_FILE_BYTES = 5_000_000
BATCH = 1000
LAYER_NAMES = ("conv1", "pool1", "conv2", "pool2", "flatten", "dense1", "probabilities")
METADATA_KEYS = (
    "class_labels",
    "input_description",
    "architecture",
    "name",
    "test_accuracy",
    "training_date",
    "command",
    "framework",
)


@pytest.fixture(scope="module")
def session() -> onnxruntime.InferenceSession:
    """The shipped model in ONNX Runtime."""
    return onnxruntime.InferenceSession(str(DEFAULT_MODEL_PATH), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def model_proto() -> onnx.ModelProto:
    return onnx.load(str(DEFAULT_MODEL_PATH))


@pytest.fixture(scope="module")
def metadata(session: onnxruntime.InferenceSession) -> dict[str, str]:
    return dict(session.get_modelmeta().custom_metadata_map)


@pytest.fixture(scope="module")
def mnist_test(mnist_npz: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images as model input (N, 28, 28, 1) float32 0..1, and labels."""
    with np.load(mnist_npz) as data:
        images = data["x_test"].astype(np.float32)[..., np.newaxis] / np.float32(255.0)
        return images, data["y_test"].astype(np.int64)


def classify(session: onnxruntime.InferenceSession, images: np.ndarray) -> np.ndarray:
    """Probabilities (N, 10) for images (N, 28, 28, 1), run in batches."""
    batches = [
        session.run(["probabilities"], {"image": images[start : start + BATCH]})[0]
        for start in range(0, len(images), BATCH)
    ]
    return np.concatenate(batches)


@pytest.fixture(scope="module")
def mnist_probabilities(
    session: onnxruntime.InferenceSession, mnist_test: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    return classify(session, mnist_test[0])


def test_file_is_small_and_valid(model_proto: onnx.ModelProto) -> None:
    size = DEFAULT_MODEL_PATH.stat().st_size
    assert 100_000 < size < MAX_FILE_BYTES
    onnx.checker.check_model(model_proto, full_check=True)


def test_input_is_a_batch_of_28x28_images(session: onnxruntime.InferenceSession) -> None:
    (image,) = session.get_inputs()
    assert image.name == "image"
    assert image.type == "tensor(float)"
    batch, *rest = image.shape
    assert isinstance(batch, str), "the batch dimension should be symbolic"
    assert rest == [28, 28, 1]


def test_output_is_ten_probabilities(session: onnxruntime.InferenceSession) -> None:
    (probabilities,) = session.get_outputs()
    assert probabilities.name == "probabilities"
    assert probabilities.type == "tensor(float)"
    batch, classes = probabilities.shape
    assert isinstance(batch, str)
    assert classes == 10


def test_metadata_is_complete(metadata: dict[str, str]) -> None:
    missing = [key for key in METADATA_KEYS if not metadata.get(key)]
    assert not missing, f"metadata lacks {missing}"
    assert json.loads(metadata["class_labels"]) == [str(digit) for digit in range(10)]
    assert metadata["architecture"] in {"lecture", "kth"}
    assert float(metadata["test_accuracy"]) >= MIN_ACCURACY
    assert datetime.fromisoformat(metadata["training_date"]).tzinfo is not None
    assert "train.py" in metadata["command"]
    assert "Keras" in metadata["framework"]
    assert "TensorFlow" in metadata["framework"]
    description = metadata["input_description"]
    assert "28x28" in description
    assert "ink = 1" in description
    assert "NHWC" in description


def test_accuracy_on_the_mnist_test_set(
    mnist_probabilities: np.ndarray,
    mnist_test: tuple[np.ndarray, np.ndarray],
    metadata: dict[str, str],
) -> None:
    labels = mnist_test[1]
    assert mnist_probabilities.shape == (10_000, 10)
    accuracy = float(np.mean(np.argmax(mnist_probabilities, axis=1) == labels))
    assert accuracy >= MIN_ACCURACY
    # The stated accuracy was measured the same way; allow a few flips on other CPUs/versions.
    assert accuracy == pytest.approx(float(metadata["test_accuracy"]), abs=5e-4)


def mnist_probabilities_sum_to_one(mnist_probabilities: np.ndarray) -> None:
    assert np.all(mnist_probabilities >= 0)
    assert np.all(mnist_probabilities <= 1)
    np.testing.assert_allclose(mnist_probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_batch_size_does_not_change_the_answer(
    session: onnxruntime.InferenceSession,
    mnist_test: tuple[np.ndarray, np.ndarray],
    mnist_probabilities: np.ndarray,
) -> None:
    images = mnist_test[0]
    one = session.run(["probabilities"], {"image": images[:1]})[0]
    seven = session.run(["probabilities"], {"image": images[:7]})[0]
    np.testing.assert_allclose(one, mnist_probabilities[:1], atol=1e-6)
    np.testing.assert_allclose(seven, mnist_probabilities[:7], atol=1e-6)


def test_samples_are_ten_correctly_classified_digits_per_class(
    session: onnxruntime.InferenceSession,
) -> None:
    with np.load(SAMPLES_PATH) as samples:
        images, labels = samples["images"], samples["labels"]
    assert images.shape == (100, 28, 28)
    assert images.dtype == np.float32
    assert labels.shape == (100,)
    assert labels.dtype == np.int64
    assert images.min() >= 0.0
    assert images.max() <= 1.0
    assert images.max() == 1.0, "ink should be 1"
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 10))
    probabilities = classify(session, images[..., np.newaxis])
    np.testing.assert_array_equal(np.argmax(probabilities, axis=1), labels)


def test_node_names_keep_the_keras_layer_names(model_proto: onnx.ModelProto) -> None:
    nodes = [(node.op_type, node.name) for node in model_proto.graph.node]
    for layer in LAYER_NAMES:
        assert any(name.startswith(f"{layer}/") for _, name in nodes), f"no node for {layer}"
    ops_of = {
        layer: {op for op, name in nodes if name.startswith(f"{layer}/")} for layer in LAYER_NAMES
    }
    assert {"Conv", "Relu"} <= ops_of["conv1"]
    assert {"Conv", "Relu"} <= ops_of["conv2"]
    assert "MaxPool" in ops_of["pool1"]
    assert "MaxPool" in ops_of["pool2"]
    assert {"MatMul", "Relu"} <= ops_of["dense1"]
    assert "Softmax" in ops_of["probabilities"]


def test_weights_are_named_after_their_layers(model_proto: onnx.ModelProto) -> None:
    weights = {tensor.name: list(tensor.dims) for tensor in model_proto.graph.initializer}
    for layer in ("conv1", "conv2", "dense1", "probabilities"):
        assert f"{layer}/kernel" in weights
        assert f"{layer}/bias" in weights
    assert weights["conv1/kernel"][:2] == [32, 1]
    assert weights["conv2/kernel"][:2] == [64, 32]
    assert weights["probabilities/kernel"][-1] == 10


def test_model_card_states_the_measured_accuracy(metadata: dict[str, str]) -> None:
    card = MODEL_CARD_PATH.read_text(encoding="utf-8")
    accuracy = float(metadata["test_accuracy"])
    assert metadata["test_accuracy"] in card
    assert f"{accuracy:.2%}" in card
    assert metadata["command"] in card
    assert "Confusion matrix" in card
    assert "Worst class" in card
    for layer in LAYER_NAMES:
        assert f"| {layer} |" in card
    assert "| `conv1/Relu` | Relu |" in card
