"""The trainer (models/train.py, python -m models.training): a quick end-to-end run, the export
against Keras, augmentation, bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import numpy_helper

from models import train
from models.training.augmentation import (
    AUGMENTATION,
    affine_transforms,
    augment_batch,
    change_thickness,
)
from models.training.data import as_model_input

TRAIN_SCRIPT = Path(train.__file__)
REPO_ROOT = TRAIN_SCRIPT.parent.parent
# The two ways to start the trainer: the script, and the package (what the GUI will run).
SCRIPT = (str(TRAIN_SCRIPT),)
MODULE = ("-m", "models.training")
QUICK_OPTIONS = ("--limit", "2000", "--epochs", "1", "--batch-size", "128")
SUBPROCESS_TIMEOUT = 300


def run_train(
    *options: str | Path, entry: tuple[str, ...] = SCRIPT
) -> subprocess.CompletedProcess[str]:
    """Run the trainer in a fresh interpreter from the repository root, as a user would."""
    return subprocess.run(
        [sys.executable, *entry, *map(str, options)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


@dataclass(frozen=True)
class TrainingOutputs:
    """Files written by one run of train.py, and what it printed."""

    model: Path
    samples: Path
    card: Path
    keras: Path
    stdout: str = ""

    @classmethod
    def in_directory(cls, directory: Path) -> TrainingOutputs:
        names = ("x.onnx", "s.npz", "card.md", "m.keras")
        return cls(*(directory / name for name in names))

    def options(self) -> list[str | Path]:
        return ["--out", self.model, "--samples", self.samples, "--card", self.card]


def train_quickly(
    directory: Path, mnist_npz: Path, *extra: str, entry: tuple[str, ...] = SCRIPT
) -> TrainingOutputs:
    """A small training run (2000 images, 1 epoch) that must succeed."""
    outputs = TrainingOutputs.in_directory(directory)
    result = run_train(*QUICK_OPTIONS, "--data", mnist_npz, *outputs.options(), *extra, entry=entry)
    assert result.returncode == 0, f"the trainer failed:\n{result.stdout}\n{result.stderr}"
    return replace(outputs, stdout=result.stdout)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory, mnist_npz: Path) -> TrainingOutputs:
    directory = tmp_path_factory.mktemp("quick_run")
    return train_quickly(directory, mnist_npz, "--keras-out", str(directory / "m.keras"))


@pytest.fixture(scope="module")
def mnist_inputs(mnist_npz: Path) -> np.ndarray:
    """The first 300 MNIST test images as model input (300, 28, 28, 1) float32 0..1."""
    with np.load(mnist_npz) as data:
        return as_model_input(data["x_test"][:300])


def onnx_session(path: Path) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


# --------------------------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_run_writes_every_file_and_a_summary(quick_run: TrainingOutputs) -> None:
    for path in (quick_run.model, quick_run.samples, quick_run.card, quick_run.keras):
        assert path.is_file(), path
    assert "Test accuracy (ONNX Runtime, 10,000 images)" in quick_run.stdout
    assert str(quick_run.model) in quick_run.stdout
    leftovers = [p.name for p in quick_run.model.parent.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, "atomic writes left temporary files"
    umask = os.umask(0)
    os.umask(umask)
    for path in (quick_run.model, quick_run.samples, quick_run.card):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, f"{path} has odd permissions"


@pytest.mark.slow
def test_onnx_export_matches_keras(quick_run: TrainingOutputs, mnist_inputs: np.ndarray) -> None:
    import keras

    keras_model = keras.saving.load_model(quick_run.keras)
    expected = keras_model.predict(mnist_inputs, batch_size=100, verbose=0)
    actual = onnx_session(quick_run.model).run(["probabilities"], {"image": mnist_inputs})[0]
    assert actual.shape == expected.shape == (300, 10)
    assert np.max(np.abs(actual - expected)) <= 1e-5
    # Even where probabilities are close, the two must pick the same digit.
    assert np.mean(np.argmax(actual, axis=1) == np.argmax(expected, axis=1)) == 1.0


@pytest.mark.slow
def test_exported_interface_and_metadata(
    quick_run: TrainingOutputs, mnist_inputs: np.ndarray
) -> None:
    session = onnx_session(quick_run.model)
    (image,) = session.get_inputs()
    (probabilities,) = session.get_outputs()
    assert (image.name, image.shape[1:], image.type) == ("image", [28, 28, 1], "tensor(float)")
    assert isinstance(image.shape[0], str)
    assert (probabilities.name, probabilities.shape[1:]) == ("probabilities", [10])
    output = session.run(None, {"image": mnist_inputs})[0]
    np.testing.assert_allclose(output.sum(axis=1), 1.0, atol=1e-5)

    metadata = session.get_modelmeta().custom_metadata_map
    assert json.loads(metadata["class_labels"]) == [str(digit) for digit in range(10)]
    assert metadata["architecture"] == "lecture"
    assert metadata["name"] == "MNIST CNN (slide 002)"
    assert "--limit 2000" in metadata["command"]
    assert 0.5 < float(metadata["test_accuracy"]) <= 1.0

    proto = onnx.load(str(quick_run.model))
    onnx.checker.check_model(proto, full_check=True)
    relus = {node.name for node in proto.graph.node if node.op_type == "Relu"}
    assert relus == {"conv1/Relu", "conv2/Relu", "dense1/Relu"}
    pools = {node.name for node in proto.graph.node if node.op_type == "MaxPool"}
    assert {name.split("/")[0] for name in pools} == {"pool1", "pool2"}
    weights = {tensor.name: list(tensor.dims) for tensor in proto.graph.initializer}
    assert weights["conv1/kernel"] == [32, 1, 3, 3]
    assert weights["conv2/kernel"] == [64, 32, 3, 3]
    assert weights["dense1/kernel"] == [3136, 128]
    assert weights["probabilities/bias"] == [10]


@pytest.mark.slow
def test_samples_and_model_card(quick_run: TrainingOutputs) -> None:
    with np.load(quick_run.samples) as samples:
        images, labels = samples["images"], samples["labels"]
    assert images.shape == (100, 28, 28)
    assert images.dtype == np.float32
    assert images.min() >= 0.0
    assert images.max() <= 1.0
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 10))

    accuracy = onnx_session(quick_run.model).get_modelmeta().custom_metadata_map["test_accuracy"]
    card = quick_run.card.read_text(encoding="utf-8")
    assert accuracy in card
    assert "Confusion matrix" in card
    assert "--limit 2000" in card
    assert "| Epochs | 1 |" in card


@pytest.mark.slow
def test_training_is_reproducible_from_either_entry_point(
    quick_run: TrainingOutputs, tmp_path: Path, mnist_npz: Path
) -> None:
    # The first run used models/train.py; this one the package, as the GUI will start it.
    again = train_quickly(tmp_path, mnist_npz, entry=MODULE)
    command = onnx_session(again.model).get_modelmeta().custom_metadata_map["command"]
    assert command.startswith("python -m models.training --limit 2000 ")
    assert again.stdout.count("Test accuracy (ONNX Runtime, 10,000 images)") == 1
    first, second = onnx.load(str(quick_run.model)).graph, onnx.load(str(again.model)).graph
    weights = {tensor.name: numpy_helper.to_array(tensor) for tensor in second.initializer}
    for tensor in first.initializer:
        np.testing.assert_array_equal(numpy_helper.to_array(tensor), weights[tensor.name])
    # Same weights, and the same graph down to the names tf2onnx makes up.
    assert first == second


@pytest.mark.slow
def test_kth_architecture(tmp_path: Path, mnist_npz: Path) -> None:
    outputs = TrainingOutputs.in_directory(tmp_path)
    result = run_train(
        "--arch", "kth", "--limit", "500", "--epochs", "1", "--no-augment", "--data", mnist_npz,
        *outputs.options(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    proto = onnx.load(str(outputs.model))
    metadata = {entry.key: entry.value for entry in proto.metadata_props}
    assert metadata["architecture"] == "kth"
    kernels = {
        node.name.split("/")[0]: list(onnx.helper.get_attribute_value(attribute))
        for node in proto.graph.node
        if node.op_type == "Conv"
        for attribute in node.attribute
        if attribute.name == "kernel_shape"
    }
    assert kernels == {"conv1": [5, 5], "conv2": [5, 5]}
    weights = {tensor.name: list(tensor.dims) for tensor in proto.graph.initializer}
    assert weights["dense1/kernel"] == [3136, 1024]


PROGRESS_PROGRAM = """
import json, sys
from pathlib import Path
from models.training.run import run_training
from models.training.settings import DataSettings, OutputSettings, RunSettings, TrainingSettings

class Recorder:
    def __init__(self):
        self.events = []
    def on_message(self, text, *, warning=False):
        self.events.append(["message", warning])
    def on_start(self, start):
        self.events.append(["start", start.train_images, start.batches_per_epoch])
    def on_batch(self, batch):
        self.events.append(["batch", batch.epoch, batch.epochs, batch.batch, batch.batches])
        self.events.append(["loss", batch.loss, batch.accuracy])
    def on_epoch(self, epoch):
        self.events.append(["epoch", epoch.epoch, epoch.epochs])
        self.events.append(["loss", epoch.loss, epoch.accuracy, epoch.seconds])
    def on_end(self, result):
        self.events.append(["end", [str(path) for path in result.written]])

directory = Path(sys.argv[2])
settings = RunSettings(
    DataSettings(Path(sys.argv[1]), train_size=500),
    TrainingSettings(epochs=2, batch_size=200, augment=False),
    OutputSettings(directory / "m.onnx", directory / "s.npz", directory / "card.md"),
)
recorder = Recorder()
run_training(settings, command="python -m models.training --limit 500", progress=recorder)
print(json.dumps(recorder.events))
"""


@pytest.mark.slow
def test_run_training_reports_progress_and_prints_nothing_else(
    tmp_path: Path, mnist_npz: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRESS_PROGRAM, str(mnist_npz), str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Without keras_log, stdout holds only what the progress object printed: one JSON line.
    (line,) = result.stdout.splitlines()
    events = json.loads(line)
    measures = [event[1:] for event in events if event[0] == "loss"]
    steps = [event for event in events if event[0] not in {"loss", "message"}]
    outputs = [str(tmp_path / name) for name in ("m.onnx", "s.npz", "card.md")]
    batches = [["batch", epoch, 2, batch, 3] for epoch in (1, 2) for batch in (1, 2, 3)]
    assert steps == [
        ["start", 500, 3], *batches[:3], ["epoch", 1, 2], *batches[3:], ["epoch", 2, 2],
        ["end", outputs],
    ]  # fmt: skip
    assert all(message == ["message", True] for message in events if message[0] == "message")
    assert len(measures) == 8
    for loss, accuracy, *seconds in measures:
        assert 0.0 < loss < 10.0
        assert 0.0 <= accuracy <= 1.0
        assert all(second > 0.0 for second in seconds)
    card = (tmp_path / "card.md").read_text(encoding="utf-8")
    assert "| Epochs | 2 |" in card
    assert "python -m models.training --limit 500" in card


# --------------------------------------------------------------------------------------------
# Augmentation (in-process, small tensors)
# --------------------------------------------------------------------------------------------


def one_pixel_image(row: int, column: int) -> np.ndarray:
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, row, column, 0] = 1.0
    return image


def test_identity_transform_is_identity() -> None:
    transform = affine_transforms(
        angle=np.zeros(1, np.float32),
        shear=np.zeros(1, np.float32),
        zoom=np.ones(1, np.float32),
        shift_x=np.zeros(1, np.float32),
        shift_y=np.zeros(1, np.float32),
    )
    np.testing.assert_allclose(np.asarray(transform), [[1, 0, 0, 0, 1, 0, 0, 0]], atol=1e-6)


def test_shift_moves_the_ink_right_and_down() -> None:
    import tensorflow as tf

    transform = affine_transforms(
        angle=np.zeros(1, np.float32),
        shear=np.zeros(1, np.float32),
        zoom=np.ones(1, np.float32),
        shift_x=np.full(1, 2, np.float32),
        shift_y=np.full(1, 3, np.float32),
    )
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=one_pixel_image(10, 12),
        transforms=transform,
        output_shape=[28, 28],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    assert np.unravel_index(np.argmax(moved), (1, 28, 28, 1)) == (0, 13, 14, 0)


def test_thickness_change_thickens_and_thins() -> None:
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 8:20, 12:15] = 1.0  # a 3-pixel-wide bar
    ink = float(image.sum())
    thicker = float(np.sum(change_thickness(image, np.ones(1, np.float32))))
    thinner = float(np.sum(change_thickness(image, -np.ones(1, np.float32))))
    same = np.asarray(change_thickness(image, np.zeros(1, np.float32)))
    assert thicker > ink * 1.5
    assert thinner < ink * 0.5
    np.testing.assert_array_equal(same, image)


def test_augmentation_is_seeded_and_keeps_the_value_range(mnist_npz: Path) -> None:
    import tensorflow as tf

    with np.load(mnist_npz) as data:
        images = as_model_input(data["x_train"][:64])
    seed, other_seed = tf.constant([0, 1], tf.int64), tf.constant([0, 2], tf.int64)
    first = np.asarray(augment_batch(images, seed, AUGMENTATION))
    again = np.asarray(augment_batch(images, seed, AUGMENTATION))
    other = np.asarray(augment_batch(images, other_seed, AUGMENTATION))
    assert first.shape == images.shape
    assert first.dtype == np.float32
    assert first.min() >= 0.0
    assert first.max() <= 1.0
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert not np.allclose(first, images)
    # Small changes: the digits keep most of their ink and stay near the centre.
    ink_ratio = first.sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    assert np.all((ink_ratio > 0.4) & (ink_ratio < 2.5))


# --------------------------------------------------------------------------------------------
# Bad input: exit status 2, a message naming the problem, no traceback
# --------------------------------------------------------------------------------------------


def write_random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(0).bytes(5000))


def write_wrong_keys(path: Path) -> None:
    np.savez(path, images=np.zeros((10, 28, 28), np.uint8), labels=np.zeros(10, np.int64))


def write_wrong_shape(path: Path) -> None:
    images, labels = np.zeros((10, 32, 32), np.uint8), np.zeros(10, np.uint8)
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels)


def write_wrong_dtype(path: Path) -> None:
    images, labels = np.zeros((10, 28, 28), np.float64), np.zeros(10, np.uint8)
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels)


def write_bad_labels(path: Path) -> None:
    images, labels = np.zeros((10, 28, 28), np.uint8), np.full(10, 12, np.uint8)
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels[:5])


def write_truncated_zip(path: Path) -> None:
    write_wrong_keys(path)
    path.write_bytes(path.read_bytes()[:100])


def write_npy(path: Path) -> None:
    with path.open("wb") as file:
        np.save(file, np.zeros((10, 28, 28), np.uint8))


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (None, "does not exist"),
        (write_random_bytes, "not a readable npz"),
        (write_truncated_zip, "not a readable npz"),
        (write_npy, "not an npz archive"),
        (write_wrong_keys, "lacks the array(s) x_train, y_train, x_test, y_test"),
        (write_wrong_shape, "x_train should be uint8 images of shape (N, 28, 28)"),
        (write_wrong_dtype, "x_train should be uint8 images"),
        (write_bad_labels, "y_train has labels outside 0..9"),
    ],
)
@pytest.mark.parametrize("entry", [SCRIPT, MODULE], ids=["script", "module"])
def test_bad_data_file_exits_2_with_a_clear_message(
    tmp_path: Path, make_file: object, expected: str, entry: tuple[str, ...]
) -> None:
    data = tmp_path / "mnist.npz"
    if callable(make_file):
        make_file(data)
    outputs = TrainingOutputs.in_directory(tmp_path / "out")
    result = run_train("--data", data, *outputs.options(), entry=entry)
    assert result.returncode == 2
    assert str(data) in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not outputs.model.exists()


def test_missing_file_from_the_environment_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.npz"
    result = subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), "--out", str(tmp_path / "x.onnx")],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
        env={**os.environ, "MNIST_NPZ": str(missing)},
    )
    assert result.returncode == 2
    assert f"{missing} does not exist" in result.stderr


@pytest.mark.parametrize(
    "main", ["models.train.main", "models.training.cli.main"], ids=["script", "package"]
)
def test_bad_data_is_reported_before_tensorflow_is_imported(tmp_path: Path, main: str) -> None:
    data = tmp_path / "mnist.npz"
    write_wrong_keys(data)
    module, function = main.rsplit(".", 1)
    program = (
        f"import sys; from {module} import {function} as main; "
        f"status = main(['--data', {str(data)!r}, '--out', {str(tmp_path / 'x.onnx')!r}]); "
        "print(status, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=TRAIN_SCRIPT.parent.parent,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert result.stdout.split() == ["2", "False"], result.stderr


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--epochs", "0"], "--epochs: must be at least 1"),
        (["--batch-size", "-3"], "--batch-size: must be at least 1"),
        (["--limit", "ten"], "--limit: invalid positive_int value"),
        (["--learning-rate", "nan"], "--learning-rate: must be a positive number"),
        (["--arch", "vgg"], "--arch: invalid choice"),
        (["--keras-out", "model.h5"], "--keras-out must end in .keras"),
    ],
)
@pytest.mark.parametrize("entry", [SCRIPT, MODULE], ids=["script", "module"])
def test_bad_options_exit_2(options: list[str], expected: str, entry: tuple[str, ...]) -> None:
    result = run_train(*options, entry=entry)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("entry", [SCRIPT, MODULE], ids=["script", "module"])
def test_help_describes_the_options(entry: tuple[str, ...]) -> None:
    result = run_train("--help", entry=entry)
    assert result.returncode == 0
    prog = "train.py" if entry == SCRIPT else "python -m models.training"
    assert result.stdout.startswith(f"usage: {prog} ")
    for option in ("--data", "--arch", "--epochs", "--limit", "--out", "--samples", "--card"):
        assert option in result.stdout
