"""Lesson files: reading one into a ``Lesson``, saving a lesson or a playground set-up.

Reading is safe with any file (``engine.lessons.strict_json``: size cap, regular files only,
UTF-8, depth limit, no NaN, no duplicate keys), checks every field against the JSON schema of
its format version (``engine.lessons.schema``) and the set-up with the engine's own checks, and
raises ``LessonFileError`` with a message that names the file and the field; the caller keeps
its current state. Format versions 1 to 3 are read; a convolution lesson is written as
version 2 (older versions of the app read it), a vector lesson as version 3.

Saves are atomic: a temporary file in the target's folder, then a rename, so a crash never
leaves half a file. An existing file keeps its permissions, and a symlink keeps pointing at
its target, which is what gets replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.drawings.file_bytes import write_atomically
from engine.lessons.definition import Lesson
from engine.lessons.errors import LessonFileError
from engine.lessons.json_form import (
    FILE_LESSON_ID,
    FORMAT_VERSION,
    READABLE_VERSIONS,
    VECTOR_FORMAT_VERSION,
    default_decimals,
    lesson_from_dict,
    lesson_to_dict,
)
from engine.lessons.json_layout import dumps_readable
from engine.lessons.schema import FORMAT_NAME
from engine.lessons.strict_json import MAX_FILE_BYTES, read_json_file

if TYPE_CHECKING:
    from pathlib import Path

    from engine.animation.playground import PlaygroundSpec

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "READABLE_VERSIONS",
    "VECTOR_FORMAT_VERSION",
    "LessonFileError",
    "load_lesson",
    "read_lesson",
    "read_packaged_lesson",
    "save_lesson",
]


def read_lesson(path: str | Path) -> Lesson:
    """The lesson in a lesson file (format version 1, 2 or 3).

    Args:
        path: The file; at most ``MAX_FILE_BYTES`` bytes of UTF-8 JSON.

    Returns:
        The lesson; its id is "file" when the file gives none.

    Raises:
        LessonFileError: "<path>: <field>: <what is wrong>" for anything unusable.
    """
    return _read(path, check_schema=True)


def read_packaged_lesson(path: str | Path) -> Lesson:
    """A lesson file shipped in the package (``engine/lessons/data``), read by the same reader.

    Everything ``read_lesson`` does except the JSON-schema pass: importing jsonschema costs
    50-100 ms that the app's start does not need, and tests/test_lesson_data.py checks every
    shipped file against the schema. The engine's checks of the set-up still run.

    Raises:
        LessonFileError: the file is damaged (e.g. by a broken installation).
    """
    return _read(path, check_schema=False)


def _read(path: str | Path, *, check_schema: bool) -> Lesson:
    try:
        return lesson_from_dict(read_json_file(path), check_schema=check_schema)
    except LessonFileError as exc:
        raise LessonFileError(f"{path}: {exc}") from None


def load_lesson(path: str | Path) -> tuple[PlaygroundSpec, str, str]:
    """(spec, title, explanation) of a lesson file: ``read_lesson`` for callers of version 1.

    Raises:
        LessonFileError: as ``read_lesson``, and for a vector lesson (it has no set-up).
    """
    item = read_lesson(path)
    if item.spec is None:
        raise LessonFileError(f"{path}: a {item.kind} lesson has no playground set-up")
    return item.spec, item.title, item.explanation


def save_lesson(
    path: str | Path,
    lesson: Lesson | PlaygroundSpec,
    *,
    title: str | None = None,
    explanation: str | None = None,
) -> None:
    """Write a lesson (or a bare playground set-up) to ``path``, atomically.

    A convolution lesson is written as format version 2, a vector lesson as version 3.

    Args:
        path: The file to write; a symlink is followed and its target replaced.
        lesson: A ``Lesson`` (with its notes, display rule and backprop exercise), or a
            ``PlaygroundSpec`` (saved with 0 decimals if its input and filters are whole,
            else 2, like a version-1 file).
        title: Replaces the lesson's title when given.
        explanation: Replaces the lesson's explanation when given.

    Raises:
        LessonFileError: the lesson cannot be written as a file the reader accepts (e.g. a
            title longer than the format allows); nothing is written.
        OSError: the file cannot be written; an existing file is left as it was.
    """
    if isinstance(lesson, Lesson):
        item = lesson
    else:
        item = Lesson(FILE_LESSON_ID, "", "", "", lesson, decimals=default_decimals(lesson))
    data = lesson_to_dict(item)
    data["title"] = item.title if title is None else title
    data["explanation"] = item.explanation if explanation is None else explanation
    try:
        lesson_from_dict(data)  # never write a file that the reader would refuse
    except LessonFileError as exc:
        raise LessonFileError(f"{path}: cannot be saved as a lesson: {exc}") from None
    write_atomically(path, dumps_readable(data).encode("utf-8"))  # mode and symlink kept
