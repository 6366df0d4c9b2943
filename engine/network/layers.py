"""The layers a student sees in an ONNX image classifier, each with its layout and weights.

Everything here is derived from the graph itself, never from layer positions: the data path is
every node fed (directly or through layout plumbing) by the image input; the layers shown are the
nodes on it that compute something (Conv, activations, pooling, flatten, dense, softmax, ...),
while Transpose, Identity, Cast, Dropout, the Reshapes that only re-lay the data and the
Quantize/DequantizeLinear nodes of 8-bit models are skipped. A layer written as several nodes
(a MatMul and its bias Add) is read as one (``layer_fusion``).
Each tensor's layout (NCHW, NHWC, or a vector and the order it was flattened in) is tracked so
that every activation and weight can be handed to the engine channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.network.augment import data_outputs, data_path
from engine.network.geometry import LayerGeometry, layer_geometry
from engine.network.layer_fusion import Fusion, fusion_of
from engine.network.layer_names import layer_names
from engine.network.nodes import Constants, as_pair, node_attributes
from engine.network.ops import FUSED, Kind, OnnxOp, op_info
from engine.network.quantization import Coding, decode_bias, decode_weights, tensor_codings
from engine.network.tensor_layout import OTHER, TensorLayout, output_layout
from engine.operations.layout import kernel_from_onnx

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import onnx
    from numpy.typing import NDArray

    from engine.network.contract import ImageInput

    Kernel = tuple[NDArray[np.float32], NDArray[np.float32]]
    Found = tuple[NDArray[np.generic], NDArray[np.generic] | None, int] | str


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """One layer a student sees, and everything the engine needs to show or replay it.

    ``parameters`` are its weight inputs as stored in the graph (the op table's
    ``weight_inputs`` that are constants, 8-bit ones decoded to real values), read-only;
    ``params`` counts the values the file stores for them. ``coding`` decodes an integer
    output (an 8-bit layer) into real values, None for a float output.
    """

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
    parameters: tuple[NDArray[np.floating], ...] = ()
    coding: Coding | None = None
    integer: bool = False


@dataclass
class LayerDraft:
    """A layer found on the data path, before it is named.

    ``node`` is its weighted (or only) node; ``fused`` the nodes after it that belong to the
    layer (a bias Add, the nodes that rescale an 8-bit result); ``inputs`` are the layer's
    inputs as one op: a MatMul and its bias Add give (x, W, b).
    """

    node: onnx.NodeProto
    op: str
    output: str
    sources: tuple[int, ...]
    layout: TensorLayout
    in_tensor: str
    in_layout: TensorLayout
    fused: tuple[onnx.NodeProto, ...] = ()
    inputs: tuple[str, ...] = ()


def plan_layers(
    model: onnx.ModelProto,
    image: ImageInput,
    shapes: Mapping[str, tuple[int, ...]],
    integers: set[str] | frozenset[str] = frozenset(),
) -> list[LayerPlan]:
    """The layers a student sees, in graph order, each named, laid out and with its weights.

    ``shapes`` gives the actual shape of every data-path tensor (from one run of the model),
    ``integers`` the tensors whose values are integers (8-bit models). The graph's nodes must
    be in topological order.
    """
    graph = model.graph
    shapes = {**shapes, image.name: image.batch_shape}
    constants = Constants(graph)
    consumers: dict[str, list[onnx.NodeProto]] = {}
    producers: dict[str, onnx.NodeProto] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
        producers.update((o, node) for o in node.output if o)
    graph_outputs = {o.name for o in graph.output}
    path = data_path(model, image.name)
    data = {image.name} | {o for node, _ in path for o in data_outputs(node)}
    codings = tensor_codings(path, set(integers), constants)

    layouts = {image.name: TensorLayout(image.layout)}
    carried: dict[str, tuple[int, ...]] = {image.name: ()}
    in_layer: set[int] = set()  # nodes read as part of an earlier node's layer
    drafts: list[LayerDraft] = []
    for node, data_inputs in path:
        if id(node) in in_layer:
            continue
        entry = op_info(node.op_type)
        outputs = data_outputs(node)
        out = node.output[0]
        first = data_inputs[0]
        sources = tuple(dict.fromkeys(s for i in data_inputs for s in carried.get(i, ())))
        in_shape, out_shape = shapes.get(first), shapes.get(out)
        attrs = node_attributes(node)
        layout = output_layout(node.op_type, attrs, layouts.get(first, OTHER), in_shape, out_shape)
        for o in outputs:
            layouts[o] = layout
        makes_vector = (
            in_shape is not None and out_shape is not None and len(in_shape) > 2 >= len(out_shape)
        )
        if entry.passes_data_on and not (entry.kind is Kind.PLUMBING and makes_vector):
            for o in outputs:
                carried[o] = sources
            continue
        draft = LayerDraft(
            node, node.op_type, out, sources, layout, first, layouts.get(first, OTHER),
            inputs=tuple(node.input),
        )  # fmt: skip
        fusion = fusion_of(node, data, constants, consumers, graph_outputs, producers)
        if fusion is not None:
            _fuse(draft, fusion, constants, layouts)
            in_layer.update(id(n) for n in fusion.chain)
            for fused in fusion.chain:
                for o in data_outputs(fused):
                    carried[o] = (len(drafts),)
        draft.inputs = tuple(decode_weights(node, list(draft.inputs), constants, _rescale(fusion)))
        drafts.append(draft)
        for o in outputs:
            carried[o] = (len(drafts) - 1,)
    names = layer_names(drafts)
    with np.errstate(all="ignore"):  # odd weights (inf in float16...) are the model's business
        return [
            _plan(d, names[i], names, constants, shapes, codings, d.output in integers)
            for i, d in enumerate(drafts)
        ]


def _rescale(fusion: Fusion | None) -> NDArray[np.float64] | None:
    return None if fusion is None else fusion.rescale


def _fuse(
    draft: LayerDraft, fusion: Fusion, constants: Constants, layouts: dict[str, TensorLayout]
) -> None:
    """Make the draft the whole fused layer: its output, its op name and its bias input."""
    draft.fused = fusion.chain
    draft.output = fusion.output
    for node in fusion.chain:
        for o in data_outputs(node):
            layouts[o] = draft.layout
    bias_node = fusion.bias_node
    bias_at = op_info(draft.op).bias_input
    if bias_node is None or fusion.bias is None or bias_at is None:
        return
    decoded = decode_bias(bias_node, fusion.bias, constants)
    if decoded is None:
        return
    inputs = list(draft.inputs) + [""] * max(0, bias_at + 1 - len(draft.inputs))
    inputs[bias_at] = decoded[0]
    draft.inputs = tuple(inputs)
    draft.op = f"{draft.op}{FUSED}{bias_node.op_type}"


def _plan(
    draft: LayerDraft,
    name: str,
    names: Sequence[str],
    constants: Constants,
    shapes: Mapping[str, tuple[int, ...]],
    codings: Mapping[str, Coding],
    integer: bool,
) -> LayerPlan:
    entry = op_info(draft.op)
    attrs = node_attributes(draft.node)
    out_shape = shapes.get(draft.output, ())
    in_shape = shapes.get(draft.in_tensor, ())
    engine_in = draft.in_layout.engine_shape(in_shape) if in_shape else ()
    geometry = None
    if entry.window is not None and len(engine_in) == 3:
        kernel_hw = as_pair(attrs.get("kernel_shape"), 1)
        if entry.kernel == "filters" and "kernel_shape" not in attrs:
            w = constants.array(_input(draft, entry.kernel_input))
            if w is not None and w.ndim == 4:
                kernel_hw = (int(w.shape[2]), int(w.shape[3]))
        geometry = layer_geometry(draft.op, attrs, (engine_in[0], engine_in[1]), kernel_hw)
    parameters = _parameters(draft, entry, constants)
    weights, problem = _weights(draft, entry, constants, attrs)
    stored = {_input(draft, i) for i in entry.weight_inputs} - {""}
    return LayerPlan(
        name=name,
        op=draft.op,
        output=draft.output,
        sources=tuple(names[i] for i in draft.sources),
        shape=draft.layout.engine_shape(out_shape) if out_shape else (),
        layout=draft.layout,
        input_shape=engine_in,
        params=sum(constants.stored_size(n) for n in stored if n in constants),
        geometry=geometry,
        weights=weights,
        weights_problem=problem,
        attributes=attrs,
        parameters=parameters,
        coding=codings.get(draft.output),
        integer=integer,
    )


def _input(draft: LayerDraft, index: int | None) -> str:
    """The name of the layer's input ``index`` ("" when it has none there)."""
    if index is None or index >= len(draft.inputs):
        return ""
    return draft.inputs[index]


def _parameters(
    draft: LayerDraft, entry: OnnxOp, constants: Constants
) -> tuple[NDArray[np.floating], ...]:
    """The layer's weight inputs (the op table's ``weight_inputs``) stored as float constants."""
    found: list[NDArray[np.floating]] = []
    for index in entry.weight_inputs:
        name = _input(draft, index)
        array: NDArray[Any] | None = constants.array(name) if name else None
        if array is not None and array.dtype.kind == "f":
            array.flags.writeable = False
            found.append(array)
    return tuple(found)


def _weights(
    draft: LayerDraft, entry: OnnxOp, constants: Constants, attrs: Mapping[str, object]
) -> tuple[Kernel | None, str | None]:
    """(kernel, bias) in the engine's layout, or None and why not."""
    if entry.kernel is None:
        return None, f"a {draft.op} layer has no kernel and bias to show"
    stored = constants.array(_input(draft, entry.kernel_input))
    if stored is None or stored.dtype.kind != "f":
        return None, "its weights are computed inside the graph, not stored in it"
    bias_name = _input(draft, entry.bias_input)
    added = constants.array(bias_name) if bias_name else None
    if entry.kernel == "filters":
        found = _filters(stored.astype(np.float64), added)
    else:
        found = _matrix(stored.astype(np.float64), added, attrs, draft.in_layout.chw)
    if isinstance(found, str):
        return None, found
    kernel, bias, count = found
    if bias is None:
        bias = np.zeros(count, dtype=np.float32)
    bias = np.asarray(bias).reshape(-1)
    if bias.shape[0] != count:
        return None, f"its bias has {bias.shape[0]} values for {count} outputs"
    kernel32 = np.ascontiguousarray(kernel, dtype=np.float32)
    bias32 = np.ascontiguousarray(bias, dtype=np.float32)
    kernel32.flags.writeable = False
    bias32.flags.writeable = False
    return (kernel32, bias32), None


def _filters(kernel: NDArray[np.float64], bias: NDArray[np.generic] | None) -> Found:
    """A conv kernel (D, C, kh, kw) as the engine's (kh, kw, C, D), its bias, D; or why not."""
    if kernel.ndim != 4:
        return f"its kernel has shape {kernel.shape}, not (D, C, kh, kw)"
    return kernel_from_onnx(kernel), bias, int(kernel.shape[0])


def _matrix(
    kernel: NDArray[np.float64],
    added: NDArray[np.generic] | None,
    attrs: Mapping[str, object],
    chw: tuple[int, int, int] | None,
) -> Found:
    """A dense weight matrix (inputs, outputs) with rows in the engine's flatten order.

    Gemm's transA/transB/alpha/beta are applied (a MatMul has none of them). Rows of a
    vector flattened from NCHW maps, (channel, row, column), are reordered to the engine's
    (row, column, channel).
    """
    if kernel.ndim != 2:
        return f"its weight matrix has shape {kernel.shape}"
    if attrs.get("transA", 0) == 1:
        return "it multiplies a transposed input (Gemm transA=1)"
    matrix = kernel.T if attrs.get("transB", 0) == 1 else kernel
    matrix = matrix * _float(attrs.get("alpha"), 1.0)
    bias = None if added is None else added.astype(np.float64) * _float(attrs.get("beta"), 1.0)
    if chw is not None and matrix.shape[0] == chw[0] * chw[1] * chw[2]:
        c, h, w = chw
        matrix = matrix.reshape(c, h, w, -1).transpose(1, 2, 0, 3).reshape(c * h * w, -1)
    return matrix, bias, int(matrix.shape[1])


def _float(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default
