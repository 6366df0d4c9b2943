"""The training lab through its real widgets: choose, train, watch, stop, close, keep, compare.

Real runs are tiny (the one-layer softmax network on 2,000 images); a fake trainer (a Python
one-liner printing chosen lines) stands in where a test needs a misbehaving child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.app_window import AppWindow
from gui.settings import MAX_PATH_CHARS, app_settings
from gui.training.data_source_row import SETTINGS_KEY as MNIST_FILE_KEY
from gui.training.data_source_row import DataSourceRow
from gui.training.lab import TrainingLab
from gui.training.mode import TrainingMode
from gui.training.trainer_process import TrainerCommand
from models.training.contract import check_model_contract
from models.training.mnist_source import resolve_data_path
from models.training.options import parse_settings
from models.training.protocol import EndLine, MessageLine, encode_line
from models.training.settings import TrainingSettings
from tests.training_runs_factory import batch, make_run, start, two_epoch_lines

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

REPO_ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_MS = 240_000
FAKE_TRAINER = """
import json, sys, time
for line in json.loads(sys.argv[1]):
    if line == "ARGV":
        line = json.dumps({"kind": "message", "text": json.dumps(sys.argv[2:]), "warning": False})
    elif line == "SLEEP":
        time.sleep(600)
        continue
    print(line, flush=True)
"""


def fake_trainer(*lines: str) -> TrainerCommand:
    """A trainer that prints `lines` ("ARGV": its options as a message; "SLEEP": hang)."""
    return TrainerCommand(prefix=("-c", FAKE_TRAINER, json.dumps(list(lines))))


def process_gone(pid: int) -> bool:
    """True if no process has this id any more (not even an unreaped zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    """Make QMessageBox.question answer `button`; returns the questions asked."""
    asked: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> object:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def runs_folder(tmp_path: Path) -> Path:
    return tmp_path / "training-runs"


def open_window(qtbot: QtBot, lab: TrainingLab) -> AppWindow:
    """The app's window with the training mode alone, around `lab`."""
    window = AppWindow([TrainingMode(lab=lab)])
    qtbot.addWidget(window)
    window.show()
    return window


def lab_of(window: AppWindow) -> TrainingLab:
    return window.training_mode.lab


@pytest.fixture
def window(qtbot: QtBot, runs_folder: Path) -> Iterator[AppWindow]:
    shown = open_window(qtbot, TrainingLab(runs_folder=runs_folder))
    yield shown
    lab_of(shown).stop_and_wait(grace_ms=0)


def tiny_softmax(lab: TrainingLab, *, epochs: int = 1, batch_size: int | None = None) -> None:
    lab.form.set_preset("softmax")
    lab.form.train_size.setValue(2000)
    lab.form.epochs.setValue(epochs)
    if batch_size is not None:
        lab.form.batch_size.setValue(batch_size)


# --------------------------------------------------------------------------------------------
# Choose
# --------------------------------------------------------------------------------------------


def test_the_network_tab_shows_the_code_and_the_summary(window: AppWindow) -> None:
    lab = lab_of(window)
    lab.form.set_preset("softmax")
    code = lab.network.code.toPlainText()
    assert "tf.keras.layers.Dense(10, activation='softmax')," in code
    assert "optimizer=tf.keras.optimizers.SGD(learning_rate=0.1)" in code
    assert lab.network.summary_cells() == [
        ("image", "Input", "28×28×1", "0"),
        ("flatten", "Flatten", "784", "0"),
        ("probabilities", "Dense 10, softmax", "10", "7,850"),
    ]
    assert lab.network.total.text() == "Total params: 7,850"
    assert not lab.form.dropout.isEnabled()
    lab.form.set_preset("dense-dropout")
    assert lab.form.dropout.isEnabled()
    assert lab.form.dropout.text() == "the preset's"
    lab.form.dropout.setValue(0.5)
    assert ("dropout1", "Dropout 0.5 (training only)", "128", "0") in lab.network.summary_cells()
    assert "tf.keras.layers.Dropout(0.5)," in lab.network.code.toPlainText()
    lab.form.train_size.setValue(5000)
    lab.form.epochs.setValue(3)
    assert "x_train[:5000]" in lab.network.code.toPlainText()
    assert lab.form.training_settings() == TrainingSettings.for_architecture(
        "dense-dropout", epochs=3, dropout=0.5
    )


def test_choosing_a_preset_loads_its_recipe(window: AppWindow) -> None:
    form = lab_of(window).form
    form.seed.setValue(7)
    form.train_size.setValue(3000)
    form.preset.setCurrentIndex(form.preset.findData("lecture"))
    assert form.training_settings() == TrainingSettings.for_architecture("lecture", seed=7)
    assert form.train_images() == 3000
    form.preset.setCurrentIndex(form.preset.findData("softmax"))
    assert form.training_settings() == TrainingSettings.for_architecture("softmax", seed=7)


def test_the_lab_starts_the_trainer_with_the_forms_settings(
    qtbot: QtBot, runs_folder: Path, mnist_npz: Path
) -> None:
    end = EndLine(False, 1, "model.onnx", 0.5, 1.0, 2.0, ())
    lab = TrainingLab(runs_folder=runs_folder, command=fake_trainer("ARGV", encode_line(end)))
    window = open_window(qtbot, lab)
    lab.form.set_preset("dense-relu")
    lab.form.train_size.setValue(4000)
    lab.form.optimizer.setCurrentIndex(lab.form.optimizer.findData("sgd"))
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        assert lab.start_training()
    (message,) = lab.history.messages
    options = json.loads(message.text)
    assert "--progress=jsonl" in options
    assert "--control=stdin" in options
    settings = parse_settings([option for option in options if not option.startswith(
        ("--progress", "--control"))])  # fmt: skip
    assert settings.training == TrainingSettings.for_architecture("dense-relu", optimizer="sgd")
    assert settings.data.train_size == 4000
    assert settings.data.path == mnist_npz
    assert settings.outputs.run_folder == Path(finished.args[0])
    assert settings.outputs.run_folder.parent == runs_folder
    window.close()


# --------------------------------------------------------------------------------------------
# Train and watch
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_tiny_run_through_the_real_widgets(window: AppWindow, qtbot: QtBot) -> None:
    lab = lab_of(window)
    tiny_softmax(lab)
    with qtbot.waitSignal(lab.runningChanged, timeout=5000):
        qtbot.mouseClick(lab.strip.train_button, Qt.MouseButton.LeftButton)
    assert not lab.strip.train_button.isEnabled()
    assert not lab.form.preset.isEnabled()
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        pass
    folder = Path(finished.args[0])
    history = lab.history
    assert lab.rejected_lines == []
    assert history.end is not None
    assert not history.end.stopped
    assert lab.first_batch_ms is not None
    assert [line.epoch for line in history.epochs] == [0, 1]
    assert lab.curves.live_points("accuracy-validation") == 2
    assert lab.curves.live_points("loss-training") == len(history.batches) == 3  # steps 1, 10, 20
    assert lab.first_layer.mosaic is not None
    assert lab.first_layer.mosaic.count == 10
    assert "after epoch 1" in lab.first_layer.caption.text()
    last = history.epochs[-1].validation
    assert last is not None
    heights = lab.class_results.bars.opts["height"]
    np.testing.assert_allclose(heights, last.per_class_accuracy)
    assert lab.strip.bar.value() == lab.strip.bar.maximum()
    assert "finished after" in lab.strip.text.text()
    assert window.statusBar().currentMessage().startswith("Finished: test accuracy")
    assert lab.strip.train_button.isEnabled()
    assert lab.form.preset.isEnabled()
    assert not lab._thread_limit.active
    (run,) = lab.runs.runs
    assert (run.layout.folder, run.status) == (folder, "finished")
    check_model_contract(folder / "model.onnx")
    # Open in Digit Lab: the final model, or any epoch's snapshot.
    assert lab.runs.current_run() == run
    with qtbot.waitSignal(lab.openInDigitLabRequested) as opened:
        qtbot.mouseClick(lab.runs.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [str(folder / "model.onnx")]
    lab.runs.models.setCurrentIndex(lab.runs.models.findText("epoch 0 (untrained)"))
    assert "before training" in lab.first_layer.caption.text()
    with qtbot.waitSignal(lab.openInDigitLabRequested) as opened:
        lab.runs.open_button.click()
    assert opened.args == [str(folder / "epochs" / "epoch-000.onnx")]


@pytest.mark.slow
def test_stop_mid_run_keeps_a_model_that_meets_the_contract(
    window: AppWindow, qtbot: QtBot
) -> None:
    lab = lab_of(window)
    tiny_softmax(lab, epochs=50, batch_size=10)
    assert lab.start_training()
    qtbot.waitUntil(lambda: bool(lab.history.batches), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        qtbot.mouseClick(lab.strip.stop_button, Qt.MouseButton.LeftButton)
        assert not lab.strip.stop_button.isEnabled()
    end = lab.history.end
    assert end is not None
    assert end.stopped
    folder = Path(finished.args[0])
    check_model_contract(folder / "model.onnx")
    assert lab.runs.current_run() is not None
    assert lab.runs.current_run().status == "stopped"  # type: ignore[union-attr]
    assert "stopped after" in lab.strip.text.text()


@pytest.mark.slow
def test_closing_the_window_mid_run_asks_then_leaves_no_process(
    window: AppWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = lab_of(window)
    tiny_softmax(lab, epochs=50, batch_size=10)
    assert lab.start_training()
    qtbot.waitUntil(lambda: bool(lab.history.batches), timeout=RUN_TIMEOUT_MS)
    pid = lab.trainer.process_id()
    assert pid > 0
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked
    assert window.isVisible()
    assert lab.has_running_run()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.close()
    assert asked
    assert not window.isVisible()
    assert not lab.has_running_run()
    assert process_gone(pid)


def test_a_trainer_that_does_not_stop_is_killed(qtbot: QtBot, runs_folder: Path) -> None:
    lab = TrainingLab(runs_folder=runs_folder, command=fake_trainer(encode_line(start()), "SLEEP"))
    window = open_window(qtbot, lab)
    assert lab.start_training()
    qtbot.waitUntil(lambda: lab.history.start is not None, timeout=RUN_TIMEOUT_MS)
    pid = lab.trainer.process_id()
    with qtbot.waitSignal(lab.runFinished, timeout=10_000):
        assert lab.stop_and_wait(grace_ms=300)
    assert process_gone(pid)
    assert lab.notice.isVisible()
    assert "The trainer ended without finishing" in lab.notice.text()
    window.close()


def test_a_malformed_line_from_the_trainer_is_reported_not_fatal(
    qtbot: QtBot, runs_folder: Path
) -> None:
    end = EndLine(False, 1, "model.onnx", 0.5, 1.0, 2.0, ())
    lines = (encode_line(start()), "Epoch 1/10 ━━━━━━", encode_line(batch(1, 1, 2.0, 0.5)),
             '{"kind": "epoch"}', "", encode_line(end))  # fmt: skip
    lab = TrainingLab(runs_folder=runs_folder, command=fake_trainer(*lines))
    window = open_window(qtbot, lab)
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS):
        assert lab.start_training()
    assert len(lab.rejected_lines) == 2
    assert "not JSON" in lab.rejected_lines[0]
    assert "the epoch line lacks" in lab.rejected_lines[1]
    assert lab.history.batches == [batch(1, 1, 2.0, 0.5)]
    assert lab.history.end == end
    assert window.statusBar().currentMessage().startswith("Finished")
    window.close()


# --------------------------------------------------------------------------------------------
# Keep and compare
# --------------------------------------------------------------------------------------------


def test_saved_runs_reload_overlay_open_and_delete(
    window: AppWindow, qtbot: QtBot, runs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_run(runs_folder, "2025-01-01_000000-softmax", two_epoch_lines())
    make_run(runs_folder, "2025-01-02_000000-dense-relu", two_epoch_lines(),
             architecture="dense-relu")  # fmt: skip
    lab = lab_of(window)
    with qtbot.assertNotEmitted(lab.openInDigitLabRequested):
        lab.runs.refresh_button.click()
    assert [run.name for run in lab.runs.runs] == [
        "2025-01-02_000000-dense-relu", "2025-01-01_000000-softmax",
    ]  # fmt: skip
    for run in lab.runs.runs:
        lab.runs.set_compared(run.layout.folder, True)
    assert lab.curves.overlay_labels == ["dense-relu · 90.0 %", "softmax · 90.0 %"]
    accuracy_view = lab.curves.accuracy_plot.getPlotItem().getViewBox()
    lab.curves.zoom.setChecked(True)  # where the ladder's networks differ
    low, high = accuracy_view.viewRange()[1]
    assert 0.89 < low < 0.9 < 1.0 < high < 1.01
    lab.curves.zoom.setChecked(False)
    assert accuracy_view.viewRange()[1][0] < 0.0
    lab.runs.choose(first)
    assert lab.history.end is not None
    assert lab.curves.live_points("accuracy-validation") == 3
    labels = [lab.runs.models.itemText(index) for index in range(lab.runs.models.count())]
    assert labels == ["final model (90.00 %)", "epoch 2", "epoch 1", "epoch 0 (untrained)"]
    lab.runs.models.setCurrentIndex(2)
    assert "after epoch 1" in lab.first_layer.caption.text()
    with qtbot.waitSignal(lab.openInDigitLabRequested) as opened:
        lab.runs.open_button.click()
    assert opened.args == [str(first / "epochs" / "epoch-001.onnx")]
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    lab.runs.delete_button.click()
    assert asked
    assert first.is_dir()
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    lab.runs.delete_button.click()
    assert not first.exists()
    assert [run.name for run in lab.runs.runs] == ["2025-01-02_000000-dense-relu"]
    assert lab.curves.overlay_labels == ["dense-relu · 90.0 %"]


def test_without_tensorflow_saved_runs_still_open(qtbot: QtBot, runs_folder: Path) -> None:
    folder = make_run(runs_folder, "2025-01-01_000000-softmax", two_epoch_lines())
    lab = TrainingLab(runs_folder=runs_folder, missing_packages=["tensorflow", "tf2onnx"])
    window = open_window(qtbot, lab)
    assert lab.notice.isVisible()
    text = lab.notice.text()
    assert "training needs tensorflow, tf2onnx (the `train` extra)" in text
    assert 'pip install -e ".[train]"' in text
    assert "Saved runs can still be opened" in text
    assert not lab.strip.train_button.isEnabled()
    assert not lab.start_training()
    assert not lab.has_running_run()
    lab.runs.choose(folder)
    with qtbot.waitSignal(lab.openInDigitLabRequested) as opened:
        lab.runs.open_button.click()
    assert opened.args == [str(folder / "model.onnx")]
    window.close()


# --------------------------------------------------------------------------------------------
# MNIST files
# --------------------------------------------------------------------------------------------


def test_a_missing_mnist_file_gets_a_message_and_a_file_chooser(
    qtbot: QtBot, runs_folder: Path, tmp_path: Path, mnist_npz: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    end = EndLine(False, 1, "model.onnx", 0.5, 1.0, 2.0, ())
    lab = TrainingLab(runs_folder=runs_folder, command=fake_trainer("ARGV", encode_line(end)))
    window = open_window(qtbot, lab)
    lab.data_row.set_file(tmp_path / "none.npz")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    chosen = iter([("", ""), (str(mnist_npz), "")])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: next(chosen))
    assert not lab.start_training()  # the user closed the file chooser
    assert "none.npz does not exist" in warnings[0]
    assert not lab.has_running_run()
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS):
        assert lab.start_training()  # this time the user chose the real file
    assert f"--data={mnist_npz}" in json.loads(lab.history.messages[0].text)
    assert lab.data_row.source_path() == mnist_npz
    window.close()


@pytest.mark.parametrize(
    "remembered",
    ["/" + "x" * MAX_PATH_CHARS, "relative/mnist.npz", "/data/mn\0ist.npz", "", 12],
    ids=["too long", "relative", "NUL", "empty", "a number"],
)
def test_a_damaged_remembered_mnist_file_is_ignored(
    qtbot: QtBot, mnist_npz: Path, remembered: object
) -> None:
    settings = app_settings()
    settings.setValue(MNIST_FILE_KEY, remembered)
    settings.sync()
    row = DataSourceRow()
    qtbot.addWidget(row)
    assert row.source_path() == resolve_data_path(None) == mnist_npz  # the default: MNIST_NPZ
    assert row.label.text() == f"MNIST: {mnist_npz}"


def test_a_remembered_mnist_file_is_used(qtbot: QtBot, tmp_path: Path) -> None:
    longest = tmp_path / ("m" * (MAX_PATH_CHARS - len(str(tmp_path)) - 2))  # the longest read
    for chosen in (tmp_path / "mnist copy.npz", longest):
        app_settings().setValue(MNIST_FILE_KEY, str(chosen))
        row = DataSourceRow()
        qtbot.addWidget(row)
        assert row.source_path() == chosen


@pytest.mark.slow
def test_a_file_the_trainer_refuses_is_reported_with_a_file_chooser(
    qtbot: QtBot, runs_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = tmp_path / "wrong.npz"
    images, labels = np.zeros((10, 32, 32), np.uint8), np.zeros(10, np.uint8)
    np.savez(wrong, x_train=images, y_train=labels, x_test=images, y_test=labels)
    lab = TrainingLab(runs_folder=runs_folder)
    window = open_window(qtbot, lab)
    lab.data_row.set_file(wrong)
    chooser: list[str] = []

    def no_file(*args: object, **kwargs: object) -> tuple[str, str]:
        chooser.append(str(args[1]))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", no_file)
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS):
        assert lab.start_training()
    assert lab.history.error is not None
    assert lab.history.error.problem == "data"
    assert "x_train should be uint8 images of shape (N, 28, 28)" in lab.notice.text()
    assert chooser == ["Choose an MNIST file the trainer can read"]
    window.close()


def test_the_lab_never_imports_tensorflow() -> None:
    program = (
        "import sys; from gui.app import make_application; app = make_application(); "
        "from gui.training.lab import TrainingLab; lab = TrainingLab(); lab.show(); "
        "print(sorted(m for m in ('tensorflow', 'keras', 'tf2onnx') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[]"


def test_message_lines_reach_the_status_bar(qtbot: QtBot, runs_folder: Path) -> None:
    lines = (encode_line(MessageLine("No MNIST file found; downloading it with Keras.")),)
    lab = TrainingLab(runs_folder=runs_folder, command=fake_trainer(*lines))
    window = open_window(qtbot, lab)
    with qtbot.waitSignal(lab.runFinished, timeout=RUN_TIMEOUT_MS):
        assert lab.start_training()
    assert lab.history.messages[0].text.startswith("No MNIST file found")
    assert "ended without finishing (exit status 0)" in lab.notice.text()
    window.close()
