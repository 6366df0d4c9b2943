"""Reading an ONNX image classifier: checks, the layers a student sees, and extra graph outputs.

Everything here is derived from the graph itself, never from layer positions: the data path is
every node fed (directly or through layout plumbing) by the image input; the layers shown are the
nodes on it that compute something (Conv, activations, pooling, flatten, dense, softmax, ...),
while Transpose, Identity, Cast, Dropout and the Reshapes that only re-lay the data are skipped.
Each tensor's layout (NCHW, NHWC, or a vector and the order it was flattened in) is tracked so
that every activation and weight can be handed to the engine channels-last.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message as ProtoMessage
from onnx import external_data_helper, numpy_helper

from engine.layout import kernel_from_onnx

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from numpy.typing import NDArray

CHANNEL_COUNTS = (1, 3)
EXPECTED_INPUT = (
    "expected one float32 image input, (N, H, W, C) channels-last like Keras or (N, C, H, W) "
    "channels-first like PyTorch, with C = 1 (grayscale) or 3 (RGB)"
)
EXPECTED_OUTPUT = "expected one output: a float32 class vector (N, K), one score per class, K ≥ 2"
EXPECTED_FILE = "expected an ONNX image classifier (.onnx), e.g. one exported by Keras or PyTorch"

# Ops that only move data around; they never get a record of their own.
PLUMBING_OPS = frozenset(
    ("Transpose", "Identity", "Cast", "Dropout", "Squeeze", "Unsqueeze", "Reshape", "Flatten")
)
# Ops that produce shapes, not data: the data path stops there.
SHAPE_OPS = frozenset({"Shape", "Size"})
# ONNX defines these on NCHW data, whatever layout the model's input had.
CHANNELS_FIRST_OPS = frozenset(
    {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "BatchNormalization"}
    | {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "InstanceNormalization", "LRN"}
)
# Activations are named after the layer they follow: "conv1 · relu".
ACTIVATION_OPS = frozenset(
    {"Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Softplus"}
    | {"Softsign", "HardSigmoid", "HardSwish", "Clip", "Softmax", "LogSoftmax", "Gelu", "Mish"}
)
DENSE_OPS = frozenset({"Gemm", "MatMul", "MatMul+Add"})
WEIGHTED_OPS = frozenset({"Conv", "ConvTranspose", "BatchNormalization", "PRelu"}) | DENSE_OPS
# Fallback names for layers whose node names carry no layer scope.
KIND_NAMES = {
    "Conv": "conv",
    "ConvTranspose": "deconv",
    "MaxPool": "pool",
    "AveragePool": "pool",
    "GlobalAveragePool": "global pool",
    "GlobalMaxPool": "global pool",
    "Gemm": "dense",
    "MatMul": "dense",
    "MatMul+Add": "dense",
    "BatchNormalization": "batchnorm",
}


class ModelError(ValueError):
    """A file that is not a usable ONNX image classifier; the message names it and says why."""


# ------------------------------------------------------------------------------------------
# Records shared with onnx_model
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LayerGeometry:
    """How a conv or pooling layer slides its window, in the terms of ``conv2d``/``pool2d``.

    ``padding`` is explicit ((top, bottom), (left, right)), whatever the ONNX attributes said
    (``pads``, ``auto_pad`` SAME_UPPER/SAME_LOWER/VALID, pooling's ``ceil_mode``). ``mode`` is
    None for a convolution, "max" or "avg" for pooling. ``groups`` > 1 is a grouped (e.g.
    depthwise) convolution; ``counts_padding`` is an average pooling that divides by the whole
    window, padding cells included (PyTorch's default), where ``pool2d`` counts real cells only.
    """

    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int]
    mode: str | None = None
    groups: int = 1
    counts_padding: bool = False

    def replay_kwargs(self) -> dict[str, Any]:
        """stride/padding(/dilation) as keyword arguments for ``conv2d`` or ``pool2d``:
        ``conv2d(x, kernel, bias, **geometry.replay_kwargs())``."""
        kwargs: dict[str, Any] = {"stride": self.stride, "padding": self.padding}
        if self.mode is None:
            kwargs["dilation"] = self.dilation
        return kwargs


@dataclass(frozen=True, slots=True)
class TensorLayout:
    """How an ONNX tensor holds its data: "NHWC", "NCHW", "vector" or "other".

    A vector flattened from an NCHW map is in (channel, row, column) order; ``chw`` then gives
    the map's (C, H, W) so it can be put in the engine's (row, column, channel) order.
    """

    kind: str
    chw: tuple[int, int, int] | None = None

    def engine_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        """The shape, batch dropped, channels-last."""
        body = tuple(int(d) for d in shape[1:])
        if self.kind == "NCHW" and len(body) == 3:
            return (body[1], body[2], body[0])
        return body

    def to_engine(self, batch: NDArray[np.float32]) -> NDArray[np.float32]:
        """The first item of an ORT output, channels-last.

        An NCHW map becomes a transposed view, not a copy: (H, W, C) like any engine map, and
        each channel ``array[:, :, c]`` stays contiguous, which is how the app draws them.
        """
        item = batch[0]
        if self.kind == "NCHW" and item.ndim == 3:
            item = item.transpose(1, 2, 0)
        elif self.chw is not None:
            item = np.ascontiguousarray(item.reshape(self.chw).transpose(1, 2, 0)).reshape(-1)
        result: NDArray[np.float32] = item
        return result


OTHER = TensorLayout("other")
VECTOR = TensorLayout("vector")


@dataclass(frozen=True, slots=True)
class ImageInput:
    """The model's image input: its name, layout and (H, W, C)."""

    name: str
    layout: str
    height: int
    width: int
    channels: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.height, self.width, self.channels)

    @property
    def batch_shape(self) -> tuple[int, int, int, int]:
        """The shape of a batch of one, in the model's own layout."""
        if self.layout == "NCHW":
            return (1, self.channels, self.height, self.width)
        return (1, self.height, self.width, self.channels)


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """One layer a student sees, and everything the engine needs to show or replay it."""

    name: str
    op: str
    output: str
    sources: tuple[str, ...]
    shape: tuple[int, ...]
    layout: TensorLayout
    input_shape: tuple[int, ...]
    params: int
    geometry: LayerGeometry | None = None
    weights: tuple[NDArray[np.float32], NDArray[np.float32]] | None = None
    weights_problem: str | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# Reading and checking the file
# ------------------------------------------------------------------------------------------


def describe_error(exc: BaseException) -> str:
    """ "TypeName: first line of the message", kept short, for error messages."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def read_model(path: Path) -> onnx.ModelProto:
    """Parse an ONNX file. FileNotFoundError when it is missing, ModelError when unusable."""
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
    return model


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


def _dims(value: onnx.ValueInfoProto) -> tuple[int | str, ...] | None:
    """A value's declared shape: ints where fixed, the symbol (or "?") where dynamic."""
    tensor = value.type.tensor_type
    if not tensor.HasField("shape"):
        return None
    return tuple(
        d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in tensor.shape.dim
    )


def _shape_text(dims: Sequence[int | str] | None) -> str:
    if dims is None:
        return "unknown"
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _type_name(elem_type: int) -> str:
    try:
        return str(onnx.TensorProto.DataType.Name(elem_type)).lower()
    except ValueError:
        return f"type {elem_type}"


def image_input(model: onnx.ModelProto, path: Path) -> ImageInput:
    """The one image input, or ModelError saying what is wrong with the inputs."""
    graph = model.graph
    constants = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in constants]
    if not inputs:
        raise ModelError(f"{path} has no input at all; {EXPECTED_INPUT}")
    if len(inputs) > 1:
        names = ", ".join(repr(v.name) for v in inputs)
        raise ModelError(f"{path} has {len(inputs)} inputs ({names}); {EXPECTED_INPUT}")
    value = inputs[0]
    if not value.type.HasField("tensor_type"):
        raise ModelError(
            f"{path} has no image input: {value.name!r} is not a tensor; {EXPECTED_INPUT}"
        )
    elem = value.type.tensor_type.elem_type
    if elem != onnx.TensorProto.FLOAT:
        raise ModelError(
            f"{path}: its input {value.name!r} holds {_type_name(elem)} values, not float32 "
            f"pixels; {EXPECTED_INPUT}"
        )
    dims = _dims(value)
    if dims is None or len(dims) != 4:
        raise ModelError(
            f"{path} has no image input: its input {value.name!r} has shape {_shape_text(dims)}; "
            f"{EXPECTED_INPUT}"
        )
    batch, a, b, c = dims
    if not all(isinstance(d, int) and d > 0 for d in (a, b, c)):
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, whose image size is "
            f"not fixed; {EXPECTED_INPUT} and a fixed H, W and C"
        )
    if isinstance(batch, int) and batch not in (0, 1):
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, a fixed batch of "
            f"{batch}; expected a batch size of 1 or a dynamic batch"
        )
    layout = _input_layout((int(a), int(b), int(c)), graph, value.name)
    if layout is None:
        raise ModelError(
            f"{path}: its input {value.name!r} has shape {_shape_text(dims)}, with neither 1 nor 3 "
            f"channels first or last; {EXPECTED_INPUT}"
        )
    if layout == "NHWC":
        return ImageInput(value.name, layout, int(a), int(b), int(c))
    return ImageInput(value.name, layout, int(b), int(c), int(a))


def _input_layout(dims: tuple[int, int, int], graph: onnx.GraphProto, name: str) -> str | None:
    first, last = dims[0] in CHANNEL_COUNTS, dims[2] in CHANNEL_COUNTS
    if last and not first:
        return "NHWC"
    if first and not last:
        return "NCHW"
    if not (first or last):
        return None
    # Ambiguous (e.g. (N, 3, 8, 3)): ask how the graph uses the input.
    for node in graph.node:
        if node.input and node.input[0] == name:
            if node.op_type in CHANNELS_FIRST_OPS:
                return "NCHW"
            if node.op_type == "Transpose" and _ints(_attributes(node).get("perm")) == [0, 3, 1, 2]:
                return "NHWC"
    return "NHWC"


def class_output(model: onnx.ModelProto, path: Path) -> str:
    """The name of the one class output, or ModelError (checked again on a real run)."""
    outputs = list(model.graph.output)
    if len(outputs) != 1:
        names = ", ".join(repr(v.name) for v in outputs)
        raise ModelError(f"{path} has {len(outputs)} outputs ({names}); {EXPECTED_OUTPUT}")
    value = outputs[0]
    if value.type.HasField("tensor_type"):
        elem = value.type.tensor_type.elem_type
        if elem != onnx.TensorProto.FLOAT:
            raise ModelError(
                f"{path}: its output {value.name!r} holds {_type_name(elem)} values; "
                f"{EXPECTED_OUTPUT}"
            )
        dims = _dims(value)
        if dims is not None:
            check_class_vector(dims, value.name, path)
    return str(value.name)


def check_class_vector(dims: Sequence[int | str], name: str, path: Path) -> None:
    """ModelError unless ``dims`` is (N, K) with K ≥ 2 (or K unknown)."""
    if len(dims) != 2 or (isinstance(dims[1], int) and dims[1] < 2):
        raise ModelError(
            f"{path}: its output {name!r} has shape {_shape_text(dims)}, not a class vector; "
            f"{EXPECTED_OUTPUT}"
        )


def class_labels(metadata: Mapping[str, str], count: int, path: Path) -> tuple[str, ...]:
    """Labels from metadata "class_labels" (a JSON list of strings), else "0".."K-1"."""
    text = metadata.get("class_labels")
    if text is None:
        return tuple(str(i) for i in range(count))
    try:
        labels = json.loads(text)
    except ValueError:
        labels = None
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ModelError(
            f"{path}: its metadata class_labels is not a JSON list of strings ({text[:60]!r}); "
            f'expected e.g. ["0", "1", ...], one label per class'
        )
    if len(labels) != count:
        raise ModelError(
            f"{path}: its metadata class_labels has {len(labels)} labels but the model outputs "
            f"{count} classes; expected one label per class"
        )
    return tuple(labels)


def accuracy_from(metadata: Mapping[str, str]) -> float | None:
    """metadata "test_accuracy" as a fraction (0.99 or "99 %" both give 0.99), else None."""
    text = metadata.get("test_accuracy", "").strip()
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        return None
    if percent or 1.0 < value <= 100.0:
        value /= 100.0
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None


# ------------------------------------------------------------------------------------------
# The data path and the augmented model
# ------------------------------------------------------------------------------------------


def data_tensors(model: onnx.ModelProto, input_name: str) -> list[str]:
    """The first output of every node on the image's data path, in graph order."""
    data = {input_name}
    result: list[str] = []
    for node in model.graph.node:
        if node.op_type in SHAPE_OPS or not any(i in data for i in node.input):
            continue
        data.update(o for o in node.output if o)
        if node.output and node.output[0]:
            result.append(node.output[0])
    return result


def producing_op(model: onnx.ModelProto, tensor: str) -> str | None:
    """The op that computed ``tensor``, looking through layout plumbing (Identity, Reshape...)."""
    producers = {o: node for node in model.graph.node for o in node.output}
    node = producers.get(tensor)
    for _ in range(len(model.graph.node)):
        if node is None or node.op_type not in PLUMBING_OPS or not node.input:
            break
        node = producers.get(node.input[0])
    return None if node is None else str(node.op_type)


def with_outputs(model: onnx.ModelProto, names: Sequence[str]) -> bytes:
    """A copy of the model with ``names`` added as graph outputs, serialised for ORT."""
    augmented = onnx.ModelProto()
    augmented.CopyFrom(model)
    existing = {o.name for o in augmented.graph.output}
    for name in names:
        if name not in existing:
            augmented.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
            existing.add(name)
    return bytes(augmented.SerializeToString())


# ------------------------------------------------------------------------------------------
# Planning the layers
# ------------------------------------------------------------------------------------------


def _attributes(node: onnx.NodeProto) -> dict[str, object]:
    result: dict[str, object] = {}
    for attribute in node.attribute:
        value = onnx.helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, onnx.TensorProto | onnx.GraphProto):
            continue
        result[attribute.name] = value
    return result


class _Constants:
    """Initializers and Constant-node values, looked up by tensor name (through Identity)."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self._tensors = {t.name: t for t in graph.initializer}
        self._aliases: dict[str, str] = {}
        for node in graph.node:
            if node.op_type == "Constant" and node.output:
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self._tensors[node.output[0]] = attribute.t
            elif node.op_type == "Identity" and node.input and node.output:
                self._aliases[node.output[0]] = node.input[0]

    def __contains__(self, name: str) -> bool:
        return self._resolve(name) in self._tensors

    def _resolve(self, name: str) -> str:
        seen = 0
        while name in self._aliases and name not in self._tensors and seen < 100:
            name, seen = self._aliases[name], seen + 1
        return name

    def array(self, name: str) -> NDArray[np.generic] | None:
        tensor = self._tensors.get(self._resolve(name))
        return None if tensor is None else numpy_helper.to_array(tensor)


def _ints(value: object) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list | tuple) else []


def _pair(value: object, default: int) -> tuple[int, int]:
    if isinstance(value, list | tuple) and len(value) >= 2:
        return (int(value[0]), int(value[1]))
    return (default, default)


def _geometry(
    op: str, attrs: Mapping[str, object], in_hw: tuple[int, int], kernel_hw: tuple[int, int]
) -> LayerGeometry:
    """Explicit engine geometry from ONNX Conv/MaxPool/AveragePool attributes."""
    stride = _pair(attrs.get("strides"), 1)
    dilation = _pair(attrs.get("dilations"), 1)
    auto_pad = str(attrs.get("auto_pad", "NOTSET"))
    padding: list[tuple[int, int]] = []
    for axis in range(2):
        size, k, s, d = in_hw[axis], kernel_hw[axis], stride[axis], dilation[axis]
        window = (k - 1) * d + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            total = max((math.ceil(size / s) - 1) * s + window - size, 0)
            small, big = total // 2, total - total // 2
            before, after = (small, big) if auto_pad == "SAME_UPPER" else (big, small)
        elif auto_pad == "VALID":
            before, after = 0, 0
        else:
            pads = attrs.get("pads")
            pad_list = list(pads) if isinstance(pads, list | tuple) else [0, 0, 0, 0]
            before, after = int(pad_list[axis]), int(pad_list[axis + 2])
        if attrs.get("ceil_mode") == 1:
            padded = size + before + after
            out = math.ceil((padded - window) / s) + 1
            if (out - 1) * s >= size + before:  # the last window must start inside the input
                out -= 1
            after += max((out - 1) * s + window - padded, 0)
        padding.append((before, after))
    mode = {"MaxPool": "max", "AveragePool": "avg"}.get(op)
    group = attrs.get("group", 1)
    groups = group if isinstance(group, int) else 1
    counts_padding = mode == "avg" and attrs.get("count_include_pad") == 1
    return LayerGeometry(
        kernel_hw, stride, (padding[0], padding[1]), dilation, mode, groups, counts_padding
    )


def _out_layout(
    op: str,
    attrs: Mapping[str, object],
    in_layout: TensorLayout,
    in_shape: tuple[int, ...] | None,
    out_shape: tuple[int, ...] | None,
) -> TensorLayout:
    if out_shape is None:
        return OTHER
    is_map = in_layout.kind in ("NHWC", "NCHW") and in_shape is not None and len(in_shape) == 4
    if len(out_shape) == 4:
        if op in CHANNELS_FIRST_OPS:
            return TensorLayout("NCHW")
        if op == "Transpose" and is_map:
            perm = attrs.get("perm", [])
            if isinstance(perm, list) and sorted(perm) == [0, 1, 2, 3]:
                kind = "".join(in_layout.kind[int(p)] for p in perm)
                return TensorLayout(kind) if kind in ("NHWC", "NCHW") else OTHER
            return OTHER
        if is_map and in_shape is not None:
            if out_shape == in_shape:
                return in_layout
            n, a, b, c = in_shape
            swapped = (n, c, a, b) if in_layout.kind == "NHWC" else (n, b, c, a)
            if out_shape == swapped:  # a Reshape that moves a size-1 channel axis
                return TensorLayout("NCHW" if in_layout.kind == "NHWC" else "NHWC")
            return in_layout
        return OTHER
    if len(out_shape) == 2:
        if is_map and in_shape is not None:  # flattening a map
            if in_layout.kind == "NCHW" and in_shape[1] > 1 and in_shape[2] * in_shape[3] > 1:
                return TensorLayout("vector", (in_shape[1], in_shape[2], in_shape[3]))
            return VECTOR
        if in_layout.kind == "vector" and op not in DENSE_OPS:
            return in_layout
        return VECTOR
    return OTHER


@dataclass
class _Draft:
    """A layer found on the data path, before it is named."""

    node: onnx.NodeProto
    op: str
    output: str
    sources: tuple[int, ...]
    layout: TensorLayout
    in_tensor: str
    in_layout: TensorLayout
    matmul: onnx.NodeProto | None = None


def plan_layers(
    model: onnx.ModelProto,
    image: ImageInput,
    shapes: Mapping[str, tuple[int, ...]],
) -> list[LayerPlan]:
    """The layers a student sees, in graph order, each named, laid out and with its weights.

    ``shapes`` gives the actual shape of every data-path tensor (from one run of the model).
    """
    graph = model.graph
    shapes = {**shapes, image.name: image.batch_shape}
    constants = _Constants(graph)
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    graph_outputs = {o.name for o in graph.output}

    data = {image.name}
    layouts = {image.name: TensorLayout(image.layout)}
    carried: dict[str, tuple[int, ...]] = {image.name: ()}
    fused: dict[str, onnx.NodeProto] = {}  # MatMul output -> the MatMul, for its bias Add
    drafts: list[_Draft] = []
    for node in graph.node:
        data_inputs = [i for i in node.input if i in data]
        if node.op_type in SHAPE_OPS or not data_inputs or not node.output:
            continue
        outputs = [o for o in node.output if o]
        data.update(outputs)
        out = node.output[0]
        first = data_inputs[0]
        sources = tuple(dict.fromkeys(s for i in data_inputs for s in carried.get(i, ())))
        attrs = _attributes(node)
        in_shape, out_shape = shapes.get(first), shapes.get(out)
        layout = _out_layout(node.op_type, attrs, layouts.get(first, OTHER), in_shape, out_shape)
        for o in outputs:
            layouts[o] = layout
        op = node.op_type
        makes_vector = (
            in_shape is not None and out_shape is not None and len(in_shape) > 2 >= len(out_shape)
        )
        if op in PLUMBING_OPS and not makes_vector:
            for o in outputs:
                carried[o] = sources
            continue
        if op == "MatMul" and _is_fusable(node, data, constants, consumers, graph_outputs):
            fused[out] = node
            carried[out] = sources
            continue
        matmul = fused.get(first) if op == "Add" else None
        if matmul is not None:
            op = "MatMul+Add"
            first = next(i for i in matmul.input if i in data)
        drafts.append(
            _Draft(node, op, out, sources, layout, first, layouts.get(first, OTHER), matmul)
        )
        for o in outputs:
            carried[o] = (len(drafts) - 1,)
    names = _names(drafts)
    with np.errstate(all="ignore"):  # odd weights (inf in float16...) are the model's business
        return [_plan(d, names[i], names, constants, shapes) for i, d in enumerate(drafts)]


def _is_fusable(
    node: onnx.NodeProto,
    data: set[str],
    constants: _Constants,
    consumers: Mapping[str, list[onnx.NodeProto]],
    graph_outputs: set[str],
) -> bool:
    """A MatMul by a constant whose only consumer adds a constant bias: one dense layer."""
    if len(node.input) != 2 or node.input[1] not in constants or node.input[0] not in data:
        return False
    out = node.output[0]
    users = consumers.get(out, [])
    if out in graph_outputs or len(users) != 1 or users[0].op_type != "Add":
        return False
    others = [i for i in users[0].input if i != out]
    return len(others) == 1 and others[0] in constants


def _plan(
    draft: _Draft,
    name: str,
    names: Sequence[str],
    constants: _Constants,
    shapes: Mapping[str, tuple[int, ...]],
) -> LayerPlan:
    node, op = draft.node, draft.op
    attrs = _attributes(node)
    out_shape = shapes.get(draft.output, ())
    in_shape = shapes.get(draft.in_tensor, ())
    engine_in = draft.in_layout.engine_shape(in_shape) if in_shape else ()
    geometry = None
    weights = None
    problem = None
    params = 0
    if op in ("Conv", "MaxPool", "AveragePool") and len(engine_in) == 3:
        in_hw = (engine_in[0], engine_in[1])
        kernel_hw = _pair(attrs.get("kernel_shape"), 1)
        if op == "Conv" and "kernel_shape" not in attrs:
            w = constants.array(node.input[1])
            if w is not None and w.ndim == 4:
                kernel_hw = (int(w.shape[2]), int(w.shape[3]))
        geometry = _geometry(op, attrs, in_hw, kernel_hw)
    if op in WEIGHTED_OPS:
        weights, problem, params = _weights(draft, constants)
    return LayerPlan(
        name=name,
        op=op,
        output=draft.output,
        sources=tuple(names[i] for i in draft.sources),
        shape=draft.layout.engine_shape(out_shape) if out_shape else (),
        layout=draft.layout,
        input_shape=engine_in,
        params=params,
        geometry=geometry,
        weights=weights,
        weights_problem=problem,
        attributes=attrs,
    )


def _weights(
    draft: _Draft, constants: _Constants
) -> tuple[tuple[NDArray[np.float32], NDArray[np.float32]] | None, str | None, int]:
    """(kernel, bias) in the engine's layout, or why not, and the parameter count."""
    node, op = draft.node, draft.op
    weight_node = draft.matmul if draft.matmul is not None else node
    stored = [constants.array(i) for i in node.input if i and i in constants]
    if draft.matmul is not None:
        stored += [constants.array(i) for i in draft.matmul.input if i in constants]
    params = sum(a.size for a in stored if a is not None and a.dtype.kind == "f")
    if op not in ("Conv", *DENSE_OPS):
        return None, f"a {op} layer has no kernel and bias to show", params
    stored_kernel = constants.array(weight_node.input[1]) if len(weight_node.input) > 1 else None
    if stored_kernel is None or stored_kernel.dtype.kind != "f":
        return None, "its weights are computed inside the graph, not stored in it", params
    kernel = stored_kernel.astype(np.float64)
    attrs = _attributes(node)
    bias: NDArray[np.generic] | None = None
    if op == "Conv":
        if kernel.ndim != 4:
            return None, f"its kernel has shape {kernel.shape}, not (D, C, kh, kw)", params
        if len(node.input) > 2 and node.input[2]:
            bias = constants.array(node.input[2])
        engine_kernel = kernel_from_onnx(kernel)
        count = int(kernel.shape[0])
    else:
        if kernel.ndim != 2:
            return None, f"its weight matrix has shape {kernel.shape}", params
        if op == "Gemm":
            if attrs.get("transA", 0) == 1:
                return None, "it multiplies a transposed input (Gemm transA=1)", params
            matrix = kernel.T if attrs.get("transB", 0) == 1 else kernel
            matrix = matrix * _float(attrs.get("alpha"), 1.0)
            if len(node.input) > 2 and node.input[2]:
                added = constants.array(node.input[2])
                beta = _float(attrs.get("beta"), 1.0)
                bias = None if added is None else added.astype(np.float64) * beta
        else:
            matrix = kernel
            if draft.matmul is not None:
                bias_name = next(i for i in node.input if i != draft.matmul.output[0])
                bias = constants.array(bias_name)
        chw = draft.in_layout.chw
        if chw is not None and matrix.shape[0] == chw[0] * chw[1] * chw[2]:
            c, h, w = chw  # rows in (channel, row, column) order -> the engine's (row, col, ch)
            matrix = matrix.reshape(c, h, w, -1).transpose(1, 2, 0, 3).reshape(c * h * w, -1)
        engine_kernel = matrix
        count = int(matrix.shape[1])
    if bias is None:
        bias = np.zeros(count, dtype=np.float32)
    bias = np.asarray(bias).reshape(-1)
    if bias.shape[0] != count:
        return None, f"its bias has {bias.shape[0]} values for {count} outputs", params
    kernel32 = np.ascontiguousarray(engine_kernel, dtype=np.float32)
    bias32 = np.ascontiguousarray(bias, dtype=np.float32)
    kernel32.flags.writeable = False
    bias32.flags.writeable = False
    return (kernel32, bias32), None, params


def _float(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def _scope(node_name: str) -> str | None:
    """The layer scope of a node name: "conv1" in "sequential/conv1/BiasAdd" or "/conv1/Conv"."""
    parts = [p for p in node_name.split("/") if p]
    return parts[-2] if len(parts) >= 2 else None


def _common_suffix(scopes: Sequence[str]) -> str | None:
    """The "_1" that Keras's tracing appends to every layer scope ("conv1_1"), if all share it."""
    distinct = set(scopes)
    if len(distinct) < 2:
        return None
    matches = [re.fullmatch(r"(.+?)(_\d+)", s) for s in distinct]
    suffixes = {m.group(2) for m in matches if m is not None}
    if len(suffixes) == 1 and all(m is not None for m in matches):
        return suffixes.pop()
    return None


def _names(drafts: Sequence[_Draft]) -> list[str]:
    """Display names: the Keras/PyTorch layer name where the node name has one, activations
    after the layer they follow ("conv1 · relu"), else a numbered kind ("conv2", "pool1")."""
    scopes: list[str | None] = []
    for draft in drafts:
        scope = _scope(draft.node.name)
        if scope is None and draft.matmul is not None:
            scope = _scope(draft.matmul.name)
        scopes.append(scope)
    suffix = _common_suffix([s for s in scopes if s])
    if suffix:
        scopes = [s[: -len(suffix)] if s and s.endswith(suffix) else s for s in scopes]
    bases: list[str] = []
    names: list[str] = []
    counts: dict[str, int] = {}
    for draft, scope in zip(drafts, scopes, strict=True):
        kind = KIND_NAMES.get(draft.op)
        if kind is None and draft.layout.kind == "vector" and draft.op in PLUMBING_OPS:
            kind = "flatten"
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
        if draft.op in ACTIVATION_OPS and draft.sources:
            base = bases[draft.sources[0]]
            name = f"{base} · {draft.op.lower()}"
        else:
            if scope:
                base = scope
            elif kind is None:
                base = draft.op.lower()
            elif kind == "flatten":
                base = kind
            else:
                base = f"{kind}{counts[kind]}"
            name = base
        unique, n = name, 2
        while unique in names:
            unique, n = f"{name} {n}", n + 1
        bases.append(base)
        names.append(unique)
    return names
