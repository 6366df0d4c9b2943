"""A worked solution: the whole animation of a set-up written out as Markdown, an answer key.

First the set-up (input, filters with their biases, the layer's settings, the output-size and
parameter-count formulas), then one line per scrubber position, in the animation's order
(filter, then row, then column; then ReLU; then pooling; for the backprop exercise: the
forward pass, the gradients, the update)::

    - Filter 1 · Convolution (row 1, column 2): 1×2.5 + 0×(−1) + … + 1×1 = 4.5

Each step's arithmetic is the frame's own (``Frame.arithmetic``), so the numbers are the ones
the playground shows, written by the same rule (``engine.animation.numbers``); the lines of a
multi-line step are joined with "; ". A vector lesson (flatten, dense, softmax, cross-entropy,
the update; a network's shapes) is written the same way from its own frames
(``engine.animation.vector_solution``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.animation.frames import POOL_EDGE_NOTE, Animation
from engine.animation.numbers import write
from engine.animation.timeline import CONV, FORWARD, GRADIENT, POOL, RELU, UPDATE

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np

    from engine.animation.frames import Frame
    from engine.animation.numbers import NumberRule
    from engine.animation.vector_frames import VectorAnimation

STEPS_HEADING = "## Steps"
NUMBERS_NOTE = (
    "Numbers are exact unless marked: an operand written 0.333… and a result written ≈ 0.333 "
    "are rounded to the digits shown."
)


def worked_solution(
    animation: Animation | VectorAnimation,
    *,
    title: str,
    explanation: str = "",
    source: str = "",
    notes: tuple[str, ...] = (),
) -> str:
    """The animation written out as Markdown (see the module docstring).

    Args:
        animation: The frames of the set-up, as the playground shows them.
        title: The lesson's title (one line).
        explanation: What the lesson shows, as plain text.
        source: The slide or paper the example comes from.
        notes: Remarks on the source (a typo on the slide, its way of writing numbers).

    Returns:
        The Markdown text, ending with a newline: the set-up, then "## Steps" and exactly one
        line per position of the animation.
    """
    lines = [f"# Worked solution: {title}", ""]
    if source:
        lines += [f"Source: {source}", ""]
    if explanation:
        lines += [explanation, ""]
    for note in notes:
        lines += [f"> Note: {note}", ""]
    if isinstance(animation, Animation):
        lines += ["## Set-up", "", *setup_lines(animation), "", STEPS_HEADING, ""]
        lines += [step_line(frame) for frame in animation]
    else:
        from engine.animation.vector_solution import vector_setup_lines, vector_step_line

        lines += ["## Set-up", "", *vector_setup_lines(animation), "", STEPS_HEADING, ""]
        lines += [vector_step_line(frame) for frame in animation]
    return "\n".join(lines) + "\n"


def setup_lines(animation: Animation) -> list[str]:
    """The set-up: input, filters and biases (or the exercise), settings, formulas, numbers."""
    result = animation.result
    spec = result.spec
    lines: list[str] = []
    for c in range(spec.channels):
        name = animation.channel_names[c]
        lines += [f"**Input** {_size(spec.input)}{f', channel {name}' if name else ''}:", ""]
        lines += [*markdown_table(spec.input[:, :, c], animation.input_numbers), ""]
    backprop = animation.backprop
    for d in range(spec.num_filters):
        bias = write(float(spec.biases[d]), animation.kernel_numbers).item
        lines += [f"**{animation.filter_names[d]}**, bias {bias}:", ""]
        for c in range(spec.channels):
            name = animation.channel_names[c]
            if name:
                lines += [f"Channel {name}:", ""]
            lines += [*markdown_table(spec.filters[:, :, c, d], animation.kernel_numbers), ""]
    if backprop is not None:
        rate = write(backprop.learning_rate).item
        lines += [
            "**Target T**:",
            "",
            *markdown_table(backprop.target, animation.input_numbers),
            "",
        ]
        lines += [f"Learning rate η = {rate}; error E = Σ ½(h − t)²; update W ← W − η ∂E/∂W.", ""]
    lines += list(_settings(animation))
    lines += ["", NUMBERS_NOTE]
    rule = animation.map_numbers
    if rule.truncate and not rule.is_general:
        lines.append(
            f"As on the slide, the maps' values are cut to {rule.decimals} decimals: a cut "
            "result reads 0.77…, that is 0.77 and more digits."
        )
    elif not rule.is_general:
        lines.append(f"As on the slide, the maps' values are rounded to {rule.decimals} decimals.")
    return lines


def _settings(animation: Animation) -> Iterator[str]:
    """The layer's settings and the formulas, one Markdown list item each."""
    result = animation.result
    spec = result.spec
    padding = result.padding
    sides = f"{padding.top}, {padding.bottom}, {padding.left}, {padding.right}"
    kind = spec.padding if isinstance(spec.padding, str) else "explicit"
    yield (
        f"- Stride {spec.stride[0]}×{spec.stride[1]}, padding {kind} (top, bottom, left, "
        f"right: {sides}), dilation {spec.dilation[0]}×{spec.dilation[1]}"
    )
    if spec.divisor != 1:
        yield f"- Every result divided by {write(spec.divisor).item}"
    if spec.relu:
        yield "- ReLU after the convolution: max(0, x)"
    if spec.pool is not None:
        p = spec.pool
        mode = "Max" if p.mode == "max" else "Average"
        yield f"- {mode} pooling {p.size}×{p.size}, stride {p.stride}, padding {p.padding}"
    h, w, d = result.shape.shape
    yield f"- Output size: {result.shape.formula} → {h} × {w} × {d}"
    if result.pooled_shape is not None and result.pooled is not None:
        ph, pw = result.pooled.shape[:2]
        yield f"- Pooled size: {result.pooled_shape.formula} → {ph} × {pw} × {d}"
    yield f"- Learned parameters (w·h·C + 1)·D: {result.params.formula}"


def step_line(frame: Frame) -> str:
    """One position as a line: "- <map name> (row r, column c): <the arithmetic>"."""
    text = frame.arithmetic
    edge = text.endswith(POOL_EDGE_NOTE)
    arithmetic = ""
    for line in text.removesuffix(POOL_EDGE_NOTE).splitlines():
        # "= …" goes on with the line before, and so does the line after a "…:"
        joint = " " if line.startswith("= ") or arithmetic.endswith(":") else "; "
        arithmetic = f"{arithmetic}{joint}{line}" if arithmetic else line
    if edge:
        arithmetic += " (the window reaches past the edge: only the cells inside count)"
    return f"- {_where(frame)}: {arithmetic}"


def _where(frame: Frame) -> str:
    """The map and the cell a step computes: "Filter 1 · Convolution (row 1, column 2)"."""
    animation = frame.animation
    headers = {column.key: column.header.split("\n")[0] for column in animation.columns}
    if frame.stage == CONV and frame.conv is not None:
        conv = frame.conv
        name = f"{animation.filter_names[conv.filter]} · {headers[CONV]}"
        return f"{name} (row {conv.row + 1}, column {conv.col + 1})"
    if frame.stage == RELU:
        return f"{animation.filter_names[frame.index]} · ReLU (every cell)"
    if frame.stage == POOL and frame.pool is not None:
        pool = frame.pool
        name = f"{animation.filter_names[pool.channel]} · {headers[POOL]}"
        return f"{name} (row {pool.row + 1}, column {pool.col + 1})"
    if frame.stage == FORWARD and frame.conv is not None:
        return f"Output H (row {frame.conv.row + 1}, column {frame.conv.col + 1})"
    if frame.stage == GRADIENT and frame.weight is not None:
        i, j = frame.weight
        return f"∂E/∂W (row {i + 1}, column {j + 1})"
    assert frame.stage == UPDATE, frame.stage
    return "W after the update (every weight)"


def _size(values: np.ndarray) -> str:
    """The size as rows×cols, with ×channels when there is more than one: 6×6, 5×5×3."""
    rows, cols = values.shape[:2]
    channels = values.shape[2] if values.ndim == 3 else 1
    return f"{rows}×{cols}" + (f"×{channels}" if channels > 1 else "")


def markdown_table(values: np.ndarray, rule: NumberRule) -> list[str]:
    """A (rows, cols) array as a Markdown table with numbered rows and columns."""
    cols = values.shape[1]
    lines = [
        "| | " + " | ".join(str(c + 1) for c in range(cols)) + " |",
        "|---|" + "---:|" * cols,
    ]
    for r, row in enumerate(values.tolist()):
        cells = " | ".join(write(v, rule).item for v in row)
        lines.append(f"| **{r + 1}** | {cells} |")
    return lines
