"""Moving a prepared digit by whole pixels, and the two ways a drawing becomes the input.

KLDL's argument for convolution: "feed-forward networks have little or no invariance to
shifting, scaling and distortion". The digit lab lets a student move the 28×28 input by one
pixel at a time (the arrow keys) and see which network keeps its answer; the shift chart
(``engine.network.shift_accuracy``) measures the same on MNIST's test digits. A shift moves
every pixel by (rows, cols); pixels pushed past the edge are lost, and the uncovered side is
paper (0). MNIST's digits fit a 20×20 box centred in 28×28, so up to about 4 pixels lose no
ink.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from engine.drawings.digit_prep import MNIST_SIZE, to_mnist, to_raw

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

Framing = Literal["mnist", "raw"]
FRAMINGS: tuple[Framing, ...] = ("mnist", "raw")
FRAMING_TEXT: dict[Framing, str] = {
    "mnist": "centred like MNIST",
    "raw": "raw (whole canvas)",
}
FRAMING_TIPS: dict[Framing, str] = {
    "mnist": "Cropped to the ink, scaled to 20 × 20 and centred by centre of mass in 28 × 28, "
    "as MNIST's digits were prepared",
    "raw": "The whole canvas scaled to 28 × 28: no crop, no centring (where you draw is where "
    "the network sees it)",
}
MAX_SHIFT = MNIST_SIZE - 1
"""A larger shift would leave no pixel of the digit in the input."""


def frame_drawing(canvas: ArrayLike, framing: Framing) -> NDArray[np.float32]:
    """A canvas (ink 1.0 on paper 0.0, any size) as the (28, 28) input, framed as chosen.

    "mnist": ``to_mnist`` (cropped, 20×20, centred); "raw": ``to_raw`` (the whole canvas).
    ValueError for an unknown framing or a canvas that is not 2-D and finite.
    """
    if framing == "mnist":
        return to_mnist(canvas)
    if framing == "raw":
        return to_raw(canvas)
    raise ValueError(f"unknown framing {framing!r}; expected one of {', '.join(FRAMINGS)}")


def shift_images(images: ArrayLike, rows: int, cols: int) -> NDArray[np.float32]:
    """Images (..., H, W) moved down by ``rows`` and right by ``cols`` pixels (negative: up, left).

    What leaves the frame is lost, what enters is 0 (paper). Float32, a new array.

    ValueError when a shift is not a whole number.
    """
    if int(rows) != rows or int(cols) != cols:
        raise ValueError(f"a shift is a whole number of pixels, got ({rows}, {cols})")
    a = np.asarray(images, dtype=np.float32)
    h, w = a.shape[-2:]
    out = np.zeros_like(a)
    r, c = int(rows), int(cols)
    if abs(r) >= h or abs(c) >= w:
        return out
    src_r = slice(max(0, -r), h - max(0, r))
    dst_r = slice(max(0, r), h - max(0, -r))
    src_c = slice(max(0, -c), w - max(0, c))
    dst_c = slice(max(0, c), w - max(0, -c))
    out[..., dst_r, dst_c] = a[..., src_r, src_c]
    return out


def clamp_shift(rows: int, cols: int) -> tuple[int, int]:
    """A shift kept within ±``MAX_SHIFT`` pixels each way."""
    return (max(-MAX_SHIFT, min(MAX_SHIFT, rows)), max(-MAX_SHIFT, min(MAX_SHIFT, cols)))


def shift_text(rows: int, cols: int) -> str:
    """The shift in words: "not moved", "2 px right, 1 px up"."""
    parts = []
    if cols:
        parts.append(f"{abs(cols)} px {'right' if cols > 0 else 'left'}")
    if rows:
        parts.append(f"{abs(rows)} px {'down' if rows > 0 else 'up'}")
    return ", ".join(parts) if parts else "not moved"
