"""The lesson registry: the worked examples of the course slides, ready to step through.

Each lesson has an id (for ``--lesson ID``), a title, a short explanation, the slide it comes
from, and either a playground set-up (input, filters, parameters) or a backprop exercise.
The lessons themselves are data, in ``engine.lessons.builtin``.
"""

from __future__ import annotations

from engine.lessons.definition import BackpropExercise, Lesson

__all__ = ["BackpropExercise", "Lesson", "all_lessons", "lesson"]


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
