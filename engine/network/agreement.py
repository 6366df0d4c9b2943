"""The two engines agree: the model's forward pass rebuilt with the NumPy engine, next to ORT.

The app teaches with the NumPy engine (conv2d, pool2d, relu, flatten, dense, softmax, ...) and
runs the real model in ONNX Runtime. ``compare_with_numpy`` replays the whole network with the
NumPy engine from the model's own weights and geometry (never from ORT's intermediate results: each
layer takes the NumPy value of the layer before) and reports how far each layer is from ORT's.
The NumPy side runs in float64, so the difference measures ORT's float32 rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.ops import op_info
from engine.network.replay import no_replay

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.network.model import LayerInfo, OnnxModel


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

    ``image`` is (H, W) or (H, W, C) in 0..1. Each layer's replay is the op table's.
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
    """One layer with the NumPy engine, from the values of the layers that feed it.

    The op table (``engine.network.ops``) says which replay the layer's op has. ValueError
    when it has none, or when the layer merges several inputs.
    """
    if len(inputs) != 1:
        raise ValueError(f"{info.name!r} ({info.op}) merges {len(inputs)} inputs; not replayable")
    replay = op_info(info.op).replay
    if replay is None:
        raise no_replay(info)
    return replay(model, info, inputs[0])
