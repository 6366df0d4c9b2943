"""The layers a student sees in an ONNX image classifier, each with its layout and weights.

Everything here is derived from the graph itself, never from layer positions: the data path is
every node fed (directly or through layout plumbing) by the image input; the layers shown are the
nodes on it that compute something (Conv, activations, pooling, flatten, dense, softmax, ...),
while Transpose, Identity, Cast, Dropout and the Reshapes that only re-lay the data are skipped.
Each tensor's layout (NCHW, NHWC, or a vector and the order it was flattened in) is tracked so
that every activation and weight can be handed to the engine channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.network.geometry import LayerGeometry, layer_geometry
from engine.network.layer_names import layer_names
from engine.network.nodes import (
    DENSE_OPS,
    PLUMBING_OPS,
    SHAPE_OPS,
    WEIGHTED_OPS,
    Constants,
    as_pair,
    node_attributes,
)
from engine.network.tensor_layout import OTHER, TensorLayout, output_layout
from engine.operations.layout import kernel_from_onnx

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import onnx
    from numpy.typing import NDArray

    from engine.network.contract import ImageInput


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


@dataclass
class LayerDraft:
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
    constants = Constants(graph)
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    graph_outputs = {o.name for o in graph.output}

    data = {image.name}
    layouts = {image.name: TensorLayout(image.layout)}
    carried: dict[str, tuple[int, ...]] = {image.name: ()}
    fused: dict[str, onnx.NodeProto] = {}  # MatMul output -> the MatMul, for its bias Add
    drafts: list[LayerDraft] = []
    for node in graph.node:
        data_inputs = [i for i in node.input if i in data]
        if node.op_type in SHAPE_OPS or not data_inputs or not node.output:
            continue
        outputs = [o for o in node.output if o]
        data.update(outputs)
        out = node.output[0]
        first = data_inputs[0]
        sources = tuple(dict.fromkeys(s for i in data_inputs for s in carried.get(i, ())))
        attrs = node_attributes(node)
        in_shape, out_shape = shapes.get(first), shapes.get(out)
        layout = output_layout(node.op_type, attrs, layouts.get(first, OTHER), in_shape, out_shape)
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
            LayerDraft(node, op, out, sources, layout, first, layouts.get(first, OTHER), matmul)
        )
        for o in outputs:
            carried[o] = (len(drafts) - 1,)
    names = layer_names(drafts)
    with np.errstate(all="ignore"):  # odd weights (inf in float16...) are the model's business
        return [_plan(d, names[i], names, constants, shapes) for i, d in enumerate(drafts)]


def _is_fusable(
    node: onnx.NodeProto,
    data: set[str],
    constants: Constants,
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
    draft: LayerDraft,
    name: str,
    names: Sequence[str],
    constants: Constants,
    shapes: Mapping[str, tuple[int, ...]],
) -> LayerPlan:
    node, op = draft.node, draft.op
    attrs = node_attributes(node)
    out_shape = shapes.get(draft.output, ())
    in_shape = shapes.get(draft.in_tensor, ())
    engine_in = draft.in_layout.engine_shape(in_shape) if in_shape else ()
    geometry = None
    weights = None
    problem = None
    params = 0
    if op in ("Conv", "MaxPool", "AveragePool") and len(engine_in) == 3:
        in_hw = (engine_in[0], engine_in[1])
        kernel_hw = as_pair(attrs.get("kernel_shape"), 1)
        if op == "Conv" and "kernel_shape" not in attrs:
            w = constants.array(node.input[1])
            if w is not None and w.ndim == 4:
                kernel_hw = (int(w.shape[2]), int(w.shape[3]))
        geometry = layer_geometry(op, attrs, in_hw, kernel_hw)
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
    draft: LayerDraft, constants: Constants
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
    attrs = node_attributes(node)
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
