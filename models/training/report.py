"""What a finished training run reports: the facts the model card states, and the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from models.training.architectures import Architecture, LayerRow
    from models.training.evaluation import Evaluation
    from models.training.export import GraphNode
    from models.training.settings import RunSettings


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """Everything the model card reports about a run.

    Attributes:
        architecture: the preset trained.
        settings: the run's settings.
        command: the command that ran the trainer, as a user would type it.
        framework: e.g. "Keras 3.15.1 / TensorFlow 2.21.0".
        exporter: e.g. "tf2onnx 1.17.0, onnx 1.23.2".
        trained_at: ISO 8601 date and time (UTC) the model was exported.
        training_seconds: time spent in model.fit, seconds (with the epochs' snapshots).
        train_images: training images per epoch.
        data_source: where the data came from, without local paths, e.g. "MNIST (mnist.npz)".
        model_size: size of the ONNX file, bytes.
        opset: the ONNX opset of the default domain.
        evaluation: ONNX Runtime on the MNIST test set.
        keras_onnx_max_diff: largest |Keras − ONNX Runtime| probability on 1,000 test images.
        graph_nodes: the exported graph's nodes, in graph order.
        layers: the Keras model's layers, the input first.
        machine: CPU model, cores and operating system.
        epochs_done: complete epochs (a stopped run's part epoch not counted).
        stopped: True if the user stopped the run before its last epoch ended.
    """

    architecture: Architecture
    settings: RunSettings
    command: str
    framework: str
    exporter: str
    trained_at: str
    training_seconds: float
    train_images: int
    data_source: str
    model_size: int
    opset: int
    evaluation: Evaluation
    keras_onnx_max_diff: float
    graph_nodes: tuple[GraphNode, ...]
    layers: tuple[LayerRow, ...]
    machine: str
    epochs_done: int
    stopped: bool


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """A finished run: its report, the files it wrote, and the time it took in all (seconds)."""

    report: TrainingReport
    written: tuple[Path, ...]
    seconds_in_all: float
