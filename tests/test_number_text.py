"""One rule for every percentage, probability and value the lab shows and --classify prints:
exact when a few decimals say it, else rounded and marked "≈", never 0 % or 100 % unless it is."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.network.answer_text import answer_text
from engine.network.model_run import prediction_of
from engine.network.number_text import percent_text, probability_column, value_text


@pytest.mark.parametrize(
    ("probability", "text"),
    [(1.0, "100 %"), (0.0, "0 %"), (0.5, "50 %"), (0.125, "12.5 %"), (0.25, "25 %"),
     (0.9812345, "≈ 98 %"), (0.999987, "≈ 99.999 %"), (0.99961234, "≈ 99.96 %"),
     (0.0041234, "≈ 0.4 %"), (1.234e-7, "≈ 0.00001 %"), (0.0625, "6.25 %"),
     (0.99999, "99.999 %"), (0.98123, "98.123 %")],  # the float32 values, to their precision
)  # fmt: skip
def test_percentages(probability: float, text: str) -> None:
    assert percent_text(float(np.float32(probability))) == text


def shown_value(text: str) -> tuple[float, int, bool]:
    """The number a text shows, its decimals, and whether it is marked rounded."""
    marked = text.startswith("≈ ")
    number = text.removeprefix("≈ ").removesuffix(" %").replace("−", "-")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return float(number), decimals, marked


@given(st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_every_percentage_is_true(probability: float) -> None:
    p = float(np.float32(probability))
    text = percent_text(p)
    assert re.fullmatch(r"(≈ )?\d+(\.\d+)? %", text), text
    shown, decimals, marked = shown_value(text)
    if marked:  # rounded: the true value is within the shown precision
        assert abs(shown - p * 100) <= 0.5 * 10**-decimals + 1e-9
        assert shown not in (0.0, 100.0) or not 1e-6 <= p <= 1 - 1e-6
    else:  # exact: the float32 number itself
        assert abs(shown - p * 100) <= 4 * 100 * float(np.spacing(np.float32(p))) + 1e-12
    if p < 1.0 and not marked:
        assert shown != 100.0


@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_every_value_is_true(value: float) -> None:
    v = float(np.float32(value))
    shown, decimals, marked = shown_value(value_text(v))
    if marked:
        assert abs(shown - v) <= 0.5 * 10**-decimals * (1 + 1e-9)
        assert shown != 0.0 or v == 0.0
    else:
        assert shown == pytest.approx(v, abs=4 * float(np.spacing(np.float32(abs(v)))) + 1e-12)


def test_values_on_hover() -> None:
    assert value_text(None) == "—"
    assert value_text(0.25) == "0.25"
    assert value_text(-1.5) == "−1.5"
    assert value_text(0.123456) == "≈ 0.12"
    assert value_text(0.0041) == "≈ 0.0041"  # a small value is never written as 0


def test_classify_prints_the_probability_without_rounding() -> None:
    for p in (0.99999, 1.0, 0.5, 0.123456789, 3e-8):
        text = probability_column(p)
        assert np.float32(float(text)) == np.float32(p)  # the same float32, exactly
    assert probability_column(1.0) == "1"
    assert probability_column(0.99999) == "0.99999"


def test_the_answer_panel_uses_the_rule() -> None:
    probabilities = np.array([0.999987, 0.000013], np.float32)
    prediction = prediction_of(probabilities, ("7", "1"))
    text = answer_text(prediction, probabilities)
    assert text.detail == "probability ≈ 99.999 %"  # not "100 %": the model is not sure
    assert text.bar_labels == ("≈99.999%", "")  # the same rule, without spaces over a bar
    logits = answer_text(prediction, probabilities, "logits")
    assert logits.detail.endswith("a softmax of the model's scores (logits)")
    sigmoid = answer_text(prediction_of(np.array([0.9, 0.8], np.float32), ("a", "b")),
                          np.array([0.9, 0.8], np.float32), "independent")  # fmt: skip
    assert sigmoid.detail.startswith("score 90 %")  # 0.9 in float32: 90 % to its precision
    assert "need not add up to 100 %" in sigmoid.detail
