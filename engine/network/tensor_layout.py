"""How an ONNX tensor holds its data: NCHW, NHWC, or a vector and the order it was flattened in.

Tracked from op to op so that every activation can be handed to the engine channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.ops import Kind, Layout, op_info

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray


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


def output_layout(
    op: str,
    attrs: Mapping[str, object],
    in_layout: TensorLayout,
    in_shape: tuple[int, ...] | None,
    out_shape: tuple[int, ...] | None,
) -> TensorLayout:
    """The layout of a node's output, from its op (the op table), its input and the shapes.

    ``in_shape`` and ``out_shape`` are the ONNX shapes (batch first) of the node's first data
    input and of its output, None when unknown.
    """
    if out_shape is None:
        return OTHER
    entry = op_info(op)
    is_map = in_layout.kind in ("NHWC", "NCHW") and len(in_shape or ()) == 4
    map_shape = in_shape if is_map else None
    if len(out_shape) == 4:
        if entry.channels_first:
            return TensorLayout("NCHW")
        if map_shape is None:
            return OTHER
        if entry.layout is Layout.PERMUTATION:
            return _permuted(attrs.get("perm"), in_layout)
        return _reshaped_map(in_layout, map_shape, out_shape)
    if len(out_shape) == 2:
        if map_shape is not None:  # flattening a map
            if in_layout.kind == "NCHW" and map_shape[1] > 1 and map_shape[2] * map_shape[3] > 1:
                return TensorLayout("vector", (map_shape[1], map_shape[2], map_shape[3]))
            return VECTOR
        if in_layout.kind == "vector" and entry.kind is not Kind.DENSE:
            return in_layout  # its values are still in the order they were flattened in
        return VECTOR
    return OTHER


def _permuted(perm: object, in_layout: TensorLayout) -> TensorLayout:
    """A Transpose's output layout: the input's axis letters in ``perm``'s order."""
    if isinstance(perm, list) and sorted(perm) == [0, 1, 2, 3]:
        kind = "".join(in_layout.kind[int(p)] for p in perm)
        return TensorLayout(kind) if kind in ("NHWC", "NCHW") else OTHER
    return OTHER


def _reshaped_map(
    in_layout: TensorLayout, in_shape: tuple[int, ...], out_shape: tuple[int, ...]
) -> TensorLayout:
    """The layout of a 4-D output of an op that keeps its input's layout.

    A Reshape that only moves a size-1 channel axis to the other end swaps NHWC and NCHW.
    """
    if out_shape == in_shape:
        return in_layout
    n, a, b, c = in_shape
    swapped = (n, c, a, b) if in_layout.kind == "NHWC" else (n, b, c, a)
    if out_shape == swapped:
        return TensorLayout("NCHW" if in_layout.kind == "NHWC" else "NHWC")
    return in_layout
