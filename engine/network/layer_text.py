"""What a layer is, in words for students: its title and a sentence or two on what it does.

Everything is read from the model (op, shapes, kernel geometry, parameter counts) and the op
table (``engine.network.ops``: each op's name and one-line explanation), so a user's own
model with other layers is described just as well; an op the table does not know is named as
it is in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.network.geometry import LayerGeometry
    from engine.network.model import LayerInfo


def filter_name(k: int) -> str:
    """Filter k (0-based) as students count: "filter 5" for k = 4."""
    return f"filter {k + 1}"


def shape_text(shape: Sequence[int]) -> str:
    """28×28×32 for a map, 128 for a vector."""
    return "×".join(str(n) for n in shape)


def count_text(n: int, one: str, many: str | None = None) -> str:
    """1 filter, 32 filters, 1,290 parameters."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True, slots=True)
class LayerTitle:
    """A layer's title line, in parts: "conv1 — convolution (ONNX Conv) → 28×28×32".

    ``onnx_op`` is None when the op's name for students is the ONNX op itself (an op the
    table does not know), so it is not said twice. ``values`` says what the values of a
    class-score layer are ("logits", "probabilities"), whatever the layer is called in the
    file: "probabilities — dense (ONNX MatMul+Add) → 10 logits".
    """

    name: str
    op_title: str
    onnx_op: str | None
    shape: str
    values: str | None = None

    @property
    def plain(self) -> str:
        """The whole title as plain text."""
        op = f" (ONNX {self.onnx_op})" if self.onnx_op else ""
        values = f" {self.values}" if self.values else ""
        return f"{self.name} — {self.op_title}{op} → {self.shape}{values}"


def layer_title(info: LayerInfo, values: str | None = None) -> LayerTitle:
    """The title of a layer: its name, its op's name for students, the ONNX op, its shape.

    ``values`` names what a class-score layer's values are ("logits"), None for others.
    """
    title = op_info(info.op).title
    return LayerTitle(
        info.name,
        title,
        info.op if title != info.op else None,
        shape_text(info.output_shape),
        values,
    )


VALUES_SENTENCE = {
    "logits": " Its values are logits (scores), not probabilities.",
    "log-probabilities": " Its values are the logarithms of probabilities.",
    "independent scores": " Each value is one class's own score in 0..1 (they need not add "
    "up to 1).",
}
"""What a class-score layer's title word means, added to its explanation."""


def layer_explanation(
    info: LayerInfo, source: tuple[int, ...], geometry: LayerGeometry | None
) -> str:
    """One or two sentences on what the layer does, with its numbers.

    ``source`` is the shape of its input (the image's (H, W, C) for the first layer);
    ``geometry`` is its window for a conv or pooling layer, else None.
    """
    entry = op_info(info.op)
    shape = info.output_shape
    params = f" {count_text(info.params, 'parameter')}." if info.params else ""
    if geometry is not None and len(shape) == 3:
        if geometry.mode is None:
            return _conv_text(shape, source, geometry) + params
        return _pool_text(shape, source, geometry)
    if entry.kind is Kind.ACTIVATION:
        return f"{_capitalised(entry.title)}: {entry.explanation}{params}"
    if entry.kind is Kind.PLUMBING and len(shape) == 1:
        return (
            f"The {shape_text(source)} values laid out as one vector of {shape[0]:,} numbers, "
            "row by row (nothing is computed)."
        )
    if entry.kind is Kind.DENSE and len(shape) == 1:
        inputs = source[0] if len(source) == 1 else 0
        each = f" weighs all {inputs:,} inputs and adds a bias" if inputs else ""
        return f"Each of the {count_text(shape[0], 'unit')}{each}.{params}"
    if entry.kind is Kind.OUTPUT and len(shape) == 1 and entry.scores == "probabilities":
        return (
            f"Turns the {shape[0]} scores into probabilities that add up to 1: the network's "
            "answer."
        )
    change = f"{shape_text(source)} → {shape_text(shape)}."
    if entry.explanation:
        return f"{_capitalised(entry.title)}: {entry.explanation} {change}{params}"
    return f"{entry.title}: {change}{params}"


def _conv_text(shape: tuple[int, ...], source: tuple[int, ...], g: LayerGeometry) -> str:
    kh, kw = g.kernel_size
    stride = f", stride {g.stride[0]}" if g.stride != (1, 1) else ""
    depth = source[2] if len(source) == 3 else 1
    return (
        f"{count_text(shape[2], 'filter')} of {kh}×{kw}×{depth} slide over the "
        f"{shape_text(source)} input{stride}; each map shows where its filter's pattern is "
        f"found (red: positive, blue: negative)."
    )


def _pool_text(shape: tuple[int, ...], source: tuple[int, ...], g: LayerGeometry) -> str:
    kind = "largest" if g.mode == "max" else "average"
    kh, kw = g.kernel_size
    return (
        f"Each {kh}×{kw} window (stride {g.stride[0]}) keeps its {kind} value: "
        f"{shape_text(source[:2])} maps shrink to {shape_text(shape[:2])}, the patterns stay."
    )


def _capitalised(title: str) -> str:
    """A title at the start of a sentence: "Sigmoid", "ReLU" (acronyms stay as they are)."""
    return title[:1].upper() + title[1:]
