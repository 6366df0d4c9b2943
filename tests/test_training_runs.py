"""Saved runs without TensorFlow: run folders, settings.json, history, curves, time left, pictures.

Everything here is what the training lab reads; run folders are made up from protocol lines.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from models.training.history import RunHistory, confusion_fractions, smoothed, worst_digit
from models.training.lab_text import (
    duration_text,
    lab_status_text,
    percent_text,
    progress_text,
    size_text,
)
from models.training.mnist_source import mnist_file_problem, resolve_data_path
from models.training.protocol import (
    EndLine,
    ErrorLine,
    LayerWeights,
    Validation,
)
from models.training.run_document import (
    RunDocumentError,
    read_settings_document,
    settings_document,
)
from models.training.run_layout import run_folder_of, snapshot_epoch, snapshot_name
from models.training.runs import (
    RunFolderError,
    delete_run,
    last_line,
    list_runs,
    new_run_folder,
    read_history,
    runs_root,
)
from models.training.settings import DataSettings, OutputSettings, RunSettings, TrainingSettings
from models.training.weight_pictures import percentile, weight_mosaic
from tests.training_runs_factory import (
    CONFUSION,
    batch,
    epoch_line,
    make_run,
    start,
    two_epoch_lines,
    validation,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------
# Run folders, settings.json
# --------------------------------------------------------------------------------------------


def test_a_new_run_folder_is_named_for_its_time_and_preset(tmp_path: Path) -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5)
    first = new_run_folder(tmp_path, "dense-relu", moment)
    assert first == tmp_path / "2025-01-02_030405-dense-relu"
    first.mkdir()
    assert new_run_folder(tmp_path, "dense-relu", moment).name == "2025-01-02_030405-dense-relu-2"
    assert new_run_folder(tmp_path, "../x y", moment).name == "2025-01-02_030405--x-y"
    assert runs_root(tmp_path) == tmp_path / "training-runs"


def test_snapshot_names() -> None:
    assert snapshot_name(3) == "epoch-003.onnx"
    assert snapshot_epoch("epoch-012.onnx") == 12
    assert snapshot_epoch("epoch-1234.onnx") == 1234
    assert snapshot_epoch("model.onnx") is None
    assert snapshot_epoch("epoch-003.onnx.tmp") is None


def test_a_model_is_known_as_a_runs_by_its_place_and_the_folders_settings(
    tmp_path: Path,
) -> None:
    folder = make_run(tmp_path, "2025-01-01_000000-softmax", two_epoch_lines())
    for model in (folder / "model.onnx", folder / "epochs" / "epoch-002.onnx"):
        layout = run_folder_of(model)
        assert layout is not None and layout.folder == folder
        assert [epoch for epoch, _ in layout.snapshots()] == [0, 1, 2]
        assert layout.snapshots()[1][1] == folder / "epochs" / "epoch-001.onnx"
    other = tmp_path / "elsewhere"
    (other / "epochs").mkdir(parents=True)
    for model in (
        other / "model.onnx",  # no settings.json beside it
        other / "epochs" / "epoch-001.onnx",
        folder / "mnist_cnn.onnx",  # not a run's file name
        folder / "epoch-001.onnx",  # a snapshot's name outside epochs/
    ):
        assert run_folder_of(model) is None, model


def test_the_modes_status_says_what_trains_or_what_is_saved() -> None:
    history = RunHistory.of([start(), batch(2, 5, 1.5, 2.0)])
    assert lab_status_text(3, "dense-relu", history.progress(), True) == (
        "Training dense-relu · epoch 2 of 2"
    )
    assert lab_status_text(3, "softmax", None, True) == "Training softmax · starting"
    assert lab_status_text(3, "softmax", RunHistory.of([start()]).progress(), True) == (
        "Training softmax · starting"
    )
    assert lab_status_text(0, None, None, True) == "no saved runs"
    assert lab_status_text(1, None, None, True) == "1 saved run"
    assert lab_status_text(1_200, None, None, False) == (
        "1,200 saved runs · cannot train here (no TensorFlow)"
    )


def test_settings_json_reads_back_the_settings(tmp_path: Path) -> None:
    settings = RunSettings(
        DataSettings(None, 2000),
        TrainingSettings.for_architecture("dense-dropout", dropout=0.3, seed=4),
        OutputSettings.in_run_folder(tmp_path),
    )
    text = settings_document(settings, "python -m models.training --arch dense-dropout", 2000,
                             "keras.datasets.mnist")  # fmt: skip
    document = read_settings_document(text, tmp_path)
    assert document.settings == settings
    assert document.command == "python -m models.training --arch dense-dropout"
    assert (document.train_images, document.data_source) == (2000, "keras.datasets.mnist")
    assert datetime.fromisoformat(document.created).tzinfo is not None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda text: "{", "settings.json is not JSON"),
        (lambda text: "[]", "should hold a JSON object"),
        (lambda text: text.replace('"format": 1', '"format": 2'), "has format 2, not 1"),
        (lambda text: text.replace('"epochs": 2', '"epochs": 0'), "epochs (--epochs) must be"),
        (lambda text: text.replace('"epochs": 2,', ""), "training lacks the setting(s) epochs"),
        (lambda text: text.replace('"seed": 0', '"seed": 0, "x": 1'), "unknown setting(s) x"),
        (lambda text: text.replace('"train_images": 1000', '"train_images": "1000"'),
         "'train_images' should be a count"),
        (lambda text: text.replace('"path": "/data/mnist.npz"', '"path": 3'),
         "data.path should be a string or null"),
    ],
)  # fmt: skip
def test_a_bad_settings_json_is_refused(tmp_path: Path, change: object, reason: str) -> None:
    folder = make_run(tmp_path, "run", [])
    text = (folder / "settings.json").read_text()
    assert callable(change)
    with pytest.raises(RunDocumentError, match=None) as caught:
        read_settings_document(change(text), folder)
    assert reason in str(caught.value)


# --------------------------------------------------------------------------------------------
# Listing, reading, deleting
# --------------------------------------------------------------------------------------------


def test_runs_are_listed_newest_first_with_their_status(tmp_path: Path) -> None:
    finished = make_run(tmp_path, "2025-01-01_000000-softmax", two_epoch_lines())
    stopped_end = EndLine(True, 0, "/runs/b/model.onnx", 0.5, 1.0, 2.0, ())
    make_run(tmp_path, "2025-01-02_000000-lecture", [start(), stopped_end], architecture="lecture")
    make_run(tmp_path, "2025-01-03_000000-kth", [start(), ErrorLine("bad file", "data", 2)],
             architecture="kth")  # fmt: skip
    make_run(tmp_path, "2025-01-04_000000-softmax", [start(), batch(1, 1, 2.0, 0.5)])
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    runs = list_runs(tmp_path)
    assert [run.name for run in runs] == [
        "2025-01-04_000000-softmax", "2025-01-03_000000-kth", "2025-01-02_000000-lecture",
        "2025-01-01_000000-softmax",
    ]  # fmt: skip
    assert [run.status for run in runs] == ["incomplete", "failed", "stopped", "finished"]
    assert runs[1].error == "bad file"
    done = runs[3]
    assert done.end is not None
    assert done.end.test_accuracy == 0.9
    assert done.document is not None
    assert done.document.settings.training.architecture == "softmax"
    assert done.problem is None
    assert [epoch for epoch, _ in done.snapshots] == [0, 1, 2]
    assert done.model == finished / "model.onnx"
    assert done.size == sum(path.stat().st_size for path in finished.rglob("*") if path.is_file())
    assert runs[0].model is None  # killed before its first epoch: nothing to open
    assert runs[2].model == runs[2].layout.model
    assert list_runs(tmp_path / "nowhere") == []


def test_a_run_with_a_bad_settings_json_is_listed_with_its_problem(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "run", two_epoch_lines())
    (folder / "settings.json").write_text("not json")
    (run,) = list_runs(tmp_path)
    assert run.document is None
    assert run.problem is not None
    assert "settings.json is not JSON" in run.problem
    assert run.status == "finished"


def test_the_last_line_survives_a_half_written_end(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "run", [start(), batch(1, 1, 2.0, 0.5)])
    with (folder / "history.jsonl").open("a") as file:
        file.write('{"kind": "epoch", "epoch": 1, "ep')  # the trainer was killed mid-line
    assert last_line(folder / "history.jsonl") == batch(1, 1, 2.0, 0.5)
    read = read_history(folder)
    assert read.history.batches == [batch(1, 1, 2.0, 0.5)]
    assert len(read.problems) == 1
    assert "history.jsonl line 3: not JSON" in read.problems[0]
    assert last_line(tmp_path / "missing.jsonl") is None


def test_a_missing_history_reads_as_empty_with_a_problem(tmp_path: Path) -> None:
    read = read_history(tmp_path)
    assert read.history.start is None
    assert read.problems[0].startswith("cannot read history.jsonl")


def test_a_run_is_deleted_only_inside_the_root_and_only_if_it_is_a_run(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    folder = make_run(root, "run", two_epoch_lines())
    stranger = tmp_path / "elsewhere"
    stranger.mkdir()
    (stranger / "settings.json").write_text("{}")
    with pytest.raises(RunFolderError, match="not a run folder inside"):
        delete_run(root, stranger)
    plain = root / "plain"
    plain.mkdir()
    with pytest.raises(RunFolderError, match=r"no settings\.json or history\.jsonl"):
        delete_run(root, plain)
    with pytest.raises(RunFolderError):
        delete_run(root, root / ".." / "runs" / "run" / "epochs")
    assert folder.is_dir()
    delete_run(root, folder)
    assert not folder.exists()
    assert plain.is_dir()
    assert stranger.is_dir()


# --------------------------------------------------------------------------------------------
# History: curves, progress, time left
# --------------------------------------------------------------------------------------------


def test_curves_are_in_epochs() -> None:
    history = RunHistory.of(two_epoch_lines())
    training = history.training_curve()
    np.testing.assert_allclose(training.x, [0.1, 1.0, 1.1, 2.0])
    np.testing.assert_allclose(training.loss, [2.0, 1.0, 0.9, 0.5])
    validation = history.validation_curve()
    np.testing.assert_allclose(validation.x, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(validation.accuracy, [0.1, 0.8, 0.9])
    np.testing.assert_allclose(validation.loss, [0.9, 0.2, 0.1])
    assert history.best_validation_accuracy() == 0.9
    assert history.finished


def test_smoothing_is_a_debiased_moving_average_that_skips_nans() -> None:
    values = np.array([2.0, math.nan, 1.0, 1.0])
    weight = 0.5
    # s1 = 0.5·2 = 1 → 1/(1−0.5) = 2; s2 = 0.5·1 + 0.5·1 = 1 → 1/(1−0.25) = 4/3;
    # s3 = 0.5·1 + 0.5·1 = 1 → 1/(1−0.125) = 8/7
    np.testing.assert_allclose(smoothed(values, weight), [2.0, 2.0, 4 / 3, 8 / 7])
    assert np.isnan(smoothed(np.array([math.nan, 1.0]), weight)[0])


def test_the_training_curve_grows_with_the_lines_and_matches_smoothing_them_all() -> None:
    history = RunHistory.of([start(epochs=3)])
    drawn = []
    rng = np.random.default_rng(3)
    for step in range(1, 200):
        loss = math.nan if step % 17 == 0 else float(rng.uniform(0.1, 2.0))
        history.add(batch(1 + step // 100, step, loss, float(rng.uniform(0.0, 1.0))))
        if step % 13 == 0:
            drawn.append((history.training_curve(), history.smoothed_training_curve()))
    raw, smooth = history.training_curve(), history.smoothed_training_curve()
    losses = np.array([line.loss for line in history.batches])
    accuracies = np.array([line.accuracy for line in history.batches])
    np.testing.assert_array_equal(raw.loss, losses)
    np.testing.assert_array_equal(smooth.loss, smoothed(losses))
    np.testing.assert_array_equal(smooth.accuracy, smoothed(accuracies))
    images = history.images_per_epoch()
    np.testing.assert_array_equal(raw.x, [line.images_seen / images for line in history.batches])
    for earlier, earlier_smooth in drawn:  # curves handed out before stay as they were
        count = earlier.x.size
        np.testing.assert_array_equal(earlier.loss, losses[:count])
        np.testing.assert_array_equal(earlier_smooth.loss, smoothed(losses[:count]))
    with pytest.raises(ValueError, match="read-only"):
        raw.loss[0] = 0.0
    history.add(start(epochs=3))  # a new start line begins the curve again
    assert history.training_curve().empty
    history.add(batch(1, 1, 3.0, 0.5))
    np.testing.assert_allclose(history.smoothed_training_curve().loss, [3.0])
    np.testing.assert_array_equal(raw.loss, losses)  # the old run's curve is left as it was


def test_progress_and_time_left_during_a_run() -> None:
    history = RunHistory.of([start(), batch(1, 5, 1.5, 2.0)])
    progress = history.progress()
    assert (progress.epoch, progress.batch, progress.epochs, progress.batches) == (1, 5, 2, 10)
    assert progress.fraction == pytest.approx(5 / 20)
    # 5 steps in 2 s: 4 s per epoch of 10 steps, 8 s for both, 6 s left.
    assert progress.seconds_per_epoch == pytest.approx(4.0)
    assert progress.seconds_left == pytest.approx(6.0)
    assert (
        progress_text(progress) == "Epoch 1 of 2 · step 5 of 10 · 4.0 s per epoch · about 6 s left"
    )
    history.add(epoch_line(1, 0.8, 5.0))
    history.add(batch(2, 2, 0.9, 5.5))
    progress = history.progress()
    assert (progress.epoch, progress.batch) == (2, 2)
    assert progress.fraction == pytest.approx(12 / 20)
    assert progress.seconds_per_epoch == pytest.approx(5.0)  # the epoch with its snapshot
    assert progress.seconds_left == pytest.approx(4.5)


def test_progress_of_a_finished_and_of_a_stopped_run() -> None:
    history = RunHistory.of(two_epoch_lines())
    progress = history.progress()
    assert (progress.fraction, progress.seconds_left, progress.ended) == (1.0, 0.0, "finished")
    assert progress_text(progress).endswith("· finished after 12 s")
    part_epoch = epoch_line(1, 0.5, 2.0, complete=False)
    stopped_end = EndLine(True, 0, "m.onnx", 0.5, 2.0, 3.0, ())
    stopped = RunHistory.of([start(), batch(1, 4, 1.0, 1.0), part_epoch, stopped_end])
    progress = stopped.progress()
    assert progress.fraction == pytest.approx(4 / 20)
    assert progress.ended == "stopped"
    assert progress_text(RunHistory.of([start()]).progress()).startswith("Starting")


def test_confusion_fractions_and_worst_digit() -> None:
    fractions = confusion_fractions(validation(0.8))
    np.testing.assert_allclose(fractions.sum(axis=1), 1.0)
    assert fractions[3, 3] == pytest.approx(0.8)
    assert fractions[3, 4] == pytest.approx(0.2)
    empty = Validation(0.0, 0.0, tuple([0.0] * 10), tuple(tuple([0] * 10) for _ in range(10)))
    assert not confusion_fractions(empty).any()
    per_class = (0.9, 0.9, 0.5, 0.9, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9)
    assert worst_digit(Validation(0.1, 0.9, per_class, CONFUSION)) == 2


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0 s"), (42.4, "42 s"), (185, "3 min 05 s"), (3725, "1 h 02 min"),
     (math.nan, "unknown")],
)  # fmt: skip
def test_durations(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_percentages_and_sizes() -> None:
    assert percent_text(0.9213) == "92.1 %"
    assert percent_text(0.9213, 2) == "92.13 %"
    assert percent_text(math.nan) == "–"
    assert size_text(312_400) == "312 KB"
    assert size_text(13_400_000) == "13.4 MB"
    assert size_text(2_500_000_000) == "2.50 GB"


# --------------------------------------------------------------------------------------------
# Weight pictures, MNIST files
# --------------------------------------------------------------------------------------------


def test_weights_are_tiled_near_square_with_gaps() -> None:
    values = np.arange(10 * 2 * 3, dtype=np.float32).reshape(10, 2, 3) - 30
    mosaic = weight_mosaic(LayerWeights("conv1", "conv", values))
    assert (mosaic.rows, mosaic.columns, mosaic.count, mosaic.tile) == (3, 4, 10, (2, 3))
    assert mosaic.image.shape == (3 * 3 - 1, 4 * 4 - 1)
    top, left = mosaic.origin(5)  # row 1, column 1
    assert (top, left) == (3, 4)
    np.testing.assert_array_equal(mosaic.image[top : top + 2, left : left + 3], values[5])
    assert np.isnan(mosaic.image[2, 0])  # a gap row
    assert np.isnan(mosaic.image[-1, -1])  # after the last tile
    assert mosaic.limit == 30.0  # few weights: the largest |weight|


def test_many_weights_take_a_percentile_as_their_range() -> None:
    values = np.full((16, 28, 28), 0.01, np.float32)
    values[0, 0, 0] = 5.0  # one outlier does not wash out the pictures
    mosaic = weight_mosaic(LayerWeights("dense1", "dense", values))
    assert mosaic.limit == pytest.approx(0.01)
    zeros = weight_mosaic(LayerWeights("dense1", "dense", np.zeros((1, 28, 28), np.float32)))
    assert zeros.limit > 0


@pytest.mark.parametrize("size", [1, 2, 7, 1000, 7840])
@pytest.mark.parametrize("q", [0.0, 12.5, 50.0, 99.5, 100.0])
def test_the_percentile_is_numpys_linear_one(size: int, q: float) -> None:
    values = np.random.default_rng(size).standard_normal(size).astype(np.float32)
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-6)


def test_a_percentile_needs_values_and_a_percentage() -> None:
    with pytest.raises(ValueError, match="needs values"):
        percentile(np.zeros(0, np.float32), 50.0)
    with pytest.raises(ValueError, match="0 <= q <= 100"):
        percentile(np.zeros(3, np.float32), 100.5)


def test_a_dense_layers_pictures_do_not_import_numpy_ma() -> None:
    """numpy.percentile imports numpy.ma on its first call: 50 ms the lab's window would freeze."""
    program = (
        "import sys, numpy as np; from models.training.protocol import LayerWeights; "
        "from models.training.weight_pictures import weight_mosaic; "
        "values = np.random.default_rng(0).standard_normal((10, 28, 28)).astype(np.float32); "
        "weight_mosaic(LayerWeights('probabilities', 'dense', values)); "
        "print('numpy.ma' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_an_mnist_file_is_looked_at_without_reading_it(tmp_path: Path, mnist_npz: Path) -> None:
    assert mnist_file_problem(mnist_npz) is None
    assert "does not exist" in (mnist_file_problem(tmp_path / "none.npz") or "")
    assert "is not a file" in (mnist_file_problem(tmp_path) or "")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(os.urandom(300))
    assert "not a readable npz archive" in (mnist_file_problem(junk) or "")
    partial = tmp_path / "partial.npz"
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr("x_train.npy", b"")
        archive.writestr("y_train.npy", b"")
    assert "lacks the array(s) x_test, y_test" in (mnist_file_problem(partial) or "")


def test_the_data_path_is_the_option_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNIST_NPZ", str(tmp_path / "env.npz"))
    assert resolve_data_path(tmp_path / "given.npz") == tmp_path / "given.npz"
    assert resolve_data_path(None) == tmp_path / "env.npz"
