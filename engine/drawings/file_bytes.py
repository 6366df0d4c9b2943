"""Files from and for users: read with a cap (regular files only), written atomically.

Images, models, labels files and the remembered-inputs file come from users: a FIFO, a device
(``/dev/zero``) or a socket given in their place must be refused before a byte is read (reading
one blocks for ever or never ends), and a file larger than the app can use must be refused
before it is read (issue 12). The file is opened without blocking (opening a FIFO does not wait
for a writer), then ``fstat`` on the open file decides, so a file swapped in between a check and
the read cannot slip through; at most ``limit`` + 1 bytes are ever read, so a file that grows
while it is read is refused too.

Exports (PNG, GIF, screenshots) are written by :func:`write_atomically`: a temporary file
beside the target, flushed to disk, then renamed over it, so a full disk or a crash leaves the
old file as it was; an existing file keeps its permissions, and a symlink keeps pointing at its
target, which is what gets replaced (as lesson saves do, ``engine.lessons.file_format``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

MEGABYTE = 1_000_000


class UnreadableFile(ValueError):
    """A file that cannot be used: not a regular file, too large, or unreadable.

    The message names the file and says what is wrong and what is allowed.
    """


def size_text(size: int) -> str:
    """A file size for people: "12,345 bytes", "3.2 MB", "1.5 GB" (decimal units)."""
    if size < MEGABYTE:
        return f"{size:,} bytes"
    if size < 1000 * MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB"
    return f"{size / (1000 * MEGABYTE):.1f} GB"


def read_regular_file(
    path: str | os.PathLike[str], *, limit: int, kind: str, expected: str
) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink is followed), at most ``limit``.

    Args:
        path: The file.
        limit: The largest size accepted, in bytes.
        kind: What the file is, for the message when it is missing ("image", "model").
        expected: What the file should be, for messages (e.g. "expected a PNG or JPEG
            picture").

    Returns:
        The file's content.

    Raises:
        FileNotFoundError: There is no such file ("<kind> file not found: <path>").
        UnreadableFile: A folder, a device, pipe or socket, larger than ``limit``, or it
            cannot be opened or read (permissions, I/O error); nothing beyond ``limit`` + 1
            bytes is read.
    """
    return _with_open_file(path, limit, kind, expected, lambda fd: _read_at_most(fd, limit + 1))


def check_regular_file(
    path: str | os.PathLike[str], *, limit: int, kind: str, expected: str
) -> int:
    """Check, without reading it, that ``path`` is a regular file of at most ``limit`` bytes.

    For files another library or process reads itself (a Keras file converted in a child).

    Returns:
        The file's size in bytes.

    Raises:
        FileNotFoundError: There is no such file.
        UnreadableFile: As :func:`read_regular_file`.
    """
    size = 0

    def measure(fd: int) -> bytes:
        nonlocal size
        size = os.fstat(fd).st_size
        return b""

    _with_open_file(path, limit, kind, expected, measure)
    return size


def _with_open_file(
    path: str | os.PathLike[str],
    limit: int,
    kind: str,
    expected: str,
    use: Callable[[int], bytes],
) -> bytes:
    name = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{kind} file not found: {name}") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{name} is not a file: it is a folder; {expected}") from None
    except OSError as exc:
        raise UnreadableFile(
            f"{name} cannot be opened ({exc.strerror or exc}); {expected}"
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile(f"{name} is not a file: it is a folder; {expected}")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                f"{name} is not a regular file (a device, pipe or socket), which could be "
                f"endless; {expected}"
            )
        if info.st_size > limit:
            raise UnreadableFile(_too_large(name, info.st_size, limit, kind, expected))
        data = use(fd)
    except OSError as exc:
        raise UnreadableFile(f"{name} cannot be read ({exc.strerror or exc}); {expected}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew after fstat
        raise UnreadableFile(_too_large(name, None, limit, kind, expected))
    return data


def _too_large(name: Path, size: int | None, limit: int, kind: str, expected: str) -> str:
    """The message for a file of ``size`` bytes (None: it grew past the limit while read)."""
    if size is None:
        found = f"more than {size_text(limit)}"
    elif size_text(size) == size_text(limit):  # "500.0 MB" for both: say the bytes
        found = f"{size:,} bytes"
    else:
        found = size_text(size)
    limit_text = f"{limit:,} bytes" if size is not None and found.endswith("bytes") else None
    allowed = f"the app reads {kind} files of at most {limit_text or size_text(limit)}"
    return f"{name} is too large ({found}; {allowed}); {expected}"


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(limit - size, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data``, all at once or not at all.

    Args:
        path: The file to write; a symlink is followed and its target replaced (the link
            stays). An existing file keeps its permission bits; a new one gets 0666 minus the
            umask, like any new file.
        data: The file's new content.

    Raises:
        OSError: The file cannot be written (no such folder, no permission, disk full…); the
            old file is left as it was and no temporary file is left behind.
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
