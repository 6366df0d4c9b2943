"""Keras models from the presets of architectures.py, and their layer table (imports Keras).

Only the trainer imports this module (the GUI reads the presets from architectures.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.training.architectures import (
    INPUT_SHAPE,
    KERAS_MODEL_NAME,
    Architecture,
    LayerRow,
    LayerSpec,
)
from models.training.contract import INPUT_NAME
from models.training.protocol import LayerWeights

if TYPE_CHECKING:
    import keras


def keras_layer(layer: LayerSpec) -> keras.Layer:
    """The Keras layer for one layer of a preset, named as the preset names it."""
    from keras import layers

    if layer.kind == "conv":
        size = (layer.kernel_size, layer.kernel_size)
        return layers.Conv2D(
            layer.size,
            size,
            padding="same",
            activation=layer.activation,
            kernel_initializer=layer.initializer,
            name=layer.name,
        )
    if layer.kind == "pool":
        return layers.MaxPooling2D((layer.size, layer.size), name=layer.name)
    if layer.kind == "dense":
        return layers.Dense(
            layer.size,
            activation=layer.activation,
            kernel_initializer=layer.initializer,
            name=layer.name,
        )
    if layer.kind == "dropout":
        return layers.Dropout(layer.rate, name=layer.name)
    return layers.Flatten(name=layer.name)


def build_model(architecture: Architecture, dropout: float | None = None) -> keras.Model:
    """A new Keras model of the preset, already called once (so it can be exported).

    Input layer "image" (N, 28, 28, 1) float32, then the preset's layers, the last a softmax
    layer "probabilities" (N, 10); `dropout` sets every dropout layer's rate (None: the
    preset's). Weights are initialised from Keras's global seed (see framework.py).
    """
    import keras
    import numpy as np

    image = keras.Input(shape=INPUT_SHAPE, name=INPUT_NAME)
    x = image
    for layer in architecture.with_dropout(dropout):
        x = keras_layer(layer)(x)
    model = keras.Model(image, x, name=KERAS_MODEL_NAME)
    model(np.zeros((1, *INPUT_SHAPE), np.float32))
    return model


def layer_description(layer: keras.Layer) -> str:
    """What a Keras layer does, in the words of the slides: 'Conv2D 32 × 3×3, same, ReLU'."""
    kind = type(layer).__name__
    config = layer.get_config()
    if kind == "InputLayer":
        return "Input"
    if kind == "Conv2D":
        height, width = config["kernel_size"]
        activation = "ReLU" if config["activation"] == "relu" else config["activation"]
        return f"Conv2D {config['filters']} × {height}×{width}, {config['padding']}, {activation}"
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


MAX_DENSE_PICTURES = 16  # a dense first layer shows its first 16 units (softmax: all 10)


def first_layer_weights(model: keras.Model, architecture: Architecture) -> LayerWeights:
    """The first conv or dense layer's weights as small pictures, (count, height, width).

    Conv: each kernel, (kernels, kh, kw) (the input has one channel). Dense: the weights from
    the 784 pixels to each of the first `MAX_DENSE_PICTURES` units, as 28×28 pictures (the
    "weights as images" of Google's TensorFlow-without-a-PhD codelab). float32.
    """
    import numpy as np

    spec = architecture.first_weighted_layer
    kernel = np.asarray(model.get_layer(spec.name).get_weights()[0], dtype=np.float32)
    if spec.kind == "conv":
        pictures = np.transpose(kernel[:, :, 0, :], (2, 0, 1))
    else:
        height, width, _ = INPUT_SHAPE
        pictures = kernel[:, :MAX_DENSE_PICTURES].T.reshape(-1, height, width)
    return LayerWeights(spec.name, spec.kind, np.ascontiguousarray(pictures))
