"""Reading an ONNX file: ModelError, and the checks that it is a parseable, intact model."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, NamedTuple

import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message as ProtoMessage
from onnx import external_data_helper

if TYPE_CHECKING:
    from pathlib import Path

EXPECTED_FILE = "expected an ONNX image classifier (.onnx), e.g. one exported by Keras or PyTorch"


class ModelError(ValueError):
    """A file that is not a usable ONNX image classifier; the message names it and says why."""


def describe_error(exc: BaseException) -> str:
    """The exception as "TypeName: first line of its message", kept short, for messages."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


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

    FileNotFoundError when it is missing, ModelError when it is not a usable ONNX model.
    """
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    if path.is_dir():
        raise ModelError(f"{path} is a folder, not a model file; {EXPECTED_FILE}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(
            f"{path} could not be read ({describe_error(exc)}); {EXPECTED_FILE}"
        ) from None
    if not data:
        raise ModelError(f"{path} is empty (0 bytes); {EXPECTED_FILE}")
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf raises DecodeError, but garbage may raise anything
        raise ModelError(
            f"{path} is not an ONNX model: it could not be parsed ({describe_error(exc)}); "
            f"the file may be truncated or in another format; {EXPECTED_FILE}"
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
    if any(external_data_helper.uses_external_data(t) for t in model.graph.initializer):
        try:
            external_data_helper.load_external_data_for_model(model, str(path.parent))
        except Exception as exc:
            raise ModelError(
                f"{path} keeps its weights in a separate file that could not be read "
                f"({describe_error(exc)}); keep the weights file beside the model"
            ) from None
        data = model.SerializeToString()
    return ModelFile(model, data, hashlib.sha256(data).hexdigest())


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
