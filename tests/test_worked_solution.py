"""Worked solutions (issue 11): every step of a lesson written out as Markdown, as on screen.

The engine's text for every built-in lesson (one line per timeline position, each value the
engine's), the window's export (File → Export Worked Solution…) against the command line's,
a lesson file with non-integer values, ``--lesson FILE`` in the window, and
``--export-solution`` from the command line with no display at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.animation.numbers import write
from engine.animation.playground import PlaygroundSpec, PoolSettings
from engine.animation.solution import STEPS_HEADING, step_line
from engine.animation.timeline import CONV, FORWARD, GRADIENT, POOL, RELU, UPDATE
from engine.lessons.errors import LessonFileError
from engine.lessons.file_format import save_lesson
from engine.lessons.registry import all_lessons, lesson
from engine.lessons.worked import find_lesson, lesson_animation, lesson_solution, save_solution
from gui.app import LaunchOptions, build_window
from tests.written_sums import check_line, number

ROOT = Path(__file__).resolve().parent.parent
STEP = re.compile(r"^- (?P<where>.+?) \((?P<cell>row \d+, column \d+|every cell|every weight)\): ")
LAST_VALUE = re.compile(r"(?:=|≈) (?P<value>\S+)$")


def steps_of(text: str) -> tuple[list[str], list[str]]:
    """(the set-up's lines, the step lines) of a worked solution."""
    lines = text.splitlines()
    start = lines.index(STEPS_HEADING)
    assert lines[start + 1] == ""
    return lines[:start], lines[start + 2 :]


def last_value(line: str) -> tuple[str, bool]:
    """The value a step line ends with, and whether it is written as rounded (≈)."""
    match = LAST_VALUE.search(
        line.removesuffix(" (the window reaches past the edge: only the cells inside count)")
    )
    assert match is not None, line
    return match["value"], "≈ " + match["value"] in line[match.start() :]


def engine_value(animation, position: int) -> float:
    """What the engine computed at a position (the value the step line must end with)."""
    frame = animation[position]
    result = animation.result
    if frame.stage == CONV:
        step = frame.conv
        return float(result.feature_maps[step.row, step.col, step.filter])
    if frame.stage == POOL:
        step = frame.pool
        return float(result.pooled[step.row, step.col, step.channel])
    backprop = animation.backprop
    if frame.stage == FORWARD:
        return float(backprop.h[frame.conv.row, frame.conv.col])
    assert frame.stage == GRADIENT
    return float(backprop.dE_dw[frame.weight])


def check_update(animation, line: str) -> None:
    """The update's line: every new weight, then the error before and after, the engine's."""
    backprop = animation.backprop
    parts = line.split(": ", 1)[1].split("; ")
    for (i, j), part in zip(backprop.terms, parts, strict=False):
        assert part.startswith(f"w{i + 1}{j + 1}: ")
        assert check_line(part.split(": ", 1)[1]).adds_up, part
        shown, rounded = last_value(part)
        assert number(shown, rounded=rounded).holds(float(backprop.w_next[i, j])), part
    error = re.search(r"(≈ )?(\S+) → (≈ )?(\S+) after the update$", parts[-1])
    assert error is not None, parts[-1]
    assert number(error[2], rounded=bool(error[1])).holds(backprop.loss)
    assert number(error[4], rounded=bool(error[3])).holds(backprop.loss_next)


@pytest.mark.parametrize(
    "item", [i for i in all_lessons() if i.spec is not None], ids=lambda item: item.id
)
def test_every_lesson_is_written_out_step_by_step_with_the_engines_values(item) -> None:
    # vector lessons: tests/test_vector_lessons.py
    text = lesson_solution(item)
    animation = lesson_animation(item)
    setup, steps = steps_of(text)
    assert len(text.splitlines()) == len(setup) + 2 + len(animation)
    assert len(steps) == len(animation)
    assert setup[0] == f"# Worked solution: {item.title}"
    assert "## Set-up" in setup and any(line.startswith("- Output size: ") for line in setup)
    assert any(line.startswith("- Learned parameters (w·h·C + 1)·D: ") for line in setup)
    cut = animation.map_numbers.truncate
    for position, line in enumerate(steps):
        frame = animation[position]
        assert line == step_line(frame)
        assert STEP.match(line), line
        if frame.stage == RELU:
            negatives = int((animation.result.feature_maps[:, :, frame.index] < 0).sum())
            assert f" {negatives} negative value" in line
            continue
        if frame.stage == UPDATE:
            check_update(animation, line)
            continue
        shown, rounded = last_value(line)
        assert number(shown, rounded=rounded, cut=cut).holds(engine_value(animation, position)), (
            line
        )
        if frame.stage in (CONV, POOL, FORWARD):
            parts = line.split(": ", 1)[1].split("; ")
            for part in parts:
                part = part.removesuffix(
                    " (the window reaches past the edge: only the cells inside count)"
                )
                part = part.split(" = ", 1)[1] if part.startswith("h") else part
                assert check_line(part, cut=cut).adds_up, part


def test_the_solution_starts_with_the_set_up_and_reads_like_the_screen() -> None:
    text = lesson_solution(lesson("six-by-six"))
    assert "**Input** 6×6:" in text and "**Filter 1 (↘ diagonal)**, bias 0:" in text
    assert "- Output size: (6 + 2·0 − 3) / 1 + 1 = 4 → 4 × 4 × 2" in text
    assert "- Learned parameters (w·h·C + 1)·D: (3·3·1 + 1)·2 = 20" in text
    _, steps = steps_of(text)
    assert steps[0] == (
        "- Filter 1 (↘ diagonal) · Convolution (row 1, column 1): "
        "1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 + 0×(−1) + 0×(−1) + 0×(−1) + 1×1 = 3"
    )
    assert steps[-1] == (
        "- Filter 2 (vertical) · Max pool 2×2, stride 2 (row 2, column 2): max(−2, 1, −4, 3) = 3"
    )
    x_or_o = lesson_solution(lesson("x-or-o"))
    assert "(row 1, column 1): " in x_or_o and "= 7; 7 / 9 = 0.77…" in x_or_o
    assert (
        "- ↘ diagonal · ReLU (every cell): ReLU(x) = max(0, x) on every cell of ↘ diagonal's "
        "map: 20 negative values become 0, the others stay as they are."
    ) in x_or_o.splitlines()
    assert "cut to 2 decimals" in x_or_o


def test_a_lesson_file_with_non_integer_values(tmp_path: Path) -> None:
    spec = PlaygroundSpec.create(
        np.array(
            [[0.5, 0.25, 1.5, 2], [0.1, 0.2, 0.3, 0.4], [1, 0, 0.75, 1 / 3], [2, 1, 0, 0.125]]
        ),
        np.array([[0.0625, 0.125], [0.125, 0.25]]),
        [0.1],
        divisor=3,
        relu=True,
        pool=PoolSettings(2, 1, "avg"),
    )
    path = tmp_path / "halves.json"
    save_lesson(path, spec, title="Quarters and thirds", explanation="Not whole numbers.")
    item = find_lesson(str(path))
    assert (item.id, item.title) == ("file", "Quarters and thirds")
    text = lesson_solution(item)
    setup, steps = steps_of(text)
    animation = lesson_animation(item)
    assert len(steps) == len(animation)
    assert "| **1** | 0.0625 | 0.125 |" in setup
    assert "| **3** | 1 | 0 | 0.75 | 0.333… |" in setup  # a third, marked as rounded
    assert "- Every result divided by 3" in setup
    first = steps[0]
    assert first.startswith("- Filter 1 · Convolution ÷ 3 (row 1, column 1): 0.5×0.0625 + ")
    assert first.endswith(
        ": 0.5×0.0625 + 0.25×0.125 + 0.1×0.125 + 0.2×0.25 + 0.1 = 0.225; 0.225 / 3 = 0.075"
    )
    for position, line in enumerate(steps):
        frame = animation[position]
        if frame.stage == RELU:
            continue
        for part in line.split(": ", 1)[1].split("; "):
            assert check_line(part).adds_up, part
        shown, rounded = last_value(line)
        assert number(shown, rounded=rounded).holds(engine_value(animation, position)), line


def test_an_unknown_lesson_or_a_bad_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown lesson 'nope'.*six-by-six"):
        find_lesson("nope")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cnn-visualizer-lesson", "version": 2}', encoding="utf-8")
    with pytest.raises(LessonFileError, match=r"bad\.json"):
        find_lesson(str(bad))


def test_saving_is_atomic_and_an_unwritable_path_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "key.md"
    save_solution(target, "first\n")
    save_solution(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        save_solution(folder, "text\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a folder", "key.md"]


def test_the_window_exports_what_it_shows(qtbot, tmp_path: Path) -> None:
    window = build_window(LaunchOptions())
    qtbot.addWidget(window)
    mode = window.playground_mode
    assert mode.export_solution_action.shortcut().toString() == "Ctrl+Shift+S"
    assert mode.export_solution_action in mode.contributions().file_export
    for item in all_lessons():
        window.load_lesson(item)
        path = tmp_path / f"{item.id}.md"
        assert mode.export_worked_solution(str(path))
        assert path.read_text(encoding="utf-8") == lesson_solution(item), item.id
    state = window.playground.state
    assert state.edit("weight", lambda s: s.with_kernel_cell(0, 0, 0, 0, 2.5))
    assert mode.export_worked_solution(str(tmp_path / "edited.md"))
    edited = (tmp_path / "edited.md").read_text(encoding="utf-8")
    assert "(edited)" in edited.splitlines()[0]
    assert step_line(state.animation[0]) in edited.splitlines()
    state.undo_stack.setClean()


def test_lesson_accepts_a_lesson_file_when_the_window_opens(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    spec = lesson("six-by-six").spec.with_bias(0, 0.5)
    save_lesson(path, spec, title="", explanation="")
    window = build_window(LaunchOptions(lesson=str(path)))
    qtbot.addWidget(window)
    state = window.playground.state
    assert state.context.id == "file" and state.context.title == "mine"
    assert state.spec.biases[0] == 0.5
    with pytest.raises(ValueError, match="unknown lesson"):
        build_window(LaunchOptions(lesson=str(tmp_path / "missing.json")))


def run_headless(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """main.py with no display at all: no QT_QPA_PLATFORM, no DISPLAY, no WAYLAND_DISPLAY."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env["CNN_VISUALIZER_SETTINGS_DIR"] = str(cwd)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import main; "
        "status = main.main(sys.argv[2:]); "
        "assert 'PySide6' not in sys.modules, 'Qt was imported'; sys.exit(status)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(ROOT), *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def test_export_solution_from_the_command_line_needs_no_display(tmp_path: Path) -> None:
    out = tmp_path / "x-or-o.md"
    done = run_headless("--lesson", "x-or-o", "--export-solution", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == lesson_solution(lesson("x-or-o"))
    path = tmp_path / "thirds.json"
    save_lesson(path, PlaygroundSpec.create(np.full((3, 3), 1 / 3), np.ones((2, 2))), title="T")
    done = run_headless("--lesson", str(path), "--export-solution", "thirds.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "≈ 1.33" in (tmp_path / "thirds.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lesson", "nope"), "unknown lesson 'nope'"),
        (("--lesson", "bad.json"), "bad.json: "),
        ((), "--export-solution needs --lesson"),
        (("--lesson", "six-by-six", "--export-solution", "no/such/folder/x.md"), "cannot write"),
        (("--lesson", "six-by-six", "--export-solution", "."), "cannot write"),
    ],
)
def test_export_solution_problems_exit_2_with_a_message(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    if "--export-solution" not in args:
        args = (*args, "--export-solution", "out.md")
    done = run_headless(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.startswith("cnn-visualizer: ")
    assert not (tmp_path / "out.md").exists()


def test_a_bad_lesson_file_for_the_window_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    done = run_headless("--lesson", str(tmp_path / "bad.json"), cwd=tmp_path)
    assert done.returncode == 2 and "bad.json" in done.stderr


def test_written_values_are_the_engines(tmp_path: Path) -> None:
    item = lesson("blur-digit")
    animation = lesson_animation(item)
    _, steps = steps_of(lesson_solution(item))
    maps = animation.result.feature_maps
    frame = animation[40]
    value = maps[frame.conv.row, frame.conv.col, 0]
    assert steps[40].endswith(write(value, animation.map_numbers).equals)
