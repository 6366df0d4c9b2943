"""The one error a lesson file can cause."""

from __future__ import annotations


class LessonFileError(ValueError):
    """A lesson file that cannot be used; the message names the file and the field.

    Raised for files that are not JSON, are another format or a newer version, break the
    lesson schema (wrong type, out of range, unknown or missing field), or describe a set-up
    the engine refuses (``PlaygroundSpec.checked``). The caller keeps its current state.
    """
