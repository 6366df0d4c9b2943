"""The lesson's title, explanation, source slide and notes (e.g. a slide's typo)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.widgets import caption_label, title_label

if TYPE_CHECKING:
    from engine.animation.frames import Animation, Frame
    from gui.playground.state import PlaygroundState


class LessonHeader(QWidget):
    """Reflects the state's lesson context, and how a learned filter compares with ONNX Runtime."""

    def __init__(self, state: PlaygroundState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.title = title_label("", size=16)
        self.source = caption_label(size=9, colour="#7a8394")
        self.explanation = caption_label(size=11, colour="#222831")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(
            "background: #fff6dd; border: 1px solid #f0d48a; border-radius: 4px;"
            "padding: 2px 8px; color: #5a4500; font-size: 9pt;"
        )
        self.source.setWordWrap(False)
        self.comparison = QLabel()
        self.comparison.setWordWrap(True)
        self.comparison.setStyleSheet(
            "background: #e8f6ef; border: 1px solid #9fd6b8; border-radius: 4px;"
            "padding: 4px 8px; color: #0b5132;"
        )
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.source, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        layout.addWidget(self.notes)
        layout.addWidget(self.comparison)
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

    def show_frame(self, frame: Frame) -> None:
        """A frame of a new set-up: the comparison with ONNX Runtime may have changed."""
        if frame.animation is not self._animation:
            self._animation = frame.animation
            self._show_comparison()

    def _show_comparison(self) -> None:
        text = self._state.replay_comparison()
        self.comparison.setText(text)
        self.comparison.setVisible(bool(text))
