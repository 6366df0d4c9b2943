"""Keras model files (.keras, .h5): converted to ONNX in a child process, kept beside them.

The app never imports TensorFlow (it is an optional extra, large and slow to start). A Keras
file is converted by ``python -m models.training.keras_to_onnx SOURCE OUTPUT`` in a child
process, with the training package's exporter; the child reports its progress as JSON lines.
The ONNX file is written beside the Keras file (``model.keras`` → ``model.keras.onnx``) and
records the Keras file's SHA-256, so opening the same Keras file again uses it at once.

Here: the command, reading the child's lines, and a blocking conversion for the command line;
the lab runs the same command with a QProcess so the window stays responsive.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.drawings.file_bytes import UnreadableFile, check_regular_file, read_regular_file
from engine.network.file import MAX_MODEL_BYTES, ModelError, read_model

if TYPE_CHECKING:
    from collections.abc import Callable

KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
CONVERTER = "models.training.keras_to_onnx"
CONVERTED_SUFFIX = ".onnx"
SOURCE_HASH_KEY = "source_sha256"
CONVERSION_TIMEOUT = 60  # seconds to wait for the child to exit once its output has ended
EXPECTED_KERAS = "expected a Keras model file (.keras, .h5) saved by model.save"


def is_keras_file(path: str | os.PathLike[str]) -> bool:
    """True for a file named like a Keras model (.keras, .h5, .hdf5)."""
    return Path(path).suffix.lower() in KERAS_SUFFIXES


def converted_path(source: str | os.PathLike[str]) -> Path:
    """Where the ONNX file converted from a Keras file is kept: beside it, ".onnx" added."""
    path = Path(source)
    return path.with_name(path.name + CONVERTED_SUFFIX)


def check_keras_file(source: str | os.PathLike[str]) -> None:
    """Check that ``source`` is a regular file of at most ``MAX_MODEL_BYTES`` (nothing is read).

    Raises:
        FileNotFoundError: It is missing ("model file not found: <path>").
        ModelError: A folder, a device, pipe or socket, or too large (the message says which).
    """
    try:
        check_regular_file(source, limit=MAX_MODEL_BYTES, kind="model", expected=EXPECTED_KERAS)
    except UnreadableFile as exc:
        raise ModelError(str(exc)) from None


def source_hash(source: Path) -> str:
    """The SHA-256 of the Keras file (what its converted file records).

    Raises:
        OSError: It cannot be read.
        ValueError: It is not a regular file of at most ``MAX_MODEL_BYTES``.
    """
    data = read_regular_file(source, limit=MAX_MODEL_BYTES, kind="model", expected=EXPECTED_KERAS)
    return hashlib.sha256(data).hexdigest()


def up_to_date(source: str | os.PathLike[str]) -> bool:
    """True when the converted file exists and was converted from this very Keras file."""
    output = converted_path(source)
    if not output.is_file():
        return False
    try:
        metadata = {p.key: p.value for p in read_model(output).metadata_props}
        return metadata.get(SOURCE_HASH_KEY) == source_hash(Path(source))
    except (OSError, ValueError):  # ModelError and UnreadableFile are ValueErrors
        return False


def app_root() -> Path:
    """The folder holding the app's packages (engine, models): the child's import path."""
    import models

    return Path(models.__file__).resolve().parent.parent


def conversion_command(source: str | os.PathLike[str]) -> list[str]:
    """The child process that converts ``source``: this Python, the converter module."""
    return [sys.executable, "-m", CONVERTER, str(source), str(converted_path(source))]


def conversion_environment() -> dict[str, str]:
    """The child's environment: this one, with the app's folder on PYTHONPATH."""
    env = dict(os.environ)
    root = str(app_root())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


@dataclass(frozen=True, slots=True)
class ConversionEvent:
    """One line from the converter: "progress" (message), "done" (path) or "error" (message)."""

    kind: str
    text: str


def parse_event(line: str) -> ConversionEvent | None:
    """A converter line as an event; None for anything else (a library's own output)."""
    try:
        found = json.loads(line)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("event") not in ("progress", "done", "error"):
        return None
    kind = str(found["event"])
    text = found.get("path" if kind == "done" else "message")
    return ConversionEvent(kind, str(text)) if isinstance(text, str) else None


def failure_message(
    source: str | os.PathLike[str], events: list[ConversionEvent], code: int
) -> str:
    """What to tell the user when the child failed: its error, else its exit status."""
    errors = [e.text for e in events if e.kind == "error"]
    if errors:
        return f"{source}: {errors[-1]}"
    return (
        f"{source}: the Keras converter stopped (exit status {code}) without saying why; "
        f"try: python -m {CONVERTER} {source} {converted_path(source)}"
    )


def convert_keras_file(
    source: str | os.PathLike[str], on_progress: Callable[[str], None] | None = None
) -> Path:
    """Convert a Keras file to ONNX in a child process (blocking), or reuse an earlier one.

    ``on_progress`` is called with each progress message. Returns the ONNX file's path.
    FileNotFoundError when the Keras file is missing; ModelError when it is not a regular file
    of at most ``MAX_MODEL_BYTES``, or with the child's message when the conversion fails
    (e.g. TensorFlow is not installed: it says how to install it).
    """
    path = Path(source)
    check_keras_file(path)
    if up_to_date(path):
        return converted_path(path)
    events: list[ConversionEvent] = []
    with subprocess.Popen(
        conversion_command(path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=conversion_environment(),
    ) as child:  # fmt: skip
        assert child.stdout is not None  # stdout=PIPE
        for line in child.stdout:  # as the child writes them
            event = parse_event(line)
            if event is None:
                continue
            events.append(event)
            if event.kind == "progress" and on_progress is not None:
                on_progress(event.text)
        code = child.wait(timeout=CONVERSION_TIMEOUT)
    finished = [e for e in events if e.kind == "done"]
    if code != 0 or not finished:
        raise ModelError(failure_message(path, events, code))
    return Path(finished[-1].text)
