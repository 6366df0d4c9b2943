"""A network's tensor shape and parameter count layer by layer, with the formulas written out.

Slide 004 (KTH, "CNN in TensorFlow (1/7)–(7/7)") follows one tensor through its MNIST CNN:
[batch, 28, 28, 1] → [28, 28, 32] → [14, 14, 32] → [14, 14, 64] → [7, 7, 64] → 3136 → 1024 → 10.
``layer_shapes`` works out each layer's output shape with the engine's formulas
(``engine.operations.shapes``: "same" padding gives ⌈H / s⌉, "valid" ⌊(H − k) / s⌋ + 1) and
its learned parameters: (k·k·C + 1)·D for a convolution (slide 002, "Dealing with Shapes"),
(N + 1)·units for a dense layer, none for pooling and flattening.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.operations.params import describe, whole
from engine.operations.shapes import output_shape, param_count

LAYER_KINDS = ("conv", "pool", "flatten", "dense")
MAX_LAYERS = 32
MAX_UNITS = 1_000_000
"""The most filters or dense units a layer of a shapes lesson may have."""
MAX_SIZE = 4096
"""The largest kernel, pool window or stride (the engine's ``MAX_SIDE``)."""
NO_PARAMETERS_POOL = "0 (a pooling neuron has no weights)"
NO_PARAMETERS_FLATTEN = "0 (flattening only moves the values)"


@dataclass(frozen=True, slots=True)
class ShapeLayer:
    """One layer of a network whose shapes a lesson follows.

    Attributes:
        kind: "conv" (Conv2D), "pool" (MaxPooling2D), "flatten" or "dense".
        name: What the slide calls it ("Conv. layer 1"); may be "".
        size: The kernel (conv) or the pool window (pool), square; 0 otherwise.
        stride: The stride (conv, pool); 0 otherwise.
        padding: "valid" or "same" (conv, pool).
        count: The filters (conv) or units (dense); 0 otherwise.
        activation: "relu", "softmax", … as the slide's code names it, or "".
    """

    kind: str
    name: str = ""
    size: int = 0
    stride: int = 0
    padding: str = "valid"
    count: int = 0
    activation: str = ""

    @property
    def keras(self) -> str:
        """The layer as the slide's Keras code writes it: "Conv2D(kernel_size=5, …)"."""
        activation = f", activation='{self.activation}'" if self.activation else ""
        if self.kind == "conv":
            return (
                f"Conv2D(kernel_size={self.size}, filters={self.count}{activation}, "
                f"padding='{self.padding}'" + (f", strides={self.stride})" if self.stride != 1
                                               else ")")
            )  # fmt: skip
        if self.kind == "pool":
            same = ", padding='same'" if self.padding == "same" else ""
            return f"MaxPooling2D(pool_size={self.size}, strides={self.stride}{same})"
        if self.kind == "flatten":
            return "Flatten()"
        return f"Dense({self.count}{activation})"


@dataclass(frozen=True, slots=True)
class LayerShape:
    """A layer with the shape it takes and gives, and its parameters, formulas written out.

    Attributes:
        layer: The layer.
        input_shape: (H, W, C) or (N,), without the batch.
        output_shape: The same for its output.
        shape_formula: How the output size is found, e.g. "⌈28 / 1⌉ = 28  (“same” pads 2 + 2)".
        params: The number of learned parameters.
        params_formula: How, e.g. "(5·5·1 + 1)·32 = 832", or why none.
    """

    layer: ShapeLayer
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    shape_formula: str
    params: int
    params_formula: str


def tensor_text(shape: tuple[int, ...]) -> str:
    """A shape as the slide writes it, with the batch: "[batch, 28, 28, 32]"."""
    return "[" + ", ".join(["batch", *(str(d) for d in shape)]) + "]"


def layer_shapes(
    input_shape: tuple[int, ...], layers: tuple[ShapeLayer, ...]
) -> tuple[LayerShape, ...]:
    """Each layer's input and output shape and parameter count, in order.

    Args:
        input_shape: The network's input (H, W, C), e.g. (28, 28, 1).
        layers: The layers; conv and pool need maps (H, W, C), dense needs a vector (after a
            flatten), flatten needs maps.

    Returns:
        One ``LayerShape`` per layer.

    Raises:
        ValueError: a layer that cannot take its input (named "layer 3 (Dense)"), a kind not
            in ``LAYER_KINDS``, a window larger than its (padded) input, or sizes outside the
            limits above.
    """
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"a network has 1 to {MAX_LAYERS} layers, got {len(layers)}")
    shape = tuple(whole(d, "the input shape", low=1, high=MAX_SIZE) for d in input_shape)
    if len(shape) != 3:
        raise ValueError(f"the input shape must be (H, W, C), got {describe(input_shape)}")
    shapes = []
    for number, layer in enumerate(layers, start=1):
        where = f"layer {number} ({layer.name or layer.kind})"
        try:
            found = _one_layer(shape, layer)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        shapes.append(found)
        shape = found.output_shape
    return tuple(shapes)


def _one_layer(shape: tuple[int, ...], layer: ShapeLayer) -> LayerShape:
    if layer.kind not in LAYER_KINDS:
        raise ValueError(f"the kind must be one of {', '.join(LAYER_KINDS)}, got {layer.kind!r}")
    if layer.kind == "dense":
        if len(shape) != 1:
            raise ValueError(f"a dense layer takes a vector; flatten the {_text(shape)} maps first")
        units = whole(layer.count, "the units", low=1, high=MAX_UNITS)
        params = (shape[0] + 1) * units
        formula = f"({shape[0]:,} + 1)·{units:,} = {params:,}"
        return LayerShape(layer, shape, (units,), f"{units:,} units", params, formula)
    if len(shape) != 3:
        raise ValueError(f"a {layer.kind} layer takes maps (H, W, C), got a vector of {shape[0]}")
    h, w, c = shape
    if layer.kind == "flatten":
        n = h * w * c
        return LayerShape(layer, shape, (n,), f"{h}·{w}·{c} = {n:,}", 0, NO_PARAMETERS_FLATTEN)
    size = whole(layer.size, "the window size", low=1, high=MAX_SIZE)
    stride = whole(layer.stride, "the stride", low=1, high=MAX_SIZE)
    if layer.kind == "pool":
        out = output_shape(shape, size, stride=stride, padding=layer.padding, pooling=True)
        return LayerShape(layer, shape, out.shape, out.formula, 0, NO_PARAMETERS_POOL)
    filters = whole(layer.count, "the filters", low=1, high=MAX_UNITS)
    out = output_shape(shape, size, stride=stride, padding=layer.padding, filters=filters)
    params = param_count(size, c, filters).value
    formula = f"({size}·{size}·{c} + 1)·{filters} = {params:,}"
    return LayerShape(layer, shape, out.shape, out.formula, params, formula)


def _text(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)
