"""Train the app's MNIST CNN with Keras and export it to ONNX, with sample digits and a model card.

The default (`--arch lecture`) is the CNN of slide 002; `--arch kth` is slide 004's variant with
5×5 kernels and a 1024-unit dense layer. Training uses light data augmentation in the tf.data
input pipeline (shift, rotation, zoom, slant, stroke thickness) so that digits drawn with a mouse,
then prepared the MNIST way (fit to 20×20, centred by centre of mass), are recognised. The
augmentation is not part of the exported model.

Outputs (each written atomically: a temporary file, then a rename):

* the ONNX model: input "image" (N, 28, 28, 1) float32 0..1 with ink = 1, output "probabilities"
  (N, 10), node names that keep the Keras layer names (conv1, pool1, ..., probabilities), and
  metadata (class labels, test accuracy measured with ONNX Runtime, the command, ...);
* samples.npz: 10 correctly classified, typical MNIST test digits per class;
* MODEL_CARD.md: what the model is, how it was trained, and how well it does.

Needs the `train` extra (TensorFlow, Keras, tf2onnx). The data file is checked before TensorFlow is
imported, so mistakes are reported quickly. Bad data or options: a message on stderr, exit status 2.

    python models/train.py                      # the shipped model (about 6 minutes on 2 cores)
    python models/train.py --limit 2000 --epochs 1 --out /tmp/m.onnx --samples /tmp/s.npz \\
        --card /tmp/card.md                     # a quick smoke test
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import re
import shlex
import sys
import tempfile
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import keras
    import onnx
    import tensorflow as tf

MODELS_DIR = Path(__file__).resolve().parent
REPO_ROOT = MODELS_DIR.parent
DEFAULT_OUT = MODELS_DIR / "mnist_cnn.onnx"
DEFAULT_SAMPLES = MODELS_DIR / "samples.npz"
DEFAULT_CARD = MODELS_DIR / "MODEL_CARD.md"
DEFAULT_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist.npz"

EXIT_BAD_INPUT = 2
IMAGE_SIZE = 28
NUM_CLASSES = 10
CLASS_LABELS = [str(digit) for digit in range(NUM_CLASSES)]
INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
BATCH_DIM = "batch"
KERAS_MODEL_NAME = "mnist_cnn"
ONNX_OPSET = 17
DROPOUT_AFTER_FLATTEN = 0.25
DROPOUT_AFTER_DENSE = 0.4
SAMPLES_PER_CLASS = 10
SAMPLE_CANDIDATES_PER_CLASS = 300
INPUT_DESCRIPTION = (
    "28x28 grayscale digit, float32 0..1, ink = 1, background = 0, prepared like MNIST "
    "(fit to 20x20, centred by centre of mass), layout NHWC (N, 28, 28, 1)"
)


class UserError(Exception):
    """A problem the user can fix (bad data file, unwritable output): reported without traceback."""


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Architecture:
    """One of the course's CNNs: two conv/pool blocks, a hidden dense layer, a softmax layer."""

    key: str
    name: str
    kernel_size: int
    dense_units: int


ARCHITECTURES = {
    "lecture": Architecture("lecture", "MNIST CNN (slide 002)", kernel_size=3, dense_units=128),
    "kth": Architecture(
        "kth", "MNIST CNN (slide 004, 5x5 kernels)", kernel_size=5, dense_units=1024
    ),
}


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (argparse exits with status 2 on bad options)."""
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train the MNIST CNN of the course slides and export it to ONNX, together "
        "with sample digits and a model card.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="MNIST npz in the format of keras.datasets.mnist (x_train, y_train, x_test, "
        "y_test). Default: $MNIST_NPZ, else ../shared/data/mnist.npz beside the repository, "
        "else Keras's downloader.",
    )
    parser.add_argument(
        "--arch",
        choices=sorted(ARCHITECTURES),
        default="lecture",
        help="lecture: slide 002 (3x3 kernels, dense 128); kth: slide 004 (5x5, dense 1024). "
        "Default: %(default)s.",
    )
    parser.add_argument("--epochs", type=positive_int, default=20, help="Default: %(default)s.")
    parser.add_argument(
        "--batch-size", type=positive_int, default=128, help="Default: %(default)s."
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=1e-3,
        help="Initial Adam learning rate, decayed to 1%% of it along a cosine. "
        "Default: %(default)s.",
    )
    parser.add_argument(
        "--limit",
        type=positive_int,
        help="Train on the first N training images only (quick tests). The test set is "
        "always complete.",
    )
    parser.add_argument(
        "--no-augment", action="store_true", help="Train on the images as they are."
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="Default: %(default)s.")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="ONNX model to write. Default: %(default)s."
    )
    parser.add_argument(
        "--samples",
        type=Path,
        default=DEFAULT_SAMPLES,
        help="Sample digits to write. Default: %(default)s.",
    )
    parser.add_argument(
        "--card", type=Path, default=DEFAULT_CARD, help="Model card to write. Default: %(default)s."
    )
    parser.add_argument(
        "--keras-out",
        type=Path,
        help="Also save the trained Keras model (.keras), e.g. to compare it with the ONNX file.",
    )
    args = parser.parse_args(argv)
    if args.keras_out is not None and args.keras_out.suffix != ".keras":
        parser.error(f"--keras-out must end in .keras, got {args.keras_out}")
    return args


def command_line(argv: Sequence[str] | None) -> str:
    """The command line that ran this script, as a user would type it."""
    args = list(sys.argv[1:] if argv is None else argv)
    script = Path(sys.argv[0] if argv is None else __file__)
    with contextlib.suppress(ValueError):  # outside the working directory: keep it as it is
        script = script.resolve().relative_to(Path.cwd())
    return shlex.join(["python", str(script), *args])


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 images (N, 28, 28), ink = 255, and int64 labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def limited(self, limit: int | None) -> MnistData:
        """The same data with only the first `limit` training images (all of them if None)."""
        if limit is None:
            return self
        return MnistData(
            self.x_train[:limit], self.y_train[:limit], self.x_test, self.y_test, self.source
        )


def resolve_data_path(option: Path | None) -> Path | None:
    """The npz to read: --data, $MNIST_NPZ, the shared copy beside the repo; None: use Keras."""
    if option is not None:
        return option
    from_env = os.environ.get("MNIST_NPZ")
    if from_env:
        return Path(from_env)
    return DEFAULT_MNIST if DEFAULT_MNIST.is_file() else None


def load_mnist_npz(path: Path) -> MnistData:
    """Read and check an MNIST npz; UserError says what is wrong with which file."""
    if not path.exists():
        raise UserError(f"MNIST data file {path} does not exist.")
    if not path.is_file():
        raise UserError(f"MNIST data file {path} is not a file.")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise UserError(f"MNIST data file {path} is a single .npy array, not an npz archive.")
        with archive:
            missing = [
                key for key in ("x_train", "y_train", "x_test", "y_test") if key not in archive
            ]
            if missing:
                found = ", ".join(sorted(archive.files)) or "none"
                raise UserError(
                    f"MNIST data file {path} lacks the array(s) {', '.join(missing)} "
                    f"(found: {found}); expected x_train, y_train, x_test, y_test."
                )
            arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except UserError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise UserError(
            f"MNIST data file {path} is not a readable npz archive ({type(error).__name__}: "
            f"{error})."
        ) from error
    return checked_mnist(arrays, str(path))


def checked_mnist(arrays: dict[str, np.ndarray], source: str) -> MnistData:
    """Check shapes, dtypes and label values; UserError names the offending array."""
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise UserError(
                f"MNIST data {source}: x_{split} should be uint8 images of shape (N, 28, 28), "
                f"got {images.dtype} {images.shape}."
            )
        if len(images) == 0:
            raise UserError(f"MNIST data {source}: x_{split} is empty.")
        if not np.issubdtype(labels.dtype, np.integer) or labels.shape != (len(images),):
            raise UserError(
                f"MNIST data {source}: y_{split} should be {len(images)} integer labels, "
                f"got {labels.dtype} {labels.shape}."
            )
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise UserError(
                f"MNIST data {source}: y_{split} has labels outside 0..9 "
                f"({labels.min()}..{labels.max()})."
            )
    return MnistData(
        arrays["x_train"],
        arrays["y_train"].astype(np.int64),
        arrays["x_test"],
        arrays["y_test"].astype(np.int64),
        source,
    )


def load_mnist_from_keras() -> MnistData:
    """Download MNIST with Keras (needs a network)."""
    use_tensorflow_backend()
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # urllib and Keras raise many kinds here
        raise UserError(
            f"No MNIST file given and Keras could not download MNIST ({error}). "
            "Pass --data PATH or set MNIST_NPZ."
        ) from error
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return checked_mnist(arrays, "keras.datasets.mnist")


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) images to the model's input: float32 0..1, shape (N, 28, 28, 1)."""
    return np.ascontiguousarray(images[..., np.newaxis], dtype=np.float32) / np.float32(255.0)


# --------------------------------------------------------------------------------------------
# Model and training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random changes applied to each training image (uniform in ±range)."""

    max_rotation_degrees: float = 12.0
    max_shear: float = 0.15  # slant: x += shear * y (0.15 ≈ 8.5°)
    max_zoom: float = 0.10
    max_shift_pixels: float = 2.5
    max_thicker: float = 0.8  # blend towards a dilation (1 = one pixel thicker all round)
    max_thinner: float = 0.5  # blend towards an erosion

    def describe(self) -> str:
        """One line for the model card."""
        return (
            f"random rotation ±{self.max_rotation_degrees:g}°, slant (shear) ±{self.max_shear:g}, "
            f"zoom ±{self.max_zoom:.0%}, shift ±{self.max_shift_pixels:g} px, stroke thickness "
            f"(blend towards a 3×3-cross dilation up to {self.max_thicker:g} or erosion up to "
            f"{self.max_thinner:g}); applied per image in the tf.data pipeline, not in the model"
        )


AUGMENTATION = Augmentation()


def build_model(arch: Architecture) -> keras.Model:
    """The slide's CNN with dropout, layers named as in the app; called once, so exportable."""
    import keras
    from keras import layers

    kernel = (arch.kernel_size, arch.kernel_size)
    image = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name=INPUT_NAME)
    x = layers.Conv2D(32, kernel, padding="same", activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(64, kernel, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(DROPOUT_AFTER_FLATTEN, name="dropout1")(x)
    x = layers.Dense(arch.dense_units, activation="relu", name="dense1")(x)
    x = layers.Dropout(DROPOUT_AFTER_DENSE, name="dropout2")(x)
    probabilities = layers.Dense(NUM_CLASSES, activation="softmax", name=OUTPUT_NAME)(x)
    model = keras.Model(image, probabilities, name=KERAS_MODEL_NAME)
    model(np.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    return model


def neighbourhood_max(images: tf.Tensor) -> tf.Tensor:
    """Grey-level dilation of (B, 28, 28, 1) images by a 3×3 cross (centre and 4 neighbours)."""
    import tensorflow as tf

    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
    shifted = [
        padded[:, 1:-1, 1:-1],
        padded[:, :-2, 1:-1],
        padded[:, 2:, 1:-1],
        padded[:, 1:-1, :-2],
        padded[:, 1:-1, 2:],
    ]
    return tf.reduce_max(tf.stack(shifted), axis=0)


def change_thickness(images: tf.Tensor, amount: tf.Tensor) -> tf.Tensor:
    """Thicken (amount > 0) or thin (amount < 0) the strokes; amount (B,) in about -1..1."""
    import tensorflow as tf

    weight = tf.reshape(amount, [-1, 1, 1, 1])
    thicker = neighbourhood_max(images)
    thinner = -neighbourhood_max(-images)
    target = tf.where(weight > 0, thicker, thinner)
    return images + tf.abs(weight) * (target - images)


def affine_transforms(
    angle: tf.Tensor, shear: tf.Tensor, zoom: tf.Tensor, shift_x: tf.Tensor, shift_y: tf.Tensor
) -> tf.Tensor:
    """(B, 8) projective transforms that map output pixels to input pixels.

    The forward map turns the image about its centre c by zoom·R(angle)·Shear(shear) and then
    moves it by (shift_x, shift_y); ImageProjectiveTransform wants its inverse,
    p_in = c + M⁻¹ (p_out − c − t), with M⁻¹ = Shear(−shear)·R(−angle) / zoom.
    """
    import tensorflow as tf

    centre = (IMAGE_SIZE - 1) / 2
    cos, sin = tf.cos(angle), tf.sin(angle)
    a0 = (cos + shear * sin) / zoom
    a1 = (sin - shear * cos) / zoom
    b0 = -sin / zoom
    b1 = cos / zoom
    a2 = centre - a0 * (centre + shift_x) - a1 * (centre + shift_y)
    b2 = centre - b0 * (centre + shift_x) - b1 * (centre + shift_y)
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(images: tf.Tensor, seed: tf.Tensor, config: Augmentation) -> tf.Tensor:
    """Randomly thicken/thin, rotate, slant, zoom and shift a (B, 28, 28, 1) float batch.

    Stateless random numbers from `seed` (shape (2,)), so the result does not depend on how
    tf.data schedules its parallel calls.
    """
    import tensorflow as tf

    count = tf.shape(images)[0]
    seeds = tf.random.experimental.stateless_split(seed, num=6)

    def uniform(index: int, low: float, high: float) -> tf.Tensor:
        return tf.random.stateless_uniform([count], seeds[index], low, high)

    rotation = math.radians(config.max_rotation_degrees)
    thickness = uniform(0, -config.max_thinner, config.max_thicker)
    transforms = affine_transforms(
        angle=uniform(1, -rotation, rotation),
        shear=uniform(2, -config.max_shear, config.max_shear),
        zoom=1.0 + uniform(3, -config.max_zoom, config.max_zoom),
        shift_x=uniform(4, -config.max_shift_pixels, config.max_shift_pixels),
        shift_y=uniform(5, -config.max_shift_pixels, config.max_shift_pixels),
    )
    thick_or_thin = change_thickness(images, thickness)
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=thick_or_thin,
        transforms=transforms,
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    return tf.clip_by_value(moved, 0.0, 1.0)


def training_dataset(
    data: MnistData, batch_size: int, epochs: int, seed: int, augment: bool
) -> tf.data.Dataset:
    """Shuffled (and augmented) batches for all epochs, reproducible from `seed`."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train))
    dataset = dataset.shuffle(len(data.x_train), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size).repeat(epochs).enumerate()

    def prepare(
        index: tf.Tensor, batch: tuple[tf.Tensor, tf.Tensor]
    ) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = batch
        images = tf.cast(images[..., tf.newaxis], tf.float32) / 255.0
        if augment:
            images = augment_batch(images, tf.stack([tf.cast(seed, tf.int64), index]), AUGMENTATION)
        return images, labels

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def train_model(
    arch: Architecture, data: MnistData, args: argparse.Namespace
) -> tuple[keras.Model, float]:
    """Build, compile and fit the model; returns it and the training time in seconds."""
    import keras

    model = build_model(arch)
    steps_per_epoch = math.ceil(len(data.x_train) / args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=steps_per_epoch * args.epochs, alpha=0.01
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    dataset = training_dataset(
        data, args.batch_size, args.epochs, args.seed, augment=not args.no_augment
    )
    started = time.perf_counter()
    model.fit(
        dataset,
        epochs=args.epochs,
        steps_per_epoch=steps_per_epoch,
        shuffle=False,  # the dataset is shuffled (reproducibly) by training_dataset
        verbose=1 if sys.stdout.isatty() else 2,
    )
    return model, time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# ONNX export
# --------------------------------------------------------------------------------------------


def export_to_onnx(model: keras.Model) -> onnx.ModelProto:
    """Keras's own ONNX export (via tf2onnx), loaded back, with tidied names and I/O."""
    import onnx

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.onnx"
        with warnings.catch_warnings():
            # Keras's tf2onnx shim probes `np.object`, which NumPy 2 warns about.
            warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
            model.export(str(path), format="onnx", verbose=False, opset_version=ONNX_OPSET)
        proto = onnx.load(str(path))
    layer_names = [layer.name for layer in model.layers]
    tidy_names(proto, layer_names, model.name)
    set_io_signature(proto)
    check_graph(proto, model)
    return proto


def tidy_names(proto: onnx.ModelProto, layer_names: Sequence[str], model_name: str) -> None:
    """Make the node and tensor names readable and the same from one export to the next.

    * The traced scopes lose their decorations: 'mnist_cnn_1/conv1_1/Relu' becomes 'conv1/Relu',
      so the Keras layer names are what one sees (and what the app uses to find activations).
    * The names tf2onnx makes up ('Transpose__36', 'const_axes__25') depend on Python's hash
      order; they are renumbered in graph order ('Transpose__3', 'const__1').
    * The learned parameters are called '<layer>/kernel' and '<layer>/bias'.
    * The output tensor becomes "probabilities".
    """
    graph = proto.graph
    layers = "|".join(re.escape(name) for name in layer_names)
    model_prefix = re.compile(rf"^{re.escape(model_name)}(?:_\d+)?/")
    layer_scope = re.compile(rf"^({layers})(?:_\d+)?/")
    rename_everything(graph, lambda name: layer_scope.sub(r"\1/", model_prefix.sub("", name)))
    generated = numbered_generated_names(graph, set(layer_names))
    rename_everything(graph, lambda name: generated.get(name, name))
    weights = weight_names(graph, set(layer_names))
    rename_everything(graph, lambda name: weights.get(name, name))
    (output,) = graph.output
    rename_everything(graph, lambda name: OUTPUT_NAME if name == output.name else name)
    graph.name = model_name
    initializers = sorted(graph.initializer, key=lambda tensor: tensor.name)
    del graph.initializer[:]
    graph.initializer.extend(initializers)


def rename_everything(graph: onnx.GraphProto, rename: Callable[[str], str]) -> None:
    """Apply `rename` to every node name and tensor name of a graph (without subgraphs)."""
    tensors = {name for node in graph.node for name in (*node.input, *node.output) if name}
    tensors |= {value.name for value in (*graph.initializer, *graph.input, *graph.output)}
    new_names = {name: rename(name) for name in tensors}
    if len(set(new_names.values())) != len(new_names):
        raise RuntimeError("renaming the ONNX tensors would merge two of them")
    for node in graph.node:
        node.name = rename(node.name)
        node.input[:] = [new_names.get(name, name) for name in node.input]
        node.output[:] = [new_names[name] for name in node.output]
    for value in (*graph.initializer, *graph.input, *graph.output, *graph.value_info):
        value.name = new_names.get(value.name, value.name)


def weight_names(graph: onnx.GraphProto, layer_names: set[str]) -> dict[str, str]:
    """'<layer>/kernel' and '<layer>/bias' for the constant weights of Conv, MatMul and Add nodes.

    ONNX keeps a Conv kernel as (out channels, in channels, height, width) and a MatMul's as
    (inputs, units).
    """
    constants = {tensor.name for tensor in graph.initializer}
    roles = {"Conv": {1: "kernel", 2: "bias"}, "MatMul": {1: "kernel"}, "Add": {1: "bias"}}
    names: dict[str, str] = {}
    for node in graph.node:
        layer = node.name.split("/", 1)[0]
        if layer not in layer_names:
            continue
        for slot, role in roles.get(node.op_type, {}).items():
            if slot < len(node.input) and node.input[slot] in constants:
                names[node.input[slot]] = f"{layer}/{role}"
    return names


def numbered_generated_names(graph: onnx.GraphProto, layer_names: set[str]) -> dict[str, str]:
    """New names for tf2onnx's made-up names ('<something>__<counter>'), numbered in graph order.

    A node and its outputs keep sharing a stem ('Transpose__3', 'Transpose__3:0'); constants
    become 'const__<n>'; a Keras layer scope is kept ('flatten/Reshape__9').
    """
    constants = {tensor.name for tensor in graph.initializer}
    stems: dict[str, str] = {}

    def number(stem: str, kind: str) -> None:
        if stem in stems or not re.search(r"__\d+$", stem):
            return
        scope = stem.split("/", 1)[0]
        prefix = f"{scope}/" if "/" in stem and scope in layer_names else ""
        stems[stem] = f"{prefix}{kind}__{len(stems)}"

    for node in graph.node:
        for name in node.input:
            if name in constants:
                number(name.split(":")[0], "const")
        number(node.name, node.op_type)
        for name in node.output:
            number(name.split(":")[0], node.op_type)

    def renamed(name: str) -> str:
        stem, colon, port = name.partition(":")
        return stems[stem] + colon + port if stem in stems else name

    names = {name for node in graph.node for name in (node.name, *node.input, *node.output)}
    return {name: renamed(name) for name in names if renamed(name) != name}


def set_io_signature(proto: onnx.ModelProto) -> None:
    """Input "image" (batch, 28, 28, 1) float32, output "probabilities" (batch, 10) float32."""
    import onnx

    graph = proto.graph
    (image,) = graph.input
    (probabilities,) = graph.output
    image.CopyFrom(
        onnx.helper.make_tensor_value_info(
            INPUT_NAME, onnx.TensorProto.FLOAT, [BATCH_DIM, IMAGE_SIZE, IMAGE_SIZE, 1]
        )
    )
    probabilities.CopyFrom(
        onnx.helper.make_tensor_value_info(
            OUTPUT_NAME, onnx.TensorProto.FLOAT, [BATCH_DIM, NUM_CLASSES]
        )
    )


def check_graph(proto: onnx.ModelProto, model: keras.Model) -> None:
    """The app reads activations from Conv/Relu/MaxPool nodes named after the Keras layers."""
    import onnx

    onnx.checker.check_model(proto, full_check=True)
    ops_by_layer: dict[str, set[str]] = {}
    for node in proto.graph.node:
        layer = node.name.split("/", 1)[0]
        ops_by_layer.setdefault(layer, set()).add(node.op_type)
    expected = {}
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            expected[layer.name] = {"Conv", "Relu"}
        elif kind == "MaxPooling2D":
            expected[layer.name] = {"MaxPool"}
        elif kind == "Dense":
            expected[layer.name] = {"MatMul"}
    for layer_name, ops in expected.items():
        missing = ops - ops_by_layer.get(layer_name, set())
        if missing:
            raise RuntimeError(f"the exported graph has no {sorted(missing)} node for {layer_name}")


def add_metadata(proto: onnx.ModelProto, metadata: dict[str, str]) -> None:
    """Replace the model's metadata_props with `metadata`."""
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


def onnx_probabilities(model_bytes: bytes, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """Run ONNX Runtime (CPU) on uint8 (N, 28, 28) images; returns (N, 10) probabilities."""
    import onnxruntime

    session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    outputs = [
        session.run([OUTPUT_NAME], {INPUT_NAME: as_model_input(images[start : start + batch])})[0]
        for start in range(0, len(images), batch)
    ]
    return np.concatenate(outputs)


# --------------------------------------------------------------------------------------------
# Evaluation, samples, model card
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """How the exported model does on the test set."""

    probabilities: np.ndarray  # (N, 10)
    labels: np.ndarray  # (N,)

    @property
    def predictions(self) -> np.ndarray:
        """(N,) predicted digits."""
        return np.asarray(np.argmax(self.probabilities, axis=1), dtype=np.int64)

    @property
    def accuracy(self) -> float:
        """Fraction of test images classified correctly."""
        return float(np.mean(self.predictions == self.labels))

    @property
    def confusion(self) -> np.ndarray:
        """(10, 10) counts: row = true digit, column = predicted digit."""
        matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
        np.add.at(matrix, (self.labels, self.predictions), 1)
        return matrix

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """(10,) fraction of each digit's test images classified correctly."""
        confusion = self.confusion
        return np.asarray(np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1), np.float64)


def pick_samples(data: MnistData, evaluation: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """Test-set indices of typical digits: per class, the most confidently correct of the first
    few hundred (sorted by label, then index), and the indices that are misclassified."""
    chosen: list[int] = []
    wrong: list[int] = []
    for digit in range(NUM_CLASSES):
        candidates = np.flatnonzero(data.y_test == digit)[:SAMPLE_CANDIDATES_PER_CLASS]
        confidence = evaluation.probabilities[candidates, digit]
        order = np.argsort(-confidence, kind="stable")
        best = np.sort(candidates[order[:SAMPLES_PER_CLASS]])
        chosen.extend(best.tolist())
        wrong.extend(int(i) for i in best if evaluation.predictions[i] != digit)
    return np.array(chosen, np.int64), np.array(wrong, np.int64)


def samples_npz(data: MnistData, indices: np.ndarray) -> bytes:
    """samples.npz: "images" (100, 28, 28) float32 0..1, "labels" (100,) int64, "test_indices"."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        images=data.x_test[indices].astype(np.float32) / np.float32(255.0),
        labels=data.y_test[indices].astype(np.int64),
        test_indices=indices.astype(np.int64),
    )
    return buffer.getvalue()


def cpu_description() -> str:
    """CPU model and core count, e.g. 'AMD EPYC, 2 cores'."""
    name = platform.processor() or platform.machine() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores, {platform.system()} {platform.machine()}"


@dataclass(frozen=True)
class TrainingRun:
    """Everything the model card reports."""

    arch: Architecture
    args: argparse.Namespace
    command: str
    framework: str
    exporter: str
    trained_at: str
    training_seconds: float
    train_images: int
    data_source: str
    model_bytes: int
    opset: int
    evaluation: Evaluation
    keras_onnx_max_diff: float
    graph_nodes: tuple[tuple[str, str, str], ...]  # (op type, node name, first output)


def layer_description(layer: keras.Layer) -> str:
    """What a layer does, in the words of the slides: 'Conv2D 32 × 3×3, same, ReLU'."""
    kind = type(layer).__name__
    config = layer.get_config()
    if kind == "InputLayer":
        return "Input"
    if kind == "Conv2D":
        height, width = config["kernel_size"]
        return f"Conv2D {config['filters']} × {height}×{width}, {config['padding']}, ReLU"
    if kind == "MaxPooling2D":
        height, width = config["pool_size"]
        return f"MaxPool {height}×{width}"
    if kind == "Dense":
        return f"Dense {config['units']}, {config['activation']}"
    if kind == "Dropout":
        return f"Dropout {config['rate']:g} (training only)"
    return kind


def architecture_rows(model: keras.Model) -> list[tuple[str, str, str, int]]:
    """(name, type, output shape, parameters) per layer, the input first."""
    return [
        (
            layer.name,
            layer_description(layer),
            "×".join(str(size) for size in layer.output.shape[1:]),
            int(layer.count_params()),
        )
        for layer in model.layers
    ]


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], text_columns: int = 1
) -> str:
    """A Markdown table: the first `text_columns` columns left-aligned, the rest right-aligned."""
    align = ["---"] * text_columns + ["---:"] * (len(header) - text_columns)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_model_card(run: TrainingRun, model: keras.Model) -> str:
    """MODEL_CARD.md for the exported model."""
    evaluation = run.evaluation
    layers = architecture_rows(model)
    total = sum(params for *_, params in layers)
    layer_rows = [(name, kind, shape, f"{params:,}") for name, kind, shape, params in layers]
    per_class = evaluation.per_class_accuracy
    worst = int(np.argmin(per_class))
    confusion = evaluation.confusion
    correct = int(np.trace(confusion))
    augmentation = "none (--no-augment)" if run.args.no_augment else AUGMENTATION.describe()
    args = run.args
    class_rows = [
        (digit, int(confusion[digit].sum()), int(confusion[digit, digit]), f"{acc:.2%}")
        for digit, acc in enumerate(per_class)
    ]
    confusion_rows = [
        (f"**{digit}**", *(int(count) for count in confusion[digit]))
        for digit in range(NUM_CLASSES)
    ]
    confusion_header = ("true \\ predicted", *(str(digit) for digit in range(NUM_CLASSES)))
    size_mb = run.model_bytes / 1_000_000
    slide = "slide 002" if run.arch.key == "lecture" else "slide 004"
    node_rows = [(f"`{name}`", op_type, f"`{output}`") for op_type, name, output in run.graph_nodes]
    regularisation = (
        f"dropout {DROPOUT_AFTER_FLATTEN:g} after flatten, {DROPOUT_AFTER_DENSE:g} after dense1"
    )
    return f"""# Model card: {run.arch.name}

*Generated by `models/train.py`; do not edit by hand (re-run the command below instead).*

## What it is

A small convolutional neural network that classifies handwritten digits 0–9: the CNN of the
course slides ({slide}), trained on MNIST with Keras and exported to ONNX for the CNN Visualizer.

- **File:** `{args.out.name}` ({size_mb:.2f} MB, {run.model_bytes:,} bytes), ONNX opset {run.opset}
- **Input:** `{INPUT_NAME}`, float32 (N, 28, 28, 1): {INPUT_DESCRIPTION}
- **Output:** `{OUTPUT_NAME}`, float32 (N, 10): softmax probabilities for the digits 0–9
- **Test accuracy: {evaluation.accuracy:.2%}** ({evaluation.accuracy:.4f}; {correct:,} of \
{len(evaluation.labels):,} MNIST test images), measured with ONNX Runtime on this file

## Intended use

Teaching: the CNN Visualizer shows what happens inside this network (feature maps of conv1, pool1,
conv2, pool2, the dense layer, the probabilities) when a student draws a digit. It is not meant
for production digit recognition.

## Limitations

- Expects MNIST-style input: one digit, white ink on black, cropped to its ink, fit to 20×20 and
  centred by centre of mass in 28×28. The app prepares drawings this way; other inputs
  (uncentred, inverted, photos, several digits) give unreliable answers.
- Very thick strokes (around 6 px or more once the digit is scaled to 20 px high) fill the
  loops of 6, 8 and 9, which are then easily read as 0 or 8; strokes of 2–4 px work best.
- Knows only the digits 0–9. Letters, symbols or scribbles still get a digit with a probability,
  often a high one: softmax probabilities are not a measure of "this is not a digit".
- MNIST was written by American Census Bureau employees and high-school students; other
  handwriting styles (e.g. a crossed 7 or a 1 with a long flag) may be recognised less well,
  although the augmentation helps with mouse-drawn, slanted, thick or thin digits.

## Architecture

{markdown_table(("Layer", "Type", "Output shape", "Parameters"), layer_rows, text_columns=2)}
| **Total** | | | **{total:,}** |

### The exported ONNX graph

Node and tensor names keep the Keras layer names; the learned parameters are `<layer>/kernel`
and `<layer>/bias` (a Conv kernel is stored as out × in × height × width). The input is NHWC;
inside, the conv and pool tensors are NCHW (N, channels, height, width), and the node before
the flatten turns pool2's output back to NHWC, so `dense1/kernel` rows follow Keras's flatten
order (row, column, channel).

{markdown_table(("Node", "Op type", "Output tensor"), node_rows, text_columns=3)}

## Training

| Setting | Value |
|---|---|
| Data | {run.data_source}: {run.train_images:,} training images, 10,000 test images |
| Epochs | {args.epochs} |
| Batch size | {args.batch_size} |
| Optimizer | Adam, learning rate {args.learning_rate:g} with cosine decay to 1% of it |
| Loss | sparse categorical cross-entropy |
| Regularisation | {regularisation} |
| Augmentation | {augmentation} |
| Input scaling | pixel / 255 (float32 0..1, ink = 1) |
| Seed | {args.seed} (Keras/TensorFlow/NumPy seeded; TensorFlow op determinism on) |
| Framework | {run.framework}; exported with {run.exporter} |
| Trained | {run.trained_at} |
| Training time | {run.training_seconds / 60:.1f} min ({run.training_seconds:.0f} s) |
| Machine | {cpu_description()} |

The exported graph agrees with the Keras model to {run.keras_onnx_max_diff:.1e} (largest
absolute difference of a probability on 1,000 test images).

## Results (ONNX Runtime, this file, 10,000 MNIST test images)

Test accuracy: **{evaluation.accuracy:.2%}** ({evaluation.accuracy:.4f}). Worst class: **{worst}**
({per_class[worst]:.2%}).

{markdown_table(("Digit", "Test images", "Correct", "Accuracy"), class_rows)}

Confusion matrix (rows: true digit, columns: predicted digit):

{markdown_table(confusion_header, confusion_rows)}

## How to reproduce

From the repository root, with the `train` extra installed (TensorFlow, Keras and tf2onnx;
`pip install -e ".[train]"`):

```
{run.command}
```

Training is seeded and TensorFlow's op determinism is on, so the same command on the same
versions and CPU gives the same weights; other CPUs or library versions may differ slightly.
"""


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def new_file_mode() -> int:
    """The permissions open() would give a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, new_file_mode())  # mkstemp makes it private (0600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_outputs_writable(paths: Sequence[Path]) -> None:
    """Fail before training, not after, when an output cannot be written."""
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create the directory for {path}: {error}") from error
        if path.is_dir():
            raise UserError(f"output {path} is a directory")
        if not os.access(path.parent, os.W_OK):
            raise UserError(f"cannot write to {path.parent}")


def load_data(option: Path | None) -> MnistData:
    """Resolve and load MNIST (the npz, or Keras's downloader)."""
    path = resolve_data_path(option)
    if path is None:
        print("No MNIST file found; downloading it with Keras.", flush=True)
        return load_mnist_from_keras()
    return load_mnist_npz(path)


def use_tensorflow_backend() -> None:
    """Keras must use TensorFlow (tf.data, tf2onnx); keep TensorFlow's C++ start-up logs short."""
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def check_training_packages() -> None:
    """Fail before training, not after it, when the `train` extra is not installed."""
    missing = [name for name in ("tensorflow", "keras", "tf2onnx") if find_spec(name) is None]
    if missing:
        raise UserError(
            f"training needs {', '.join(missing)} (the `train` extra): "
            'pip install -e ".[train]" (TensorFlow, Keras and tf2onnx).'
        )


def configure_tensorflow(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    use_tensorflow_backend()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def framework_versions() -> tuple[str, str]:
    """('Keras x / TensorFlow y', 'tf2onnx z, onnx w')."""
    import keras
    import onnx
    import tensorflow as tf
    import tf2onnx

    return (
        f"Keras {keras.__version__} / TensorFlow {tf.__version__}",
        f"tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}",
    )


def keras_onnx_difference(model: keras.Model, model_bytes: bytes, images: np.ndarray) -> float:
    """Largest absolute difference between Keras's and ONNX Runtime's probabilities."""
    keras_probabilities = model.predict(as_model_input(images), batch_size=500, verbose=0)
    onnx_probs = onnx_probabilities(model_bytes, images)
    return float(np.max(np.abs(keras_probabilities - onnx_probs)))


def describe_graph(proto: onnx.ModelProto) -> str:
    """One line per node: op type, name, output tensor."""
    return "\n".join(
        f"  {node.op_type:<10} {node.name:<40} -> {', '.join(node.output)}"
        for node in proto.graph.node
    )


def data_description(data: MnistData) -> str:
    """Where the training data came from, for the model card (no local paths)."""
    if data.source.startswith("keras"):
        return "MNIST (keras.datasets.mnist)"
    return f"MNIST ({Path(data.source).name})"


def onnx_model_bytes(
    model: keras.Model, arch: Architecture, data: MnistData, command: str
) -> tuple[bytes, Evaluation, dict[str, str]]:
    """Export, measure the exported graph with ONNX Runtime, and add the metadata."""
    proto = export_to_onnx(model)
    evaluation = Evaluation(onnx_probabilities(proto.SerializeToString(), data.x_test), data.y_test)
    framework, _ = framework_versions()
    metadata = {
        "name": arch.name,
        "architecture": arch.key,
        "class_labels": json.dumps(CLASS_LABELS),
        "input_description": INPUT_DESCRIPTION,
        "test_accuracy": f"{evaluation.accuracy:.4f}",
        "training_date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "framework": framework,
    }
    add_metadata(proto, metadata)
    return proto.SerializeToString(), evaluation, metadata


def graph_nodes(model_bytes: bytes) -> tuple[tuple[str, str, str], ...]:
    """(op type, node name, first output tensor) of each node, in graph order."""
    import onnx

    proto = onnx.load_from_string(model_bytes)
    return tuple((node.op_type, node.name, node.output[0]) for node in proto.graph.node)


def opset_of(model_bytes: bytes) -> int:
    """The default-domain opset of a serialized ONNX model."""
    import onnx

    proto = onnx.load_from_string(model_bytes)
    return int(
        next(entry.version for entry in proto.opset_import if entry.domain in ("", "ai.onnx"))
    )


def print_summary(
    args: argparse.Namespace, model_bytes: bytes, training_run: TrainingRun, seconds: float
) -> None:
    """The graph the app will read, and how well and how fast it was trained."""
    import onnx

    evaluation = training_run.evaluation
    per_class = evaluation.per_class_accuracy
    worst = int(np.argmin(per_class))
    written = [args.out, args.samples, args.card]
    if args.keras_out is not None:
        written.append(args.keras_out)
    print(f"\nONNX graph (opset {training_run.opset}):")
    print(describe_graph(onnx.load_from_string(model_bytes)))
    print(
        f"\nTest accuracy (ONNX Runtime, {len(evaluation.labels):,} images): "
        f"{evaluation.accuracy:.4f}; worst class {worst}: {per_class[worst]:.4f}"
        f"\nKeras vs ONNX max |difference|: {training_run.keras_onnx_max_diff:.2e}"
        f"\nTime: {training_run.training_seconds:.0f} s training, {seconds:.0f} s in all"
        f"\nModel size: {len(model_bytes) / 1_000_000:.2f} MB"
        f"\nWrote {', '.join(str(path) for path in written)}"
    )


def run(args: argparse.Namespace, command: str) -> None:
    """Load, train, export, evaluate; then write the model, the samples and the card."""
    started = time.perf_counter()
    outputs = [args.out, args.samples, args.card]
    if args.keras_out is not None:
        outputs.append(args.keras_out)
    check_outputs_writable(outputs)
    data = load_data(args.data).limited(args.limit)
    check_training_packages()
    arch = ARCHITECTURES[args.arch]
    print(
        f"Training {arch.name} on {len(data.x_train):,} images from {data.source} "
        f"({args.epochs} epochs, batch {args.batch_size}, "
        f"{'no augmentation' if args.no_augment else 'augmented'}, seed {args.seed}).",
        flush=True,
    )
    configure_tensorflow(args.seed)
    model, training_seconds = train_model(arch, data, args)

    model_bytes, evaluation, metadata = onnx_model_bytes(model, arch, data, command)
    samples, wrong = pick_samples(data, evaluation)
    if len(wrong):
        print(f"Warning: {len(wrong)} sample digits are misclassified.", file=sys.stderr)
    training_run = TrainingRun(
        arch=arch,
        args=args,
        command=command,
        framework=metadata["framework"],
        exporter=framework_versions()[1],
        trained_at=metadata["training_date"],
        training_seconds=training_seconds,
        train_images=len(data.x_train),
        data_source=data_description(data),
        model_bytes=len(model_bytes),
        opset=opset_of(model_bytes),
        evaluation=evaluation,
        keras_onnx_max_diff=keras_onnx_difference(model, model_bytes, data.x_test[:1000]),
        graph_nodes=graph_nodes(model_bytes),
    )
    card = render_model_card(training_run, model)

    write_atomically(args.out, model_bytes)
    write_atomically(args.samples, samples_npz(data, samples))
    write_atomically(args.card, card.encode("utf-8"))
    if args.keras_out is not None:
        model.save(args.keras_out)
    print_summary(args, model_bytes, training_run, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        run(args, command_line(argv))
    except UserError as error:
        print(f"train.py: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
