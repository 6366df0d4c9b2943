"""conv2d and pool2d agree with TensorFlow (tf.nn ops) and with Keras layers."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import conv2d, pool2d

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

keras = tf.keras

TOLERANCE = 1e-5
PARITY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilated = draw(st.booleans())
    # TensorFlow's CPU kernels refuse strides > 1 together with dilation > 1.
    dh, dw = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    sh, sw = (1, 1) if dilated else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    # top, bottom, left, right: up to the dilated kernel's size (engine.operations.limits)
    pads = tuple(draw(st.integers(0, min(2, span))) for span in (ekh, ekh, ekw, ekw))
    padding_kind = draw(st.sampled_from(["explicit", "valid", "same"]))
    min_h = max(1, ekh - (pads[0] + pads[1] if padding_kind == "explicit" else 0))
    min_w = max(1, ekw - (pads[2] + pads[3] if padding_kind == "explicit" else 0))
    h, w = draw(st.integers(min_h, min_h + 9)), draw(st.integers(min_w, min_w + 9))
    c, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.uniform(-1, 1, (h, w, c)).astype(np.float32),
        "kernel": rng.uniform(-1, 1, (kh, kw, c, d)).astype(np.float32),
        "bias": rng.uniform(-1, 1, d).astype(np.float32),
        "stride": (sh, sw),
        "dilation": (dh, dw),
        "pads": pads,
        "padding_kind": padding_kind,
    }


@PARITY
@given(conv_cases())
def test_conv2d_matches_tf_nn_conv2d(case: dict) -> None:
    top, bottom, left, right = case["pads"]
    kind = case["padding_kind"]
    tf_padding = (
        [[0, 0], [top, bottom], [left, right], [0, 0]] if kind == "explicit" else kind.upper()
    )
    ours_padding = ((top, bottom), (left, right)) if kind == "explicit" else kind
    expected = tf.nn.conv2d(
        case["x"][None], case["kernel"], strides=[1, *case["stride"], 1],
        padding=tf_padding, dilations=[1, *case["dilation"], 1],
    ).numpy()[0] + case["bias"]  # fmt: skip
    ours = conv2d(
        case["x"].astype(np.float64), case["kernel"].astype(np.float64), case["bias"],
        stride=case["stride"], padding=ours_padding, dilation=case["dilation"],
    )  # fmt: skip
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE


@PARITY
@given(conv_cases().filter(lambda c: c["padding_kind"] != "explicit"))
def test_conv2d_matches_keras_conv2d_layer(case: dict) -> None:
    kh, kw, _, d = case["kernel"].shape
    layer = keras.layers.Conv2D(
        d, (kh, kw), strides=case["stride"], padding=case["padding_kind"],
        dilation_rate=case["dilation"],
    )  # fmt: skip
    layer.build((1, *case["x"].shape))
    layer.set_weights([case["kernel"], case["bias"]])
    expected = np.asarray(layer(case["x"][None]))[0]
    ours = conv2d(
        case["x"], case["kernel"], case["bias"],
        stride=case["stride"], padding=case["padding_kind"], dilation=case["dilation"],
    )  # fmt: skip
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(kh, kh + 10)), draw(st.integers(kw, kw + 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.uniform(-1, 1, (h, w, draw(st.integers(1, 3)))).astype(np.float32),
        "size": (kh, kw),
        "stride": (sh, sw),
        "padding": draw(st.sampled_from(["valid", "same"])),
        "mode": draw(st.sampled_from(["max", "avg"])),
    }


@PARITY
@given(pool_cases())
def test_pool2d_matches_tf_nn_pool(case: dict) -> None:
    op = tf.nn.max_pool2d if case["mode"] == "max" else tf.nn.avg_pool2d
    expected = op(
        case["x"][None], ksize=case["size"], strides=case["stride"],
        padding=case["padding"].upper(),
    ).numpy()[0]  # fmt: skip
    ours = pool2d(
        case["x"], case["size"], stride=case["stride"], mode=case["mode"], padding=case["padding"]
    )
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE


@PARITY
@given(pool_cases())
def test_pool2d_matches_keras_pooling_layers(case: dict) -> None:
    layer_type = (
        keras.layers.MaxPooling2D if case["mode"] == "max" else keras.layers.AveragePooling2D
    )
    layer = layer_type(pool_size=case["size"], strides=case["stride"], padding=case["padding"])
    expected = np.asarray(layer(case["x"][None]))[0]
    ours = pool2d(
        case["x"], case["size"], stride=case["stride"], mode=case["mode"], padding=case["padding"]
    )
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE
