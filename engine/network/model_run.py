"""One run of a model on one image: every activation, the probabilities and the answer.

``run_model`` is the one engine call behind every answer the app gives: the digit lab's and
the command line's ``--classify``. It applies the model's input preprocessing, runs the model
once (``OnnxModel.forward``: one ``session.run`` of the model with its intermediate tensors
added as outputs) and reads the probabilities from the same run's output, so the answer and
the layers shown beside it can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from engine.network.finite_values import (
    EXPECTED_FINITE,
    NotFinite,
    first_not_finite,
    is_finite,
    what_is_not_finite,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import ArrayLike, NDArray

    from engine.network.model import Activation, OnnxModel
    from engine.network.output_scores import OutputKind
    from engine.network.preprocessing import Preprocessing


@dataclass(frozen=True, slots=True)
class ClassScore:
    """One class and its probability (0..1)."""

    index: int
    label: str
    probability: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """The network's answer: the most probable class, and the next most probable one.

    ``runner_up`` is None for a model with one class only.
    """

    best: ClassScore
    runner_up: ClassScore | None

    @property
    def label(self) -> str:
        """The predicted class's label."""
        return self.best.label

    @property
    def probability(self) -> float:
        """The predicted class's probability, 0..1."""
        return self.best.probability

    @property
    def index(self) -> int:
        """The predicted class's index in the class vector."""
        return self.best.index


def prediction_of(probabilities: NDArray[np.float32], labels: Sequence[str]) -> Prediction:
    """The best and second-best classes of a probability vector (K,), one label per class.

    Ties go to the lower class index (as ``np.argmax``).
    """
    values = probabilities.tolist()
    best = int(np.argmax(probabilities))
    others = (i for i in range(len(values)) if i != best)
    second = max(others, key=values.__getitem__, default=None)
    return Prediction(
        ClassScore(best, labels[best], values[best]),
        None if second is None else ClassScore(second, labels[second], values[second]),
    )


@dataclass(frozen=True, slots=True, eq=False)
class ModelRun:
    """Everything one run of the model gave for one image.

    ``activations`` are every layer's output in graph order (channels-last, read-only);
    ``scores`` (K,) the model's output as it gives it; ``probabilities`` (K,) that output as
    shown (``kind`` says what it was: a softmax is applied to logits); ``prediction`` is their
    best class; ``values`` maps each layer's name to its output; ``model_input`` is the input
    the model was given (after preprocessing), (H, W, C).
    """

    activations: tuple[Activation, ...]
    probabilities: NDArray[np.float32]
    prediction: Prediction
    values: Mapping[str, NDArray[np.float32]]
    scores: NDArray[np.float32]
    kind: OutputKind
    model_input: NDArray[np.float32]

    def value(self, layer: str) -> NDArray[np.float32]:
        """One layer's output: (H, W, C) for a map, (n,) for a vector. KeyError if unknown."""
        return self.values[layer]


def run_model(
    model: OnnxModel, image: ArrayLike, preprocessing: Preprocessing | None = None
) -> ModelRun:
    """Run ``model`` once on a picture ((H, W) or (H, W, C) in 0..1): activations and answer.

    The picture is turned into the model's input by ``preprocessing`` (None: as it is, 0..1),
    then one ``session.run`` (``OnnxModel.forward``) gives every layer and the output.
    ValueError for a picture of the wrong size or with NaN; ``NotFinite`` (a ValueError)
    naming the first layer whose output is NaN or infinite when the model's output is not
    finite; whatever ONNX Runtime raises when the model fails on this input.
    """
    picture = model.model_input(image)
    given = picture if preprocessing is None else preprocessing.apply(picture)
    if np.shares_memory(given, np.asarray(image)):  # never freeze the caller's own array
        given = given.copy()
    given.flags.writeable = False
    forward = model.forward(given)
    if not is_finite(forward.scores):
        layer = first_not_finite(forward.activations)
        where = (
            "its output"
            if layer is None
            else f"layer {layer.name!r} ({layer.op}) gives {what_is_not_finite(layer.array)}"
        )
        raise NotFinite(
            f"the model's answer for this input is not a number: {where}; {EXPECTED_FINITE}",
            None if layer is None else layer.name,
        )
    probabilities = model.as_probabilities(forward.scores)
    if probabilities.flags.writeable:
        probabilities.flags.writeable = False
    values = MappingProxyType({record.name: record.array for record in forward.activations})
    prediction = prediction_of(probabilities, model.class_labels)
    return ModelRun(
        forward.activations, probabilities, prediction, values, forward.scores,
        model.output_kind, given,
    )  # fmt: skip
