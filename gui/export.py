"""Exports for slides: the current view as PNG, the playground's animation as an animated GIF.

The GIF is made for a slide deck: one frame per step for as long as the user chose (0.5 s by
default, not the playback speed), the panels without the window around them at a width a slide
takes (at most ``MAX_GIF_WIDTH`` pixels), and one palette for the whole animation built from
its own frames: their most frequent colours and the app's marking colours exactly (reds stay
red, backgrounds stay grey, the outlines keep their colours), the rest by Pillow's *maximum
coverage* quantizer. One palette lets Pillow
store each frame as the rectangle that changed since the previous one, which keeps a lesson's
animation within a megabyte. The file is written to a temporary file beside the target and
renamed over it, so a failed export never leaves half a GIF.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

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


def export_png(widget: QWidget, path: str) -> bool:
    """Render the widget as it is on screen into a PNG; False if the file cannot be written."""
    return bool(widget.grab().save(path, "PNG"))


def gif_path_problem(path: str) -> str:
    """Why ``path`` cannot name the GIF to write, in words ("" when it can).

    The name must end in ``.gif`` (any case): a name without an extension or with another
    one would make a file other programs do not recognise.
    """
    suffix = Path(path).suffix
    if not suffix:
        return f"{Path(path).name} has no extension: a GIF's name ends in {GIF_SUFFIX}."
    if suffix.lower() != GIF_SUFFIX:
        return f"{Path(path).name} ends in {suffix}: a GIF's name ends in {GIF_SUFFIX}."
    return ""


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
        path: The file to write (replaced if it exists).
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
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=GIF_SUFFIX, dir=target.parent
    )
    os.close(handle)
    try:
        paletted[0].save(
            temporary, format="GIF", save_all=True, append_images=paletted[1:],
            duration=durations, loop=0, optimize=True, disposal=1,
        )  # fmt: skip
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
