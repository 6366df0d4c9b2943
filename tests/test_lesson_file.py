"""Lesson files: round trip, atomic save, and clear refusals of bad files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

from engine.lessons.file_format import (
    FORMAT_VERSION,
    LessonFileError,
    load_lesson,
    save_lesson,
    spec_to_dict,
)
from engine.lessons.registry import all_lessons, lesson

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("item", all_lessons(), ids=lambda item: item.id)
def test_every_lesson_round_trips(item, tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    save_lesson(path, item.spec, title=item.title, explanation=item.explanation)
    spec, title, explanation = load_lesson(path)
    assert (title, explanation) == (item.title, item.explanation)
    np.testing.assert_array_equal(spec.input, item.spec.input)
    np.testing.assert_array_equal(spec.filters, item.spec.filters)
    np.testing.assert_array_equal(spec.biases, item.spec.biases)
    for field in ("stride", "dilation", "divisor", "relu", "pool", "channel_names", "filter_names"):
        assert getattr(spec, field) == getattr(item.spec, field)
    assert spec_to_dict(spec) == spec_to_dict(item.spec)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "mine.json"
    save_lesson(path, lesson("six-by-six").spec, title="first")
    before = path.read_text()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("engine.lessons.file_format.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        save_lesson(path, lesson("x-or-o").spec, title="second")
    assert path.read_text() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["mine.json"]


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    return path


def valid(tmp_path: Path) -> dict:
    path = tmp_path / "good.json"
    save_lesson(path, lesson("six-by-six").spec)
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=FORMAT_VERSION + 1), "version 2.*reads version 1.*newer"),
        (lambda d: d.pop("version"), "version None"),
        (lambda d: d.update(format="something-else"), "not a CNN Visualizer lesson"),
        (lambda d: d.pop("input"), "input grid.*missing"),
        (lambda d: d.update(input="abc"), "input grid.*wrong type"),
        (lambda d: d.update(filters=[]), "no filters"),
        (lambda d: d["filters"][0].update(weights=[[1, 2]]), r"\(kh, kw, C\) grid"),
        (lambda d: d["filters"][0].update(bias="x"), "bias.*wrong type"),
        (lambda d: d.update(stride=[0, 1]), "stride must be at least 1"),
        (lambda d: d.update(padding="mirror"), "unknown padding"),
        (lambda d: d.update(input=[[[1.0]]]), "larger than the padded input"),
        (lambda d: d.update(pool={"size": 2, "stride": 2, "mode": "min"}), "unknown pooling mode"),
        (lambda d: d.update(divisor=0), "divisor must be a non-zero"),
    ],
)
def test_malformed_lessons_are_refused_with_a_reason(tmp_path: Path, mutate, message: str) -> None:
    data = valid(tmp_path)
    mutate(data)
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(LessonFileError, match=message) as info:
        load_lesson(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"not valid JSON \(line 1, column 2"),
        ("[1, 2, 3]", "expected a JSON object"),
        ("", "not valid JSON"),
    ],
)
def test_non_lesson_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(LessonFileError, match=message):
        load_lesson(write(tmp_path, content))


def test_binary_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(LessonFileError, match="cannot be read as text"):
        load_lesson(binary)
    with pytest.raises(LessonFileError, match="no such file"):
        load_lesson(tmp_path / "nothing.json")
    assert issubclass(LessonFileError, ValueError)
