"""The network's answer in words: the predicted class, its probability, the bars' labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.network.number_text import percent_text

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.network.model_run import Prediction
    from engine.network.output_scores import OutputKind

__all__ = ["AnswerText", "answer_text", "percent_text"]

SURE = 0.5  # below this probability the runner-up is named too
MIN_LABELLED = 0.01  # bars below one percent get no label (their height says enough)

HOW_READ: dict[OutputKind, str] = {
    "probabilities": "",
    "log-probabilities": "the model's log-probabilities, exponentiated",
    "logits": "a softmax of the model's scores (logits)",
    "independent": "each class scored on its own (sigmoid); scores need not add up to 100 %",
}
"""A line under the answer saying how the bars were read from the model's output."""


@dataclass(frozen=True, slots=True)
class AnswerText:
    """What the answer panel says.

    ``answer`` is the predicted label; ``detail`` its probability (or score), the runner-up
    when the network is unsure (below ``SURE``) and how the output was read; ``bar_labels``
    one percentage per class, compact ("≈17%"), "" for bars under ``MIN_LABELLED``.
    """

    answer: str
    detail: str
    bar_labels: tuple[str, ...]


def answer_text(
    prediction: Prediction,
    probabilities: NDArray[np.float32],
    kind: OutputKind = "probabilities",
) -> AnswerText:
    """The words for ``prediction``, made from the vector (K,) it came from.

    ``kind`` is what the model's output was (``output_scores``): independent scores are
    called scores, and an output that was converted says how.
    """
    word = "score" if kind == "independent" else "probability"
    detail = f"{word} {percent_text(prediction.probability)}"
    second = prediction.runner_up
    if prediction.probability < SURE and second is not None:
        detail += f"\nor {second.label}? ({percent_text(second.probability)})"
    if HOW_READ[kind]:
        detail += f"\n{HOW_READ[kind]}"
    labels = tuple(
        [percent_text(p, compact=True) if p >= MIN_LABELLED else "" for p in probabilities.tolist()]
    )
    return AnswerText(prediction.label, detail, labels)
