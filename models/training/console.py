"""The command line's human output of a training run (what `python models/train.py` prints)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.training.export import GraphNode
    from models.training.progress import BatchEnd, EpochEnd, TrainingStart
    from models.training.report import TrainingResult


def describe_graph(nodes: Sequence[GraphNode]) -> str:
    """One line per node: op type, name, output tensors."""
    return "\n".join(
        f"  {node.op_type:<10} {node.name:<40} -> {', '.join(node.outputs)}" for node in nodes
    )


def start_line(start: TrainingStart) -> str:
    """The line that says what is trained on what, e.g. 'Training MNIST CNN (slide 002) on …'."""
    training = start.training
    augmented = "augmented" if training.augment else "no augmentation"
    return (
        f"Training {start.architecture.name} on {start.train_images:,} images from "
        f"{start.data_source} ({training.epochs} epochs, batch {training.batch_size}, "
        f"{augmented}, seed {training.seed})."
    )


def summary(result: TrainingResult) -> str:
    """The graph the app will read, and how well and how fast the model was trained."""
    report = result.report
    evaluation = report.evaluation
    worst = evaluation.worst_class
    return (
        f"\nONNX graph (opset {report.opset}):\n{describe_graph(report.graph_nodes)}\n"
        f"\nTest accuracy (ONNX Runtime, {len(evaluation.labels):,} images): "
        f"{evaluation.accuracy:.4f}; worst class {worst}: "
        f"{evaluation.per_class_accuracy[worst]:.4f}"
        f"\nKeras vs ONNX max |difference|: {report.keras_onnx_max_diff:.2e}"
        f"\nTime: {report.training_seconds:.0f} s training, {result.seconds_in_all:.0f} s in all"
        f"\nModel size: {report.model_size / 1_000_000:.2f} MB"
        f"\nWrote {', '.join(str(path) for path in result.written)}"
    )


class ConsoleProgress:
    """A TrainingProgress that prints for a person at a terminal.

    Messages and the start line go to stdout, warnings to stderr as "Warning: …"; batches and
    epochs print nothing (Keras prints its own log when `run_training(keras_log=True)`); the end
    prints the summary.
    """

    def on_message(self, text: str, *, warning: bool = False) -> None:
        """Print a message (stdout), or a warning (stderr)."""
        if warning:
            print(f"Warning: {text}", file=sys.stderr)
        else:
            print(text, flush=True)

    def on_start(self, start: TrainingStart) -> None:
        """Print what is being trained on what."""
        print(start_line(start), flush=True)

    def on_batch(self, batch: BatchEnd) -> None:
        """Print nothing: Keras's log shows the steps."""

    def on_epoch(self, epoch: EpochEnd) -> None:
        """Print nothing: Keras's log shows the epochs."""

    def on_end(self, result: TrainingResult) -> None:
        """Print the summary."""
        print(summary(result))
