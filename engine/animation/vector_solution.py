"""A vector lesson's worked solution: its set-up, then one line per scrubber position.

The same layout as a convolution's (``engine.animation.solution``): the set-up (the input,
the weights and biases, the label, η, the formulas), then "## Steps" with one line per
position, each the frame's own arithmetic (``VectorFrame.arithmetic``) with its lines joined by
"; "::

    - Dense (z[X]): z[X] = x·w[:, X] + b[X], 48 products; 1×0.5 + … + 0.1 ≈ 2.35
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.animation.layer_shapes import tensor_text
from engine.animation.numbers import GENERAL, write
from engine.animation.solution import NUMBERS_NOTE, markdown_table
from engine.animation.vector_setup import CROSS_ENTROPY, DENSE, FLATTEN, SOFTMAX, UPDATE
from engine.animation.vector_timeline import (
    DENSE_UNIT,
    DIVIDE,
    EXP_SUM,
    EXPONENT,
    FLATTEN_STEP,
    LAYER,
    LOSS,
    LOSS_TERM,
    UNIT_GRADIENT,
    UNIT_UPDATE,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.animation.vector_frames import VectorAnimation, VectorFrame
    from engine.animation.vector_setup import VectorSpec

MAX_WEIGHTS_WRITTEN = 400
"""A dense layer with more weights than this is summarised in the set-up, not written out."""


def vector_setup_lines(animation: VectorAnimation) -> list[str]:
    """The set-up of a vector lesson: what it starts from, its numbers, the formulas."""
    spec = animation.spec
    if spec.is_shapes:
        lines = [f"**Input** {tensor_text(spec.shapes_input)}", "", "**Layers** (Keras):", ""]
        lines += [f"{n}. {layer.keras}" for n, layer in enumerate(spec.layers, start=1)]
        return [*lines, "", *_shape_formulas(), "", NUMBERS_NOTE]
    lines = [f"**Steps**: {animation.title}", ""]
    lines += _input_lines(spec)
    if spec.weights is not None and spec.bias is not None:
        lines += _weight_lines(spec, spec.weights, spec.bias)
    if spec.has(CROSS_ENTROPY) and spec.label is not None:
        y = ", ".join("1" if k == spec.label else "0" for k in range(spec.units))
        lines += [f"**True class** {spec.class_name(spec.label)}: one-hot y = [{y}]", ""]
    if spec.has(UPDATE) and animation.learning_rate is not None:
        lines += [f"**Learning rate** η = {write(animation.learning_rate).item}", ""]
    lines += _formulas(spec)
    return [*lines, "", NUMBERS_NOTE]


def _vector_table(values: NDArray[np.float64], names: list[str]) -> list[str]:
    """A vector as a one-row Markdown table, its entries' names as the header."""
    return [
        "| " + " | ".join(names) + " |",
        "|" + "---:|" * len(names),
        "| " + " | ".join(write(float(v)).item for v in values) + " |",
    ]


def _input_lines(spec: VectorSpec) -> list[str]:
    name = spec.input_name or ("the maps" if spec.maps is not None else "the input")
    title = name[:1].upper() + name[1:]
    if spec.maps is not None:
        h, w, c = spec.maps.shape
        size = f"{h}×{w}" + (f"×{c}" if c > 1 else "")
        lines = []
        for ch in range(c):
            channel = f", channel {ch} ({spec.map_name(ch)})" if c > 1 else ""
            lines += [f"**{title}** {size}{channel}:", ""]
            lines += [*markdown_table(spec.maps[:, :, ch], GENERAL), ""]
        return lines
    assert spec.values is not None  # a checked spec has maps or values
    n = spec.values.size
    names = (
        [spec.class_name(k) for k in range(n)]
        if not spec.has(DENSE)
        else [str(i) for i in range(n)]
    )
    return [f"**{title}** ({n} values):", "", *_vector_table(spec.values, names), ""]


def _weight_lines(
    spec: VectorSpec, weights: NDArray[np.float64], bias: NDArray[np.float64]
) -> list[str]:
    n, k = weights.shape
    names = [spec.class_name(j) for j in range(k)]
    if weights.size <= MAX_WEIGHTS_WRITTEN:
        lines = [f"**Weights W** {n}×{k} (row i: input x[i], column: output unit):", ""]
        header = "| i | " + " | ".join(names) + " |"
        lines += [header, "|---|" + "---:|" * k]
        for i, row in enumerate(weights.tolist()):
            lines.append(f"| **{i}** | " + " | ".join(write(v).item for v in row) + " |")
        lines.append("")
    else:
        low, high = float(weights.min()), float(weights.max())
        lines = [
            f"**Weights W** {n}×{k}: {weights.size:,} weights (all in the lesson file), from "
            f"{write(low).item} to {write(high).item}",
            "",
        ]
    return [*lines, "**Biases b**:", "", *_vector_table(bias, names), ""]


def _formulas(spec: VectorSpec) -> list[str]:
    lines = []
    if spec.has(FLATTEN) and spec.maps is not None:
        h, w, c = spec.maps.shape
        lines.append(
            f"- Flatten (Keras's Flatten, channels last): x[(r·W + c)·C + ch] = map ch at row "
            f"r, column c; {h}·{w}·{c} = {h * w * c} values, counted from 0"
        )
    if spec.has(DENSE) and spec.weights is not None:
        n, k = spec.weights.shape
        lines.append(
            f"- Dense: z = x·W + b, z[k] = Σ x[i]·w[i, k] + b[k]; parameters (N + 1)·K = "
            f"({n} + 1)·{k} = {(n + 1) * k:,}"
        )
    if spec.has(SOFTMAX):
        lines.append("- Softmax: ŷ[k] = e^z[k] / Σ e^z (Industrial AI Lab, slide 002)")
    if spec.has(CROSS_ENTROPY):
        lines.append("- Cross-entropy: J = −Σ y·log ŷ, log the natural logarithm (as Keras)")
    if spec.has(UPDATE):
        lines.append(
            "- One step of gradient descent: ∂J/∂z = ŷ − y, ∂J/∂W = xᵀ(ŷ − y), ∂J/∂b = ŷ − y; "
            "W′ = W − η·∂J/∂W, b′ = b − η·∂J/∂b"
        )
    return lines


def _shape_formulas() -> list[str]:
    return [
        "- Output size: ⌊(H + padding − k) / s⌋ + 1; with “same” padding ⌈H / s⌉",
        "- Parameters: (k·k·C + 1)·D for a convolution, (N + 1)·units for a dense layer, none "
        "for pooling and flattening",
    ]


def vector_step_line(frame: VectorFrame) -> str:
    """One position as a line: "- <what the step computes>: <the arithmetic>"."""
    return f"- {step_name(frame)}: " + "; ".join(frame.arithmetic.splitlines())


def step_name(frame: VectorFrame) -> str:
    """What a step computes, briefly: "Dense (z[X])", "Softmax (Σ e^z)", "Layer 3 (…)"."""
    spec = frame.animation.spec
    name = spec.class_name(frame.index) if frame.stage not in (LAYER, FLATTEN_STEP) else ""
    if frame.stage == LAYER:
        layer = spec.layers[frame.index]
        return f"Layer {frame.index + 1} ({layer.name or layer.keras})"
    if frame.stage == FLATTEN_STEP:
        step = frame.animation.result.flatten[frame.index]
        where = f"x[{step.first}] … x[{step.last}]" if step.whole_row else f"x[{step.first}]"
        return f"Flatten ({where})"
    names = {
        DENSE_UNIT: f"Dense (z[{name}])",
        EXPONENT: f"Softmax (e^z[{name}])",
        EXP_SUM: "Softmax (Σ e^z)",
        DIVIDE: f"Softmax (ŷ[{name}])",
        LOSS_TERM: f"Cross-entropy (class {name})",
        LOSS: "Cross-entropy (J)",
        UNIT_GRADIENT: f"Gradient (class {name})",
        UNIT_UPDATE: f"Update (unit {name})",
    }
    return names.get(frame.stage, "After the update (J)")
