"""Hostile files, made in a test's folder: models, images, labels, settings (issue 12).

Nothing large is stored in the repository: every file is built here, from the shipped model
or from a few lines of NumPy, Pillow and ``onnx.helper``. Files "larger than the cap" are
sparse (``truncate``): they take no room on disk, and the app must refuse them by their size
before it reads a byte.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from tests.onnx_builders import classifier, finish, pytorch_digits, save

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

PROBE = "/tmp/cnn-visualizer-probe.png"
"""The local file a rich-text name points at: the app must never open it."""
RICH_NAME = f'<img src="file://{PROBE}"><b>bold</b>'
"""A name that Qt would render as HTML (an image from the disk, bold text)."""


# ----- files that are not regular files, or too large --------------------------------------
def fifo(folder: Path, name: str) -> Path:
    """A named pipe: reading it blocks until someone writes."""
    path = folder / name
    os.mkfifo(path)
    return path


def endless(folder: Path, name: str) -> Path:
    """A symlink to /dev/zero: reading it never ends."""
    path = folder / name
    path.symlink_to("/dev/zero")
    return path


def sparse(folder: Path, name: str, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes that takes no room on disk (``head`` first, then zeros)."""
    path = folder / name
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


# ----- models ----------------------------------------------------------------------------------
def digits_model() -> onnx.ModelProto:
    """The shipped network as PyTorch exports it (NCHW, no metadata): a usable digit model."""
    return pytorch_digits()


def with_weight(model: onnx.ModelProto, name: str, value: float, index: int = 0) -> onnx.ModelProto:
    """A copy whose initializer ``name`` has ``value`` at flat position ``index``."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    for position, tensor in enumerate(result.graph.initializer):
        if tensor.name == name:
            array = numpy_helper.to_array(tensor).copy()
            array.reshape(-1)[index] = value
            result.graph.initializer[position].CopyFrom(numpy_helper.from_array(array, name))
    return result


def nan_after_layer() -> onnx.ModelProto:
    """Finite weights, but a Log after the first conv makes NaN of every negative value."""
    model = digits_model()
    graph = model.graph
    index = next(i for i, n in enumerate(graph.node) if n.name == "/relu1/Relu")
    graph.node[index].op_type = "Log"
    graph.node[index].name = "/log1/Log"
    return model


def with_metadata(model: onnx.ModelProto, **entries: str) -> onnx.ModelProto:
    """A copy with these metadata entries (replacing ones with the same key)."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    kept = [p for p in result.metadata_props if p.key not in entries]
    del result.metadata_props[:]
    result.metadata_props.extend(kept)
    for key, value in entries.items():
        entry = result.metadata_props.add()
        entry.key, entry.value = key, value
    return result


def chain(count: int, op: str = "Relu") -> onnx.ModelProto:
    """A tiny classifier with ``count`` extra ``op`` nodes in a chain after its conv."""
    model = classifier(size=8)
    graph = model.graph
    nodes = list(graph.node)
    at = next(i for i, n in enumerate(nodes) if n.op_type == "Relu")
    added, previous = [], "conv"
    for i in range(count):
        inputs = [previous, previous] if op == "Add" else [previous]
        added.append(helper.make_node(op, inputs, [f"chain{i}"]))
        previous = f"chain{i}"
    nodes[at].input[0] = previous
    del graph.node[:]
    graph.node.extend([*nodes[:at], *added, *nodes[at:]])
    return finish(graph)


def cycle() -> onnx.ModelProto:
    """Two nodes that need each other's output."""
    model = classifier(size=8)
    result = onnx.ModelProto()
    result.CopyFrom(model)
    relu = next(n for n in result.graph.node if n.op_type == "Relu")
    relu.input.append("pool")  # Relu now also reads the pool that reads it
    return result


def unknown_op() -> onnx.ModelProto:
    """A node whose op ONNX Runtime does not know."""
    model = classifier(size=8)
    result = onnx.ModelProto()
    result.CopyFrom(model)
    relu = next(n for n in result.graph.node if n.op_type == "Relu")
    relu.op_type = "NoSuchOperator"
    return result


def external_weights(folder: Path, location: str) -> onnx.ModelProto:
    """The tiny classifier with its conv kernel said to be in the file ``location``."""
    model = classifier(size=8)
    result = onnx.ModelProto()
    result.CopyFrom(model)
    kernel = next(t for t in result.graph.initializer if t.name == "W")
    kernel.ClearField("raw_data")
    kernel.ClearField("float_data")
    kernel.data_location = TensorProto.EXTERNAL
    entry = kernel.external_data.add()
    entry.key, entry.value = "location", location
    return result


def write_model(folder: Path, name: str, model: onnx.ModelProto) -> Path:
    """Save ``model`` as ``folder/name``."""
    return save(model, folder / name)


def garbage(folder: Path, name: str, data: bytes) -> Path:
    """A file holding ``data``."""
    path = folder / name
    path.write_bytes(data)
    return path


MODEL_KINDS: dict[str, Callable[[Path], tuple[Path, str]]] = {}
"""Hostile model files by kind: each builds its file and gives the words the refusal says."""


def _model_kind(name: str) -> Callable[[Callable[[Path], tuple[Path, str]]], None]:
    def register(build: Callable[[Path], tuple[Path, str]]) -> None:
        MODEL_KINDS[name] = build

    return register


@_model_kind("FIFO")
def _fifo_model(folder: Path) -> tuple[Path, str]:
    return fifo(folder, "pipe.onnx"), "not a regular file"


@_model_kind("/dev/zero")
def _endless_model(folder: Path) -> tuple[Path, str]:
    return endless(folder, "zero.onnx"), "not a regular file"


@_model_kind("folder")
def _folder_model(folder: Path) -> tuple[Path, str]:
    path = folder / "folder.onnx"
    path.mkdir()
    return path, "it is a folder"


@_model_kind("larger than 500 MB")
def _huge_model(folder: Path) -> tuple[Path, str]:
    return sparse(folder, "huge.onnx", 500_000_001), "too large (500,000,001 bytes"


@_model_kind("empty file")
def _empty_model(folder: Path) -> tuple[Path, str]:
    return garbage(folder, "empty.onnx", b""), "is empty"


@_model_kind("random bytes")
def _random_model(folder: Path) -> tuple[Path, str]:
    data = np.random.default_rng(7).integers(0, 256, 4000, np.uint8).tobytes()
    return garbage(folder, "random.onnx", data), "ONNX"


@_model_kind("truncated")
def _truncated_model(folder: Path) -> tuple[Path, str]:
    data = digits_model().SerializeToString()
    return garbage(folder, "truncated.onnx", data[: len(data) // 2]), "ONNX"


@_model_kind("NaN weight")
def _nan_weight(folder: Path) -> tuple[Path, str]:
    model = with_weight(digits_model(), "conv2.weight", float("nan"), 17)
    return write_model(
        folder, "nan-weight.onnx", model
    ), "layer 'conv2' (Conv): its weights hold NaN"


@_model_kind("infinite bias")
def _inf_bias(folder: Path) -> tuple[Path, str]:
    model = with_weight(digits_model(), "fc1.bias", float("inf"), 3)
    return write_model(folder, "inf-bias.onnx", model), "its weights hold infinite values"


@_model_kind("NaN outputs")
def _nan_outputs(folder: Path) -> tuple[Path, str]:
    return write_model(folder, "nan-out.onnx", nan_after_layer()), "gives NaN on "


@_model_kind("10,000 nodes")
def _many_nodes(folder: Path) -> tuple[Path, str]:
    return write_model(folder, "chain.onnx", chain(10_000)), "10,006 nodes"


@_model_kind("1,000 layers")
def _many_layers(folder: Path) -> tuple[Path, str]:
    return write_model(folder, "layers.onnx", chain(1_000)), "1,006 layers; the lab shows"


@_model_kind("cycle")
def _cycle(folder: Path) -> tuple[Path, str]:
    return write_model(folder, "cycle.onnx", cycle()), "cycle"


@_model_kind("unknown operator")
def _unknown(folder: Path) -> tuple[Path, str]:
    return write_model(folder, "unknown-op.onnx", unknown_op()), "NoSuchOperator"


@_model_kind("labels nested 10,000 deep")
def _deep_labels(folder: Path) -> tuple[Path, str]:
    model = with_metadata(digits_model(), class_labels="[" * 10_000 + "]" * 10_000)
    return write_model(folder, "deep-labels.onnx", model), "class_labels is not a JSON list"


@_model_kind("labels of the wrong count")
def _labels_count(folder: Path) -> tuple[Path, str]:
    model = with_metadata(digits_model(), class_labels=json.dumps(["a", "b"]))
    return write_model(folder, "two-labels.onnx", model), "has 2 labels but the model outputs 10"


@_model_kind("label of 5,000 characters")
def _long_label(folder: Path) -> tuple[Path, str]:
    labels = [str(d) for d in range(9)] + ["x" * 5000]
    model = with_metadata(digits_model(), class_labels=json.dumps(labels))
    return write_model(folder, "long-label.onnx", model), "label 10 has 5,000 characters"


@_model_kind("labels not a list")
def _labels_int(folder: Path) -> tuple[Path, str]:
    model = with_metadata(digits_model(), class_labels="12")
    return write_model(folder, "int-labels.onnx", model), "class_labels is not a JSON list"


@_model_kind("weights outside its folder")
def _outside(folder: Path) -> tuple[Path, str]:
    model = external_weights(folder, "../../etc/passwd")
    return write_model(folder, "outside.onnx", model), "not a file in the model's folder"


@_model_kind("weights in a FIFO")
def _weights_fifo(folder: Path) -> tuple[Path, str]:
    fifo(folder, "weights.bin")
    return write_model(folder, "fifo-weights.onnx", external_weights(folder, "weights.bin")), (
        "not a regular file"
    )


@_model_kind("weights in /dev/zero")
def _weights_zero(folder: Path) -> tuple[Path, str]:
    endless(folder, "zero.bin")
    model = external_weights(folder, "zero.bin")
    return write_model(folder, "zero-weights.onnx", model), "not a file in the model's folder"


# ----- images ----------------------------------------------------------------------------------
def digit_png(path: Path, name_digit: int = 7) -> Path:
    """A dark digit on white paper, 56 x 56 (a usable picture)."""
    from engine.drawings.samples import load_samples

    ink = (load_samples().first_of(name_digit) * 255).astype(np.uint8)
    page = 255 - np.asarray(Image.fromarray(ink).resize((56, 56)))
    Image.fromarray(page).save(path)
    return path


def bomb_png(path: Path, side: int) -> Path:
    """A 1-bit PNG of ``side`` x ``side`` pixels: a few kilobytes that decode to a lot."""
    Image.new("1", (side, side), 0).save(path, optimize=True)
    return path


IMAGE_KINDS: dict[str, Callable[[Path], tuple[Path, str]]] = {}
"""Hostile image files by kind: each builds its file and gives the words the refusal says."""


def _image_kind(name: str) -> Callable[[Callable[[Path], tuple[Path, str]]], None]:
    def register(build: Callable[[Path], tuple[Path, str]]) -> None:
        IMAGE_KINDS[name] = build

    return register


@_image_kind("FIFO")
def _fifo_image(folder: Path) -> tuple[Path, str]:
    return fifo(folder, "pipe.png"), "not a regular file"


@_image_kind("/dev/zero")
def _endless_image(folder: Path) -> tuple[Path, str]:
    return endless(folder, "zero.png"), "not a regular file"


@_image_kind("folder")
def _folder_image(folder: Path) -> tuple[Path, str]:
    path = folder / "folder.png"
    path.mkdir()
    return path, "it is a folder"


@_image_kind("larger than 50 MB")
def _huge_image(folder: Path) -> tuple[Path, str]:
    return sparse(
        folder, "huge.png", 50_000_001, b"\x89PNG\r\n\x1a\n"
    ), "too large (50,000,001 bytes"


@_image_kind("decompression bomb (225 megapixels)")
def _bomb(folder: Path) -> tuple[Path, str]:
    return bomb_png(folder / "bomb.png", 15_000), "too many pixels"


@_image_kind("above Pillow's warning limit (100 megapixels)")
def _warned(folder: Path) -> tuple[Path, str]:
    return bomb_png(folder / "big.png", 10_000), "too many pixels"


@_image_kind("truncated PNG")
def _truncated_png(folder: Path) -> tuple[Path, str]:
    path = digit_png(folder / "whole.png")
    return garbage(folder, "truncated.png", path.read_bytes()[:200]), "not a readable image"


@_image_kind("truncated JPEG")
def _truncated_jpeg(folder: Path) -> tuple[Path, str]:
    path = folder / "whole.jpg"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(path, quality=90)
    return garbage(folder, "truncated.jpg", path.read_bytes()[:300]), "not a readable image"


@_image_kind("text file")
def _text_image(folder: Path) -> tuple[Path, str]:
    return garbage(folder, "notes.png", b"not a picture\n"), "not a readable image"


@_image_kind("empty file")
def _empty_image(folder: Path) -> tuple[Path, str]:
    return garbage(folder, "empty.png", b""), "not a readable image"


# ----- settings ----------------------------------------------------------------------------------
CORRUPT_SETTINGS = {
    "speed of 10^23": ("playground", "speed", "100000000000000000000000"),
    "speed as text": ("playground", "speed", "fast"),
    "speed of 5,000 digits": ("playground", "speed", "9" * 5000),
    "negative speed": ("playground", "speed", "-7"),
    "GIF frame of 10^30 ms": ("playground", "gifFrameMs", "1" + "0" * 30),
    "zoom of 10^12 %": ("window", "zoomPercent", "1000000000000"),
    "zoom as a float": ("window", "zoomPercent", "150.5"),
    "geometry blob of garbage": ("window", "geometry", "@ByteArray(\\x1\\x2garbage\\xff\\xfe)"),
    "window state of garbage": ("window", "state", "@ByteArray(not a state at all)"),
    "unknown variant": ("window", "geometry", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x5junk)"),
    "mode that does not exist": ("window", "mode", "training-wheels"),
    "mode of 100,000 characters": ("window", "mode", "m" * 100_000),
    "lesson that does not exist": ("playground", "lesson", "no-such-lesson"),
    "splitter of garbage": ("splitters", "playgroundColumns", "@ByteArray(\\xff\\xff\\xff)"),
    "presentation as a number": ("window", "presentation", "12"),
}
"""Damaged settings by kind: (INI group, key, raw value written into the file)."""


def write_settings(folder: Path, entries: list[tuple[str, str, str]]) -> Path:
    """An INI settings file in ``folder`` with these (group, key, raw value) entries."""
    groups: dict[str, list[str]] = {}
    for group, key, value in entries:
        groups.setdefault(group, []).append(f"{key}={value}")
    text = "\n".join(f"[{group}]\n" + "\n".join(lines) for group, lines in groups.items())
    path = folder / "cnn-visualizer.ini"
    path.write_text(text + "\n", encoding="utf-8")
    return path
