"""LayerRow: one layer of the network as a titled row: what it is, what it does, its values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.layer_text import layer_explanation, layer_title
from gui.digits.vector_views import MAX_BARS, VectorBars, VectorStrip
from gui.widgets import caption_label, title_label

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine import LayerInfo, OnnxModel
    from engine.network.display_ranges import DisplayRange

LayerPicture = FeatureMosaic | VectorBars | VectorStrip


def picture_for(
    info: LayerInfo, value_range: DisplayRange, class_labels: tuple[str, ...] = ()
) -> LayerPicture:
    """Maps for (H, W, C) layers, bars for short vectors, a strip for long ones.

    Bars get ``class_labels`` under them when they are given (one per unit).
    """
    shape = info.output_shape
    if len(shape) == 3:
        return FeatureMosaic((shape[0], shape[1], shape[2]), value_range)
    count = 1
    for n in shape:
        count *= n
    if count <= MAX_BARS:
        labels = class_labels if len(class_labels) == count else ()
        return VectorBars(count, value_range, labels)
    return VectorStrip(count, value_range)


class LayerRow(QWidget):
    """A layer's title (name, op, shape), a sentence on what it does, and its picture."""

    def __init__(
        self,
        info: LayerInfo,
        model: OnnxModel,
        value_range: DisplayRange,
        class_labels: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.info = info
        self.title = title_label(layer_title(info), size=11)
        self.explanation = caption_label(layer_explanation(info, model), size=10)
        self.picture = picture_for(info, value_range, class_labels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.picture)

    def show_values(self, values: NDArray[np.float32]) -> None:
        if isinstance(self.picture, FeatureMosaic):
            self.picture.show_maps(values)
        else:
            self.picture.show_values(values.reshape(-1))

    def clear_values(self) -> None:
        self.picture.clear_values()
