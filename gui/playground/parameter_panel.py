"""Kernel size, stride, padding, dilation, ReLU and pooling, with the shape formulas written out.

An impossible combination is refused by the engine; the panel shows why, in words, and puts
its controls back to the set-up that still holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from engine.animation.playground import MAX_KERNEL_SIZE, PoolSettings
from gui.flow_layout import FitHeight, FlowLayout, tool_group
from gui.plain_text import escaped
from gui.widgets import Panel, caption_label

if TYPE_CHECKING:
    from engine.animation.frames import Animation, Frame
    from engine.animation.playground import PlaygroundSpec
    from gui.playground.state import PlaygroundState

PADDINGS = ("valid", "same", "explicit")
POOLS = ("none", "max", "avg")


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)
    return spin


class ParameterPanel(Panel):
    """The layer's settings; every change is one undoable edit of the state's spec."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__("Layer settings", parent)
        self._state = state
        self.kernel = _spin(1, MAX_KERNEL_SIZE, "Kernel (filter) size: k × k")
        self.stride = _spin(1, 6, "How many cells the kernel moves each step")
        self.padding = QComboBox()
        self.padding.addItems(["valid", "same", "explicit"])
        self.padding.setToolTip(
            "valid: no padding; same: pad so that the output keeps the size (stride 1); "
            "explicit: this many zero cells on every side"
        )
        self.pad_amount = _spin(0, 6, "Zero cells added on every side")
        self.dilation = _spin(1, 4, "Spacing between the cells the kernel reads")
        self.divisor = QDoubleSpinBox()
        self.divisor.setRange(0, 1000)  # 0 reaches the engine, which refuses it with a reason
        self.divisor.setDecimals(2)
        self.divisor.setKeyboardTracking(False)
        self.divisor.setToolTip("Divide every result (slide 004 divides by 9)")
        self.relu = QCheckBox("ReLU after the convolution")
        self.pool = QComboBox()
        self.pool.addItems(["No pooling", "Max pooling", "Average pooling"])
        self.pool_size = _spin(1, 6, "Pooling window size")
        self.pool_stride = _spin(1, 6, "Pooling stride")
        self.pool_padding = QComboBox()
        self.pool_padding.addItems(["valid", "same"])

        self.relu.setText("ReLU after it")
        self.pool.setItemText(0, "none")
        self.pool.setItemText(1, "max")
        self.pool.setItemText(2, "average")
        self.pool_padding.setToolTip(
            "Pooling padding: valid, or same (partial windows at the edge)"
        )
        # The controls flow: one row in a wide window, more rows in a narrow one, never cut.
        self.controls = QWidget()
        flow = FlowLayout(self.controls, spacing=12)
        for group in (
            (QLabel("Kernel"), self.kernel), (QLabel("Stride"), self.stride),
            (QLabel("Dilation"), self.dilation), (QLabel("Padding"), self.padding, self.pad_amount),
            (QLabel("Divide by"), self.divisor), (self.relu,),
            (QLabel("Pooling"), self.pool, QLabel("size"), self.pool_size, QLabel("stride"),
             self.pool_stride, self.pool_padding),
        ):  # fmt: skip
            flow.addWidget(tool_group(*group))
        self.body.addWidget(self.controls)

        self.shape_text = caption_label(size=11, colour="#222831")
        self.pool_text = caption_label(size=11, colour="#222831")
        self.params_text = caption_label(size=11, colour="#222831")
        self.problem_text = caption_label(size=10, colour="#b00020")
        for label in (self.shape_text, self.pool_text, self.params_text, self.problem_text):
            label.setTextFormat(Qt.TextFormat.RichText)  # bold headings; the rest is escaped
        self.problem_text.setStyleSheet(
            "color: #b00020; background: #fdecee; border: 1px solid #f3b6bf;"
            "border-radius: 4px; padding: 4px;"
        )
        formulas = QHBoxLayout()
        formulas.setSpacing(16)
        for label in (self.shape_text, self.pool_text, self.params_text):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            formulas.addWidget(label, 1)
        self.body.addLayout(formulas)
        self.body.addWidget(self.problem_text)
        self.body.addStretch(1)
        self._fit_height = FitHeight(self)  # a splitter gives the wrapped text its height

        for spin in (self.kernel, self.stride, self.pad_amount, self.dilation):
            spin.valueChanged.connect(self._conv_changed)
        self.padding.currentIndexChanged.connect(self._conv_changed)
        self.divisor.valueChanged.connect(self._divisor_changed)
        self.relu.toggled.connect(self._relu_changed)
        for widget in (self.pool_size, self.pool_stride):
            widget.valueChanged.connect(self._pool_changed)
        self.pool.currentIndexChanged.connect(self._pool_changed)
        self.pool_padding.currentIndexChanged.connect(self._pool_changed)
        self._animation: Animation | None = state.animation
        state.frameChanged.connect(self.show_frame)
        state.problem.connect(self.show_problem)
        self.problem_text.setVisible(False)
        self.refresh()

    # ----- reflecting the state --------------------------------------------------------------
    def show_frame(self, frame: Frame) -> None:
        """A frame of a new set-up: show its settings and formulas, drop an old problem."""
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self.refresh()
            self.problem_text.setVisible(False)

    def refresh(self) -> None:
        """Put every control and formula back to the state's set-up."""
        spec, result = self._state.spec, self._state.result
        widgets = (
            self.kernel, self.stride, self.padding, self.pad_amount, self.dilation, self.divisor,
            self.relu, self.pool, self.pool_size, self.pool_stride, self.pool_padding,
        )  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        self.kernel.setValue(spec.kernel_size[0])
        self.stride.setValue(spec.stride[0])
        self.dilation.setValue(spec.dilation[0])
        self.divisor.setValue(spec.divisor)
        self.relu.setChecked(spec.relu)
        explicit = PADDINGS.index("explicit")
        kind = PADDINGS.index(spec.padding) if isinstance(spec.padding, str) else explicit
        self.padding.setCurrentIndex(kind)
        self.pad_amount.setValue(result.padding_amount)
        self.pad_amount.setEnabled(kind == explicit)
        pool = spec.pool
        self.pool.setCurrentIndex(0 if pool is None else POOLS.index(pool.mode))
        self.pool_size.setValue(pool.size if pool else 2)
        self.pool_stride.setValue(pool.stride if pool else 2)
        self.pool_padding.setCurrentIndex(1 if pool and pool.padding == "same" else 0)
        for widget in (self.pool_size, self.pool_stride, self.pool_padding):
            widget.setEnabled(pool is not None)
        for widget in widgets:
            widget.blockSignals(False)

        shape = result.shape
        h, w, d = shape.shape
        self.shape_text.setText(
            f"<b>Output size</b><br>{escaped(shape.formula)}<br>→ {h} × {w} × {d} "
            f"({d} filter{'s' if d != 1 else ''})"
        )
        self.params_text.setText(
            f"<b>Learned parameters</b> (w·h·C + 1)·D<br>{escaped(result.params.formula)}"
        )
        if result.pooled_shape is not None:
            self.pool_text.setText(f"<b>Pooled size</b><br>{escaped(result.pooled_shape.formula)}")
        self.pool_text.setVisible(pool is not None)

    def show_problem(self, message: str) -> None:
        """Say why a change was refused, and put the controls back to the set-up that holds."""
        self.problem_text.setText(f"<b>Not possible:</b> {escaped(message)}")
        self.problem_text.setVisible(True)
        self.refresh()  # the controls go back to the set-up that holds

    # ----- edits ---------------------------------------------------------------------------
    def _conv_changed(self) -> None:
        kind = PADDINGS[self.padding.currentIndex()]
        self.pad_amount.setEnabled(kind == "explicit")
        padding: object = self.pad_amount.value() if kind == "explicit" else kind
        k, s, dil = self.kernel.value(), self.stride.value(), self.dilation.value()

        def change(spec: PlaygroundSpec) -> PlaygroundSpec:
            resized = spec.with_kernel_size(k) if k != spec.kernel_size[0] else spec
            return resized.with_changes(stride=(s, s), padding=padding, dilation=(dil, dil))

        self._state.edit("Change parameters", change)

    def _divisor_changed(self, value: float) -> None:
        self._state.edit("Change divisor", lambda s: s.with_changes(divisor=value))

    def _relu_changed(self, on: bool) -> None:
        self._state.edit("ReLU on" if on else "ReLU off", lambda s: s.with_changes(relu=on))

    def _pool_changed(self) -> None:
        mode = POOLS[self.pool.currentIndex()]
        pool = None
        if mode != "none":
            pool = PoolSettings(
                self.pool_size.value(), self.pool_stride.value(), mode,
                "same" if self.pool_padding.currentIndex() == 1 else "valid",
            )  # fmt: skip
        self._state.edit("Change pooling", lambda s: s.with_changes(pool=pool))
