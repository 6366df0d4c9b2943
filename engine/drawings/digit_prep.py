"""Preparing a drawing the way MNIST's digits were prepared, so the network sees what it learnt.

MNIST (LeCun et al.): each digit was scaled to fit a 20x20 box keeping its aspect ratio, with
anti-aliasing, and placed in a 28x28 image so that its centre of mass sits at the centre. Here
the crop, scaling and centring are one linear resampling, done as two small matrix products:
``out = R_rows @ crop @ R_cols.T``, where each row of R says how much of every input pixel falls
into one output pixel. That gives exact anti-aliasing (area averaging), a sub-pixel centre of
mass, and costs ~0.1 ms for a 280x280 canvas.

Centre convention: the centre of mass lands on pixel (row 14, column 14), 0-based, which is
where MNIST's own digits have it (test-set mean 13.99, 14.01; the geometric centre of a 28-pixel
row, 13.5, is half a pixel up and left of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.operations.params import as_float_array

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

MNIST_SIZE = 28
DIGIT_BOX = 20
MNIST_CENTRE = 14.0
INK_THRESHOLD = 0.05  # canvas values at or below this count as paper when finding the ink

_OUT = np.arange(MNIST_SIZE, dtype=np.float64)


def to_mnist(canvas: ArrayLike) -> NDArray[np.float32]:
    """A 2-D canvas (ink 1.0 on paper 0.0, any size) → a (28, 28) float32 MNIST-style digit.

    Crops to the ink (values above ``INK_THRESHOLD``), scales its longer side to 20 px keeping
    the aspect ratio (area averaging, i.e. anti-aliased), and places it so that its centre of
    mass is at pixel (14, 14). The darkest ink is scaled to 1.0. An empty canvas gives all
    zeros. ValueError for anything that is not a 2-D array of finite numbers.
    """
    a = as_float_array(canvas, "canvas")
    if a.ndim != 2:
        raise ValueError(f"canvas must be a 2-D array (H, W) of ink in 0..1, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"canvas must not be empty, got shape {a.shape}")
    ink = a > INK_THRESHOLD
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    cols = np.flatnonzero(ink.any(axis=0))
    crop = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
    np.clip(crop, 0.0, 1.0, out=crop)
    h, w = crop.shape
    row_mass = crop.sum(axis=1).astype(np.float64)
    col_mass = crop.sum(axis=0).astype(np.float64)
    total = row_mass.sum()
    # Centres of mass in continuous coordinates: pixel i spans [i, i + 1), its centre is i + 0.5.
    com_row = row_mass @ np.arange(h) / total + 0.5
    com_col = col_mass @ np.arange(w) / total + 0.5
    scale = DIGIT_BOX / max(h, w)
    target = MNIST_CENTRE + 0.5
    resample_rows = _area_weights(com_row - target / scale, scale, h)
    resample_cols = _area_weights(com_col - target / scale, scale, w)
    out = np.asarray(resample_rows @ crop @ resample_cols.T, dtype=np.float32)
    peak = out.max()
    if peak > 0:
        out *= np.float32(1.0 / peak)
    result: NDArray[np.float32] = np.clip(out, 0.0, 1.0, out=out)
    return result


def _area_weights(origin: float, scale: float, size: int) -> NDArray[np.float32]:
    """(28, size): the share of input pixel j in output pixel i, area-averaged.

    Output pixel i covers the input interval [origin + i/scale, origin + (i + 1)/scale); input
    pixel j covers [j, j + 1). The weight is their overlap times ``scale`` (so a row sums to 1
    where the interval lies inside the input); beyond the crop there is only paper. Float32
    keeps positions to ~1e-3 px even on a 4000-pixel canvas, and is faster.
    """
    start = (origin + _OUT / scale).astype(np.float32)[:, None]
    j = np.arange(size, dtype=np.float32)
    overlap: NDArray[np.float32] = np.minimum(start + np.float32(1.0 / scale), j + np.float32(1.0))
    overlap -= np.maximum(start, j)
    np.maximum(overlap, np.float32(0.0), out=overlap)
    overlap *= np.float32(scale)
    return overlap


def to_raw(canvas: ArrayLike) -> NDArray[np.float32]:
    """A 2-D canvas (ink 1.0 on paper 0.0) → (28, 28) float32: the whole canvas, scaled down.

    No crop, no 20×20 box, no centring: each output pixel is the area average of the canvas
    pixels under it (rows and columns scaled separately, so any canvas fills 28×28), and the
    ink keeps its own strength (no scaling of the darkest pixel to 1.0). A digit drawn small
    or off-centre stays small or off-centre, as a network without MNIST's preparation would
    see it (Harley's nn_vis feeds its networks this way). ValueError for anything that is not
    a 2-D array of finite numbers.
    """
    a = as_float_array(canvas, "canvas")
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"canvas must be a 2-D array (H, W) of ink in 0..1, got shape {a.shape}")
    h, w = a.shape
    ink = np.clip(a, 0.0, 1.0).astype(np.float32)
    rows = _area_weights(0.0, MNIST_SIZE / h, h)
    cols = _area_weights(0.0, MNIST_SIZE / w, w)
    out = np.asarray(rows @ ink @ cols.T, dtype=np.float32)
    result: NDArray[np.float32] = np.clip(out, 0.0, 1.0, out=out)
    return result
