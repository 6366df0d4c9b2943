"""From the trained network to the playground: replay one learned first-layer filter.

"Animate this filter" puts the digit the network saw and one learned kernel (with its bias,
stride, padding and dilation) into the playground, so a student steps through the real
network's first layer; the playground's result is then compared with ONNX Runtime's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.playground import PlaygroundSpec
from engine.network.ops import op_info

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.animation.playground import PipelineResult
    from engine.network.model import OnnxModel
    from engine.network.preprocessing import Preprocessing


@dataclass(frozen=True)
class FilterReplay:
    """A playground set-up for one learned filter, and what ONNX Runtime computed for it."""

    spec: PlaygroundSpec
    ort_map: NDArray[np.float32]  # (H', W'): the layer's output for this filter, before ReLU
    layer: str
    filter_index: int
    model_name: str

    def max_difference(self, result: PipelineResult) -> float:
        """Largest |playground − ONNX Runtime| over the map (the playground's conv, no ReLU)."""
        ours = result.feature_maps[:, :, 0]
        if ours.shape != self.ort_map.shape:
            raise ValueError(
                f"the playground's map is {ours.shape} but ONNX Runtime's is {self.ort_map.shape}; "
                "the set-up was changed since the replay"
            )
        return float(np.max(np.abs(ours - self.ort_map)))

    @property
    def title(self) -> str:
        """E.g. "conv1, filter 5 of MNIST CNN"."""
        return f"{self.layer}, filter {self.filter_index + 1} of {self.model_name}"


def first_conv_layer(model: OnnxModel) -> str:
    """The name of the first convolution fed directly by the image."""
    for info in model.layers():
        if op_info(info.op).kernel == "filters" and not info.inputs:
            return info.name
    raise ValueError(f"{model.name} has no convolution on its input image")


def replay_filter(
    model: OnnxModel,
    layer: str,
    filter_index: int,
    image: ArrayLike,
    preprocessing: Preprocessing | None = None,
) -> FilterReplay:
    """The playground set-up that recomputes filter ``filter_index`` of ``layer`` on ``image``.

    ``image`` is the picture in 0..1; the playground gets it as the model does, after
    ``preprocessing`` (None: as it is). Only a convolution fed directly by the image can be
    replayed this way (its input is the picture the student drew); anything else raises
    ValueError saying so.
    """
    infos = {info.name: info for info in model.layers()}
    info = infos.get(layer)
    if info is None or op_info(info.op).kernel != "filters":
        raise ValueError(f"{layer!r} is not a convolution layer of {model.name}")
    if info.inputs:
        raise ValueError(
            f"{layer!r} is fed by {', '.join(info.inputs)}, not by the image; only a first-layer "
            "filter can be animated on the drawing"
        )
    kernel, bias = model.weights(layer)
    if not 0 <= filter_index < kernel.shape[3]:
        raise ValueError(f"{layer!r} has {kernel.shape[3]} filters, not {filter_index + 1}")
    geometry = model.geometry(layer)
    if geometry.groups != 1:
        raise ValueError(f"{layer!r} is a grouped convolution, which the playground cannot show")
    picture = model.model_input(image)  # (H, W, C) whatever the model's layout
    if preprocessing is not None:
        picture = preprocessing.apply(picture)
    channels = picture.shape[2]
    names = ("R", "G", "B") if channels == 3 else ()
    activation = next(a for a in model.forward(picture).activations if a.name == layer)
    spec = PlaygroundSpec.create(
        np.asarray(picture, dtype=np.float64),
        np.asarray(kernel[:, :, :, filter_index : filter_index + 1], dtype=np.float64),
        np.asarray(bias[filter_index : filter_index + 1], dtype=np.float64),
        stride=geometry.stride,
        padding=geometry.padding,
        dilation=geometry.dilation,
        relu=True,
        channel_names=names,
        filter_names=(f"{layer} #{filter_index + 1}",),
    )
    ort_map = np.ascontiguousarray(activation.array[:, :, filter_index])
    return FilterReplay(spec, ort_map, layer, filter_index, model.name)
