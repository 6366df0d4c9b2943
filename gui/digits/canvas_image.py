"""The drawing's backing store: a gray QImage of dark ink on white paper, and its ink as numbers.

The image is ``CANVAS_SIZE`` logical pixels square at ``OVERSAMPLE`` device pixels each, so
strokes stay crisp when the canvas is shown large (a projector), while painting and reading
the ink stay well under a millisecond. Areas kept for undo are packed (zlib): a drawing is
mostly paper, so a stroke's area shrinks to a few kilobytes.
"""

from __future__ import annotations

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
_FORMAT = QImage.Format.Format_Grayscale8
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
    return QImage(shades.tobytes(), width, height, width, _FORMAT).copy()


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
    """The pixels of a gray image as (height, width) bytes, without the rows' padding."""
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    return rows[:, :width]


def ink_of(image: QImage) -> NDArray[np.float32]:
    """The image's ink as a 2-D float32 canvas for ``to_mnist``: 1.0 black … 0.0 white."""
    ink = np.subtract(255, _gray_rows(image), dtype=np.float32)
    ink *= np.float32(1.0 / 255.0)
    return ink


def pack(image: QImage, area: QRect) -> bytes:
    """The pixels of ``area`` (device pixels) of a backing store, compressed."""
    patch = image.copy(area)
    return zlib.compress(np.ascontiguousarray(_gray_rows(patch)).tobytes(), PACK_LEVEL)


def unpack(packed: bytes, area: QRect) -> QImage:
    """A packed area back as an image of the backing store's kind (same pixel ratio)."""
    width, height = area.width(), area.height()
    image = QImage(zlib.decompress(packed), width, height, width, _FORMAT).copy()
    image.setDevicePixelRatio(OVERSAMPLE)
    return image
