"""`python -m models.training --out DIR --progress jsonl`: a run folder, the JSON lines, stop.

Tiny runs of the one-layer softmax network (2,000 images) in a child process, as the training
lab starts them: every line is a protocol line, the folder holds what run_layout.py says, every
snapshot keeps the model contract, and "stop" on stdin leaves a usable model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from models.training.contract import check_model_contract
from models.training.data import as_model_input
from models.training.options import parse_settings
from models.training.protocol import (
    BatchLine,
    EndLine,
    EpochLine,
    ErrorLine,
    MessageLine,
    StartLine,
    parse_line,
)
from models.training.run_document import read_settings_document
from models.training.run_layout import RunLayout
from models.training.runs import list_runs

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
TINY = ("--arch", "softmax", "--train-size", "2000")


def trainer(*options: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "models.training", *map(str, options)], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=TIMEOUT, check=False, input=stdin,
    )  # fmt: skip


@pytest.fixture(scope="module")
def two_epochs(
    tmp_path_factory: pytest.TempPathFactory, mnist_npz: Path
) -> tuple[Path, list[str], list[str]]:
    """A finished two-epoch run folder, its stdout lines, and its options."""
    folder = tmp_path_factory.mktemp("runs") / "softmax"
    options = [*TINY, "--epochs", "2", "--data", str(mnist_npz), "--out", str(folder)]
    done = trainer(*options, "--progress", "jsonl", "--progress-every", "5")
    assert done.returncode == 0, done.stderr
    return folder, done.stdout.splitlines(), options


@pytest.mark.slow
def test_stdout_holds_protocol_lines_only_in_order(
    two_epochs: tuple[Path, list[str], list[str]],
) -> None:
    _, lines, _ = two_epochs
    parsed = [parse_line(line) for line in lines]  # any other output would fail here
    kinds = [
        (line.kind, getattr(line, "epoch", None), getattr(line, "batch", None))
        for line in parsed
        if not isinstance(line, MessageLine)
    ]
    batches = [("batch", epoch, step) for epoch in (1, 2) for step in (1, 5, 10, 15, 20)]
    assert kinds == [
        ("start", None, None), *batches[:5], ("epoch", 0, None), ("epoch", 1, None),
        *batches[5:], ("epoch", 2, None), ("end", None, None),
    ]  # fmt: skip
    start = parsed[0]
    assert isinstance(start, StartLine)
    assert (start.train_images, start.batches_per_epoch, start.validation_images) == (
        2000, 20, 10000,
    )  # fmt: skip
    steps = [line for line in parsed if isinstance(line, BatchLine)]
    assert [line.images_seen for line in steps] == [
        100, 500, 1000, 1500, 2000, 2100, 2500, 3000, 3500, 4000,
    ]  # fmt: skip
    assert all(line.learning_rate == pytest.approx(0.1) for line in steps)
    assert all(0 < line.loss < 5 and 0 <= line.accuracy <= 1 for line in steps)
    assert [line.seconds for line in steps] == sorted(line.seconds for line in steps)


@pytest.mark.slow
def test_the_run_folder_holds_the_whole_run(two_epochs: tuple[Path, list[str], list[str]]) -> None:
    folder, lines, options = two_epochs
    layout = RunLayout(folder)
    assert layout.history.read_text(encoding="utf-8").splitlines() == lines
    assert [epoch for epoch, _ in layout.snapshots()] == [0, 1, 2]
    for path in (layout.model, layout.samples, layout.card, layout.settings):
        assert path.is_file(), path
    assert not list(folder.rglob("*.tmp"))
    document = read_settings_document(layout.settings.read_text(encoding="utf-8"), folder)
    assert document.settings == parse_settings(options)
    assert document.train_images == 2000
    assert document.command.startswith("python -m models.training --arch softmax")
    assert layout.model.read_bytes() == layout.snapshot(2).read_bytes()
    card = layout.card.read_text(encoding="utf-8")
    assert card.startswith("# Model card: One-layer softmax network (slide 004)")
    assert "| Optimizer | SGD, learning rate 0.1 (constant) |" in card
    assert "| Epochs | 2 |" in card


@pytest.mark.slow
def test_every_snapshot_is_measured_and_keeps_the_contract(
    two_epochs: tuple[Path, list[str], list[str]], mnist_npz: Path
) -> None:
    folder, lines, _ = two_epochs
    epochs = [line for line in map(parse_line, lines) if isinstance(line, EpochLine)]
    with np.load(mnist_npz) as data:
        images, labels = as_model_input(data["x_test"]), data["y_test"]
    accuracies = []
    for line in epochs:
        assert line.snapshot is not None
        assert line.validation is not None
        path = Path(line.snapshot)
        assert path.parent == folder / "epochs"
        check_model_contract(path)
        metadata = {entry.key: entry.value for entry in onnx.load(str(path)).metadata_props}
        assert metadata["epoch"] == str(line.epoch)
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        probabilities = session.run(["probabilities"], {"image": images})[0]
        predictions = np.argmax(probabilities, axis=1)
        accuracy = float(np.mean(predictions == labels))
        assert line.validation.accuracy == pytest.approx(accuracy)
        assert metadata["test_accuracy"] == f"{accuracy:.4f}"
        confusion = np.zeros((10, 10), np.int64)
        np.add.at(confusion, (labels, predictions), 1)
        assert np.array_equal(np.array(line.validation.confusion), confusion)
        assert line.weights is not None
        assert line.weights.values.shape == (10, 28, 28)
        accuracies.append(accuracy)
    assert accuracies[0] < 0.3 < 0.7 < accuracies[-1]  # untrained, then learning
    end = parse_line(lines[-1])
    assert isinstance(end, EndLine)
    assert end.test_accuracy == pytest.approx(accuracies[-1])
    assert (end.stopped, end.epochs_done) == (False, 2)


STOP_PROGRAM = """
import json, subprocess, sys
child = subprocess.Popen(
    [sys.executable, "-m", "models.training", *sys.argv[1:]],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
)
lines = []
for line in child.stdout:
    lines.append(line)
    fields = json.loads(line)
    if fields["kind"] == "batch" and fields["epoch"] == 2 and not child.stdin.closed:
        child.stdin.write("stop\\n")
        child.stdin.flush()
print(child.wait())
sys.stdout.write("".join(lines))
"""


@pytest.mark.slow
def test_stop_on_stdin_keeps_a_usable_model(tmp_path: Path, mnist_npz: Path) -> None:
    folder = tmp_path / "run"
    options = [*TINY, "--epochs", "50", "--batch-size", "10", "--data", str(mnist_npz),
               "--out", str(folder), "--progress", "jsonl", "--control", "stdin"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", STOP_PROGRAM, *options], cwd=REPO_ROOT, capture_output=True,
        text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    status, *lines = done.stdout.splitlines()
    assert status == "0", done.stderr
    parsed = [parse_line(line) for line in lines]
    end = parsed[-1]
    assert isinstance(end, EndLine)
    assert (end.stopped, end.epochs_done) == (True, 1)
    last_epoch = parsed[-2]
    assert isinstance(last_epoch, EpochLine)
    assert (last_epoch.epoch, last_epoch.complete) == (2, False)
    assert 0 < last_epoch.batches_done < 200
    check_model_contract(folder / "model.onnx")
    assert (folder / "model.onnx").read_bytes() == (
        folder / "epochs" / "epoch-002.onnx"
    ).read_bytes()
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "| Epochs | 50 asked for; stopped by the user after 1 complete epoch" in card


@pytest.mark.slow
def test_a_run_folder_without_jsonl_prints_for_a_person(tmp_path: Path, mnist_npz: Path) -> None:
    folder = tmp_path / "run"
    done = trainer(*TINY, "--epochs", "1", "--data", mnist_npz, "--out", folder)
    assert done.returncode == 0, done.stderr
    assert "Test accuracy (ONNX Runtime, 10,000 images)" in done.stdout
    assert not any(line.startswith("{") for line in done.stdout.splitlines())
    assert (folder / "epochs" / "epoch-001.onnx").is_file()
    assert len((folder / "history.jsonl").read_text().splitlines()) >= 4


def error_line(stdout: str) -> ErrorLine:
    (line,) = stdout.splitlines()
    parsed = parse_line(line)
    assert isinstance(parsed, ErrorLine)
    return parsed


def test_bad_data_is_an_error_line_and_exit_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.npz"
    done = trainer("--data", missing, "--out", tmp_path / "run", "--progress", "jsonl")
    assert done.returncode == 2
    error = error_line(done.stdout)
    assert (error.problem, error.exit_status) == ("data", 2)
    assert f"{missing} does not exist" in error.message
    assert f"{missing} does not exist" in done.stderr


def test_a_used_run_folder_is_refused(tmp_path: Path, mnist_npz: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "settings.json").write_text("{}")
    done = trainer("--data", mnist_npz, "--out", folder, "--progress", "jsonl")
    assert done.returncode == 2
    error = error_line(done.stdout)
    assert error.problem == "output"
    assert "is not empty; give a new folder" in error.message
    assert (folder / "settings.json").read_text() == "{}"


def test_more_training_images_than_the_file_has_is_a_data_error(
    tmp_path: Path, mnist_npz: Path
) -> None:
    done = trainer("--data", mnist_npz, "--train-size", "70000", "--out", tmp_path / "run",
                   "--progress", "jsonl")  # fmt: skip
    assert done.returncode == 2
    error = error_line(done.stdout)
    assert error.problem == "data"
    assert "--train-size 70000 is more than the 60,000 training images" in error.message


FAILING_PROGRAM = """
import sys
import models.training.run
def broken(*args, **kwargs):
    raise RuntimeError("out of cheese")
models.training.run.run_training = broken
from models.training.cli import main
sys.exit(main(["--out", sys.argv[1], "--progress", "jsonl"]))
"""


def test_an_unexpected_failure_is_an_internal_error_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FAILING_PROGRAM, str(tmp_path / "run")], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    error = error_line(done.stdout)
    assert (error.problem, error.exit_status) == ("internal", 1)
    assert "RuntimeError: out of cheese" in error.message
    assert "Traceback" in done.stderr
    assert json.loads(done.stdout)["kind"] == "error"


def test_a_run_that_fails_before_it_starts_leaves_no_folder(tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "new"
    done = trainer("--data", tmp_path / "none.npz", "--out", folder, "--progress", "jsonl")
    assert done.returncode == 2
    assert error_line(done.stdout).problem == "data"
    assert not folder.exists()


FAILING_DURING_TRAINING = """
import sys
import models.training.run
def broken(*args, **kwargs):
    raise MemoryError("no room for the kernels")
models.training.run.train_and_write = broken
from models.training.cli import main
sys.exit(main(["--arch", "softmax", "--train-size", "1000", "--data", sys.argv[2],
               "--out", sys.argv[1], "--progress", "jsonl"]))
"""


def test_a_run_that_fails_midway_says_so_in_its_history(tmp_path: Path, mnist_npz: Path) -> None:
    folder = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-c", FAILING_DURING_TRAINING, str(folder), str(mnist_npz)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    *_, last = done.stdout.splitlines()
    error = parse_line(last)
    assert isinstance(error, ErrorLine)
    assert "MemoryError: no room for the kernels" in error.message
    (run,) = list_runs(tmp_path)
    assert run.status == "failed"
    assert run.error == error.message


@pytest.mark.slow
def test_snapshots_do_not_change_what_is_trained(tmp_path: Path, mnist_npz: Path) -> None:
    """The same weights with a run folder (snapshots, epoch 0, JSON lines) as with one file."""
    options = ["--arch", "dense-dropout", "--train-size", "1000", "--epochs", "2",
               "--data", str(mnist_npz)]  # fmt: skip
    single = tmp_path / "single"
    done = trainer(*options, "--out", single / "m.onnx", "--samples", single / "s.npz",
                   "--card", single / "c.md")  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "run"
    done = trainer(*options, "--out", folder, "--progress", "jsonl")
    assert done.returncode == 0, done.stderr
    first = onnx.load(str(single / "m.onnx")).graph.initializer
    second = {
        tensor.name: tensor for tensor in onnx.load(str(folder / "model.onnx")).graph.initializer
    }
    assert {tensor.name for tensor in first} == set(second)
    for tensor in first:
        np.testing.assert_array_equal(
            onnx.numpy_helper.to_array(tensor), onnx.numpy_helper.to_array(second[tensor.name])
        )
