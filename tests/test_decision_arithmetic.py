"""The decision arithmetic (engine/network/decision.py) against NumPy, and through the lab.

The weights are read here straight from the ONNX graphs' initializers with the ``onnx`` package
(not through the engine's layer plan), the dense model is run here in NumPy from the picture,
and every written sum is read back and checked to add up within the precision it shows.
"""

from __future__ import annotations

import re

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engine import OnnxModel
from engine.drawings.samples import load_samples
from engine.network.decision import (
    SHOWN_TERMS,
    class_layer,
    decision_text,
    dense_unit_text,
    softmax_arithmetic,
    unit_arithmetic,
)
from engine.network.model_run import run_model
from gui.digits.lab import DigitLab
from gui.digits.vector_views import VectorBars
from models import DEFAULT_MODEL_PATH, DENSE_MODEL_PATH
from tests.written_sums import check_line, number

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
POWER = re.compile(r"^\(?(?P<m>−?[\d.]+)×10(?P<e>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)…\)?$")


def dense_weights(path: object) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) of every MatMul + Add in graph order, read from the initializers."""
    graph = onnx.load(str(path)).graph
    constants = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    layers, pending = [], None
    for node in graph.node:
        if node.op_type == "MatMul":
            pending = constants[node.input[1]].astype(np.float64)
        elif node.op_type == "Add" and pending is not None:
            bias = next(constants[n] for n in node.input if n in constants)
            layers.append((pending, bias.astype(np.float64)))
            pending = None
    return layers


def sample(label: int) -> np.ndarray:
    return load_samples().one_per_class()[label]


def interval_of(token: str) -> tuple[float, float]:
    """A written number, also in powers of ten ("9.48×10⁻²⁰…"), as (low, high)."""
    match = POWER.match(token.strip())
    if match is None:
        iv = number(token)
        return iv.low, iv.high
    mantissa = float(match["m"].replace("−", "-"))
    exponent = int(match["e"].translate(SUPERSCRIPTS))
    half = 0.005 * 10.0**exponent
    return mantissa * 10.0**exponent - half, mantissa * 10.0**exponent + half


@pytest.mark.parametrize("path", [DEFAULT_MODEL_PATH, DENSE_MODEL_PATH], ids=["cnn", "mlp"])
@pytest.mark.parametrize("label", [3, 7])
def test_class_logit_is_bias_plus_weighted_sum_as_numpy_computes_it(path, label) -> None:
    model = OnnxModel(path)
    run = run_model(model, sample(label))
    layer = class_layer(model)
    assert layer == "probabilities"
    w, b = dense_weights(path)[-1]
    a = run.value("dense1 · relu").astype(np.float64)
    logits = a @ w + b
    for k in range(10):
        x = unit_arithmetic(model, run, layer, k)
        assert x.bias == pytest.approx(b[k])
        products = w[:, k] * a
        top = np.argsort(-np.abs(products), kind="stable")[:SHOWN_TERMS]
        assert [c.source for c in x.shown] == top.tolist()
        assert [c.product for c in x.shown] == pytest.approx(products[top].tolist())
        assert x.rest_count == a.size - SHOWN_TERMS
        assert x.bias + sum(c.product for c in x.shown) + x.rest == pytest.approx(logits[k])
        assert x.value == pytest.approx(logits[k], abs=1e-9)
        assert x.model_value == pytest.approx(logits[k], abs=1e-4)  # ORT's own float32
    given = run.value(layer).astype(np.float64)  # ORT's float32 logits
    np.testing.assert_allclose(given, logits, atol=1e-4)
    soft = softmax_arithmetic(run.value(layer))
    e = np.exp(given - given.max())
    np.testing.assert_allclose(soft.probabilities, e / e.sum(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(soft.probabilities, run.probabilities, atol=1e-5)


def test_the_mlp_in_numpy_from_the_picture_gives_the_written_unit() -> None:
    """dense1's units of the MLP, from the 784 pixels, in NumPy: the engine's sum agrees."""
    model = OnnxModel(DENSE_MODEL_PATH)
    picture = sample(2)
    run = run_model(model, picture)
    (w1, b1), _ = dense_weights(DENSE_MODEL_PATH)
    z1 = picture.reshape(-1).astype(np.float64) @ w1 + b1
    for unit in (0, 5, 127):
        x = unit_arithmetic(model, run, "dense1", unit)
        assert x.source_layer == "flatten"
        assert x.inputs == 784
        assert x.value == pytest.approx(z1[unit], abs=1e-9)


@pytest.mark.parametrize("path", [DEFAULT_MODEL_PATH, DENSE_MODEL_PATH], ids=["cnn", "mlp"])
def test_written_sums_add_up_within_their_precision(path) -> None:
    model = OnnxModel(path)
    run = run_model(model, sample(8))
    text = decision_text(model, run, 8)
    lines = text.splitlines()
    products = [line.split(":", 1)[1] for line in lines if line.startswith("  + unit")]
    assert len(products) == SHOWN_TERMS
    for line in products:  # "0.167… × 10.5…  ≈ 1.75"
        assert check_line(line.strip()).adds_up, line
    z = next(i for i, line in enumerate(lines) if line.startswith("z = ") and "Σ" not in line)
    logit_line = f"{lines[z][4:]} {lines[z + 1].strip()}"
    checked = check_line(logit_line)
    assert checked.adds_up, logit_line
    assert checked.written.holds(float(run.value("probabilities")[8]))
    # the softmax's sum of e^(z − m), read back term by term (some in powers of ten)
    start = next(i for i, line in enumerate(lines) if line.startswith("sum = "))
    terms = lines[start][len("sum = ") :].split(" + ")
    low = sum(interval_of(t)[0] for t in terms)
    high = sum(interval_of(t)[1] for t in terms)
    written = lines[start + 1].strip().split(" ", 1)[1]
    w_low, w_high = interval_of(written + ("…" if lines[start + 1].strip()[0] == "≈" else ""))
    assert low <= w_high + 1e-9
    assert w_low <= high + 1e-9
    probability = lines[start + 2]
    assert probability.startswith("p(class 8) = ")
    shown = probability.split("  (")[0].rsplit(" ", 1)[1]
    p = float(run.probabilities[8])
    places = len(shown.split(".")[1]) if "." in shown else None
    half = 1e-9 if places is None else 0.5 * 10.0**-places  # exact: up to float noise
    assert abs(float(shown) - p) <= half + 1e-9


def test_a_hidden_unit_and_refusals() -> None:
    model = OnnxModel(DEFAULT_MODEL_PATH)
    run = run_model(model, sample(1))
    text = dense_unit_text(model, run, "dense1", 4)
    assert text.startswith("dense1, unit 4\n")
    assert "over the 3136 units a of flatten" in text
    assert "the other 3126 terms, summed" in text
    with pytest.raises(ValueError, match="not a dense layer"):
        unit_arithmetic(model, run, "conv1", 0)
    with pytest.raises(ValueError, match="128 units"):
        unit_arithmetic(model, run, "dense1", 128)
    with pytest.raises(ValueError, match="finite"):
        softmax_arithmetic(np.array([1.0, np.nan]))


# ----- through the lab -------------------------------------------------------------------
@pytest.fixture
def lab(qtbot):
    widget = DigitLab()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.arithmetic.close()
    widget.undo_stack.clear()


def test_clicking_the_answer_shows_the_arithmetic_and_it_follows_the_drawing(lab, qtbot) -> None:
    assert lab.load_sample(3)
    QTest.mouseClick(lab.prediction_panel.answer, LEFT)
    qtbot.waitUntil(lab.arithmetic.isVisible)
    model, run = lab.model, lab.state.run
    assert model is not None and run is not None
    assert lab.arithmetic.text.toPlainText() == decision_text(model, run, 3)
    assert "class 3" in lab.arithmetic.windowTitle()
    assert lab.load_sample(5)  # the window follows the drawing
    run = lab.state.run
    assert run is not None
    assert lab.arithmetic.text.toPlainText() == decision_text(model, run, 5)


def test_clicking_a_class_bar_shows_that_class(lab, qtbot) -> None:
    assert lab.load_sample(4)
    chart = lab.prediction_panel.chart
    scene = chart.getPlotItem().vb.mapViewToScene(QPointF(9.0, 0.3))  # bar 9's column
    QTest.mouseClick(chart.viewport(), LEFT, NO_MODIFIER, chart.mapFromScene(scene))
    qtbot.waitUntil(lab.arithmetic.isVisible)
    model, run = lab.model, lab.state.run
    assert model is not None and run is not None
    assert lab.arithmetic.text.toPlainText() == decision_text(model, run, 9)


def test_clicking_a_dense_unit_shows_its_sum(lab, qtbot) -> None:
    assert lab.load_sample(6)
    bars = lab.network.rows["dense1"].picture
    assert isinstance(bars, VectorBars)
    lab.network.scroll_area.ensureWidgetVisible(bars)
    qtbot.wait(10)
    scene = bars.view_box.mapViewToScene(QPointF(17.0, 0.0))  # unit 17's bar
    QTest.mouseClick(bars.viewport(), LEFT, NO_MODIFIER, bars.mapFromScene(scene))
    qtbot.waitUntil(lab.arithmetic.isVisible)
    model, run = lab.model, lab.state.run
    assert model is not None and run is not None
    assert lab.arithmetic.text.toPlainText() == dense_unit_text(model, run, "dense1", 17)
    assert lab.arithmetic.windowTitle() == "How unit 17 of dense1 is computed"
