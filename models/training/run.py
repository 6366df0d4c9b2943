"""A training run from settings: load, train, export, evaluate, then write every file.

Only NumPy is imported until the run starts: the outputs and the data file are checked first,
so mistakes are reported before TensorFlow is imported. With a run folder
(`OutputSettings.in_run_folder`, `--out DIR`) the run also writes settings.json and
history.jsonl at once and a measured ONNX snapshot after every epoch (see run_layout.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from models.training.architectures import ARCHITECTURES
from models.training.data import load_mnist_from_keras, load_mnist_npz
from models.training.errors import UserError
from models.training.evaluation import keras_onnx_difference
from models.training.export import graph_nodes, opset_of
from models.training.fitting import steps_per_epoch, train_model
from models.training.framework import (
    check_training_packages,
    configure_tensorflow,
    framework_versions,
)
from models.training.jsonl_progress import HistoryFile
from models.training.keras_models import layer_rows
from models.training.mnist_source import resolve_data_path
from models.training.model_card import cpu_description, render_model_card
from models.training.outputs import (
    check_outputs_writable,
    check_run_folder,
    prepare_run_folder,
    write_atomically,
)
from models.training.progress import ProgressFanOut, SilentProgress, TrainingStart
from models.training.report import TrainingReport, TrainingResult
from models.training.run_document import settings_document
from models.training.run_layout import RunLayout
from models.training.samples import pick_samples, samples_npz
from models.training.snapshots import EpochSnapshots, measured_export

if TYPE_CHECKING:
    import threading

    from models.training.data import MnistData
    from models.training.progress import TrainingProgress
    from models.training.settings import DataSettings, RunSettings

KERAS_COMPARISON_IMAGES = 1000
USER_ERROR_STATUS = 2  # the command line's exit status for a problem the user can fix
INTERNAL_ERROR_STATUS = 1


def internal_error_message(error: Exception) -> str:
    """The "error" line's message for a failure that is not the user's (a bug, no memory)."""
    return f"the trainer failed: {type(error).__name__}: {error} (details on stderr)"


def load_data(settings: DataSettings, progress: TrainingProgress) -> MnistData:
    """Resolve and load MNIST (the npz, or Keras's downloader), limited as the settings say.

    Raises:
        DataError: the data file is missing or bad, the download failed, or the file has fewer
            training images than asked for.
    """
    path = resolve_data_path(settings.path)
    if path is None:
        progress.on_message("No MNIST file found; downloading it with Keras.")
        data = load_mnist_from_keras()
    else:
        data = load_mnist_npz(path)
    return data.limited(settings.train_size)


def run_training(
    settings: RunSettings,
    *,
    command: str,
    progress: TrainingProgress | None = None,
    keras_log: bool = False,
    batch_interval: int = 1,
    stop: threading.Event | None = None,
) -> TrainingResult:
    """Load, train, export, evaluate; then write the model, the samples and the card.

    Args:
        settings: what to train on, how, and where to write the results.
        command: the command line to record in the metadata and the model card, e.g.
            "python models/train.py --epochs 5".
        progress: receives the run's events (default: none).
        keras_log: let Keras print its own training log (the command line's output).
        batch_interval: report training steps every `batch_interval` steps (and the first and
            last of each epoch).
        stop: once set, training stops after the current step and the run saves what it has
            (a usable model, the card) and ends normally.

    Returns:
        The report (accuracy, timings, graph, ...) and the files written.

    Raises:
        UserError: an output cannot be written, the data is missing or bad, or the `train`
            extra is not installed; raised before TensorFlow is imported (and before a run
            folder is made). A failure once the run folder exists is also written to its
            history.jsonl as an "error" line.
    """
    started = time.perf_counter()
    progress = SilentProgress() if progress is None else progress
    outputs = settings.outputs
    layout = None if outputs.run_folder is None else RunLayout(outputs.run_folder)
    if layout is None:
        check_outputs_writable(outputs.paths)
    else:
        check_run_folder(layout.folder)
        if outputs.keras_model is not None:
            check_outputs_writable([outputs.keras_model])
    data = load_data(settings.data, progress)
    check_training_packages()
    history = None
    if layout is not None:
        prepare_run_folder(layout.folder)
        document = settings_document(settings, command, len(data.x_train), data.source)
        write_atomically(layout.settings, document.encode("utf-8"))
        history = HistoryFile(layout.history)
        progress = ProgressFanOut(history, progress)
    try:
        return train_and_write(settings, command, data, progress, started, keras_log=keras_log,
                               batch_interval=batch_interval, stop=stop)  # fmt: skip
    except UserError as error:
        if history is not None:
            history.on_error(str(error), error.problem, USER_ERROR_STATUS)
        raise
    except Exception as error:
        if history is not None:
            history.on_error(internal_error_message(error), "internal", INTERNAL_ERROR_STATUS)
        raise
    finally:
        if history is not None:
            history.close()


def train_and_write(
    settings: RunSettings,
    command: str,
    data: MnistData,
    progress: TrainingProgress,
    started: float,
    *,
    keras_log: bool,
    batch_interval: int,
    stop: threading.Event | None,
) -> TrainingResult:
    """The run once the data is loaded: train, export (or take the last snapshot), write."""
    training, outputs = settings.training, settings.outputs
    architecture = ARCHITECTURES[training.architecture]
    layout = None if outputs.run_folder is None else RunLayout(outputs.run_folder)
    progress.on_start(
        TrainingStart(
            architecture=architecture,
            train_images=len(data.x_train),
            data_source=data.source,
            training=training,
            batches_per_epoch=steps_per_epoch(len(data.x_train), training.batch_size),
            validation_images=0 if layout is None else len(data.x_test),
            run_folder=None if layout is None else layout.folder,
        )
    )
    configure_tensorflow(training.seed)
    snapshots = None
    if layout is not None:
        snapshots = EpochSnapshots(layout, architecture, data, command, training.epochs)
    outcome = train_model(
        architecture, data, training, progress=progress, keras_log=keras_log,
        batch_interval=batch_interval, stop=stop, snapshots=snapshots,
    )  # fmt: skip
    model = outcome.model
    if snapshots is not None and snapshots.last is not None:
        proto, evaluation = snapshots.last  # the final model is the last snapshot
    else:
        proto, evaluation = measured_export(model, architecture, data, command)
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
        training_seconds=outcome.seconds,
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
        epochs_done=outcome.epochs_done,
        stopped=outcome.stopped,
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
