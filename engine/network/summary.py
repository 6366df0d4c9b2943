"""A model summary like Keras's ``model.summary()``: its layers, shapes and parameters.

``python main.py --model M --summary`` prints it, and the lab shows the same text. Above the
table: the input the model takes (its contract) and how pictures are prepared for it (the
chosen preprocessing and how sure the app is), and what its output values are. Shapes are
written as Keras writes them, channels-last with None for the batch, whatever the model's own
layout; parameters are the values the file stores for each layer (an 8-bit weight counts once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.network.input_choice import FIT_TEXT
from engine.network.output_scores import KIND_TEXT

if TYPE_CHECKING:
    from engine.network.input_choice import InputChoice
    from engine.network.model import OnnxModel

HEADERS = ("Layer (op)", "Output shape", "Param #")
MAX_LABELS_SHOWN = 20


def shape_text(shape: tuple[int, ...]) -> str:
    """A layer's output shape as Keras writes it: (None, 28, 28, 32)."""
    return "(" + ", ".join(["None", *(str(d) for d in shape)]) + ")"


def input_lines(model: OnnxModel, choice: InputChoice) -> list[str]:
    """The input contract and the chosen preprocessing, one line each."""
    h, w, c = model.input_shape
    layout = "channels-last (NHWC)" if model.layout == "NHWC" else "channels-first (NCHW)"
    colour = "gray" if c == 1 else "RGB"
    batch = "a dynamic batch" if isinstance(model.batch_dim, str) else "a batch of 1"
    dims = (h, w, c) if model.layout == "NHWC" else (c, h, w)
    declared = ", ".join(str(d) for d in (model.batch_dim, *dims))
    kind = (
        "a digit model: drawings and pictures are prepared like MNIST"
        if choice.digits
        else f"pictures are fitted by {FIT_TEXT[choice.fit]}"
    )
    return [
        f"Input: {model.input_name} ({declared}) float32, {layout}, {h}×{w} {colour}, "
        f"{batch}; {kind}",
        f"Preprocessing: {choice.text}",
    ]


def output_lines(model: OnnxModel) -> list[str]:
    """What the output is, and the class labels."""
    labels = model.class_labels
    shown = ", ".join(labels[:MAX_LABELS_SHOWN])
    if len(labels) > MAX_LABELS_SHOWN:
        shown += f", … ({len(labels)} in all)"
    return [
        f"Output: {model.output_name} (batch, {model.num_classes}): {KIND_TEXT[model.output_kind]}",
        f"Classes: {shown}",
    ]


def layer_table(model: OnnxModel) -> list[str]:
    """The table: one line per layer, a rule above and below, the total under it."""
    rows = [
        (f"{i.name} ({i.op})", shape_text(i.output_shape), f"{i.params:,}") for i in model.layers()
    ]
    widths = [max(len(r[k]) for r in [HEADERS, *rows]) for k in range(3)]
    rule = "─" * (sum(widths) + 6)

    def line(cells: tuple[str, str, str]) -> str:
        return f"{cells[0]:<{widths[0]}}   {cells[1]:<{widths[1]}}   {cells[2]:>{widths[2]}}"

    total = sum(i.params for i in model.layers())
    return [
        rule,
        line(HEADERS),
        rule,
        *(line(r) for r in rows),
        rule,
        f"Total params: {total:,}",
        rule,
    ]


def summary_text(model: OnnxModel, choice: InputChoice) -> str:
    """The whole summary, as ``--summary`` prints it and the lab shows it (plain text)."""
    head = [f"Model: {model.name}", f"File: {model.path} (ONNX opset {model.opset})"]
    notes = list(model.notes)
    if model.quantized:
        notes.append(
            "An 8-bit (quantized) model: its values and weights are shown decoded, "
            "real = (q − zero point) × scale; its parameters count the stored 8-bit values."
        )
    if choice.warning:
        notes.append(choice.warning)
    tail = [f"Note: {note}" for note in notes]
    lines = [*head, *input_lines(model, choice), *output_lines(model), "", *layer_table(model)]
    return "\n".join([*lines, *tail])
