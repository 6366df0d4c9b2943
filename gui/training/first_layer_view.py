"""FirstLayerView: the first layer's weights as small pictures that change as the network learns.

A CNN shows its first conv layer's kernels; a dense network shows, for each of its first units,
the weights from the 784 pixels as a 28×28 picture (as Google's TensorFlow-without-a-PhD
codelab does: a softmax network's pictures look like blurry digits). One ImageItem holds the
mosaic (models.training.weight_pictures); red is a positive weight, blue a negative one, white
zero, on one symmetric scale for all pictures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.colours import ColourScale
from gui.training.chart_style import look_for, set_text_points
from gui.widgets import StaticText
from models.training.contract import OUTPUT_NAME
from models.training.weight_pictures import weight_mosaic

if TYPE_CHECKING:
    from models.training.protocol import LayerWeights
    from models.training.weight_pictures import WeightMosaic

LUT_SIZE = 256
GAP_BACKGROUND = QColor(222, 226, 233)
CAPTION_LINES = 2
CAPTION_POINTS = 10
CAPTION_SMALLEST_POINTS = 8
EMPTY_CAPTION = "The first layer's weights appear after the first epoch."


def diverging_table() -> np.ndarray:
    """256 colours from blue (−limit) through white (0) to red (+limit)."""
    rgb = ColourScale("diverging").rgb(np.linspace(-1.0, 1.0, LUT_SIZE))
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def caption(weights: LayerWeights, epoch: int) -> str:
    """What the pictures are, e.g. "conv1's 32 kernels (3×3) after epoch 2"."""
    count, height, width = weights.values.shape
    when = "before training (epoch 0)" if epoch == 0 else f"after epoch {epoch}"
    if weights.kind == "conv":
        return f"{weights.layer}'s {count} kernels ({height}×{width}) {when}"
    if weights.layer == OUTPUT_NAME:
        return (
            f"Each digit's weights from the 784 pixels, as {height}×{width} pictures, {when} "
            "(red: ink there counts for the digit; blue: against it)"
        )
    return (
        f"{weights.layer}: the weights from the 784 pixels to its first {count} units, "
        f"as {height}×{width} pictures, {when}"
    )


class FirstLayerView(QWidget):
    """A caption over the mosaic of the first layer's weights."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Painted in place: a caption that changes each epoch never moves the layout (a
        # QLabel would relayout the lab and repaint every chart while the network trains).
        self.caption = StaticText(
            CAPTION_LINES, point_size=CAPTION_POINTS, min_point_size=CAPTION_SMALLEST_POINTS
        )
        self.caption.setText(EMPTY_CAPTION)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(GAP_BACKGROUND)
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(diverging_table())
        self.view.addItem(self.image)
        self.mosaic: WeightMosaic | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.caption)
        column.addWidget(self.graphics, 1)

    def set_presentation(self, on: bool) -> None:
        """The caption as large as the charts' text in presentation mode, or as usual."""
        set_text_points(self.caption, CAPTION_POINTS, look_for(on))

    def show_weights(self, weights: LayerWeights | None, epoch: int) -> None:
        """Show the weights after `epoch` (None: nothing yet)."""
        if weights is None:
            self.mosaic = None
            self.image.clear()
            self.caption.setText(EMPTY_CAPTION)
            return
        mosaic = weight_mosaic(weights)
        self.mosaic = mosaic
        self.image.setImage(mosaic.image, autoLevels=False, levels=(-mosaic.limit, mosaic.limit))
        self.view.setRange(
            xRange=(0, mosaic.image.shape[1]), yRange=(0, mosaic.image.shape[0]), padding=0.02
        )
        self.caption.setText(caption(weights, epoch))
