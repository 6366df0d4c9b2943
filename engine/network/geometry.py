"""How a conv or pooling layer slides its window: explicit engine geometry from ONNX attributes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.network.nodes import as_pair
from engine.network.ops import op_info

if TYPE_CHECKING:
    from collections.abc import Mapping


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
        """Stride, padding (and dilation) as keyword arguments for ``conv2d`` or ``pool2d``.

        E.g. ``conv2d(x, kernel, bias, **geometry.replay_kwargs())``.
        """
        kwargs: dict[str, Any] = {"stride": self.stride, "padding": self.padding}
        if self.mode is None:
            kwargs["dilation"] = self.dilation
        return kwargs


def layer_geometry(
    op: str, attrs: Mapping[str, object], in_hw: tuple[int, int], kernel_hw: tuple[int, int]
) -> LayerGeometry:
    """Explicit engine geometry from the attributes of an op that slides a window.

    ``op`` is a Conv, MaxPool or AveragePool (the op table's ``window``); ``in_hw`` is the
    input's (H, W) and ``kernel_hw`` the window's (kh, kw). Padding follows the ONNX spec:
    ``pads`` (top, left, bottom, right), ``auto_pad`` and pooling's ``ceil_mode``.
    """
    stride = as_pair(attrs.get("strides"), 1)
    dilation = as_pair(attrs.get("dilations"), 1)
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
    slides = op_info(op).window
    mode = None if slides == "conv" else slides
    group = attrs.get("group", 1)
    groups = group if isinstance(group, int) else 1
    counts_padding = mode == "avg" and attrs.get("count_include_pad") == 1
    return LayerGeometry(
        kernel_hw, stride, (padding[0], padding[1]), dilation, mode, groups, counts_padding
    )
