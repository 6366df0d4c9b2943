"""The trainer's JSON-lines protocol: every kind of line, written and read back; bad lines refused.

Also the writer (JsonLinesProgress), the stdout channel that carries nothing but the lines, and
the stdin commands (stop, end of input).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.training.control import read_commands
from models.training.jsonl_progress import JsonLinesProgress
from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    ErrorLine,
    LayerWeights,
    Line,
    MessageLine,
    ProtocolError,
    StartLine,
    Validation,
    encode_line,
    parse_line,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFUSION = tuple(tuple(90 if row == column else 1 for column in range(10)) for row in range(10))
VALIDATION = Validation(0.31, 0.9, tuple(0.9 for _ in range(10)), CONFUSION)
KERNELS = np.round(np.linspace(-0.5, 0.5, 2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3), 5)

EXAMPLES: dict[str, Line] = {
    "message": MessageLine("No MNIST file found; downloading it with Keras.", warning=False),
    "start": StartLine(
        architecture="softmax", name="One-layer softmax network (slide 004)", train_images=2000,
        validation_images=10000, epochs=1, batch_size=100, batches_per_epoch=20,
        data_source="/data/mnist.npz", run_folder="/runs/a",
    ),
    "batch": BatchLine(
        epoch=1, epochs=1, batch=10, batches=20, loss=0.75, accuracy=0.8, learning_rate=0.1,
        images_seen=1000, seconds=1.5,
    ),
    "epoch": EpochLine(
        epoch=1, epochs=1, batches_done=20, complete=True, loss=0.6, accuracy=0.85,
        learning_rate=0.1, images_seen=2000, seconds=3.0, validation=VALIDATION,
        weights=LayerWeights("conv1", "conv", KERNELS), snapshot="/runs/a/epochs/epoch-001.onnx",
    ),
    "end": EndLine(
        stopped=False, epochs_done=1, model="/runs/a/model.onnx", test_accuracy=0.9,
        training_seconds=3.0, seconds=9.5, written=("/runs/a/model.onnx", "/runs/a/MODEL_CARD.md"),
    ),
    "error": ErrorLine("MNIST data file /x.npz does not exist.", "data", 2),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_every_kind_of_line_is_read_back_as_written(kind: str) -> None:
    line = EXAMPLES[kind]
    text = encode_line(line)
    assert "\n" not in text
    fields = json.loads(text)
    assert next(iter(fields)) == "kind"
    assert fields["kind"] == kind == line.kind
    assert parse_line(text) == line
    assert parse_line(f"  {text}\r\n") == line


def test_an_epoch_line_carries_the_measures_and_the_pictures() -> None:
    fields = json.loads(encode_line(EXAMPLES["epoch"]))
    assert fields["validation"]["per_class_accuracy"] == [0.9] * 10
    assert fields["validation"]["confusion"][3][3] == 90
    assert fields["weights"]["shape"] == [2, 3, 3]
    assert len(fields["weights"]["values"]) == 18
    read = parse_line(encode_line(EXAMPLES["epoch"]))
    assert isinstance(read, EpochLine)
    assert read.weights is not None
    assert read.weights.values.shape == (2, 3, 3)
    assert read.weights.values.dtype == np.float32
    assert not read.weights.values.flags.writeable


def test_epoch_zero_and_single_file_runs_have_nulls() -> None:
    untrained = EpochLine(0, 3, 0, True, None, None, None, 0, 2.0, VALIDATION, None, None)
    assert parse_line(encode_line(untrained)) == untrained
    fields = json.loads(encode_line(untrained))
    assert fields["loss"] is None
    assert fields["weights"] is None
    assert fields["snapshot"] is None


def test_numbers_that_are_not_finite_are_written_as_null_and_read_as_nan() -> None:
    diverged = BatchLine(1, 1, 1, 1, math.nan, 0.1, math.inf, 10, 0.1)
    text = encode_line(diverged)
    assert "NaN" not in text
    assert "Infinity" not in text
    assert json.loads(text)["loss"] is None
    read = parse_line(text)
    assert isinstance(read, BatchLine)
    assert math.isnan(read.loss)
    assert math.isnan(read.learning_rate)
    assert read.accuracy == 0.1


def with_field(kind: str, name: str, value: object) -> str:
    fields = json.loads(encode_line(EXAMPLES[kind]))
    fields[name] = value
    return json.dumps(fields)


def without_field(kind: str, name: str) -> str:
    fields = json.loads(encode_line(EXAMPLES[kind]))
    del fields[name]
    return json.dumps(fields)


def epoch_with(part: str, name: str, value: object) -> str:
    fields = json.loads(encode_line(EXAMPLES["epoch"]))
    fields[part][name] = value
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Epoch 1/10", "not JSON"),
        ('{"kind": "batch", "epoch": 1', "not JSON"),
        ("[1, 2, 3]", "not a JSON object"),
        ('"batch"', "not a JSON object"),
        ('{"epoch": 1}', "the object has no 'kind'"),
        ('{"kind": "progress"}', "unknown kind 'progress'"),
        ('{"kind": ["batch"]}', "unknown kind"),
        (without_field("batch", "loss"), "the batch line lacks 'loss'"),
        (with_field("batch", "epoch", 0), "'epoch' of a batch line should be a whole number >= 1"),
        (with_field("batch", "epoch", True), "should be a whole number"),
        (with_field("batch", "batch", 2.5), "should be a whole number"),
        (with_field("batch", "seconds", "1.5"), "'seconds' of a batch line should be a number"),
        (with_field("start", "name", 3), "'name' of a start line should be a string"),
        (with_field("message", "warning", "no"), "should be true or false"),
        (with_field("end", "test_accuracy", 1.5), "should be a fraction in 0..1"),
        (with_field("end", "written", "model.onnx"), "should be a list of paths"),
        (with_field("error", "problem", "disk"), "should be one of data, settings"),
        (with_field("epoch", "validation", [1, 2]), "should be an object or null"),
        (epoch_with("validation", "per_class_accuracy", [0.9] * 9), "10 fractions"),
        (epoch_with("validation", "confusion", [[1] * 10] * 9), "10 rows of 10 counts"),
        (epoch_with("validation", "confusion", [[-1] * 10] * 10), "10 rows of 10 counts"),
        (epoch_with("weights", "shape", [2, 3]), "3 whole numbers >= 1"),
        (epoch_with("weights", "values", [0.0] * 17), "18 numbers (the shape's)"),
        (epoch_with("weights", "values", ["a"] * 18), "numbers"),
        (epoch_with("weights", "kind", "pool"), "should be one of conv, dense"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
)  # fmt: skip
def test_a_malformed_line_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_line(text)
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 400  # a long line is quoted only in part


def test_infinite_weights_are_refused() -> None:
    fields = json.loads(encode_line(EXAMPLES["epoch"]))
    text = json.dumps(fields).replace('"values": [-0.5', '"values": [Infinity')
    with pytest.raises(ProtocolError, match="finite numbers"):
        parse_line(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=5,
)
FIELD_NAMES = sorted({name for line in EXAMPLES.values() for name in json.loads(encode_line(line))})


@settings(deadline=None)
@given(
    kind=st.sampled_from(list(EXAMPLES)),
    name=st.sampled_from([*FIELD_NAMES, "validation.loss", "weights.shape"]),
    value=json_values,
)
def test_a_line_with_any_value_in_any_field_is_read_or_refused(
    kind: str, name: str, value: object
) -> None:
    fields = json.loads(encode_line(EXAMPLES[kind]))
    part, _, inner = name.partition(".")
    if inner and isinstance(fields.get(part), dict):
        fields[part][inner] = value
    else:
        fields[part] = value
    with contextlib.suppress(ProtocolError):
        parse_line(json.dumps(fields))


@settings(deadline=None)
@given(st.text())
def test_any_text_is_read_or_refused_never_crashes(text: str) -> None:
    with contextlib.suppress(ProtocolError):
        parse_line(text)


def test_json_lines_progress_writes_one_parsable_line_per_call() -> None:
    written: list[str] = []
    progress = JsonLinesProgress(written.append)
    progress.on_message("downloading", warning=True)
    progress.on_error("the trainer failed: boom", "internal", 1)
    assert [parse_line(line) for line in written] == [
        MessageLine("downloading", True),
        ErrorLine("the trainer failed: boom", "internal", 1),
    ]


CHANNEL_PROGRAM = """
import os, sys
from models.training.jsonl_progress import json_stdout
print("before")
with json_stdout() as channel:
    print("a stray print")
    os.write(1, b"a stray C-level write\\n")
    channel.write('{"kind": "message", "text": "hello", "warning": false}')
print("after")
"""


def test_json_stdout_keeps_stdout_for_the_lines_alone() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHANNEL_PROGRAM], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "before",
        '{"kind": "message", "text": "hello", "warning": false}',
        "after",
    ]
    assert "a stray print" in done.stderr
    assert "a stray C-level write" in done.stderr


@pytest.mark.parametrize(
    ("commands", "ignored"),
    [("stop\n", ""), ("\n  stop  \nmore\n", ""), ("", ""), ("pause\n", "pause")],
    ids=["stop", "stop-with-spaces", "end-of-input", "unknown-then-end"],
)
def test_stop_comes_from_stop_or_the_end_of_input(
    commands: str, ignored: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    read_commands(io.StringIO(commands), stop)
    assert stop.is_set()
    err = capsys.readouterr().err
    assert (f"ignoring the unknown command {ignored!r}" in err) == bool(ignored)
