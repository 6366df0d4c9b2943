"""Every kind of image classifier a student brings: the API, --classify, --summary and the lab
agree on each, and digit models recover their accuracy with the preprocessing the app finds.

The models are built with the ``onnx`` package (tests/onnx_builders.py) from the shipped
model's weights (digit models) or small random weights (colour models), and quantized with
``onnxruntime.quantization``. Each kind is one row of ``KINDS``: how it is built and what the
app must find in it (output kind, preprocessing, parameter count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

import main
from engine import OnnxModel
from engine.drawings.samples import load_samples
from engine.network.classify import classification_line, classify_file, model_picture
from engine.network.input_choice import choose_input
from engine.network.input_detection import detect_preprocessing, is_digit_model
from engine.network.model_run import run_model
from engine.network.summary import summary_text
from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.lab import DigitLab
from tests import onnx_builders as build

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import onnx

SHIPPED_PARAMS = 421_642  # the shipped model's stored values, whatever the file's form


@dataclass(frozen=True)
class Kind:
    """A kind of model file: how to build it and what the app must find in it."""

    build: Callable[[], onnx.ModelProto]
    output: str  # the output kind the app reads from the values
    params: int  # the total of stored values
    range_name: str | None = None  # the preprocessing found (None: not a digit model)
    inverted: bool = False
    source: str = "detected"


def torch() -> onnx.ModelProto:
    return build.pytorch_digits()


KINDS: dict[str, Kind] = {
    "keras-shipped": Kind(
        build.shipped, "probabilities", SHIPPED_PARAMS, "0..1", source="metadata"
    ),
    "pytorch-nchw": Kind(torch, "probabilities", SHIPPED_PARAMS, "0..1"),
    "nodes-reversed": Kind(
        lambda: build.reversed_nodes(build.shipped()), "probabilities", SHIPPED_PARAMS, "0..1",
        source="metadata",
    ),
    "rescaling-0..255": Kind(
        lambda: build.with_input_adapter(torch(), "0..255"), "probabilities",
        SHIPPED_PARAMS + 1, "0..255",
    ),
    "normalize-0.5": Kind(
        lambda: build.with_input_adapter(torch(), "-1..1"), "probabilities",
        SHIPPED_PARAMS + 2, "−1..1",
    ),
    "black-on-white": Kind(
        lambda: build.with_input_adapter(torch(), "inverted"), "probabilities",
        SHIPPED_PARAMS + 1, "0..1", inverted=True,
    ),
    "sub-div-in-graph": Kind(
        lambda: build.with_input_adapter(torch(), "normalised-in-graph"), "probabilities",
        SHIPPED_PARAMS + 4, "0..1",
    ),
    "sigmoid-head": Kind(lambda: build.with_head(torch(), "sigmoid"), "independent",
                         SHIPPED_PARAMS, "0..1"),
    "hand-written-softmax": Kind(lambda: build.with_head(torch(), "handwritten"),
                                 "probabilities", SHIPPED_PARAMS, "0..1"),
    "log-softmax": Kind(lambda: build.with_head(torch(), "logsoftmax"), "log-probabilities",
                        SHIPPED_PARAMS, "0..1"),
    "logits": Kind(lambda: build.with_head(torch(), "logits"), "logits", SHIPPED_PARAMS, "0..1"),
    "training-dropout": Kind(lambda: build.with_training_dropout(torch()), "probabilities",
                             SHIPPED_PARAMS, "0..1"),
    "batch-norm": Kind(lambda: build.with_identity_batch_norm(torch()), "probabilities",
                       SHIPPED_PARAMS + 4 * 32, "0..1"),
    "fixed-batch-1": Kind(lambda: build.with_fixed_batch(torch()), "probabilities",
                          SHIPPED_PARAMS, "0..1"),
    "cntk-like": Kind(build.cntk_like_digits, "logits", 50_186),
    "rgb-32": Kind(lambda: build.image_classifier(labels=[f"class {i}" for i in range(10)]),
                   "probabilities", 5_938, source="assumed"),
    "tiny-vgg-64": Kind(
        lambda: build.image_classifier(size=64, layout="NHWC", convs_per_block=2, filters=10),
        "probabilities", 28_620, source="assumed",
    ),
    **{
        f"opset-{opset}": Kind(lambda opset=opset: build.pytorch_digits(opset=opset),
                               "probabilities", SHIPPED_PARAMS, "0..1")
        for opset in (7, 10, 13, 17, 21)  # every opset from 7 to 21: test_every_opset
    },
}  # fmt: skip
QUANTIZED = {  # (source kind, quantization) → the preprocessing's source
    ("keras-shipped", "dynamic"): "metadata",
    ("keras-shipped", "qoperator"): "metadata",
    ("keras-shipped", "qdq"): "metadata",
    ("pytorch-nchw", "dynamic"): "detected",
    ("pytorch-nchw", "qoperator"): "detected",
    ("pytorch-nchw", "qdq"): "detected",
}
ALL = [*KINDS, *(f"{source}-{q}" for source, q in QUANTIZED)]


@pytest.fixture(scope="module")
def samples():
    return load_samples()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, samples) -> dict[str, Path]:
    """Every kind of model, written once."""
    folder = tmp_path_factory.mktemp("models")
    paths = {
        name: build.save(kind.build(), folder / f"{name}.onnx") for name, kind in KINDS.items()
    }
    calibration = np.stack([samples.first_of(d) for d in range(10)])
    for (source, how), _ in QUANTIZED.items():
        layout_nhwc = source == "keras-shipped"
        inputs = calibration[..., None] if layout_nhwc else calibration[:, None]
        paths[f"{source}-{how}"] = build.quantized(
            paths[source], how, folder / f"{source}-{how}.onnx", inputs
        )
    return paths


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory, samples) -> dict[str, list[Path]]:
    """Image files: two digits on paper, and two colour photos of other sizes."""
    folder = tmp_path_factory.mktemp("pictures")
    digits = []
    for label in (3, 7):
        ink = np.kron(samples.of_class(label)[1], np.ones((6, 6), np.float32))
        page = np.pad(1.0 - ink, ((30, 12), (8, 40)), constant_values=1.0)
        path = folder / f"digit{label}.png"
        Image.fromarray(np.rint(page * 255).astype(np.uint8)).save(path)
        digits.append(path)
    rng = np.random.default_rng(3)
    photos = []
    for i, (h, w) in enumerate(((90, 140), (200, 120))):
        coarse = rng.random((6, 6, 3))
        photo = np.asarray(
            Image.fromarray(np.uint8(coarse * 255)).resize((w, h), Image.Resampling.BILINEAR)
        )
        path = folder / f"photo{i}.jpg"
        Image.fromarray(photo).save(path, quality=95)
        photos.append(path)
    return {"digits": digits, "photos": photos}


def expectation(name: str) -> Kind:
    if name in KINDS:
        return KINDS[name]
    source, how = next((s, q) for s, q in QUANTIZED if name == f"{s}-{q}")
    base = KINDS[source]
    return Kind(
        base.build, base.output, base.params, base.range_name, source=QUANTIZED[source, how]
    )


# ----- the API ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_the_api_reads_each_kind(name: str, files, samples) -> None:
    kind = expectation(name)
    model = OnnxModel(files[name])
    assert model.output_kind == kind.output
    assert sum(info.params for info in model.layers()) == kind.params
    choice = choose_input(model, samples=samples)
    assert choice.source == kind.source
    if kind.range_name is not None:
        assert choice.preprocessing.name == kind.range_name
        assert choice.preprocessing.inverted == kind.inverted
    if is_digit_model(model) and kind.range_name is not None:
        # the digit models recover their accuracy with the preprocessing the app finds
        detection = detect_preprocessing(model, samples.images, samples.labels)
        assert detection.sure and detection.best.correct >= 90, detection.text
        rows = model.class_scores(choice.preprocessing.apply(samples.images))
        assert np.mean(rows.argmax(axis=1) == samples.labels) >= 0.9
    run = run_model(model, np.zeros(model.input_shape, np.float32) + 0.5, choice.preprocessing)
    assert [a.name for a in run.activations] == [info.name for info in model.layers()]
    assert all(np.isfinite(a.array).all() for a in run.activations)
    if kind.output in ("probabilities", "log-probabilities", "logits"):
        assert run.probabilities.sum() == pytest.approx(1.0, abs=2e-2)


@pytest.mark.parametrize("opset", range(7, 22))
def test_every_opset_from_7_to_21(opset: int, tmp_path: Path, samples) -> None:
    reference = OnnxModel(build.save(build.pytorch_digits(), tmp_path / "opset13.onnx"))
    model = OnnxModel(build.save(build.pytorch_digits(opset=opset), tmp_path / "model.onnx"))
    assert model.opset == opset
    assert [(i.name, i.op, i.params) for i in model.layers()] == [
        (i.name, i.op, i.params) for i in reference.layers()
    ]
    image = samples.first_of(opset % 10)
    expected = run_model(reference, image)
    run = run_model(model, image)
    assert run.prediction.label == expected.prediction.label == str(opset % 10)
    np.testing.assert_allclose(run.probabilities, expected.probabilities, atol=1e-6)


def test_quantized_layers_show_real_values(files, samples) -> None:
    float_model = OnnxModel(files["keras-shipped"])
    image = samples.first_of(4)
    reference = {a.name: a.array for a in run_model(float_model, image).activations}
    for how in ("dynamic", "qoperator", "qdq"):
        model = OnnxModel(files[f"keras-shipped-{how}"])
        assert model.quantized
        for activation in run_model(model, image).activations:
            if activation.name in ("conv1", "pool1", "pool2", "conv2 · relu"):
                expected = np.maximum(reference[activation.name], 0)  # a fused ReLU clips
                got = np.maximum(activation.array, 0)
                assert np.abs(got - expected).max() < 0.1 * np.abs(expected).max(), (
                    how,
                    activation,
                )
        kernel, bias = model.weights("conv1")
        float_kernel, float_bias = float_model.weights("conv1")
        assert np.abs(kernel - float_kernel).max() <= np.abs(float_kernel).max() / 127
        assert np.abs(bias - float_bias).max() < 1e-3


def test_training_mode_dropout_runs_for_inference(files, samples) -> None:
    dropped = OnnxModel(files["training-dropout"])
    plain = OnnxModel(files["pytorch-nchw"])
    assert any("training mode" in note for note in dropped.notes)
    image = samples.first_of(8)
    runs = [run_model(dropped, image).probabilities for _ in range(3)]
    for probabilities in runs:
        np.testing.assert_array_equal(probabilities, runs[0])
    np.testing.assert_allclose(runs[0], run_model(plain, image).probabilities, atol=1e-6)


def test_reversed_nodes_read_like_the_shipped_model(files, samples) -> None:
    shipped = OnnxModel(files["keras-shipped"])
    reversed_ = OnnxModel(files["nodes-reversed"])
    assert [(i.name, i.op, i.params) for i in reversed_.layers()] == [
        (i.name, i.op, i.params) for i in shipped.layers()
    ]
    image = samples.first_of(2)
    np.testing.assert_array_equal(
        run_model(reversed_, image).probabilities, run_model(shipped, image).probabilities
    )


def test_weights_through_reshape_and_add_count_like_cntk(files) -> None:
    model = OnnxModel(files["cntk-like"])
    layers = {info.name: info for info in model.layers()}
    conv1 = next(info for info in layers.values() if info.op == "Conv+Add")
    assert conv1.params == 32 * 9 + 32  # the bias added by a separate Add counts
    kernel, bias = model.weights(conv1.name)
    assert kernel.shape == (3, 3, 1, 32) and bias.shape == (32,)
    dense = next(info for info in layers.values() if info.op == "MatMul+Add")
    assert dense.params == 3136 * 10 + 10  # the matrix stored (64, 7, 7, 10), reshaped


# ----- the command line ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_classify_and_summary_agree_with_the_api(name: str, files, samples, pictures, capsys):
    model = OnnxModel(files[name])
    choice = choose_input(model, samples=samples)
    images = pictures["digits" if is_digit_model(model) else "photos"]
    assert main.main(["--model", str(files[name]), "--classify", *map(str, images)]) == 0
    out, err = capsys.readouterr()
    expected = [
        classification_line(path, run_model(model, model_picture(model, path, choice),
                                            choice.preprocessing).prediction)
        for path in images
    ]  # fmt: skip
    assert out.splitlines() == expected
    assert [classification_line(p, classify_file(model, p, choice)) for p in images] == expected
    assert choice.text in err  # what was chosen and how sure, on stderr
    assert main.main(["--model", str(files[name]), "--summary"]) == 0
    summary = capsys.readouterr().out
    assert summary.strip() == summary_text(model, choice).strip()
    for info in model.layers():
        assert f"{info.name} ({info.op})" in summary
    assert f"Total params: {expectation(name).params:,}" in summary


# ----- the lab ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_the_lab_shows_every_layer_and_the_same_answer(name: str, files, pictures, qtbot):
    lab = DigitLab(str(files[name]))
    qtbot.addWidget(lab)
    try:
        model = lab.model
        assert model is not None, lab.problem.text.text()
        state = lab.state
        assert state.model is not None
        if is_digit_model(model):
            assert lab.source.currentWidget() is lab.draw
            assert lab.open_image(str(pictures["digits"][0]))
        else:
            assert lab.source.currentWidget() is lab.picture
            assert lab.open_image(str(pictures["photos"][0]))
        state = lab.state
        run = state.run
        assert run is not None
        choice = state.model.choice  # type: ignore[union-attr]
        picture = model_picture(model, pictures["digits" if choice.digits else "photos"][0], choice)
        np.testing.assert_array_equal(state.image.reshape(picture.shape), picture)
        api = run_model(model, picture, choice.preprocessing)
        assert lab.prediction == (api.prediction.label, api.prediction.probability)
        assert list(lab.network.rows) == [info.name for info in model.layers()]
        for activation in api.activations:
            picture_view = lab.network.picture(activation.name)
            if isinstance(picture_view, FeatureMosaic):
                assert picture_view.count == activation.array.shape[2]
            else:
                np.testing.assert_allclose(
                    picture_view.values, activation.array.reshape(-1), rtol=1e-6, atol=1e-7
                )
        np.testing.assert_array_equal(lab.prediction_panel.chart.values, api.probabilities)
        assert lab.summary_text() == summary_text(model, choice)
    finally:
        lab.undo_stack.clear()
        lab.close()
        lab.deleteLater()
