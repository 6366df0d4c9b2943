"""The shipped modes in one window: the bridge from the digit lab to the playground, Undo/Redo
that follows the shown mode, the model in the status bar, and the command line's digit-lab
options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from gui.app import LaunchOptions, build_window

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def window(qtbot):
    win = build_window(LaunchOptions(tab="digits"))
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.player.pause()
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()


def test_animate_a_learned_filter_in_the_playground(window) -> None:
    lab = window.digit_lab
    assert lab.load_sample(3)
    assert window.shown_mode is window.mode("digits")
    assert window.tabs.currentWidget() is window.page(window.digit_lab_mode)
    assert window.page_widget(window.digit_lab_mode) is lab
    lab.animateFilterRequested.emit("conv1", 4)
    assert window.shown_mode is window.mode("playground")
    assert window.tabs.currentWidget() is window.page(window.playground_mode)
    assert window.page_widget(window.playground_mode) is window.playground
    state = window.playground.state
    assert state.replay is not None and state.replay.filter_index == 4
    np.testing.assert_allclose(state.spec.input[:, :, 0], lab.prepared_image)
    np.testing.assert_allclose(
        state.spec.filters[:, :, 0, 0], lab.model.weights("conv1").kernel[:, :, 0, 4]
    )
    ort = next(a for a in lab.model.activations(lab.prepared_image) if a.name == "conv1")
    np.testing.assert_allclose(state.result.feature_maps[:, :, 0], ort.array[:, :, 4], atol=1e-4)
    header = window.playground.header
    assert header.comparison.isVisibleTo(window)
    assert "the same as ONNX Runtime's conv1 output" in header.comparison.text()
    assert "conv1, filter 5" in header.title.text()
    # The status bar keeps the playground's comparison, not the hidden lab's message.
    assert "the same as ONNX Runtime's conv1 output" in window.statusBar().currentMessage()
    window.end_action.trigger()  # stepping works on the learned filter too
    assert state.at_end


def test_undo_follows_the_mode_on_show(window) -> None:
    lab = window.digit_lab
    lab.load_sample(7)
    assert lab.prediction is not None and lab.prediction[0] == "7"
    window.undo_action.trigger()  # the digit lab's last change
    assert lab.prediction is None
    window.redo_action.trigger()
    assert lab.prediction[0] == "7"
    window.show_mode("playground")
    state = window.playground.state
    state.edit("bias", lambda s: s.with_bias(0, 5.0))
    window.undo_action.trigger()  # now the playground's
    assert state.spec.biases[0] == 0
    assert lab.prediction[0] == "7"  # the drawing is untouched


def test_status_bar_names_the_model_and_a_bad_model_keeps_it(
    window, tmp_path: Path, monkeypatch
) -> None:
    assert "MNIST CNN" in window.mode_status.text()
    assert "99.46 %" in window.mode_status.text()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(os.urandom(2000))
    model = window.digit_lab.model
    assert not window.digit_lab_mode.open_model(str(bad))
    assert shown and "broken.onnx" in shown[0]
    assert window.digit_lab.model is model
    assert "MNIST CNN" in window.mode_status.text()


def test_open_image_goes_to_the_mode_on_show(window, tmp_path: Path) -> None:
    from engine.drawings.samples import load_samples

    digit = (load_samples().first_of(2) * 255).astype(np.uint8)
    path = tmp_path / "two.png"
    Image.fromarray(255 - digit).resize((140, 140)).save(path)
    assert window.open_image(str(path))
    assert window.digit_lab.prediction[0] == "2"
    window.show_mode("playground")
    assert window.open_image(str(path))
    assert window.playground.state.spec.input.shape == (28, 28, 1)


def test_digit_lab_screenshot_from_the_command_line(tmp_path: Path) -> None:
    from engine.drawings.samples import load_samples

    digit = (load_samples().first_of(5) * 255).astype(np.uint8)
    image = tmp_path / "five.png"
    Image.fromarray(digit).resize((200, 200)).save(image)  # light ink on dark
    shot = tmp_path / "lab.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CNN_VISUALIZER_SETTINGS_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--tab", "digits", "--image", str(image),
         "--screenshot", str(shot)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as picture:
        assert picture.size == (1280, 800)
    bad = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--model", str(image)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "five.png" in bad.stderr


def test_menu_actions_open_files_through_their_dialogs(window, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from engine.drawings.samples import load_samples

    digit = (load_samples().first_of(4) * 255).astype(np.uint8)
    path = tmp_path / "four.png"
    Image.fromarray(digit).resize((112, 112)).save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(path), ""))
    window.open_image_action.trigger()  # on the digit lab tab
    assert window.digit_lab.prediction is not None and window.digit_lab.prediction[0] == "4"
    window.show_mode("playground")
    window.open_image_action.trigger()
    assert window.playground.state.spec.input.shape == (28, 28, 1)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: ("", ""))
    spec = window.playground.state.spec
    window.open_image_action.trigger()  # cancelled: nothing changes
    assert window.playground.state.spec is spec
