"""Writing the run's files: checked before training, each written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Sequence


def new_file_mode() -> int:
    """The permissions open() would give a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    The file gets the permissions of a newly created file; on any error the temporary file is
    removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, new_file_mode())  # mkstemp makes it private (0600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_outputs_writable(paths: Sequence[Path]) -> None:
    """Fail before training, not after, when an output cannot be written.

    Raises:
        OutputError: a directory cannot be created, an output is a directory, or a directory is
            not writable.
    """
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"cannot create the directory for {path}: {error}") from error
        if path.is_dir():
            raise OutputError(f"output {path} is a directory")
        if not os.access(path.parent, os.W_OK):
            raise OutputError(f"cannot write to {path.parent}")


def check_run_folder(folder: Path) -> None:
    """Fail before loading anything when `folder` cannot become a new run folder.

    Nothing is created: a run that fails before it starts leaves no empty folder behind.

    Raises:
        OutputError: `folder` is a file, a folder that is not empty (another run's, perhaps),
            or inside a folder that cannot be written.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"run folder {folder} is a file; give a new folder (or FILE.onnx)")
    if folder.is_dir() and any(folder.iterdir()):
        raise OutputError(f"run folder {folder} is not empty; give a new folder for the run")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise OutputError(f"cannot create the run folder {folder}: {existing} is not writable")


def prepare_run_folder(folder: Path) -> None:
    """Make the run folder (and its parents), checked by `check_run_folder` first.

    Raises:
        OutputError: `folder` cannot be used or created.
    """
    check_run_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the run folder {folder}: {error}") from error
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write to the run folder {folder}")
