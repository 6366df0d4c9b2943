"""A lesson by id or file, its animation as the playground builds it, and its worked solution.

A convolution (or backprop) lesson's animation is an ``Animation``; a vector lesson's (flatten,
dense, softmax, cross-entropy, the update; a network's shapes) a ``VectorAnimation``.

Used by ``--lesson ID_OR_FILE`` (the command line and the window) and ``--export-solution``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.animation.frames import Animation
from engine.animation.numbers import NumberStyle
from engine.animation.playground import run_pipeline
from engine.animation.solution import worked_solution
from engine.animation.timeline import Timeline
from engine.animation.vector_frames import VectorAnimation
from engine.animation.vector_setup import run_vector
from engine.drawings.file_bytes import write_atomically
from engine.lessons.definition import BackpropExercise
from engine.lessons.file_format import read_lesson
from engine.lessons.json_form import FILE_LESSON_ID
from engine.lessons.registry import lesson, lesson_ids
from engine.operations.backprop import BackpropResult, conv_backprop

if TYPE_CHECKING:
    from engine.animation.playground import PlaygroundSpec
    from engine.animation.vector_setup import VectorSpec
    from engine.lessons.definition import Lesson


def find_lesson(id_or_path: str) -> Lesson:
    """A built-in lesson by its id, else the lesson file at this path.

    A file's lesson gets the id "file" (it is not the built-in lesson it may have been saved
    from) and, without a title, the file's name.

    Raises:
        LessonFileError: the file exists but is not a readable lesson (the message says why).
        ValueError: neither a lesson id nor an existing file; the message lists the ids.
    """
    if id_or_path in lesson_ids():
        return lesson(id_or_path)
    path = Path(id_or_path)
    if path.is_file():
        item = read_lesson(path)
        return replace(item, id=FILE_LESSON_ID, title=item.title or path.stem)
    known = ", ".join(lesson_ids())
    raise ValueError(
        f"unknown lesson {id_or_path!r}, and no lesson file has this path; known lessons: {known}"
    )


def exercise_result(
    spec: PlaygroundSpec, exercise: BackpropExercise | None, learning_rate: float
) -> BackpropResult | None:
    """The backprop exercise on ``spec``, or None when the set-up no longer fits it.

    The exercise needs a plain convolution whose output has the target's shape
    (``BackpropExercise.fits``).
    """
    if exercise is None or not BackpropExercise.fits(spec, exercise.target.shape):
        return None
    return conv_backprop(
        spec.input[:, :, 0], spec.filters[:, :, 0, 0], exercise.target, learning_rate
    )


def lesson_animation(item: Lesson) -> Animation | VectorAnimation:
    """The lesson's animation, as the playground shows it when the lesson is opened."""
    if item.vector is not None:
        return vector_animation(item.vector)
    spec = item.convolution
    result = run_pipeline(spec)
    exercise = item.backprop
    rate = None if exercise is None else exercise.learning_rate
    backprop = None if exercise is None else exercise_result(spec, exercise, exercise.learning_rate)
    style = NumberStyle(item.decimals, item.truncate_decimals, spec, rate)
    return Animation(result, Timeline(result, backprop), style)


def vector_animation(spec: VectorSpec, learning_rate: float | None = None) -> VectorAnimation:
    """A vector lesson's animation; ``learning_rate`` replaces the lesson's η when given.

    Raises:
        VectorSetupError: η is not above 0, or the set-up is refused (``run_vector``).
    """
    return VectorAnimation(run_vector(spec, learning_rate))


def lesson_solution(item: Lesson) -> str:
    """The lesson's worked solution in Markdown (``engine.animation.solution``)."""
    return worked_solution(
        lesson_animation(item),
        title=item.title,
        explanation=item.explanation,
        source=item.source,
        notes=item.notes,
    )


def save_solution(path: str | Path, text: str) -> None:
    """Write a worked solution (Markdown, UTF-8, Unix line ends) atomically.

    Through :func:`engine.drawings.file_bytes.write_atomically`: a temporary file next to
    ``path``, then renamed over it; an existing file keeps its mode, a symlink its target.

    Raises:
        OSError: the folder is missing or not writable (nothing is left behind).
    """
    write_atomically(path, text.encode("utf-8"))
