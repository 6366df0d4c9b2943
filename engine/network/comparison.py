"""A second model beside the lab's own, run on the same input: "Compare with".

KLDL's argument for convolution, measured rather than claimed: a student draws (and moves the
drawing with the arrow keys) and sees the CNN's answer beside a dense network's (the shipped
``models/mnist_mlp.onnx`` by default). The second model gets exactly the 28×28 input the first
one gets, each with its own input preprocessing (range, ink).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.network.answer_text import AnswerText, answer_text
from engine.network.file import describe_error
from engine.network.model_run import ModelRun, run_model

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.network.lab_model import LabModel


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """The second model and what it says about the lab's current input.

    Attributes:
        model: The second model (a digit model: (28, 28, 1) input).
        run: Its run on the input; None with no input, or when it failed.
        answer: Its answer in words, None when there is no run.
        problem: Why it gave no answer for this input, None when it did (or had none to give).
    """

    model: LabModel
    run: ModelRun | None = None
    answer: AnswerText | None = None
    problem: str | None = None

    @classmethod
    def of(cls, model: LabModel) -> Comparison:
        """A comparison with ``model``, nothing run yet. ValueError if it is not a digit model."""
        if not model.digits:
            raise ValueError(
                f"{model.model.path}: only a digit model (28×28×1 input) can be compared on a "
                f"drawing; this one takes {model.model.input_shape}"
            )
        return cls(model)

    def on(self, image: NDArray[np.float32]) -> Comparison:
        """The second model run on the lab's input ``image`` (28, 28) in 0..1 (zeros: none)."""
        if not image.any() or image.shape[:2] != self.model.model.input_shape[:2]:
            return replace(self, run=None, answer=None, problem=None)
        try:
            run = run_model(self.model.model, image, self.model.choice.preprocessing)
        except Exception as exc:  # a user's model may fail at run time; say so
            problem = f"The model failed on this input: {describe_error(exc, kind=False)}"
            return replace(self, run=None, answer=None, problem=problem)
        answer = answer_text(run.prediction, run.probabilities, run.kind)
        return replace(self, run=run, answer=answer, problem=None)

    @property
    def name(self) -> str:
        """The second model's name (from its file's metadata, else its file name)."""
        return self.model.model.name
