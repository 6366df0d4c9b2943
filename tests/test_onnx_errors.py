"""Bad model files: one test per kind; each gives an error that names the file and the problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ModelError, OnnxModel
from models import DEFAULT_MODEL_PATH
from tests import onnx_builders as build

if TYPE_CHECKING:
    from pathlib import Path


def assert_model_error(path: Path, *phrases: str) -> ModelError:
    """Loading ``path`` raises ModelError naming the file, the problem and what is expected."""
    with pytest.raises(ModelError) as caught:
        OnnxModel(path)
    message = str(caught.value)
    assert str(path) in message
    assert "expected" in message
    for phrase in phrases:
        assert phrase in message
    return caught.value


def tiny_model_bytes() -> bytes:
    return build.classifier(layout="NHWC", channels=3, size=12).SerializeToString()


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.onnx"
    with pytest.raises(FileNotFoundError, match=r"nowhere\.onnx"):
        OnnxModel(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    assert_model_error(path, "empty (0 bytes)")


@pytest.mark.parametrize("fraction", [0.02, 0.1, 0.3, 0.5, 0.75, 0.9, 0.99])
def test_truncated_file(tmp_path: Path, fraction: float) -> None:
    data = tiny_model_bytes()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: int(len(data) * fraction)])
    assert_model_error(path)


def test_truncated_shipped_model(tmp_path: Path) -> None:
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.fail(f"the shipped model is missing: {DEFAULT_MODEL_PATH} (run models/train.py)")
    data = DEFAULT_MODEL_PATH.read_bytes()
    path = tmp_path / "half.onnx"
    path.write_bytes(data[: len(data) // 2])
    assert_model_error(path)


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "noise.onnx"
    path.write_bytes(rng.integers(0, 256, int(rng.integers(1, 5000)), dtype=np.uint8).tobytes())
    assert_model_error(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(min_size=1, max_size=400))
def test_any_bytes_give_a_model_error_never_a_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.onnx"
    path.write_bytes(data)
    assert_model_error(path)


def test_bytes_that_parse_as_an_empty_model(tmp_path: Path) -> None:
    """Protobuf happily parses b"\\x08\\x07" (just ir_version = 7): no graph at all."""
    path = tmp_path / "hollow.onnx"
    path.write_bytes(b"\x08\x07")
    assert onnx.load_model_from_string(b"\x08\x07").graph.node == []
    assert_model_error(path, "no graph")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.onnx"
    path.write_text("This is not a model.\nIt is a note about one.\n", encoding="utf-8")
    assert_model_error(path)


def test_folder_instead_of_a_file(tmp_path: Path) -> None:
    assert_model_error(tmp_path, "folder")


def test_no_image_input(tmp_path: Path) -> None:
    path = build.save(build.no_image_input(), tmp_path / "vector.onnx")
    assert_model_error(path, "no image input", "(N, 64)", "(N, H, W, C)")


def test_several_inputs(tmp_path: Path) -> None:
    path = build.save(build.several_inputs(), tmp_path / "two.onnx")
    assert_model_error(path, "2 inputs", "'left', 'right'", "one float32 image input")


def test_integer_input(tmp_path: Path) -> None:
    path = build.save(build.integer_input(), tmp_path / "ints.onnx")
    assert_model_error(path, "int64", "float32")


def test_output_that_is_not_a_class_vector(tmp_path: Path) -> None:
    path = build.save(build.map_output(), tmp_path / "maps.onnx")
    assert_model_error(path, "(N, 4, 8, 8)", "not a class vector", "(N, K)")


def test_several_outputs(tmp_path: Path) -> None:
    proto = build.classifier()
    proto.graph.output.append(onnx.helper.make_empty_tensor_value_info("conv"))
    path = build.save(proto, tmp_path / "outputs.onnx")
    assert_model_error(path, "2 outputs", "one output")


def test_output_shape_found_only_when_running(tmp_path: Path) -> None:
    """No declared output shape; a real run shows (1, 1): a single score, not classes."""
    proto = build.classifier(classes=1)
    del proto.graph.output[0].type.tensor_type.shape.dim[:]
    proto.graph.output[0].type.tensor_type.ClearField("shape")
    path = build.save(proto, tmp_path / "single.onnx")
    assert_model_error(path, "not a class vector")


def test_input_with_no_channel_axis(tmp_path: Path) -> None:
    proto = build.classifier(layout="NCHW", channels=5)
    path = build.save(proto, tmp_path / "five.onnx")
    assert_model_error(path, "neither 1 nor 3 channels")


def test_unknown_operator_fails_in_onnx_runtime(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    proto = build.classifier()
    proto.graph.node[1].op_type = "NotARealOp"
    path = build.save(proto, tmp_path / "mystery.onnx")
    assert_model_error(path, "ONNX Runtime cannot load")
    assert capfd.readouterr() == ("", "")  # no "EP Error" banner, no ORT log lines


def test_names_that_are_not_text(tmp_path: Path) -> None:
    """Protobuf returns invalid UTF-8 in a string field as bytes instead of failing."""
    data = bytearray(build.classifier().SerializeToString())
    where = data.index(b"/relu/Relu")
    data[where + 2] = 0xE0
    path = tmp_path / "garbled.onnx"
    path.write_bytes(bytes(data))
    assert_model_error(path, "not valid text")


@settings(max_examples=80, deadline=None)
@given(
    changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6)
)
def test_damaged_models_load_or_raise_model_error(
    tmp_path_factory: pytest.TempPathFactory, changes: list[tuple[float, int]]
) -> None:
    """Bytes changed anywhere in a good model: it still works, or ModelError; never a crash."""
    data = bytearray(build.classifier(layout="NHWC", channels=3, size=12).SerializeToString())
    for where, value in changes:
        data[int(where * len(data))] = value
    path = tmp_path_factory.mktemp("damaged") / "model.onnx"
    path.write_bytes(bytes(data))
    try:
        model = OnnxModel(path)
    except ModelError:
        return
    assert model.predict(np.zeros(model.input_shape, np.float32)).shape == (model.num_classes,)


def test_class_labels_that_do_not_fit(tmp_path: Path) -> None:
    proto = build.classifier(classes=3, metadata={"class_labels": '["a", "b"]'})
    path = build.save(proto, tmp_path / "labels.onnx")
    assert_model_error(path, "2 labels", "3 classes")
    proto = build.classifier(classes=3, metadata={"class_labels": "a, b, c"})
    path = build.save(proto, tmp_path / "labels2.onnx")
    assert_model_error(path, "not a JSON list")


def test_a_graph_with_a_cycle(tmp_path: Path) -> None:
    proto = build.classifier(names="none")
    graph = proto.graph
    relu = next(node for node in graph.node if node.op_type == "Relu")
    conv = next(node for node in graph.node if node.op_type == "Conv")
    relu.name = "loop back"
    conv.input[0] = relu.output[0]  # the conv reads its own ReLU: no order can run them
    path = tmp_path / "cycle.onnx"
    path.write_bytes(proto.SerializeToString())
    assert_model_error(path, "has a cycle", "'loop back'", "feed-forward")


@pytest.mark.parametrize(("size", "shown"), [(4, "4×4×1"), (300, "300×300×1")])
def test_inputs_too_small_or_too_large_to_show(tmp_path: Path, size: int, shown: str) -> None:
    path = build.save(build.classifier(size=size), tmp_path / f"size{size}.onnx")
    with pytest.raises(ModelError, match="from 8×8 to 256×256") as caught:
        OnnxModel(path)
    assert shown in str(caught.value) and str(path) in str(caught.value)


def test_a_batch_norm_in_training_mode_whose_statistics_are_used(tmp_path: Path) -> None:
    proto = build.with_batch_norm(build.classifier(names="none"), "conv")
    proto.opset_import[0].version = 15
    bn = next(node for node in proto.graph.node if node.op_type == "BatchNormalization")
    bn.attribute.append(onnx.helper.make_attribute("training_mode", 1))
    bn.output.extend(["running_mean", "running_var"])
    proto.graph.output.append(onnx.helper.make_empty_tensor_value_info("running_mean"))
    path = tmp_path / "training.onnx"
    path.write_bytes(proto.SerializeToString())
    assert_model_error(path, "training mode", "running statistics", "model.eval()")


def test_labels_given_for_a_model_must_fit_it(tmp_path: Path) -> None:
    from engine.network.contract import read_labels

    model = OnnxModel(build.save(build.classifier(classes=3), tmp_path / "three.onnx"))
    assert model.with_labels(["cat", "dog", "fox"]).class_labels == ("cat", "dog", "fox")
    assert model.class_labels == ("0", "1", "2")  # the model itself is unchanged
    with pytest.raises(ValueError, match="2 labels but the model outputs 3 classes"):
        model.with_labels(["cat", "dog"])
    with pytest.raises(ValueError, match="an empty label"):
        model.with_labels(["cat", " ", "fox"])
    labels = tmp_path / "labels.txt"
    labels.write_text("\ufeffcat\n dog \nfox\n\n", encoding="utf-8")
    assert read_labels(labels) == ("cat", "dog", "fox")
    labels.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ValueError, match="not a text file"):
        read_labels(labels)
    labels.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no labels"):
        read_labels(labels)
