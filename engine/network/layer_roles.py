"""What each layer is for in the digit lab, read from the model's structure (never its names).

Which layers are shown as feature maps, as bars or as a strip of cells; which are the answer
(one value per class); which maps are the first convolution's filters (so a click on one picks
a filter to animate); and what shape each layer takes in.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from engine.network.ops import op_info

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.network.model import LayerInfo

MAX_BARS = 256  # longer vectors are shown as a strip of coloured cells
Picture = Literal["maps", "bars", "strip"]


def picture_kind(shape: Sequence[int]) -> Picture:
    """Maps for an (H, W, C) layer, bars for up to ``MAX_BARS`` values, else a strip."""
    if len(shape) == 3:
        return "maps"
    return "bars" if math.prod(shape) <= MAX_BARS else "strip"


def filter_layers(layers: Sequence[LayerInfo]) -> dict[str, str]:
    """Layers whose maps are the first convolution's filters → that convolution's name.

    The first convolution (an op whose weights the table shows as "filters"), and the layers
    after it that keep its maps one for one (ReLU, normalisation: one input, the same shape).
    """
    first = next((i for i, info in enumerate(layers) if op_info(info.op).kernel == "filters"), None)
    if first is None:
        return {}
    conv = layers[first]
    found = {conv.name: conv.name}
    previous = conv
    for info in layers[first + 1 :]:
        if info.inputs == (previous.name,) and info.output_shape == previous.output_shape:
            found[info.name] = conv.name
            previous = info
        else:
            break
    return found


def class_layers(layers: Sequence[LayerInfo], num_classes: int) -> frozenset[str]:
    """The last layers, one value per class (scores, then probabilities): the answer.

    Walks back from the output while the layers have ``num_classes`` values.
    """
    found = []
    for info in reversed(layers):
        if info.output_shape != (num_classes,):
            break
        found.append(info.name)
    return frozenset(found)


def input_shapes(
    layers: Sequence[LayerInfo], image_shape: tuple[int, ...]
) -> dict[str, tuple[int, ...]]:
    """Per layer: the output shape of the layer feeding it (``image_shape`` for the first)."""
    shapes = {info.name: info.output_shape for info in layers}
    return {
        info.name: shapes.get(info.inputs[0], image_shape) if info.inputs else image_shape
        for info in layers
    }
