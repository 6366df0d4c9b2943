"""The trainer's human output and model card, rendered from a made-up run (no TensorFlow)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from models.training.architectures import ARCHITECTURES, LayerRow
from models.training.console import ConsoleProgress, start_line, summary
from models.training.evaluation import Evaluation
from models.training.export import GraphNode
from models.training.model_card import render_model_card
from models.training.progress import TrainingStart
from models.training.report import TrainingReport, TrainingResult
from models.training.settings import OutputSettings, RunSettings, TrainingSettings

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def made_up_result(tmp_path: Path) -> TrainingResult:
    """A kth run whose 20 test images are all right except one 3 read as 8."""
    labels = np.repeat(np.arange(10), 2)
    predictions = labels.copy()
    predictions[6] = 8
    probabilities = np.eye(10, dtype=np.float32)[predictions]
    outputs = OutputSettings(tmp_path / "k.onnx", tmp_path / "k.npz", tmp_path / "k.md")
    training = TrainingSettings("kth", epochs=3, batch_size=64, augment=False, seed=5)
    report = TrainingReport(
        architecture=ARCHITECTURES["kth"],
        settings=RunSettings(training=training, outputs=outputs),
        command="python -m models.training --arch kth --epochs 3",
        framework="Keras 3 / TensorFlow 2",
        exporter="tf2onnx 1, onnx 1",
        trained_at="2025-01-02T03:04:05+00:00",
        training_seconds=90.0,
        train_images=2000,
        data_source="MNIST (mnist.npz)",
        model_size=2_500_000,
        opset=17,
        evaluation=Evaluation(probabilities, labels),
        keras_onnx_max_diff=2.5e-7,
        graph_nodes=(GraphNode("Relu", "conv1/Relu", ("conv1/Relu:0",)),),
        layers=(LayerRow("image", "Input", "28×28×1", 0), LayerRow("conv1", "Conv2D", "x", 832)),
        machine="a CPU, 2 cores",
        epochs_done=3,
        stopped=False,
    )
    return TrainingResult(report, outputs.paths, seconds_in_all=100.4)


def test_start_line_says_what_is_trained_on_what() -> None:
    start = TrainingStart(ARCHITECTURES["lecture"], 2000, "/data/mnist.npz", TrainingSettings(), 16)
    assert start_line(start) == (
        "Training MNIST CNN (slide 002) on 2,000 images from /data/mnist.npz "
        "(20 epochs, batch 128, augmented, seed 0)."
    )


def test_summary_states_the_measured_numbers(tmp_path: Path) -> None:
    result = made_up_result(tmp_path)
    lines = summary(result).splitlines()
    assert lines[:3] == [
        "",
        "ONNX graph (opset 17):",
        f"  {'Relu':<10} {'conv1/Relu':<40} -> conv1/Relu:0",
    ]
    assert lines[3:] == [
        "",
        "Test accuracy (ONNX Runtime, 20 images): 0.9500; worst class 3: 0.5000",
        "Keras vs ONNX max |difference|: 2.50e-07",
        "Time: 90 s training, 100 s in all",
        "Model size: 2.50 MB",
        f"Wrote {tmp_path / 'k.onnx'}, {tmp_path / 'k.npz'}, {tmp_path / 'k.md'}",
    ]


def test_console_prints_warnings_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    console = ConsoleProgress()
    console.on_message("No MNIST file found; downloading it with Keras.")
    console.on_message("3 sample digits are misclassified.", warning=True)
    out, err = capsys.readouterr()
    assert out == "No MNIST file found; downloading it with Keras.\n"
    assert err == "Warning: 3 sample digits are misclassified.\n"


def test_model_card_is_written_from_the_report(tmp_path: Path) -> None:
    card = render_model_card(made_up_result(tmp_path).report)
    assert card.startswith("# Model card: MNIST CNN (slide 004, 5x5 kernels)\n")
    assert "the CNN of the\ncourse slides (slide 004)" in card
    assert "- **File:** `k.onnx` (2.50 MB, 2,500,000 bytes), ONNX opset 17" in card
    assert "**Test accuracy: 95.00%** (0.9500; 19 of 20 MNIST test images)" in card
    assert "| **Total** | | | **832** |" in card
    assert "| `conv1/Relu` | Relu | `conv1/Relu:0` |" in card
    assert "| Epochs | 3 |" in card
    assert "| Batch size | 64 |" in card
    assert "| Regularisation | dropout 0.25 after flatten, 0.4 after dense1 |" in card
    assert "| Augmentation | none (--no-augment) |" in card
    assert "| Seed | 5 (" in card
    assert "| Training time | 1.5 min (90 s) |" in card
    assert "| Machine | a CPU, 2 cores |" in card
    assert "Worst class: **3**\n(50.00%)" in card
    assert "| 3 | 2 | 1 | 50.00% |" in card
    assert "| **3** | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 1 | 0 |" in card
    assert "```\npython -m models.training --arch kth --epochs 3\n```" in card
