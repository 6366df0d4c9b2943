"""The drawing's backing store: a QImage of dark gray ink on white paper, and its ink as numbers.

The image is ``CANVAS_SIZE`` logical pixels square at ``OVERSAMPLE`` device pixels each, so
strokes stay crisp when the canvas is shown large (a projector), while painting and reading
the ink stay well under a millisecond. It is kept as 32-bit RGB, whose three channels hold the
same gray: Qt's raster engine draws an antialiased stroke segment into it five times faster
than into an 8-bit gray image (0.04 against 0.19 ms, a segment per mouse move; issue 11). The
ink is read from one channel. Areas kept for undo are packed (zlib) as 8-bit gray: a drawing is
mostly paper, so a stroke's area shrinks to a few kilobytes.
"""

from __future__ import annotations

import sys
import zlib
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

if TYPE_CHECKING:
    from numpy.typing import NDArray

CANVAS_SIZE = 280  # logical pixels, ten times MNIST's 28
OVERSAMPLE = 2  # device pixels per logical pixel in the backing store
PAPER = QColor(255, 255, 255)
INK = QColor(0, 0, 0)
_FORMAT = QImage.Format.Format_RGB32  # the backing store's (0xffRRGGBB, R = G = B)
_GRAY = QImage.Format.Format_Grayscale8  # pictures and packed areas
_BLUE = 0 if sys.byteorder == "little" else 3  # the byte of a 32-bit pixel holding its blue
PACK_LEVEL = 1  # fast; paper compresses well at any level


def blank_paper() -> QImage:
    """A white backing store, CANVAS_SIZE logical pixels square."""
    side = CANVAS_SIZE * OVERSAMPLE
    image = QImage(side, side, _FORMAT)
    image.setDevicePixelRatio(OVERSAMPLE)
    image.fill(PAPER)
    return image


def picture_of(ink: NDArray[np.floating]) -> QImage:
    """A 2-D ink array (1.0 = ink, 0.0 = paper) as a dark-on-white gray image, any size."""
    shades = np.ascontiguousarray(np.rint((1.0 - np.clip(ink, 0.0, 1.0)) * 255.0), dtype=np.uint8)
    height, width = shades.shape
    return QImage(shades.tobytes(), width, height, width, _GRAY).copy()


def fitted_on_paper(picture: QImage) -> QImage:
    """A fresh backing store with ``picture`` scaled to fill it (aspect kept, centred)."""
    paper = blank_paper()
    side = float(CANVAS_SIZE)
    scale = side / max(picture.width(), picture.height())
    width, height = picture.width() * scale, picture.height() * scale
    target = QRectF((side - width) / 2, (side - height) / 2, width, height)
    painter = QPainter(paper)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(target, picture)
    painter.end()
    return paper


def _gray_rows(image: QImage) -> NDArray[np.uint8]:
    """The gray of a backing store (or of an 8-bit gray image) as (height, width) bytes.

    A view of the image's memory without the rows' padding (of one channel for 32-bit RGB).
    """
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    if image.format() == _GRAY:
        return rows[:, :width]
    return rows[:, _BLUE : _BLUE + 4 * width : 4]


def ink_of(image: QImage) -> NDArray[np.float32]:
    """The image's ink as a 2-D float32 canvas for ``to_mnist``: 1.0 black … 0.0 white.

    A new read-only array: the lab's state keeps it without copying it
    (``engine.network.lab_state.frozen_float32``).
    """
    ink = np.subtract(255, _gray_rows(image), dtype=np.float32)
    ink *= np.float32(1.0 / 255.0)
    ink.flags.writeable = False
    return ink


def ink_into(ink: NDArray[np.float32], image: QImage, area: QRect) -> None:
    """Write the ink of ``area`` (device pixels) of ``image`` into ``ink`` (its own size).

    The same numbers :func:`ink_of` gives for those pixels: a canvas keeps its ink up to date
    where a stroke segment changed it, instead of reading all of its 313,600 pixels on every
    mouse move (0.2-0.4 ms; issue 11).
    """
    area = area.intersected(image.rect())
    if area.isEmpty():
        return
    rows = slice(area.top(), area.bottom() + 1)
    cols = slice(area.left(), area.right() + 1)
    part = ink[rows, cols]
    np.subtract(255, _gray_rows(image)[rows, cols], out=part, dtype=np.float32)
    part *= np.float32(1.0 / 255.0)


def pack(image: QImage, area: QRect) -> bytes:
    """The pixels of ``area`` (device pixels) of a backing store, compressed."""
    patch = image.copy(area)
    return zlib.compress(np.ascontiguousarray(_gray_rows(patch)).tobytes(), PACK_LEVEL)


def unpack(packed: bytes, area: QRect) -> QImage:
    """A packed area back as an image of the backing store's kind (same pixel ratio)."""
    width, height = area.width(), area.height()
    gray = QImage(zlib.decompress(packed), width, height, width, _GRAY)
    image = gray.convertToFormat(_FORMAT)  # a copy: the bytes may go
    image.setDevicePixelRatio(OVERSAMPLE)
    return image
