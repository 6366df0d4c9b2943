"""Replaying a learned first-layer filter in the playground gives ONNX Runtime's feature map."""

from __future__ import annotations

import numpy as np
import pytest

from engine import OnnxModel
from engine.animation.playground import run_pipeline
from engine.drawings.samples import load_samples
from engine.network.filter_replay import first_conv_layer, replay_filter


@pytest.fixture(scope="module")
def model() -> OnnxModel:
    return OnnxModel()


def test_every_filter_of_the_first_layer_matches_onnx_runtime(model: OnnxModel) -> None:
    samples = load_samples()
    layer = first_conv_layer(model)
    assert layer == "conv1"
    for digit in (0, 3, 8):
        image = samples.first_of(digit)
        for f in range(0, 32, 5):
            replay = replay_filter(model, layer, f, image)
            result = run_pipeline(replay.spec)
            assert result.feature_maps.shape == (28, 28, 1)
            assert replay.max_difference(result) <= 1e-4
            np.testing.assert_allclose(
                result.activated[:, :, 0],
                next(a for a in model.activations(image) if a.name == "conv1 · relu").array[
                    :, :, f
                ],
                atol=1e-4,
            )
    assert replay.spec.padding == ((1, 1), (1, 1)) and replay.spec.relu
    assert "conv1, filter 31" in replay.title


def test_only_first_layer_convolutions_can_be_replayed(model: OnnxModel) -> None:
    image = np.zeros((28, 28), dtype=np.float32)
    with pytest.raises(ValueError, match="fed by pool1, not by the image"):
        replay_filter(model, "conv2", 0, image)
    with pytest.raises(ValueError, match="not a convolution layer"):
        replay_filter(model, "pool1", 0, image)
    with pytest.raises(ValueError, match="has 32 filters, not 33"):
        replay_filter(model, "conv1", 32, image)


def test_a_changed_setup_is_no_longer_compared(model: OnnxModel) -> None:
    replay = replay_filter(model, "conv1", 0, load_samples().first_of(1))
    smaller = run_pipeline(replay.spec.with_changes(stride=(2, 2)))
    with pytest.raises(ValueError, match="was changed since the replay"):
        replay.max_difference(smaller)
