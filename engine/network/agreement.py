"""The two engines agree: the model's forward pass rebuilt with the NumPy engine, next to ORT.

The app teaches with the NumPy engine (conv2d, pool2d, relu, flatten, dense, softmax) and runs
the real model in ONNX Runtime. ``compare_with_numpy`` replays the whole network with the NumPy
engine from the model's own weights and geometry (never from ORT's intermediate results: each
layer takes the NumPy value of the layer before) and reports how far each layer is from ORT's.
The NumPy side runs in float64, so the difference measures ORT's float32 rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.operations.conv import conv2d
from engine.operations.layers import dense, flatten, relu, softmax
from engine.operations.pool import pool2d

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.network.model import LayerInfo, OnnxModel

FLATTEN_OPS = frozenset({"Reshape", "Flatten", "Squeeze"})
DENSE_OPS = frozenset({"Gemm", "MatMul", "MatMul+Add"})


@dataclass(frozen=True, slots=True)
class LayerAgreement:
    """One layer in both engines: the largest absolute difference and both values."""

    name: str
    op: str
    max_abs_diff: float
    numpy: NDArray[np.float64]
    onnx: NDArray[np.float32]


def compare_with_numpy(model: OnnxModel, image: ArrayLike) -> list[LayerAgreement]:
    """Every layer of ``model`` for ``image``, computed by ORT and by the NumPy engine.

    ValueError when the model has a layer the NumPy engine cannot replay (its name and op say
    which), e.g. a grouped convolution or an op the engine does not have.
    """
    x = model.model_input(image).astype(np.float64)
    infos = {info.name: info for info in model.layers()}
    values: dict[str, NDArray[np.float64]] = {}
    result = []
    for activation in model.activations(image):
        info = infos[activation.name]
        inputs = [values[name] for name in info.inputs] or [x]
        value = replay_layer(model, info, inputs)
        if value.shape != activation.array.shape:
            raise ValueError(
                f"the NumPy engine gives shape {value.shape} for {info.name!r} ({info.op}) but "
                f"ONNX Runtime gives {activation.array.shape}"
            )
        values[info.name] = value
        diff = float(np.max(np.abs(value - activation.array))) if value.size else 0.0
        result.append(LayerAgreement(info.name, info.op, diff, value, activation.array))
    return result


def replay_layer(
    model: OnnxModel, info: LayerInfo, inputs: list[NDArray[np.float64]]
) -> NDArray[np.float64]:
    """One layer with the NumPy engine, from the values of the layers that feed it."""
    op, x = info.op, inputs[0]
    if len(inputs) != 1:
        raise ValueError(f"{info.name!r} ({op}) merges {len(inputs)} inputs; not replayable")
    if op == "Conv":
        kernel, bias = model.weights(info.name)
        g = model.geometry(info.name)
        if g.groups != 1:
            raise ValueError(f"{info.name!r} is a grouped convolution; conv2d has no groups")
        return _f64(
            conv2d(
                x,
                kernel.astype(np.float64),
                bias.astype(np.float64),
                stride=g.stride,
                padding=g.padding,
                dilation=g.dilation,
            )
        )
    if op in ("MaxPool", "AveragePool"):
        g = model.geometry(info.name)
        if g.dilation != (1, 1) or g.mode is None:
            raise ValueError(f"{info.name!r} is a dilated pooling; pool2d has no dilation")
        if g.counts_padding and g.padding != ((0, 0), (0, 0)):
            raise ValueError(
                f"{info.name!r} averages over padding cells too (count_include_pad); pool2d "
                "averages the real cells only, as Keras does"
            )
        return _f64(pool2d(x, g.kernel_size, stride=g.stride, mode=g.mode, padding=g.padding))
    if op == "Relu":
        return _f64(relu(x))
    if op == "Softmax" and x.ndim == 1:
        return _f64(softmax(x))
    if op in FLATTEN_OPS and len(info.output_shape) == 1:
        return _f64(flatten(x))
    if op in DENSE_OPS:
        weights, bias = model.weights(info.name)
        return _f64(dense(x, weights.astype(np.float64), bias.astype(np.float64)))
    raise ValueError(f"the NumPy engine has no {op} layer, so {info.name!r} cannot be replayed")


def _f64(array: NDArray[np.floating]) -> NDArray[np.float64]:
    return np.asarray(array, dtype=np.float64)
