"""`python -m models.training.keras_to_onnx MODEL.keras OUT.onnx`: a Keras classifier as ONNX.

The app opens Keras files (.keras, .h5) by running this module in a child process, so the app
itself never imports TensorFlow. The conversion is the training package's: Keras's own
``model.export(format="onnx")`` (through tf2onnx, opset ``export.ONNX_OPSET``) and the same
readable names (``onnx_names``); unlike the trainer's export it keeps the model's own input
size, output and layers (a Rescaling or Normalization layer in front stays in the graph, so
the app finds the input range the model expects).

It prints one JSON object per line on stdout: ``{"event": "progress", "message": ...}``, then
``{"event": "done", "path": ...}`` or ``{"event": "error", "message": ...}``; exit status 0,
or 2 for an error (no TensorFlow, an unreadable file, a model the exporter cannot convert).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import warnings
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from models.training.errors import UserError
from models.training.export import ONNX_OPSET, add_metadata
from models.training.framework import use_tensorflow_backend
from models.training.onnx_names import numbered_generated_names, rename_everything, weight_names
from models.training.outputs import write_atomically
from models.training.packages import TRAINING_PACKAGES

if TYPE_CHECKING:
    import keras
    import onnx

INSTALL_HINT = (
    'install the app\'s "train" extra: pip install -e ".[train]" in the app\'s folder '
    '(or pip install "tensorflow-cpu>=2.16" "keras>=3.0" "tf2onnx>=1.17")'
)
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


def emit(event: str, **fields: str) -> None:
    """One JSON line on stdout, flushed (the app reads them as they come)."""
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


def check_packages() -> None:
    """UserError saying how to install them when TensorFlow, Keras or tf2onnx are missing."""
    missing = [name for name in TRAINING_PACKAGES if find_spec(name) is None]
    if missing:
        raise UserError(f"opening a Keras model needs {', '.join(missing)}: {INSTALL_HINT}")


def tidy_layer_names(proto: onnx.ModelProto, layer_names: list[str], model_name: str) -> None:
    """The trainer's readable names ('conv1/Relu'), without renaming the model's output."""
    graph = proto.graph
    layers = "|".join(re.escape(name) for name in layer_names)
    model_prefix = re.compile(rf"^{re.escape(model_name)}(?:_\d+)?/")
    layer_scope = re.compile(rf"^({layers})(?:_\d+)?/") if layers else None

    def tidy(name: str) -> str:
        name = model_prefix.sub("", name)
        return layer_scope.sub(r"\1/", name) if layer_scope else name

    rename_everything(graph, tidy)
    generated = numbered_generated_names(graph, set(layer_names))
    rename_everything(graph, lambda name: generated.get(name, name))
    weights = weight_names(graph, set(layer_names))
    rename_everything(graph, lambda name: weights.get(name, name))


def call_once(model: keras.Model) -> None:
    """Run the model on one blank image: a loaded model must be called before it is exported.

    Raises:
        UserError: the model has not one image input of a fixed size.
    """
    import numpy as np

    inputs = getattr(model, "inputs", None) or []
    shape = tuple(inputs[0].shape[1:]) if len(inputs) == 1 else ()
    if not shape or any(d is None for d in shape):
        raise UserError(
            f"the model {model.name!r} has no single image input of a fixed size (its inputs: "
            f"{[tuple(i.shape) for i in inputs]}); expected e.g. keras.Input((28, 28, 1))"
        )
    model(np.zeros((1, *shape), dtype="float32"))


def export_any(model: keras.Model) -> onnx.ModelProto:
    """Keras's ONNX export of ``model`` as it is (its input size, layers and output).

    Raises:
        onnx.checker.ValidationError: the exported graph is not valid ONNX.
    """
    import onnx

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.onnx"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
            model.export(str(path), format="onnx", verbose=False, opset_version=ONNX_OPSET)
        proto = onnx.load(str(path))
    tidy_layer_names(proto, [layer.name for layer in model.layers], model.name)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def convert(source: Path, output: Path) -> None:
    """Convert the Keras file ``source`` to the ONNX file ``output`` (written atomically).

    Raises:
        UserError: the packages are missing, or the file cannot be read or converted.
    """
    check_packages()
    emit("progress", message="Starting TensorFlow (this takes a few seconds)…")
    use_tensorflow_backend()
    import keras

    emit("progress", message=f"Reading {source.name}…")
    try:
        model = keras.saving.load_model(str(source), compile=False)
    except Exception as exc:  # Keras raises many types for files it cannot read
        raise UserError(f"{source} is not a Keras model Keras can read ({exc})") from None
    emit("progress", message="Converting to ONNX with Keras's exporter (tf2onnx)…")
    try:
        call_once(model)
        proto = export_any(model)
    except UserError:
        raise
    except Exception as exc:  # the exporter's own errors: an op tf2onnx cannot convert...
        raise UserError(f"{source} could not be converted to ONNX ({exc})") from None
    add_metadata(
        proto,
        {
            "name": model.name,
            "converted_from": source.name,
            "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
            "framework": f"Keras {keras.__version__}",
        },
    )
    write_atomically(output, proto.SerializeToString())


def main(argv: list[str] | None = None) -> int:
    """Convert; the outcome is the last JSON line (done or error) and the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m models.training.keras_to_onnx",
        description="Convert a Keras image classifier (.keras, .h5) to ONNX for CNN Visualizer.",
    )
    parser.add_argument("source", type=Path, help="the Keras model file")
    parser.add_argument("output", type=Path, help="the ONNX file to write")
    args = parser.parse_args(argv)
    try:
        if not args.source.is_file():
            raise UserError(f"{args.source} is not a file")
        convert(args.source, args.output)
    except (UserError, OSError) as exc:
        emit("error", message=str(exc))
        return 2
    emit("done", path=str(args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
