"""The window's menu actions and drag and drop under hostile files: a dialog, nothing changed.

Issue 12, items 1, 3 and 6, driven as a user drives them: File ▸ Open Model, File ▸ Open
Image (in both modes), a file dropped on the lab, File ▸ Export View as PNG and Export
Animation as GIF, each with its file dialog answered (``QFileDialog`` monkeypatched) and its
message box recorded (``QMessageBox`` monkeypatched). Each refusal shows one dialog naming the
file and the problem, and leaves the lab's model, its input, the playground and any file
already on disk as they were. A failed export (a full disk, a read-only folder) keeps the old
file; a successful one keeps its permissions and writes through a symlink.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.app import LaunchOptions, build_window
from tests.hostile import hostile_files as hf
from tests.hostile.tally import tally

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from gui.app_window import AppWindow


@pytest.fixture
def window(qtbot: Any) -> Iterator[AppWindow]:
    win = build_window(LaunchOptions())
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.playground.state.undo_stack.setClean()
    win.digit_lab.undo_stack.clear()
    win.close()
    win.deleteLater()


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every warning or error box, recorded as "title\\ntext" instead of shown."""
    shown: list[str] = []

    def record(parent: object, title: str, text: str, *args: object, **kwargs: object) -> Any:
        shown.append(f"{title}\n{text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "critical", record)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    return shown


def answer_file_dialog(monkeypatch: pytest.MonkeyPatch, path: Path | str) -> None:
    """The next open or save dialog chooses ``path``."""
    chosen = (str(path), "")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: chosen)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: chosen)


def lab_snapshot(window: AppWindow) -> tuple[object, object, bytes, int]:
    """What a refused file must leave as it was: the model, its answer, the input, the undo."""
    lab = window.digit_lab
    return lab.model, lab.prediction, lab.prepared_image.tobytes(), lab.undo_stack.count()


def draw_seven(window: AppWindow) -> None:
    """The lab on show (its actions are on only then), a sample digit on its canvas, so that
    a refusal has an answer to keep."""
    window.show_mode("digits")
    assert window.digit_lab.load_sample(7)


# ----- File ▸ Open Model, and a model dropped on the lab ----------------------------------------
@pytest.mark.parametrize("kind", list(hf.MODEL_KINDS))
def test_open_model_refuses_a_hostile_file_with_one_dialog(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    kind: str,
) -> None:  # fmt: skip
    path, words = hf.MODEL_KINDS[kind](tmp_path)
    draw_seven(window)
    before = lab_snapshot(window)
    answer_file_dialog(monkeypatch, path)
    window.digit_lab_mode.open_model_action.trigger()
    assert len(dialogs) == 1, dialogs
    assert "Cannot use this model" in dialogs[0]
    assert str(path) in dialogs[0] and words in dialogs[0], dialogs[0]
    assert "keeps using MNIST CNN" in dialogs[0]
    assert lab_snapshot(window) == before
    tally("window: File ▸ Open Model", f"model file: {kind}")


def drop(window: AppWindow, path: Path) -> None:
    """Drop ``path`` on the lab, as a file manager does."""
    lab = window.digit_lab
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    lab.dropEvent(event)


@pytest.mark.parametrize(
    "kind", ["FIFO", "NaN weight", "NaN outputs", "10,000 nodes", "weights in a FIFO"]
)
def test_a_hostile_model_dropped_on_the_lab_is_refused(
    window: AppWindow, dialogs: list[str], tmp_path: Path, kind: str
) -> None:
    path, words = hf.MODEL_KINDS[kind](tmp_path)
    draw_seven(window)
    before = lab_snapshot(window)
    drop(window, path)
    assert len(dialogs) == 1 and str(path) in dialogs[0] and words in dialogs[0], dialogs
    assert lab_snapshot(window) == before
    tally("window: drag and drop", f"model file: {kind}")


# ----- File ▸ Open Image, in the lab and in the playground ----------------------------------------
@pytest.mark.parametrize("kind", list(hf.IMAGE_KINDS))
def test_open_image_in_the_lab_refuses_a_hostile_file(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    kind: str,
) -> None:  # fmt: skip
    path, words = hf.IMAGE_KINDS[kind](tmp_path)
    window.show_mode("digits")
    draw_seven(window)
    before = lab_snapshot(window)
    answer_file_dialog(monkeypatch, path)
    window.open_image_action.trigger()
    assert len(dialogs) == 1 and "Cannot open the picture" in dialogs[0], dialogs
    assert str(path) in dialogs[0] and words in dialogs[0], dialogs[0]
    assert lab_snapshot(window) == before
    tally("window: File ▸ Open Image (lab)", f"image file: {kind}")


@pytest.mark.parametrize("kind", ["/dev/zero", "decompression bomb (225 megapixels)", "text file"])
def test_a_hostile_image_dropped_on_the_lab_is_refused(
    window: AppWindow, dialogs: list[str], tmp_path: Path, kind: str
) -> None:
    path, words = hf.IMAGE_KINDS[kind](tmp_path)
    draw_seven(window)
    before = lab_snapshot(window)
    drop(window, path)
    assert len(dialogs) == 1 and str(path) in dialogs[0] and words in dialogs[0], dialogs
    assert lab_snapshot(window) == before
    tally("window: drag and drop", f"image file: {kind}")


@pytest.mark.parametrize("kind", ["FIFO", "larger than 50 MB", "truncated PNG"])
def test_open_image_in_the_playground_refuses_a_hostile_file(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    kind: str,
) -> None:  # fmt: skip
    path, words = hf.IMAGE_KINDS[kind](tmp_path)
    window.show_mode("playground")
    state = window.playground.state
    spec, depth = state.spec, state.undo_stack.count()
    answer_file_dialog(monkeypatch, path)
    window.open_image_action.trigger()
    assert len(dialogs) == 1 and str(path) in dialogs[0] and words in dialogs[0], dialogs
    assert state.spec is spec and state.undo_stack.count() == depth
    tally("window: File ▸ Open Image (playground)", f"image file: {kind}")


# ----- File ▸ Export View as PNG ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "words"),
    [("view", "has no extension"), ("view.jpg", "ends in .jpg"), ("view.gif", "ends in .gif")],
)
def test_export_png_refuses_a_bad_name_before_rendering(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    name: str, words: str,
) -> None:  # fmt: skip
    from gui import export

    def never(*args: object) -> None:
        raise AssertionError("rendered despite the bad name")

    monkeypatch.setattr(export, "save_png", never)
    answer_file_dialog(monkeypatch, tmp_path / name)
    window.export_png_action.trigger()
    assert len(dialogs) == 1 and words in dialogs[0] and "Nothing was written" in dialogs[0]
    assert not (tmp_path / name).exists()
    tally("window: Export View as PNG", "a name that is not a PNG's")


def test_export_png_to_a_missing_folder_says_so(
    window: AppWindow, dialogs: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "nowhere" / "view.png"
    assert not window.export_view_png(str(path))
    assert len(dialogs) == 1 and str(path) in dialogs[0] and "No such file" in dialogs[0]
    tally("window: Export View as PNG", "a folder that does not exist")


OLD = b"the slide deck's copy"


def test_a_full_disk_keeps_the_old_png(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "view.png"
    target.write_bytes(OLD)
    real_fdopen = os.fdopen

    class FullDisk:
        """A file whose every write fails as on a full disk."""

        def __init__(self, fd: int, *args: object, **kwargs: object) -> None:
            self.inner = real_fdopen(fd, "wb")

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", FullDisk)  # the os module file_bytes writes with
    assert not window.export_view_png(str(target))
    assert len(dialogs) == 1 and "No space left on device" in dialogs[0], dialogs
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["view.png"]  # no temporary file left
    tally("window: Export View as PNG", "a full disk")


def test_a_read_only_folder_keeps_the_old_png(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The folder refuses new files (simulated: the tests may run as root, who is never
    refused); the export says so and the old file stays."""
    target = tmp_path / "view.png"
    target.write_bytes(OLD)
    real_open = os.open

    def read_only_folder(path: object, flags: int, *args: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only_folder)
    assert not window.export_view_png(str(target))
    assert len(dialogs) == 1 and "Permission denied" in dialogs[0] and str(target) in dialogs[0]
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["view.png"]
    tally("window: Export View as PNG", "a read-only folder")


def test_a_png_export_keeps_the_mode_and_writes_through_a_symlink(
    window: AppWindow, dialogs: list[str], tmp_path: Path
) -> None:
    from PIL import Image

    target = tmp_path / "slides" / "view.png"
    target.parent.mkdir()
    target.write_bytes(OLD)
    target.chmod(0o644)
    link = tmp_path / "link.png"
    link.symlink_to(target)
    old_mask = os.umask(0o077)  # a new file would be 0600
    try:
        assert window.export_view_png(str(link))
    finally:
        os.umask(old_mask)
    assert not dialogs
    assert link.is_symlink() and link.resolve() == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with Image.open(target) as image:
        assert image.size[0] > 100 and image.format == "PNG"
    tally("window: Export View as PNG", "accepted (checked against the reference)")


def test_a_full_disk_keeps_the_old_gif(
    window: AppWindow, dialogs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from engine.lessons.registry import lesson

    assert window.load_lesson(lesson("x-or-o"))
    target = tmp_path / "lesson.gif"
    target.write_bytes(OLD)

    def full(fd: int, *args: object) -> None:
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", full)
    assert not window.export_animation_gif(str(target))
    assert len(dialogs) == 1 and str(target) in dialogs[0] and "No space left" in dialogs[0]
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.gif"]
    tally("window: Export Animation as GIF", "a full disk")


def test_the_lab_keeps_working_after_every_refusal(
    window: AppWindow, dialogs: list[str], tmp_path: Path
) -> None:
    """After a FIFO, a NaN model and a bomb, the lab still answers a drawing correctly."""
    for build in (
        hf.MODEL_KINDS["FIFO"], hf.MODEL_KINDS["NaN outputs"], hf.IMAGE_KINDS["/dev/zero"]
    ):  # fmt: skip
        path, _ = build(tmp_path)
        drop(window, path)
    assert len(dialogs) == 3
    draw_seven(window)
    assert window.digit_lab.prediction is not None
    assert window.digit_lab.prediction[0] == "7"
    assert np.isfinite(window.digit_lab.state.run.probabilities).all()  # type: ignore[union-attr]


@pytest.mark.parametrize("make", [hf.fifo, hf.endless], ids=["FIFO", "/dev/zero"])
def test_a_keras_file_that_is_no_file_is_refused_before_converting(
    window: AppWindow, dialogs: list[str], tmp_path: Path, make: Any
) -> None:
    """No converter child is started for it (it would wait on the pipe for ever)."""
    path = make(tmp_path, "model.keras")
    window.show_mode("digits")
    assert not window.digit_lab_mode.open_model(str(path))
    assert not window.digit_lab.converting
    assert len(dialogs) == 1 and str(path) in dialogs[0] and "not a regular file" in dialogs[0]
    tally("window: File ▸ Open Model", "Keras file that is a FIFO or /dev/zero")
