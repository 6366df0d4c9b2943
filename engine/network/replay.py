"""Each layer kind replayed with the NumPy engine, from the model's own weights and geometry.

A replay takes the model, the layer's ``LayerInfo`` and the NumPy value of the layer feeding it
(float64, channels-last like every engine value) and returns the layer's value, float64. It
raises ValueError, naming the layer, when this particular layer cannot be replayed (a grouped
convolution, a dilated pooling, ...). The op table (``engine.network.ops``) says which replay
each ONNX op uses; ``engine.network.agreement.compare_with_numpy`` runs them layer by layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.operations.conv import conv2d
from engine.operations.layers import dense, flatten, relu, softmax
from engine.operations.params import as_float_array
from engine.operations.pool import pool2d

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.network.model import LayerInfo, OnnxModel

BATCH_NORM_EPSILON = 1e-5  # ONNX BatchNormalization's default ``epsilon``


def no_replay(info: LayerInfo) -> ValueError:
    """The error for a layer the NumPy engine has no operation for."""
    return ValueError(
        f"the NumPy engine has no {info.op} layer, so {info.name!r} cannot be replayed"
    )


def replay_conv(model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A convolution with ``conv2d``: kernel (kh, kw, C, D), stride, padding, dilation."""
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


def replay_pool(model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A max or average pooling with ``pool2d`` (averages count real cells only, as Keras)."""
    g = model.geometry(info.name)
    if g.dilation != (1, 1) or g.mode is None:
        raise ValueError(f"{info.name!r} is a dilated pooling; pool2d has no dilation")
    if g.counts_padding and g.padding != ((0, 0), (0, 0)):
        raise ValueError(
            f"{info.name!r} averages over padding cells too (count_include_pad); pool2d "
            "averages the real cells only, as Keras does"
        )
    return _f64(pool2d(x, g.kernel_size, stride=g.stride, mode=g.mode, padding=g.padding))


def replay_relu(model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """ReLU with ``relu``: max(0, z) cell by cell."""
    return _f64(relu(x))


def replay_softmax(
    model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Softmax of a class vector (n,) with ``softmax``; the engine has no softmax over maps."""
    if x.ndim != 1:
        raise no_replay(info)
    return _f64(softmax(x))


def replay_flatten(
    model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """A map laid out as one vector with ``flatten`` (row, column, channel order)."""
    if len(info.output_shape) != 1:
        raise no_replay(info)
    return _f64(flatten(x))


def replay_dense(model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A fully connected layer with ``dense``: x · W + b, W (inputs, outputs)."""
    weights, bias = model.weights(info.name)
    return _f64(dense(x, weights.astype(np.float64), bias.astype(np.float64)))


def replay_batch_norm(
    model: OnnxModel, info: LayerInfo, x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """ONNX BatchNormalization (inference) with ``batch_norm``, per channel (the last axis)."""
    parameters = model.parameters(info.name)
    if len(parameters) != 4:
        raise ValueError(
            f"{info.name!r} keeps {len(parameters)} of its 4 statistics (scale, offset, mean, "
            "variance) as constants; the others are computed inside the graph"
        )
    scale, offset, mean, variance = parameters
    epsilon = model.attributes(info.name).get("epsilon", BATCH_NORM_EPSILON)
    if not isinstance(epsilon, float | int):
        raise ValueError(f"{info.name!r} has a non-numeric epsilon {epsilon!r}")
    return batch_norm(x, scale, offset, mean, variance, float(epsilon))


def batch_norm(
    x: ArrayLike,
    scale: ArrayLike,
    offset: ArrayLike,
    mean: ArrayLike,
    variance: ArrayLike,
    epsilon: float = BATCH_NORM_EPSILON,
) -> NDArray[np.float64]:
    """Batch normalisation at inference: (x − mean) / √(variance + ε) · scale + offset.

    ``x`` is (..., C), channels-last; the four statistics are (C,), one per channel, learnt in
    training (Ioffe & Szegedy 2015, eq. in Algorithm 2; ONNX BatchNormalization). Float64.
    ValueError when a statistic does not have one value per channel.
    """
    xa = as_float_array(x, "input x").astype(np.float64)
    channels = xa.shape[-1] if xa.ndim else 0
    stats = []
    named = (("scale", scale), ("offset", offset), ("mean", mean), ("variance", variance))
    for name, value in named:
        a = as_float_array(value, name).astype(np.float64).reshape(-1)
        if a.shape[0] != channels:
            raise ValueError(f"{name} must have one value per channel ({channels}), got {a.shape}")
        stats.append(a)
    s, b, m, v = stats
    result: NDArray[np.float64] = (xa - m) / np.sqrt(v + epsilon) * s + b
    return result


def _f64(array: NDArray[np.floating]) -> NDArray[np.float64]:
    return np.asarray(array, dtype=np.float64)
