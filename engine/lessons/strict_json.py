"""Reading a JSON file that someone else wrote, safely.

Lesson files come from users and the internet, so reading one must never hang, exhaust memory
or crash: only regular files (a FIFO or ``/dev/zero`` is refused before a byte is read), at most
``MAX_FILE_BYTES``, UTF-8 text, at most ``MAX_DEPTH`` levels of nesting (checked before parsing,
so a file nested 10,000 levels deep never reaches Python's recursion limit), number literals of
at most ``MAX_NUMBER_CHARS`` characters (no int conversion of thousands of digits), no NaN or
Infinity, and no key given twice in one object. Every refusal is a ``LessonFileError`` whose
message says what is wrong (the caller adds the file's name).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from typing import TYPE_CHECKING, Any

from engine.lessons.errors import LessonFileError

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 16
MAX_NUMBER_CHARS = 40

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_LONG_NUMBER = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_CHARS + 1},}}")


def read_json_file(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse the JSON file at ``path`` with every safety limit of this module.

    Args:
        path: The file (a symlink is followed).
        max_bytes: The largest file accepted, in bytes.

    Returns:
        The parsed value (dicts, lists, str, int, float, bool, None).

    Raises:
        LessonFileError: missing, not a regular file, too large, not UTF-8, or not JSON
            within the limits; the message does not name the file.
    """
    return parse_json_text(_read_text(path, max_bytes))


def _read_text(path: str | Path, max_bytes: int) -> str:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: opening a FIFO does not wait for a writer
    except FileNotFoundError:
        raise LessonFileError("no such file") from None
    except IsADirectoryError:
        raise LessonFileError("this is a folder, not a lesson file") from None
    except OSError as exc:
        raise LessonFileError(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise LessonFileError("this is a folder, not a lesson file")
        if not stat.S_ISREG(info.st_mode):
            raise LessonFileError(
                "not a regular file (a device, pipe or socket); a lesson is a .json file"
            )
        if info.st_size > max_bytes:
            raise LessonFileError(_too_large(f"{info.st_size:,} bytes", max_bytes))
        data = _read_at_most(fd, max_bytes + 1)
    except OSError as exc:
        raise LessonFileError(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew after fstat
        raise LessonFileError(_too_large(f"more than {max_bytes:,} bytes", max_bytes))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LessonFileError(
            f"cannot be read as text: byte 0x{data[exc.start]:02x} at offset {exc.start} is not "
            "UTF-8 (lesson files are JSON text in UTF-8)"
        ) from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(size: str, max_bytes: int) -> str:
    return f"too large for a lesson file ({size}; a lesson file has at most {max_bytes:,} bytes)"


def parse_json_text(text: str) -> Any:
    """Parse JSON text within this module's limits (depth, number length, no NaN, no dup keys).

    Raises:
        LessonFileError: the text is not JSON or breaks a limit.
    """
    _check_outside_strings(text)
    try:
        return json.loads(
            text,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise LessonFileError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:  # cannot happen after _check_depth; kept as a last guard
        raise LessonFileError(f"nested more than {MAX_DEPTH} levels deep") from None


def _check_outside_strings(text: str) -> None:
    """Before parsing: at most MAX_DEPTH levels of [ and {, no number literal too long."""
    skeleton = _STRINGS.sub('""', text)
    long_number = _LONG_NUMBER.search(skeleton)
    if long_number is not None:
        literal = long_number.group()
        raise LessonFileError(
            f"a number is written with {len(literal):,} characters ({literal[:12]}…); "
            f"at most {MAX_NUMBER_CHARS} are accepted"
        )
    depth = 0
    for char in _NOT_BRACKETS.sub("", skeleton):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LessonFileError(
                    f"nested more than {MAX_DEPTH} levels deep (lists inside lists); a lesson "
                    "needs about 6"
                )
        else:
            depth -= 1


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise LessonFileError(f"the number {literal} is too large to be used")
    return value


def _refuse_constant(name: str) -> Any:
    raise LessonFileError(f"{name} is not a number a lesson can use (NaN and Infinity are refused)")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise LessonFileError(f"the key {json.dumps(key[:40])} appears twice in one object")
        result[key] = value
    return result
