"""Exports for slides: the current view as PNG, the playground's animation as an animated GIF.

The GIF is made for a slide deck: one frame per step for as long as the user chose (0.5 s by
default, not the playback speed), the panels without the window around them at a width a slide
takes (at most ``MAX_GIF_WIDTH`` pixels), and one palette for the whole animation built from
its own frames: their most frequent colours and the app's marking colours exactly (reds stay
red, backgrounds stay grey, the outlines keep their colours), the rest by Pillow's *maximum
coverage* quantizer. One palette lets Pillow
store each frame as the rectangle that changed since the previous one, which keeps a lesson's
animation within a megabyte.

Both are written atomically (``engine.drawings.file_bytes.write_atomically``): a temporary file
beside the target, then a rename, so a failed export (a full disk) never leaves half a file and
keeps the old one; an existing file keeps its permissions and a symlink its target. A name is
checked before anything is rendered (:func:`png_path_problem`, :func:`gif_path_problem`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from engine.drawings.file_bytes import write_atomically
from gui.colours import MARK_COLOURS, NEGATIVE, POSITIVE, ZERO

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from gui.playground.view import PlaygroundView

MAX_FRAMES = 240
MAX_GIF_WIDTH = 1200
"""Pixels: wider views are scaled down (a slide is rarely wider)."""
DEFAULT_FRAME_SECONDS = 0.5
MIN_FRAME_SECONDS, MAX_FRAME_SECONDS = 0.05, 10.0
LAST_FRAME_HOLD = 4
"""The last frame stays this many frames' time, so the loop pauses on the result."""
PALETTE_SAMPLES = 8
"""Frames the palette is built from (evenly spaced, first and last included)."""
EXACT_COLOURS = 176
"""The most frequent colours the palette keeps exactly (the rest is learned)."""
GIF_SUFFIX = ".gif"
PNG_SUFFIX = ".png"


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as a PNG file's bytes.

    Raises:
        OSError: Qt could not encode it (an empty image).
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes
    buffer.close()
    if not saved or data.isEmpty():
        raise OSError(f"the picture ({image.width()}×{image.height()}) could not be encoded")
    return bytes(data.data())


def save_png(image: QImage, path: str) -> None:
    """Write ``image`` as a PNG file, atomically (the old file stays if writing fails).

    Raises:
        OSError: The file cannot be written; the message says why.
    """
    write_atomically(path, png_bytes(image))


def export_png(widget: QWidget, path: str) -> None:
    """Render the widget as it is on screen into a PNG file, written atomically.

    Raises:
        ValueError: The name does not end in .png (:func:`png_path_problem`); nothing is
            rendered.
        OSError: The file cannot be written (the old one is left as it was).
    """
    problem = png_path_problem(path)
    if problem:
        raise ValueError(problem)
    save_png(widget.grab().toImage(), path)


def _suffix_problem(path: str, suffix: str, kind: str) -> str:
    name = Path(path).name
    if not path.strip() or not name:
        return f"no file name was given: a {kind}'s name ends in {suffix}."
    found = Path(path).suffix
    if not found:
        return f"{name} has no extension: a {kind}'s name ends in {suffix}."
    if found.lower() != suffix:
        return f"{name} ends in {found}: a {kind}'s name ends in {suffix}."
    return ""


def png_path_problem(path: str) -> str:
    """Why ``path`` cannot name the PNG to write, in words ("" when it can).

    The name must end in ``.png`` (any case), like a GIF's in ``.gif``.
    """
    return _suffix_problem(path, PNG_SUFFIX, "PNG")


def gif_path_problem(path: str) -> str:
    """Why ``path`` cannot name the GIF to write, in words ("" when it can).

    The name must end in ``.gif`` (any case): a name without an extension or with another
    one would make a file other programs do not recognise.
    """
    return _suffix_problem(path, GIF_SUFFIX, "GIF")


def to_pil(image: QImage) -> Image.Image:
    """A Qt image as a Pillow RGB image (the pixels copied)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    array = data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3)
    return Image.fromarray(array.copy())


def frame_positions(total: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Every step when there are few; otherwise evenly spaced steps that keep the first and last."""
    if total <= max_frames:
        return list(range(total))
    return sorted({round(i * (total - 1) / (max_frames - 1)) for i in range(max_frames)})


def key_colours() -> list[tuple[int, int, int]]:
    """Colours every export keeps exactly: the outlines' and the colour scale's ends."""
    marks = [(c.red(), c.green(), c.blue()) for c in MARK_COLOURS.values()]
    scale = [tuple(int(v) for v in colour) for colour in (POSITIVE, NEGATIVE, ZERO)]
    return [*marks, *scale]  # type: ignore[list-item]


def shared_palette(frames: Sequence[Image.Image]) -> NDArray[np.uint8]:
    """One palette of at most 256 (r, g, b) colours for all ``frames`` (RGB images).

    The app paints flat fills (backgrounds, cells, text), so the palette holds exactly the
    ``EXACT_COLOURS`` most frequent colours of up to ``PALETTE_SAMPLES`` frames and the
    :func:`key_colours`; its other entries cover the remaining colours (the edges of
    letters) by Pillow's maximum-coverage quantizer.

    Returns:
        (N, 3) uint8, N ≤ 256.

    Raises:
        ValueError: No frames.
    """
    if not frames:
        raise ValueError("a palette needs at least one frame")
    picks = frame_positions(len(frames), PALETTE_SAMPLES)
    pixels = np.concatenate([np.asarray(frames[i]).reshape(-1, 3) for i in picks])
    values, counts = np.unique(_pack(pixels), return_counts=True)
    frequent = values[np.argsort(counts, kind="stable")[::-1][:EXACT_COLOURS]]
    keys = np.array(key_colours(), dtype=np.uint32)
    known = np.unique(np.concatenate([_pack(keys), frequent]))
    colours = [_unpack(known)]
    rest = 256 - len(known)
    if rest > 0 and len(values) > len(known):
        sample = Image.fromarray(pixels.reshape(-1, 1, 3))
        covered = sample.quantize(colors=rest, method=Image.Quantize.MAXCOVERAGE)
        learned = np.array((covered.getpalette() or [])[: 3 * rest], dtype=np.uint8)
        colours.append(learned.reshape(-1, 3))
    palette: NDArray[np.uint8] = np.concatenate(colours).astype(np.uint8)[:256]
    return palette


class PaletteMapper:
    """Puts frames into one palette, each colour to the palette's nearest.

    A colour the palette has maps exactly to itself (Pillow's own mapping rounds colours
    first). A colour's entry is computed once and kept in a table of every 24-bit colour, so an
    animation's frames, which share most colours, cost little after the first.
    """

    def __init__(self, palette: NDArray[np.uint8]) -> None:
        self.palette = palette
        self._entries = palette.astype(np.int32)
        self._index = np.zeros(1 << 24, dtype=np.uint8)
        self._known = np.zeros(1 << 24, dtype=bool)
        flat = palette.reshape(-1).tolist()
        self._flat = flat + [0] * (768 - len(flat))

    def paletted(self, frame: Image.Image) -> Image.Image:
        """``frame`` (RGB) as a "P" image in the palette."""
        packed = _pack(np.asarray(frame).reshape(-1, 3))
        new = np.unique(packed[~self._known[packed]])
        for start in range(0, len(new), 4096):  # bounded memory for many new colours
            block = new[start : start + 4096]
            colours = _unpack(block).astype(np.int32)
            distance = ((colours[:, None, :] - self._entries[None, :, :]) ** 2).sum(axis=2)
            self._index[block] = distance.argmin(axis=1)
            self._known[block] = True
        indices = self._index[packed].reshape(frame.height, frame.width)
        image = Image.fromarray(indices)  # "L"; the palette makes it "P"
        image.putpalette(self._flat)
        return image


def same_size(frames: Sequence[Image.Image]) -> list[Image.Image]:
    """The frames on canvases of the largest one's size (a view may grow while stepping).

    The added room has the colour of each frame's top-left pixel (the window's background).
    """
    width = max(frame.width for frame in frames)
    height = max(frame.height for frame in frames)
    sized = []
    for frame in frames:
        if frame.size != (width, height):
            canvas = Image.new("RGB", (width, height), frame.getpixel((0, 0)))
            canvas.paste(frame, (0, 0))
            frame = canvas
        sized.append(frame)
    return sized


def gif_frames(frames: Sequence[Image.Image]) -> list[Image.Image]:
    """The frames, of one size, in one shared palette (no dithering: flat fills stay flat)."""
    sized = same_size(frames)
    mapper = PaletteMapper(shared_palette(sized))
    return [mapper.paletted(frame) for frame in sized]


def _pack(rgb: NDArray[np.integer]) -> NDArray[np.uint32]:
    """(N, 3) colours as one number each, 0xRRGGBB."""
    wide = rgb.astype(np.uint32)
    packed = (wide[:, 0] << np.uint32(16)) | (wide[:, 1] << np.uint32(8)) | wide[:, 2]
    return np.asarray(packed, dtype=np.uint32)


def _unpack(packed: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """0xRRGGBB numbers back to (N, 3) colours."""
    rgb = np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=1)
    return rgb.astype(np.uint8)


def write_gif(frames: Sequence[Image.Image], path: str, frame_seconds: float) -> None:
    """Write RGB ``frames`` as a looping GIF, atomically (a temporary file, then a rename).

    Args:
        frames: The pictures, one per step, all of one size.
        path: The file to write (replaced if it exists; it keeps its permissions, and a
            symlink its target).
        frame_seconds: How long each frame shows; the last one stays ``LAST_FRAME_HOLD``
            times as long.

    Raises:
        ValueError: No frames, or a duration outside ``MIN_FRAME_SECONDS`` ..
            ``MAX_FRAME_SECONDS``.
        OSError: The file cannot be written (the target is left as it was).
    """
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    if not MIN_FRAME_SECONDS <= frame_seconds <= MAX_FRAME_SECONDS:
        raise ValueError(
            f"a frame lasts {MIN_FRAME_SECONDS} to {MAX_FRAME_SECONDS} s, got {frame_seconds}"
        )
    paletted = gif_frames(frames)
    milliseconds = round(frame_seconds * 1000)
    durations = [milliseconds] * len(paletted)
    durations[-1] = milliseconds * LAST_FRAME_HOLD
    encoded = io.BytesIO()
    paletted[0].save(
        encoded, format="GIF", save_all=True, append_images=paletted[1:],
        duration=durations, loop=0, optimize=True, disposal=1,
    )  # fmt: skip
    write_atomically(path, encoded.getvalue())


def slide_frame(widget: QWidget) -> Image.Image:
    """A picture of ``widget`` as shown, scaled down (smoothly) to ``MAX_GIF_WIDTH`` if wider."""
    image = widget.grab().toImage()
    if image.width() > MAX_GIF_WIDTH:
        image = image.scaledToWidth(MAX_GIF_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return to_pil(image)


def export_gif(
    view: PlaygroundView,
    path: str,
    frame_seconds: float = DEFAULT_FRAME_SECONDS,
    *,
    parent: QWidget | None = None,
) -> int:
    """Render each step of the playground's panels into an animated GIF for slides.

    Args:
        view: The playground; it is left at the step it showed before.
        path: The GIF file to write; its name must end in .gif (see :func:`gif_path_problem`).
        frame_seconds: How long each step shows (default 0.5 s).
        parent: The progress dialog's parent window.

    Returns:
        The number of frames written (at most MAX_FRAMES), 0 if the user cancelled.

    Raises:
        ValueError: The name does not end in .gif, or the duration is out of range; nothing
            is rendered.
        OSError: The file cannot be written.
    """
    problem = gif_path_problem(path)
    if problem:
        raise ValueError(problem)
    if not MIN_FRAME_SECONDS <= frame_seconds <= MAX_FRAME_SECONDS:
        raise ValueError(
            f"a frame lasts {MIN_FRAME_SECONDS} to {MAX_FRAME_SECONDS} s, got {frame_seconds}"
        )
    state = view.state
    before = state.position
    positions = frame_positions(len(state.timeline))
    progress = QProgressDialog("Rendering the animation…", "Cancel", 0, len(positions), parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    frames: list[Image.Image] = []
    try:
        for n, position in enumerate(positions):
            if progress.wasCanceled():
                return 0
            state.set_position(position)
            QApplication.processEvents()
            frames.append(slide_frame(view.animated_panels()))
            progress.setValue(n + 1)
    finally:
        progress.close()
        state.set_position(before)
    write_gif(frames, path, frame_seconds)
    return len(frames)
