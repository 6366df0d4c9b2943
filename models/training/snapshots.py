"""Exported, measured ONNX models: the final model, and a run folder's snapshot per epoch.

`measured_export` exports a Keras model, measures the exported graph with ONNX Runtime on the
test images, adds the metadata and checks the model contract. `EpochSnapshots` does that after
every epoch of a run-folder run (and for epoch 0, the untrained network) and writes
epochs/epoch-NNN.onnx, so every snapshot is a model the digit lab can open.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from models.training.contract import check_model_contract
from models.training.evaluation import Evaluation, onnx_probabilities
from models.training.export import add_metadata, export_to_onnx, model_metadata
from models.training.framework import framework_versions
from models.training.keras_models import first_layer_weights
from models.training.outputs import write_atomically

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    import keras
    import numpy as np
    import onnx

    from models.training.architectures import Architecture
    from models.training.data import MnistData
    from models.training.protocol import LayerWeights, Validation
    from models.training.run_layout import RunLayout


def measured_export(
    model: keras.Model,
    architecture: Architecture,
    data: MnistData,
    command: str,
    extra_metadata: Mapping[str, str] | None = None,
) -> tuple[onnx.ModelProto, Evaluation]:
    """Export, measure the exported graph with ONNX Runtime, add the metadata, check the contract.

    `extra_metadata` is added after the contract's keys (e.g. {"epoch": "3"}).

    Raises:
        ContractError: the exported model breaks the model contract (a bug in the exporter).
    """
    proto = export_to_onnx(model)
    evaluation = Evaluation(onnx_probabilities(proto.SerializeToString(), data.x_test), data.y_test)
    framework, _ = framework_versions()
    trained_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    metadata = model_metadata(architecture, evaluation.accuracy, trained_at, command, framework)
    add_metadata(proto, {**metadata, **(extra_metadata or {})})
    check_model_contract(proto)
    return proto, evaluation


class EpochSnapshots:
    """A run folder's snapshots: after every epoch, the model exported, measured and written.

    Attributes:
        last: the latest snapshot and its measurement (the final model of the run), or None.
        needs_untrained: True until epoch 0's snapshot is written.
    """

    def __init__(
        self,
        layout: RunLayout,
        architecture: Architecture,
        data: MnistData,
        command: str,
        epochs: int,
    ) -> None:
        self.layout = layout
        self.architecture = architecture
        self.data = data
        self.command = command
        self.epochs = epochs
        self.initial_weights: list[np.ndarray] = []
        self.needs_untrained = False
        self.last: tuple[onnx.ModelProto, Evaluation] | None = None

    def keep_untrained(self, model: keras.Model) -> None:
        """Remember the untrained weights; epoch 0 is written after the first epoch.

        Writing it later keeps the export and the measurement out of the time to the first
        training step.
        """
        self.initial_weights = [weights.copy() for weights in model.get_weights()]
        self.needs_untrained = True

    def write(self, model: keras.Model, epoch: int, complete: bool) -> tuple[Path, Evaluation]:
        """Export and measure the model as it is now, write it as epoch `epoch`'s snapshot."""
        extra = {"epoch": str(epoch), "epochs": str(self.epochs)}
        if not complete:
            extra["stopped_during_epoch"] = "true"
        proto, evaluation = measured_export(
            model, self.architecture, self.data, self.command, extra
        )
        path = self.layout.snapshot(epoch)
        write_atomically(path, proto.SerializeToString())
        if epoch > 0:
            self.last = (proto, evaluation)
        return path, evaluation

    def save(self, model: keras.Model, epoch: int, complete: bool) -> tuple[Path, Validation]:
        """Write the snapshot of `epoch` (1..epochs; a part epoch if not `complete`)."""
        path, evaluation = self.write(model, epoch, complete)
        return path, evaluation.validation()

    def save_untrained(
        self, model: keras.Model, architecture: Architecture
    ) -> tuple[Path, Validation, LayerWeights]:
        """Write epoch 0 from the kept untrained weights; the model's weights are restored."""
        trained = model.get_weights()
        model.set_weights(self.initial_weights)
        try:
            weights = first_layer_weights(model, architecture)
            path, evaluation = self.write(model, 0, complete=True)
        finally:
            model.set_weights(trained)
        self.needs_untrained = False
        return path, evaluation.validation(), weights
