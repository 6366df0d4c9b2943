"""The lesson's title, explanation, source slide and notes (e.g. a slide's typo).

The explanation and the notes scroll within a few lines, so that a long lesson text leaves the
window's height to the grids; presentation mode shows the title alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gui.flow_layout import FitHeight
from gui.widgets import caption_label, title_label

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from engine.animation.frames import Animation, Frame
    from gui.playground.state import PlaygroundState

TEXT_LINES = 3
"""Lines of the explanation's type the lesson text may take before it scrolls…"""
TALL_TEXT_LINES = 6
"""… and in a view at least ``TALL_VIEW`` pixels high."""
TALL_VIEW = 800
NOTE_STYLE = (
    "background: #fff6dd; border: 1px solid #f0d48a; border-radius: 4px; padding: 2px 8px;"
    "color: #5a4500;"
)


def _note_label(point_size: int) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSize(point_size)
    label.setFont(font)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _shape_text(shape: tuple[int, ...]) -> str:
    """An input shape as people write it: "6×6", or "6×6×3" with channels."""
    return "×".join(str(v) for v in (shape if shape[-1] != 1 else shape[:-1]))


class LessonText(QScrollArea):
    """The explanation and the notes: as tall as they need, at most ``TEXT_LINES`` lines.

    Beyond that they scroll, so the lesson text never pushes the grids off the window.
    """

    def __init__(self, labels: tuple[QLabel, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.lines = TEXT_LINES
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        for label in labels:
            column.addWidget(label)
        column.addStretch(1)
        self.setWidget(container)
        container.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The content changed (a text, a font): fit the height again; never consumes."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Another width wraps the text differently."""
        super().resizeEvent(event)
        self.fit()

    def needed_height(self) -> int:
        """The height of the shown labels at the current width, without scrolling."""
        width = self.width()
        shown = [label for label in self.labels if not label.isHidden() and label.text()]
        if not shown:
            return 0
        spacing = 3 * (len(shown) - 1)
        return sum(label.heightForWidth(width) for label in shown) + spacing

    def fit(self) -> None:
        """As tall as the text, at most ``lines`` lines of the explanation's type."""
        cap = self.labels[0].fontMetrics().lineSpacing() * self.lines + 6
        height = min(self.needed_height(), cap)
        if height != self.height() or height != self.minimumHeight():
            self.setFixedHeight(height)


class LessonHeader(QWidget):
    """Reflects the state's lesson context, and how a learned filter compares with ONNX Runtime."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.title = title_label("", size=16)
        self.source = caption_label(size=9, colour="#7a8394")
        self.explanation = caption_label(size=11, colour="#222831")
        self.notes = _note_label(9)
        self.input_note = _note_label(9)
        self.text = LessonText((self.explanation, self.notes, self.input_note))
        for label in (self.title, self.source, self.explanation):
            label.setTextFormat(Qt.TextFormat.PlainText)  # lesson files are not rich text
        self.comparison = QLabel()
        self.comparison.setTextFormat(Qt.TextFormat.PlainText)  # names a model's layers
        self.comparison.setWordWrap(True)
        self.comparison.setStyleSheet(
            "background: #e8f6ef; border: 1px solid #9fd6b8; border-radius: 4px;"
            "padding: 4px 8px; color: #0b5132;"
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 0)
        top.addSpacing(12)
        top.addWidget(self.source, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addWidget(self.comparison)
        self._fit_height = FitHeight(self)  # wrapped title and source: never squeezed
        self._presenting = False
        self._animation: Animation | None = state.animation
        state.frameChanged.connect(self.show_frame)
        self._clean = True
        state.lessonChanged.connect(lambda: self.refresh(True))
        state.undo_stack.cleanChanged.connect(self.refresh)
        self.refresh(True)
        self._show_comparison()

    def refresh(self, clean: bool) -> None:
        """Show the lesson; ``clean`` is False once the user has edited it."""
        self._clean = clean
        context = self._state.context
        edited = "" if clean else "  (edited)"
        self.title.setText(context.title + edited)
        self.source.setText(f"from {context.source}" if context.source else "")
        self.explanation.setText(context.explanation)
        self.notes.setText("\n".join(f"Note: {n}" for n in context.notes))
        self.notes.setVisible(bool(context.notes))
        self._show_input_note()

    def fit_text(self, view_height: int) -> None:
        """Let the lesson's text take more lines in a tall view (``view_height`` pixels)."""
        lines = TALL_TEXT_LINES if view_height >= TALL_VIEW else TEXT_LINES
        if lines != self.text.lines:
            self.text.lines = lines
            self.text.fit()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode shows the title (and a learned filter's comparison) only."""
        self._presenting = on
        self.source.setVisible(not on)
        self.text.setVisible(not on)

    def show_frame(self, frame: Frame) -> None:
        """Show what a new set-up changes.

        The comparison with ONNX Runtime may have changed, and the input may no longer be
        the one the lesson's text describes.
        """
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self._show_comparison()
            self._show_input_note()

    def _show_input_note(self) -> None:
        """Say so when the input no longer has the shape the explanation describes."""
        lesson_shape = tuple(self._state.loaded_spec.input.shape)
        shape = tuple(self._state.spec.input.shape)
        text = ""
        if shape != lesson_shape and self._state.context.explanation:
            text = (
                f"The input was replaced: it is now {_shape_text(shape)}, while the text above "
                f"describes the lesson's {_shape_text(lesson_shape)} input."
            )
        self.input_note.setText(text)
        self.input_note.setVisible(bool(text))

    def _show_comparison(self) -> None:
        text = self._state.replay_comparison()
        self.comparison.setText(text)
        self.comparison.setVisible(bool(text))
