"""What a lesson is: a worked example with text.

A lesson is a playground set-up (a convolution, maybe with a backprop exercise), or a vector
lesson (issue 15): a run of the steps after the feature maps (flatten, dense, softmax,
cross-entropy, the update of a one-layer network), or a network's shapes layer by layer.

Built-in lessons (``engine/lessons/data/*.json``) and users' lesson files are read into the
same ``Lesson`` by ``engine.lessons.json_form``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.animation.playground import PlaygroundSpec
    from engine.animation.vector_setup import VectorSpec


@dataclass(frozen=True)
class BackpropExercise:
    """Slide 004's backprop through one conv layer ("Training CNN (1/4)–(4/4)").

    Attributes:
        x: The input X, (H, W); the same numbers as the lesson's input.
        w: The filter W, (kh, kw); the same numbers as the lesson's one filter.
        target: The target output T, (H − kh + 1, W − kw + 1).
        learning_rate: η of the update W ← W − η ∂E/∂W (no unit; > 0).
    """

    x: NDArray[np.float64]
    w: NDArray[np.float64]
    target: NDArray[np.float64]
    learning_rate: float

    @staticmethod
    def output_shape(spec: PlaygroundSpec) -> tuple[int, int] | None:
        """The shape of the output H for this set-up, or None if the exercise cannot use it.

        The exercise needs a plain convolution: one input channel, one filter, stride 1,
        dilation 1 and padding "valid"; H is then (H − kh + 1, W − kw + 1).
        """
        if spec.channels != 1 or spec.num_filters != 1:
            return None
        if spec.stride != (1, 1) or spec.dilation != (1, 1) or spec.padding != "valid":
            return None
        (h, w), (kh, kw) = spec.input.shape[:2], spec.kernel_size
        return (h - kh + 1, w - kw + 1)

    @staticmethod
    def fits(spec: PlaygroundSpec, target_shape: tuple[int, ...]) -> bool:
        """Whether the set-up is a plain convolution whose output has the target's shape."""
        return BackpropExercise.output_shape(spec) == tuple(target_shape)


@dataclass(frozen=True)
class Lesson:
    """One worked example: a set-up to step through, with its text and number display rule.

    Attributes:
        id: Short name for ``--lesson ID`` (lowercase letters, digits and hyphens); "file"
            for a user's lesson file that gives none.
        title: One line for menus.
        explanation: What the example shows, in a few sentences (plain text).
        source: The slide (or paper) the example comes from.
        spec: The playground set-up; for a backprop lesson, its forward convolution; None
            for a vector lesson.
        notes: Remarks on the source, e.g. a typo on the slide.
        backprop: The backprop exercise, or None for a convolution lesson.
        decimals: How many decimals the slide writes its own numbers with.
        truncate_decimals: Whether the slide cuts instead of rounding (slide 004: 7/9 → 0.77).
        vector: A vector lesson's set-up (then ``spec`` is None), else None.
    """

    id: str
    title: str
    explanation: str
    source: str
    spec: PlaygroundSpec | None
    notes: tuple[str, ...] = ()
    backprop: BackpropExercise | None = None
    decimals: int = 2
    truncate_decimals: bool = False
    vector: VectorSpec | None = None

    @property
    def kind(self) -> str:
        """The kind of lesson.

        "backprop" for a backprop exercise, "network" and "shapes" for vector lessons,
        "convolution" otherwise.
        """
        if self.vector is not None:
            return "shapes" if self.vector.is_shapes else "network"
        return "backprop" if self.backprop is not None else "convolution"

    @property
    def convolution(self) -> PlaygroundSpec:
        """The playground set-up of a convolution (or backprop) lesson.

        Raises:
            ValueError: a vector lesson, which has none.
        """
        if self.spec is None:
            raise ValueError(f"the lesson {self.id!r} is a {self.kind} lesson, not a convolution")
        return self.spec
