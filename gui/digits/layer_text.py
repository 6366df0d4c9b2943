"""What a layer is, in words for students: its title line and a one-sentence explanation.

Everything is read from the model (op, shapes, kernel geometry, parameter counts), so a user's
own model with other layers is described just as well; an unknown op is named as it is.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import LayerInfo, OnnxModel

OP_STYLE = "color:#6b7280; font-weight:normal"
DENSE_OPS = ("MatMul+Add", "Gemm", "MatMul")
POOL_OPS = ("MaxPool", "AveragePool")
RESHAPE_OPS = ("Flatten", "Reshape")
OP_NAMES = {
    "Conv": "convolution",
    "Relu": "ReLU",
    "MaxPool": "max pooling",
    "AveragePool": "average pooling",
    "GlobalAveragePool": "global average pooling",
    "GlobalMaxPool": "global max pooling",
    "Flatten": "flatten",
    "Reshape": "flatten",
    "MatMul+Add": "dense (fully connected)",
    "Gemm": "dense (fully connected)",
    "MatMul": "dense (fully connected)",
    "Softmax": "softmax",
    "LogSoftmax": "log-softmax",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "LeakyRelu": "leaky ReLU",
    "BatchNormalization": "batch normalisation",
}


def shape_text(shape: tuple[int, ...]) -> str:
    """28×28×32, or 128 for a vector."""
    return "×".join(str(n) for n in shape)


def count_text(n: int, one: str, many: str | None = None) -> str:
    """1 filter, 32 filters, 1,290 parameters."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def op_name(op: str) -> str:
    return OP_NAMES.get(op, op)


def layer_title(info: LayerInfo) -> str:
    """Rich text: conv1 — convolution (ONNX Conv) → 28×28×32; unknown ops by their name."""
    name = op_name(info.op)
    title = f"{escape(info.name)} — {escape(name)}"
    if name != info.op:
        title += f' <span style="{OP_STYLE}">(ONNX {escape(info.op)})</span>'
    return f"{title} → {shape_text(info.output_shape)}"


def input_shape_of(info: LayerInfo, model: OnnxModel) -> tuple[int, ...]:
    """The output shape of the layer feeding ``info`` (the image for the first layer)."""
    if not info.inputs:
        return tuple(model.input_shape)
    shapes = {layer.name: layer.output_shape for layer in model.layers()}
    return shapes.get(info.inputs[0], tuple(model.input_shape))


def layer_explanation(info: LayerInfo, model: OnnxModel) -> str:
    """One or two sentences on what the layer does, with its numbers."""
    shape = info.output_shape
    source = input_shape_of(info, model)
    params = f" {count_text(info.params, 'parameter')}." if info.params else ""
    if info.op == "Conv" and len(shape) == 3:
        g = model.geometry(info.name)
        kh, kw = g.kernel_size
        stride = f", stride {g.stride[0]}" if g.stride != (1, 1) else ""
        depth = source[2] if len(source) == 3 else 1
        return (
            f"{count_text(shape[2], 'filter')} of {kh}×{kw}×{depth} slide over the "
            f"{shape_text(source)} input{stride}; each map shows where its filter's pattern is "
            f"found (red: positive, blue: negative).{params}"
        )
    if info.op in POOL_OPS and len(shape) == 3:
        g = model.geometry(info.name)
        kind = "largest" if info.op == "MaxPool" else "average"
        kh, kw = g.kernel_size
        return (
            f"Each {kh}×{kw} window (stride {g.stride[0]}) keeps its {kind} value: "
            f"{shape_text(source[:2])} maps shrink to {shape_text(shape[:2])}, the patterns stay."
        )
    if info.op == "Relu":
        return "ReLU: negative values become 0, positive values pass unchanged."
    if info.op in RESHAPE_OPS and len(shape) == 1:
        return (
            f"The {shape_text(source)} values laid out as one vector of {shape[0]:,} numbers, "
            "row by row (nothing is computed)."
        )
    if info.op in DENSE_OPS and len(shape) == 1:
        inputs = source[0] if len(source) == 1 else 0
        each = f" weighs all {inputs:,} inputs and adds a bias" if inputs else ""
        return f"Each of the {count_text(shape[0], 'unit')}{each}.{params}"
    if info.op in ("Softmax", "LogSoftmax"):
        return (
            f"Turns the {shape[0]} scores into probabilities that add up to 1: the network's "
            "answer."
        )
    return f"{op_name(info.op)}: {shape_text(source)} → {shape_text(shape)}.{params}"
