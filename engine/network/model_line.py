"""A one-line description of a model for the status bar: name, input shape, test accuracy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.animation.arithmetic import format_number

if TYPE_CHECKING:
    from engine.network.model import OnnxModel

DATASET_KEYS = ("dataset", "test_set", "trained_on")
KNOWN_DATASETS = ("MNIST", "Fashion-MNIST", "EMNIST", "CIFAR-10")


def dataset_of(model: OnnxModel) -> str | None:
    """The test set's name: metadata "dataset" (or similar), else one named in the metadata."""
    metadata = model.metadata
    for key in DATASET_KEYS:
        if metadata.get(key, "").strip():
            return metadata[key].strip()
    described = " ".join((model.name, metadata.get("input_description", ""))).lower()
    found = [name for name in KNOWN_DATASETS if name.lower() in described]
    return max(found, key=len) if found else None


def accuracy_text(model: OnnxModel) -> str:
    """E.g. "99.46 % on MNIST test", or "test accuracy unknown"."""
    accuracy = model.accuracy
    if accuracy is None:
        return "test accuracy unknown"
    percent = f"{format_number(accuracy * 100, 2)} %"
    dataset = dataset_of(model)
    return f"{percent} on {dataset} test" if dataset else f"{percent} test accuracy"


def model_line(model: OnnxModel) -> str:
    """E.g. "MNIST CNN (slide 002) · input 28×28×1 · 99.46 % on MNIST test"."""
    h, w, c = model.input_shape
    return f"{model.name} · input {h}×{w}×{c} · {accuracy_text(model)}"
