"""The fixed value range each layer view uses, so colours mean the same on every update.

Levels that follow each update (auto-levels) would make a map flicker while the user draws and
hide how strong a response really is. Instead each layer gets one range when a model is loaded,
from the model's own activations on the sample digits: the views then show the same value in
the same colour for every digit, and anything stronger saturates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.network.finite_values import EXPECTED_FINITE, NotFinite, check_activations, is_finite
from engine.network.ops import op_info

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import NDArray

    from engine.network.model import OnnxModel

TINY = 1e-6


@dataclass(frozen=True, slots=True)
class DisplayRange:
    """The values a layer view spans: ``low``..``high``; ``low`` < 0 for signed layers."""

    low: float
    high: float

    @property
    def signed(self) -> bool:
        """True when the range has negative values (shown blue below zero, red above)."""
        return self.low < 0

    @property
    def levels(self) -> tuple[float, float]:
        """(low, high), as an image view's levels."""
        return (self.low, self.high)


UNIT = DisplayRange(0.0, 1.0)


PROBE_PICTURES = 8  # pictures a non-digit model's ranges are measured on
PROBE_SEED = 1234


def probe_pictures(shape: tuple[int, int, int]) -> list[NDArray[np.float32]]:
    """Pictures (H, W, C) in 0..1 to measure an image model's ranges on (no samples of it).

    Smooth random blobs of colour, like photos' large shapes, with a little grain. Seeded, so
    a model gets the same ranges every time it is loaded.
    """
    h, w, c = shape
    rng = np.random.default_rng(PROBE_SEED)
    pictures = []
    for _ in range(PROBE_PICTURES):
        coarse = rng.random((4, 4, c)).astype(np.float32)
        rows = np.linspace(0, 3, h).astype(np.float32)
        cols = np.linspace(0, 3, w).astype(np.float32)
        r0, c0 = np.floor(rows).astype(int), np.floor(cols).astype(int)
        r1, c1 = np.minimum(r0 + 1, 3), np.minimum(c0 + 1, 3)
        fr, fc = (rows - r0)[:, None, None], (cols - c0)[None, :, None]
        top = coarse[r0][:, c0] * (1 - fc) + coarse[r0][:, c1] * fc
        bottom = coarse[r1][:, c0] * (1 - fc) + coarse[r1][:, c1] * fc
        smooth = top * (1 - fr) + bottom * fr
        noise = rng.normal(0.0, 0.05, (h, w, c)).astype(np.float32)
        pictures.append(np.clip(smooth + noise, 0.0, 1.0).astype(np.float32))
    return pictures


def display_ranges(
    model: OnnxModel, images: Iterable[NDArray[np.float32]], on_what: str = "the samples"
) -> dict[str, DisplayRange]:
    """Per layer name: a range that covers the layer's typical activations on ``images``.

    ``images`` are model inputs (already preprocessed). Each layer's limit is the median, over
    the images, of its largest absolute value: half the sample digits reach full colour
    somewhere, the others nearly. Probabilities are always 0..1. A layer with a negative value
    for some image is shown signed (−limit..+limit).

    Raises:
        NotFinite: A layer's output (or the model's) holds NaN or ±inf for one of the images;
            the message names the layer and ``on_what`` (e.g. "the sample digits").
    """
    peaks: dict[str, list[float]] = {}
    lows: dict[str, float] = {}
    ops: dict[str, str] = {}
    for image in images:
        forward = model.forward(image)
        check_activations(forward.activations, on_what)
        if not is_finite(forward.scores):
            raise NotFinite(f"the model's output is not finite on {on_what}; {EXPECTED_FINITE}")
        for record in forward.activations:
            values = record.array
            ops[record.name] = record.op
            peaks.setdefault(record.name, []).append(float(np.abs(values).max(initial=0.0)))
            lows[record.name] = min(lows.get(record.name, 0.0), float(values.min(initial=0.0)))
    ranges: dict[str, DisplayRange] = {}
    for name, layer_peaks in peaks.items():
        if op_info(ops[name]).scores == "probabilities":
            ranges[name] = UNIT
            continue
        limit = max(float(np.median(layer_peaks)), TINY)
        ranges[name] = DisplayRange(-limit if lows[name] < 0 else 0.0, limit)
    return ranges


def range_for(ranges: dict[str, DisplayRange], name: str) -> DisplayRange:
    """The range of layer ``name``, 0..1 when the samples said nothing about it."""
    return ranges.get(name, UNIT)
