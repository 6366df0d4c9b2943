"""Image files (PNG, JPEG, ...) → a canvas: ink 1.0 on paper 0.0, ready for ``to_mnist``.

A scanned or photographed digit may be dark ink on light paper or light ink on a dark
background, gray or colour, with or without transparency, with wide margins. The paper is
recognised from the image's border pixels: their median is the paper's shade, and how much they
vary is the paper's noise (grain, JPEG artefacts). Everything is then turned into "how much ink",
stretched so that paper (up to its noise) is 0 and the strongest ink 1.

Image files come from users, so they are read with limits (issue 12): only regular files of at
most ``MAX_IMAGE_BYTES`` (``engine.drawings.file_bytes``: a FIFO or ``/dev/zero`` is refused
before a byte is read), and at most Pillow's ``Image.MAX_IMAGE_PIXELS`` pixels, its
decompression-bomb limit, which is kept as Pillow sets it (about 89 million pixels); a picture
above it is refused rather than merely warned about, since decoding it would take gigabytes.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.drawings.file_bytes import MEGABYTE, read_regular_file

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from numpy.typing import NDArray

EXPECTED_IMAGE = "expected a PNG or JPEG picture of a digit"
EXPECTED_PICTURE = "expected a PNG or JPEG picture"
MIN_CONTRAST = 0.08  # less ink-to-paper difference than this: a blank picture
# Paper noise: 2.5 x (95th percentile − median) of the border, about 4 standard deviations of
# Gaussian grain, so that hardly a grain pixel passes for ink; at most a quarter of the range.
NOISE_PERCENTILE = 95
NOISE_SCALE = 2.5
MAX_NOISE = 0.25
_SIXTEEN_BIT_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")
MAX_IMAGE_BYTES = 50 * MEGABYTE
"""The largest image file read (bytes on disk): a photo from any camera is smaller."""


def _decoded(
    path: str | os.PathLike[str],
    expected: str,
    convert: Callable[[Image.Image], NDArray[np.float32]],
) -> NDArray[np.float32]:
    """The image file at ``path`` decoded, EXIF-rotated and converted by ``convert``.

    Raises:
        ValueError: Naming the file and what is wrong: missing, not a regular file, larger
            than ``MAX_IMAGE_BYTES``, more pixels than Pillow's decompression-bomb limit, or
            not an image Pillow can read; "has no pixels" for an empty result.
    """
    file = Path(path)
    try:
        data = read_regular_file(file, limit=MAX_IMAGE_BYTES, kind="image", expected=expected)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    try:
        with warnings.catch_warnings():
            # Above Pillow's limit it only warns (up to twice the limit): refuse it as a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                result = convert(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        count = f"{int(found.group(1)):,} pixels, " if found else ""
        raise ValueError(
            f"{file} has too many pixels to be decoded safely ({count}more than "
            f"{Image.MAX_IMAGE_PIXELS:,}, Pillow's limit against decompression bombs); {expected}"
        ) from None
    except MemoryError:
        raise ValueError(f"{file} is too large to decode in memory; {expected}") from None
    except Exception as exc:  # Pillow raises many types for damaged files
        raise ValueError(
            f"{file} is not a readable image ({_damage(exc, data)}); {expected}"
        ) from None
    if result.size == 0:
        raise ValueError(f"{file} has no pixels; {expected}")
    return result


def _damage(exc: Exception, data: bytes) -> str:
    """What is wrong with an image file Pillow could not read, in words (not Pillow's)."""
    if not data:
        return "the file is empty"
    if isinstance(exc, UnidentifiedImageError):
        return "not in an image format the app reads, such as PNG, JPEG, BMP, GIF or WebP"
    text = " ".join(str(exc).split())
    if "truncated" in text.lower():
        return "the file is cut short"
    if not text or "<_io." in text:
        return f"damaged: the decoder stopped ({type(exc).__name__})"
    return f"damaged: {text[:160]}"


def load_canvas(path: str | os.PathLike[str]) -> NDArray[np.float32]:
    """Read an image file as a canvas (H, W) float32: ink 1.0 on paper 0.0.

    A picture without contrast gives an all-zero (blank) canvas.

    Raises:
        ValueError: Naming the file and what is wrong: missing, not a regular file (a
            folder, FIFO or device), larger than ``MAX_IMAGE_BYTES``, more pixels than
            Pillow's decompression-bomb limit, or not an image Pillow can read.
    """
    alpha_of: list[NDArray[np.float32] | None] = []

    def gray_of(image: Image.Image) -> NDArray[np.float32]:
        gray, alpha = _gray_and_alpha(image)
        alpha_of.append(alpha)
        return gray

    gray = _decoded(path, EXPECTED_IMAGE, gray_of)
    return canvas_from_gray(gray, alpha_of[0])


def load_picture(path: str | os.PathLike[str]) -> NDArray[np.float32]:
    """Read an image file as it looks: (H, W, 3) float32 RGB in 0..1.

    Transparent areas are laid on white (as a viewer shows them); EXIF rotation is applied.

    Raises:
        ValueError: As :func:`load_canvas`.
    """
    return _decoded(path, EXPECTED_PICTURE, _rgb_on_white)


def _rgb_on_white(image: Image.Image) -> NDArray[np.float32]:
    """The picture's colours 0..1, transparency laid on white; 16-bit gray kept exact."""
    if image.mode in _SIXTEEN_BIT_MODES or image.mode == "F":
        gray, _ = _gray_and_alpha(image)
        return np.repeat(gray[:, :, None], 3, axis=2)
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / np.float32(255)
    alpha = rgba[:, :, 3:]
    rgb: NDArray[np.float32] = rgba[:, :, :3] * alpha + (np.float32(1.0) - alpha)
    return np.ascontiguousarray(rgb, dtype=np.float32)


def _gray_and_alpha(image: Image.Image) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
    """Luminance 0..1 and, when the picture has transparency, opacity 0..1."""
    if image.mode in _SIXTEEN_BIT_MODES:
        gray = np.asarray(image, dtype=np.float32) / np.float32(65535.0)
        return np.clip(gray, 0.0, 1.0), None
    if image.mode == "F":  # floats of any range: NaN and -inf are 0, +inf the brightest
        gray = np.asarray(image, dtype=np.float32).copy()
        finite = np.isfinite(gray)
        peak = float(gray[finite].max(initial=0.0))
        gray[~finite] = np.where(gray[~finite] > 0, max(peak, 1.0), 0.0)
        gray = gray / np.float32(peak) if peak > 1.0 else gray
        return np.clip(gray, 0.0, 1.0), None
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        pair = np.asarray(image.convert("RGBA").convert("LA"), dtype=np.float32) / np.float32(255)
        return pair[:, :, 0], pair[:, :, 1]
    return np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255), None


def canvas_from_gray(
    gray: NDArray[np.float32], alpha: NDArray[np.float32] | None = None
) -> NDArray[np.float32]:
    """Luminance (and opacity) 0..1 → ink 1.0 on paper 0.0.

    Transparent areas become paper: the picture is laid on a background that contrasts with its
    opaque pixels. The paper's brightness is the median of the border; if it is light, dark
    pixels are ink, else light ones are.
    """
    if alpha is not None and float(alpha.min()) < 1.0:
        weight = float(alpha.sum())
        opaque_mean = float((gray * alpha).sum()) / weight if weight > 0 else 0.0
        background = np.float32(1.0 if opaque_mean < 0.5 else 0.0)
        gray = gray * alpha + background * (np.float32(1.0) - alpha)
    border = np.concatenate((gray[0], gray[-1], gray[:, 0], gray[:, -1]))
    if float(np.median(border)) > 0.5:
        ink = np.float32(1.0) - gray
        border = np.float32(1.0) - border
    else:
        ink = gray
    paper = float(np.median(border))
    strongest = float(ink.max())
    if strongest - paper < MIN_CONTRAST:
        return np.zeros(gray.shape, dtype=np.float32)
    noise = NOISE_SCALE * (float(np.percentile(border, NOISE_PERCENTILE)) - paper)
    floor = paper + min(noise, MAX_NOISE * (strongest - paper))
    canvas = (ink - np.float32(floor)) * np.float32(1.0 / (strongest - floor))
    result: NDArray[np.float32] = np.clip(canvas, 0.0, 1.0).astype(np.float32, copy=False)
    return result
