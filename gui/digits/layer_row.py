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
    from PySide6.QtGui import QPaintEvent, QShowEvent

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
    """A layer's title (name, op, shape), a sentence on what it does, and its picture.

    New values for a row scrolled out of sight wait until it is seen (or its ``picture`` is
    asked for): the digit lab updates on every mouse move, and drawing a dozen layers nobody
    sees costs more than a frame. :meth:`show_pending` is called when the view scrolls.
    """

    def __init__(self, layer: LabLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.info = layer.info
        self.title = title_label(title_html(layer.title), size=11)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        # Wrapped: a long title ("conv1 — convolution (ONNX Conv) → 28×28×32") would otherwise
        # make the column wider than its view at 1280 × 800, and cut every row at the right.
        self.title.setWordWrap(True)
        self.explanation = caption_label(layer.explanation, size=10)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self._picture = picture_for(layer)
        self._pending: NDArray[np.float32] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self._picture)

    @property
    def picture(self) -> LayerPicture:
        """The layer's view, showing the latest values given (waiting ones are drawn first)."""
        self._apply_pending()
        return self._picture

    def show_values(self, values: NDArray[np.float32]) -> None:
        """Show the layer's output: (H, W, C) maps, or a vector (later, if out of sight)."""
        self._pending = values
        if not self.visibleRegion().isEmpty():
            self._apply_pending()

    def show_pending(self) -> None:
        """Draw values that waited while the row was out of sight, if it is in sight now."""
        if self._pending is not None and not self.visibleRegion().isEmpty():
            self._apply_pending()

    def clear_values(self) -> None:
        """Show no values (all zero)."""
        self._pending = None
        self._picture.clear_values()

    def _apply_pending(self) -> None:
        values, self._pending = self._pending, None
        if values is None:
            return
        if isinstance(self._picture, FeatureMosaic):
            self._picture.show_maps(values)
        else:
            self._picture.show_values(values.reshape(-1))

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again (its tab, its panel): draw what waited."""
        self._apply_pending()
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Painted while values wait (a resize brought it into sight): draw them."""
        self._apply_pending()
        super().paintEvent(event)
