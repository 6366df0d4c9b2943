"""ScreenImageItem: a pyqtgraph ImageItem kept in the format the screen paints fastest.

pyqtgraph turns a one-channel image with a lookup table into an 8-bit indexed QImage, and an
image with NaN gaps or colour into RGBA: Qt converts those again on every paint, scaled to the
view (0.3 ms for a 28 × 28 input drawn 200 pixels wide, against 0.03 ms for a premultiplied
ARGB32 image). The digit lab repaints its pictures on every mouse move, so the item converts
its image once per new image (when pyqtgraph renders it), not once per paint.

The digit lab's own images (a float picture or mosaic of feature maps, fixed levels, a
256-colour table, NaN for gaps) are rendered straight into that format: the same rescaling as
pyqtgraph's (``pyqtgraph.functions.rescaleData``: ``(value − low) × 256 / (high − low)``,
clipped to 0…255 and truncated, in float32 for float32 data), one lookup in a table of 32-bit
pixels, NaN transparent. pyqtgraph's general path took 0.24 ms for the 28 × 28 input and
0.35 ms for a mosaic, this one a third to a half of that (issue 11). Every other image (colour,
other tables, downsampling) goes through pyqtgraph's own render, then the one conversion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from numpy.typing import NDArray

FAST_FORMATS = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)
TABLE_SIZE = 256
"""The colour tables rendered directly have this many entries (``gui.digits.lookup_tables``)."""


class ScreenImageItem(pg.ImageItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """``pg.ImageItem`` whose rendered QImage is premultiplied ARGB32 (same pixels, same API)."""

    _table_source: NDArray[np.uint8] | None = None
    _table: NDArray[np.uint32] | None = None

    def render(self) -> None:
        """The image as premultiplied ARGB32: directly when it can, else pyqtgraph's, converted."""
        if self._render_directly():
            return
        super().render()
        image = getattr(self, "qimage", None)  # set by pyqtgraph's render
        if isinstance(image, QImage) and not image.isNull() and image.format() not in FAST_FORMATS:
            self.qimage = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)

    def _render_directly(self) -> bool:
        """Render a 2-D float image with two levels and a 256 × 3 table; False: not such."""
        image, lut, levels = self.image, self.lut, self.levels
        if (
            not isinstance(image, np.ndarray)
            or image.ndim != 2
            or image.size == 0
            or image.dtype.kind != "f"
            or self.axisOrder != "row-major"
            or self.autoDownsample
            or not isinstance(lut, np.ndarray)
            or lut.shape != (TABLE_SIZE, 3)
            or lut.dtype != np.uint8
            or levels is None
            or np.shape(levels) != (2,)
        ):
            return False
        pixels = _argb_pixels(image, (float(levels[0]), float(levels[1])), self._pixel_table(lut))
        self.qimage = pg.functions.ndarray_to_qimage(
            pixels, QImage.Format.Format_ARGB32_Premultiplied
        )
        self._processingBuffer = None  # pyqtgraph's render state, as its own render leaves it
        self._displayBuffer = None
        self._renderRequired = False
        self._unrenderable = False
        return True

    def _pixel_table(self, lut: NDArray[np.uint8]) -> NDArray[np.uint32]:
        """``lut`` as opaque 32-bit ARGB pixels (made again only for another table)."""
        if self._table is None or self._table_source is not lut:
            self._table_source = lut
            self._table = pixel_table(lut)
        return self._table


def pixel_table(lut: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """(N, 3) RGB bytes → (N,) opaque ARGB32 pixels: 0xFF000000 | r << 16 | g << 8 | b."""
    rgb = lut.astype(np.uint32)
    table = np.full(len(lut), 0xFF000000, dtype=np.uint32)
    for channel, shift in enumerate((16, 8, 0)):
        table |= rgb[:, channel] << np.uint32(shift)
    return table


def _argb_pixels(
    image: NDArray[np.floating], levels: tuple[float, float], table: NDArray[np.uint32]
) -> NDArray[np.uint8]:
    """(H, W) values → (H, W, 4) premultiplied ARGB32 bytes; NaN → transparent (all zero).

    The index of a value is pyqtgraph's: ``(value − low) × N / (high − low)`` computed in
    float32 when the data fits float32 (else float64), clipped to 0 … N − 1, truncated.
    """
    low, high = levels
    span = high - low
    scale = len(table) / (span if span != 0 else 1.0)
    work: NDArray[np.float64] = image.astype(
        np.float32 if np.can_cast(image.dtype, np.float32) else np.float64
    )
    np.subtract(work, low, out=work)
    np.multiply(work, scale, out=work)
    np.clip(work, 0, len(table) - 1, out=work)
    gaps = np.isnan(work)
    if gaps.any():  # a mosaic's gaps: one more entry, transparent, looked up with the rest
        np.copyto(work, len(table), where=gaps)
        pixels = np.append(table, np.uint32(0))[work.astype(np.uint16)]
    else:
        pixels = table[work.astype(np.uint8)]
    return np.ascontiguousarray(pixels).view(np.uint8).reshape(*image.shape, 4)
