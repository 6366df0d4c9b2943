"""Files from outside, read by the engine: each hostile kind refused in words, never a hang.

Issue 12, items 3, 7, 8 and 9: models, images, labels files and the remembered-inputs file
are read only when they are regular files within their caps (a FIFO or /dev/zero is refused
before a byte is read: each such read runs in a thread that must finish within a few
seconds), a model with NaN or infinite weights or outputs is refused naming the layer, a graph
of 10,000 nodes is refused within 5 s, and every message names the file and the problem. What
already held keeps holding: decompression bombs refused, truncated images refused, exotic
images read correctly, ONNX external data outside the model's folder refused.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper
from PIL import Image

from engine.drawings.image_files import MAX_IMAGE_BYTES, load_canvas, load_picture
from engine.network.contract import read_labels
from engine.network.file import MAX_NODES, ModelError
from engine.network.lab_model import MAX_LAYERS, LabModel
from engine.network.lab_state import LabState, load_lab_model
from engine.network.model import OnnxModel
from engine.network.model_run import run_model
from engine.network.remembered_inputs import RememberedInputs
from tests.hostile import hostile_files as hf
from tests.hostile.tally import tally
from tests.onnx_builders import FLOAT, finish, save

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

READ_LIMIT_S = 10
"""Seconds a refusal of a FIFO or /dev/zero may take in its thread (it takes milliseconds)."""


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a daemon thread; fail if it has not finished after ``seconds``.

    Returns its result, or the exception it raised (not re-raised).
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still reading after {seconds} s: the app would hang"
    return outcome[0]


# ----- models --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(hf.MODEL_KINDS))
def test_a_hostile_model_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, kind: str
) -> None:
    path, words = hf.MODEL_KINDS[kind](tmp_path)
    state = LabState.start()
    found = within(READ_LIMIT_S, lambda: state.with_model_file(path))
    assert isinstance(found, ModelError), found
    message = str(found)
    assert str(path) in message and words in message, message
    assert (
        "Traceback" not in message
        and "<_io." not in message
        and "[ONNXRuntimeError]" not in message
    )
    assert state.model is None  # the old state is untouched
    tally("model files (OnnxModel, load_lab_model)", f"model file: {kind}")


@pytest.fixture
def chain_10000(tmp_path: Path) -> Path:
    """A classifier with a chain of 10,000 Relu nodes (built before the test's 5 s start)."""
    return save(hf.chain(10_000), tmp_path / "chain.onnx")


@pytest.mark.timeout(5, func_only=True)
def test_a_model_of_10000_nodes_is_refused_within_5_s(chain_10000: Path) -> None:
    found = within(5, lambda: OnnxModel(chain_10000))
    assert isinstance(found, ModelError), found
    assert f"10,006 nodes; the app shows image classifiers of at most {MAX_NODES:,}" in str(found)
    tally("model files (OnnxModel, load_lab_model)", "model file: 10,000 nodes, within 5 s")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("op", ["Relu", "Add"])
def test_a_long_chain_within_the_limit_loads_with_unique_names(tmp_path: Path, op: str) -> None:
    """Every per-model pass is linear: 1,990 layers of one kind are read (naming 1,000 took 6 s).

    The file is within ``MAX_NODES``; the lab then refuses it for its number of layers.
    """
    path = save(hf.chain(MAX_NODES - 10, op), tmp_path / f"chain-{op}.onnx")
    model = OnnxModel(path)
    names = [layer.name for layer in model.layers()]
    assert len(names) == len(set(names)) >= MAX_NODES - 10
    with pytest.raises(ModelError, match=f"at most {MAX_LAYERS} layers"):
        LabModel.of(model)
    tally("model files (OnnxModel, load_lab_model)", "model file: 1,990 layers")


def test_the_most_layers_the_lab_shows_load(tmp_path: Path) -> None:
    path = save(hf.chain(MAX_LAYERS - 6), tmp_path / "chain.onnx")  # the classifier adds 6
    lab_model = load_lab_model(path)
    assert len(lab_model.layers) == MAX_LAYERS
    tally("model files (OnnxModel, load_lab_model)", "accepted (checked against the reference)")


def test_remembered_labels_that_no_longer_fit_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged remembered-inputs record never makes a good model unusable."""
    monkeypatch.setenv("CNN_VISUALIZER_DATA_DIR", str(tmp_path))
    path = save(hf.digits_model(), tmp_path / "digits.onnx")
    store = RememberedInputs()
    store.remember(OnnxModel(path).sha256, labels=["only", "three", "labels"])
    lab_model = load_lab_model(path, inputs=store)
    assert lab_model.model.class_labels == tuple(str(d) for d in range(10))
    tally("remembered inputs", "remembered labels of the wrong count: ignored")


def dark_picture_model() -> onnx.ModelProto:
    """A 32x32 RGB classifier whose output is NaN for dark pictures (mean below 0.2).

    Its logits get Log(mean(image) − 0.2) added: finite on the lab's probe pictures (mean
    about 0.5), NaN for a black picture.
    """
    rng = np.random.default_rng(3)
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.05, (3, 3072)).astype(np.float32), "W"),
        numpy_helper.from_array(np.zeros(3, np.float32), "B"),
        numpy_helper.from_array(np.array(0.2, np.float32), "floor"),
    ]
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"], "/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "W", "B"], ["scores"], "/fc/Gemm", transB=1),
        helper.make_node("ReduceMean", ["image"], ["mean4"], "/mean/ReduceMean", axes=[1, 2, 3]),
        helper.make_node("Flatten", ["mean4"], ["mean"], "/mean/Flatten", axis=1),
        helper.make_node("Sub", ["mean", "floor"], ["lifted"], "/guard/Sub"),
        helper.make_node("Log", ["lifted"], ["log"], "/guard/Log"),
        helper.make_node("Add", ["scores", "log"], ["logits"], "/head/Add"),
        helper.make_node("Softmax", ["logits"], ["probs"], "/head/Softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "dark_nan",
        [helper.make_tensor_value_info("image", FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info("probs", FLOAT, ["N", 3])],
        inits,
    )  # fmt: skip
    return finish(graph)


def test_a_run_whose_answer_is_not_a_number_is_refused_naming_the_layer(tmp_path: Path) -> None:
    path = save(dark_picture_model(), tmp_path / "dark.onnx")
    lab_model = load_lab_model(path)  # finite on the probe pictures: it loads
    model = lab_model.model
    light = np.full((32, 32, 3), 0.6, np.float32)
    assert np.isfinite(run_model(model, light).probabilities).all()
    with pytest.raises(ValueError, match=r"not a number: layer .*gives NaN; expected finite"):
        run_model(model, np.zeros((32, 32, 3), np.float32))
    dark = np.full((40, 40, 3), 0.1)  # not blank (a blank picture is not run at all)
    state = LabState.start()._with_lab_model(lab_model).with_picture(dark)
    assert state.run is None and state.problem is not None and "NaN" in state.problem
    tally("model runs (run_model)", "model output: NaN for one input")


# ----- images --------------------------------------------------------------------------------
@pytest.mark.parametrize("read", [load_canvas, load_picture], ids=["canvas", "picture"])
@pytest.mark.parametrize("kind", list(hf.IMAGE_KINDS))
def test_a_hostile_image_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, kind: str, read: Callable[[Path], object]
) -> None:
    path, words = hf.IMAGE_KINDS[kind](tmp_path)
    found = within(READ_LIMIT_S, lambda: read(path))
    assert isinstance(found, ValueError), found
    message = str(found)
    assert str(path) in message and words in message, message
    assert "<_io." not in message
    tally("image files (load_canvas, load_picture)", f"image file: {kind}")


def test_the_image_cap_is_the_documented_one() -> None:
    assert MAX_IMAGE_BYTES == 50_000_000


def exotic_images(folder: Path) -> dict[str, Path]:
    """Images of modes and formats a student may bring; each must be read correctly."""
    gradient = np.tile(np.linspace(0, 255, 40, dtype=np.float32), (30, 1))
    made: dict[str, Path] = {}

    def keep(name: str, image: Image.Image, **options: Any) -> None:
        made[name] = folder / name
        image.save(made[name], **options)

    keep("sixteen-bit.png", Image.fromarray((gradient * 257).astype(np.uint16)))
    keep("gray-alpha.png", Image.fromarray(np.dstack([gradient, gradient]).astype(np.uint8), "LA"))
    palette = Image.fromarray(gradient.astype(np.uint8)).convert("P")
    keep("palette-transparent.png", palette, transparency=0)
    keep("cmyk.jpg", Image.fromarray(gradient.astype(np.uint8)).convert("CMYK"))
    keep("one-bit.png", Image.fromarray(gradient > 128))
    floats = gradient / 255
    floats[0, 0], floats[1, 1] = np.nan, np.inf
    keep("float-nan.tif", Image.fromarray(floats.astype(np.float32), "F"))
    frames = [Image.fromarray(np.full((30, 40), v, np.uint8)) for v in (0, 255)]
    keep("animated.gif", frames[0], save_all=True, append_images=frames[1:])
    rotated = Image.fromarray(gradient.astype(np.uint8))
    exif = rotated.getexif()
    exif[0x0112] = 6  # rotated 90°: the picture is read upright, 40 high and 30 wide
    keep("rotated.jpg", rotated, exif=exif)
    return made


@pytest.mark.parametrize("read", [load_canvas, load_picture], ids=["canvas", "picture"])
def test_exotic_images_are_read_correctly(tmp_path: Path, read: Callable[[Path], Any]) -> None:
    for name, path in exotic_images(tmp_path).items():
        result = np.asarray(read(path))
        assert result.dtype == np.float32 and np.isfinite(result).all(), name
        assert result.min() >= 0.0 and result.max() <= 1.0, name
        expected = (40, 30) if name == "rotated.jpg" else (30, 40)
        assert result.shape[:2] == expected, name
        assert result.std() > 0.05 or name == "animated.gif", name  # the gradient is kept
        tally("image files (load_canvas, load_picture)", "accepted (checked against the reference)")


# ----- labels and remembered inputs ------------------------------------------------------------
def _folder(path: Path) -> Path:
    path.mkdir()
    return path


LABEL_KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "FIFO": (lambda f: hf.fifo(f, "labels.txt"), "not a regular file"),
    "/dev/zero": (lambda f: hf.endless(f, "labels.txt"), "not a regular file"),
    "larger than 1 MB": (lambda f: hf.sparse(f, "labels.txt", 1_000_001), "too large"),
    "binary": (lambda f: hf.garbage(f, "labels.txt", b"\xff\xfe\x00\x81" * 50), "not a text file"),
    "empty": (lambda f: hf.garbage(f, "labels.txt", b"\n\n"), "holds no labels"),
    "folder": (lambda f: _folder(f / "labels.txt"), "it is a folder"),
}


@pytest.mark.parametrize("kind", list(LABEL_KINDS))
def test_a_hostile_labels_file_is_refused(tmp_path: Path, kind: str) -> None:
    build, words = LABEL_KINDS[kind]
    path = build(tmp_path)
    found = within(READ_LIMIT_S, lambda: read_labels(path))
    assert isinstance(found, ValueError) and str(path) in str(found) and words in str(found)
    tally("labels files (read_labels)", f"labels file: {kind}")


REMEMBERED_KINDS: dict[str, Callable[[Path], object]] = {
    "FIFO": lambda f: hf.fifo(f, "model-inputs.json"),
    "/dev/zero": lambda f: hf.endless(f, "model-inputs.json"),
    "nested 100,000 deep": lambda f: hf.garbage(
        f, "model-inputs.json", b"[" * 100_000 + b"]" * 100_000
    ),
    "a 400-digit mean": lambda f: hf.garbage(
        f,
        "model-inputs.json",
        json.dumps(
            {
                "models": {
                    "abc": {"preprocessing": {"name": "x", "mean": [int("9" * 400)], "std": [1]}}
                }
            }
        ).encode(),
    ),
    "a std of 1e-300": lambda f: hf.garbage(
        f,
        "model-inputs.json",
        json.dumps(
            {"models": {"abc": {"preprocessing": {"name": "x", "mean": [0], "std": [1e-300]}}}}
        ).encode(),
    ),
    "not UTF-8": lambda f: hf.garbage(f, "model-inputs.json", b"\xff" * 100),
}


@pytest.mark.parametrize("kind", list(REMEMBERED_KINDS))
def test_a_damaged_remembered_inputs_file_is_ignored(tmp_path: Path, kind: str) -> None:
    REMEMBERED_KINDS[kind](tmp_path)
    store = RememberedInputs(tmp_path / "model-inputs.json")
    found = within(READ_LIMIT_S, lambda: store.get("abc"))
    assert found.preprocessing is None and found.labels is None and found.fit is None
    tally("remembered inputs", f"remembered-inputs file: {kind}")
