"""An ONNX image classifier in ONNX Runtime: predictions, every activation, weights, geometry.

``OnnxModel`` owns two ``InferenceSession``s, both built once at load time: the model as it is
(for ``predict``, which must be fast), and the same model with every intermediate tensor of the
data path added as a graph output (for ``activations``, one run for all layers). Everything the
app shows is handed out in the engine's channels-last layout, whatever the model's own layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import onnxruntime as ort

from engine.network.augment import data_tensors, producing_op, with_outputs
from engine.network.contract import (
    EXPECTED_OUTPUT,
    accuracy_from,
    check_class_vector,
    class_labels,
    class_output,
    image_input,
)
from engine.network.file import ModelError, describe_error, read_model
from engine.network.geometry import LayerGeometry
from engine.network.layers import plan_layers
from engine.network.ops import op_info
from engine.network.receptive_field import PixelRect, receptive_field

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, NDArray

    from engine.network.contract import ImageInput
    from engine.network.layers import LayerPlan

__all__ = [
    "Activation",
    "LayerGeometry",
    "LayerInfo",
    "ModelError",
    "OnnxModel",
    "PixelRect",
    "Weights",
]

PROVIDERS = ["CPUExecutionProvider"]


@dataclass(frozen=True, slots=True)
class Activation:
    """One layer's output for one image: (H, W, C) for maps, (n,) for vectors, read-only.

    A map from a channels-first graph is a transposed view: ``array[:, :, c]`` is contiguous.
    """

    name: str
    op: str
    shape: tuple[int, ...]
    array: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """A line of the model summary. ``inputs`` names the layers feeding it (() = the image)."""

    name: str
    op: str
    output_shape: tuple[int, ...]
    params: int
    inputs: tuple[str, ...]


class Weights(NamedTuple):
    """A conv kernel (kh, kw, C, D) or dense matrix (inputs, outputs), and its bias, float32."""

    kernel: NDArray[np.float32]
    bias: NDArray[np.float32]


def _session_options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = 4  # failures come back as exceptions; no console noise
    # One thread. With ORT's default pool (one thread per core, spinning after each run) a bare
    # run of the shipped model is ~10 % faster on 2 cores, but the spinning worker slows what
    # the app does next (to_mnist after a run: ~185 µs instead of ~135 µs), so the whole
    # canvas → to_mnist → predict is faster on one thread (~240 µs against ~270 µs), and the
    # GUI thread keeps the other core to itself.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Never spin: a waiting ORT thread that spins takes a core from the animation and from a
    # training child (issue 11); with one thread there is no pool, and should the count ever
    # grow, its workers sleep between runs instead.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _session(model: bytes, path: Path) -> ort.InferenceSession:
    try:
        # No "fallback": with the CPU provider alone, ORT would only retry the same thing and
        # print an "EP Error" banner on stdout first.
        return ort.InferenceSession(
            model, _session_options(), providers=PROVIDERS, enable_fallback=0
        )
    except Exception as exc:  # ORT raises its own exception types (Fail, InvalidGraph, ...)
        raise ModelError(
            f"{path}: ONNX Runtime cannot load this model ({describe_error(exc)}); "
            "expected a valid ONNX image classifier using standard operators"
        ) from None


class OnnxModel:
    """An image classifier from an ONNX file, NHWC (Keras) or NCHW (PyTorch), gray or RGB.

    ``OnnxModel()`` loads the app's shipped model (models/mnist_cnn.onnx). A missing file raises
    FileNotFoundError; anything else that is not a usable classifier raises ModelError.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is None:
            from models import DEFAULT_MODEL_PATH

            path = DEFAULT_MODEL_PATH
        self._path = Path(path)
        proto = read_model(self._path)
        self._image: ImageInput = image_input(proto, self._path)
        output = class_output(proto, self._path)
        self._metadata = {p.key: p.value for p in proto.metadata_props}
        self._session = _session(proto.SerializeToString(), self._path)
        self._input_name = self._image.name
        self._output_names = [output]
        tensors = data_tensors(proto, self._image.name)
        self._inspector = _session(with_outputs(proto, tensors), self._path)
        shapes = self._probe(tensors, output)
        self._num_classes = shapes[output][1]
        self._labels = class_labels(self._metadata, self._num_classes, self._path)
        try:
            plans = plan_layers(proto, self._image, shapes)
        except Exception as exc:  # an unusual graph must not take the app down
            raise ModelError(
                f"{self._path}: its graph could not be read as layers ({describe_error(exc)}); "
                "expected an image classifier made of standard layers"
            ) from None
        self._plans = {p.name: p for p in plans}
        self._activation_outputs = [p.output for p in plans]
        # What the graph ends in decides how its output becomes probabilities.
        final_op = producing_op(proto, output)
        self._scores = None if final_op is None else op_info(final_op).scores

    def _probe(self, tensors: list[str], output: str) -> dict[str, tuple[int, ...]]:
        """Run a blank image once through the inspecting session: every tensor's real shape."""
        names = [o.name for o in self._inspector.get_outputs()]
        blank = np.zeros(self._image.batch_shape, dtype=np.float32)
        try:
            values = self._inspector.run(names, {self._input_name: blank})
        except Exception as exc:
            raise ModelError(
                f"{self._path}: ONNX Runtime could not run this model on a blank "
                f"{self._image.shape} image ({describe_error(exc)}); expected a model "
                "that classifies one image at a time"
            ) from None
        shapes = {n: tuple(int(d) for d in np.shape(v)) for n, v in zip(names, values, strict=True)}
        out_shape = shapes[output]
        check_class_vector(out_shape, output, self._path)
        if out_shape[0] != 1:
            raise ModelError(
                f"{self._path}: for one image its output {output!r} has shape {out_shape}; "
                f"{EXPECTED_OUTPUT}"
            )
        return {n: shapes[n] for n in [*tensors, output] if n in shapes}

    # -- what the GUI shows -----------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The model file."""
        return self._path

    @property
    def name(self) -> str:
        """The metadata's "name", else the file name without its extension."""
        return self._metadata.get("name") or self._path.stem

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of the image the model takes."""
        return self._image.shape

    @property
    def layout(self) -> str:
        """The model's own input layout: "NHWC" (Keras) or "NCHW" (PyTorch)."""
        return self._image.layout

    @property
    def num_classes(self) -> int:
        """K, the length of the class vector the model outputs."""
        return self._num_classes

    @property
    def class_labels(self) -> tuple[str, ...]:
        """One label per class: the metadata's "class_labels", else "0".."K-1"."""
        return self._labels

    @property
    def metadata(self) -> dict[str, str]:
        """The model file's metadata_props (a copy)."""
        return dict(self._metadata)

    @property
    def accuracy(self) -> float | None:
        """The metadata's "test_accuracy" as a fraction, or None."""
        return accuracy_from(self._metadata)

    def __repr__(self) -> str:
        return (
            f"OnnxModel({str(self._path)!r}: {self.layout} {self.input_shape} -> "
            f"{self.num_classes} classes, {len(self._plans)} layers)"
        )

    # -- running it -------------------------------------------------------------------------

    def model_input(self, image: ArrayLike) -> NDArray[np.float32]:
        """The image as the model takes it, (H, W, C) float32; a gray image feeds RGB models.

        ValueError when the size does not match ``input_shape`` or a value is NaN/infinite.
        """
        a = np.asarray(image)
        if a.dtype != np.float32:
            if a.dtype.kind not in "fiub":
                raise ValueError(f"image must be an array of numbers, got dtype {a.dtype}")
            a = a.astype(np.float32)
        h, w, c = self._image.shape
        if a.ndim == 2:
            a = a[:, :, None]
        if a.ndim != 3 or a.shape[:2] != (h, w) or a.shape[2] not in (1, c):
            raise ValueError(
                f"image must be ({h}, {w}) or ({h}, {w}, {c}) for this model, got shape "
                f"{np.shape(image)}"
            )
        if not np.isfinite(np.add.reduce(a, axis=None)):
            raise ValueError("image contains NaN or infinite values; expected numbers in 0..1")
        if a.shape[2] != c:
            a = np.repeat(a, c, axis=2)
        return a

    def _batch(self, image: ArrayLike) -> NDArray[np.float32]:
        a = self.model_input(image)
        if self._image.layout == "NCHW":
            a = a.transpose(2, 0, 1)
        return np.ascontiguousarray(a)[None]

    def predict(self, image: ArrayLike) -> NDArray[np.float32]:
        """Class probabilities (num_classes,) for an (H, W) or (H, W, C) image in 0..1.

        A model that ends in logits gets a softmax here, so the result always sums to 1.
        """
        scores: NDArray[np.float32] = self._session.run(
            self._output_names, {self._input_name: self._batch(image)}
        )[0][0]
        return self._as_probabilities(scores)

    def probabilities(self, activations: Sequence[Activation]) -> NDArray[np.float32]:
        """The class probabilities (num_classes,) from ``activations(image)``, without a second run.

        Read from its last record, the way ``predict`` reads the model's output: as it is when
        the graph ends in a softmax, exp for a log-softmax, a softmax for scores (logits).
        """
        return self._as_probabilities(activations[-1].array)

    def _as_probabilities(self, scores: NDArray[np.float32]) -> NDArray[np.float32]:
        """The model's final output as probabilities: softmax for logits, exp for log-softmax."""
        if self._scores == "probabilities":
            return scores
        if self._scores == "log-probabilities":
            return np.exp(scores)
        with np.errstate(all="ignore"):  # a broken model's inf/NaN scores give NaN, not noise
            shifted = np.exp(scores - scores.max())
            result: NDArray[np.float32] = shifted / shifted.sum()
        return result

    def activations(self, image: ArrayLike) -> list[Activation]:
        """Every layer's output for one image, in graph order, channels-last (one ORT run)."""
        values = self._inspector.run(
            self._activation_outputs, {self._input_name: self._batch(image)}
        )
        records = []
        for plan, value in zip(self._plans.values(), values, strict=True):
            array = plan.layout.to_engine(value)
            array.flags.writeable = False
            records.append(Activation(plan.name, plan.op, plan.shape, array))
        return records

    # -- the layers -------------------------------------------------------------------------

    def layers(self) -> list[LayerInfo]:
        """One line per layer: name, op, output shape (channels-last), parameter count."""
        return [LayerInfo(p.name, p.op, p.shape, p.params, p.sources) for p in self._plans.values()]

    def _plan(self, layer: str) -> LayerPlan:
        try:
            return self._plans[layer]
        except KeyError:
            names = ", ".join(self._plans)
            raise ValueError(f"no layer named {layer!r}; the layers are: {names}") from None

    def weights(self, layer: str) -> Weights:
        """The kernel and bias of a conv or dense layer, in the engine's layout.

        Conv: kernel (kh, kw, C, D) as Keras stores it. Dense: (inputs, outputs), with its rows
        in the order of the engine's channels-last ``flatten`` (a channels-first model's rows
        are reordered to match). Read-only arrays.
        """
        plan = self._plan(layer)
        if plan.weights is None:
            raise ValueError(
                f"{layer!r} ({plan.op}) has no weights to show: {plan.weights_problem}"
            )
        return Weights(*plan.weights)

    def parameters(self, layer: str) -> tuple[NDArray[np.floating], ...]:
        """The layer's parameters as stored in the model, in the op's own input order.

        E.g. a BatchNormalization's (scale, offset, mean, variance), each (C,); a Conv's
        ONNX kernel (D, C, kh, kw) and bias (D,). Only inputs the op table lists as weights and
        that are float constants; () for a layer without parameters. Read-only arrays.
        """
        return self._plan(layer).parameters

    def attributes(self, layer: str) -> dict[str, object]:
        """The ONNX attributes of the layer's node (a copy), e.g. {"epsilon": 1e-05}."""
        return dict(self._plan(layer).attributes)

    def geometry(self, layer: str) -> LayerGeometry:
        """Kernel size, stride, explicit padding and dilation of a conv or pooling layer."""
        plan = self._plan(layer)
        if plan.geometry is None:
            raise ValueError(f"{layer!r} ({plan.op}) is not a conv or pooling layer")
        return plan.geometry

    def receptive_field(self, layer: str, row: int, col: int) -> PixelRect:
        """The input pixels (row0, row1, col0, col1; end-exclusive) that influence one cell."""
        self._plan(layer)
        h, w, _ = self._image.shape
        return receptive_field(self._plans, layer, row, col, (h, w))
