"""LayerRow: one layer of the network as a titled row: what it is, what it does, its values."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.vector_views import VectorBars, VectorStrip
from gui.widgets import caption_label, title_label

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from engine.network.lab_state import LabLayer
    from engine.network.layer_text import LayerTitle

LayerPicture = FeatureMosaic | VectorBars | VectorStrip
OP_STYLE = "color:#6b7280; font-weight:normal"


def picture_for(layer: LabLayer) -> LayerPicture:
    """The view the engine chose for the layer: maps, bars (class labels under them) or a strip."""
    if layer.picture == "maps":
        h, w, c = layer.info.output_shape
        return FeatureMosaic((h, w, c), layer.value_range)
    if layer.picture == "bars":
        return VectorBars(layer.units, layer.value_range, layer.class_labels)
    return VectorStrip(layer.units, layer.value_range)


def title_html(title: LayerTitle) -> str:
    """Rich text: conv1 — convolution (ONNX Conv, in gray) → 28×28×32; names escaped.

    A class-score layer's title ends in what its values are: "→ 10 logits".
    """
    text = f"{escape(title.name)} — {escape(title.op_title)}"
    if title.onnx_op:
        text += f' <span style="{OP_STYLE}">(ONNX {escape(title.onnx_op)})</span>'
    values = f" {escape(title.values)}" if title.values else ""
    return f"{text} → {escape(title.shape)}{values}"


class LayerRow(QWidget):
    """A layer's title (name, op, shape), a sentence on what it does, and its picture."""

    def __init__(self, layer: LabLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.info = layer.info
        self.title = title_label(title_html(layer.title), size=11)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.explanation = caption_label(layer.explanation, size=10)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.picture = picture_for(layer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.picture)

    def show_values(self, values: NDArray[np.float32]) -> None:
        """Show the layer's output: (H, W, C) maps, or a vector."""
        if isinstance(self.picture, FeatureMosaic):
            self.picture.show_maps(values)
        else:
            self.picture.show_values(values.reshape(-1))

    def clear_values(self) -> None:
        """Show no values (all zero)."""
        self.picture.clear_values()
