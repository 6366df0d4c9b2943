"""The digit lab's state, driven directly (no widgets): drawings in, answers and hovers out."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pytest

from engine import ModelError, OnnxModel, PixelRect, softmax, to_mnist
from engine.drawings.samples import load_samples
from engine.network import lab_state
from engine.network.lab_state import LabModel, LabState
from engine.network.model_run import run_model
from engine.network.number_text import percent_text, value_text
from engine.network.preprocessing import IMAGENET_STANDARD, ZERO_255
from tests import onnx_builders as build

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def samples():
    return load_samples()


@pytest.fixture(scope="module")
def ready(samples) -> LabState:
    """The lab with the shipped model, nothing drawn."""
    images = [samples.first_of(label) for label in range(10)]
    return LabState.start(images).with_model_file(None)


def big(digit: np.ndarray, factor: int = 10) -> np.ndarray:
    """A 28×28 digit drawn on a large canvas, as the lab's canvas holds it."""
    return np.pad(np.kron(digit, np.ones((factor, factor), dtype=np.float32)), 20)


def one() -> np.ndarray:
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[40:240, 128:150] = 1.0
    return canvas


def tiny_model(tmp_path: Path, name: str = "tiny.onnx", **options) -> OnnxModel:
    proto = build.classifier(size=28, filters=4, classes=10, **options)
    return OnnxModel(build.save(proto, tmp_path / name))


# ----- drawings -> answers ------------------------------------------------------------------
def test_an_empty_canvas_gives_no_prediction(ready: LabState) -> None:
    state = ready.with_canvas(np.zeros((280, 280), dtype=np.float32))
    assert state.empty
    assert state.prediction is None
    assert state.run is None and state.answer is None and state.problem is None
    assert state.image.shape == (28, 28) and state.image.dtype == np.float32
    assert not state.image.any()
    assert not state.image.flags.writeable


def test_a_drawn_one_is_a_one(ready: LabState) -> None:
    state = ready.with_canvas(one())
    prediction = state.prediction
    assert prediction is not None
    assert prediction.label == "1"
    assert state.run is not None
    probabilities = state.run.probabilities
    assert probabilities.shape == (10,)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert prediction.probability == float(probabilities.max())
    assert prediction.index == int(np.argmax(probabilities))
    second = prediction.runner_up
    assert second is not None
    assert second.probability == float(np.sort(probabilities)[-2])
    assert state.answer is not None
    assert state.answer.answer == "1"
    assert state.answer.detail.startswith("probability ")
    assert len(state.answer.bar_labels) == 10


@pytest.mark.parametrize("label", range(10))
def test_sample_digits_get_their_labels(ready: LabState, samples, label: int) -> None:
    for index in range(3):
        state = ready.with_canvas(big(samples.of_class(label)[index]))
        assert state.prediction is not None
        assert state.prediction.label == str(label), index


def test_probabilities_are_the_last_activation_of_the_same_run(ready: LabState) -> None:
    state = ready.with_canvas(one())
    run = state.run
    assert run is not None
    last = run.activations[-1]
    assert last.op == "Softmax"  # the shipped model ends in its probabilities
    np.testing.assert_array_equal(run.probabilities, last.array)
    assert [a.name for a in run.activations] == list(ready.model.layers)  # type: ignore[union-attr]
    assert all(not a.array.flags.writeable for a in run.activations)


def test_one_update_is_one_preparation_and_one_run(ready: LabState, monkeypatch) -> None:
    model = ready.model.model  # type: ignore[union-attr]
    runs, preparations = [], []
    forward, to_mnist = model.forward, lab_state.to_mnist
    monkeypatch.setattr(model, "forward", lambda image: runs.append(1) or forward(image))
    monkeypatch.setattr(
        lab_state, "to_mnist", lambda canvas: preparations.append(1) or to_mnist(canvas)
    )
    state = ready.with_canvas(one())
    assert state.prediction is not None
    assert (len(preparations), len(runs)) == (1, 1)


def test_a_model_ending_in_scores_gets_probabilities(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, softmax=False)
    state = LabState.start().with_model(model).with_canvas(one())
    run = state.run
    assert run is not None
    assert run.activations[-1].op != "Softmax"
    np.testing.assert_allclose(run.probabilities, softmax(run.activations[-1].array), atol=1e-6)
    np.testing.assert_allclose(run.probabilities, model.predict(state.image), atol=1e-6)


def test_states_are_immutable_snapshots(ready: LabState) -> None:
    drawn = ready.with_canvas(one())
    assert drawn is not ready
    assert ready.empty and ready.prediction is None  # the old snapshot did not change
    cleared = drawn.with_canvas(np.zeros((50, 50), dtype=np.float32))
    assert drawn.prediction is not None and cleared.prediction is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        drawn.image = cleared.image  # type: ignore[misc]


def test_with_image_takes_a_prepared_input(ready: LabState, samples) -> None:
    digit = samples.first_of(6)
    state = ready.with_image(digit)
    np.testing.assert_array_equal(state.image, digit)
    assert state.prediction is not None and state.prediction.label == "6"
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        ready.with_image(np.zeros((20, 20)))
    with pytest.raises(ValueError, match="2-D"):
        ready.with_canvas(np.zeros((3, 4, 5)))


# ----- hovering ---------------------------------------------------------------------------
def test_hovering_a_first_layer_cell(ready: LabState) -> None:
    state = ready.with_canvas(one()).with_hover("conv1", 0, 10, 12)
    hover = state.hover
    assert hover is not None
    assert hover.field == PixelRect(9, 12, 11, 14)  # 3×3 kernel, stride 1, padding 1
    value = state.run.value("conv1")[10, 12, 0]  # type: ignore[union-attr]
    assert hover.text.plain == (
        f"conv1, map 1 of 32, row 11, column 13: {value_text(float(value))}\n"
        "It depends only on input rows 10–12, columns 12–14 (3×3 pixels, outlined)."
    )
    assert [run.text for run in hover.text.lines[0] if run.strong] == [
        "conv1",
        value_text(float(value)),
    ]


def test_hovering_deeper_cells_widens_the_field(ready: LabState) -> None:
    state = ready.with_canvas(one())
    model = state.model.model  # type: ignore[union-attr]
    conv2 = state.with_hover("conv2", 5, 7, 7).hover
    assert conv2 is not None
    assert conv2.field == model.receptive_field("conv2", 7, 7) == PixelRect(11, 19, 11, 19)
    assert "map 6 of 64" in conv2.text.plain
    assert "(8×8 pixels, outlined)" in conv2.text.plain


def test_hovering_units_and_classes(ready: LabState) -> None:
    state = ready.with_canvas(one())
    unit = state.with_hover("dense1", 5).hover
    assert unit is not None
    assert unit.field == PixelRect(0, 28, 0, 28)
    value = float(state.run.value("dense1")[5])  # type: ignore[union-attr]
    assert unit.text.plain == (
        f"dense1, unit 6 of 128: {value_text(value)}\nIt depends on every input pixel."
    )
    score = float(state.run.value("probabilities")[7])  # type: ignore[union-attr]
    scores = state.with_hover("probabilities", 7).hover  # logits, never shown as percentages
    assert scores is not None
    assert scores.text.plain.startswith(f"probabilities, score of class 7: {value_text(score)}\n")
    probability = state.with_hover("probabilities · softmax", 1).hover
    assert probability is not None
    assert probability.text.plain.startswith("probabilities · softmax, class 1: ")
    shown = float(state.run.probabilities[1])  # type: ignore[union-attr]
    assert shown < 1.0  # nearly sure, not sure: never written as a plain "100 %"
    assert probability.text.plain.split(": ")[1].startswith(percent_text(shown) + "\n")
    assert percent_text(shown).startswith("≈ 99.9")


def test_the_hover_follows_the_drawing(ready: LabState, samples) -> None:
    hovered = ready.with_hover("conv2", 3, 6, 6)
    assert hovered.hover is not None
    assert ": —" in hovered.hover.text.plain  # nothing drawn: no value yet
    drawn = hovered.with_canvas(big(samples.first_of(8)))
    assert drawn.hover is not None
    assert drawn.hover.field == hovered.hover.field
    value = drawn.run.value("conv2")[6, 6, 3]  # type: ignore[union-attr]
    assert f": {value_text(float(value))}\n" in drawn.hover.text.plain
    assert drawn.without_hover().hover is None


def test_hovering_an_input_pixel(ready: LabState) -> None:
    state = ready.with_canvas(one())
    row, col = np.argwhere(state.image > 0.5)[0]
    hover = state.with_pixel_hover(int(row), int(col)).hover
    assert hover is not None
    assert hover.layer is None and hover.field is None
    value = value_text(float(state.image[row, col]))
    assert hover.text.plain == (
        f"Input pixel row {row + 1}, column {col + 1}: {value} (0 = paper, 1 = ink)"
    )


def test_bad_hovers_are_refused(ready: LabState) -> None:
    with pytest.raises(ValueError, match="the layers are: conv1"):
        ready.with_hover("conv9", 0, 0, 0)
    with pytest.raises(ValueError, match="no cell"):
        ready.with_hover("conv1", 0, 28, 0)
    with pytest.raises(ValueError, match="no cell"):
        ready.with_hover("conv1", 32, 0, 0)
    with pytest.raises(ValueError, match="128 units"):
        ready.with_hover("dense1", 128)
    with pytest.raises(ValueError, match="outside"):
        ready.with_pixel_hover(0, 28)
    with pytest.raises(ValueError, match="no model"):
        LabState.start().with_hover("conv1", 0, 0, 0)


# ----- what each layer is for ---------------------------------------------------------------
def test_layer_roles_come_from_the_structure(ready: LabState) -> None:
    model = ready.model
    assert model is not None
    pictures = {name: layer.picture for name, layer in model.layers.items()}
    assert [name for name, p in pictures.items() if p == "maps"] == [
        "conv1", "conv1 · relu", "pool1", "conv2", "conv2 · relu", "pool2",
    ]  # fmt: skip
    assert pictures["flatten"] == "strip"  # 3,136 values: too many bars
    assert pictures["dense1"] == "bars"
    answer = [name for name, layer in model.layers.items() if layer.class_labels]
    assert answer == ["probabilities", "probabilities · softmax"]
    filters = {name: layer.filter_of for name, layer in model.layers.items() if layer.filter_of}
    assert filters == {"conv1": "conv1", "conv1 · relu": "conv1"}
    assert model.first_conv == "conv1"
    assert model.layers["conv1"].input_shape == (28, 28, 1)
    assert model.layers["dense1"].input_shape == (3136,)
    assert model.layers["flatten"].units == 3136
    assert model.layers["probabilities · softmax"].value_range.levels == (0.0, 1.0)
    conv2 = model.layers["conv2"]
    assert conv2.title.plain == "conv2 — convolution (ONNX Conv) → 14×14×64"
    assert conv2.explanation == (
        "64 filters of 3×3×32 slide over the 14×14×32 input; each map shows where its filter's "
        "pattern is found (red: positive, blue: negative). 18,496 parameters."
    )
    assert model.summary == "MNIST CNN (slide 002) · input 28×28×1 · 99.46 % on MNIST test"


# ----- models -------------------------------------------------------------------------------
def test_a_new_model_is_used_with_the_drawing(ready: LabState, tmp_path: Path) -> None:
    drawn = ready.with_canvas(one()).with_hover("conv1", 0, 3, 3)
    tiny = tiny_model(tmp_path)
    swapped = drawn.with_model(tiny)
    assert swapped.model is not None and swapped.model.model is tiny
    assert swapped.hover is None  # the old model's layers are gone
    np.testing.assert_array_equal(swapped.image, drawn.image)  # the drawing stays
    assert swapped.run is not None
    expected = run_model(tiny, drawn.image)
    np.testing.assert_array_equal(swapped.run.probabilities, expected.probabilities)
    assert swapped.prediction == expected.prediction
    assert list(swapped.model.layers) == [info.name for info in tiny.layers()]
    assert drawn.model is ready.model  # the old snapshot keeps its model


def test_bad_model_files_leave_the_state_as_it_was(ready: LabState, tmp_path: Path) -> None:
    drawn = ready.with_canvas(one())
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ModelError, match=r"garbage\.onnx"):
        drawn.with_model_file(garbage)
    with pytest.raises(FileNotFoundError):
        drawn.with_model_file(tmp_path / "missing.onnx")
    with pytest.raises(ModelError, match=r"4×4×1 images.*from 8×8 to 256×256"):
        drawn.with_model_file(build.save(build.classifier(size=4), tmp_path / "tiny4.onnx"))
    assert drawn.model is ready.model
    assert drawn.prediction is not None and drawn.prediction.label == "1"


def test_a_model_that_fails_on_the_drawing_is_refused(tmp_path: Path, monkeypatch) -> None:
    good = LabState.start().with_model(tiny_model(tmp_path)).with_canvas(one())
    broken = tiny_model(tmp_path, "broken.onnx", seed=3)
    picky = tiny_model(tmp_path, "picky.onnx", seed=4)
    drawing = np.asarray(good.image, np.float32).reshape(-1)
    works = picky.forward

    def fail(image: object) -> None:
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION")

    def fail_on_the_drawing(image: np.ndarray) -> object:
        """Runs on the test pictures the model is checked on, fails on the drawing."""
        if np.array_equal(np.asarray(image, np.float32).reshape(-1), drawing):
            fail(image)
        return works(image)

    monkeypatch.setattr(broken, "forward", fail)
    monkeypatch.setattr(picky, "forward", fail_on_the_drawing)
    with pytest.raises(ModelError, match=r"broken\.onnx: the model failed on test pictures"):
        good.with_model(broken)
    with pytest.raises(ModelError, match=r"picky\.onnx: the model failed on the drawing"):
        good.with_model(picky)
    with pytest.raises(ModelError, match=r"broken\.onnx: the model failed on the sample digits"):
        LabModel.of(broken, [np.zeros((28, 28), np.float32)])
    assert good.model is not None and good.model.model is not broken
    assert good.model.model is not picky
    assert good.prediction is not None


def test_a_run_time_failure_is_a_problem_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    state = LabState.start().with_model(tiny_model(tmp_path))
    model = state.model.model  # type: ignore[union-attr]

    def fail(image: object) -> None:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(model, "forward", fail)
    failed = state.with_canvas(one())
    assert failed.prediction is None and failed.run is None
    assert failed.problem == "The model failed on this input: out of memory"
    np.testing.assert_array_equal(failed.image, to_mnist(one()))  # the input is still shown


def test_without_a_model_the_lab_still_prepares_drawings() -> None:
    state = LabState.start().with_canvas(one())
    assert state.model is None and state.prediction is None and state.problem is None
    assert state.image.any()


# ----- any image classifier, and its input preprocessing ------------------------------------
def test_an_image_model_takes_pictures_fitted_to_its_input(ready: LabState, tmp_path) -> None:
    colour = OnnxModel(build.save(build.image_classifier(size=16), tmp_path / "colour.onnx"))
    drawn = ready.with_canvas(one())
    state = drawn.with_model(colour)
    assert not state.digits and state.empty and state.run is None  # a drawing does not fit
    assert state.image.shape == (16, 16, 3)
    with pytest.raises(ValueError, match="takes pictures, not drawings"):
        state.with_canvas(one())
    picture = np.zeros((40, 80, 3), np.float32)
    picture[:, :, 1] = 1.0
    shown = state.with_picture(picture)
    assert shown.run is not None and shown.picture is not None
    np.testing.assert_allclose(shown.image[..., 1], 1.0)
    boxed = shown.with_fit("letterbox")
    assert boxed.model is not None and boxed.model.choice.fit == "letterbox"
    assert boxed.image[:4].max() == 0.0 and boxed.image[4:12, :, 1].min() > 0.99
    bigger = OnnxModel(build.save(build.image_classifier(size=32), tmp_path / "big.onnx"))
    moved = boxed.with_model(bigger)  # the picture goes with the lab to the new model
    assert moved.image.shape == (32, 32, 3) and moved.run is not None
    hover = moved.with_pixel_hover(0, 0).hover
    assert hover is not None and hover.text.plain.startswith("Input pixel row 1, column 1: R ")
    with pytest.raises(ValueError, match="like MNIST"):
        ready.with_picture(picture)
    back = moved.with_model(ready.model.model)  # type: ignore[union-attr]
    assert back.digits and back.image.shape == (28, 28) and back.empty


def test_another_preprocessing_runs_again_with_new_ranges(ready: LabState) -> None:
    drawn = ready.with_canvas(one())
    scaled = drawn.with_preprocessing(ZERO_255)
    assert scaled.model is not None and scaled.model.choice.source == "chosen"
    assert scaled.run is not None and drawn.run is not None
    np.testing.assert_allclose(scaled.run.model_input[..., 0], drawn.image * 255, rtol=1e-6)
    conv1 = scaled.run.value("conv1")
    assert not np.allclose(conv1, drawn.run.value("conv1"))
    old_range = drawn.model.layers["conv1"].value_range  # type: ignore[union-attr]
    new_range = scaled.model.layers["conv1"].value_range
    assert new_range.high > 10 * old_range.high  # measured again on the scaled samples
    row, col = (int(i) for i in np.argwhere(drawn.image > 0.5)[0])
    pixel = scaled.with_pixel_hover(row, col).hover
    assert pixel is not None
    given = value_text(float(scaled.run.model_input[row, col, 0]))
    assert pixel.text.plain.endswith(f"The model is given {given} (its preprocessing).")
    with pytest.raises(ValueError, match="3 values per channel"):
        drawn.with_preprocessing(IMAGENET_STANDARD)


def test_a_frozen_canvas_is_kept_as_it_is_anything_else_is_copied() -> None:
    from engine.network.lab_state import frozen_float32

    frozen = np.zeros((560, 560), dtype=np.float32)
    frozen.flags.writeable = False
    assert frozen_float32(frozen) is frozen  # given up by its caller: no copy per mouse move
    writable = np.zeros((4, 4), dtype=np.float32)
    kept = frozen_float32(writable)
    writable[0, 0] = 1.0
    assert kept[0, 0] == 0.0 and not kept.flags.writeable
    base = np.zeros((4, 4), dtype=np.float32)
    view = base[:2]
    view.flags.writeable = False  # read-only, but its owner can still change it
    kept = frozen_float32(view)
    base[0, 0] = 1.0
    assert kept is not view and kept[0, 0] == 0.0
    assert frozen_float32([[1, 2]]).dtype == np.float32
