"""The NumPy engine, replaying a model from its weights and geometry, agrees with ONNX Runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from engine import OnnxModel
from engine.network.agreement import compare_with_numpy
from models import DEFAULT_MODEL_PATH
from tests import onnx_builders as build

if TYPE_CHECKING:
    from pathlib import Path


def test_shipped_model_agrees_on_100_mnist_digits(mnist_npz: Path) -> None:
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.fail(f"the shipped model is missing: {DEFAULT_MODEL_PATH} (run models/train.py)")
    model = OnnxModel()
    with np.load(mnist_npz) as data:
        images = data["x_test"][:100].astype(np.float32) / 255
    worst: dict[str, float] = {}
    for image in images:
        layers = compare_with_numpy(model, image)
        assert [layer.name for layer in layers] == [info.name for info in model.layers()]
        for layer in layers:
            worst[layer.name] = max(worst.get(layer.name, 0.0), layer.max_abs_diff)
        numpy_class = int(np.argmax(layers[-1].numpy))
        assert numpy_class == int(np.argmax(model.predict(image)))
    assert max(worst.values()) <= 1e-4, worst


CASES = {
    "same padding": {},
    "stride 2, SAME_UPPER": {"conv_attrs": {"auto_pad": "SAME_UPPER", "strides": [2, 2]}},
    "stride 2, SAME_LOWER": {"conv_attrs": {"auto_pad": "SAME_LOWER", "strides": [2, 2]}},
    "valid": {"conv_attrs": {"auto_pad": "VALID"}},
    "uneven pads, dilation 2": {"conv_attrs": {"pads": [0, 1, 2, 1], "dilations": [2, 2]}},
    "average pool": {"pool": "AveragePool"},
    "padded average pool": {
        "pool": "AveragePool",
        "pool_attrs": {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
    },
    "max pool, ceil mode": {
        "size": 11,
        "pool_attrs": {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1},
    },
    "logits": {"softmax": False},
}


@pytest.mark.parametrize("layout", ["NHWC", "NCHW"])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("case", CASES)
def test_small_models_agree(tmp_path: Path, layout: str, channels: int, case: str) -> None:
    options: dict = {"size": 10, **CASES[case]}
    proto = build.classifier(layout=layout, channels=channels, **options)
    model = OnnxModel(build.save(proto, tmp_path / "tiny.onnx"))
    rng = np.random.default_rng(11)
    for _ in range(3):
        image = rng.random(model.input_shape, dtype=np.float32)
        layers = compare_with_numpy(model, image)
        assert len(layers) == len(model.layers())
        for layer in layers:
            assert layer.numpy.shape == layer.onnx.shape
            assert layer.max_abs_diff <= 1e-5, (layer.name, layer.max_abs_diff)


def test_layers_the_engine_lacks_are_named(tmp_path: Path) -> None:
    proto = build.classifier()
    proto.graph.node[1].op_type = "Sigmoid"
    model = OnnxModel(build.save(proto, tmp_path / "sigmoid.onnx"))
    with pytest.raises(ValueError, match=r"no Sigmoid layer.*'conv1 · sigmoid'"):
        compare_with_numpy(model, np.zeros(model.input_shape, np.float32))


def test_average_pooling_that_counts_padding_is_refused(tmp_path: Path) -> None:
    pool_attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    proto = build.classifier(
        pool="AveragePool", pool_attrs={**pool_attrs, "count_include_pad": 1}, size=10
    )
    model = OnnxModel(build.save(proto, tmp_path / "torch_avg.onnx"))
    assert model.geometry("pool").counts_padding
    with pytest.raises(ValueError, match="count_include_pad"):
        compare_with_numpy(model, np.zeros(model.input_shape, np.float32))
