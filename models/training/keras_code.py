"""The Keras code a student would write for a preset and its settings (text; no TensorFlow).

The training lab shows it beside the `model.summary()` table, in the style of slides 002 and
004 (`tf.keras.Sequential([...])`, `model.compile`, `model.fit`). It builds the same network as
the trainer (keras_models.py), without the layer names the app uses, and trains it the same
way; the trainer's tests build the model from this text and compare it with the trainer's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from models.training.architectures import (
    ARCHITECTURES,
    INPUT_SHAPE,
    KERAS_DEFAULT_INITIALIZER,
    LayerSpec,
)

if TYPE_CHECKING:
    from models.training.settings import TrainingSettings

MNIST_TRAIN_IMAGES = 60_000
INDENT = "    "
OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD"}


def layer_code(layer: LayerSpec) -> str:
    """One layer as a student writes it, e.g. "tf.keras.layers.Dense(10, activation='softmax')"."""
    if layer.kind == "conv":
        size = layer.kernel_size
        return (
            f"tf.keras.layers.Conv2D({layer.size}, ({size}, {size}), "
            f"activation='{layer.activation}', padding='same')"
        )
    if layer.kind == "pool":
        return f"tf.keras.layers.MaxPooling2D(({layer.size}, {layer.size}))"
    if layer.kind == "dense":
        initializer = (
            ""
            if layer.initializer == KERAS_DEFAULT_INITIALIZER
            else f"kernel_initializer='{layer.initializer}', "
        )
        return f"tf.keras.layers.Dense({layer.size}, {initializer}activation='{layer.activation}')"
    if layer.kind == "dropout":
        return f"tf.keras.layers.Dropout({layer.rate:g})"
    return "tf.keras.layers.Flatten()"


def model_code(training: TrainingSettings) -> str:
    """`model = tf.keras.Sequential([...])` for the preset, with the settings' dropout rate."""
    layers = ARCHITECTURES[training.architecture].with_dropout(training.dropout)
    lines = [f"tf.keras.Input(shape={INPUT_SHAPE})", *(layer_code(layer) for layer in layers)]
    body = "".join(f"{INDENT}{line},\n" for line in lines)
    return f"model = tf.keras.Sequential([\n{body}])"


def data_code(train_images: int) -> str:
    """Loading MNIST, the first `train_images` training images, scaled to 0..1."""
    load = "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()\n"
    if train_images < MNIST_TRAIN_IMAGES:
        load += f"x_train, y_train = x_train[:{train_images}], y_train[:{train_images}]\n"
    return (
        f"{load}x_train = x_train.reshape(-1, 28, 28, 1) / 255.0\n"
        "x_test = x_test.reshape(-1, 28, 28, 1) / 255.0"
    )


def optimizer_code(training: TrainingSettings, train_images: int) -> tuple[str, str]:
    """(lines before compile, the optimizer expression) for the settings' optimizer and decay."""
    name = OPTIMIZER_CLASSES[training.optimizer]
    rate = f"{training.learning_rate:g}"
    if training.lr_decay == "cosine":
        steps = math.ceil(train_images / training.batch_size) * training.epochs
        before = (
            "# the learning rate falls to 1 % of its start along a cosine, step by step\n"
            "schedule = tf.keras.optimizers.schedules.CosineDecay(\n"
            f"{INDENT}{rate}, decay_steps={steps}, alpha=0.01)\n\n"
        )
        return before, f"tf.keras.optimizers.{name}(learning_rate=schedule)"
    if training.lr_decay == "exponential":
        before = (
            "# lr decay function (slide 004)\n"
            "def lr_decay(epoch):\n"
            f"{INDENT}return {rate} * math.pow(0.6, epoch)\n\n"
            "# lr schedule callback\n"
            "lr_decay_callback = tf.keras.callbacks.LearningRateScheduler(lr_decay)\n\n"
        )
        return before, f"tf.keras.optimizers.{name}()"
    return "", f"tf.keras.optimizers.{name}(learning_rate={rate})"


def keras_code(training: TrainingSettings, train_images: int = MNIST_TRAIN_IMAGES) -> str:
    """The whole program: imports, data, model, summary, compile, fit, evaluate.

    `train_images`: how many training images the run uses (60,000: all of MNIST).
    """
    before, optimizer = optimizer_code(training, train_images)
    callbacks = ", callbacks=[lr_decay_callback]" if training.lr_decay == "exponential" else ""
    imports = "import math\n" if training.lr_decay == "exponential" else ""
    augment = (
        "# the trainer also shifts, rotates, slants, zooms and thickens or thins every\n"
        "# training image a little, at random (augmentation)\n"
        if training.augment
        else ""
    )
    return (
        f"{imports}import tensorflow as tf\n\n"
        f"{data_code(train_images)}\n\n"
        f"{model_code(training)}\n"
        "model.summary()\n\n"
        f"{before}"
        f"model.compile(optimizer={optimizer},\n"
        f"{INDENT}loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        f"{augment}"
        f"model.fit(x_train, y_train, batch_size={training.batch_size}, "
        f"epochs={training.epochs},\n"
        f"{INDENT}validation_data=(x_test, y_test){callbacks})\n"
        "model.evaluate(x_test, y_test)\n"
    )
