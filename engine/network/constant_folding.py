"""Constants computed through the ops that only re-lay or decode them.

Exporters often store a weight in one shape and reshape, transpose, cast or dequantize it in the
graph (CNTK's mnist-8 reshapes its dense matrix and its conv biases; QDQ models dequantize every
int8 weight). Each op's ``folds`` entry in the op table names one of these NumPy functions; the
value is what ONNX Runtime would compute, and the weight's stored size stays the size of the
tensor in the file (what a parameter count counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from onnx import helper

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from numpy.typing import NDArray

    from engine.network.ops import Fold

    Inputs = Sequence["NDArray[np.generic] | None"]
    Folder = Callable[[Inputs, Mapping[str, object]], "NDArray[np.generic] | None"]


def as_ints(value: object) -> list[int]:
    """An attribute's list of ints; [] when it is not a list."""
    return [int(v) for v in value] if isinstance(value, list | tuple) else []


def _same(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    return inputs[0]


def _reshape(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    shape = inputs[1] if len(inputs) > 1 else None
    if x is None or shape is None:
        return None
    dims = [int(d) for d in np.asarray(shape).reshape(-1)]
    if not attrs.get("allowzero", 0):  # 0 copies the input's size on that axis
        dims = [x.shape[i] if d == 0 and i < x.ndim else d for i, d in enumerate(dims)]
    return x.reshape(dims)


def _transpose(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    if x is None:
        return None
    perm = as_ints(attrs.get("perm")) or list(reversed(range(x.ndim)))
    return x.transpose(perm)


def _cast(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    to = attrs.get("to")
    if x is None or not isinstance(to, int):
        return None
    return x.astype(helper.tensor_dtype_to_np_dtype(to))


def _axes(inputs: Inputs, attrs: Mapping[str, object]) -> list[int] | None:
    """Squeeze/Unsqueeze axes: an attribute before opset 13, the second input after."""
    if "axes" in attrs:
        return as_ints(attrs["axes"])
    if len(inputs) > 1 and inputs[1] is not None:
        return [int(a) for a in np.asarray(inputs[1]).reshape(-1)]
    return None


def _squeeze(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    if x is None:
        return None
    axes = _axes(inputs, attrs)
    return np.squeeze(x) if not axes else np.squeeze(x, axis=tuple(axes))


def _unsqueeze(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    axes = _axes(inputs, attrs)
    if x is None or axes is None:
        return None
    rank = x.ndim + len(axes)
    result = x
    for axis in sorted(a % rank for a in axes):
        result = np.expand_dims(result, axis)
    return result


def _flatten(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    if x is None:
        return None
    axis = attrs.get("axis", 1)
    axis = int(axis) % max(x.ndim, 1) if isinstance(axis, int) and x.ndim else 0
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


def dequantize(
    q: NDArray[np.generic],
    scale: NDArray[np.generic],
    zero_point: NDArray[np.generic] | None = None,
    axis: int = 1,
) -> NDArray[np.float32]:
    """8-bit (or int32) values decoded: (q − zero point) × scale (ONNX DequantizeLinear).

    ``scale`` and ``zero_point`` are scalars, or one per index along ``axis`` of ``q``
    (per-channel quantization). Float32.
    """
    values = q.astype(np.float64)
    s = np.asarray(scale, dtype=np.float64)
    z = np.zeros(1) if zero_point is None else np.asarray(zero_point, dtype=np.float64)
    if s.size > 1 and values.ndim:
        shape = [1] * values.ndim
        shape[axis % values.ndim] = s.size
        s = s.reshape(shape)
        z = z.reshape(shape) if z.size == s.size else z.reshape(-1)[:1]
    else:
        s, z = s.reshape(-1)[:1], z.reshape(-1)[:1]
    result: NDArray[np.float32] = ((values - z) * s).astype(np.float32)
    return result


def _dequantize(inputs: Inputs, attrs: Mapping[str, object]) -> NDArray[np.generic] | None:
    x = inputs[0]
    scale = inputs[1] if len(inputs) > 1 else None
    if x is None or scale is None:
        return None
    zero_point = inputs[2] if len(inputs) > 2 else None
    axis = attrs.get("axis", 1)
    return dequantize(x, scale, zero_point, int(axis) if isinstance(axis, int) else 1)


FOLDERS: dict[Fold, Folder] = {
    "same": _same,
    "reshape": _reshape,
    "transpose": _transpose,
    "cast": _cast,
    "squeeze": _squeeze,
    "unsqueeze": _unsqueeze,
    "flatten": _flatten,
    "dequantize": _dequantize,
}
"""Each ``folds`` value of the op table → the NumPy function that computes it."""
