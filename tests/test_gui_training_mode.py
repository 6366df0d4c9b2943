"""The training lab as the window's third mode: its tab, menu, toolbar, status and settings,
closing the real window mid-run, "Open in Digit Lab" (any epoch), and no TensorFlow at start-up.

The trainer is a fake (a Python one-liner that prints chosen lines and obeys "stop" on stdin)
so these tests take seconds; tests/test_gui_training.py trains for real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.app import LaunchOptions, build_window
from gui.digits.mode import DigitLabMode
from gui.playground.mode import PlaygroundMode
from gui.settings import app_settings
from gui.training.lab import TrainingLab
from gui.training.mode import PRESET_KEY, TRAIN_IMAGES_KEY, TrainingMode
from gui.training.trainer_process import TrainerCommand
from models.training.protocol import EndLine, encode_line
from tests.layout_audit import layout_problems
from tests.training_runs_factory import batch, make_run, start, two_epoch_lines

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

    from gui.app_window import AppWindow

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MODEL = REPO_ROOT / "models" / "mnist_cnn.onnx"
OBEYING_TRAINER = """
import json, sys
for line in json.loads(sys.argv[1]):
    print(line, flush=True)
for command in sys.stdin:
    if command.strip() == "stop":
        print(json.loads(sys.argv[2]), flush=True)
        sys.exit(0)
"""
STOPPED = EndLine(True, 0, "/runs/a/model.onnx", 0.5, 1.0, 2.0, ())


def obeying_trainer(*lines: str) -> TrainerCommand:
    """A trainer that prints `lines`, then waits for "stop" and ends with a stopped end line."""
    return TrainerCommand(
        prefix=("-c", OBEYING_TRAINER, json.dumps(list(lines)), json.dumps(encode_line(STOPPED)))
    )


def process_gone(pid: int) -> bool:
    """True if no process has this id any more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def window_with(lab: TrainingLab, tab: str = "training") -> AppWindow:
    """The app's window with its three modes, the training mode hosting `lab`."""

    class Training(TrainingMode):
        def __init__(self, options: LaunchOptions | None = None, parent: object = None) -> None:
            super().__init__(options, None, lab=lab)

    return build_window(LaunchOptions(tab=tab), (PlaygroundMode, DigitLabMode, Training))


def close(win: AppWindow) -> None:
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def runs_folder(tmp_path: Path) -> Path:
    return tmp_path / "training-runs"


@pytest.fixture
def window(qtbot: QtBot, runs_folder: Path) -> Iterator[AppWindow]:
    lines = (encode_line(start()), encode_line(batch(1, 1, 2.0, 0.5)))
    lab = TrainingLab(runs_folder=runs_folder, command=obeying_trainer(*lines))
    win = window_with(lab)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    lab.stop_and_wait(grace_ms=2000)
    close(win)


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> object:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def real_model_run(runs_folder: Path) -> Path:
    """A saved run whose epoch 1 snapshot and final model are real ONNX digit models."""
    folder = make_run(runs_folder, "2025-01-01_000000-softmax", two_epoch_lines())
    shutil.copyfile(SHIPPED_MODEL, folder / "epochs" / "epoch-001.onnx")
    shutil.copyfile(SHIPPED_MODEL, folder / "model.onnx")
    return folder


# --------------------------------------------------------------------------------------------
# The tab, its menu, toolbar and status
# --------------------------------------------------------------------------------------------


def test_the_shipped_window_has_a_training_tab(qtbot: QtBot) -> None:
    win = build_window(LaunchOptions(tab="training"))
    qtbot.addWidget(win)
    assert [m.description.name for m in win.modes] == ["playground", "digits", "training"]
    assert win.tabs.count() == 3
    assert win.tabs.tabText(2) == "Training — watch a network learn"
    assert win.shown_mode is win.training_mode
    assert win.page_widget(win.training_mode) is win.training_mode.lab
    assert win.windowTitle() == "CNN Visualizer — Training"
    assert win.mode_status.text() == "no saved runs"
    assert not win.open_image_action.isEnabled()  # no picture goes into the training lab
    assert win.undo_group.activeStack() is None
    close(win)


def test_ctrl_3_shows_the_training_mode_and_its_tools_only_there(window: AppWindow, qtbot: QtBot):
    mode = window.training_mode
    window.show_mode("playground")
    assert not mode.toolbar.isVisible() and not mode.train_action.isEnabled()
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.shown_mode is mode
    assert mode.toolbar.isVisible()
    assert [a.text() for a in mode.toolbar.actions()] == [
        "&Train", "&Stop Training", "Open Run in &Digit Lab",
    ]  # fmt: skip
    assert all(a.isEnabled() for a in mode.menu.actions())
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Lessons", "Training", "Help"]


def test_train_and_stop_from_the_menu_and_the_status_bar_follows(
    window: AppWindow, qtbot: QtBot, runs_folder: Path
) -> None:
    mode, lab = window.training_mode, window.training_mode.lab
    lab.form.set_preset("softmax")
    mode.stop_action.trigger()
    assert window.statusBar().currentMessage() == "No network is training."
    with qtbot.waitSignal(lab.runningChanged, timeout=5000):
        mode.train_action.trigger()
    assert lab.has_running_run()
    qtbot.waitUntil(lambda: bool(lab.history.batches), timeout=20_000)
    assert window.mode_status.text() == "Training softmax · epoch 1 of 2"
    assert not mode.train()
    assert window.statusBar().currentMessage() == "A network is training already; stop it first."
    with qtbot.waitSignal(lab.runFinished, timeout=20_000):
        mode.stop_action.trigger()
    assert lab.history.end == STOPPED
    assert window.mode_status.text() == "no saved runs"  # the fake wrote no settings.json
    make_run(runs_folder, "2025-01-01_000000-softmax", two_epoch_lines())
    mode.refresh_action.trigger()
    assert window.mode_status.text() == "1 saved run"
    make_run(runs_folder, "2025-01-02_000000-softmax", two_epoch_lines())
    mode.refresh_action.trigger()
    assert window.mode_status.text() == "2 saved runs"


def test_without_tensorflow_the_status_says_it_cannot_train(qtbot: QtBot, runs_folder) -> None:
    lab = TrainingLab(runs_folder=runs_folder, missing_packages=["tensorflow"])
    win = window_with(lab)
    qtbot.addWidget(win)
    assert win.mode_status.text() == "no saved runs · cannot train here (no TensorFlow)"
    assert not win.training_mode.train()
    assert not lab.notice.isHidden() and 'pip install -e ".[train]"' in lab.notice.text()
    close(win)


def test_nothing_is_cut_or_overlapping_at_1024x768(qtbot: QtBot, runs_folder: Path) -> None:
    win = window_with(TrainingLab(runs_folder=runs_folder))
    win.resize(1024, 768)
    win.reset_layouts(1024, 768)
    win.show()
    qtbot.waitExposed(win)
    for _ in range(5):
        QApplication.processEvents()
    lab = win.training_mode.lab
    assert win.page(win.training_mode).verticalScrollBar().maximum() == 0  # the page fits
    assert lab.columns.sizes()[1] > lab.columns.sizes()[0]  # the charts get the larger share
    for preset in ("lecture", "dense-dropout", "kth"):  # the longest texts in the boxes
        lab.form.set_preset(preset)
        for decay in range(lab.form.decay.count()):
            lab.form.decay.setCurrentIndex(decay)
            problems = layout_problems(win)
            assert not problems, (preset, decay, problems)
    close(win)


def training_look(lab: TrainingLab) -> dict[str, object]:
    """What presentation mode changes in the Training tab."""
    loss = lab.curves.loss_plot.getPlotItem()
    accuracy = lab.curves.accuracy_plot.getPlotItem()
    tick_fonts = [
        plot.getAxis(side).style["tickFont"]
        for plot in (loss, accuracy, lab.class_results.bars_plot, lab.class_results.matrix_plot)
        for side in ("left", "bottom")
    ]
    return {
        "settings shown": lab.tabs.isVisible(),
        "columns": lab.columns.sizes(),
        "titles": [plot.titleLabel.opts["size"] for plot in (loss, accuracy)],
        "ticks": [None if font is None else font.pointSizeF() for font in tick_fonts],
        "axis labels": [loss.getAxis("bottom").labelStyle, accuracy.getAxis("bottom").labelStyle],
        "legend": [label.opts["size"] for _sample, label in accuracy.legend.items],
        "pens": [
            item.opts["pen"].widthF() for item in (*loss.listDataItems(), *accuracy.listDataItems())
        ],
        "dots": [item.opts["symbolSize"] for item in loss.listDataItems() if item.opts["symbol"]],
        "counts": lab.class_results.counts[0, 1].font().pointSizeF(),
        "progress": lab.strip.text.font().pointSizeF(),
        "captions": [
            lab.first_layer.caption.font().pointSizeF(),
            lab.class_results.caption.font().pointSizeF(),
        ],
    }


def test_presentation_mode_shows_the_run_alone_larger_and_round_trips(
    window: AppWindow, runs_folder: Path
) -> None:
    lab = window.training_mode.lab
    make_run(runs_folder, "2025-01-01_000000-softmax", two_epoch_lines())
    lab.refresh_runs()
    lab.runs.set_compared(lab.runs.runs[0].layout.folder, True)  # an overlay is restyled too
    QApplication.processEvents()
    usual = training_look(lab)
    assert usual["settings shown"] and usual["ticks"] == [None] * 8
    window.set_presentation(True, full_screen=False)
    QApplication.processEvents()
    shown = training_look(lab)
    assert not shown["settings shown"]  # the run alone: no settings, no saved runs
    assert shown["titles"] == ["18pt", "18pt"] and usual["titles"] == ["10pt", "10pt"]
    assert shown["ticks"] == [18.0] * 8
    for key in ("pens", "dots"):  # lines twice as wide, dots twice as large
        assert shown[key] == [2 * size for size in usual[key]], key  # type: ignore[attr-defined]
    assert shown["counts"] == 1.8 * usual["counts"]  # type: ignore[operator]
    for key in ("progress", "captions", "legend", "axis labels"):
        assert shown[key] != usual[key], key
    window.set_presentation(False)
    QApplication.processEvents()
    assert training_look(lab) == usual


# --------------------------------------------------------------------------------------------
# Closing the window mid-run
# --------------------------------------------------------------------------------------------


def test_closing_the_window_mid_run_asks_then_ends_the_trainer(
    window: AppWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = window.training_mode.lab
    assert lab.start_training()
    qtbot.waitUntil(lambda: lab.history.start is not None, timeout=20_000)
    pid = lab.trainer.process_id()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.show_mode("digits")  # the question comes whichever mode is shown
    window.close()
    assert len(asked) == 1 and "A network is training" in asked[0]
    assert window.isVisible() and lab.has_running_run()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.close()
    assert len(asked) == 1
    assert not window.isVisible()
    assert not lab.has_running_run()
    assert process_gone(pid)
    assert lab.history.end == STOPPED  # it was asked to stop (and save), not killed


def test_closing_without_a_run_asks_nothing(
    window: AppWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked == [] and not window.isVisible()


# --------------------------------------------------------------------------------------------
# Open in Digit Lab
# --------------------------------------------------------------------------------------------


def test_open_in_digit_lab_any_epoch_switches_to_the_digit_lab(
    window: AppWindow, runs_folder: Path
) -> None:
    folder = real_model_run(runs_folder)
    mode, lab = window.training_mode, window.training_mode.lab
    assert mode.model_opener is window.digit_lab_mode
    lab.refresh_runs()
    lab.runs.choose(folder)
    lab.runs.models.setCurrentIndex(lab.runs.models.findText("epoch 1"))
    assert mode.open_action.isEnabled()
    mode.open_action.trigger()
    assert window.shown_mode is window.digit_lab_mode
    model = window.digit_lab.model
    assert model is not None and model.path == folder / "epochs" / "epoch-001.onnx"
    window.show_mode("training")
    lab.runs.models.setCurrentIndex(0)  # the final model
    assert lab.runs.models.currentText().startswith("final model")
    lab.runs.open_button.click()  # the lab's own button goes the same way
    assert window.shown_mode is window.digit_lab_mode
    model = window.digit_lab.model
    assert model is not None and model.path == folder / "model.onnx"


def test_a_snapshot_the_digit_lab_refuses_leaves_its_model(
    window: AppWindow, runs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = real_model_run(runs_folder)  # its epoch 0 and 2 snapshots are not ONNX
    before = window.digit_lab.model
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert not window.training_mode.open_in_digit_lab(str(folder / "epochs" / "epoch-000.onnx"))
    assert window.shown_mode is window.digit_lab_mode  # where the refusal is said
    assert len(warnings) == 1 and "The lab keeps using" in warnings[0]
    assert window.digit_lab.model is before


def test_open_without_a_chosen_run_points_at_the_saved_runs(window: AppWindow) -> None:
    mode = window.training_mode
    assert mode.lab.tabs.currentIndex() == 0
    assert not mode.open_chosen_model()
    assert window.shown_mode is mode
    assert mode.lab.tabs.currentIndex() == 1  # Saved runs
    assert window.statusBar().currentMessage().startswith("Choose a saved run")


def test_a_window_without_a_digit_lab_says_no_mode_opens_models(
    qtbot: QtBot, runs_folder: Path
) -> None:
    folder = real_model_run(runs_folder)
    win = build_window(LaunchOptions(), (TrainingMode,))
    qtbot.addWidget(win)
    mode = win.training_mode
    assert mode.model_opener is None
    assert not mode.open_in_digit_lab(str(folder / "model.onnx"))
    assert win.statusBar().currentMessage() == "No mode of this window can open a model."
    close(win)


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def test_settings_remember_the_preset_images_and_panel_sizes(qtbot: QtBot) -> None:
    first = build_window(LaunchOptions(tab="training"))
    qtbot.addWidget(first)
    first.resize(1280, 800)
    first.show()
    qtbot.waitExposed(first)
    lab = first.training_mode.lab
    lab.form.set_preset("dense-relu")
    lab.form.train_size.setValue(5000)
    lab.columns.setSizes([500, 700])
    wanted = lab.columns.sizes()
    close(first)
    assert app_settings().value(PRESET_KEY) == "dense-relu"
    second = build_window(LaunchOptions())
    qtbot.addWidget(second)
    second.resize(1280, 800)
    second.show()
    qtbot.waitExposed(second)
    assert second.shown_mode is second.training_mode
    form = second.training_mode.lab.form
    assert (form.architecture(), form.train_images()) == ("dense-relu", 5000)
    second.training_mode.restore_settings(app_settings())  # at the first window's size
    assert second.training_mode.lab.columns.sizes() == wanted
    close(second)


@pytest.mark.parametrize(("preset", "images"), [("resnet", "5e3"), ("", "-1"), ("x" * 500, "")])
def test_damaged_training_settings_keep_the_defaults(qtbot: QtBot, preset, images) -> None:
    settings = app_settings()
    settings.setValue(PRESET_KEY, preset)
    settings.setValue(TRAIN_IMAGES_KEY, images)
    settings.setValue("window/mode", "training")
    settings.sync()
    win = build_window(LaunchOptions())
    qtbot.addWidget(win)
    form = win.training_mode.lab.form
    assert (form.architecture(), form.train_images()) == ("lecture", 60_000)
    close(win)


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------


def test_launching_the_window_on_the_training_tab_does_not_load_tensorflow() -> None:
    program = (
        "import sys; from gui.app import make_application, build_window, LaunchOptions; "
        "app = make_application(); window = build_window(LaunchOptions(tab='training')); "
        "window.show(); app.processEvents(); window.show_mode('digits'); app.processEvents(); "
        "print(window.shown_mode.description.name, "
        "sorted(m for m in ('tensorflow', 'keras', 'tf2onnx') if m in sys.modules)); "
        "window.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "digits []"
