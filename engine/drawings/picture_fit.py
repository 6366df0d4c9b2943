"""A picture of any size fitted to a model's input: centre crop or letterbox, then resampled.

A classifier takes one fixed size (32×32 for CIFAR-10, 64×64 for Tiny VGG...). A photo rarely
has that size or shape, so it is fitted like the datasets' own pictures were made:

* centre crop: scaled so that its shorter side fills the input, the longer side cut evenly on
  both ends (what torchvision's Resize + CenterCrop does);
* letterbox: scaled so that its longer side fits, the rest padded with black (nothing cut).

Resampling is Pillow's bilinear filter, widened when shrinking so that it averages the area
each pixel covers (antialiased), and colour pictures become gray for a one-channel model by
luminance (ITU-R 601, Pillow's "L" conversion).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

Fit = Literal["crop", "letterbox"]
RESAMPLING = Image.Resampling.BILINEAR  # antialiased when shrinking (Pillow widens the filter)
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as Pillow's "L" mode


def _as_picture(picture: ArrayLike) -> NDArray[np.float32]:
    """(h, w) or (h, w, 1 or 3) in 0..1 → (h, w, 3) float32; ValueError for anything else."""
    a = np.asarray(picture, dtype=np.float32)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 3) or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"picture must be (H, W) or (H, W, 3) in 0..1, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("picture contains NaN or infinite values")
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


def crop_box(size: tuple[int, int], target: tuple[int, int]) -> tuple[float, float, float, float]:
    """The centred part of a picture with the target's shape: (left, top, right, bottom).

    ``size`` and ``target`` are (height, width); the box's shorter side is the picture's.
    """
    h, w = size
    th, tw = target
    scale = max(th / h, tw / w)
    box_w, box_h = tw / scale, th / scale
    left, top = (w - box_w) / 2, (h - box_h) / 2
    return (left, top, left + box_w, top + box_h)


def fit_picture(picture: ArrayLike, shape: tuple[int, int, int], fit: Fit) -> NDArray[np.float32]:
    """The picture (h, w) or (h, w, 3) in 0..1 fitted to a model input (H, W, C), C = 1 or 3.

    Float32 in 0..1; a one-channel result is the luminance. ValueError for a bad picture, an
    unknown fit or a shape that is not (H, W, 1 or 3).
    """
    if fit not in ("crop", "letterbox"):
        raise ValueError(f"fit must be 'crop' or 'letterbox', got {fit!r}")
    height, width, channels = shape
    if channels not in (1, 3) or height < 1 or width < 1:
        raise ValueError(f"the model input must be (H, W, 1 or 3), got {shape}")
    rgb = _as_picture(picture)
    h, w = rgb.shape[:2]
    box = crop_box((h, w), (height, width))
    planes = []
    for c in range(3):
        plane = Image.fromarray(np.ascontiguousarray(rgb[:, :, c]), mode="F")
        if fit == "crop":
            resized = plane.resize((width, height), RESAMPLING, box=box)
            planes.append(np.asarray(resized, dtype=np.float32))
        else:
            planes.append(_letterboxed(plane, (h, w), (height, width)))
    result = np.clip(np.stack(planes, axis=2), 0.0, 1.0)
    if channels == 1:
        result = (result @ LUMA)[:, :, None]
    fitted: NDArray[np.float32] = np.ascontiguousarray(result, dtype=np.float32)
    return fitted


def _letterboxed(
    plane: Image.Image, size: tuple[int, int], target: tuple[int, int]
) -> NDArray[np.float32]:
    """One channel scaled to fit inside ``target`` and centred on black."""
    h, w = size
    th, tw = target
    scale = min(th / h, tw / w)
    inner_h, inner_w = max(1, round(h * scale)), max(1, round(w * scale))
    resized = np.asarray(plane.resize((inner_w, inner_h), RESAMPLING), dtype=np.float32)
    out = np.zeros((th, tw), dtype=np.float32)
    top, left = (th - inner_h) // 2, (tw - inner_w) // 2
    out[top : top + inner_h, left : left + inner_w] = resized
    return out
