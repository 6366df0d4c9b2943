"""The network's answer in words: the predicted class, its probability, the bars' labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.animation.arithmetic import format_number

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.network.model_run import Prediction

SURE = 0.5  # below this probability the runner-up is named too
MIN_LABELLED = 0.005  # bars below half a percent get no label


def percent_text(probability: float) -> str:
    """A probability (0..1) in percent: 98 %, 3 %, 0.4 % (whole percents from 1 % up)."""
    percent = probability * 100.0
    return f"{format_number(percent, 0 if percent >= 1 else 1)} %"


@dataclass(frozen=True, slots=True)
class AnswerText:
    """What the answer panel says.

    ``answer`` is the predicted label; ``detail`` its probability, and the runner-up when the
    network is unsure (below ``SURE``); ``bar_labels`` one percentage per class, "" for bars
    under ``MIN_LABELLED``.
    """

    answer: str
    detail: str
    bar_labels: tuple[str, ...]


def answer_text(prediction: Prediction, probabilities: NDArray[np.float32]) -> AnswerText:
    """The words for ``prediction``, made from the probability vector (K,) it came from."""
    detail = f"probability {percent_text(prediction.probability)}"
    second = prediction.runner_up
    if prediction.probability < SURE and second is not None:
        detail += f"\nor {second.label}? ({percent_text(second.probability)})"
    labels = tuple([percent_text(p) if p >= MIN_LABELLED else "" for p in probabilities.tolist()])
    return AnswerText(prediction.label, detail, labels)
