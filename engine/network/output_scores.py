"""What a classifier's output values are, decided by the values themselves, and the bars shown.

An exporter may end the graph in a Softmax, a hand-written softmax (Exp, ReduceSum, Div), a
LogSoftmax, a sigmoid per class (multi-label) or in plain scores (logits). The op's name says
little (a hand-written softmax ends in a Div), so the model is run on a few inputs when it is
loaded and its output rows decide:

* every row non-negative and adding up to 1 (± 1e-3, more for an 8-bit output): probabilities,
  shown as they are;
* every value ≤ 0 and the exponentials adding up to 1: log-probabilities, exponentiated;
* a sigmoid (or hard sigmoid) at the end and every value in 0..1: independent scores, one per
  class, shown as they are (they need not add up to 1);
* anything else: logits (scores), turned into probabilities with a softmax, and the app says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from engine.network.ops import op_info

if TYPE_CHECKING:
    from numpy.typing import NDArray

OutputKind = Literal["probabilities", "log-probabilities", "independent", "logits"]
SUM_TOLERANCE = 1e-3

KIND_TEXT: dict[OutputKind, str] = {
    "probabilities": "probabilities (each row adds up to 1), shown as they are",
    "log-probabilities": "log-probabilities, shown as probabilities (e^x)",
    "independent": (
        "independent scores in 0..1, one per class (a sigmoid: they need not add up to 1), "
        "shown as they are"
    ),
    "logits": "scores (logits), turned into probabilities by a softmax",
}
"""How the summary and the lab say what the output is and what is shown."""

VALUES_WORD: dict[OutputKind, str] = {
    "probabilities": "probabilities",
    "log-probabilities": "log-probabilities",
    "independent": "independent scores",
    "logits": "logits",
}
"""One word (or two) for what a layer's values are, for titles."""


def output_kind(rows: NDArray[np.floating], final_op: str | None, step: float = 0.0) -> OutputKind:
    """What the output rows (n, K) are; ``final_op`` is the op that computed them.

    ``step`` is the output's 8-bit quantization step (its DequantizeLinear scale), 0 for a
    float output: rounding to steps can move a sum of K values by up to K · step.
    """
    values = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
    if values.size == 0 or not np.isfinite(values).all():
        return "logits"
    tolerance = max(SUM_TOLERANCE, values.shape[1] * step)
    sums = values.sum(axis=1)
    if values.min() >= -tolerance and np.all(np.abs(sums - 1.0) <= tolerance):
        return "probabilities"
    if values.max() <= tolerance:
        log_sums = np.log(np.exp(values).sum(axis=1))
        if np.all(np.abs(log_sums) <= tolerance):
            return "log-probabilities"
    ends_in_sigmoid = final_op is not None and op_info(final_op).scores == "independent"
    if ends_in_sigmoid and values.min() >= 0.0 and values.max() <= 1.0:
        return "independent"
    return "logits"


def as_shown(scores: NDArray[np.float32], kind: OutputKind) -> NDArray[np.float32]:
    """The output row (K,) as the app shows it: probabilities, or independent scores."""
    if kind in ("probabilities", "independent"):
        return scores
    if kind == "log-probabilities":
        exponentiated: NDArray[np.float32] = np.exp(scores)
        return exponentiated
    with np.errstate(all="ignore"):  # a broken model's inf/NaN scores give NaN, not noise
        shifted = np.exp(scores - scores.max())
        result: NDArray[np.float32] = shifted / shifted.sum()
    return result
