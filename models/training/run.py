"""A training run from settings: load, train, export, evaluate, then write every file.

Only NumPy is imported until the run starts: the outputs and the data file are checked first,
so mistakes are reported before TensorFlow is imported.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from models.training.architectures import ARCHITECTURES, layer_rows
from models.training.contract import check_model_contract
from models.training.data import load_mnist_from_keras, load_mnist_npz, resolve_data_path
from models.training.evaluation import Evaluation, keras_onnx_difference, onnx_probabilities
from models.training.export import (
    add_metadata,
    export_to_onnx,
    graph_nodes,
    model_metadata,
    opset_of,
)
from models.training.fitting import steps_per_epoch, train_model
from models.training.framework import (
    check_training_packages,
    configure_tensorflow,
    framework_versions,
)
from models.training.model_card import cpu_description, render_model_card
from models.training.outputs import check_outputs_writable, write_atomically
from models.training.progress import SilentProgress, TrainingStart
from models.training.report import TrainingReport, TrainingResult
from models.training.samples import pick_samples, samples_npz

if TYPE_CHECKING:
    import keras
    import onnx

    from models.training.architectures import Architecture
    from models.training.data import MnistData
    from models.training.progress import TrainingProgress
    from models.training.settings import DataSettings, RunSettings

KERAS_COMPARISON_IMAGES = 1000


def load_data(settings: DataSettings, progress: TrainingProgress) -> MnistData:
    """Resolve and load MNIST (the npz, or Keras's downloader), limited as the settings say.

    Raises:
        UserError: the data file is missing or bad, or the download failed.
    """
    path = resolve_data_path(settings.path)
    if path is None:
        progress.on_message("No MNIST file found; downloading it with Keras.")
        data = load_mnist_from_keras()
    else:
        data = load_mnist_npz(path)
    return data.limited(settings.limit)


def exported_model(
    model: keras.Model, architecture: Architecture, data: MnistData, command: str
) -> tuple[onnx.ModelProto, Evaluation]:
    """Export, measure the exported graph with ONNX Runtime, add the metadata, check the contract.

    Raises:
        ContractError: the exported model breaks the model contract (a bug in the exporter).
    """
    proto = export_to_onnx(model)
    evaluation = Evaluation(onnx_probabilities(proto.SerializeToString(), data.x_test), data.y_test)
    framework, _ = framework_versions()
    trained_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    metadata = model_metadata(architecture, evaluation.accuracy, trained_at, command, framework)
    add_metadata(proto, metadata)
    check_model_contract(proto)
    return proto, evaluation


def run_training(
    settings: RunSettings,
    *,
    command: str,
    progress: TrainingProgress | None = None,
    keras_log: bool = False,
) -> TrainingResult:
    """Load, train, export, evaluate; then write the model, the samples and the card.

    Args:
        settings: what to train on, how, and where to write the results.
        command: the command line to record in the metadata and the model card, e.g.
            "python models/train.py --epochs 5".
        progress: receives the run's events (default: none).
        keras_log: let Keras print its own training log (the command line's output).

    Returns:
        The report (accuracy, timings, graph, ...) and the files written.

    Raises:
        UserError: an output cannot be written, the data is missing or bad, or the `train`
            extra is not installed; raised before TensorFlow is imported.
    """
    started = time.perf_counter()
    progress = SilentProgress() if progress is None else progress
    outputs = settings.outputs
    check_outputs_writable(outputs.paths)
    data = load_data(settings.data, progress)
    check_training_packages()
    architecture = ARCHITECTURES[settings.training.architecture]
    progress.on_start(
        TrainingStart(
            architecture=architecture,
            train_images=len(data.x_train),
            data_source=data.source,
            training=settings.training,
            batches_per_epoch=steps_per_epoch(len(data.x_train), settings.training.batch_size),
        )
    )
    configure_tensorflow(settings.training.seed)
    model, training_seconds = train_model(
        architecture, data, settings.training, progress=progress, keras_log=keras_log
    )

    proto, evaluation = exported_model(model, architecture, data, command)
    model_bytes = proto.SerializeToString()
    samples, wrong = pick_samples(data, evaluation)
    if len(wrong):
        progress.on_message(f"{len(wrong)} sample digits are misclassified.", warning=True)
    metadata = {entry.key: entry.value for entry in proto.metadata_props}
    report = TrainingReport(
        architecture=architecture,
        settings=settings,
        command=command,
        framework=metadata["framework"],
        exporter=framework_versions()[1],
        trained_at=metadata["training_date"],
        training_seconds=training_seconds,
        train_images=len(data.x_train),
        data_source=data.description(),
        model_size=len(model_bytes),
        opset=opset_of(proto),
        evaluation=evaluation,
        keras_onnx_max_diff=keras_onnx_difference(
            model, model_bytes, data.x_test[:KERAS_COMPARISON_IMAGES]
        ),
        graph_nodes=graph_nodes(proto),
        layers=layer_rows(model),
        machine=cpu_description(),
    )
    card = render_model_card(report)

    write_atomically(outputs.model, model_bytes)
    write_atomically(outputs.samples, samples_npz(data, samples))
    write_atomically(outputs.card, card.encode("utf-8"))
    if outputs.keras_model is not None:
        model.save(outputs.keras_model)
    result = TrainingResult(report, outputs.paths, time.perf_counter() - started)
    progress.on_end(result)
    return result
