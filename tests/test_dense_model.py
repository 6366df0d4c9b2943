"""The shipped dense-only model (models/mnist_mlp.onnx): the contract, its accuracy, its card."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import onnx
import onnxruntime as ort

from models import DENSE_MODEL_CARD_PATH, DENSE_MODEL_PATH
from models.training.contract import check_model_contract

if TYPE_CHECKING:
    from pathlib import Path

REQUIRED_ACCURACY = 0.975  # issue 15: the ladder's dense-relu / dense-dropout on MNIST
MAX_BYTES = 600_000  # "a few hundred kB"


def test_dense_model_meets_the_contract_and_is_small() -> None:
    check_model_contract(DENSE_MODEL_PATH)  # raises ContractError naming every broken rule
    assert DENSE_MODEL_PATH.stat().st_size < MAX_BYTES
    session = ort.InferenceSession(str(DENSE_MODEL_PATH), providers=["CPUExecutionProvider"])
    (given,) = session.get_inputs()
    (output,) = session.get_outputs()
    assert (given.name, given.type, given.shape[1:]) == ("image", "tensor(float)", [28, 28, 1])
    assert (output.name, output.shape[1:]) == ("probabilities", [10])
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["architecture"] == "dense-dropout"
    ops = {node.op_type for node in onnx.load(str(DENSE_MODEL_PATH)).graph.node}
    assert "Conv" not in ops
    assert {"MatMul", "Softmax"} <= ops


def test_dense_model_accuracy_on_the_mnist_test_set(mnist_npz: Path) -> None:
    """≥ 97.5 % of the 10,000 test digits, measured here with ONNX Runtime."""
    with np.load(mnist_npz) as data:
        x = data["x_test"].astype(np.float32)[..., None] / 255.0
        y = data["y_test"].astype(np.int64)
    session = ort.InferenceSession(str(DENSE_MODEL_PATH), providers=["CPUExecutionProvider"])
    batches = [x[i : i + 1000] for i in range(0, len(x), 1000)]
    probabilities = np.concatenate(
        [session.run(["probabilities"], {"image": batch})[0] for batch in batches]
    )
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y))
    assert accuracy >= REQUIRED_ACCURACY
    meta = session.get_modelmeta().custom_metadata_map
    assert abs(float(meta["test_accuracy"]) - accuracy) < 5e-5  # the metadata tells the truth


def test_dense_model_card_describes_the_shipped_file() -> None:
    card = DENSE_MODEL_CARD_PATH.read_text(encoding="utf-8")
    digest = hashlib.sha256(DENSE_MODEL_PATH.read_bytes()).hexdigest()
    assert digest in card
    assert "97.96%" in card
    assert "dense-dropout" in card
