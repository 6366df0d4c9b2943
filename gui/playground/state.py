"""PlaygroundState: the one source of truth of the playground, with undo/redo.

It holds the engine's ``PlaygroundSpec`` (what the user set up), the computed pipeline, timeline
and animation, and the current position. For every user action (an edit, undo, redo, a new
lesson, a step) it builds the engine ``Frame`` of the current position once and emits it once,
with ``frameChanged``; the panels only paint that frame (and refresh their set-up when the
frame belongs to another ``Animation``). Every change of the set-up goes through the
QUndoStack. Impossible changes are refused with a sentence (``problem``) and the previous
set-up stays.

Every change is built completely before it replaces anything: the set-up is checked, the
pipeline, the backprop exercise, the timeline, the animation and the frame to show are
computed into a ``_Built`` bundle, and only when all of that worked is it swapped in (and, for
an edit, pushed onto the undo stack). A lesson, a file or an edit that fails anywhere on the
way leaves the spec, the position, the undo stack and the title exactly as they were.

A vector lesson (flatten, dense, softmax, cross-entropy, the update; a network's shapes) has
no set-up to edit: its ``VectorAnimation`` is built completely too, then shown through
``vectorFrameChanged`` while the convolution's set-up waits, unchanged, for the next
convolution lesson. The step controls (``position``, ``set_position``, ``timeline``, …) work
on whichever animation is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.animation.frames import Animation, Frame, NumberStyle
from engine.animation.playground import PipelineResult, PlaygroundSpec, run_pipeline
from engine.animation.timeline import Timeline, TimelineEntry
from engine.lessons.worked import exercise_result, vector_animation

if TYPE_CHECKING:
    from collections.abc import Callable

    from engine.animation.vector_frames import VectorAnimation, VectorFrame
    from engine.animation.vector_timeline import VectorTimeline
    from engine.lessons.registry import Lesson
    from engine.network.filter_replay import FilterReplay
    from engine.operations.backprop import BackpropResult


@dataclass(frozen=True)
class LessonContext:
    """What the lesson panel shows about the current set-up."""

    id: str
    title: str
    explanation: str
    source: str = ""
    notes: tuple[str, ...] = ()
    decimals: int = 2
    truncate: bool = False
    slide_spec: PlaygroundSpec | None = None
    """The lesson's own set-up, the only one its display rule (decimals, truncate) is for."""
    slide_learning_rate: float | None = None
    """The lesson's own η (backprop exercise): with another η the display rule is off too."""

    @property
    def style(self) -> NumberStyle:
        """The lesson's way of writing its own numbers (none without a lesson's set-up)."""
        if self.slide_spec is None:
            return NumberStyle()
        return NumberStyle(self.decimals, self.truncate, self.slide_spec, self.slide_learning_rate)


class _Built(NamedTuple):
    """Everything shown for one set-up, computed before any of it replaces the current one."""

    spec: PlaygroundSpec
    result: PipelineResult
    backprop: BackpropResult | None
    timeline: Timeline
    animation: Animation
    position: int
    frame: Frame


def _build(
    spec: PlaygroundSpec,
    lesson: Lesson | None,
    learning_rate: float,
    context: LessonContext,
    position: int,
) -> _Built:
    """Check ``spec`` and compute all it shows, the frame at ``position`` (clamped) included.

    Raises:
        ValueError: the set-up is refused or something on the way cannot be computed.
    """
    result = run_pipeline(spec)  # checks the spec first
    exercise = lesson.backprop if lesson is not None else None
    backprop = exercise_result(spec, exercise, learning_rate)
    timeline = Timeline(result, backprop)
    animation = Animation(result, timeline, context.style)
    position = max(0, min(position, len(timeline) - 1))
    return _Built(spec, result, backprop, timeline, animation, position, animation[position])


class SpecCommand(QUndoCommand):
    """Replace the set-up.

    Consecutive commands with the same merge key (one paint stroke) merge into one undo step.
    """

    def __init__(
        self, state: PlaygroundState, old: PlaygroundSpec, new: PlaygroundSpec, text: str,
        merge_key: int | None = None, built: _Built | None = None,
    ) -> None:  # fmt: skip
        super().__init__(text)
        self._state = state
        self._old = old
        self._new = new
        self._merge_key = merge_key
        self._built = built  # the new set-up, already computed: the push's redo shows it

    def id(self) -> int:
        """Stroke commands share an id, so Qt offers them to ``mergeWith``."""
        return 1 if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Take over a later command of the same stroke (its set-up replaces ours)."""
        if not isinstance(other, SpecCommand) or other._merge_key != self._merge_key:
            return False
        self._new = other._new
        return True

    def redo(self) -> None:
        """Show the new set-up."""
        built, self._built = self._built, None
        self._state._apply(self._new, built)

    def undo(self) -> None:
        """Show the set-up from before the command."""
        self._state._apply(self._old)


class PlaygroundState(QObject):
    """The playground's model object; see the module docstring."""

    frameChanged = Signal(Frame)
    """The frame to paint changed (an ``engine.animation.frames.Frame``): emitted once per user
    action, after the set-up, the pipeline, the timeline and the frame are all up to date."""
    specChanged = Signal()
    """The set-up changed and the pipeline was recomputed (after ``frameChanged``)."""
    positionChanged = Signal(int)
    """The animation moved to another step (after ``frameChanged``)."""
    lessonChanged = Signal()
    """Another lesson (or file) was loaded."""
    problem = Signal(str)
    """A change was refused; the argument says why in words."""
    vectorFrameChanged = Signal(object)
    """The frame of a vector lesson to paint changed (an
    ``engine.animation.vector_frames.VectorFrame``): emitted once per user action while a
    vector lesson is shown, in place of ``frameChanged``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._context = LessonContext("custom", "Custom", "")
        self._lesson: Lesson | None = None
        self._learning_rate = 0.1
        self._stroke = 0
        self._position = 0
        self._replay: FilterReplay | None = None
        self._vector: VectorAnimation | None = None
        self._vector_frame: VectorFrame | None = None
        spec = PlaygroundSpec.create(np.zeros((6, 6)), np.zeros((3, 3)))
        self._loaded_spec = spec
        self._take(_build(spec, None, self._learning_rate, self._context, 0))

    # ----- reading ---------------------------------------------------------------------------
    @property
    def spec(self) -> PlaygroundSpec:
        """What the user set up."""
        return self._spec

    @property
    def loaded_spec(self) -> PlaygroundSpec:
        """The set-up as the lesson (file, learned filter) was loaded, before any edit."""
        return self._loaded_spec

    @property
    def result(self) -> PipelineResult:
        """The pipeline computed for ``spec``."""
        return self._result

    @property
    def timeline(self) -> Timeline | VectorTimeline:
        """The scrubber positions of what is shown: the set-up's, or the vector lesson's."""
        return self._timeline if self._vector is None else self._vector.timeline

    @property
    def animation(self) -> Animation:
        """The frames of the current set-up (built on demand)."""
        return self._animation

    @property
    def frame(self) -> Frame:
        """The frame of the convolution's set-up: what its panels paint."""
        return self._frame

    @property
    def vector_animation(self) -> VectorAnimation | None:
        """The vector lesson shown, or None while a convolution's set-up is shown."""
        return self._vector

    @property
    def shown_animation(self) -> Animation | VectorAnimation:
        """The animation on show: the vector lesson's, else the set-up's."""
        return self._animation if self._vector is None else self._vector

    @property
    def shown_frame(self) -> Frame | VectorFrame:
        """The frame on show at the current position."""
        return self._frame if self._vector_frame is None else self._vector_frame

    @property
    def backprop(self) -> BackpropResult | None:
        """The backprop exercise's numbers, when the lesson has one and the set-up fits it."""
        return self._backprop

    @property
    def context(self) -> LessonContext:
        """The lesson (or file) being shown: title, explanation, number style."""
        return self._context

    @property
    def lesson(self) -> Lesson | None:
        """The built-in lesson being shown (None for a file or a learned filter)."""
        return self._lesson

    @property
    def position(self) -> int:
        """The scrubber position, 0 .. len(timeline) − 1."""
        return self._position

    @property
    def entry(self) -> TimelineEntry:
        """The timeline entry of the current position."""
        return self.timeline[self._position]

    @property
    def learning_rate(self) -> float:
        """η of the backprop exercise, or of a vector lesson's update."""
        return self._learning_rate

    def lesson_to_save(self) -> Lesson | None:
        """The built-in lesson shown as it is now (its set-up edited, its η changed), or None."""
        lesson = self._lesson
        if lesson is None:
            return None
        if lesson.vector is None:
            return replace(lesson, spec=self._spec)
        if self._vector is not None and self._vector.learning_rate is not None:
            return replace(lesson, vector=replace(lesson.vector, learning_rate=self._learning_rate))
        return lesson

    # ----- loading ---------------------------------------------------------------------------
    def load_lesson(self, lesson: Lesson) -> bool:
        """Start a lesson from its first step and clear the undo history.

        Returns:
            True when the lesson is shown; False when it was refused (``problem`` says why)
            and everything stayed as it was.
        """
        if lesson.vector is not None:
            return self._load_vector(lesson)
        context = LessonContext(
            lesson.id, lesson.title, lesson.explanation, lesson.source, lesson.notes,
            lesson.decimals, lesson.truncate_decimals, lesson.spec,
            None if lesson.backprop is None else lesson.backprop.learning_rate,
        )  # fmt: skip
        rate = self._learning_rate if lesson.backprop is None else lesson.backprop.learning_rate
        return self._load(lesson.convolution, context, lesson, rate, None)

    def _load_vector(self, lesson: Lesson) -> bool:
        """Build a vector lesson's animation completely, then show it; on failure change nothing."""
        assert lesson.vector is not None  # only vector lessons come here
        try:
            animation = vector_animation(lesson.vector)
            frame = animation[0]
        except ValueError as exc:
            self.problem.emit(_sentence(f"the lesson cannot be shown: {exc}"))
            return False
        self._lesson = lesson
        self._context = LessonContext(
            lesson.id, lesson.title, lesson.explanation, lesson.source, lesson.notes
        )
        if animation.learning_rate is not None:
            self._learning_rate = animation.learning_rate
        self._replay = None
        self.undo_stack.clear()
        self._loaded_spec = self._spec  # the set-up waiting for a convolution is not edited
        moved = self._position != 0
        self._show_vector(animation, frame)
        self.lessonChanged.emit()
        self.specChanged.emit()
        if moved:
            self.positionChanged.emit(0)
        return True

    def _show_vector(self, animation: VectorAnimation, frame: VectorFrame) -> None:
        self._vector = animation
        self._vector_frame = frame
        self._position = frame.position
        self.vectorFrameChanged.emit(frame)

    def load_replay(self, replay: FilterReplay) -> bool:
        """Step through one learned filter of the trained network on the drawn digit.

        Returns:
            As ``load_lesson``.
        """
        context = LessonContext(
            "replay",
            f"The trained CNN's {replay.title}",
            "The digit the network saw (28x28, prepared like MNIST) and one filter the network "
            "learned, with its bias, stride and padding. Step through it to see how the first "
            "layer computes this feature map; ReLU then keeps the positive values.",
            source=f"{replay.model_name}, layer {replay.layer}",
            decimals=2,
        )
        return self._load(replay.spec, context, None, self._learning_rate, replay)

    @property
    def replay(self) -> FilterReplay | None:
        """The learned filter being replayed, if any."""
        return self._replay

    def replay_comparison(self) -> str:
        """How the playground's map compares with ONNX Runtime's, in words ("" if no replay)."""
        if self._replay is None:
            return ""
        try:
            diff = self._replay.max_difference(self._result)
        except ValueError as exc:
            return f"No longer comparable with ONNX Runtime: {exc}."
        cells = self._replay.ort_map.size
        verdict = "the same as" if diff <= 1e-4 else "different from"
        return (
            f"This map is {verdict} ONNX Runtime's {self._replay.layer} output for this "
            f"filter: largest difference {diff:.1e} over {cells} cells."
        )

    def load_spec(self, spec: PlaygroundSpec, title: str, explanation: str) -> bool:
        """Show a set-up from a lesson file (checked again here).

        Returns:
            As ``load_lesson``.
        """
        decimals = 2 if np.any(spec.input % 1) or np.any(spec.filters % 1) else 0
        context = LessonContext("file", title or "Lesson file", explanation, decimals=decimals)
        return self._load(spec, context, None, self._learning_rate, None)

    def _load(
        self,
        spec: PlaygroundSpec,
        context: LessonContext,
        lesson: Lesson | None,
        learning_rate: float,
        replay: FilterReplay | None,
    ) -> bool:
        """Build the new lesson completely, then swap it in; on failure change nothing."""
        try:
            built = _build(spec, lesson, learning_rate, context, 0)
        except ValueError as exc:
            self.problem.emit(_sentence(f"the lesson cannot be shown: {exc}"))
            return False
        self._lesson = lesson
        self._context = context
        self._learning_rate = learning_rate
        self._replay = replay
        self.undo_stack.clear()
        self._loaded_spec = spec
        moved = built.position != self._position
        self._take(built)
        self._publish(lesson=True, moved=moved)
        return True

    # ----- changing the set-up ---------------------------------------------------------------
    def try_change(self, text: str, *, merge_stroke: bool = False, **changes: object) -> bool:
        """Apply field changes through the undo stack; refuse impossible ones with a reason."""
        try:
            new = self._spec.with_changes(**changes)
        except ValueError as exc:
            self.problem.emit(_sentence(str(exc)))
            return False
        return self.push(new, text, merge_stroke=merge_stroke)

    def edit(
        self,
        text: str,
        make: Callable[[PlaygroundSpec], PlaygroundSpec],
        *,
        merge_stroke: bool = False,
    ) -> bool:
        """Apply an engine edit of the spec (e.g. ``lambda s: s.with_bias(0, 1)``).

        One undo step; an edit the engine refuses is reported through ``problem`` and changes
        nothing.
        """
        try:
            new = make(self._spec)
        except ValueError as exc:
            self.problem.emit(_sentence(str(exc)))
            return False
        if new is self._spec:
            return True
        return self.push(new, text, merge_stroke=merge_stroke)

    def push(self, new: PlaygroundSpec, text: str, *, merge_stroke: bool = False) -> bool:
        """Push a complete new set-up, once all it shows has been computed.

        Returns:
            True when it is shown and on the undo stack; False when it was refused
            (``problem`` says why): then nothing changed and nothing was pushed. A vector
            lesson has no set-up to edit: every edit is refused while one is shown.
        """
        if self._vector is not None:
            self.problem.emit(
                "This lesson has no input or filters to edit; open a convolution lesson first."
            )
            return False
        try:
            built = _build(new, self._lesson, self._learning_rate, self._context, self._position)
        except ValueError as exc:
            self.problem.emit(_sentence(str(exc)))
            return False
        key = self._stroke if merge_stroke else None
        self.undo_stack.push(SpecCommand(self, self._spec, new, text, key, built))
        return True

    def begin_stroke(self) -> None:
        """Paint edits until the next stroke merge into one undo step."""
        self._stroke += 1

    def set_learning_rate(self, value: float) -> bool:
        """Change η of the backprop exercise (not an undoable edit of the set-up).

        Returns:
            True when η is in use; False when it was refused (``problem`` says why).
        """
        if value == self._learning_rate:
            return True
        if self._vector is not None:
            return self._set_vector_rate(value)
        try:
            built = _build(self._spec, self._lesson, value, self._context, self._position)
        except ValueError as exc:
            self.problem.emit(_sentence(str(exc)))
            return False
        self._learning_rate = value
        self._take(built)
        self._publish()
        return True

    def _set_vector_rate(self, value: float) -> bool:
        """A vector lesson's update with another η, at the same step."""
        lesson = self._lesson
        if lesson is None or lesson.vector is None:
            return False
        try:
            animation = vector_animation(lesson.vector, value)
            frame = animation[min(self._position, len(animation) - 1)]
        except ValueError as exc:
            self.problem.emit(_sentence(str(exc)))
            return False
        self._learning_rate = value
        self._show_vector(animation, frame)
        self.specChanged.emit()
        return True

    def _apply(self, spec: PlaygroundSpec, built: _Built | None = None) -> None:
        """Show ``spec`` (undo, redo): ``built`` when the push computed it, else computed now.

        A set-up on the undo stack was shown before, so computing it again succeeds; should it
        not, the state keeps what it shows and says why.
        """
        if built is None or built.spec is not spec:
            try:
                built = _build(
                    spec, self._lesson, self._learning_rate, self._context, self._position
                )
            except ValueError as exc:
                self.problem.emit(_sentence(str(exc)))
                return
        moved = built.position != self._position
        self._take(built)
        self._publish(moved=moved)

    def _take(self, built: _Built) -> None:
        """Swap in a completely built set-up (nothing here can fail); it is what is shown."""
        self._vector = None
        self._vector_frame = None
        self._spec = built.spec
        self._result = built.result
        self._backprop = built.backprop
        self._timeline = built.timeline
        self._animation = built.animation
        self._position = built.position
        self._frame = built.frame

    def _publish(self, *, lesson: bool = False, moved: bool = False) -> None:
        """After a new set-up: emit its frame once.

        Then tell the listeners that are not panels (menus, playback) what else changed.
        """
        self.frameChanged.emit(self._frame)
        if lesson:
            self.lessonChanged.emit()
        self.specChanged.emit()
        if moved:
            self.positionChanged.emit(self._position)

    # ----- the animation position ------------------------------------------------------------
    def set_position(self, position: int) -> None:
        """Move to a position (clamped to the timeline); emits the new frame once."""
        position = max(0, min(int(position), len(self.timeline) - 1))
        if self._vector is not None:
            if position != self._position:
                self._show_vector(self._vector, self._vector[position])
                self.positionChanged.emit(position)
            return
        if position != self._position:
            self._position = position
            self._frame = self._animation[position]
            self.frameChanged.emit(self._frame)
            self.positionChanged.emit(position)

    def step(self, delta: int) -> None:
        """Move ``delta`` steps (negative: back)."""
        self.set_position(self._position + delta)

    def to_start(self) -> None:
        """Move to the first step."""
        self.set_position(0)

    def to_end(self) -> None:
        """Move to the last step."""
        self.set_position(len(self.timeline) - 1)

    @property
    def at_end(self) -> bool:
        """Whether the animation is at its last step."""
        return self._position >= len(self.timeline) - 1


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
