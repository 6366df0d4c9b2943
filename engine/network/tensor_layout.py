"""How an ONNX tensor holds its data (NCHW, NHWC, or a vector and the order it was flattened
in), tracked from op to op so that every activation can be handed to the engine channels-last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.nodes import CHANNELS_FIRST_OPS, DENSE_OPS

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
    if out_shape is None:
        return OTHER
    is_map = in_layout.kind in ("NHWC", "NCHW") and in_shape is not None and len(in_shape) == 4
    if len(out_shape) == 4:
        if op in CHANNELS_FIRST_OPS:
            return TensorLayout("NCHW")
        if op == "Transpose" and is_map:
            perm = attrs.get("perm", [])
            if isinstance(perm, list) and sorted(perm) == [0, 1, 2, 3]:
                kind = "".join(in_layout.kind[int(p)] for p in perm)
                return TensorLayout(kind) if kind in ("NHWC", "NCHW") else OTHER
            return OTHER
        if is_map and in_shape is not None:
            if out_shape == in_shape:
                return in_layout
            n, a, b, c = in_shape
            swapped = (n, c, a, b) if in_layout.kind == "NHWC" else (n, b, c, a)
            if out_shape == swapped:  # a Reshape that moves a size-1 channel axis
                return TensorLayout("NCHW" if in_layout.kind == "NHWC" else "NHWC")
            return in_layout
        return OTHER
    if len(out_shape) == 2:
        if is_map and in_shape is not None:  # flattening a map
            if in_layout.kind == "NCHW" and in_shape[1] > 1 and in_shape[2] * in_shape[3] > 1:
                return TensorLayout("vector", (in_shape[1], in_shape[2], in_shape[3]))
            return VECTOR
        if in_layout.kind == "vector" and op not in DENSE_OPS:
            return in_layout
        return VECTOR
    return OTHER
