"""Colour lookup tables (256 entries) for pyqtgraph images, built from the app's colour scales.

The digit lab draws with the same colours as the playground: a picture is dark ink on white
paper, a feature map is red above zero and blue below it, white at zero.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from gui.colours import ColourScale

if TYPE_CHECKING:
    from numpy.typing import NDArray

LUT_SIZE = 256


@cache
def ink_lut() -> NDArray[np.uint8]:
    """0 → white paper … 1 → dark ink (levels 0..1)."""
    return _frozen(ColourScale("image").rgb(np.linspace(0.0, 1.0, LUT_SIZE)))


@cache
def diverging_lut() -> NDArray[np.uint8]:
    """−limit → blue, 0 → white, +limit → red (levels −limit..+limit)."""
    return _frozen(ColourScale("diverging").rgb(np.linspace(-1.0, 1.0, LUT_SIZE)))


@cache
def positive_lut() -> NDArray[np.uint8]:
    """0 → white … limit → red: the upper half of the diverging scale (levels 0..limit)."""
    return _frozen(ColourScale("diverging").rgb(np.linspace(0.0, 1.0, LUT_SIZE)))


def _frozen(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    table = np.ascontiguousarray(rgb, dtype=np.uint8)
    table.flags.writeable = False
    return table
