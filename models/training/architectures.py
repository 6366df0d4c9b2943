"""The registry of networks the trainer can build, as data: layers, recipe, shapes, parameters.

Each preset is one `Architecture` in `ARCHITECTURES`; `--arch` offers every key. Two families:

* the ladder of slide 004 (KTH, after Google's "TensorFlow without a PhD" codelab): `softmax`
  (one dense layer, about 92 %), `dense-sigmoid` (five dense layers 200-100-60-30-10 with
  sigmoid, about 97 %), `dense-relu` (the same with ReLU and He initialisation, about 98 %),
  `dense-dropout` (the deck's own Keras code that puts the improvements together: a dense
  layer of 128 with He initialisation and ReLU, dropout 0.2, and the learning-rate decay
  0.01·0.6^epoch, about 98 %);
* the CNNs: `lecture` (slide 002: 3×3 kernels, dense 128) and `kth` (slide 004: 5×5 kernels,
  dense 1024), about 99 %.

A preset is plain data (no TensorFlow, no NumPy), so the GUI can show its Keras code and its
`model.summary()` table (keras_code.py, `summary_rows`) without importing TensorFlow;
keras_models.py builds the Keras model from the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from models.training.contract import IMAGE_SIZE, INPUT_NAME, NUM_CLASSES, OUTPUT_NAME

if TYPE_CHECKING:
    from collections.abc import Mapping

LayerKind = Literal["conv", "pool", "flatten", "dense", "dropout"]
KERAS_MODEL_NAME = "mnist_cnn"
INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)
KERAS_DEFAULT_INITIALIZER = "glorot_uniform"


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One layer of a preset, named as in the app (the app finds activations by these names).

    Attributes:
        name: the Keras layer name, e.g. "conv1", "pool1", "flatten", "dense1", "dropout1",
            "probabilities".
        kind: "conv" (2-D convolution, padding "same", stride 1), "pool" (max pooling, stride =
            size), "flatten", "dense" or "dropout".
        size: kernels of a conv layer, units of a dense layer, the window of a pool layer.
        kernel_size: a conv layer's kernels are kernel_size × kernel_size.
        activation: "relu", "sigmoid" or "softmax" (conv and dense layers).
        initializer: the kernel initializer (Keras's name), e.g. "he_normal" (slide 004's
            "He initialization"); Keras's default is "glorot_uniform".
        rate: a dropout layer's rate during training (the fraction of inputs set to 0).
    """

    name: str
    kind: LayerKind
    size: int = 0
    kernel_size: int = 0
    activation: str = ""
    initializer: str = KERAS_DEFAULT_INITIALIZER
    rate: float = 0.0


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a preset is trained unless told otherwise (the command line's defaults for it).

    Attributes:
        optimizer: "sgd" or "adam".
        learning_rate: the initial learning rate.
        lr_decay: "none" (constant), "exponential" (× 0.6 per epoch, slide 004) or "cosine" (to
            1 % of the initial rate over the run).
        epochs: passes over the training images.
        batch_size: images per gradient step.
        augment: randomly shift, rotate, slant, zoom and thicken/thin the training images.
    """

    optimizer: str
    learning_rate: float
    lr_decay: str
    epochs: int
    batch_size: int
    augment: bool


@dataclass(frozen=True, slots=True)
class Architecture:
    """A network preset: its layers and how to train it.

    Attributes:
        key: its name on the command line (--arch) and in the ONNX metadata "architecture".
        name: what it is called in the metadata "name" and the model card, e.g.
            "MNIST CNN (slide 002)".
        source: where it comes from, for the model card, e.g. "slide 002".
        description: one line for --help, e.g. "slide 002 (3x3 kernels, dense 128)".
        what_it_is: the model card's first sentence, e.g. "A small convolutional neural network".
        layers: the layers after the input "image" (28, 28, 1), the last one a 10-unit softmax
            layer named "probabilities".
        recipe: the training settings the preset uses unless told otherwise.
    """

    key: str
    name: str
    source: str
    description: str
    what_it_is: str
    layers: tuple[LayerSpec, ...]
    recipe: Recipe

    @property
    def dropout_layers(self) -> tuple[LayerSpec, ...]:
        """The preset's dropout layers (none for most of the ladder)."""
        return tuple(layer for layer in self.layers if layer.kind == "dropout")

    @property
    def is_convolutional(self) -> bool:
        """True if the first layer with weights is a convolution (the CNNs)."""
        return any(layer.kind == "conv" for layer in self.layers)

    @property
    def first_weighted_layer(self) -> LayerSpec:
        """The first conv or dense layer: the one whose weights the training lab shows."""
        return next(layer for layer in self.layers if layer.kind in ("conv", "dense"))

    def with_dropout(self, rate: float | None) -> tuple[LayerSpec, ...]:
        """The layers with every dropout rate set to `rate` (None: the preset's own rates)."""
        if rate is None:
            return self.layers
        return tuple(
            LayerSpec(layer.name, layer.kind, rate=rate) if layer.kind == "dropout" else layer
            for layer in self.layers
        )


@dataclass(frozen=True, slots=True)
class LayerRow:
    """One row of a `model.summary()`-style table (and of the model card's architecture table).

    Attributes:
        name: the layer's name, e.g. "conv1" (the input is "image").
        kind: what the layer does, e.g. "Conv2D 32 × 3×3, same, ReLU".
        output_shape: without the batch dimension, e.g. "28×28×32".
        parameters: learned weights and biases.
    """

    name: str
    kind: str
    output_shape: str
    parameters: int


def layer_kind_text(layer: LayerSpec) -> str:
    """What a layer does, in the words of the slides: 'Conv2D 32 × 3×3, same, ReLU'."""
    if layer.kind == "conv":
        size = layer.kernel_size
        activation = "ReLU" if layer.activation == "relu" else layer.activation
        return f"Conv2D {layer.size} × {size}×{size}, same, {activation}"
    if layer.kind == "pool":
        return f"MaxPool {layer.size}×{layer.size}"
    if layer.kind == "dense":
        return f"Dense {layer.size}, {layer.activation}"
    if layer.kind == "dropout":
        return f"Dropout {layer.rate:g} (training only)"
    return "Flatten"


def shape_text(shape: tuple[int, ...]) -> str:
    """'28×28×32' for (28, 28, 32)."""
    return "×".join(str(size) for size in shape)


def output_shape_and_parameters(
    layer: LayerSpec, shape: tuple[int, ...]
) -> tuple[tuple[int, ...], int]:
    """A layer's output shape (without the batch) and its parameter count, from its input shape.

    Conv ("same", stride 1): (H, W, kernels), (k·k·C + 1)·kernels parameters (slide 002,
    "Numbers of parameters: (w × h × C + 1) × D"). Max pooling (stride = window, "valid"):
    (H // s, W // s, C). Dense: (units,), (inputs + 1)·units. Flatten: (H·W·C,). Dropout: as is.
    """
    if layer.kind == "conv":
        height, width, channels = shape
        weights = layer.kernel_size * layer.kernel_size * channels + 1
        return (height, width, layer.size), weights * layer.size
    if layer.kind == "pool":
        height, width, channels = shape
        return (height // layer.size, width // layer.size, channels), 0
    if layer.kind == "flatten":
        size = 1
        for dimension in shape:
            size *= dimension
        return (size,), 0
    if layer.kind == "dense":
        (inputs,) = shape
        return (layer.size,), (inputs + 1) * layer.size
    return shape, 0


def summary_rows(architecture: Architecture, dropout: float | None = None) -> tuple[LayerRow, ...]:
    """The preset's `model.summary()` table: the input, then every layer, without TensorFlow.

    `dropout` sets every dropout layer's rate (None: the preset's). Output shapes and parameter
    counts are computed from the layers (see `output_shape_and_parameters`); the trainer's tests
    check them against Keras's own.
    """
    rows = [LayerRow(INPUT_NAME, "Input", shape_text(INPUT_SHAPE), 0)]
    shape: tuple[int, ...] = INPUT_SHAPE
    for layer in architecture.with_dropout(dropout):
        shape, parameters = output_shape_and_parameters(layer, shape)
        rows.append(LayerRow(layer.name, layer_kind_text(layer), shape_text(shape), parameters))
    return tuple(rows)


def total_parameters(rows: tuple[LayerRow, ...]) -> int:
    """The parameters of all layers of a summary table (model.summary()'s "Total params")."""
    return sum(row.parameters for row in rows)


def regularisation_text(architecture: Architecture, dropout: float | None = None) -> str:
    """What the network does against overfitting, for the model card.

    E.g. "dropout 0.25 after flatten, 0.4 after dense1", or "none".
    """
    layers = architecture.with_dropout(dropout)
    places = []
    for index, layer in enumerate(layers):
        if layer.kind == "dropout" and index > 0:
            places.append((layer.rate, layers[index - 1].name))
    if not places:
        return "none"
    rates = {rate for rate, _ in places}
    if len(rates) == 1 and len(places) > 1:
        names = [name for _, name in places]
        return f"dropout {places[0][0]:g} after {', '.join(names[:-1])} and {names[-1]}"
    return "dropout " + ", ".join(f"{rate:g} after {name}" for rate, name in places)


def two_block_cnn(kernel_size: int, dense_units: int) -> tuple[LayerSpec, ...]:
    """The course's CNN: two conv/pool blocks, a hidden dense layer, a softmax layer.

    conv1 (32 kernels) → pool1 (2×2) → conv2 (64 kernels) → pool2 (2×2) → flatten → dropout1
    (0.25) → dense1 (`dense_units`, ReLU) → dropout2 (0.4) → probabilities (10, softmax); the
    convolutions are `kernel_size`×`kernel_size`, padding "same", ReLU (slides 002 and 004).
    """
    return (
        LayerSpec("conv1", "conv", 32, kernel_size, "relu"),
        LayerSpec("pool1", "pool", 2),
        LayerSpec("conv2", "conv", 64, kernel_size, "relu"),
        LayerSpec("pool2", "pool", 2),
        LayerSpec("flatten", "flatten"),
        LayerSpec("dropout1", "dropout", rate=0.25),
        LayerSpec("dense1", "dense", dense_units, activation="relu"),
        LayerSpec("dropout2", "dropout", rate=0.4),
        LayerSpec(OUTPUT_NAME, "dense", NUM_CLASSES, activation="softmax"),
    )


LADDER_UNITS = (200, 100, 60, 30)  # slide 004's five-layer network, after the codelab


def five_dense_layers(
    activation: str, initializer: str = KERAS_DEFAULT_INITIALIZER
) -> tuple[LayerSpec, ...]:
    """Flatten → dense1..dense4 (200, 100, 60, 30 units) → probabilities (10, softmax)."""
    layers = [LayerSpec("flatten", "flatten")]
    for index, units in enumerate(LADDER_UNITS, start=1):
        layers.append(LayerSpec(f"dense{index}", "dense", units, 0, activation, initializer))
    layers.append(LayerSpec(OUTPUT_NAME, "dense", NUM_CLASSES, activation="softmax"))
    return tuple(layers)


# Slide 004's code for the last step of the ladder: Flatten, Dense(128, he_normal, relu),
# Dropout(0.2), Dense(10, softmax); Adam with lr_decay(epoch) = 0.01 * math.pow(0.6, epoch).
DECK_DROPOUT_NETWORK = (
    LayerSpec("flatten", "flatten"),
    LayerSpec("dense1", "dense", 128, 0, "relu", "he_normal"),
    LayerSpec("dropout1", "dropout", rate=0.2),
    LayerSpec(OUTPUT_NAME, "dense", NUM_CLASSES, activation="softmax"),
)


DENSE_WHAT = "A fully connected (dense) neural network"
CNN_WHAT = "A small convolutional neural network"
CNN_RECIPE = Recipe("adam", 1e-3, "cosine", epochs=20, batch_size=128, augment=True)
LADDER_ADAM = Recipe("adam", 3e-3, "none", epochs=10, batch_size=100, augment=False)

ARCHITECTURES: Mapping[str, Architecture] = MappingProxyType(
    {
        architecture.key: architecture
        for architecture in (
            Architecture(
                key="softmax",
                name="One-layer softmax network (slide 004)",
                source="slide 004",
                description="slide 004's one-layer network (dense 10, softmax; SGD)",
                what_it_is="A one-layer neural network (softmax regression)",
                layers=(
                    LayerSpec("flatten", "flatten"),
                    LayerSpec(OUTPUT_NAME, "dense", NUM_CLASSES, activation="softmax"),
                ),
                # Slide 004 compiles with optimizer='sgd' (rate 0.01): 90 % after 10 epochs;
                # 0.1 reaches the deck's 92 % in the same 10 epochs of batches of 100.
                recipe=Recipe("sgd", 0.1, "none", epochs=10, batch_size=100, augment=False),
            ),
            Architecture(
                key="dense-sigmoid",
                name="Five dense layers, sigmoid (slide 004)",
                source="slide 004",
                description="slide 004's five dense layers 200-100-60-30-10, sigmoid; Adam",
                what_it_is=DENSE_WHAT,
                layers=five_dense_layers("sigmoid"),
                recipe=LADDER_ADAM,
            ),
            Architecture(
                key="dense-relu",
                name="Five dense layers, ReLU, He init (slide 004)",
                source="slide 004",
                description="the same with ReLU and He initialisation",
                what_it_is=DENSE_WHAT,
                layers=five_dense_layers("relu", "he_normal"),
                recipe=LADDER_ADAM,
            ),
            Architecture(
                key="dense-dropout",
                name="Dense 128, He init, ReLU, dropout (slide 004's code)",
                source="slide 004",
                description="slide 004's code: dense 128 (He, ReLU), dropout 0.2, decay "
                "0.01·0.6^epoch",
                what_it_is=DENSE_WHAT,
                layers=DECK_DROPOUT_NETWORK,
                recipe=Recipe("adam", 0.01, "exponential", 10, batch_size=100, augment=False),
            ),
            Architecture(
                key="lecture",
                name="MNIST CNN (slide 002)",
                source="slide 002",
                description="slide 002 (3x3 kernels, dense 128)",
                what_it_is=CNN_WHAT,
                layers=two_block_cnn(kernel_size=3, dense_units=128),
                recipe=CNN_RECIPE,
            ),
            Architecture(
                key="kth",
                name="MNIST CNN (slide 004, 5x5 kernels)",
                source="slide 004",
                description="slide 004 (5x5, dense 1024)",
                what_it_is=CNN_WHAT,
                layers=two_block_cnn(kernel_size=5, dense_units=1024),
                recipe=CNN_RECIPE,
            ),
        )
    }
)
DEFAULT_ARCHITECTURE = "lecture"
