"""What a layer is for in the lab, read from the model's structure (never from its names)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import LayerInfo


def filter_layers(layers: list[LayerInfo]) -> dict[str, str]:
    """Layers whose maps are the first convolution's filters → that convolution's name.

    The first Conv layer, and the layers after it that keep its maps one for one (ReLU,
    normalisation: one input, the same shape).
    """
    first = next((info for info in layers if info.op == "Conv"), None)
    if first is None:
        return {}
    found = {first.name: first.name}
    previous = first
    for info in layers[layers.index(first) + 1 :]:
        if info.inputs == (previous.name,) and info.output_shape == previous.output_shape:
            found[info.name] = first.name
            previous = info
        else:
            break
    return found


def class_layers(layers: list[LayerInfo], num_classes: int) -> frozenset[str]:
    """The last layers, one value per class (scores, then probabilities): the answer.

    Walks back from the output while the layers have ``num_classes`` values.
    """
    found = []
    for info in reversed(layers):
        if info.output_shape != (num_classes,):
            break
        found.append(info.name)
    return frozenset(found)
