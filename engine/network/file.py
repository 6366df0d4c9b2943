"""Reading an ONNX file: ModelError, and the checks that it is a parseable, intact model.

Model files come from users, so they are read with limits (issue 12): only regular files (a
FIFO or ``/dev/zero`` is refused before a byte is read), at most ``MAX_MODEL_BYTES`` on disk,
weights kept in separate files only inside the model's folder and within the same total, and
at most ``MAX_NODES`` nodes (a graph the lab could not show row by row; refused before ONNX
Runtime spends seconds on it).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import NamedTuple

import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message as ProtoMessage
from onnx import external_data_helper

from engine.drawings.file_bytes import (
    MEGABYTE,
    UnreadableFile,
    check_regular_file,
    read_regular_file,
    size_text,
)

EXPECTED_FILE = "expected an ONNX image classifier (.onnx), e.g. one exported by Keras or PyTorch"
MAX_MODEL_BYTES = 500 * MEGABYTE
"""The largest model read, in bytes on disk (its weights files included)."""
MAX_NODES = 2000
"""The most nodes a model may have (subgraphs included).

The lab shows every layer as a row; real classifiers it is made for have far fewer nodes
(ResNet-50 exported by PyTorch: about 120; a quantized one: about 600).
"""


class ModelError(ValueError):
    """A file that is not a usable ONNX image classifier; the message names it and says why."""


_RUNTIME_PREFIX = re.compile(r"^\s*\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*")
_LOAD_FAILED = re.compile(r"^Load model from .*? failed:\s*", re.DOTALL)


def describe_error(exc: BaseException, *, kind: bool = True) -> str:
    """What a library's exception says, in one short line, for messages.

    ONNX Runtime's own prefix ("[ONNXRuntimeError] : 10 : INVALID_GRAPH : ") and its "Load
    model from … failed:" are dropped: what is left names the node and the problem. Other
    exceptions keep their type's name ("ValueError: …"), which says what kind of failure it
    was when the message alone does not; the engine's own (``ModelError``, ``NotFinite``…)
    are meant for people and keep their words only, as does any with ``kind`` False.
    """
    text = " ".join(str(exc).split())
    runtime = _RUNTIME_PREFIX.match(text) is not None
    text = _LOAD_FAILED.sub("", _RUNTIME_PREFIX.sub("", text))
    if len(text) > 200:
        text = text[:199] + "…"
    if not kind or runtime or type(exc).__module__.startswith("engine."):  # words for people
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ModelFile(NamedTuple):
    """A parsed ONNX file: the model, the file's bytes and their SHA-256 (hex)."""

    proto: onnx.ModelProto
    data: bytes
    sha256: str


def read_model(path: Path) -> onnx.ModelProto:
    """Parse an ONNX file. FileNotFoundError when it is missing, ModelError when unusable."""
    return read_model_file(path).proto


def read_model_file(path: Path) -> ModelFile:
    """Parse an ONNX file, keeping its bytes and their hash.

    Raises:
        FileNotFoundError: The file is missing ("model file not found: <path>").
        ModelError: Not a regular file, larger than ``MAX_MODEL_BYTES``, more than
            ``MAX_NODES`` nodes, weights files outside its folder or not readable, or not a
            usable ONNX model; the message names the file and the problem.
    """
    try:
        data = read_regular_file(path, limit=MAX_MODEL_BYTES, kind="model", expected=EXPECTED_FILE)
    except UnreadableFile as exc:
        raise ModelError(str(exc)) from None
    if not data:
        raise ModelError(f"{path} is empty (0 bytes); {EXPECTED_FILE}")
    try:
        model = onnx.load_model_from_string(data)
    except Exception:  # protobuf raises DecodeError, but garbage may raise anything
        raise ModelError(
            f"{path} is not an ONNX model: its {size_text(len(data))} could not be read as one "
            f"(is it cut short, or another kind of file?); {EXPECTED_FILE}"
        ) from None
    if not model.HasField("graph") or len(model.graph.node) == 0:
        raise ModelError(
            f"{path} is not an ONNX model: it holds no graph (is it truncated, or another kind "
            f"of file?); {EXPECTED_FILE}"
        )
    if not _text_is_valid(model):
        raise ModelError(
            f"{path} is damaged: some of its names are not valid text (UTF-8); {EXPECTED_FILE}"
        )
    _check_node_count(model, path)
    _check_operators(model, path)
    external = [t for t in model.graph.initializer if external_data_helper.uses_external_data(t)]
    if external:
        _check_external_files(external, path, len(data))
        try:
            external_data_helper.load_external_data_for_model(model, str(path.parent))
        except Exception as exc:
            raise ModelError(
                f"{path} keeps its weights in a separate file that could not be read "
                f"({describe_error(exc)}); keep the weights file beside the model"
            ) from None
        data = model.SerializeToString()
    return ModelFile(model, data, hashlib.sha256(data).hexdigest())


def node_count(graph: onnx.GraphProto) -> int:
    """The nodes of ``graph`` and of every subgraph (If, Loop, Scan bodies) inside it."""
    count = 0
    graphs = [graph]
    while graphs:  # no recursion: a file may nest subgraphs deeply
        current = graphs.pop()
        count += len(current.node)
        for node in current.node:
            for attribute in node.attribute:
                graphs.extend(attribute.graphs)
                if attribute.HasField("g"):
                    graphs.append(attribute.g)
    return count


def _check_node_count(model: onnx.ModelProto, path: Path) -> None:
    count = node_count(model.graph)
    if count > MAX_NODES:
        raise ModelError(
            f"{path} has {count:,} nodes; the app shows image classifiers of at most "
            f"{MAX_NODES:,} nodes (every layer is a row of the lab)"
        )


def _check_operators(model: onnx.ModelProto, path: Path) -> None:
    """ModelError naming the first node whose operator is not a standard ONNX one.

    Only the default domain is checked (ONNX Runtime's own ops, "com.microsoft", are not
    in ONNX's list but run).
    """
    for index, node in enumerate(model.graph.node):
        if node.domain in ("", "ai.onnx") and not onnx.defs.has(node.op_type):
            name = repr(node.name) if node.name else f"number {index + 1}"
            raise ModelError(
                f"{path}: its node {name} uses the operator {node.op_type!r}, which is not an "
                "ONNX operator; expected a model exported with standard ONNX operators"
            )


def _check_external_files(tensors: list[onnx.TensorProto], path: Path, model_bytes: int) -> None:
    """Check weights kept in separate files before any is read.

    Each must be a regular file inside the model's folder, and all of them with the model
    within ``MAX_MODEL_BYTES``; ModelError naming the weights otherwise.
    """
    folder = Path(os.path.realpath(path.parent))
    total = model_bytes
    seen: set[Path] = set()
    for tensor in tensors:
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        target = Path(os.path.realpath(folder / location)) if location else folder
        if not location or Path(location).is_absolute() or not target.is_relative_to(folder):
            raise ModelError(
                f"{path}: its weights {tensor.name!r} are said to be in {location!r}, which is "
                "not a file in the model's folder; the app reads weights files only from "
                "beside the model"
            )
        if target in seen:
            continue
        seen.add(target)
        try:
            total += check_regular_file(
                target, limit=MAX_MODEL_BYTES, kind="weights",
                expected="keep the model's weights file beside it",
            )  # fmt: skip
        except (FileNotFoundError, UnreadableFile) as exc:
            raise ModelError(f"{path} keeps its weights in a separate file: {exc}") from None
        if total > MAX_MODEL_BYTES:
            raise ModelError(
                f"{path} and its weights files hold {size_text(total)}; the app reads models "
                f"of at most {size_text(MAX_MODEL_BYTES)}"
            )


def _text_is_valid(message: ProtoMessage) -> bool:
    """Every string field holds text: protobuf hands out invalid UTF-8 as bytes, not an error."""
    for descriptor, value in message.ListFields():
        if descriptor.type == FieldDescriptor.TYPE_STRING:
            texts = [value] if isinstance(value, str | bytes) else list(value)
            if not all(isinstance(t, str) for t in texts):
                return False
        elif descriptor.type == FieldDescriptor.TYPE_MESSAGE:
            if descriptor.message_type.GetOptions().map_entry:
                continue
            messages = [value] if isinstance(value, ProtoMessage) else list(value)
            if not all(_text_is_valid(m) for m in messages):
                return False
    return True
