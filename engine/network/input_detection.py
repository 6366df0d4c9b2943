"""Finding the preprocessing a digit model was trained with, by trying each on MNIST samples.

A model file rarely says what input range it expects. For a digit model (28×28×1) the app
has MNIST test digits with their labels (models/samples.npz): each candidate preprocessing
(0..1, 0..255, −1..1, MNIST's mean/std; white ink on black or inverted) is tried on all of
them, and the one that classifies most of them correctly is kept. A correct model scores 90 %
or more under the right one; under a wrong one it typically collapses to one answer (10 %).
A model that scores under 50 % with every candidate is probably not an MNIST digit model, or
needs a preprocessing the app does not try, and the app says so instead of trusting it.

Many CNNs keep their answers when their input is scaled (a ReLU network with small biases
mostly scales its scores), so several candidates may classify the samples equally well. Then
the samples cannot tell them apart, and the app says so: among the candidates within
``TIE`` samples of the best, those clearly less confident than the others (their input
shrunk towards a blur) are dropped, and the first in the order 0..1, −1..1, MNIST mean/std,
0..255 is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.output_scores import as_shown
from engine.network.preprocessing import MNIST_STANDARD, PLUS_MINUS_ONE, ZERO_255, ZERO_ONE

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from engine.network.model import OnnxModel
    from engine.network.preprocessing import Preprocessing

SURE = 0.9  # a correct model scores at least this on the samples under the right preprocessing
DOUBTFUL = 0.5  # below this with every candidate: a warning, not silence
TIE = 2  # samples: candidates this close to the best are as good (the samples' noise)
LESS_SURE = 0.05  # mean confidence this far below the tied best: a shrunk, blurred input
DIGITS = tuple(str(d) for d in range(10))
DIGIT_SHAPE = (28, 28, 1)

CANDIDATES: tuple[Preprocessing, ...] = tuple(
    r.with_inverted(inverted)
    for inverted in (False, True)
    for r in (ZERO_ONE, PLUS_MINUS_ONE, MNIST_STANDARD, ZERO_255)
)
"""What is tried on a digit model, in order (the first of equally good ones is used)."""


def is_digit_model(model: OnnxModel) -> bool:
    """True for a 28×28 grayscale model (MNIST's size): the lab draws digits for it."""
    return model.input_shape == DIGIT_SHAPE


def digit_classes(model: OnnxModel) -> tuple[int, ...] | None:
    """The class index of each digit 0..9, None for a model with fewer than ten classes.

    By label ("0".."9") when the labels have them all, else the first ten classes.
    """
    labels = model.class_labels
    if all(d in labels for d in DIGITS):
        return tuple(labels.index(d) for d in DIGITS)
    return tuple(range(10)) if model.num_classes >= 10 else None


@dataclass(frozen=True, slots=True)
class CandidateResult:
    """How one preprocessing did on the samples: correct answers and mean confidence."""

    preprocessing: Preprocessing
    correct: int
    total: int
    confidence: float

    @property
    def accuracy(self) -> float:
        """Correct answers as a fraction of the samples."""
        return self.correct / self.total if self.total else 0.0

    def text(self, digits: bool = True) -> str:
        """E.g. "−1..1, white ink on black: 98 of 100 samples right"."""
        return f"{self.preprocessing.text(digits)}: {self.correct} of {self.total} samples right"


@dataclass(frozen=True, slots=True)
class Detection:
    """Every candidate's result on the samples, best first.

    ``ties`` are the other candidates the samples cannot tell from the best (as many right,
    within ``TIE``, and as sure).
    """

    results: tuple[CandidateResult, ...]
    ties: tuple[CandidateResult, ...] = ()

    @property
    def best(self) -> CandidateResult:
        """The candidate that classified most samples correctly."""
        return self.results[0]

    @property
    def sure(self) -> bool:
        """True when the best candidate scored at least 90 %."""
        return self.best.accuracy >= SURE

    @property
    def doubtful(self) -> bool:
        """True when every candidate scored under 50 %: the model may not fit MNIST digits."""
        return self.best.accuracy < DOUBTFUL

    def runner_up(self) -> CandidateResult | None:
        """The best candidate with another range (the next best guess), None if none."""
        best = self.best.preprocessing
        others = (r for r in self.results[1:] if r.preprocessing.name != best.name)
        return next(others, None)

    @property
    def text(self) -> str:
        """E.g. "−1..1, white ink on black: 98 of 100 samples right; next best 0..1, ...: 12"."""
        head = self.best.text()
        if self.ties:
            names = ", ".join(r.preprocessing.text(True) for r in self.ties)
            head += f" (as good on these samples: {names}; they cannot tell them apart)"
        tied = {r.preprocessing for r in self.ties}
        second = next(
            (r for r in self.results[1:] if r.preprocessing not in tied),
            None,
        )
        if second is None:
            return head
        other = second.preprocessing.text(True)
        return f"{head}; next best {other}: {second.correct} of {second.total}"


def detect_preprocessing(model: OnnxModel, images: ArrayLike, labels: ArrayLike) -> Detection:
    """Try every candidate preprocessing on digits ``images`` (N, 28, 28) in 0..1 (ink 1).

    ``labels`` (N,) are the digits. ValueError for a model that is not a digit model (28×28×1
    with at least ten classes) or for no images; whatever ONNX Runtime raises on a failure.
    """
    classes = digit_classes(model)
    if not is_digit_model(model) or classes is None:
        raise ValueError(
            f"{model.name} is not a digit model (28×28×1 input, ten classes or more); its "
            "preprocessing cannot be found with MNIST digits"
        )
    pictures = np.asarray(images, dtype=np.float32)
    digits = np.asarray(labels, dtype=np.int64)
    if pictures.ndim != 3 or len(pictures) == 0 or len(digits) != len(pictures):
        raise ValueError(f"expected digits (N, 28, 28) and N labels, got {pictures.shape}")
    truth = np.asarray(classes)[digits]
    results = []
    for candidate in CANDIDATES:
        rows = model.class_scores(candidate.apply(pictures))
        shown = np.nan_to_num(np.stack([as_shown(row, model.output_kind) for row in rows]))
        correct = int(np.sum(np.argmax(shown, axis=1) == truth))
        confidence = float(np.mean(shown[np.arange(len(truth)), truth]))
        results.append(CandidateResult(candidate, correct, len(truth), confidence))
    return ranked(results)


def ranked(results: list[CandidateResult]) -> Detection:
    """The candidates best first: the tied best (see the module) in the candidates' order."""
    top = max(r.correct for r in results)
    tied = [r for r in results if r.correct >= top - TIE]
    surest = max(r.confidence for r in tied)
    tied = [r for r in tied if r.confidence >= surest - LESS_SURE]
    rest = sorted(
        (r for r in results if r not in tied),
        key=lambda r: (-r.correct, -r.confidence, results.index(r)),
    )
    return Detection((*tied, *rest), tuple(tied[1:]))
