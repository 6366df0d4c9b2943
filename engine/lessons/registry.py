"""The built-in lessons: the worked examples of the course slides, ready to step through.

Each lesson is a lesson file (format version 2) in ``engine/lessons/data/<id>.json``, read by
the same reader as users' files (``engine.lessons.file_format``); ``data/index.json`` lists
the ids in teaching order. The files are read on first use and kept (a few milliseconds for
all of them), so importing this module reads nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from engine.lessons.definition import BackpropExercise, Lesson
from engine.lessons.errors import LessonFileError
from engine.lessons.file_format import read_packaged_lesson
from engine.lessons.strict_json import read_json_file

__all__ = [
    "DATA_DIR",
    "INDEX_FILE",
    "BackpropExercise",
    "Lesson",
    "all_lessons",
    "lesson",
    "lesson_ids",
]

DATA_DIR = Path(__file__).with_name("data")
INDEX_FILE = DATA_DIR / "index.json"
INDEX_FORMAT = "cnn-visualizer-lesson-index"


def all_lessons() -> tuple[Lesson, ...]:
    """Every built-in lesson, in teaching order (``data/index.json``).

    Raises:
        LessonFileError: a shipped file is missing or damaged (a broken installation).
    """
    return _load()[0]


def lesson(lesson_id: str) -> Lesson:
    """The built-in lesson with this id.

    Raises:
        ValueError: no lesson has this id; the message lists the known ids.
    """
    by_id = _load()[1]
    if lesson_id not in by_id:
        known = ", ".join(by_id)
        raise ValueError(f"unknown lesson {lesson_id!r}; known lessons: {known}")
    return by_id[lesson_id]


def lesson_ids() -> tuple[str, ...]:
    """The ids in teaching order, as ``data/index.json`` lists them.

    Raises:
        LessonFileError: the index is missing or not a list of distinct ids.
    """
    try:
        data = read_json_file(INDEX_FILE)
    except LessonFileError as exc:
        raise LessonFileError(f"{INDEX_FILE}: {exc}") from None
    ids = data.get("lessons") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != INDEX_FORMAT
        or not isinstance(ids, list)
        or not all(isinstance(i, str) for i in ids)
        or len(set(ids)) != len(ids)
    ):
        raise LessonFileError(
            f'{INDEX_FILE}: expected {{"format": "{INDEX_FORMAT}", "lessons": [distinct ids]}}'
        )
    return tuple(ids)


@cache
def _load() -> tuple[tuple[Lesson, ...], dict[str, Lesson]]:
    lessons = []
    for lesson_id in lesson_ids():
        path = DATA_DIR / f"{lesson_id}.json"
        item = read_packaged_lesson(path)
        if item.id != lesson_id:
            raise LessonFileError(f"{path}: id: expected {lesson_id!r} (the file's name)")
        lessons.append(item)
    return tuple(lessons), {item.id: item for item in lessons}
