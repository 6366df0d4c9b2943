"""The registry of networks the trainer can build: name → builder and description.

Each preset is one `Architecture` entry in `ARCHITECTURES`; `--arch` offers every key. The
builders import Keras (and NumPy) when called, so reading the registry (for --help or settings
checks) imports neither TensorFlow nor NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING

from models.training.contract import IMAGE_SIZE, INPUT_NAME, NUM_CLASSES, OUTPUT_NAME

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import keras

KERAS_MODEL_NAME = "mnist_cnn"
DROPOUT_AFTER_FLATTEN = 0.25
DROPOUT_AFTER_DENSE = 0.4


@dataclass(frozen=True, slots=True)
class Architecture:
    """A network preset.

    Attributes:
        key: its name on the command line (--arch) and in the ONNX metadata "architecture".
        name: what it is called in the metadata "name" and the model card, e.g.
            "MNIST CNN (slide 002)".
        source: where it comes from, for the model card, e.g. "slide 002".
        description: one line for --help, e.g. "slide 002 (3x3 kernels, dense 128)".
        regularisation: what the network does against overfitting, for the model card.
        build: makes a new Keras model, already called once (so it can be exported), with the
            input layer "image" (N, 28, 28, 1) float32 and a softmax output layer
            "probabilities" (N, 10); the app finds activations by the layer names.
    """

    key: str
    name: str
    source: str
    description: str
    regularisation: str
    build: Callable[[], keras.Model]


def two_block_cnn(kernel_size: int, dense_units: int) -> keras.Model:
    """The course's CNN: two conv/pool blocks, a hidden dense layer, a softmax layer.

    conv1 (32 kernels) → pool1 (2×2) → conv2 (64 kernels) → pool2 (2×2) → flatten →
    dropout1 → dense1 (`dense_units`, ReLU) → dropout2 → probabilities (10, softmax); the
    convolutions are `kernel_size`×`kernel_size`, padding "same", ReLU (slides 002 and 004).
    Layers are named as in the app; the model is called once, so it can be exported.
    """
    import keras
    import numpy as np
    from keras import layers

    kernel = (kernel_size, kernel_size)
    image = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name=INPUT_NAME)
    x = layers.Conv2D(32, kernel, padding="same", activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(64, kernel, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(DROPOUT_AFTER_FLATTEN, name="dropout1")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense1")(x)
    x = layers.Dropout(DROPOUT_AFTER_DENSE, name="dropout2")(x)
    probabilities = layers.Dense(NUM_CLASSES, activation="softmax", name=OUTPUT_NAME)(x)
    model = keras.Model(image, probabilities, name=KERAS_MODEL_NAME)
    model(np.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    return model


TWO_BLOCK_DROPOUT = (
    f"dropout {DROPOUT_AFTER_FLATTEN:g} after flatten, {DROPOUT_AFTER_DENSE:g} after dense1"
)

ARCHITECTURES: Mapping[str, Architecture] = MappingProxyType(
    {
        architecture.key: architecture
        for architecture in (
            Architecture(
                key="lecture",
                name="MNIST CNN (slide 002)",
                source="slide 002",
                description="slide 002 (3x3 kernels, dense 128)",
                regularisation=TWO_BLOCK_DROPOUT,
                build=partial(two_block_cnn, kernel_size=3, dense_units=128),
            ),
            Architecture(
                key="kth",
                name="MNIST CNN (slide 004, 5x5 kernels)",
                source="slide 004",
                description="slide 004 (5x5, dense 1024)",
                regularisation=TWO_BLOCK_DROPOUT,
                build=partial(two_block_cnn, kernel_size=5, dense_units=1024),
            ),
        )
    }
)
DEFAULT_ARCHITECTURE = "lecture"


@dataclass(frozen=True, slots=True)
class LayerRow:
    """One row of the model card's architecture table."""

    name: str
    kind: str  # what the layer does, e.g. "Conv2D 32 × 3×3, same, ReLU"
    output_shape: str  # without the batch dimension, e.g. "28×28×32"
    parameters: int


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


def layer_rows(model: keras.Model) -> tuple[LayerRow, ...]:
    """(name, type, output shape, parameters) per layer of a Keras model, the input first."""
    return tuple(
        LayerRow(
            name=layer.name,
            kind=layer_description(layer),
            output_shape="×".join(str(size) for size in layer.output.shape[1:]),
            parameters=int(layer.count_params()),
        )
        for layer in model.layers
    )
