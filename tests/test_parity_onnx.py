"""conv2d and pool2d agree with ONNX Runtime's Conv, MaxPool and AveragePool."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import conv2d, pool2d
from tests.single_op import ort_conv, ort_pool

TOLERANCE = 1e-5
PARITY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def tf_same_pads(
    x_shape: tuple[int, ...],
    k_shape: tuple[int, ...],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[int, int, int, int]:
    """TensorFlow's SAME padding (top, bottom, left, right), written out independently."""
    pads = []
    for axis in (0, 1):
        size, window = x_shape[axis], (k_shape[axis] - 1) * dilation[axis] + 1
        out = -(-size // stride[axis])
        total = max((out - 1) * stride[axis] + window - size, 0)
        pads += [total // 2, total - total // 2]
    return (pads[0], pads[1], pads[2], pads[3])


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    # top, bottom, left, right: up to the dilated kernel's size (engine.operations.limits)
    pads = tuple(draw(st.integers(0, min(2, span))) for span in (ekh, ekh, ekw, ekw))
    padding_kind = draw(st.sampled_from(["explicit", "valid", "same"]))
    min_h = max(1, ekh - (pads[0] + pads[1] if padding_kind == "explicit" else 0))
    min_w = max(1, ekw - (pads[2] + pads[3] if padding_kind == "explicit" else 0))
    h, w = draw(st.integers(min_h, min_h + 9)), draw(st.integers(min_w, min_w + 9))
    c, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return {
        "x": rng.uniform(-1, 1, (h, w, c)),
        "kernel": rng.uniform(-1, 1, (kh, kw, c, d)),
        "bias": rng.uniform(-1, 1, d),
        "stride": (sh, sw),
        "dilation": (dh, dw),
        "pads": pads,
        "padding_kind": padding_kind,
    }


@PARITY
@given(conv_cases())
def test_conv2d_matches_onnx_runtime_conv(case: dict) -> None:
    kind, (top, bottom, left, right) = case["padding_kind"], case["pads"]
    if kind == "explicit":
        padding: object = ((top, bottom), (left, right))
        expected = ort_conv(
            case["x"], case["kernel"], case["bias"],
            strides=case["stride"], dilations=case["dilation"], pads=case["pads"],
        )  # fmt: skip
    elif kind == "same" and case["dilation"] != (1, 1):
        # ORT's auto_pad does not support dilation: give it TensorFlow's "same" pads by hand.
        padding = "same"
        expected = ort_conv(
            case["x"], case["kernel"], case["bias"],
            strides=case["stride"], dilations=case["dilation"],
            pads=tf_same_pads(
                case["x"].shape, case["kernel"].shape, case["stride"], case["dilation"]
            ),
        )  # fmt: skip
    else:
        padding = kind
        auto_pad = "SAME_UPPER" if kind == "same" else "VALID"
        expected = ort_conv(
            case["x"], case["kernel"], case["bias"],
            strides=case["stride"], dilations=case["dilation"], auto_pad=auto_pad,
        )  # fmt: skip
    ours = conv2d(
        case["x"], case["kernel"], case["bias"],
        stride=case["stride"], padding=padding, dilation=case["dilation"],
    )  # fmt: skip
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pads = (
        draw(st.integers(0, kh - 1)),
        draw(st.integers(0, kh - 1)),
        draw(st.integers(0, kw - 1)),
        draw(st.integers(0, kw - 1)),
    )
    padding_kind = draw(st.sampled_from(["explicit", "valid", "same"]))
    h, w = draw(st.integers(kh, kh + 10)), draw(st.integers(kw, kw + 10))
    c = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["max", "avg"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.uniform(-1, 1, (h, w, c)),
        "size": (kh, kw),
        "stride": (sh, sw),
        "pads": pads,
        "padding_kind": padding_kind,
        "mode": mode,
    }


@PARITY
@given(pool_cases())
def test_pool2d_matches_onnx_runtime_pooling(case: dict) -> None:
    kind, (top, bottom, left, right) = case["padding_kind"], case["pads"]
    if kind == "explicit":
        padding: object = ((top, bottom), (left, right))
        expected = ort_pool(
            case["x"], case["size"], strides=case["stride"], mode=case["mode"], pads=case["pads"]
        )
    elif kind == "same" and _ort_same_would_be_negative(case):
        # ORT's SAME_UPPER fails where TensorFlow clamps a negative total padding to 0.
        padding = "same"
        pads = tf_same_pads(case["x"].shape, case["size"], case["stride"], (1, 1))
        expected = ort_pool(
            case["x"], case["size"], strides=case["stride"], mode=case["mode"], pads=pads
        )
    else:
        padding = kind
        auto_pad = "SAME_UPPER" if kind == "same" else "VALID"
        expected = ort_pool(
            case["x"], case["size"], strides=case["stride"], mode=case["mode"], auto_pad=auto_pad
        )
    ours = pool2d(
        case["x"], case["size"], stride=case["stride"], mode=case["mode"], padding=padding
    )
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() <= TOLERANCE


def _ort_same_would_be_negative(case: dict) -> bool:
    for axis in (0, 1):
        size, k, stride = case["x"].shape[axis], case["size"][axis], case["stride"][axis]
        if (-(-size // stride) - 1) * stride + k - size < 0:
            return True
    return False
