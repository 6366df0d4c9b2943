"""MODEL_CARD.md: what the model is, how it was trained and how well it does (from a report)."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.architectures import regularisation_text
from models.training.augmentation import AUGMENTATION
from models.training.contract import INPUT_DESCRIPTION, INPUT_NAME, NUM_CLASSES, OUTPUT_NAME

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.training.architectures import Architecture
    from models.training.report import TrainingReport
    from models.training.settings import TrainingSettings

OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD"}
NAMES_TEXT = (
    "Node and tensor names keep the Keras layer names; the learned parameters are "
    "`<layer>/kernel`\n"
)
CNN_GRAPH_TEXT = NAMES_TEXT + (
    "and `<layer>/bias` (a Conv kernel is stored as out × in × height × width). The input is "
    "NHWC;\ninside, the conv and pool tensors are NCHW (N, channels, height, width), and the "
    "node before\nthe flatten turns pool2's output back to NHWC, so `dense1/kernel` rows follow "
    "Keras's flatten\norder (row, column, channel)."
)
DENSE_GRAPH_TEXT = NAMES_TEXT + (
    "(inputs × units) and `<layer>/bias`. The input is NHWC; the flatten node reshapes each "
    "image to\n784 values in row-major order (row, column), so row 28·r + c of the first kernel "
    "holds the\nweights of pixel (r, c)."
)


def cpu_description() -> str:
    """CPU model, core count and system, e.g. 'AMD EPYC 7B13, 2 cores, Linux x86_64'."""
    name = platform.processor() or platform.machine() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores, {platform.system()} {platform.machine()}"


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], text_columns: int = 1
) -> str:
    """A Markdown table: the first `text_columns` columns left-aligned, the rest right-aligned."""
    align = ["---"] * text_columns + ["---:"] * (len(header) - text_columns)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def graph_text(architecture: Architecture) -> str:
    """How the exported graph is laid out (names, layouts), for the architecture section."""
    if not architecture.is_convolutional:
        return DENSE_GRAPH_TEXT
    return CNN_GRAPH_TEXT


def architecture_section(report: TrainingReport) -> str:
    """The layer table (with the total parameter count) and the ONNX node table."""
    total = sum(layer.parameters for layer in report.layers)
    layer_rows = [
        (layer.name, layer.kind, layer.output_shape, f"{layer.parameters:,}")
        for layer in report.layers
    ]
    node_rows = [
        (f"`{node.name}`", node.op_type, f"`{node.outputs[0]}`") for node in report.graph_nodes
    ]
    return f"""## Architecture

{markdown_table(("Layer", "Type", "Output shape", "Parameters"), layer_rows, text_columns=2)}
| **Total** | | | **{total:,}** |

### The exported ONNX graph

{graph_text(report.architecture)}

{markdown_table(("Node", "Op type", "Output tensor"), node_rows, text_columns=3)}"""


def optimizer_text(training: TrainingSettings) -> str:
    """E.g. 'Adam, learning rate 0.001 with cosine decay to 1% of it'."""
    name = OPTIMIZER_NAMES[training.optimizer]
    decay = {
        "none": "(constant)",
        "cosine": "with cosine decay to 1% of it",
        "exponential": "× 0.6 per epoch (slide 004's exponential decay)",
    }[training.lr_decay]
    return f"{name}, learning rate {training.learning_rate:g} {decay}"


def epochs_text(report: TrainingReport) -> str:
    """The epochs row: '3', or '3 asked for; stopped after 1 complete epoch'."""
    epochs = report.settings.training.epochs
    if not report.stopped:
        return str(epochs)
    done = report.epochs_done
    return (
        f"{epochs} asked for; stopped by the user after {done} complete "
        f"epoch{'' if done == 1 else 's'} (the model has the weights of the last step)"
    )


def training_section(report: TrainingReport) -> str:
    """The table of training settings, and how close the export is to the Keras model."""
    training = report.settings.training
    augmentation = AUGMENTATION.describe() if training.augment else "none (--no-augment)"
    regularisation = regularisation_text(report.architecture, training.dropout)
    return f"""## Training

| Setting | Value |
|---|---|
| Data | {report.data_source}: {report.train_images:,} training images, 10,000 test images |
| Epochs | {epochs_text(report)} |
| Batch size | {training.batch_size} |
| Optimizer | {optimizer_text(training)} |
| Loss | sparse categorical cross-entropy |
| Regularisation | {regularisation} |
| Augmentation | {augmentation} |
| Input scaling | pixel / 255 (float32 0..1, ink = 1) |
| Seed | {training.seed} (Keras/TensorFlow/NumPy seeded; TensorFlow op determinism on) |
| Framework | {report.framework}; exported with {report.exporter} |
| Trained | {report.trained_at} |
| Training time | {report.training_seconds / 60:.1f} min ({report.training_seconds:.0f} s) |
| Machine | {report.machine} |

The exported graph agrees with the Keras model to {report.keras_onnx_max_diff:.1e} (largest
absolute difference of a probability on 1,000 test images)."""


def results_section(report: TrainingReport) -> str:
    """Test accuracy, the worst class, per-class accuracy and the confusion matrix."""
    evaluation = report.evaluation
    per_class = evaluation.per_class_accuracy
    worst = evaluation.worst_class
    confusion = evaluation.confusion
    class_rows = [
        (digit, int(confusion[digit].sum()), int(confusion[digit, digit]), f"{acc:.2%}")
        for digit, acc in enumerate(per_class)
    ]
    confusion_rows = [
        (f"**{digit}**", *(int(count) for count in confusion[digit]))
        for digit in range(NUM_CLASSES)
    ]
    confusion_header = ("true \\ predicted", *(str(digit) for digit in range(NUM_CLASSES)))
    return f"""## Results (ONNX Runtime, this file, 10,000 MNIST test images)

Test accuracy: **{evaluation.accuracy:.2%}** ({evaluation.accuracy:.4f}). Worst class: **{worst}**
({per_class[worst]:.2%}).

{markdown_table(("Digit", "Test images", "Correct", "Accuracy"), class_rows)}

Confusion matrix (rows: true digit, columns: predicted digit):

{markdown_table(confusion_header, confusion_rows)}"""


def augmentation_note(report: TrainingReport) -> str:
    """The end of the handwriting limitation: what augmentation does, if it was on."""
    if report.settings.training.augment:
        return (
            ",\n  although the augmentation helps with mouse-drawn, slanted, thick or thin digits."
        )
    return (
        ";\n  this model was trained without augmentation, so mouse-drawn, slanted, thick or thin "
        "digits\n  fare worse than with the CNN presets."
    )


def intended_use(architecture: Architecture) -> str:
    """The "Intended use" paragraph: what the app shows inside this network."""
    if architecture.is_convolutional:
        inside = "feature maps of conv1, pool1,\nconv2, pool2, the dense layer, the probabilities"
    else:
        hidden = [layer.name for layer in architecture.layers if layer.kind == "dense"][:-1]
        shown = f"the activations of {', '.join(hidden)}" if hidden else "the weighted sums"
        inside = f"{shown},\nthe probabilities"
    return (
        f"Teaching: the CNN Visualizer shows what happens inside this network ({inside}) "
        "when a student draws a digit. It is not meant\nfor production digit recognition."
    )


def render_model_card(report: TrainingReport) -> str:
    """MODEL_CARD.md for the exported model, in Markdown."""
    evaluation = report.evaluation
    correct = int(evaluation.confusion.trace())
    size_mb = report.model_size / 1_000_000
    architecture = report.architecture
    slide = architecture.source
    file_name = report.settings.outputs.model.name
    network = "CNN" if architecture.is_convolutional else "network"
    return f"""# Model card: {architecture.name}

*Generated by `models/train.py`; do not edit by hand (re-run the command below instead).*

## What it is

{architecture.what_it_is} that classifies handwritten digits 0–9: the {network} of the
course slides ({slide}), trained on MNIST with Keras and exported to ONNX for the CNN Visualizer.

- **File:** `{file_name}` ({size_mb:.2f} MB, {report.model_size:,} bytes), ONNX opset {report.opset}
- **Input:** `{INPUT_NAME}`, float32 (N, 28, 28, 1): {INPUT_DESCRIPTION}
- **Output:** `{OUTPUT_NAME}`, float32 (N, 10): softmax probabilities for the digits 0–9
- **Test accuracy: {evaluation.accuracy:.2%}** ({evaluation.accuracy:.4f}; {correct:,} of \
{len(evaluation.labels):,} MNIST test images), measured with ONNX Runtime on this file

## Intended use

{intended_use(architecture)}

## Limitations

- Expects MNIST-style input: one digit, white ink on black, cropped to its ink, fit to 20×20 and
  centred by centre of mass in 28×28. The app prepares drawings this way; other inputs
  (uncentred, inverted, photos, several digits) give unreliable answers.
- Very thick strokes (around 6 px or more once the digit is scaled to 20 px high) fill the
  loops of 6, 8 and 9, which are then easily read as 0 or 8; strokes of 2–4 px work best.
- Knows only the digits 0–9. Letters, symbols or scribbles still get a digit with a probability,
  often a high one: softmax probabilities are not a measure of "this is not a digit".
- MNIST was written by American Census Bureau employees and high-school students; other
  handwriting styles (e.g. a crossed 7 or a 1 with a long flag) may be recognised less \
well{augmentation_note(report)}

{architecture_section(report)}

{training_section(report)}

{results_section(report)}

## How to reproduce

From the repository root, with the `train` extra installed (TensorFlow, Keras and tf2onnx;
`pip install -e ".[train]"`):

```
{report.command}
```

Training is seeded and TensorFlow's op determinism is on, so the same command on the same
versions and CPU gives the same weights; other CPUs or library versions may differ slightly.
"""
