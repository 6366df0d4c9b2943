"""A run folder's settings.json: the run's settings, command and data, written and read back.

Reading checks everything (the settings' own checks included) and raises `RunDocumentError`,
so a damaged or hand-edited file is reported, never trusted. No NumPy, no TensorFlow.

    {"format": 1, "created": "2025-01-02T03:04:05+00:00",
     "command": "python -m models.training --arch softmax --out=...",
     "architecture": "softmax", "name": "One-layer softmax network (slide 004)",
     "train_images": 60000, "data_source": "/data/mnist.npz",
     "training": {"architecture": "softmax", "epochs": 10, "batch_size": 100, ...},
     "data": {"path": "/data/mnist.npz", "train_size": null}}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from models.training.architectures import ARCHITECTURES
from models.training.settings import (
    DataSettings,
    OutputSettings,
    RunSettings,
    SettingsError,
    TrainingSettings,
)

DOCUMENT_FORMAT = 1


class RunDocumentError(ValueError):
    """settings.json is missing, not JSON, or holds bad or missing settings."""


@dataclass(frozen=True, slots=True)
class RunDocument:
    """What settings.json says about a run.

    Attributes:
        settings: the run's settings; the outputs are the folder's own.
        command: the command that started the run.
        created: when the run started, ISO 8601 with a time zone.
        train_images: training images per epoch.
        data_source: where the data came from (a path, or "keras.datasets.mnist").
    """

    settings: RunSettings
    command: str
    created: str
    train_images: int
    data_source: str


def settings_document(
    settings: RunSettings, command: str, train_images: int, data_source: str
) -> str:
    """The text of settings.json for a run starting now (indented JSON)."""
    training = settings.training
    document = {
        "format": DOCUMENT_FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "architecture": training.architecture,
        "name": ARCHITECTURES[training.architecture].name,
        "train_images": train_images,
        "data_source": data_source,
        "training": asdict(training),
        "data": {
            "path": None if settings.data.path is None else str(settings.data.path),
            "train_size": settings.data.train_size,
        },
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def known_fields(values: object, kind: type, where: str) -> dict[str, object]:
    """`values` as keyword arguments of the dataclass `kind`, every field given.

    Raises:
        RunDocumentError: `values` is not an object, lacks a field of `kind`, or has a key
            `kind` does not know.
    """
    if not isinstance(values, dict):
        raise RunDocumentError(f"{where} should be an object, got {values!r}")
    names = {field.name for field in fields(kind)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise RunDocumentError(f"{where} has unknown setting(s) {', '.join(unknown)}")
    missing = sorted(names - set(values))
    if missing:
        raise RunDocumentError(f"{where} lacks the setting(s) {', '.join(missing)}")
    return dict(values)


def text_field(document: dict[str, object], name: str) -> str:
    """A string field of the document.

    Raises:
        RunDocumentError: the field is missing or not a string.
    """
    value = document.get(name)
    if not isinstance(value, str):
        raise RunDocumentError(f"{name!r} should be a string, got {value!r}")
    return value


def read_settings_document(text: str, folder: Path) -> RunDocument:
    """Read settings.json's text for the run in `folder`.

    Raises:
        RunDocumentError: not JSON, another format, or a missing or bad setting (the message
            names it).
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise RunDocumentError(f"settings.json is not JSON ({error})") from error
    if not isinstance(document, dict):
        raise RunDocumentError("settings.json should hold a JSON object")
    if document.get("format") != DOCUMENT_FORMAT:
        raise RunDocumentError(f"settings.json has format {document.get('format')!r}, not 1")
    training_values = known_fields(document.get("training"), TrainingSettings, "training")
    data_values = known_fields(document.get("data"), DataSettings, "data")
    path = data_values.get("path")
    if path is not None and not isinstance(path, str):
        raise RunDocumentError(f"data.path should be a string or null, got {path!r}")
    data_values["path"] = None if path is None else Path(path)
    train_images = document.get("train_images")
    if isinstance(train_images, bool) or not isinstance(train_images, int) or train_images < 1:
        raise RunDocumentError(f"'train_images' should be a count, got {train_images!r}")
    try:
        settings = RunSettings(
            DataSettings(**data_values),  # type: ignore[arg-type]
            TrainingSettings(**training_values),  # type: ignore[arg-type]
            OutputSettings.in_run_folder(folder),
        )
    except (SettingsError, TypeError) as error:
        raise RunDocumentError(f"settings.json holds a bad setting: {error}") from error
    return RunDocument(
        settings=settings,
        command=text_field(document, "command"),
        created=text_field(document, "created"),
        train_images=train_images,
        data_source=text_field(document, "data_source"),
    )
