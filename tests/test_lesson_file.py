"""Lesson files: round trips (version 2, version 3 for vector lessons, and version 1 still read),
atomic saves that keep the file's mode and symlinks, and clear refusals of bad or hostile files."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from engine.lessons.file_format import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    VECTOR_FORMAT_VERSION,
    LessonFileError,
    load_lesson,
    read_lesson,
    save_lesson,
)
from engine.lessons.json_form import lesson_to_dict
from engine.lessons.registry import all_lessons, lesson

if TYPE_CHECKING:
    from pathlib import Path

    from engine.animation.playground import PlaygroundSpec
    from engine.lessons.definition import Lesson

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes, FIFOs")
CONVOLUTION_LESSONS = [item for item in all_lessons() if item.spec is not None]
"""The lessons with a playground set-up (version 1 knows nothing else)."""


def same_spec(a: PlaygroundSpec, b: PlaygroundSpec) -> None:
    for name in ("input", "filters", "biases"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), strict=True)
    for name in ("stride", "padding", "dilation", "divisor", "relu", "pool"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.channel_names, a.filter_names) == (b.channel_names, b.filter_names)


def same_lesson(a: Lesson, b: Lesson) -> None:
    if a.spec is None or b.spec is None:  # vector lessons: their data, as the writer sees it
        assert a.spec is b.spec is None and a.vector is not None and b.vector is not None
        assert lesson_to_dict(a) == lesson_to_dict(b)
    else:
        same_spec(a.spec, b.spec)
    assert (a.id, a.title, a.explanation, a.source, a.notes) == (
        b.id,
        b.title,
        b.explanation,
        b.source,
        b.notes,
    )
    assert (a.decimals, a.truncate_decimals, a.kind) == (b.decimals, b.truncate_decimals, b.kind)
    if a.backprop is not None and b.backprop is not None:
        for name in ("x", "w", "target"):
            np.testing.assert_array_equal(getattr(a.backprop, name), getattr(b.backprop, name))
        assert a.backprop.learning_rate == b.backprop.learning_rate


# ----- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("item", all_lessons(), ids=lambda item: item.id)
def test_every_lesson_round_trips_with_notes_display_rule_and_backprop(item, tmp_path) -> None:
    path = tmp_path / "lesson.json"
    save_lesson(path, item)
    data = json.loads(path.read_text(encoding="utf-8"))
    version = FORMAT_VERSION if item.vector is None else VECTOR_FORMAT_VERSION
    assert (data["format"], data["version"]) == ("cnn-visualizer-lesson", version)
    loaded = read_lesson(path)
    same_lesson(loaded, item)
    assert lesson_to_dict(loaded) == lesson_to_dict(item)


@pytest.mark.parametrize("item", CONVOLUTION_LESSONS, ids=lambda item: item.id)
def test_the_version_1_api_still_saves_and_loads(item, tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    save_lesson(path, item.spec, title=item.title, explanation=item.explanation)
    spec, title, explanation = load_lesson(path)
    assert (title, explanation) == (item.title, item.explanation)
    same_spec(spec, item.spec)


def test_a_bare_spec_gets_id_file_and_the_decimals_of_its_values(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    save_lesson(path, lesson("six-by-six").spec, title="Mine")
    assert "id" not in json.loads(path.read_text(encoding="utf-8"))
    whole = read_lesson(path)
    assert (whole.id, whole.title, whole.decimals) == ("file", "Mine", 0)
    assert whole.truncate_decimals is False
    save_lesson(path, lesson("blur-digit").spec)
    assert read_lesson(path).decimals == 2  # tenths in the digit


def test_title_and_explanation_arguments_replace_the_lessons(tmp_path: Path) -> None:
    path = tmp_path / "copy.json"
    save_lesson(path, lesson("x-or-o"), title="My X", explanation="Mine.")
    loaded = read_lesson(path)
    assert (loaded.id, loaded.title, loaded.explanation) == ("x-or-o", "My X", "Mine.")
    assert loaded.notes == lesson("x-or-o").notes and loaded.truncate_decimals


def test_an_exercise_that_no_longer_fits_the_set_up_is_not_saved(tmp_path: Path) -> None:
    # The playground shows a plain convolution then, and so does the file.
    item = lesson("backprop")
    edited = dataclasses.replace(item, spec=item.spec.with_changes(stride=(2, 2)))
    save_lesson(tmp_path / "a.json", edited)
    assert read_lesson(tmp_path / "a.json").backprop is None
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["backprop"] is None
    cells = dataclasses.replace(item, spec=item.spec.with_input_cell(0, 0, 0, 7.0))
    save_lesson(tmp_path / "b.json", cells)
    exercise = read_lesson(tmp_path / "b.json").backprop
    assert exercise is not None and exercise.x[0, 0] == 7.0  # X is the input


# ----- version 1 files -------------------------------------------------------------------------
def version_1(spec: PlaygroundSpec, title: str = "", explanation: str = "") -> dict[str, Any]:
    """A file as the app wrote it before version 2 (its spec_to_dict)."""
    pad = spec.padding
    return {
        "format": "cnn-visualizer-lesson",
        "version": 1,
        "title": title,
        "explanation": explanation,
        "input": spec.input.tolist(),
        "channel_names": list(spec.channel_names),
        "filters": [
            {
                "name": spec.filter_names[d] if spec.filter_names else "",
                "bias": float(spec.biases[d]),
                "weights": spec.filters[:, :, :, d].tolist(),
            }
            for d in range(spec.num_filters)
        ],
        "stride": list(spec.stride),
        "padding": [list(a) for a in pad] if isinstance(pad, tuple) else pad,
        "dilation": list(spec.dilation),
        "divisor": spec.divisor,
        "relu": spec.relu,
        "pool": None if spec.pool is None else dataclasses.asdict(spec.pool),
    }


@pytest.mark.parametrize("item", CONVOLUTION_LESSONS, ids=lambda item: item.id)
def test_version_1_files_are_still_read(item, tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(version_1(item.spec, item.title, "why"), indent=1), "utf-8")
    spec, title, explanation = load_lesson(path)
    same_spec(spec, item.spec)
    assert (title, explanation) == (item.title, "why")
    read = read_lesson(path)
    assert (read.id, read.source, read.notes, read.backprop) == ("file", "", (), None)
    assert read.decimals == (2 if item.id in ("blur-digit", "edge-detect-digit", "backprop") else 0)


def test_a_version_1_file_written_by_hand(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"format": "cnn-visualizer-lesson", "version": 1, "input": [[[1], [2]], [[3], [4]]],'
        ' "filters": [{"bias": 0.5, "weights": [[[1]]]}], "stride": [1, 1],'
        ' "padding": [[0, 1], [1, 0]], "pool": {"size": 1, "stride": 1, "mode": "avg"}}',
    )
    spec, title, explanation = load_lesson(path)
    assert (title, explanation, spec.padding) == ("", "", ((0, 1), (1, 0)))
    assert spec.input[:, :, 0].tolist() == [[1, 2], [3, 4]] and spec.biases.tolist() == [0.5]
    assert spec.pool is not None and spec.pool.padding == "valid"


def test_a_minimal_version_2_file_written_by_hand(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"format": "cnn-visualizer-lesson", "version": 2,'
        ' "input": {"channels": [[[1, 2, 3], [4, 5, 6]]]},'
        ' "filters": [{"channels": [[[1, 0], [0, -1]]]}],'
        ' "display": {"decimals": 1, "truncate": false},'
        ' "backprop": {"target": [[0, 0]], "learning_rate": 0.5}}',
    )
    item = read_lesson(path)
    assert (item.id, item.title, item.source, item.notes, item.decimals) == ("file", "", "", (), 1)
    spec = item.spec
    assert spec.input[:, :, 0].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert spec.filters[:, :, 0, 0].tolist() == [[1, 0], [0, -1]] and spec.biases.tolist() == [0]
    assert (spec.stride, spec.padding, spec.dilation, spec.divisor) == ((1, 1), "valid", (1, 1), 1)
    assert (spec.relu, spec.pool, spec.channel_names, spec.filter_names) == (False, None, (), ())
    assert item.backprop is not None and item.backprop.learning_rate == 0.5
    np.testing.assert_array_equal(item.backprop.w, [[1, 0], [0, -1]])


# ----- refusals, each naming the file and the field -------------------------------------------
def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    return path


def valid(item: str = "six-by-six") -> dict[str, Any]:
    return lesson_to_dict(lesson(item))


def weights(d: dict[str, Any]) -> list[Any]:
    return d["filters"][0]["channels"][0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=4), "version: .*format version 4, made by a newer CNN Vis"),
        (lambda d: d.update(version="2"), r'version: expected a whole number \(1, 2 or 3\), got'),
        (lambda d: d.update(version=3), "kind: this field is missing"),
        (lambda d: d.update(version=3, kind="vector"), 'kind: expected one of "convolution", '),
        (lambda d: d.update(version=2.0), "version: expected a whole number"),
        (lambda d: d.update(version=0), "version: expected 1, 2 or 3, got 0"),
        (lambda d: d.pop("version"), "version: expected a whole number .*got nothing"),
        (lambda d: d.update(format="something-else"), "not a CNN Visualizer lesson"),
        (lambda d: d.pop("input"), "input: this field is missing"),
        (lambda d: d.update(input="abc"), 'input: expected an object, got "abc"'),
        (lambda d: d.update(strid=[1, 1]), "strid: unknown field; the fields here are format"),
        (lambda d: d.update(filters=[]), "filters: expected at least 1 filter, got none"),
        (lambda d: weights(d)[1].__setitem__(2, "1"), r'filters\[0\]\.channels\[0\]\[1\]\[2\]: '
                                                      r'expected a number, got "1"'),
        (lambda d: weights(d).__setitem__(1, [1, 2]),
         r"filters\[0\]\.channels\[0\]\[1\]: expected 3 numbers like the first one, got 2"),
        (lambda d: d["filters"][0].update(bias="1"),
         r'filters\[0\]\.bias: expected a number, got "1"'),
        (lambda d: d["filters"][0].update(bias=True), r"bias: expected a number, got true"),
        (lambda d: d.update(relu="false"), 'relu: expected true or false, got "false"'),
        (lambda d: d.update(relu=0), "relu: expected true or false, got 0"),
        (lambda d: d.update(stride=[0, 1]), r"stride\[0\]: expected at least 1, got 0"),
        (lambda d: d.update(stride=[1, 1.5]), r"stride\[1\]: expected a whole number, got 1.5"),
        (lambda d: d.update(stride=2), "stride: expected a list, got 2"),
        (lambda d: d.update(padding="mirror"), 'padding: expected "valid", "same", a number'),
        (lambda d: d.update(padding=-1), 'padding: expected "valid", "same", a number'),
        (lambda d: d.update(input={"channels": [[[1.0]]]}), "larger than the padded input"),
        (lambda d: d.update(pool={"size": 2, "stride": 2, "mode": "min"}),
         'pool.mode: expected one of "max", "avg", got "min"'),
        (lambda d: d.update(pool={"size": 2, "mode": "max"}), "pool.stride: this field is missing"),
        (lambda d: d.update(divisor=0), "divisor must be a non-zero"),
        (lambda d: d.update(divisor=1e7), "divisor: expected at most 1,000,000, got 10000000"),
        (lambda d: d["input"]["channels"][0][0].__setitem__(0, -2e6), "expected at least -1,000"),
        (lambda d: d.update(title=["a"]), "title: expected text, got a list of 1 item$"),
        (lambda d: d.update(title="x" * 501), "title: expected at most 500 characters, got 501"),
        (lambda d: d.update(notes="a note"), 'notes: expected a list, got "a note"'),
        (lambda d: d.update(id="Six by six"), "id: expected lowercase letters and digits"),
        (lambda d: d.update(display={"decimals": 2}), r"display\.truncate: this field is missing"),
        (lambda d: d.update(display={"decimals": 7, "truncate": False}), "expected at most 6"),
        (lambda d: d.update(display={"decimals": 2, "truncate": "yes"}), "expected true or false"),
        (lambda d: d["input"].update(channel_names=["R", "G"]),
         r"input\.channel_names: expected 1 names \(one per input channel\) or none, got 2"),
        (lambda d: d["input"]["channels"].append([[0] * 6] * 6),
         r"filters\[0\]\.channels: expected 2 channels \(one per input channel\), got 1"),
        (lambda d: d["input"]["channels"].append([[0] * 5] * 6),
         r"input\.channels\[1\]: expected 6x6 like input\.channels\[0\], got 6x5"),
        (lambda d: d["filters"][1].update(channels=[[[1, 0], [0, 1]]]),
         r"filters\[1\]\.channels: expected 3x3 like filters\[0\], got 2x2"),
        (lambda d: d["input"]["channels"][0].extend([[0] * 6] * 59), "expected at most 64 rows"),
        (lambda d: d.update(filters=d["filters"] * 9), "filters: expected at most 16 filters"),
        (lambda d: d.update(backprop={"target": [[1]], "learning_rate": 0.1}),
         "backprop: the exercise needs one input channel, one filter"),
    ],
)  # fmt: skip
def test_malformed_lessons_are_refused_with_the_field(tmp_path: Path, mutate, message) -> None:
    data = valid()
    mutate(data)
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(LessonFileError, match=message) as info:
        read_lesson(path)
    assert str(info.value).startswith(f"{path}: ")
    with pytest.raises(LessonFileError):
        load_lesson(path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["backprop"].update(target=[[1, 0, 0], [1, 1, 0]]),
         r"backprop\.target: expected 2x2 \(the output's shape\), got 2x3"),
        (lambda d: d["backprop"].update(learning_rate=0), "expected more than 0, got 0"),
        (lambda d: d["backprop"].update(learning_rate="0.1"), "expected a number"),
        (lambda d: d["backprop"].pop("learning_rate"), "learning_rate: this field is missing"),
        (lambda d: d.update(padding=1), "backprop: the exercise needs"),
    ],
)  # fmt: skip
def test_bad_backprop_exercises_are_refused(tmp_path: Path, mutate, message: str) -> None:
    data = valid("backprop")
    mutate(data)
    with pytest.raises(LessonFileError, match=message):
        read_lesson(write(tmp_path, json.dumps(data)))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("input"), "input: this field is missing"),
        (lambda d: d.update(input="abc"), 'input: expected a list, got "abc"'),
        (lambda d: d["filters"][0].update(weights=[[1, 2]]),
         r"filters\[0\]\.weights\[0\]\[0\]: expected a list, got 1"),
        (lambda d: d["filters"][0].update(bias="x"),
         r'filters\[0\]\.bias: expected a number, got "x"'),
        (lambda d: d.update(relu="false"), "relu: expected true or false"),
        (lambda d: d.update(divisor="9"), 'divisor: expected a number, got "9"'),
        (lambda d: d["input"][1].pop(), r"input\[1\]: expected 6 cells like the first one, got 5"),
        (lambda d: d.update(input=[[[1.0]]]), "larger than the padded input"),
    ],
)  # fmt: skip
def test_malformed_version_1_files_are_refused(tmp_path: Path, mutate, message: str) -> None:
    data = version_1(lesson("six-by-six").spec)
    mutate(data)
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(LessonFileError, match=message) as info:
        load_lesson(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"not valid JSON \(line 1, column 2"),
        ("[1, 2, 3]", "expected a JSON object, got a list of 3 items"),
        ("", "not valid JSON"),
        ('{"format": 1}', r'not a CNN Visualizer lesson \(format: expected "cnn-visualizer-les'),
    ],
)
def test_non_lesson_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(LessonFileError, match=message):
        load_lesson(write(tmp_path, content))


def test_binary_missing_and_folder_paths(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(LessonFileError, match="cannot be read as text: byte 0x89 at offset 0"):
        load_lesson(binary)
    with pytest.raises(LessonFileError, match="no such file"):
        load_lesson(tmp_path / "nothing.json")
    with pytest.raises(LessonFileError, match="a folder, not a lesson file"):
        read_lesson(tmp_path)
    assert issubclass(LessonFileError, ValueError)


# ----- hostile files: refused quickly, never a hang or a crash ---------------------------------
def lesson_text(**changes: Any) -> str:
    return json.dumps(valid() | changes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lesson_text(divisor=float("nan")), "NaN is not a number a lesson can use"),
        (lesson_text(divisor=float("inf")), "Infinity is not a number"),
        (lesson_text(divisor=float("-inf")), "-Infinity is not a number"),
        (lesson_text().replace('"divisor": 1', '"divisor": 1e999'), "1e999 is too large"),
        (lesson_text().replace('"divisor": 1', '"divisor": ' + "9" * 5000),
         "a number is written with 5,000 characters"),
        (lesson_text().replace('"divisor": 1', '"divisor": 0.' + "1" * 100),
         "a number is written with 102 characters"),
        (lesson_text()[:-1] + ', "relu": true}', 'the key "relu" appears twice in one object'),
        ("[" * 10_000 + "]" * 10_000, "nested more than 16 levels deep"),
        ('{"a": ' + "[" * 10_000 + "]" * 10_000 + "}", "nested more than 16 levels deep"),
        ('{"format": "' + "[" * 10_000 + '"}', "not a CNN Visualizer lesson"),  # inside text: fine
        (lesson_text(title="\ud800"), r"title: contains a character that is not valid Unicode"),
    ],
)  # fmt: skip
def test_hostile_json_is_refused_with_a_message(tmp_path: Path, content: str, message) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LessonFileError, match=message) as info:
        read_lesson(path)
    assert str(info.value).startswith(f"{path}: ")


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    text = lesson_text()
    path.write_text(text + " " * (MAX_FILE_BYTES - len(text.encode())), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert read_lesson(path).title  # exactly the cap: read
    with path.open("a", encoding="utf-8") as handle:
        handle.write(" ")
    with pytest.raises(LessonFileError, match=r"too large .*1,000,001 bytes; .*at most 1,000,000"):
        read_lesson(path)


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "windows.json"
    path.write_bytes(b"\xef\xbb\xbf" + lesson_text(title="Notepad \u2713").encode("utf-8"))
    assert read_lesson(path).title == "Notepad \u2713"
    path.write_bytes(lesson_text(title="caf\u00e9").encode("utf-16"))  # Windows "Unicode"
    with pytest.raises(LessonFileError, match="byte 0xff at offset 0 is not UTF-8"):
        read_lesson(path)
    latin = json.dumps(version_1(lesson("feature-detector").spec, "caf\u00e9"), ensure_ascii=False)
    path.write_bytes(latin.encode("latin-1"))
    with pytest.raises(LessonFileError, match="is not UTF-8"):
        read_lesson(path)


@posix_only
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "lesson.json"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.append(catch(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader so the test run can go on, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO hung")
    assert isinstance(outcome[0], LessonFileError)
    assert "not a regular file" in str(outcome[0]) and str(fifo) in str(outcome[0])


def catch(path: Path) -> BaseException:
    try:
        read_lesson(path)
    except BaseException as exc:  # the test inspects what was raised
        return exc
    return AssertionError("no error")


@posix_only
def test_a_device_is_refused_before_reading() -> None:
    with pytest.raises(LessonFileError, match="/dev/zero: not a regular file"):
        read_lesson("/dev/zero")


# ----- saving ----------------------------------------------------------------------------------
def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "mine.json"
    save_lesson(path, lesson("six-by-six").spec, title="first")
    before = path.read_text()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("engine.drawings.file_bytes.os.replace", fail)  # the one atomic writer
    with pytest.raises(OSError, match="disk full"):
        save_lesson(path, lesson("x-or-o").spec, title="second")
    assert path.read_text() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["mine.json"]


def test_a_lesson_the_reader_would_refuse_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(LessonFileError, match=r"mine\.json: cannot be saved .*title: expected at"):
        save_lesson(path, lesson("six-by-six"), title="x" * 501)
    assert path.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.json"]


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
def test_saving_over_a_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "shared.json"
    save_lesson(path, lesson("six-by-six"))
    path.chmod(mode)
    save_lesson(path, lesson("x-or-o"))
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert read_lesson(path).id == "x-or-o"


@posix_only
def test_a_new_file_gets_the_usual_mode_not_a_temporary_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        save_lesson(tmp_path / "new.json", lesson("six-by-six"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


@posix_only
def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "lessons"
    real_dir.mkdir()
    target = real_dir / "real.json"
    save_lesson(target, lesson("six-by-six"))
    target.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save_lesson(link, lesson("x-or-o"))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert read_lesson(target).id == "x-or-o"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in real_dir.iterdir()) == ["real.json"]
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(real_dir / "later.json")
    save_lesson(dangling, lesson("backprop"))
    assert dangling.is_symlink() and read_lesson(real_dir / "later.json").kind == "backprop"
