"""An ONNX image classifier in ONNX Runtime: predictions, every activation, weights, geometry.

``OnnxModel`` owns two ``InferenceSession``s, both built once at load time: the model as it is
(for ``predict``, which must be fast), and the same model with every intermediate tensor of the
data path added as a graph output (for ``activations``, one run for all layers). Everything the
app shows is handed out in the engine's channels-last layout, whatever the model's own layout.
"""

from __future__ import annotations

import copy
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
    checked_labels,
    class_labels,
    class_output,
    image_input,
    opset_of,
    output_step,
)
from engine.network.file import ModelError, describe_error, read_model_file
from engine.network.finite_values import NotFinite, check_weights
from engine.network.geometry import LayerGeometry
from engine.network.graph_order import in_data_order
from engine.network.inference_mode import for_inference
from engine.network.layers import plan_layers
from engine.network.ops import Kind, op_info
from engine.network.output_scores import as_shown, output_kind
from engine.network.receptive_field import PixelRect, receptive_field

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, NDArray

    from engine.network.contract import ImageInput
    from engine.network.layers import LayerPlan
    from engine.network.output_scores import OutputKind

__all__ = [
    "Activation",
    "Forward",
    "LayerGeometry",
    "LayerInfo",
    "ModelError",
    "OnnxModel",
    "PixelRect",
    "Weights",
]

PROVIDERS = ["CPUExecutionProvider"]
MAX_BATCH = 100  # images per run when the batch is dynamic (class_scores)
MAX_NAME_CHARS = 80
"""A longer model name (from the file's metadata) is shown cut, ending in "…"."""


class Probe(NamedTuple):
    """What the load-time runs found: tensor shapes, integer tensors, output rows (2, K)."""

    shapes: dict[str, tuple[int, ...]]
    integers: set[str]
    rows: NDArray[np.float64]


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
            f"{path}: ONNX Runtime cannot load this model: {describe_error(exc)}; "
            "expected a valid ONNX image classifier using standard operators"
        ) from None


@dataclass(frozen=True, slots=True)
class Forward:
    """One run of the model on one image: every layer's output and the model's own output.

    ``scores`` is the graph's output row (K,) as the model gives it (probabilities, logits...).
    """

    activations: tuple[Activation, ...]
    scores: NDArray[np.float32]


PROBE_SEED = 20240613  # the random image the output is probed with (fixed: same answer each load)


class OnnxModel:
    """An image classifier from an ONNX file, NHWC (Keras) or NCHW (PyTorch), gray or RGB.

    ``OnnxModel()`` loads the app's shipped model (models/mnist_cnn.onnx). A missing file raises
    FileNotFoundError; anything else that is not a usable classifier raises ModelError.
    ``labels`` replaces the class labels of the file's metadata (one per class).

    On load the nodes are sorted topologically (some exporters wrote them out of order), ops
    saved in training mode (Dropout, BatchNormalization) are switched to inference mode, and
    the model is run on a blank and a random image to find every tensor's shape and what its
    output values are (``output_kind``).
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, labels: Sequence[str] | None = None
    ) -> None:
        if path is None:
            from models import DEFAULT_MODEL_PATH

            path = DEFAULT_MODEL_PATH
        self._path = Path(path)
        stored = read_model_file(self._path)
        self._sha256 = stored.sha256
        proto = in_data_order(stored.proto, self._path)
        proto, self._notes = for_inference(proto, self._path)
        self._image: ImageInput = image_input(proto, self._path)
        output = class_output(proto, self._path)
        self._metadata = {p.key: p.value for p in proto.metadata_props}
        self._opset = opset_of(proto)
        same = proto is stored.proto
        self._session = _session(stored.data if same else proto.SerializeToString(), self._path)
        self._input_name = self._image.name
        self._output_names = [output]
        tensors = data_tensors(proto, self._image.name)
        self._inspector = _session(with_outputs(proto, tensors), self._path)
        self._forward_names = [*dict.fromkeys([*tensors, output])]
        probe = self._probe(tensors, output)
        self._num_classes = probe.shapes[output][1]
        self._labels = (
            class_labels(self._metadata, self._num_classes, self._path)
            if labels is None
            else checked_labels(labels, self._num_classes, "the labels given")
        )
        try:
            plans = plan_layers(proto, self._image, probe.shapes, probe.integers)
        except Exception as exc:  # an unusual graph must not take the app down
            raise ModelError(
                f"{self._path}: its graph could not be read as layers ({describe_error(exc)}); "
                "expected an image classifier made of standard layers"
            ) from None
        try:
            check_weights(plans)
        except NotFinite as exc:
            raise ModelError(f"{self._path}: {exc}") from None
        self._plans = {p.name: p for p in plans}
        self._activation_outputs = [p.output for p in plans]
        self._quantized = any(
            op_info(n.op_type).quantized is not None or op_info(n.op_type).kind is Kind.QUANTIZE
            for n in proto.graph.node
        )
        self._final_op = producing_op(proto, output)
        self._output_kind = output_kind(probe.rows, self._final_op, output_step(proto, output))

    def _probe(self, tensors: list[str], output: str) -> Probe:
        """Run a blank and a random image through the inspecting session.

        Gives every tensor's real shape, which tensors hold integers, and the output rows.
        """
        names = [o.name for o in self._inspector.get_outputs()]
        blank = np.zeros(self._image.batch_shape, dtype=np.float32)
        noise = np.random.default_rng(PROBE_SEED).random(self._image.batch_shape, np.float32)
        try:
            values = self._inspector.run(names, {self._input_name: blank})
            noisy = self._inspector.run(self._output_names, {self._input_name: noise})[0]
        except Exception as exc:
            raise ModelError(
                f"{self._path}: ONNX Runtime could not run this model on a blank "
                f"{self._image.shape} image ({describe_error(exc)}); expected a model "
                "that classifies one image at a time"
            ) from None
        found = dict(zip(names, values, strict=True))
        shapes = {n: tuple(int(d) for d in np.shape(v)) for n, v in found.items()}
        out_shape = shapes[output]
        check_class_vector(out_shape, output, self._path)
        if out_shape[0] != 1:
            raise ModelError(
                f"{self._path}: for one image its output {output!r} has shape {out_shape}; "
                f"{EXPECTED_OUTPUT}"
            )
        wanted = [*tensors, output]
        integers = {n for n in wanted if n in found and np.asarray(found[n]).dtype.kind in "iub"}
        rows = np.concatenate(
            [np.asarray(found[output], np.float64), np.asarray(noisy, np.float64)]
        )
        return Probe({n: shapes[n] for n in wanted if n in shapes}, integers, rows)

    # -- what the GUI shows -----------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The model file."""
        return self._path

    @property
    def name(self) -> str:
        """The metadata's "name", else the file name without its extension.

        At most ``MAX_NAME_CHARS`` characters: a longer one is cut and ends in "…"; line
        breaks become spaces.
        """
        name = " ".join((self._metadata.get("name") or self._path.stem).split())
        return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"

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

    @property
    def sha256(self) -> str:
        """The SHA-256 of the model file's bytes (hex): what its remembered settings key on."""
        return self._sha256

    @property
    def input_name(self) -> str:
        """The name of the image input in the graph."""
        return self._input_name

    @property
    def output_name(self) -> str:
        """The name of the class output in the graph."""
        return self._output_names[0]

    @property
    def batch_dim(self) -> int | str:
        """The input's batch size as declared: 1, or a name ("batch", "N") when dynamic."""
        return self._image.batch

    @property
    def opset(self) -> int:
        """The ONNX opset of the default domain the model uses."""
        return self._opset

    @property
    def output_kind(self) -> OutputKind:
        """What the output values are, read from the values on load (``output_scores``)."""
        return self._output_kind

    @property
    def final_op(self) -> str | None:
        """The op that computes the output (through ops that only pass data on)."""
        return self._final_op

    @property
    def notes(self) -> tuple[str, ...]:
        """What was changed on load so the model runs as a classifier (training-mode ops)."""
        return self._notes

    @property
    def quantized(self) -> bool:
        """True for an 8-bit model: it quantizes values or stores 8-bit weights."""
        return self._quantized

    def with_labels(self, labels: Sequence[str]) -> OnnxModel:
        """The same model (sharing its sessions) with other class labels, one per class.

        ValueError when there is not one non-empty label per class.
        """
        relabelled = copy.copy(self)
        relabelled._labels = checked_labels(labels, self._num_classes, "the labels given")
        return relabelled

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
            raise ValueError("image contains NaN or infinite values; expected numbers")
        if a.shape[2] != c:
            a = np.repeat(a, c, axis=2)
        return a

    def _batch(self, image: ArrayLike) -> NDArray[np.float32]:
        a = self.model_input(image)
        if self._image.layout == "NCHW":
            a = a.transpose(2, 0, 1)
        return np.ascontiguousarray(a)[None]

    def predict(self, image: ArrayLike) -> NDArray[np.float32]:
        """Class probabilities (num_classes,) for an (H, W) or (H, W, C) model input.

        Read as ``output_kind`` says: a model that ends in logits gets a softmax here, so the
        result sums to 1; independent (sigmoid) scores are returned as they are.
        """
        scores: NDArray[np.float32] = self._session.run(
            self._output_names, {self._input_name: self._batch(image)}
        )[0][0]
        return as_shown(scores, self._output_kind)

    def class_scores(self, images: ArrayLike) -> NDArray[np.float32]:
        """The raw output rows (N, K) for model inputs (N, H, W) or (N, H, W, C).

        In batches of up to ``MAX_BATCH`` when the model's batch is dynamic, else one by one
        (the plain session: no layer outputs). ValueError for inputs of the wrong size.
        """
        stack = np.asarray(images, dtype=np.float32)
        if stack.ndim not in (3, 4) or len(stack) == 0:
            raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got {stack.shape}")
        batches = [self._batch(image) for image in stack]
        step = MAX_BATCH if isinstance(self._image.batch, str) else 1
        rows = []
        for start in range(0, len(batches), step):
            feed = np.concatenate(batches[start : start + step])
            rows.append(self._session.run(self._output_names, {self._input_name: feed})[0])
        result: NDArray[np.float32] = np.concatenate(rows).reshape(len(stack), -1)
        return result

    def probabilities(self, activations: Sequence[Activation]) -> NDArray[np.float32]:
        """The class probabilities (num_classes,) from the last layer of ``activations``.

        For a graph that ends in its last layer (the model's output is that layer's value);
        ``forward`` gives the output itself, whatever the graph ends in.
        """
        return as_shown(activations[-1].array, self._output_kind)

    def as_probabilities(self, scores: NDArray[np.float32]) -> NDArray[np.float32]:
        """The model's output row (K,) as shown: softmax for logits, exp for log-softmax."""
        return as_shown(scores, self._output_kind)

    def forward(self, image: ArrayLike) -> Forward:
        """Every layer's output and the model's output for one model input, in ONE ORT run.

        ``image`` is (H, W) or (H, W, C), already preprocessed (the values the model takes).
        Maps are channels-last; 8-bit layers are decoded to real values. Read-only arrays.
        """
        values = self._inspector.run(self._forward_names, {self._input_name: self._batch(image)})
        found = dict(zip(self._forward_names, values, strict=True))
        records = []
        for plan in self._plans.values():
            value = found[plan.output]
            if plan.coding is not None:
                value = plan.coding.decode(value)
            elif plan.integer:
                value = value.astype(np.float32)
            array = plan.layout.to_engine(value)
            array.flags.writeable = False
            records.append(Activation(plan.name, plan.op, plan.shape, array))
        scores = np.array(found[self._output_names[0]][0], dtype=np.float32)
        scores.flags.writeable = False
        return Forward(tuple(records), scores)

    def activations(self, image: ArrayLike) -> list[Activation]:
        """Every layer's output for one image, in graph order, channels-last (one ORT run)."""
        return list(self.forward(image).activations)

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
