"""NetworkPanel: "Inside the network", every layer of the model in order, updated live.

The rows are built from the engine's ``LabModel`` (every layer of the model, and how the lab
shows it), never from known layer names, so a user's own model shows its own layers. Hovering
a cell or unit reports it (the lab asks the engine for its receptive field); a click on a map
of the first convolution picks that filter for the playground's animation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QCursor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.network.layer_text import filter_name
from gui.digits.feature_mosaic import FeatureMosaic
from gui.digits.layer_row import LayerPicture, LayerRow
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine import Activation
    from engine.network.lab_state import LabModel

HOVER_HINT = "Hover a value: its input pixels light up on the left."
NO_FILTER_HINT = "Click a map of {conv} to pick its filter."


class NetworkPanel(Panel):
    """A scrolling column of LayerRows, one per layer, and the "Animate this filter" button."""

    cellHovered = Signal(str, int, int, int)
    """The mouse is over a feature-map cell: (layer, map, row, col)."""
    unitHovered = Signal(str, int)
    """The mouse is over a unit of a vector layer: (layer, unit)."""
    unitClicked = Signal(str, int)
    """The user clicked a unit of a vector layer: (layer, unit)."""
    hoverLeft = Signal()
    """The mouse left the layer it was over."""
    filterChosen = Signal(str, int)
    """The user picked filter k of the first convolution: (conv layer name, k)."""
    animateRequested = Signal(str, int)
    """The user asked to animate filter k of the first convolution: (conv layer name, k)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Inside the network", parent)
        self.rows: dict[str, LayerRow] = {}
        self._filter_layers: dict[str, str] = {}
        self._first_conv: str | None = None
        self._chosen: tuple[str, int] | None = None
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the model's name is from its file
        self.animate_button = QPushButton("▶  Animate this filter")
        self.animate_button.setEnabled(False)
        self.animate_button.clicked.connect(self._animate_chosen)
        self.summary_button = QPushButton("Summary…")
        self.summary_button.setToolTip(
            "The model's layers, output shapes and parameters, its input and preprocessing "
            "(as python main.py --summary prints them)"
        )
        self.choice = caption_label(size=10, colour="#222831")
        # The hint across the whole width, the buttons under it: beside the buttons, in the
        # narrow right column, the hint took five lines and was cut at 1280 × 800.
        self.body.addWidget(self.choice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_button)
        buttons.addWidget(self.animate_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self._container = QWidget()
        self._container.setObjectName("layerColumn")
        # White behind the rows, through the palette: a style sheet here would draw every
        # row's widgets through Qt's slower style-sheet engine.
        self._container.setAutoFillBackground(True)
        palette = self._container.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
        self._container.setPalette(palette)
        column = QVBoxLayout(self._container)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(0)
        self._column = QVBoxLayout()  # the rows, above a stretch
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(2)
        column.addLayout(self._column)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self._container)
        self.body.addWidget(self.scroll_area, 1)
        # Rows out of sight draw their values when they come into sight (LayerRow).
        self.scroll_area.verticalScrollBar().valueChanged.connect(self.show_pending)
        self.scroll_area.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A taller view shows more rows: they draw what waited. Never consumes the event."""
        if event.type() == QEvent.Type.Resize and watched is self.scroll_area.viewport():
            self.show_pending()
        return super().eventFilter(watched, event)

    def show_pending(self) -> None:
        """Rows in sight draw the values they were given while out of sight."""
        for row in self.rows.values():
            row.show_pending()

    # ----- the model -----------------------------------------------------------------------
    def set_model(self, model: LabModel) -> None:
        """Build one row per layer of ``model`` (the old rows go)."""
        for row in self.rows.values():
            self._column.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = {}
        layers = list(model.layers.values())
        self._filter_layers = {lay.name: lay.filter_of for lay in layers if lay.filter_of}
        self._first_conv = model.first_conv
        self._chosen = None
        for layer in layers:
            row = LayerRow(layer)
            self._connect(row)
            self._column.addWidget(row)
            self.rows[layer.name] = row
        self.title.setText(f"Inside the network: {model.model.name}, {len(layers)} layers")
        self._show_choice()

    def _connect(self, row: LayerRow) -> None:
        name = row.info.name
        picture = row.picture
        if isinstance(picture, FeatureMosaic):
            picture.cellHovered.connect(lambda k, r, c, n=name: self.cellHovered.emit(n, k, r, c))
            picture.mapClicked.connect(lambda k, button, n=name: self._map_clicked(n, k, button))
        else:
            picture.unitHovered.connect(lambda i, n=name: self.unitHovered.emit(n, i))
            picture.unitClicked.connect(lambda i, n=name: self.unitClicked.emit(n, i))
        picture.hoverLeft.connect(self.hoverLeft)

    # ----- values --------------------------------------------------------------------------
    def show_activations(self, records: Sequence[Activation]) -> None:
        """Every layer's values (records as ``OnnxModel.activations`` returns them)."""
        for record in records:
            row = self.rows.get(record.name)
            if row is not None:
                row.show_values(record.array)

    def clear_values(self) -> None:
        """Every layer blank (nothing drawn)."""
        for row in self.rows.values():
            row.clear_values()

    def picture(self, layer: str) -> LayerPicture:
        """The view of one layer (a FeatureMosaic, VectorBars or VectorStrip)."""
        return self.rows[layer].picture

    # ----- choosing a filter ---------------------------------------------------------------
    @property
    def chosen_filter(self) -> tuple[str, int] | None:
        """(first conv layer name, filter index) picked by the user, or None."""
        return self._chosen

    def choose_filter(self, layer: str, k: int) -> bool:
        """Pick filter k via a map of ``layer``; False if that layer's maps are not filters."""
        conv = self._filter_layers.get(layer)
        if conv is None:
            return False
        self._chosen = (conv, k)
        for name, row in self.rows.items():
            if isinstance(row.picture, FeatureMosaic):
                row.picture.select_map(k if self._filter_layers.get(name) == conv else None)
        self._show_choice()
        self.filterChosen.emit(conv, k)
        return True

    def _map_clicked(self, layer: str, k: int, button: object) -> None:
        if not self.choose_filter(layer, k):
            return
        if button == Qt.MouseButton.RightButton:
            self._offer_animation(QCursor.pos())

    def _offer_animation(self, at: QPoint) -> None:
        if self._chosen is None:
            return
        menu = QMenu(self)
        action = QAction(self.animate_button.text().strip("▶ "), menu)
        action.triggered.connect(self._animate_chosen)
        menu.addAction(action)
        menu.popup(at)

    def _show_choice(self) -> None:
        conv = self._first_conv
        if self._chosen is None:
            pick = f" {NO_FILTER_HINT.format(conv=conv)}" if conv else ""
            self.choice.setText(HOVER_HINT + pick)
            self.animate_button.setText("▶  Animate this filter")
            self.animate_button.setEnabled(False)
            self.animate_button.setVisible(conv is not None)
            self.animate_button.setToolTip(
                NO_FILTER_HINT.format(conv=conv) if conv else "This model has no convolution"
            )
            return
        name, k = self._chosen
        self.choice.setText(f"{HOVER_HINT} Picked: {filter_name(k)} of {name}.")
        self.animate_button.setText(f"▶  Animate {filter_name(k)} in the Playground")
        self.animate_button.setToolTip(
            f"Watch {filter_name(k)} of {name} slide over an input, step by step, in the Playground"
        )
        self.animate_button.setEnabled(True)
        self.animate_button.setVisible(True)

    def _animate_chosen(self) -> None:
        if self._chosen is not None:
            self.animateRequested.emit(*self._chosen)
