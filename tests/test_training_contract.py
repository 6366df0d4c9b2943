"""models.training.contract: the shipped model keeps the contract; each broken rule is named."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx
import pytest

from models import DEFAULT_MODEL_PATH
from models.training.contract import (
    METADATA_KEYS,
    ContractError,
    check_model_contract,
    contract_problems,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture
def shipped() -> onnx.ModelProto:
    """A fresh copy of the shipped model, free to break."""
    return onnx.load(str(DEFAULT_MODEL_PATH))


def set_metadata(proto: onnx.ModelProto, key: str, value: str | None) -> None:
    """Change (or, with None, remove) one metadata entry."""
    entries = [(entry.key, entry.value) for entry in proto.metadata_props if entry.key != key]
    if value is not None:
        entries.append((key, value))
    del proto.metadata_props[:]
    for entry_key, entry_value in entries:
        entry = proto.metadata_props.add()
        entry.key, entry.value = entry_key, entry_value


def rename_input(proto: onnx.ModelProto) -> None:
    proto.graph.input[0].name = "input_1"


def fix_batch_size(proto: onnx.ModelProto) -> None:
    proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1


def make_input_double(proto: onnx.ModelProto) -> None:
    proto.graph.input[0].type.tensor_type.elem_type = onnx.TensorProto.DOUBLE


def make_input_nchw(proto: onnx.ModelProto) -> None:
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    dims[1].dim_value, dims[3].dim_value = 1, 28


def widen_output(proto: onnx.ModelProto) -> None:
    proto.graph.output[0].type.tensor_type.shape.dim[1].dim_value = 11


def rename_output(proto: onnx.ModelProto) -> None:
    proto.graph.output[0].name = "logits"


def add_output(proto: onnx.ModelProto) -> None:
    proto.graph.output.append(onnx.helper.make_tensor_value_info("extra", 1, ["batch", 10]))


@pytest.mark.parametrize(
    ("breaking", "expected"),
    [
        (rename_input, "expected one input named 'image', found ['input_1']"),
        (fix_batch_size, "input 'image' should have shape (batch, 28, 28, 1) with a symbolic"),
        (make_input_double, "input 'image' should be float32"),
        (make_input_nchw, "got (batch, 1, 28, 28)"),
        (widen_output, "output 'probabilities' should have shape (batch, 10)"),
        (rename_output, "expected one output named 'probabilities', found ['logits']"),
        (add_output, "found ['probabilities', 'extra']"),
        (lambda p: set_metadata(p, "command", None), "metadata lacks command"),
        (lambda p: set_metadata(p, "name", ""), "metadata lacks name"),
        (lambda p: set_metadata(p, "class_labels", '["a", "b"]'), "class_labels should be"),
        (lambda p: set_metadata(p, "class_labels", "0..9"), "class_labels should be"),
        (lambda p: set_metadata(p, "test_accuracy", "99.3"), "a fraction in 0..1, got '99.3'"),
        (lambda p: set_metadata(p, "test_accuracy", "high"), "a fraction in 0..1, got 'high'"),
        (lambda p: set_metadata(p, "training_date", "2025-01-01T10:00:00"), "with a time zone"),
        (lambda p: set_metadata(p, "training_date", "yesterday"), "with a time zone"),
    ],
)
def test_each_broken_rule_is_named(
    shipped: onnx.ModelProto, breaking: Callable[[onnx.ModelProto], None], expected: str
) -> None:
    breaking(shipped)
    problems = contract_problems(shipped)
    assert len(problems) == 1, problems
    assert expected in problems[0]
    with pytest.raises(ContractError) as caught:
        check_model_contract(shipped)
    assert caught.value.problems == tuple(problems)
    assert expected in str(caught.value)


def test_the_shipped_model_keeps_the_contract() -> None:
    check_model_contract(DEFAULT_MODEL_PATH)
    check_model_contract(DEFAULT_MODEL_PATH.read_bytes())
    assert contract_problems(onnx.load(str(DEFAULT_MODEL_PATH))) == []


def test_every_problem_is_listed_at_once(shipped: onnx.ModelProto) -> None:
    rename_input(shipped)
    widen_output(shipped)
    for key in METADATA_KEYS:
        set_metadata(shipped, key, None)
    problems = contract_problems(shipped)
    assert len(problems) == 3
    assert f"metadata lacks {', '.join(METADATA_KEYS)}" in problems[2]


def test_an_unreadable_file_is_a_contract_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07not an onnx model at all" * 10)
    for model in (garbage, garbage.read_bytes(), tmp_path / "missing.onnx"):
        with pytest.raises(ContractError, match="not a readable ONNX model"):
            check_model_contract(model)
