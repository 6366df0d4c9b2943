"""Input preprocessing as a visible, editable part of a model: ranges, ink, mean/std, where the
choice comes from (command line, remembered, metadata, the samples), and pictures fitted to
any model's input."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

from engine import OnnxModel
from engine.drawings.image_files import load_picture
from engine.drawings.picture_fit import LUMA, crop_box, fit_picture
from engine.drawings.samples import load_samples
from engine.network.input_choice import choose_input, from_metadata
from engine.network.input_detection import (
    CANDIDATES,
    CandidateResult,
    detect_preprocessing,
    ranked,
)
from engine.network.preprocessing import (
    IMAGENET_STANDARD,
    MNIST_STANDARD,
    PLUS_MINUS_ONE,
    ZERO_255,
    ZERO_ONE,
    Preprocessing,
    custom,
    named_range,
    parse_values,
)
from engine.network.remembered_inputs import FILE_NAME, RememberedInputs, data_folder
from tests import onnx_builders as build

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def samples():
    return load_samples()


# ----- preprocessing ------------------------------------------------------------------------
def test_each_range_maps_paper_and_ink_to_its_ends() -> None:
    picture = np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)
    np.testing.assert_array_equal(ZERO_ONE.apply(picture), picture)
    np.testing.assert_allclose(ZERO_255.apply(picture), picture * 255, rtol=1e-6)
    np.testing.assert_allclose(PLUS_MINUS_ONE.apply(picture), picture * 2 - 1)
    np.testing.assert_allclose(
        MNIST_STANDARD.apply(picture), (picture - 0.1307) / 0.3081, rtol=1e-6
    )
    np.testing.assert_allclose(ZERO_ONE.with_inverted(True).apply(picture), 1 - picture)
    np.testing.assert_allclose(
        PLUS_MINUS_ONE.with_inverted(True).apply(picture), (1 - picture) * 2 - 1
    )


def test_mean_and_std_per_channel() -> None:
    rgb = np.random.default_rng(0).random((4, 5, 3)).astype(np.float32)
    expected = (rgb - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(IMAGENET_STANDARD.apply(rgb), expected, rtol=1e-5, atol=1e-6)
    assert not IMAGENET_STANDARD.fits(1) and IMAGENET_STANDARD.fits(3)
    with pytest.raises(ValueError, match="3 values per channel but the picture has 1"):
        IMAGENET_STANDARD.apply(rgb[:, :, :1])
    assert custom((0.5,), (0.5,)) == PLUS_MINUS_ONE  # a named range is recognised
    assert custom((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)) == IMAGENET_STANDARD
    odd = custom((0.2,), (0.7,), inverted=True)
    assert odd.range_text == "mean 0.2, std 0.7" and odd.inverted
    assert odd.text(True) == "mean 0.2, std 0.7, black ink on white"


@pytest.mark.parametrize(
    ("mean", "std", "message"),
    [((0.5,), (0.0,), "std must be positive"), ((0.5, 0.5), (1.0,), "same number"),
     ((float("nan"),), (1.0,), "finite")],
)  # fmt: skip
def test_bad_mean_or_std_is_refused(mean, std, message) -> None:
    with pytest.raises(ValueError, match=message):
        Preprocessing("mean/std", mean, std)


def test_ranges_and_values_from_text() -> None:
    assert named_range("-1..1") is PLUS_MINUS_ONE
    assert named_range("−1..1") is PLUS_MINUS_ONE
    assert named_range(" 0..255 ") is ZERO_255
    with pytest.raises(ValueError, match=r"unknown input range '0\.\.2'"):
        named_range("0..2")
    assert parse_values("0.485, 0.456 0.406", "--mean") == (0.485, 0.456, 0.406)
    with pytest.raises(ValueError, match="--std must be numbers"):
        parse_values("half", "--std")
    with pytest.raises(ValueError, match="one number or three"):
        parse_values("1,2", "--mean")


def test_metadata_says_the_range() -> None:
    assert from_metadata({"input_range": "-1..1"}) == PLUS_MINUS_ONE
    assert from_metadata({"input_range": "0..1", "input_ink": "black on white"}) == (
        ZERO_ONE.with_inverted(True)
    )
    assert from_metadata({"input_mean": "0.1307", "input_std": "0.3081"}) == MNIST_STANDARD
    shipped = OnnxModel().metadata  # our own files describe their input in words
    assert from_metadata(shipped) == ZERO_ONE
    assert from_metadata({"input_description": "uint8 0..255, ink = 0"}) == (
        ZERO_255.with_inverted(True)
    )
    assert from_metadata({"input_description": "a digit"}) is None
    assert from_metadata({"input_range": "0..7"}) is None  # nonsense is not trusted
    assert from_metadata({}) is None


# ----- finding it on the samples --------------------------------------------------------------
def test_ties_are_said_and_the_usual_range_is_used() -> None:
    def result(p: Preprocessing, correct: int, confidence: float) -> CandidateResult:
        return CandidateResult(p, correct, 100, confidence)

    scaled = ranked([
        result(ZERO_ONE, 47, 0.44), result(PLUS_MINUS_ONE, 100, 1.0),
        result(MNIST_STANDARD, 99, 1.0), result(ZERO_255, 100, 1.0),
        result(ZERO_ONE.with_inverted(True), 15, 0.15),
    ])  # fmt: skip
    assert scaled.best.preprocessing == PLUS_MINUS_ONE  # the first in the usual order
    assert [r.preprocessing for r in scaled.ties] == [MNIST_STANDARD, ZERO_255]
    assert "cannot tell them apart" in scaled.text
    assert "next best 0..1, white ink on black: 47 of 100" in scaled.text
    blurred = ranked([result(ZERO_ONE, 100, 0.88), result(MNIST_STANDARD, 100, 1.0)])
    assert blurred.best.preprocessing == MNIST_STANDARD and not blurred.ties
    clear = ranked([result(ZERO_255, 98, 0.97), result(ZERO_ONE, 12, 0.13)])
    assert clear.text == (
        "0..255, white ink on black: 98 of 100 samples right; next best 0..1, white ink on "
        "black: 12 of 100"
    )
    assert clear.sure and not clear.doubtful


def test_a_model_that_fits_no_range_gets_a_warning(tmp_path: Path, samples) -> None:
    model = OnnxModel(build.save(build.classifier(size=28, classes=10), tmp_path / "r.onnx"))
    choice = choose_input(model, samples=samples)
    assert choice.source == "detected" and choice.detection is not None
    assert choice.detection.doubtful
    assert choice.warning is not None and "cannot be trusted" in choice.warning
    assert len(choice.detection.results) == len(CANDIDATES)


def test_detection_is_only_for_digit_models(tmp_path: Path, samples) -> None:
    colour = OnnxModel(build.save(build.image_classifier(), tmp_path / "c.onnx"))
    with pytest.raises(ValueError, match="not a digit model"):
        detect_preprocessing(colour, samples.images, samples.labels)
    choice = choose_input(colour, samples=samples)
    assert (choice.source, choice.preprocessing, choice.digits) == ("assumed", ZERO_ONE, False)
    assert choice.text == "input 0..1 (assumed: the model file does not say)"


# ----- where the choice comes from ----------------------------------------------------------
def test_the_order_of_choices(tmp_path: Path, samples) -> None:
    path = build.save(
        build.with_input_adapter(build.pytorch_digits(), "-1..1"), tmp_path / "m.onnx"
    )
    model = OnnxModel(path)
    store = RememberedInputs(tmp_path / "inputs.json")
    found = choose_input(model, store=store, samples=samples)
    assert (found.source, found.preprocessing) == ("detected", PLUS_MINUS_ONE)
    assert choose_input(model, store=store).source == "assumed"  # no samples, no detection
    store.remember(model.sha256, preprocessing=ZERO_255, fit="letterbox")
    kept = choose_input(model, store=store, samples=samples)
    assert (kept.source, kept.preprocessing, kept.fit) == ("chosen", ZERO_255, "letterbox")
    given = choose_input(model, override=MNIST_STANDARD, store=store, samples=samples)
    assert (given.source, given.preprocessing) == ("command line", MNIST_STANDARD)
    with pytest.raises(ValueError, match="3 values but the model has 1 channels"):
        choose_input(model, override=IMAGENET_STANDARD)
    shipped = OnnxModel()
    assert choose_input(shipped, samples=samples).source == "metadata"


def test_choices_are_remembered_by_the_files_content(tmp_path: Path) -> None:
    path = build.save(build.classifier(size=28, classes=10), tmp_path / "a.onnx")
    copy = tmp_path / "renamed copy.onnx"
    shutil.copy(path, copy)
    store = RememberedInputs(tmp_path / "data" / FILE_NAME)
    first = OnnxModel(path)
    store.remember(first.sha256, preprocessing=MNIST_STANDARD.with_inverted(True))
    store.remember(first.sha256, fit="letterbox", labels=[str(i) for i in range(10)])
    again = store.get(OnnxModel(copy).sha256)
    assert again.preprocessing == MNIST_STANDARD.with_inverted(True)
    assert again.fit == "letterbox" and again.labels == tuple(str(i) for i in range(10))
    assert list((tmp_path / "data").iterdir()) == [store.path]  # no temporary file left
    other = build.save(build.classifier(size=28, classes=10, seed=4), tmp_path / "b.onnx")
    assert store.get(OnnxModel(other).sha256).preprocessing is None


@pytest.mark.parametrize(
    "content",
    ["not json", "[1, 2]", '{"models": 3}',
     '{"models": {"abc": {"preprocessing": {"name": "x", "mean": [0], "std": [0]}}}}'],
)  # fmt: skip
def test_a_damaged_remembered_file_is_ignored(tmp_path: Path, content: str) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(content, encoding="utf-8")
    store = RememberedInputs(path)
    assert store.get("abc").preprocessing is None
    store.remember("abc", preprocessing=ZERO_255)  # and replaced on the next save
    assert store.get("abc").preprocessing == ZERO_255
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_the_data_folder_is_the_test_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CNN_VISUALIZER_DATA_DIR", str(tmp_path))
    assert data_folder() == tmp_path
    assert RememberedInputs().path == tmp_path / FILE_NAME


# ----- pictures fitted to a model -----------------------------------------------------------
def halves(height: int, width: int) -> np.ndarray:
    """Red left half, blue right half."""
    picture = np.zeros((height, width, 3), np.float32)
    picture[:, : width // 2, 0] = 1.0
    picture[:, width // 2 :, 2] = 1.0
    return picture


def test_a_centre_crop_fills_the_input_and_cuts_the_longer_side() -> None:
    assert crop_box((100, 200), (32, 32)) == (50.0, 0.0, 150.0, 100.0)
    wide = halves(100, 200)
    fitted = fit_picture(wide, (32, 32, 3), "crop")
    assert fitted.shape == (32, 32, 3) and fitted.dtype == np.float32
    assert fitted[:, :14, 0].min() > 0.99 and fitted[:, 18:, 2].min() > 0.99
    assert fitted[:, :, 1].max() == 0.0


def test_a_letterbox_keeps_the_whole_picture_on_black() -> None:
    fitted = fit_picture(np.ones((50, 100, 3), np.float32), (32, 32, 3), "letterbox")
    assert fitted.shape == (32, 32, 3)
    assert fitted[:8].max() == 0.0 and fitted[-8:].max() == 0.0  # 16 rows of picture
    assert fitted[8:24].min() > 0.99


def test_gray_models_get_the_luminance() -> None:
    colour = np.zeros((10, 10, 3), np.float32)
    colour[..., 1] = 1.0  # green
    fitted = fit_picture(colour, (10, 10, 1), "crop")
    assert fitted.shape == (10, 10, 1)
    np.testing.assert_allclose(fitted, LUMA[1], rtol=1e-5)
    gray = fit_picture(np.full((20, 20), 0.25, np.float32), (8, 8, 3), "letterbox")
    np.testing.assert_allclose(gray, 0.25, rtol=1e-5)


def test_bad_pictures_and_fits_are_refused() -> None:
    with pytest.raises(ValueError, match="fit must be"):
        fit_picture(np.zeros((4, 4)), (8, 8, 3), "stretch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="picture must be"):
        fit_picture(np.zeros((4, 4, 2)), (8, 8, 3), "crop")
    with pytest.raises(ValueError, match="NaN"):
        fit_picture(np.full((4, 4), np.nan), (8, 8, 3), "crop")


def test_pictures_are_read_as_they_look(tmp_path: Path) -> None:
    rgba = np.zeros((6, 8, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:3, :, 3] = 255  # the top half is opaque red, the bottom half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "half.png")
    picture = load_picture(tmp_path / "half.png")
    assert picture.shape == (6, 8, 3) and picture.dtype == np.float32
    np.testing.assert_allclose(picture[:3].reshape(-1, 3), [[1.0, 0.0, 0.0]] * 24)
    np.testing.assert_allclose(picture[3:], 1.0)  # laid on white
    Image.fromarray(np.full((5, 5), 64, np.uint8)).save(tmp_path / "gray.png")
    np.testing.assert_allclose(load_picture(tmp_path / "gray.png"), 64 / 255, rtol=1e-6)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG nope")
    with pytest.raises(ValueError, match=r"broken\.png is not a readable image"):
        load_picture(tmp_path / "broken.png")
    with pytest.raises(ValueError, match="not found"):
        load_picture(tmp_path / "missing.png")
