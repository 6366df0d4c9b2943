"""The JSON-lines protocol of `python -m models.training --progress jsonl` (version 1).

The trainer prints one JSON object per line on stdout, each with a "kind"; the same lines are
kept in a run folder's history.jsonl. Kinds, in the order a run prints them:

* "message" (any time): ``{"kind": "message", "text": "...", "warning": false}``
* "start" (once the data is loaded): the preset, how many images, epochs and batches;
* "batch" (after the first step of every epoch, then every N steps and the epoch's last step):
  the mean loss and accuracy of the steps since the previous batch line, the learning rate,
  the images seen since training started, the seconds since training started;
* "epoch" (after every epoch; in a run folder also epoch 0, the untrained network, reported
  just before epoch 1): the epoch's training loss and accuracy, the validation measures (loss,
  accuracy, per-class accuracy and confusion matrix of the epoch's ONNX snapshot on the 10,000
  MNIST test images; null outside a run folder), the first weighted layer's weights (a conv
  layer's kernels, or a dense layer's first units as 28×28 pictures) and the snapshot's path;
* "end" (once every file is written): stopped or not, the final model's path and test
  accuracy, the time;
* "error" (instead of "end"): a message for the user and what kind of problem it is.

Numbers that are not finite (a diverged loss) are written as null and read back as NaN, so
every line is strict JSON (readable by jq or any JSON parser). `parse_line` checks every field
and raises `ProtocolError` for anything else, so a reader never trusts a malformed line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from models.training.contract import NUM_CLASSES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from numpy.typing import NDArray

PROTOCOL_VERSION = 1
WEIGHT_KINDS = ("conv", "dense")
PROBLEM_KINDS = ("data", "settings", "packages", "output", "internal")
WEIGHT_DECIMALS = 5  # weights are written rounded to 1e-5 (they are drawn, not computed with)
EXCERPT_LENGTH = 80


class ProtocolError(ValueError):
    """A line that is not a valid protocol line; the message says why and quotes its start."""

    def __init__(self, reason: str, line: str) -> None:
        excerpt = line if len(line) <= EXCERPT_LENGTH else line[:EXCERPT_LENGTH] + "…"
        super().__init__(f"{reason}: {excerpt!r}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MessageLine:
    """A sentence for the user, e.g. that MNIST is being downloaded; `warning` if bad news."""

    kind: ClassVar[str] = "message"
    text: str
    warning: bool = False


@dataclass(frozen=True, slots=True)
class StartLine:
    """Training is about to start.

    Attributes:
        architecture: the preset's key, e.g. "softmax".
        name: the preset's name, e.g. "One-layer softmax network (slide 004)".
        train_images: training images per epoch.
        validation_images: test images measured after every epoch (0: none are).
        epochs: epochs in the run.
        batch_size: images per step.
        batches_per_epoch: steps per epoch, ceil(train_images / batch_size).
        data_source: where the data came from (a path, or "keras.datasets.mnist").
        run_folder: the run folder, or None when the run writes single files.
        protocol: the protocol version (1).
    """

    kind: ClassVar[str] = "start"
    architecture: str
    name: str
    train_images: int
    validation_images: int
    epochs: int
    batch_size: int
    batches_per_epoch: int
    data_source: str
    run_folder: str | None
    protocol: int = PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class BatchLine:
    """Training steps are done.

    Attributes:
        epoch: 1..epochs.
        epochs: epochs in the run.
        batch: 1..batches, the step just done within the epoch.
        batches: steps per epoch.
        loss: mean cross-entropy of the training images of the steps since the previous batch
            line of this epoch (NaN if it diverged).
        accuracy: fraction of those images classified correctly.
        learning_rate: the optimizer's learning rate at this step.
        images_seen: training images processed since training started (all epochs).
        seconds: seconds since training started.
    """

    kind: ClassVar[str] = "batch"
    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    accuracy: float
    learning_rate: float
    images_seen: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Validation:
    """An epoch's ONNX snapshot measured on the test images (ONNX Runtime).

    Attributes:
        loss: mean cross-entropy, −mean(log p[true digit]) with p clipped to >= 1e-7.
        accuracy: fraction classified correctly.
        per_class_accuracy: 10 fractions, digit 0 first.
        confusion: 10 × 10 counts, row = true digit, column = predicted digit.
    """

    loss: float
    accuracy: float
    per_class_accuracy: tuple[float, ...]
    confusion: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True, eq=False)
class LayerWeights:
    """The first weighted layer's weights, as small pictures.

    Attributes:
        layer: the layer's name, e.g. "conv1" or "dense1".
        kind: "conv" (kernels, one picture per kernel: (kernels, kh, kw)) or "dense" (the
            weights from the 784 pixels to each of the first units, as (units, 28, 28)).
        values: (count, height, width) float32, rounded to 1e-5.
    """

    layer: str
    kind: str
    values: NDArray[np.float32]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LayerWeights):
            return NotImplemented
        return (
            (self.layer, self.kind) == (other.layer, other.kind)
            and self.values.shape == other.values.shape
            and bool(np.array_equal(self.values, other.values))
        )

    __hash__ = None  # type: ignore[assignment]  # holds an array: not hashable


@dataclass(frozen=True, slots=True)
class EpochLine:
    """An epoch is done (epoch 0: the untrained network, with no training measures).

    Attributes:
        epoch: 0..epochs.
        epochs: epochs in the run.
        batches_done: steps done in this epoch (fewer than per epoch if the run was stopped).
        complete: False if the run was stopped during this epoch.
        loss: mean training cross-entropy of the epoch (augmented images); None for epoch 0.
        accuracy: fraction of the epoch's training images classified correctly; None for 0.
        learning_rate: the learning rate at the epoch's last step; None for epoch 0.
        images_seen: training images processed since training started.
        seconds: seconds since training started, once the epoch's snapshot is written.
        validation: the snapshot measured on the test images; None outside a run folder.
        weights: the first weighted layer's weights; None if not sent.
        snapshot: the epoch's ONNX snapshot; None outside a run folder.
    """

    kind: ClassVar[str] = "epoch"
    epoch: int
    epochs: int
    batches_done: int
    complete: bool
    loss: float | None
    accuracy: float | None
    learning_rate: float | None
    images_seen: int
    seconds: float
    validation: Validation | None
    weights: LayerWeights | None
    snapshot: str | None


@dataclass(frozen=True, slots=True)
class EndLine:
    """The run is over and every file is written.

    Attributes:
        stopped: True if the user stopped it before its last epoch.
        epochs_done: epochs completed (a stopped run's part epoch not counted).
        model: the final ONNX model.
        test_accuracy: the final model's accuracy on the test images (ONNX Runtime).
        training_seconds: seconds spent training (model.fit).
        seconds: seconds the whole run took.
        written: every file written at the end.
    """

    kind: ClassVar[str] = "end"
    stopped: bool
    epochs_done: int
    model: str
    test_accuracy: float
    training_seconds: float
    seconds: float
    written: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ErrorLine:
    """The run failed; nothing more follows.

    Attributes:
        message: what went wrong and what to do, for the user.
        problem: "data" (the MNIST file), "settings", "packages" (the `train` extra is
            missing), "output" (a file cannot be written) or "internal" (a bug).
        exit_status: the trainer's exit status (2 for a problem the user can fix, 1 otherwise).
    """

    kind: ClassVar[str] = "error"
    message: str
    problem: str
    exit_status: int


Line = MessageLine | StartLine | BatchLine | EpochLine | EndLine | ErrorLine


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def finite_or_none(value: float | None) -> float | None:
    """`value`, or None when it is None, NaN or infinite (strict JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def validation_object(validation: Validation) -> dict[str, object]:
    """The JSON object of a Validation."""
    return {
        "loss": finite_or_none(validation.loss),
        "accuracy": validation.accuracy,
        "per_class_accuracy": list(validation.per_class_accuracy),
        "confusion": [list(row) for row in validation.confusion],
    }


def weights_object(weights: LayerWeights) -> dict[str, object]:
    """The JSON object of a LayerWeights: layer, kind, shape and the values, flat, row-major."""
    values = np.round(np.asarray(weights.values, np.float64), WEIGHT_DECIMALS)
    return {
        "layer": weights.layer,
        "kind": weights.kind,
        "shape": list(values.shape),
        "values": values.ravel().tolist(),
    }


def line_object(line: Line) -> dict[str, object]:
    """The JSON object of a line, "kind" first."""
    if isinstance(line, MessageLine):
        fields: dict[str, object] = {"text": line.text, "warning": line.warning}
    elif isinstance(line, StartLine):
        fields = {
            "protocol": line.protocol,
            "architecture": line.architecture,
            "name": line.name,
            "train_images": line.train_images,
            "validation_images": line.validation_images,
            "epochs": line.epochs,
            "batch_size": line.batch_size,
            "batches_per_epoch": line.batches_per_epoch,
            "data_source": line.data_source,
            "run_folder": line.run_folder,
        }
    elif isinstance(line, BatchLine):
        fields = {
            "epoch": line.epoch,
            "epochs": line.epochs,
            "batch": line.batch,
            "batches": line.batches,
            "loss": finite_or_none(line.loss),
            "accuracy": finite_or_none(line.accuracy),
            "learning_rate": finite_or_none(line.learning_rate),
            "images_seen": line.images_seen,
            "seconds": line.seconds,
        }
    elif isinstance(line, EpochLine):
        fields = epoch_fields(line)
    elif isinstance(line, EndLine):
        fields = {
            "stopped": line.stopped,
            "epochs_done": line.epochs_done,
            "model": line.model,
            "test_accuracy": line.test_accuracy,
            "training_seconds": line.training_seconds,
            "seconds": line.seconds,
            "written": list(line.written),
        }
    else:
        fields = {
            "message": line.message,
            "problem": line.problem,
            "exit_status": line.exit_status,
        }
    return {"kind": line.kind, **fields}


def epoch_fields(line: EpochLine) -> dict[str, object]:
    """The fields of an epoch line's JSON object."""
    return {
        "epoch": line.epoch,
        "epochs": line.epochs,
        "batches_done": line.batches_done,
        "complete": line.complete,
        "loss": finite_or_none(line.loss),
        "accuracy": finite_or_none(line.accuracy),
        "learning_rate": finite_or_none(line.learning_rate),
        "images_seen": line.images_seen,
        "seconds": line.seconds,
        "validation": None if line.validation is None else validation_object(line.validation),
        "weights": None if line.weights is None else weights_object(line.weights),
        "snapshot": line.snapshot,
    }


def encode_line(line: Line) -> str:
    """One line of strict JSON (no newline inside, none at the end)."""
    return json.dumps(line_object(line), allow_nan=False, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class FieldReader:
    """Reads the fields of one JSON object, raising ProtocolError for a missing or bad field."""

    def __init__(self, fields: Mapping[str, object], line: str) -> None:
        self.fields = fields
        self.line = line

    def fail(self, name: str, expected: str) -> ProtocolError:
        """The error for a field that is missing or not `expected`."""
        if name not in self.fields:
            return ProtocolError(f"the {self.fields.get('kind')} line lacks {name!r}", self.line)
        return ProtocolError(
            f"{name!r} of a {self.fields.get('kind')} line should be {expected}, "
            f"got {self.fields[name]!r}"[:200],
            self.line,
        )

    def integer(self, name: str, minimum: int = 0) -> int:
        """A whole number >= `minimum`."""
        value = self.fields.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"a whole number >= {minimum}")
        return value

    def number(self, name: str, *, optional: bool = False) -> float:
        """A number; null reads as NaN if `optional` (a measure that is not a number)."""
        value = self.fields.get(name, ...)
        if value is None and optional:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, "a number")
        return float(value)

    def fraction(self, name: str) -> float:
        """A number in 0..1."""
        value = self.number(name)
        if not 0.0 <= value <= 1.0:
            raise self.fail(name, "a fraction in 0..1")
        return value

    def text(self, name: str, *, optional: bool = False) -> str | None:
        """A string (None for null if `optional`)."""
        value = self.fields.get(name, ...)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.fail(name, "a string")
        return value

    def required_text(self, name: str) -> str:
        """A string that must be there."""
        value = self.fields.get(name)
        if not isinstance(value, str):
            raise self.fail(name, "a string")
        return value

    def flag(self, name: str) -> bool:
        """A JSON true or false."""
        value = self.fields.get(name)
        if not isinstance(value, bool):
            raise self.fail(name, "true or false")
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """One of `choices`."""
        value = self.fields.get(name)
        if value not in choices:
            raise self.fail(name, f"one of {', '.join(choices)}")
        return str(value)

    def child(self, name: str) -> FieldReader | None:
        """The reader of a nested object, or None for null."""
        value = self.fields.get(name, ...)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(name, "an object or null")
        return FieldReader({"kind": self.fields.get("kind"), **value}, self.line)

    def optional_number(self, name: str) -> float | None:
        """A number, or None for null (not measured, as for epoch 0, or not finite)."""
        value = self.fields.get(name, ...)
        if value is None:
            return None
        return self.number(name)


def read_validation(reader: FieldReader) -> Validation:
    """A Validation from its JSON object."""
    per_class = reader.fields.get("per_class_accuracy")
    if (
        not isinstance(per_class, list)
        or len(per_class) != NUM_CLASSES
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
            for v in per_class
        )
    ):
        raise reader.fail("per_class_accuracy", f"{NUM_CLASSES} fractions")
    confusion = reader.fields.get("confusion")
    if (
        not isinstance(confusion, list)
        or len(confusion) != NUM_CLASSES
        or not all(
            isinstance(row, list)
            and len(row) == NUM_CLASSES
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in row)
            for row in confusion
        )
    ):
        raise reader.fail("confusion", f"{NUM_CLASSES} rows of {NUM_CLASSES} counts")
    return Validation(
        loss=reader.number("loss", optional=True),
        accuracy=reader.fraction("accuracy"),
        per_class_accuracy=tuple(float(v) for v in per_class),
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
    )


def read_weights(reader: FieldReader) -> LayerWeights:
    """A LayerWeights from its JSON object (shape checked against the values)."""
    shape = reader.fields.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) != 3
        or not all(isinstance(size, int) and not isinstance(size, bool) for size in shape)
        or min(shape) < 1
    ):
        raise reader.fail("shape", "3 whole numbers >= 1")
    values = reader.fields.get("values")
    count = shape[0] * shape[1] * shape[2]
    if not isinstance(values, list) or len(values) != count:
        raise reader.fail("values", f"{count} numbers (the shape's)")
    try:
        array = np.array(values, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise reader.fail("values", "numbers") from error
    if array.shape != (count,) or not np.all(np.isfinite(array)):
        raise reader.fail("values", "finite numbers")
    array.flags.writeable = False
    return LayerWeights(
        layer=reader.required_text("layer"),
        kind=reader.choice("kind", WEIGHT_KINDS),
        values=array.reshape(shape),
    )


def read_epoch(reader: FieldReader) -> EpochLine:
    """An EpochLine from its JSON object."""
    validation = reader.child("validation")
    weights = reader.child("weights")
    return EpochLine(
        epoch=reader.integer("epoch", 0),
        epochs=reader.integer("epochs", 1),
        batches_done=reader.integer("batches_done", 0),
        complete=reader.flag("complete"),
        loss=reader.optional_number("loss"),
        accuracy=reader.optional_number("accuracy"),
        learning_rate=reader.optional_number("learning_rate"),
        images_seen=reader.integer("images_seen", 0),
        seconds=reader.number("seconds"),
        validation=None if validation is None else read_validation(validation),
        weights=None if weights is None else read_weights(weights),
        snapshot=reader.text("snapshot", optional=True),
    )


def read_start(reader: FieldReader) -> StartLine:
    """A StartLine from its JSON object."""
    return StartLine(
        protocol=reader.integer("protocol", 1),
        architecture=reader.required_text("architecture"),
        name=reader.required_text("name"),
        train_images=reader.integer("train_images", 1),
        validation_images=reader.integer("validation_images", 0),
        epochs=reader.integer("epochs", 1),
        batch_size=reader.integer("batch_size", 1),
        batches_per_epoch=reader.integer("batches_per_epoch", 1),
        data_source=reader.required_text("data_source"),
        run_folder=reader.text("run_folder", optional=True),
    )


def read_batch(reader: FieldReader) -> BatchLine:
    """A BatchLine from its JSON object."""
    return BatchLine(
        epoch=reader.integer("epoch", 1),
        epochs=reader.integer("epochs", 1),
        batch=reader.integer("batch", 1),
        batches=reader.integer("batches", 1),
        loss=reader.number("loss", optional=True),
        accuracy=reader.number("accuracy", optional=True),
        learning_rate=reader.number("learning_rate", optional=True),
        images_seen=reader.integer("images_seen", 0),
        seconds=reader.number("seconds"),
    )


def read_end(reader: FieldReader) -> EndLine:
    """An EndLine from its JSON object."""
    written = reader.fields.get("written")
    if not isinstance(written, list) or not all(isinstance(path, str) for path in written):
        raise reader.fail("written", "a list of paths")
    return EndLine(
        stopped=reader.flag("stopped"),
        epochs_done=reader.integer("epochs_done", 0),
        model=reader.required_text("model"),
        test_accuracy=reader.fraction("test_accuracy"),
        training_seconds=reader.number("training_seconds"),
        seconds=reader.number("seconds"),
        written=tuple(written),
    )


def read_error(reader: FieldReader) -> ErrorLine:
    """An ErrorLine from its JSON object."""
    return ErrorLine(
        message=reader.required_text("message"),
        problem=reader.choice("problem", PROBLEM_KINDS),
        exit_status=reader.integer("exit_status", 1),
    )


def read_message(reader: FieldReader) -> MessageLine:
    """A MessageLine from its JSON object."""
    return MessageLine(text=reader.required_text("text"), warning=reader.flag("warning"))


READERS: dict[str, Callable[[FieldReader], Line]] = {
    "message": read_message,
    "start": read_start,
    "batch": read_batch,
    "epoch": read_epoch,
    "end": read_end,
    "error": read_error,
}


def parse_line(text: str) -> Line:
    """The protocol line in `text` (one JSON object; surrounding white space is ignored).

    Raises:
        ProtocolError: `text` is not JSON, not an object, has no known "kind", or a field is
            missing or of the wrong type or range; the message says which and quotes the line.
    """
    stripped = text.strip()
    try:
        fields = json.loads(stripped)
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"not JSON ({error})", stripped) from error
    if not isinstance(fields, dict):
        raise ProtocolError("not a JSON object", stripped)
    if "kind" not in fields:
        raise ProtocolError("the object has no 'kind'", stripped)
    kind = fields["kind"]
    reader = READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise ProtocolError(f"unknown kind {str(kind)[:40]!r}", stripped)
    return reader(FieldReader(fields, stripped))
