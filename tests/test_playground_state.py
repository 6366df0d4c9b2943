"""PlaygroundState without widgets: drive it directly and check the frames it emits.

In the spirit of ndv's controller tests against a mocked view: a ``MagicMock`` painter is
connected to ``frameChanged`` and the test asserts what it was asked to paint (stage, label,
revealed cells, window cells, marks, arithmetic) and how often: one frame per user action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import MagicMock

import numpy as np
import pytest

from engine.animation.frames import CHOSEN, CURRENT, DE_DW, FILTER, INPUT, READ, STEP_WINDOW
from engine.animation.numbers import GENERAL, NumberRule
from engine.animation.playground import PlaygroundSpec, PoolSettings
from engine.animation.timeline import CONV, FORWARD, GRADIENT, POOL, RELU, UPDATE
from engine.lessons.registry import lesson
from gui.playground.state import PlaygroundState

if TYPE_CHECKING:
    from collections.abc import Iterator

    from engine.animation.frames import Frame


class Painter:
    """What the state talks to: something that paints frames."""

    def show_frame(self, frame: Frame) -> None:
        """Paint one frame."""


class Recorder:
    """A mocked painter plus the state's other signals, recorded."""

    def __init__(self, state: PlaygroundState) -> None:
        self.painter = MagicMock(spec=Painter)
        self.specs: list[None] = []
        self.positions: list[int] = []
        self.lessons: list[None] = []
        self.problems: list[str] = []
        state.frameChanged.connect(self.painter.show_frame)
        state.specChanged.connect(lambda: self.specs.append(None))
        state.positionChanged.connect(self.positions.append)
        state.lessonChanged.connect(lambda: self.lessons.append(None))
        state.problem.connect(self.problems.append)

    @property
    def frames(self) -> list[Frame]:
        return [c.args[0] for c in self.painter.show_frame.call_args_list]

    def clear(self) -> None:
        self.painter.reset_mock()
        for log in (self.specs, self.positions, self.lessons, self.problems):
            log.clear()


@pytest.fixture
def state(qapp) -> Iterator[PlaygroundState]:
    playground = PlaygroundState()
    yield playground
    playground.deleteLater()


@pytest.fixture
def seen(state: PlaygroundState) -> Recorder:
    return Recorder(state)


def square(top: int, left: int, size: int = 3) -> tuple[tuple[int, int], ...]:
    return tuple((top + r, left + c) for r in range(size) for c in range(size))


def test_six_by_six_frames(state: PlaygroundState, seen: Recorder) -> None:
    state.load_lesson(lesson("six-by-six"))
    (first,) = seen.frames
    assert len(seen.lessons) == len(seen.specs) == 1 and seen.positions == []
    assert first is state.frame and first.position == 0 and first.stage == CONV
    assert first.label == "Convolution · Filter 1 (↘ diagonal) · output row 1, column 1"
    assert first.caption == "Step 1 of 40 · " + first.label
    assert first.arithmetic == (
        "1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 = 3"
    )
    assert first.window == square(0, 0) and not any(first.window_padding)
    assert dict(first.revealed) == {(CONV, 0): 1, (CONV, 1): 0, (POOL, 0): 0, (POOL, 1): 0}
    assert first.marks[(INPUT, 0)][0].cells == square(0, 0)
    assert first.marks[(CONV, 0)][0].cells == ((0, 0),)
    assert first.filter == 0 and (FILTER, 1) not in first.marks

    seen.clear()
    state.set_position(1)
    state.set_position(1)  # no move, no frame
    (second,) = seen.frames
    assert seen.positions == [1] and seen.specs == []
    assert second.window == square(0, 1) and second.arithmetic.endswith("= −1")
    assert second.revealed[(CONV, 0)] == 2

    seen.clear()
    state.to_end()
    (last,) = seen.frames
    assert last.at_end and last.stage == POOL
    assert last.label == "Max pooling · Filter 2 (vertical) · row 2, column 2"
    assert last.arithmetic == "max(−2, 1, −4, 3) = 3"
    window, chosen = last.marks[(CONV, 1)]
    assert window.cells == square(2, 2, 2) and window.role == READ
    assert chosen.cells == ((3, 3),) and chosen.role == CHOSEN
    assert last.marks[(POOL, 1)][0].cells == ((1, 1),)
    assert last.marks[(STEP_WINDOW, 0)][0].cells == ((1, 1),)
    assert dict(last.revealed) == {(CONV, 0): 16, (CONV, 1): 16, (POOL, 0): 4, (POOL, 1): 4}


def test_x_or_o_divides_by_nine_cuts_decimals_and_pools(
    state: PlaygroundState, seen: Recorder
) -> None:
    state.load_lesson(lesson("x-or-o"))
    first = state.frame
    assert state.animation.map_numbers == NumberRule(2, truncate=True)
    assert first.arithmetic.endswith(" = 7\n7 / 9 = 0.77…")  # 7/9 = 0.777… cut to 0.77, marked
    seen.clear()
    state.set_position(state.timeline.start_of(RELU))
    (relu,) = seen.frames
    assert relu.stage == RELU and relu.label == "ReLU · ↘ diagonal · negative values become 0"
    assert relu.arithmetic.splitlines()[1].startswith("20 negative values become 0")
    assert relu.revealed[(RELU, 0)] == 49 and relu.revealed[(RELU, 1)] == 0
    assert relu.marks[(RELU, 0)][0].role == CURRENT and len(relu.marks[(RELU, 0)][0].cells) == 49
    assert relu.window == () and relu.conv is None and relu.pool is None
    state.set_position(state.timeline.start_of(POOL))
    pool = state.frame
    assert pool.arithmetic == "max(0.77…, 0, 0, 1.00) = 1.00"  # the slide's 1.00
    assert pool.window_source == RELU and pool.marks[(RELU, 0)][1].cells == ((1, 1),)
    state.to_end()
    assert state.frame.label == "Max pooling · ↙ diagonal · row 4, column 4"
    assert state.frame.window == square(6, 6, 2)
    assert state.frame.window_padding == (False, True, True, True)
    assert state.frame.arithmetic.endswith("only the cells inside count.)")


def test_cs231n_volume_padding_and_channels(state: PlaygroundState, seen: Recorder) -> None:
    state.load_lesson(lesson("cs231n-volume"))
    frame = state.frame
    assert frame.window == square(-1, -1)
    assert frame.window_padding == (True, True, True, True, False, False, True, False, False)
    for channel in range(3):  # the input grid shows the padded input: cells shifted by 1
        assert frame.marks[(INPUT, channel)][0].cells == square(0, 0)
    assert frame.channels == (0, 1, 2)
    assert frame.arithmetic.splitlines() == [
        "x[:,:,0]: 0×1 + 0×0 + 0×1 + 0×0 + 0×1 + 2×0 + 0×0 + 0×(−1) + 2×0 = 0",
        "x[:,:,1]: 0×0 + 0×1 + 0×0 + 0×0 + 1×(−1) + 1×0 + 0×(−1) + 1×1 + 0×1 = 0",
        "x[:,:,2]: 0×1 + 0×1 + 0×1 + 0×1 + 0×1 + 0×(−1) + 0×1 + 2×(−1) + 2×0 = −2",
        "0 + 0 + (−2) + 1 = −1",
    ]
    state.to_end()
    last = state.frame
    assert last.label == "Convolution · Filter W1 (b1 = 0) · output row 3, column 3"
    assert last.window == square(3, 3) and last.window_padding[-1]  # stride 2 reaches row 5
    assert last.marks[(INPUT, 0)][0].cells == square(4, 4)


def test_backprop_frames_and_learning_rate(state: PlaygroundState, seen: Recorder) -> None:
    state.load_lesson(lesson("backprop"))
    stages = []
    for position in range(len(state.timeline)):
        state.set_position(position)
        stages.append(state.frame.stage)
    assert stages == [FORWARD] * 4 + [GRADIENT] * 4 + [UPDATE]
    state.set_position(1)
    assert state.frame.arithmetic == "h12 = 2×0.5 + 0×(−1) + 1×1 + 1×0.5 = 2.5"
    state.set_position(4)
    gradient = state.frame
    assert gradient.weight == (0, 0) and gradient.window == square(0, 0, 2)
    assert gradient.arithmetic.endswith("= (−2)×1 + 2.5×2 + 0×0 + (−1)×1 = 2")
    assert gradient.revealed[(DE_DW, 0)] == 1 == gradient.progress
    state.to_end()
    assert state.frame.arithmetic.splitlines()[0] == "w11: 0.5 − 0.1×2 = 0.3"  # slide 004
    seen.clear()
    state.set_learning_rate(0.2)
    (frame,) = seen.frames
    assert frame.position == 8 and frame.arithmetic.splitlines()[0] == "w11: 0.5 − 0.2×2 = 0.1"
    assert len(seen.specs) == 1 and seen.positions == []


def test_one_frame_per_edit_undo_and_redo(state: PlaygroundState, seen: Recorder) -> None:
    state.load_lesson(lesson("six-by-six"))
    state.set_position(5)
    seen.clear()
    assert state.edit("bias", lambda s: s.with_bias(0, 1.0))
    (edited,) = seen.frames
    assert len(seen.specs) == 1 and seen.positions == []  # the position did not move
    assert edited.position == 5 and edited.animation is state.animation
    assert edited.arithmetic.endswith(" + 1 = 2")  # step 6 of filter 1 was 1, now 1 + 1
    for action in (state.undo_stack.undo, state.undo_stack.redo):
        seen.clear()
        action()
        assert len(seen.frames) == 1 and len(seen.specs) == 1 and seen.positions == []
    assert state.frame.arithmetic.endswith(" + 1 = 2")


def test_an_edit_that_shortens_the_timeline_moves_to_its_end(
    state: PlaygroundState, seen: Recorder
) -> None:
    state.load_lesson(lesson("six-by-six"))
    state.to_end()
    seen.clear()
    assert state.edit("stride", lambda s: s.with_changes(stride=(2, 2), pool=None))
    (frame,) = seen.frames
    assert seen.positions == [7] and frame.position == 7 and frame.at_end  # 2 x 2x2 outputs
    assert frame.label == "Convolution · Filter 2 (vertical) · output row 2, column 2"


def test_a_refused_edit_emits_no_frame(state: PlaygroundState, seen: Recorder) -> None:
    state.load_lesson(lesson("six-by-six"))
    seen.clear()
    assert not state.try_change("kernel", pool=PoolSettings(9, 9))
    assert seen.frames == [] and seen.specs == [] and len(seen.problems) == 1
    assert "larger than" in seen.problems[0]


def test_a_paint_stroke_is_one_undo_step_and_one_frame_per_cell(
    state: PlaygroundState, seen: Recorder
) -> None:
    state.load_lesson(lesson("six-by-six"))
    before = state.spec.input.copy()
    seen.clear()
    state.begin_stroke()
    for col in (1, 2, 3):
        assert state.edit(
            "paint", lambda s, c=col: s.with_input_cell(0, c, 0, 1.0), merge_stroke=True
        )
    assert len(seen.frames) == 3 and state.undo_stack.count() == 1
    state.undo_stack.undo()
    np.testing.assert_array_equal(state.spec.input, before)


def test_a_set_up_without_a_lesson_writes_numbers_from_their_values(
    state: PlaygroundState,
) -> None:
    spec = PlaygroundSpec.create(np.full((4, 4), 0.5), np.full((2, 2), 0.0625))
    state.load_spec(spec, "Halves", "")
    assert state.animation.map_numbers == GENERAL == state.animation.input_numbers
    assert state.frame.arithmetic == "0.5×0.0625 + 0.5×0.0625 + 0.5×0.0625 + 0.5×0.0625 = 0.125"
    whole = PlaygroundSpec.create(np.ones((4, 4)), np.ones((2, 2)))
    state.load_spec(whole, "Ones", "")
    assert state.frame.arithmetic == "1×1 + 1×1 + 1×1 + 1×1 = 4"
