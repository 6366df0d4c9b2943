"""OnnxModel: the shipped model's contract, and small NHWC/NCHW models built in the tests."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import onnx
import onnxruntime
import pytest

from engine import ModelError, OnnxModel, PixelRect, conv2d, dense, flatten, softmax
from engine.network.augment import data_tensors, with_outputs
from models import DEFAULT_MODEL_PATH
from tests import onnx_builders as build

if TYPE_CHECKING:
    from pathlib import Path

# What a student sees for the shipped Keras model, in graph order.
SHIPPED_LAYERS = [
    ("conv1", "Conv", (28, 28, 32)),
    ("conv1 · relu", "Relu", (28, 28, 32)),
    ("pool1", "MaxPool", (14, 14, 32)),
    ("conv2", "Conv", (14, 14, 64)),
    ("conv2 · relu", "Relu", (14, 14, 64)),
    ("pool2", "MaxPool", (7, 7, 64)),
    ("flatten", "Reshape", (3136,)),
    ("dense1", "MatMul+Add", (128,)),
    ("dense1 · relu", "Relu", (128,)),
    ("probabilities", "MatMul+Add", (10,)),
    ("probabilities · softmax", "Softmax", (10,)),
]
SHIPPED_PARAMS = {"conv1": 320, "conv2": 18_496, "dense1": 401_536, "probabilities": 1_290}


def shipped_model() -> OnnxModel:
    """The app's model; fails (never skips) when it has not been trained and exported yet."""
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.fail(f"the shipped model is missing: {DEFAULT_MODEL_PATH} (run models/train.py)")
    return OnnxModel()


@pytest.fixture(scope="module")
def shipped() -> OnnxModel:
    return shipped_model()


@pytest.fixture(scope="module")
def digits(mnist_npz: Path) -> tuple[np.ndarray, np.ndarray]:
    """The first 50 MNIST test digits, (50, 28, 28) float32 0..1, and their labels."""
    with np.load(mnist_npz) as data:
        return data["x_test"][:50].astype(np.float32) / np.float32(255), data["y_test"][:50]


def bare_session(path: Path) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


# -- the shipped model --------------------------------------------------------------------------


def test_default_path_loads_the_shipped_model(shipped: OnnxModel) -> None:
    assert shipped.path == DEFAULT_MODEL_PATH
    assert shipped.input_shape == (28, 28, 1)
    assert shipped.layout == "NHWC"
    assert shipped.num_classes == 10
    assert shipped.class_labels == tuple(str(d) for d in range(10))
    assert shipped.name == shipped.metadata["name"]
    assert shipped.accuracy is not None
    assert 0.98 < shipped.accuracy <= 1.0
    for key in ("class_labels", "input_description", "architecture", "test_accuracy"):
        assert key in shipped.metadata


def test_predict_gives_probabilities(shipped: OnnxModel, digits: tuple) -> None:
    images, labels = digits
    probabilities = np.array([shipped.predict(image) for image in images])
    assert probabilities.shape == (50, 10)
    assert probabilities.dtype == np.float32
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities.argmax(axis=1) == labels).mean() >= 0.96


def test_predict_equals_a_bare_session(shipped: OnnxModel, digits: tuple) -> None:
    images, _ = digits
    session = bare_session(DEFAULT_MODEL_PATH)
    (name,) = [i.name for i in session.get_inputs()]
    expected = session.run(None, {name: images[:, :, :, None]})[0]
    ours = np.array([shipped.predict(image) for image in images])
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    # (H, W, 1) and float64 input give the same answer
    np.testing.assert_allclose(shipped.predict(images[0][:, :, None].astype(float)), expected[0])


def test_activations_show_every_layer_channels_last(shipped: OnnxModel, digits: tuple) -> None:
    records = shipped.activations(digits[0][0])
    assert [(r.name, r.op, r.shape) for r in records] == SHIPPED_LAYERS
    for record in records:
        assert record.array.shape == record.shape
        assert record.array.dtype == np.float32
        assert not record.array.flags.writeable
    relu = records[1].array
    assert relu.min() >= 0
    np.testing.assert_allclose(relu, np.maximum(records[0].array, 0))


def test_augmented_model_gives_the_original_outputs(shipped: OnnxModel, digits: tuple) -> None:
    images, _ = digits
    proto = onnx.load(str(DEFAULT_MODEL_PATH))
    (image_name,) = [i.name for i in proto.graph.input]
    augmented_bytes = with_outputs(proto, data_tensors(proto, image_name))
    original = bare_session(DEFAULT_MODEL_PATH)
    augmented = onnxruntime.InferenceSession(augmented_bytes, providers=["CPUExecutionProvider"])
    assert len(augmented.get_outputs()) > len(original.get_outputs()) == 1
    final = original.get_outputs()[0].name
    batch = {image_name: images[:, :, :, None]}
    expected = original.run([final], batch)[0]
    np.testing.assert_allclose(augmented.run([final], batch)[0], expected, rtol=0, atol=1e-6)
    # and through the public API: the last activation is the prediction
    for image in images:
        np.testing.assert_allclose(
            shipped.activations(image)[-1].array, shipped.predict(image), rtol=0, atol=1e-6
        )


def test_layers_summarise_the_model(shipped: OnnxModel) -> None:
    layers = shipped.layers()
    assert [(layer.name, layer.op, layer.output_shape) for layer in layers] == SHIPPED_LAYERS
    assert {layer.name: layer.params for layer in layers if layer.params} == SHIPPED_PARAMS
    assert layers[0].inputs == ()
    for before, layer in pairwise(layers):
        assert layer.inputs == (before.name,)


def test_conv_weights_and_geometry_replay_the_layer(shipped: OnnxModel, digits: tuple) -> None:
    image = digits[0][3]
    kernel, bias = shipped.weights("conv1")
    assert kernel.shape == (3, 3, 1, 32)
    assert bias.shape == (32,)
    geometry = shipped.geometry("conv1")
    assert geometry.stride == (1, 1)
    assert geometry.padding == ((1, 1), (1, 1))
    assert geometry.dilation == (1, 1)
    assert geometry.mode is None
    replayed = conv2d(image, kernel, bias, **geometry.replay_kwargs())
    np.testing.assert_allclose(replayed, shipped.activations(image)[0].array, atol=1e-5)
    assert shipped.weights("conv2").kernel.shape == (3, 3, 32, 64)
    pool = shipped.geometry("pool1")
    assert (pool.kernel_size, pool.stride, pool.mode) == ((2, 2), (2, 2), "max")


def test_dense_weights_line_up_with_the_engines_flatten(shipped: OnnxModel, digits: tuple) -> None:
    """Keras flattens after a Transpose back to NHWC, so (3136, 128) rows are (row, col, ch)."""
    weights, bias = shipped.weights("dense1")
    assert weights.shape == (3136, 128)
    for image in digits[0][:5]:
        acts = {r.name: r.array for r in shipped.activations(image)}
        np.testing.assert_allclose(flatten(acts["pool2"]), acts["flatten"])
        np.testing.assert_allclose(
            dense(acts["flatten"], weights, bias), acts["dense1"], rtol=1e-5, atol=1e-4
        )
    assert shipped.weights("probabilities").kernel.shape == (128, 10)


def test_weights_and_geometry_of_other_layers_raise(shipped: OnnxModel) -> None:
    with pytest.raises(ValueError, match="pool1"):
        shipped.weights("pool1")
    with pytest.raises(ValueError, match="not a conv or pooling"):
        shipped.geometry("dense1")
    with pytest.raises(ValueError, match="the layers are: conv1, conv1 · relu"):
        shipped.weights("conv9")


@pytest.mark.parametrize(
    ("layer", "row", "col", "expected"),
    [
        ("conv1", 0, 0, PixelRect(0, 2, 0, 2)),  # 3x3 window, one row/col of padding cut off
        ("conv1", 10, 12, PixelRect(9, 12, 11, 14)),
        ("conv1 · relu", 10, 12, PixelRect(9, 12, 11, 14)),
        ("pool1", 0, 0, PixelRect(0, 3, 0, 3)),  # conv1 rows 0..1 -> input rows -1..2
        ("conv2", 5, 5, PixelRect(7, 15, 7, 15)),  # pool1 4..6 -> conv1 8..13 -> input 7..14
        ("pool2", 3, 3, PixelRect(9, 19, 9, 19)),  # 4r-3 .. 4r+6
        ("pool2", 0, 6, PixelRect(0, 7, 21, 28)),
    ],
)
def test_receptive_field_from_the_graph(
    shipped: OnnxModel, layer: str, row: int, col: int, expected: PixelRect
) -> None:
    assert shipped.receptive_field(layer, row, col) == expected


def test_pixels_outside_the_receptive_field_do_not_matter(
    shipped: OnnxModel, digits: tuple
) -> None:
    image = digits[0][0]
    for layer, row, col in (("conv2", 5, 5), ("pool2", 3, 2), ("conv1", 0, 27)):
        r0, r1, c0, c1 = shipped.receptive_field(layer, row, col)
        noisy = np.random.default_rng(0).random(image.shape, dtype=np.float32)
        noisy[r0:r1, c0:c1] = image[r0:r1, c0:c1]
        before = {a.name: a.array for a in shipped.activations(image)}[layer][row, col]
        after = {a.name: a.array for a in shipped.activations(noisy)}[layer][row, col]
        np.testing.assert_allclose(after, before, atol=1e-5)


def test_receptive_field_rejects_bad_cells(shipped: OnnxModel) -> None:
    with pytest.raises(ValueError, match=r"0\.\.27"):
        shipped.receptive_field("conv1", 28, 0)
    with pytest.raises(ValueError, match="not a feature map"):
        shipped.receptive_field("dense1", 0, 0)
    with pytest.raises(ValueError, match="no layer named"):
        shipped.receptive_field("conv7", 0, 0)


def test_predict_rejects_bad_images(shipped: OnnxModel) -> None:
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        shipped.predict(np.zeros((20, 28)))
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        shipped.predict(np.zeros((28, 28, 3)))
    with pytest.raises(ValueError, match="NaN"):
        shipped.predict(np.full((28, 28), np.nan))
    with pytest.raises(ValueError, match="numbers"):
        shipped.predict(np.full((28, 28), "x"))


# -- small models built in the tests ------------------------------------------------------------


def model_batch(model: OnnxModel, image: np.ndarray) -> np.ndarray:
    """(H, W, C) → a batch of one in the model's own layout."""
    return (image.transpose(2, 0, 1) if model.layout == "NCHW" else image)[None]


@pytest.mark.parametrize("layout", ["NHWC", "NCHW"])
@pytest.mark.parametrize("channels", [1, 3])
def test_small_models_in_both_layouts(tmp_path: Path, layout: str, channels: int) -> None:
    proto = build.classifier(layout=layout, channels=channels, size=8, classes=3)
    model = OnnxModel(build.save(proto, tmp_path / "tiny.onnx"))
    assert model.layout == layout
    assert model.input_shape == (8, 8, channels)
    assert model.num_classes == 3
    assert model.class_labels == ("0", "1", "2")
    assert model.name == "tiny"
    assert model.accuracy is None
    image = np.random.default_rng(1).random((8, 8, channels), dtype=np.float32)
    expected = build.run_bare(proto, model_batch(model, image))[0]
    np.testing.assert_allclose(model.predict(image), expected, atol=1e-6)
    records = model.activations(image)
    assert [r.shape for r in records] == [(8, 8, 4), (8, 8, 4), (4, 4, 4), (64,), (3,), (3,)]
    acts = {r.name: r.array for r in records}
    names = list(acts)
    # the flatten is in the engine's (row, col, channel) order whatever the model's layout,
    # and the dense weights are reordered to match
    np.testing.assert_allclose(acts[names[3]], flatten(acts[names[2]]))
    weights, bias = model.weights(names[4])
    np.testing.assert_allclose(dense(acts[names[3]], weights, bias), acts[names[4]], atol=1e-5)
    kernel, _ = model.weights(names[0])
    assert kernel.shape == (3, 3, channels, 4)


@pytest.mark.parametrize(
    ("style", "names"),
    [
        ("pytorch", ["conv1", "conv1 · relu", "pool", "flatten", "fc", "fc · softmax"]),
        ("keras", ["conv1", "conv1 · relu", "pool1", "flatten", "dense", "dense · softmax"]),
        ("none", ["conv1", "conv1 · relu", "pool1", "flatten", "dense1", "dense1 · softmax"]),
    ],
)
def test_layer_names_come_from_node_names(tmp_path: Path, style: str, names: list[str]) -> None:
    layout = "NHWC" if style == "keras" else "NCHW"
    proto = build.classifier(layout=layout, names=style)
    model = OnnxModel(build.save(proto, tmp_path / "named.onnx"))
    assert [layer.name for layer in model.layers()] == names


def test_gray_images_feed_rgb_models(tmp_path: Path) -> None:
    proto = build.classifier(layout="NCHW", channels=3)
    model = OnnxModel(build.save(proto, tmp_path / "rgb.onnx"))
    gray = np.random.default_rng(2).random((8, 8), dtype=np.float32)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(model.predict(gray), model.predict(rgb))


@pytest.mark.parametrize("layout", ["NHWC", "NCHW"])
def test_logits_get_a_softmax_and_probabilities_do_not(tmp_path: Path, layout: str) -> None:
    image = np.random.default_rng(3).random((8, 8, 1), dtype=np.float32)
    logits = build.classifier(layout=layout, softmax=False, seed=4)
    probs = build.classifier(layout=layout, softmax=True, seed=4)
    logits_model = OnnxModel(build.save(logits, tmp_path / "logits.onnx"))
    probs_model = OnnxModel(build.save(probs, tmp_path / "probs.onnx"))
    raw = build.run_bare(logits, model_batch(logits_model, image))[0]
    assert not np.isclose(raw.sum(), 1.0)
    np.testing.assert_allclose(logits_model.predict(image), softmax(raw), atol=1e-6)
    np.testing.assert_allclose(logits_model.predict(image).sum(), 1.0, atol=1e-6)
    ready = build.run_bare(probs, model_batch(probs_model, image))[0]
    np.testing.assert_allclose(probs_model.predict(image), ready, atol=1e-7)
    np.testing.assert_allclose(probs_model.predict(image), softmax(raw), atol=1e-6)
    for model in (logits_model, probs_model):  # from the activations, as predict gives them
        from_records = model.probabilities(model.activations(image))
        np.testing.assert_allclose(from_records, model.predict(image), atol=1e-6)


def test_a_softmax_behind_plumbing_is_still_seen(tmp_path: Path) -> None:
    proto = build.classifier(softmax=True)
    softmax_node = proto.graph.node[-1]
    softmax_node.output[0] = "softmax_out"
    proto.graph.node.append(onnx.helper.make_node("Identity", ["softmax_out"], ["probs"]))
    model = OnnxModel(build.save(proto, tmp_path / "identity.onnx"))
    image = np.random.default_rng(6).random((8, 8, 1), dtype=np.float32)
    ready = build.run_bare(proto, model_batch(model, image))[0]
    np.testing.assert_allclose(model.predict(image), ready, atol=1e-7)  # no second softmax
    assert model.layers()[-1].op == "Softmax"


def test_log_softmax_is_turned_into_probabilities(tmp_path: Path) -> None:
    proto = build.classifier(softmax=True)
    proto.graph.node[-1].op_type = "LogSoftmax"
    model = OnnxModel(build.save(proto, tmp_path / "log.onnx"))
    image = np.random.default_rng(6).random((8, 8, 1), dtype=np.float32)
    log_probabilities = build.run_bare(proto, model_batch(model, image))[0]
    np.testing.assert_allclose(model.predict(image), np.exp(log_probabilities), atol=1e-6)
    np.testing.assert_allclose(model.predict(image).sum(), 1.0, atol=1e-5)


def test_metadata_gives_labels_name_and_accuracy(tmp_path: Path) -> None:
    metadata = {
        "class_labels": '["cat", "dog", "bird"]',
        "name": "Pets",
        "test_accuracy": "0.875",
    }
    proto = build.classifier(metadata=metadata)
    model = OnnxModel(build.save(proto, tmp_path / "pets.onnx"))
    assert model.class_labels == ("cat", "dog", "bird")
    assert model.name == "Pets"
    assert model.accuracy == pytest.approx(0.875)
    assert model.metadata == metadata


@pytest.mark.parametrize(
    ("text", "expected"), [("99.1 %", 0.991), ("98.5", 0.985), ("n/a", None), ("1.5e3", None)]
)
def test_accuracy_is_read_leniently(tmp_path: Path, text: str, expected: float | None) -> None:
    proto = build.classifier(metadata={"test_accuracy": text})
    model = OnnxModel(build.save(proto, tmp_path / "acc.onnx"))
    assert model.accuracy == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("conv_attrs", "padding", "stride", "dilation"),
    [
        ({"pads": [1, 1, 1, 1]}, ((1, 1), (1, 1)), (1, 1), (1, 1)),
        ({"pads": [0, 1, 2, 1], "dilations": [2, 2]}, ((0, 2), (1, 1)), (1, 1), (2, 2)),
        ({"auto_pad": "SAME_UPPER", "strides": [2, 2]}, ((0, 1), (0, 1)), (2, 2), (1, 1)),
        ({"auto_pad": "SAME_LOWER", "strides": [2, 2]}, ((1, 0), (1, 0)), (2, 2), (1, 1)),
        ({"auto_pad": "VALID"}, ((0, 0), (0, 0)), (1, 1), (1, 1)),
    ],
)
def test_conv_geometry_from_onnx_attributes(
    tmp_path: Path,
    conv_attrs: dict[str, object],
    padding: tuple,
    stride: tuple,
    dilation: tuple,
) -> None:
    proto = build.classifier(size=10, conv_attrs=conv_attrs)
    model = OnnxModel(build.save(proto, tmp_path / "geometry.onnx"))
    geometry = model.geometry("conv1")
    assert (geometry.padding, geometry.stride, geometry.dilation) == (padding, stride, dilation)
    image = np.random.default_rng(5).random((10, 10, 1), dtype=np.float32)
    kernel, bias = model.weights("conv1")
    replayed = conv2d(image, kernel, bias, **geometry.replay_kwargs())
    np.testing.assert_allclose(replayed, model.activations(image)[0].array, atol=1e-5)


def test_pool_ceil_mode_becomes_explicit_padding(tmp_path: Path) -> None:
    pool_attrs = {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1}
    proto = build.classifier(size=9, conv_attrs={"pads": [1, 1, 1, 1]}, pool_attrs=pool_attrs)
    model = OnnxModel(build.save(proto, tmp_path / "ceil.onnx"))
    geometry = model.geometry("pool")
    assert geometry.padding == ((0, 1), (0, 1))
    assert model.layers()[2].output_shape == (5, 5, 4)


def test_error_type_is_a_value_error() -> None:
    assert issubclass(ModelError, ValueError)


# ----- what a model file says about itself, and what is changed on load --------------------
def test_the_nodes_are_sorted_once_on_load(tmp_path: Path) -> None:
    proto = build.classifier(layout="NHWC", names="keras")
    ordered = OnnxModel(build.save(proto, tmp_path / "ordered.onnx"))
    shuffled = onnx.ModelProto()
    shuffled.CopyFrom(proto)
    nodes = list(shuffled.graph.node)
    del shuffled.graph.node[:]
    shuffled.graph.node.extend([*nodes[3:], *nodes[:3]])  # a consumer before its producer
    model = OnnxModel(build.save(shuffled, tmp_path / "shuffled.onnx"))
    assert [(i.name, i.op) for i in model.layers()] == [(i.name, i.op) for i in ordered.layers()]
    image = np.random.default_rng(1).random(model.input_shape).astype(np.float32)
    np.testing.assert_array_equal(model.predict(image), ordered.predict(image))


def test_a_batch_norm_saved_in_training_mode_uses_its_statistics(tmp_path: Path) -> None:
    inference = build.with_batch_norm(build.classifier(names="none"), "conv")
    inference.opset_import[0].version = 15
    training = onnx.ModelProto()
    training.CopyFrom(inference)
    bn = next(n for n in training.graph.node if n.op_type == "BatchNormalization")
    bn.attribute.append(onnx.helper.make_attribute("training_mode", 1))
    bn.output.extend(["running_mean", "running_var"])  # unused: the graph does not need them
    model = OnnxModel(build.save(training, tmp_path / "training.onnx"))
    assert len(model.notes) == 1 and "training mode" in model.notes[0]
    reference = OnnxModel(build.save(inference, tmp_path / "inference.onnx"))
    assert reference.notes == ()
    image = np.random.default_rng(2).random(model.input_shape).astype(np.float32)
    np.testing.assert_allclose(model.predict(image), reference.predict(image), atol=1e-6)


def test_the_output_kind_comes_from_the_values(tmp_path: Path) -> None:
    from engine.network.output_scores import output_kind

    assert output_kind(np.array([[0.2, 0.8], [0.5, 0.5]]), None) == "probabilities"
    assert output_kind(np.log(np.array([[0.2, 0.8]])), None) == "log-probabilities"
    assert output_kind(np.array([[0.9, 0.8]]), "Sigmoid") == "independent"
    assert output_kind(np.array([[0.9, 0.8]]), None) == "logits"  # 0..1, but no sigmoid
    assert output_kind(np.array([[3.0, -1.0]]), "Softmax") == "logits"  # values beat names
    quantized = np.array([[0.99609375, 0.0, 0.0]])  # an 8-bit softmax, steps of 1/256
    assert output_kind(quantized, None, step=1 / 256) == "probabilities"
    assert output_kind(quantized, None) == "logits"
    assert output_kind(np.array([[np.nan, 1.0]]), None) == "logits"
