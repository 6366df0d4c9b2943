"""The filters: one editable grid per filter and channel, presets, biases, add and remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QDoubleValidator, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.animation.frames import FILTER
from engine.animation.playground import MAX_FILTERS
from engine.animation.presets import PRESETS, preset
from gui.cell_grid import CellGrid
from gui.colours import ColourScale
from gui.flow_layout import FlowLayout, tool_group
from gui.follow import follow_widget
from gui.widgets import Panel, caption_label
from gui.zoom import scaled

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from engine.animation.frames import Animation, Frame
    from gui.playground.state import PlaygroundState

KERNEL_CELLS = ((3, 52), (5, 36), (7, 26), (1_000_000, 18))
"""(largest kernel side, largest cell in pixels at zoom 1): smaller kernels get larger cells."""
MIN_KERNEL_CELL = 14
EDIT_HINT = "Click a weight to type a new value (Enter keeps it, Esc cancels)."
CARD_MARGINS = 11  # a card's 2-pixel frame, its margin and a pixel, each side, at zoom 1
CARD_ACTIVE = (QColor("#009688"), QColor("#f0faf9"))  # frame and ground of the active filter
CARD_IDLE = (QColor("#dde2ea"), QColor("#ffffff"))
CARD_BORDER = 2  # pixels (the card's contents start inside it)
CARD_RADIUS = 5.0


class CellEditor(QLineEdit):
    """An inline editor over one kernel cell: Enter commits, Escape or focus loss cancels."""

    def __init__(self, grid: CellGrid, row: int, col: int, commit) -> None:  # type: ignore[no-untyped-def]
        super().__init__(grid)
        self._commit = commit
        self._done = False
        self.setValidator(QDoubleValidator(-1e6, 1e6, 6, self))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setText(f"{grid.values[row, col]:g}")
        rect = grid.cell_rect(row, col).toAlignedRect()
        self.setGeometry(rect.adjusted(-6, 0, 6, 0))
        self.selectAll()
        self.returnPressed.connect(self._accept)
        self.show()
        self.setFocus()

    def _accept(self) -> None:
        if self._done:
            return
        self._done = True
        text = self.text().replace("−", "-").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = None
        self.deleteLater()
        if value is not None:
            self._commit(value)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Escape cancels the edit.

        Escape and Enter then go on to the parents: the playground gives the keyboard back
        to the animation.
        """
        if event.key() == Qt.Key.Key_Escape:
            self._done = True
            self.deleteLater()
            event.ignore()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Leaving the editor commits what was typed."""
        self._accept()
        super().focusOutEvent(event)


class FilterCard(QFrame):
    """One filter: its name, a preset menu, a grid per channel, the bias."""

    def __init__(self, panel: FilterPanel, index: int) -> None:
        super().__init__()
        self.setObjectName("FilterCard")
        self.setContentsMargins(CARD_BORDER, CARD_BORDER, CARD_BORDER, CARD_BORDER)
        self._panel = panel
        self.index = index
        self.key = (FILTER, index)
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # a filter's name is from the lesson
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.preset = QComboBox()
        self.preset.addItem("Preset…")
        for item in PRESETS:
            self.preset.addItem(item.name, item.id)
            self.preset.setItemData(
                self.preset.count() - 1, item.description, Qt.ItemDataRole.ToolTipRole
            )
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset.setMinimumContentsLength(6)
        self.preset.activated.connect(self._apply_preset)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this filter")
        self.remove.clicked.connect(lambda: panel.remove_filter(self.index))
        self.bias = QDoubleSpinBox()
        self.bias.setRange(-999, 999)
        self.bias.setDecimals(2)
        self.bias.setSingleStep(0.5)
        self.bias.setKeyboardTracking(False)
        self.bias.valueChanged.connect(lambda v: panel.set_bias(self.index, v))
        self.grids: list[CellGrid] = []
        self.channel_labels: list[QLabel] = []
        self._per_row = 0
        self.name.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.remove)
        self._grid_row = QGridLayout()
        self._grid_row.setSpacing(4)
        grids = QHBoxLayout()
        grids.addStretch(1)
        grids.addLayout(self._grid_row)
        grids.addStretch(1)
        self.foot = QWidget()  # the preset box and the bias, side by side when there is room
        foot = FlowLayout(self.foot)
        foot.addWidget(self.preset)
        foot.addWidget(tool_group(QLabel("Bias"), self.bias))
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)  # with the 2-pixel frame: CARD_MARGINS
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addLayout(grids)
        layout.addWidget(self.foot)
        self._active: bool | None = None
        self.set_active(False)

    def set_active(self, active: bool) -> None:
        """Frame the filter being applied in teal (a repaint; only on a change).

        Painted by :meth:`paintEvent`, not by a style sheet: setting a style sheet polishes
        every child again (5 ms a card), and a jump to another filter changes two cards.
        """
        if active == self._active:
            return
        self._active = active
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """A rounded card: a teal frame on a light teal ground while active, else gray on white."""
        border, ground = CARD_ACTIVE if self._active else CARD_IDLE
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, CARD_BORDER))
        painter.setBrush(ground)
        inset = CARD_BORDER / 2
        rect = QRectF(self.rect()).adjusted(inset, inset, -inset, -inset)
        painter.drawRoundedRect(rect, CARD_RADIUS, CARD_RADIUS)
        painter.end()

    def ensure_channels(self, channels: int) -> None:
        """One grid per channel (made when first needed), the others hidden."""
        while len(self.grids) < channels:
            c = len(self.grids)
            grid = CellGrid(max_cell=KERNEL_CELLS[0][1])
            grid.cellPressed.connect(lambda r, col, b, c=c: self._edit_cell(c, r, col))
            grid.setToolTip(EDIT_HINT)  # the hand and the tip say the weights can be typed
            grid.setCursor(Qt.CursorShape.PointingHandCursor)
            label = caption_label(size=9)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.grids.append(grid)
            self.channel_labels.append(label)
            self._grid_row.addWidget(label, 0, c)  # placed by arrange()
            self._grid_row.addWidget(grid, 1, c)
            self._per_row = 0
        for c, (grid, label) in enumerate(zip(self.grids, self.channel_labels, strict=True)):
            grid.setVisible(c < channels)
            label.setVisible(c < channels and channels > 1)

    def chrome_height(self, width: int) -> int:
        """The card's height at ``width`` without its grids and their names.

        That is the name row, the preset and bias, the margins, frame and spacing.
        """
        layout = self._layout
        margins = layout.contentsMargins()
        inner = width - margins.left() - margins.right() - 4  # the 2-pixel frame
        name = self.name.heightForWidth(max(inner - self.remove.sizeHint().width() - 6, 1))
        head = max(name, self.remove.sizeHint().height())
        foot = self.foot.heightForWidth(inner)
        return head + foot + margins.top() + margins.bottom() + 2 * layout.spacing() + 4

    def arrange(self, per_row: int) -> None:
        """Put ``per_row`` channels' grids side by side (each under its name), then wrap."""
        if per_row == self._per_row:
            return
        self._per_row = per_row
        for widget in (*self.grids, *self.channel_labels):
            self._grid_row.removeWidget(widget)
        for c, (grid, label) in enumerate(zip(self.grids, self.channel_labels, strict=True)):
            line, column = divmod(c, per_row)
            self._grid_row.addWidget(label, 2 * line, column)
            self._grid_row.addWidget(grid, 2 * line + 1, column)

    def _edit_cell(self, channel: int, row: int, col: int) -> None:
        CellEditor(
            self.grids[channel], row, col,
            lambda v: self._panel.set_kernel_cell(self.index, channel, row, col, v),
        )  # fmt: skip

    def _apply_preset(self, combo_index: int) -> None:
        preset_id = self.preset.itemData(combo_index)
        self.preset.setCurrentIndex(0)
        if preset_id:
            self._panel.apply_preset(self.index, str(preset_id))


class FilterPanel(Panel):
    """All filters of the playground; edits go to the state as undoable commands."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Filters", parent)
        self._state = state
        self._cards: list[FilterCard] = []
        container = QWidget()
        self._list = QVBoxLayout(container)
        self._list.setContentsMargins(0, 0, 4, 0)
        self._list.setSpacing(8)
        self._list.addStretch(1)
        self.cards_area = QScrollArea()
        self.cards_area.setWidgetResizable(True)
        self.cards_area.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.cards_area.setWidget(container)
        self._viewport = self.cards_area.viewport()
        self._viewport.installEventFilter(self)  # resized: size the kernels, follow
        self.add = QToolButton()
        self.add.setText("+ Add filter")
        self.add.setToolTip("Add a filter (an identity kernel)")
        self.add.clicked.connect(self.add_filter)
        self.body.addWidget(self.cards_area, 1)
        self.tools = self.add  # what presentation mode hides
        self.body.addWidget(self.add)
        self._show_added = False  # the next set-up has a filter the user just added
        self._pinned: FilterCard | None = None  # that filter, in view until the next step
        self._grid_spacing = 4
        self._animation: Animation | None = None
        state.frameChanged.connect(self.show_frame)
        self.show_frame(state.frame)

    def show_frame(self, frame: Frame) -> None:
        """Paint a frame: the set-up if it is new, then the filter being applied.

        The list scrolls to the filter being applied, or to a filter the user just added.
        """
        new_set_up = frame.animation is not self._animation
        if new_set_up:
            self._show_animation(frame.animation)
        for card in self._cards:
            card.set_active(card.index == frame.filter)
            marks = frame.marks.get(card.key, ())
            for grid in card.grids:
                grid.set_marks(marks)
        if new_set_up and self._show_added:
            self._show_added = False
            self._pinned = self._cards[frame.animation.result.spec.num_filters - 1]
        elif not new_set_up:
            self._pinned = None  # the next step follows the animation again
        self.follow(settle=new_set_up)

    def follow(self, *, settle: bool = True) -> None:
        """Scroll the list to a filter the user just added, else to the one being applied.

        With ``settle``, again once the layout has settled.
        """
        frame = self._state.frame
        if self._pinned is not None and self._pinned.isVisibleTo(self):
            self._follow(self._pinned, settle=settle)
        elif frame.filter is not None and frame.filter < len(self._cards):
            self._follow(self._cards[frame.filter], settle=settle)

    def _follow(self, card: FilterCard, *, settle: bool) -> None:
        """Scroll the list to ``card``; after a new set-up, again once the layout settled."""
        follow_widget(self.cards_area, card)
        if settle:
            QTimer.singleShot(0, self, lambda: follow_widget(self.cards_area, card))

    def _size_grids(self) -> None:
        """Kernel cells as large as the list allows, all filters alike.

        The channels of a filter sit side by side, or wrap onto more rows, whichever gives
        larger cells while a whole card fits the list's width (and, if it can, its height);
        cells are at most ``KERNEL_CELLS``' size for the kernel's size, at the current zoom.
        """
        if self._animation is None or not self._cards:
            return
        spec = self._animation.result.spec
        kh, kw = spec.kernel_size
        channels = spec.channels
        largest = scaled(next(cell for size, cell in KERNEL_CELLS if max(kh, kw) <= size))
        smallest = scaled(MIN_KERNEL_CELL)
        bar = self.cards_area.verticalScrollBar()
        # The room for a card's grids: the list's width without the scroll bar (it may
        # appear), the list's own margins, a card's frame and margins, a pixel of rounding.
        margins = self._list.contentsMargins()
        room = self.cards_area.width() - bar.sizeHint().width() - scaled(CARD_MARGINS) * 2
        room -= margins.left() + margins.right() + 2 * self.cards_area.frameWidth() + 1
        first = self._cards[0]
        width = first.width() if first.width() > 0 else self.cards_area.viewport().width()
        label = first.channel_labels[0].sizeHint().height() if channels > 1 else 0
        high = self.cards_area.viewport().height() - first.chrome_height(width)

        def cells(per_row: int) -> tuple[int, int]:
            """(cell that fits the width and the height, cell that fits the width)."""
            lines = -(-channels // per_row)
            wide = (room - self._grid_spacing * (per_row - 1)) // (kw * per_row)
            tall = (high - (label + self._grid_spacing) * lines) // (kh * lines)
            return min(largest, wide, tall), min(largest, wide)

        options = [n for n in range(1, channels + 1) if cells(n)[1] >= smallest] or [1]
        per_row = max(options, key=lambda n: (cells(n)[0], n))
        cell = max(cells(per_row)[0], smallest)
        for card in self._cards[: spec.num_filters]:
            card.arrange(per_row)
            for grid in card.grids[:channels]:
                grid.setFixedSize(kw * cell + 1, kh * cell + 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Size the kernels and follow the applied filter when the list's view is resized.

        Never consumes the event.
        """
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self._size_grids()
            self.follow()
        return False

    def changeEvent(self, event: QEvent) -> None:
        """A new font is a new zoom: size the kernel cells again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_grids()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode shows the filters only: no hint, no "Add filter"."""
        self.tools.setVisible(not on)

    def refresh(self) -> None:
        """Show the state's set-up and frame again."""
        self._show_animation(self._state.animation)
        self.show_frame(self._state.frame)

    def _show_animation(self, animation: Animation) -> None:
        """One card per filter: name, bias, one grid per channel; the panel's title."""
        self._animation = animation
        spec = animation.result.spec
        while len(self._cards) < spec.num_filters:
            card = FilterCard(self, len(self._cards))
            self._cards.append(card)
            self._list.insertWidget(self._list.count() - 1, card)
        for d, card in enumerate(self._cards):
            card.setVisible(d < spec.num_filters)
            if d >= spec.num_filters:
                continue
            card.name.setText(animation.filter_names[d])
            card.remove.setEnabled(spec.num_filters > 1)
            card.bias.blockSignals(True)
            card.bias.setValue(float(spec.biases[d]))
            card.bias.blockSignals(False)
            card.ensure_channels(spec.channels)
            scale = ColourScale.for_values(spec.filters[:, :, :, d])
            for c in range(spec.channels):
                card.grids[c].set_values(
                    spec.filters[:, :, c, d], scale=scale, numbers=animation.kernel_numbers
                )
                card.channel_labels[c].setText(animation.channel_names[c])
        self._size_grids()
        self.add.setEnabled(spec.num_filters < MAX_FILTERS)
        shape = "×".join(str(v) for v in spec.filters.shape[:3])
        self.title.setText(f"Filters  {spec.num_filters} × {shape}")

    # ----- edits ---------------------------------------------------------------------------
    def set_kernel_cell(self, d: int, channel: int, row: int, col: int, value: float) -> None:
        """Set one weight of filter ``d`` (an undoable edit)."""
        self._state.edit("Edit weight", lambda s: s.with_kernel_cell(d, channel, row, col, value))

    def set_bias(self, d: int, value: float) -> None:
        """Set the bias of filter ``d`` (an undoable edit, only if it changes)."""
        if float(self._state.spec.biases[d]) != value:
            self._state.edit("Edit bias", lambda s: s.with_bias(d, value))

    def apply_preset(self, d: int, preset_id: str) -> None:
        """Put a named preset kernel into filter ``d``."""
        chosen = preset(preset_id)
        kernel = chosen.kernel
        self._state.edit(f"Preset {chosen.name}", lambda s: s.with_kernel(d, kernel))

    def add_filter(self) -> None:
        """Add an identity filter (an undoable edit) and scroll it into view."""
        self._show_added = True
        if not self._state.edit("Add filter", lambda s: s.with_filter_added()):
            self._show_added = False

    def remove_filter(self, d: int) -> None:
        """Remove filter ``d`` (refused for the last one)."""
        self._state.edit("Remove filter", lambda s: s.with_filter_removed(d))
