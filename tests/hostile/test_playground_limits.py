"""The playground's limits, and a new set-up swapped in only when all of it was built (issue 12).

Item 3: every limit of ``engine.operations.limits`` for the playground's set-up refuses the
first value beyond it, with a message, and accepts the value at it; the largest set-up the
limits allow computes finite results. Item 2: a lesson, a file or an edit that fails anywhere
(in the checks, or later while the pipeline, timeline or first frame are built) leaves the
spec, the position, the undo stack and the title as they were, never lands on the undo stack,
and File → Save afterwards writes the lesson on screen.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from engine.animation.frames import Animation, NumberStyle
from engine.animation.playground import PlaygroundSpec, PoolSettings, run_pipeline
from engine.animation.timeline import Timeline
from engine.lessons.file_format import read_lesson
from engine.lessons.registry import lesson
from gui.app import LaunchOptions, build_window
from gui.playground import state as state_module
from gui.playground.state import PlaygroundState

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from engine.animation.frames import Frame


def spec_of(x: Any, k: Any, b: Any = None, **settings: Any) -> PlaygroundSpec:
    """A spec built without its checks, as code (or a damaged lesson object) could build one."""
    x, k = np.asarray(x), np.asarray(k)
    x = x[:, :, None] if x.ndim == 2 else x
    k = k[:, :, None, None] if k.ndim == 2 else k
    biases = np.zeros(k.shape[-1]) if b is None else np.asarray(b, dtype=float)
    return PlaygroundSpec(input=x, filters=k, biases=biases, **settings)


# ----- item 3: the limits, each at and just beyond its bound --------------------------------
OK_INPUT, OK_KERNEL = np.ones((6, 6)), np.ones((3, 3))


def beyond(
    message: str, x: Any = OK_INPUT, k: Any = OK_KERNEL, b: Any = None, **settings: Any
) -> Any:
    """A set-up just beyond a limit, and (a regex of) the message that refuses it."""
    return pytest.param(lambda: spec_of(x, k, b, **settings), message, id=message[:50])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        beyond(r"between 1x1 and 64x64 cells", x=np.ones((65, 64))),
        beyond(r"1 to 4 channels, got 5", x=np.ones((6, 6, 5)), k=np.ones((3, 3, 5, 1))),
        beyond(r"between 1x1 and 9x9, got 10x10", x=np.ones((12, 12)), k=np.ones((10, 10))),
        beyond(r"1 to 16 filters, got 17", k=np.ones((3, 3, 1, 17))),
        beyond(
            r"input cells must be at most 1,000,000 in size, got 1e\+06", x=np.full((6, 6), 1e6 + 1)
        ),
        beyond(r"input cells must be at most .* got 1e\+308", x=np.full((6, 6), 1e308)),
        beyond(r"weights must be at most 1,000,000", k=np.full((3, 3), -2e6)),
        beyond(r"biases must be at most 1,000,000", b=[1e7]),
        beyond(r"weights contain NaN or infinite", k=np.full((3, 3), np.nan)),
        beyond(r"divisor must be a non-zero number between 1e-06 and 1e\+06", divisor=1e-320),
        beyond(r"divisor must be a non-zero number", divisor=0.0),
        beyond(r"divisor .* got -2e\+06", divisor=-2e6),
        beyond(r"divisor must be a finite number, got inf", divisor=float("inf")),
        beyond(r"divisor must be a finite number, got '9'", divisor="9"),
        beyond(r"divisor must be a finite number, got bool", divisor=True),
        beyond(r"relu must be True or False, got 'false'", relu="false"),
        beyond(
            r"pool window \(5x5\) is larger than the feature map \(4x4\)", pool=PoolSettings(5, 5)
        ),
        beyond(r"pool size must be at most 4,096, got 1000000", pool=PoolSettings(10**6, 1)),
        beyond(r"unknown pooling mode 'median'", pool=PoolSettings(2, 2, "median")),
        beyond(r"pool must be pooling settings or None", pool={"size": 2}),
        beyond(r"padding must be at most the kernel's size \(3x3 cells", padding=2000),
        beyond(r"padding must be at most the kernel's size", padding=10**9),
        beyond(r"stride must be at most 4,096", stride=10**20),
        beyond(
            r"kernel \(7x3 cells including dilation\) is larger than the padded", dilation=(3, 1)
        ),
        beyond(r"stride must be an int or a \(rows, cols\) pair of ints, got 1.5", stride=1.5),
        beyond(r"input must be an array of real numbers", x=[["a"]]),
        beyond(r"2 channel names given for 1 channel", channel_names=("R", "G")),
    ],
)
def test_each_limit_refuses_the_first_value_beyond_it(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make().checked()


@pytest.mark.parametrize(
    "make",
    [
        lambda: spec_of(np.ones((64, 64)), OK_KERNEL),
        lambda: spec_of(np.ones((9, 9, 4)), np.ones((3, 3, 4, 1))),
        lambda: spec_of(np.ones((9, 9)), np.ones((9, 9))),
        lambda: spec_of(OK_INPUT, np.ones((3, 3, 1, 16))),
        lambda: spec_of(np.full((6, 6), -1e6), np.full((3, 3), 1e6), [1e6]),
        lambda: spec_of(OK_INPUT, OK_KERNEL, divisor=1e-6),
        lambda: spec_of(OK_INPUT, OK_KERNEL, divisor=-1e6),
        lambda: spec_of(OK_INPUT, OK_KERNEL, pool=PoolSettings(4, 4)),
        lambda: spec_of(OK_INPUT, OK_KERNEL, padding=3),
        lambda: spec_of(OK_INPUT, OK_KERNEL, stride=np.int64(2)),
    ],
)
def test_each_limit_accepts_the_value_at_it(make: Any) -> None:
    spec = make()
    assert spec.checked() is spec
    assert np.isfinite(run_pipeline(spec).feature_maps).all()


def test_the_largest_set_up_the_limits_allow_computes_finite_results() -> None:
    """64x64x4 cells of 1e6, sixteen 9x9x4 filters of 1e6, biases 1e6, divisor 1e-6."""
    spec = PlaygroundSpec.create(
        np.full((64, 64, 4), 1e6), np.full((9, 9, 4, 16), 1e6), np.full(16, 1e6),
        divisor=1e-6, relu=True, pool=PoolSettings(56, 1, "avg"),
    )  # fmt: skip
    result = run_pipeline(spec)
    assert result.feature_maps.shape == (56, 56, 16)
    largest = (9 * 9 * 4 * 1e12 + 1e6) / 1e-6  # 3.24e20, the bound in engine.operations.limits
    np.testing.assert_allclose(result.feature_maps, largest, rtol=1e-12)
    assert result.pooled is not None
    np.testing.assert_allclose(result.pooled, largest, rtol=1e-12)
    animation = Animation(result, Timeline(result), NumberStyle())
    for position in (0, len(animation) // 2, len(animation) - 1):
        assert animation[position].position == position


def refused(message: str, edit: Any) -> Any:
    """An impossible edit of a 6x6 set-up with one 3x3 filter, and its message (a regex)."""
    return pytest.param(edit, message, id=message[:50])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        refused(
            r"the cell's value must be a finite number, got '1'",
            lambda s: s.with_input_cell(0, 0, 0, "1"),
        ),
        refused(r"an int beyond", lambda s: s.with_input_cell(0, 0, 0, 10**400)),
        refused(r"row must be at least 0, got -1", lambda s: s.with_input_cell(-1, 0, 0, 1.0)),
        refused(r"row must be at most 5, got 6", lambda s: s.with_input_cell(6, 0, 0, 1.0)),
        refused(
            r"input cells must be at most 1,000,000 in size, got 2e\+06",
            lambda s: s.with_input_cell(0, 0, 0, 2e6),
        ),
        refused(r"column must be at most 2, got 3", lambda s: s.with_kernel_cell(0, 0, 0, 3, 1.0)),
        refused(r"filter must be at most 0, got 1", lambda s: s.with_kernel_cell(1, 0, 0, 0, 1.0)),
        refused(
            r"the bias must be a finite number, got nan", lambda s: s.with_bias(0, float("nan"))
        ),
        refused(r"filter must be an int, got 0.0 \(float\)", lambda s: s.with_bias(0.0, 1.0)),
        refused(
            r"square \(k, k\) grid, got shape \(3, 5\)", lambda s: s.with_kernel(0, np.ones((3, 5)))
        ),
        refused(
            r"like the filters, got shape \(3, 3, 2\)",
            lambda s: s.with_kernel(0, np.ones((3, 3, 2))),
        ),
        refused(r"the input's rows must be at most 64, got 65", lambda s: s.with_input_size(65, 6)),
        refused(r"the input's rows must be an int", lambda s: s.with_input_size(6.0, 6)),
        refused(r"the kernel size must be at most 9, got 10", lambda s: s.with_kernel_size(10)),
        refused(r"1 \(grayscale\) or 3 \(RGB\) channels, not 2", lambda s: s.with_channels(2)),
        refused(r"seed must be at least 0", lambda s: s.with_random_input(-1)),
        refused(
            r"got a picture of 100000x100000",
            lambda s: s.with_picture(np.broadcast_to(1.0, (10**5, 10**5))),
        ),
        refused(r"at least one filter", lambda s: s.with_filter_removed(0)),
        refused(r"the playground has no setting 'sizes'", lambda s: s.with_changes(sizes=3)),
        refused(
            r"divisor must be a non-zero number between", lambda s: s.with_changes(divisor=1e-320)
        ),
    ],
)
def test_impossible_edits_are_refused_with_a_sentence(edit: Any, message: str) -> None:
    spec = spec_of(OK_INPUT, OK_KERNEL).checked()
    with pytest.raises(ValueError, match=message):
        edit(spec)


# ----- item 2: through PlaygroundState (no widgets) -------------------------------------------
class Seen:
    """Everything the state emitted."""

    def __init__(self, state: PlaygroundState) -> None:
        self.frames: list[Frame] = []
        self.problems: list[str] = []
        self.other: list[str] = []
        state.frameChanged.connect(self.frames.append)
        state.problem.connect(self.problems.append)
        state.specChanged.connect(lambda: self.other.append("spec"))
        state.lessonChanged.connect(lambda: self.other.append("lesson"))
        state.positionChanged.connect(lambda p: self.other.append(f"position {p}"))


@pytest.fixture
def state(qapp: Any) -> Iterator[PlaygroundState]:
    playground = PlaygroundState()
    playground.load_lesson(lesson("x-or-o"))
    playground.edit("bias", lambda s: s.with_bias(0, 0.5))
    playground.set_position(7)
    yield playground
    playground.deleteLater()


def snapshot(state: PlaygroundState) -> tuple[Any, ...]:
    """What must not change when a new set-up is refused."""
    stack = state.undo_stack
    return (
        state.spec, state.position, state.frame, state.result, state.timeline, state.context,
        state.lesson, stack.count(), stack.index(), stack.isClean(), state.learning_rate,
    )  # fmt: skip


BAD_SPECS = {
    "values of 1e308": spec_of(np.full((6, 6), 1e308), OK_KERNEL),
    "a divisor of 1e-320": spec_of(OK_INPUT, OK_KERNEL, divisor=1e-320),
    "a pool size of 10**6": spec_of(OK_INPUT, OK_KERNEL, pool=PoolSettings(10**6, 1)),
    "a padding of 10**9": spec_of(OK_INPUT, OK_KERNEL, padding=10**9),
}
BAD_MESSAGES = {
    "values of 1e308": "input cells must be at most 1,000,000",
    "a divisor of 1e-320": "divisor must be a non-zero number between 1e-06 and 1e+06",
    "a pool size of 10**6": "pool size must be at most 4,096",
    "a padding of 10**9": "padding must be at most the kernel's size",
}


@pytest.mark.parametrize("name", list(BAD_SPECS))
def test_a_refused_lesson_changes_nothing(state: PlaygroundState, name: str) -> None:
    before, seen = snapshot(state), Seen(state)
    bad = replace(lesson("six-by-six"), spec=BAD_SPECS[name])
    assert state.load_lesson(bad) is False
    assert snapshot(state) == before
    assert seen.frames == [] and seen.other == []
    assert len(seen.problems) == 1
    assert seen.problems[0].startswith("The lesson cannot be shown: ")
    assert BAD_MESSAGES[name] in seen.problems[0].lower()
    assert state.load_spec(BAD_SPECS[name], "bad", "") is False
    assert snapshot(state) == before


@pytest.mark.parametrize("name", list(BAD_SPECS))
def test_a_refused_edit_never_lands_on_the_undo_stack(state: PlaygroundState, name: str) -> None:
    before, seen = snapshot(state), Seen(state)
    assert state.push(BAD_SPECS[name], "bad") is False
    assert state.edit("bad", lambda _: BAD_SPECS[name]) is False
    assert snapshot(state) == before and seen.frames == [] and seen.other == []
    assert len(seen.problems) == 2 and all(BAD_MESSAGES[name] in p.lower() for p in seen.problems)
    state.undo_stack.undo()  # the bias edit before the refusals is still the one to undo
    assert state.spec.biases[0] == lesson("x-or-o").spec.biases[0]


def test_an_edit_beyond_the_value_limit_is_refused_not_overflowed(state: PlaygroundState) -> None:
    before, seen = snapshot(state), Seen(state)
    assert state.try_change("divide", divisor=1e-320) is False
    assert state.edit("cell", lambda s: s.with_input_cell(0, 0, 0, 1e308)) is False
    assert snapshot(state) == before
    assert "divisor must be a non-zero number" in seen.problems[0]
    assert "input cells must be at most 1,000,000 in size, got 1e+308" in seen.problems[1]
    # at the limits nothing overflows: 1e6 × 1e6 × 81 cells ÷ 1e-6 is an ordinary edit
    big = spec_of(np.full((9, 9), 1e6), np.full((9, 9), 1e6), [1e6], divisor=1e-6)
    assert state.push(big, "biggest") is True
    assert np.isfinite(state.result.feature_maps).all()
    assert state.result.feature_maps.max() == pytest.approx((81 * 1e12 + 1e6) / 1e-6)


@pytest.mark.parametrize("stage", ["run_pipeline", "exercise_result", "Timeline", "Animation"])
def test_a_failure_late_in_the_build_changes_nothing(
    state: PlaygroundState, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """The set-up passes its checks but a later stage fails: still nothing is replaced."""
    before, seen = snapshot(state), Seen(state)

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError(f"{stage} failed on purpose")

    monkeypatch.setattr(state_module, stage, fail)
    assert state.load_lesson(lesson("six-by-six")) is False
    assert state.edit("bias", lambda s: s.with_bias(0, 2.0)) is False
    assert state.set_learning_rate(0.5) is False
    assert snapshot(state) == before and seen.frames == [] and seen.other == []
    assert seen.problems == [
        f"The lesson cannot be shown: {stage} failed on purpose.",
        f"{stage[0].upper()}{stage[1:]} failed on purpose.",
        f"{stage[0].upper()}{stage[1:]} failed on purpose.",
    ]


def test_a_refused_first_frame_changes_nothing(
    state: PlaygroundState, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(state)

    def no_frame(self: object, index: int) -> None:
        raise ValueError("no frame")

    monkeypatch.setattr(Animation, "__getitem__", no_frame)
    assert state.load_lesson(lesson("six-by-six")) is False
    assert state.edit("bias", lambda s: s.with_bias(0, 2.0)) is False
    monkeypatch.undo()
    assert snapshot(state) == before


def test_a_refused_learning_rate_keeps_the_exercise(qapp: Any) -> None:
    state = PlaygroundState()
    assert state.load_lesson(lesson("backprop"))
    before = snapshot(state)
    problems: list[str] = []
    state.problem.connect(problems.append)
    for rate in (float("nan"), -1.0, 10**400):
        assert state.set_learning_rate(rate) is False
    assert snapshot(state) == before
    assert "learning rate must be a finite number, got nan" in problems[0]
    assert "learning rate must not be negative" in problems[1]
    assert "an int beyond" in problems[2]
    state.deleteLater()


# ----- item 2: through the window's File → Open Lesson --------------------------------------
@pytest.fixture
def window(qtbot: Any) -> Iterator[Any]:
    win = build_window(LaunchOptions())
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.state.undo_stack.setClean()
    win.close()
    win.deleteLater()


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """QMessageBox.warning (and the unsaved-changes question) answered without a dialog."""
    shown: list[str] = []

    def record(parent: object, title: str, text: str, *args: object) -> Any:
        shown.append(f"{title}\n{text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    return shown


def lesson_file(path: Path, **changes: Any) -> Path:
    """A version-2 lesson file: a 4x4 input and a 3x3 filter, with ``changes`` applied."""
    data: dict[str, Any] = {
        "format": "cnn-visualizer-lesson",
        "version": 2,
        "title": "Hostile",
        "input": {"channels": [[[1, 2, 3, 4]] * 4]},
        "filters": [{"channels": [[[1, 0, -1]] * 3], "bias": 0}],
    }
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


FILE_CHANGES: dict[str, tuple[dict[str, Any], str]] = {
    "values of 1e308": (
        {"input": {"channels": [[[1e308, 2, 3, 4]] * 4]}},
        "input.channels[0][0][0]: expected at most 1,000,000, got 1e+308",
    ),
    "a divisor of 1e-320": (
        {"divisor": 1e-320},
        "the set-up is not usable: the divisor must be a non-zero number between 1e-06",
    ),
    "a pool size of 10**6": (
        {"pool": {"size": 10**6, "stride": 1, "mode": "max"}},
        "pool.size: expected at most 64, got 1000000",
    ),
    "a pool window larger than the map": (
        {"pool": {"size": 3, "stride": 1, "mode": "max"}},
        "the pool window (3x3) is larger than the feature map (2x2)",
    ),
    "a padding of 2000": ({"padding": 2000}, "padding: expected"),
    "5 channels": (
        {
            "input": {"channels": [[[1, 2, 3, 4]] * 4] * 5},
            "filters": [{"channels": [[[1, 0, -1]] * 3] * 5}],
        },
        "the input must have 1 to 4 channels, got 5",
    ),
}


def window_snapshot(window: Any) -> tuple[Any, ...]:
    state = window.playground.state
    return (*snapshot(state), window.windowTitle())


@pytest.mark.parametrize("name", list(FILE_CHANGES))
def test_open_lesson_refuses_the_file_and_save_writes_the_lesson_shown(
    window: Any, warnings_shown: list[str], tmp_path: Path, name: str
) -> None:
    window.load_lesson(lesson("x-or-o"))
    window.playground.state.edit("bias", lambda s: s.with_bias(0, 0.25))  # unsaved
    window.playground.state.set_position(5)
    before = window_snapshot(window)
    changes, message = FILE_CHANGES[name]
    path = lesson_file(tmp_path / "hostile.json", **changes)

    assert window.open_lesson_file(str(path)) is False
    assert window_snapshot(window) == before
    assert len(warnings_shown) == 1 and str(path) in warnings_shown[0]
    assert message in warnings_shown[0]

    saved = tmp_path / "saved.json"
    assert window.save_lesson_file(str(saved))
    shown = window.playground.state.spec
    reread = read_lesson(saved).spec
    np.testing.assert_array_equal(reread.input, shown.input)
    np.testing.assert_array_equal(reread.filters, shown.filters)
    np.testing.assert_array_equal(reread.biases, shown.biases)
    assert shown.biases[0] == 0.25
    assert reread.divisor == shown.divisor and reread.pool == shown.pool


def test_open_lesson_stops_when_the_state_refuses_what_the_reader_accepted(
    window: Any, warnings_shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that reads well but cannot be built (a stage fails): nothing changes, no
    "Opened" message, and Save writes the lesson shown."""
    window.load_lesson(lesson("six-by-six"))
    before = window_snapshot(window)
    statuses: list[str] = []
    window.playground_mode.statusMessage.connect(lambda text, *_: statuses.append(text))

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("the timeline failed on purpose")

    monkeypatch.setattr(state_module, "Timeline", fail)
    assert window.open_lesson_file(str(lesson_file(tmp_path / "fine.json"))) is False
    monkeypatch.undo()
    assert window_snapshot(window) == before
    assert statuses == ["The lesson cannot be shown: the timeline failed on purpose."]
    saved = tmp_path / "saved.json"
    assert window.save_lesson_file(str(saved))
    np.testing.assert_array_equal(read_lesson(saved).spec.input, lesson("six-by-six").spec.input)
