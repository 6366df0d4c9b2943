"""Colour scales for cell grids: diverging for signed values, grayscale for 0..1 images.

Negative and positive values are told apart at a glance (blue below zero, red above, white at
zero); a map whose values all lie in 0..1 is drawn like a picture (white paper, dark ink).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QColor

from engine.animation import frames

NEGATIVE = np.array([33, 102, 172], dtype=float)  # blue
ZERO = np.array([247, 247, 247], dtype=float)  # near white
POSITIVE = np.array([178, 24, 43], dtype=float)  # red
PAPER = np.array([255, 255, 255], dtype=float)
INK = np.array([20, 20, 28], dtype=float)

PADDING_FILL = QColor(226, 229, 236)
PADDING_TEXT = QColor(120, 128, 140)
GRID_LINE = QColor(190, 196, 206)
HIDDEN_FILL = QColor(250, 251, 253)
WINDOW = QColor(255, 170, 0)  # the kernel window on the input
CURRENT = QColor(0, 150, 136)  # the output cell being computed
CHOSEN = QColor(230, 0, 126)  # the winning cell of max pooling
MARK_COLOURS = {frames.READ: WINDOW, frames.CURRENT: CURRENT, frames.CHOSEN: CHOSEN}
"""The colour of each role of an engine frame's marks."""


CHANNEL_TINTS = {
    "R": np.array([200, 30, 30], dtype=float),
    "G": np.array([20, 150, 50], dtype=float),
    "B": np.array([30, 70, 210], dtype=float),
}


@dataclass(frozen=True, slots=True)
class ColourScale:
    """Maps values to colours.

    "image" (0 white … 1 ink), "diverging" (−limit blue … 0 white … +limit red), or "tint"
    (0 white … 1 the colour of an R, G or B channel).
    """

    kind: str
    limit: float = 1.0
    tint: str = ""

    @classmethod
    def for_channel(cls, name: str, values: np.ndarray) -> ColourScale:
        """An R, G or B channel in 0..1 is drawn in its own colour; others as usual."""
        scale = cls.for_values(values)
        if scale.kind == "image" and name in CHANNEL_TINTS:
            return cls("tint", 1.0, name)
        return scale

    @classmethod
    def for_values(cls, *arrays: np.ndarray) -> ColourScale:
        """Grayscale when every value lies in 0..1, else diverging around 0 (symmetric)."""
        values = [a for a in arrays if a.size]
        if not values:
            return cls("image")
        low = min(float(a.min()) for a in values)
        high = max(float(a.max()) for a in values)
        if low >= 0 and high <= 1:
            return cls("image")
        return cls("diverging", max(abs(low), abs(high), 1e-12))

    def rgb(self, values: np.ndarray) -> np.ndarray:
        """(…, 3) uint8 colours for an array of values."""
        v = np.asarray(values, dtype=float)
        if self.kind in ("image", "tint"):
            t = np.clip(v, 0, 1)[..., None]
            ink = CHANNEL_TINTS[self.tint] if self.kind == "tint" else INK
            out = PAPER + (ink - PAPER) * t
        else:
            t = np.clip(v / self.limit, -1, 1)[..., None]
            out = np.where(t < 0, ZERO + (NEGATIVE - ZERO) * -t, ZERO + (POSITIVE - ZERO) * t)
        rgb: np.ndarray = np.rint(out).astype(np.uint8)
        return rgb

    def colour(self, value: float) -> QColor:
        """The colour of one value."""
        r, g, b = (int(c) for c in self.rgb(np.array(value)))
        return QColor(r, g, b)
