"""The lesson registry: the worked examples of the course slides, ready to step through.

Each lesson has an id (for ``--lesson ID``), a title, a short explanation, the slide it comes
from, and either a playground set-up (input, filters, parameters) or a backprop exercise.
The lessons themselves are data, in ``engine.lessons.builtin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.animation.playground import PlaygroundSpec


@dataclass(frozen=True)
class BackpropExercise:
    """Slide 004's backprop through one conv layer: X, W, the target output and η."""

    x: NDArray[np.float64]
    w: NDArray[np.float64]
    target: NDArray[np.float64]
    learning_rate: float


@dataclass(frozen=True)
class Lesson:
    """One worked example. ``spec`` is the playground set-up (for backprop: the forward conv)."""

    id: str
    title: str
    explanation: str
    source: str
    spec: PlaygroundSpec
    notes: tuple[str, ...] = ()
    backprop: BackpropExercise | None = None
    decimals: int = 2
    truncate_decimals: bool = False

    @property
    def kind(self) -> str:
        return "backprop" if self.backprop is not None else "convolution"


def all_lessons() -> tuple[Lesson, ...]:
    """Every lesson, in teaching order."""
    from engine.lessons.builtin import LESSONS

    return LESSONS


def lesson(lesson_id: str) -> Lesson:
    """The lesson with this id; ValueError listing the known ids otherwise."""
    for item in all_lessons():
        if item.id == lesson_id:
            return item
    known = ", ".join(item.id for item in all_lessons())
    raise ValueError(f"unknown lesson {lesson_id!r}; known lessons: {known}")
