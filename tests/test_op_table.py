"""The one table of ONNX op kinds: complete, the only place op names are spelled, and enough
(one entry, plus its NumPy replay) to support a new layer type end to end."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import numpy as np
import pytest

from engine import OnnxModel
from engine.network import ops
from engine.network.agreement import compare_with_numpy
from engine.network.lab_state import LabModel
from engine.network.ops import OPS, Kind, Layout, OnnxOp, op_info
from engine.network.replay import batch_norm
from tests import onnx_builders as build

REPO = Path(__file__).resolve().parent.parent
READERS = sorted(
    [*(REPO / "engine" / "network").glob("*.py"), *(REPO / "gui" / "digits").glob("*.py")]
)


def string_literals(path: Path) -> list[str]:
    """Every plain string literal in a Python file (f-strings and docstrings included)."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except ValueError:  # an f-string
                continue
            if isinstance(value, str):
                found.append(value)
    return found


# ----- the table itself -------------------------------------------------------------------
def test_op_names_are_spelled_in_the_table_only() -> None:
    names = set(OPS)
    spelled = {
        path.relative_to(REPO).as_posix(): sorted(names & set(string_literals(path)))
        for path in READERS
        if path.name != "ops.py"
    }
    assert {path: found for path, found in spelled.items() if found} == {}


def test_every_entry_is_complete() -> None:
    for op, entry in OPS.items():
        assert entry.op == op
        assert entry.title, op
        assert entry.explanation.endswith("."), op
        assert entry.explanation[0].islower() or entry.explanation[0] in "−", op
        assert list(entry.weight_inputs) == sorted(set(entry.weight_inputs)), op
        if entry.kernel is not None:
            assert entry.weight_inputs, op
        if entry.window in ("max", "avg"):
            assert entry.kind is Kind.POOL, op
        if entry.window is not None:
            assert entry.channels_first, op
        if entry.scores in ("probabilities", "log-probabilities"):
            assert entry.kind is Kind.OUTPUT, op
        if entry.scores == "independent":  # a sigmoid: an activation, and scores at the end
            assert entry.kind is Kind.ACTIVATION, op
        assert entry.shown_as_layer == (
            entry.kind not in (Kind.PLUMBING, Kind.QUANTIZE, Kind.SHAPE, Kind.CONSTANT)
        )
        if entry.kernel is not None:
            assert entry.kernel_input in entry.weight_inputs, op
            fused = op_info(f"{op}+Add")  # where a separately added bias is counted
            assert entry.bias_input in (*entry.weight_inputs, *fused.weight_inputs), op
        if entry.quantized is not None:
            positions = [*entry.quantized.weights, *entry.quantized.weight_zero_points]
            assert set(positions) <= set(entry.weight_inputs), op
        if entry.combines is not None:
            assert entry.kind is Kind.ARITHMETIC, op
    assert op_info("Transpose").layout is Layout.PERMUTATION
    assert {op for op, e in OPS.items() if e.kind is Kind.DENSE} == {
        "Gemm", "MatMul", "MatMul+Add", "QLinearMatMul", "QGemm", "MatMulInteger",
    }  # fmt: skip
    assert op_info("Conv+Add") is OPS["Conv"]  # a layer read from two nodes: its first op
    assert op_info("MatMul+Add") is OPS["MatMul+Add"]


def test_an_op_the_table_does_not_know() -> None:
    entry = op_info("MyCustomOp")
    assert (entry.kind, entry.title, entry.explanation, entry.replay) == (
        Kind.OTHER, "MyCustomOp", "", None,
    )  # fmt: skip
    assert entry.shown_as_layer and not entry.channels_first


# ----- BatchNormalization: one entry ---------------------------------------------------------
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_batch_normalization_is_one_entry(tmp_path: Path, layout: str) -> None:
    proto = build.with_batch_norm(build.classifier(layout=layout, names="none", size=10))
    model = OnnxModel(build.save(proto, tmp_path / "bn.onnx"))
    layers = [(i.name, i.op, i.output_shape, i.params) for i in model.layers()]
    assert layers[:3] == [
        ("conv1", "Conv", (10, 10, 4), 40),
        ("batchnorm1", "BatchNormalization", (10, 10, 4), 16),  # scale, offset, mean, variance
        ("batchnorm1 · relu", "Relu", (10, 10, 4), 0),
    ]
    scale, offset, mean, variance = model.parameters("batchnorm1")
    assert all(p.shape == (4,) for p in (scale, offset, mean, variance))
    assert model.attributes("batchnorm1")["epsilon"] == pytest.approx(1e-3)
    image = np.random.default_rng(4).random(model.input_shape, dtype=np.float32)
    # the model (with its intermediate outputs) gives ORT's own final answer
    batch = image.transpose(2, 0, 1)[None] if layout == "NCHW" else image[None]
    np.testing.assert_allclose(model.predict(image), build.run_bare(proto, batch)[0], atol=1e-6)
    acts = {a.name: a.array for a in model.activations(image)}
    expected = batch_norm(acts["conv1"], scale, offset, mean, variance, 1e-3)
    np.testing.assert_allclose(acts["batchnorm1"], expected, atol=1e-5)
    agreement = compare_with_numpy(model, image)
    assert [a.name for a in agreement] == [name for name, *_ in layers]
    assert max(a.max_abs_diff for a in agreement) <= 1e-5
    lab_proto = build.with_batch_norm(
        build.classifier(layout=layout, names="none", size=28, classes=10)
    )
    shown = LabModel.of(OnnxModel(build.save(lab_proto, tmp_path / "b.onnx"))).layers["batchnorm1"]
    assert (
        shown.title.plain == "batchnorm1 — batch normalisation (ONNX BatchNormalization) → 28×28×4"
    )
    assert shown.explanation.startswith("Batch normalisation: each channel is shifted and scaled")
    assert shown.explanation.endswith("28×28×4 → 28×28×4. 16 parameters.")
    assert shown.filter_of == "conv1"  # it keeps the first convolution's maps one for one


def test_without_its_entry_batch_normalization_is_an_unknown_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proto = build.with_batch_norm(build.classifier(names="none", size=10))
    path = build.save(proto, tmp_path / "bn.onnx")
    image = np.random.default_rng(5).random((10, 10, 1), dtype=np.float32)
    entry = OPS["BatchNormalization"]
    monkeypatch.delitem(OPS, "BatchNormalization")
    model = OnnxModel(path)
    layer = model.layers()[1]
    assert (layer.name, layer.params) == ("batchnormalization", 0)
    with pytest.raises(ValueError, match="no BatchNormalization layer"):
        compare_with_numpy(model, image)
    monkeypatch.setitem(OPS, "BatchNormalization", entry)  # the entry is all it takes
    model = OnnxModel(path)
    assert (model.layers()[1].name, model.layers()[1].params) == ("batchnorm1", 16)
    assert max(a.max_abs_diff for a in compare_with_numpy(model, image)) <= 1e-5


def test_batch_normalization_of_a_vector(tmp_path: Path) -> None:
    proto = build.with_batch_norm(build.classifier(names="none", size=10), after="scores")
    model = OnnxModel(build.save(proto, tmp_path / "bn_scores.onnx"))
    names = [(i.name, i.op, i.params) for i in model.layers()][-2:]
    assert names == [
        ("batchnorm1", "BatchNormalization", 12),
        ("batchnorm1 · softmax", "Softmax", 0),
    ]
    image = np.random.default_rng(6).random((10, 10, 1), dtype=np.float32)
    assert max(a.max_abs_diff for a in compare_with_numpy(model, image)) <= 1e-5


# ----- a layer type the app has never seen ------------------------------------------------
def test_a_new_layer_type_is_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proto = build.classifier(names="none", size=28, classes=10)
    relu = next(node for node in proto.graph.node if node.op_type == "Relu")
    relu.op_type = "Abs"
    path = build.save(proto, tmp_path / "abs.onnx")
    image = np.random.default_rng(7).random((28, 28, 1), dtype=np.float32) - 0.5
    before = OnnxModel(path)
    assert before.layers()[1].name == "abs"
    with pytest.raises(ValueError, match="no Abs layer"):
        compare_with_numpy(before, image)

    def replay_abs(model: OnnxModel, info: object, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    monkeypatch.setitem(
        OPS, "Abs", OnnxOp("Abs", Kind.ACTIVATION, "absolute value",
                           "negative values lose their sign.", replay=replay_abs),
    )  # fmt: skip
    model = OnnxModel(path)
    assert model.layers()[1].name == "conv1 · abs"
    assert max(a.max_abs_diff for a in compare_with_numpy(model, image)) <= 1e-5
    shown = LabModel.of(model).layers["conv1 · abs"]
    assert shown.title.plain == "conv1 · abs — absolute value (ONNX Abs) → 28×28×4"
    assert shown.explanation == "Absolute value: negative values lose their sign."
    assert ops.op_info("Abs").follows_a_layer
