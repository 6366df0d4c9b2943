"""One run, one answer: --classify and the digit lab give the same label and probability for the
same image file, both from ``run_model``'s one ONNX Runtime run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import OnnxModel, load_canvas, to_mnist
from engine.drawings.samples import load_samples
from engine.network.classify import classification_line, classify_file
from engine.network.lab_state import LabState
from engine.network.model_run import run_model
from engine.network.number_text import probability_column
from gui.digits.lab import DigitLab

ROOT = Path(__file__).resolve().parent.parent


def picture(path: Path, label: int, index: int, *, dark_ink: bool) -> Path:
    """A photo-like file of an MNIST test digit: scaled up, off-centre, on gray paper."""
    digit = load_samples().of_class(label)[index]
    big = np.pad(np.kron(digit, np.ones((7, 7), dtype=np.float32)), ((30, 10), (5, 45)))
    shades = 1.0 - big if dark_ink else big
    Image.fromarray(np.rint(30 + shades * 200).astype(np.uint8)).convert("RGB").save(path)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("digits")
    return [
        picture(folder / f"digit{label}_{index}.{'png' if index else 'jpg'}", label, index,
                dark_ink=label % 2 == 0)
        for label in (0, 3, 5, 9) for index in (0, 1)
    ]  # fmt: skip


def classify_lines(paths: list[Path], tmp_path: Path) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CNN_VISUALIZER_SETTINGS_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--classify", *map(str, paths)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_classify_and_the_lab_print_the_same_answer(qtbot, files, tmp_path: Path) -> None:
    lines = classify_lines(files, tmp_path)
    lab = DigitLab()
    qtbot.addWidget(lab)
    try:
        for path, line in zip(files, lines, strict=True):
            assert lab.open_image(str(path))
            # the lab's input is the file as --classify reads it, not the picture redrawn
            np.testing.assert_array_equal(lab.prepared_image, to_mnist(load_canvas(path)))
            prediction = lab.prediction
            assert prediction is not None
            label, probability = prediction
            assert line == f"{path}\t{label}\t{probability_column(probability)}"  # same text
            assert lab.prediction_panel.answer.text() == label
            state = lab.state
            assert state.run is not None
            np.testing.assert_array_equal(state.run.probabilities, state.run.activations[-1].array)
            np.testing.assert_array_equal(
                lab.prediction_panel.chart.values, state.run.probabilities
            )
    finally:
        lab.undo_stack.clear()
        lab.close()
        lab.deleteLater()


def test_classify_file_and_the_lab_state_are_one_engine_call(files, monkeypatch) -> None:
    model = OnnxModel()
    state = LabState.start().with_model(model)
    runs: list[int] = []
    forward = model.forward
    monkeypatch.setattr(model, "forward", lambda image: runs.append(1) or forward(image))
    for path in files:
        from_file = classify_file(model, path)
        from_lab = state.with_canvas(load_canvas(path)).prediction
        assert from_lab == from_file  # label, index and probability, bit for bit
        assert classification_line(path, from_file) == f"{path}\t{from_lab.label}\t" + (
            probability_column(from_lab.probability)
        )
    assert len(runs) == 2 * len(files)  # one run each


def test_run_model_reads_the_answer_from_its_own_activations(files) -> None:
    model = OnnxModel()
    image = to_mnist(load_canvas(files[0]))
    run = run_model(model, image)
    assert [a.name for a in run.activations] == [info.name for info in model.layers()]
    np.testing.assert_array_equal(run.probabilities, run.activations[-1].array)
    assert not run.probabilities.flags.writeable
    assert run.prediction.index == int(np.argmax(run.probabilities))
    assert run.prediction.label == model.class_labels[run.prediction.index]
    assert run.value("pool2") is run.activations[5].array
    np.testing.assert_allclose(run.probabilities, model.predict(image), atol=1e-6)
