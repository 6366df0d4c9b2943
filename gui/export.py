"""Exports for slides: the current view as PNG, the playground's animation as an animated GIF."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

if TYPE_CHECKING:
    from gui.playground.view import PlaygroundView

MAX_FRAMES = 240
MAX_GIF_WIDTH = 1100


def export_png(widget: QWidget, path: str) -> bool:
    """Render the widget as it is on screen into a PNG; False if the file cannot be written."""
    return bool(widget.grab().save(path, "PNG"))


def _to_pil(image: QImage) -> Image.Image:
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


def export_gif(
    view: PlaygroundView, path: str, steps_per_second: float, *, parent: QWidget | None = None
) -> int:
    """Render each step of the playground into an animated GIF.

    Args:
        view: The playground; it is left at the step it showed before.
        path: The GIF file to write.
        steps_per_second: Playback speed; each frame lasts 1000 / speed ms (at least 20 ms).
        parent: The progress dialog's parent window.

    Returns:
        The number of frames written (at most MAX_FRAMES), 0 if the user cancelled.

    Raises:
        OSError: The file cannot be written.
    """
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
            image = _to_pil(view.grab().toImage())
            if image.width > MAX_GIF_WIDTH:
                height = round(image.height * MAX_GIF_WIDTH / image.width)
                image = image.resize((MAX_GIF_WIDTH, height), Image.Resampling.LANCZOS)
            frames.append(image.quantize(colors=128, method=Image.Quantize.MEDIANCUT))
            progress.setValue(n + 1)
    finally:
        progress.close()
        state.set_position(before)
    duration = max(20, round(1000 / max(steps_per_second, 1)))
    frames[0].save(
        path, save_all=True, append_images=frames[1:], duration=duration, loop=0, optimize=False
    )
    return len(frames)
