"""Text from files is never rendered as Qt rich text (issue 12, item 4).

A lesson's title, a filter's or channel's name, a model's name, its class labels and layer
names, an image's file name: Qt renders any of them as HTML if it looks like HTML
(``Qt.TextFormat.AutoText``), and ``<img src="file:///...">`` then makes the app open a local
file it was never given. Two checks:

* static: every ``QLabel`` the GUI makes is plain text where it is made (a string literal, or a
  ``setTextFormat`` in the same function, or one of the factories), rich text is asked for
  only by the few labels that show the app's own markup and escape the rest, and nothing
  calls ``QMessageBox.about``, ``setHtml`` or gives pyqtgraph HTML;
* in the window: a lesson file, a model (metadata name, class labels, layer names) and image
  files whose names hold ``<img src="file:/tmp/…probe.png">`` and ``<b>`` are opened (and
  refused) through the window's own actions, and no label, tool tip or message box shows
  that text as rich text (``gui.plain_text``'s guard turns Qt's own labels plain too).

That the app never opens the probe file was also checked once with strace (see the issue's
note); here the Qt-level check stands in for it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from gui.app import LaunchOptions, build_window
from gui.plain_text import escaped, plain_label, rich_label, shown_tool_tip
from gui.widgets import caption_label, title_label
from tests.hostile import hostile_files as hf
from tests.hostile.tally import tally
from tests.onnx_builders import save

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gui.app_window import AppWindow

GUI = Path(__file__).resolve().parents[2] / "gui"
LABEL_FACTORIES = {"plain_text.py", "widgets.py"}
"""Where a QLabel may be made from any text: the factories, which set its format."""
RICH_TEXT_ALLOWED = {
    "plain_text.py": "rich_label and show_about_box, for the app's own markup",
    "digits/layer_row.py": "a layer's title: name and op in bold, every name escaped",
    "digits/input_panel.py": "the hover text: numbers in bold, every run escaped",
    "playground/parameter_panel.py": "bold headings over formulas and messages, escaped",
}
"""The only modules that ask for rich text, and why; each must escape what it shows."""


# ----- static ------------------------------------------------------------------------------
def gui_modules() -> Iterator[tuple[str, ast.Module, str]]:
    for path in sorted(GUI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        yield path.relative_to(GUI).as_posix(), ast.parse(source), source


def _is_literal(node: ast.expr) -> bool:
    """A string literal, or an f-string of literals and CONSTANTS: no text from outside."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant)
            or (
                isinstance(part, ast.FormattedValue)
                and isinstance(part.value, ast.Name)
                and part.value.id.isupper()
            )
            for part in node.values
        )
    return False


def _called(node: ast.AST, name: str) -> bool:
    function = node.func if isinstance(node, ast.Call) else None
    return (isinstance(function, ast.Name) and function.id == name) or (
        isinstance(function, ast.Attribute) and function.attr == name
    )


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def label_problems(module: str, tree: ast.Module) -> list[str]:
    """Every QLabel made from a non-literal text without a text format set beside it."""
    if module in LABEL_FACTORIES:
        return []
    problems = []
    for function in _functions(tree):
        formatted = {
            ast.unparse(call.func.value)
            for call in ast.walk(function)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "setTextFormat"
        }
        for node in ast.walk(function):
            if not (isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None):
                continue
            value = node.value
            if not (isinstance(value, ast.Call) and _called(value, "QLabel")):
                continue
            if value.args and _is_literal(value.args[0]):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(ast.unparse(t) in formatted for t in targets):
                problems.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
        for node in ast.walk(function):  # a QLabel passed on at once, never formatted
            for argument in node.args if isinstance(node, ast.Call) else ():
                if not (isinstance(argument, ast.Call) and _called(argument, "QLabel")):
                    continue
                if not (argument.args and _is_literal(argument.args[0])):
                    problems.append(f"{module}:{argument.lineno}: {ast.unparse(argument)}")
    return problems


def rich_problems(module: str, tree: ast.Module, source: str) -> list[str]:
    """Rich text asked for outside the allowed modules (or without escaping), HTML APIs."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        text = ast.unparse(node)
        where = f"{module}:{node.lineno}: {text[:80]}"
        rich = _called(node, "setTextFormat") and "RichText" in text
        if rich and module not in RICH_TEXT_ALLOWED:
            problems.append(f"{where} (rich text outside {sorted(RICH_TEXT_ALLOWED)})")
        if _called(node, "setTextFormat") and "AutoText" in text:
            problems.append(f"{where} (AutoText renders whatever looks like HTML)")
        if _called(node, "setHtml") or _called(node, "insertHtml"):
            problems.append(f"{where} (HTML)")
        if _called(node, "about") and "QMessageBox" in text:
            problems.append(f"{where} (QMessageBox.about is rich text: use show_about_box)")
        if _called(node, "TextItem") and any(k.arg == "html" for k in node.keywords):
            problems.append(f"{where} (pyqtgraph HTML)")
        if _called(node, "LabelItem") or (_called(node, "setLabel") and "pg" in text):
            problems.append(f"{where} (pyqtgraph renders these labels as HTML)")
    if module in RICH_TEXT_ALLOWED and "escape" not in source:
        problems.append(f"{module}: asks for rich text but escapes nothing")
    return problems


def test_every_label_is_plain_where_it_is_made() -> None:
    problems = [p for module, tree, _ in gui_modules() for p in label_problems(module, tree)]
    assert not problems, "QLabels made from outside text without a text format:\n" + "\n".join(
        problems
    )
    tally("rich text (static check of gui/)", "every QLabel made plain where it is made")


def test_rich_text_only_where_the_app_escapes_what_it_shows() -> None:
    found = [
        p for module, tree, source in gui_modules() for p in rich_problems(module, tree, source)
    ]
    assert not found, "\n".join(found)
    tally("rich text (static check of gui/)", "rich text only with escaping")


def test_the_static_check_finds_what_it_looks_for() -> None:
    """The checks above are not vacuous: they refuse the patterns of the issue."""
    bad = ast.parse(
        "def f(model):\n"
        "    label = QLabel(model.name)\n"
        "    box.addWidget(QLabel(title))\n"
        "    other = QLabel()\n"
        "    other.setText(model.name)\n"
        "    fine = QLabel(model.name)\n"
        "    fine.setTextFormat(Qt.TextFormat.PlainText)\n"
        "    QMessageBox.about(None, 'x', model.name)\n"
        "    view.setTextFormat(Qt.TextFormat.RichText)\n"
    )
    assert len(label_problems("digits/x.py", bad)) == 3
    assert len(rich_problems("digits/x.py", bad, "")) == 2


def test_the_factories_make_plain_labels(qapp: Any) -> None:
    for label in (
        plain_label(hf.RICH_NAME),
        title_label(hf.RICH_NAME),
        caption_label(hf.RICH_NAME),
    ):
        assert label.textFormat() == Qt.TextFormat.PlainText and label.text() == hf.RICH_NAME
    rich = rich_label(f"<b>Name</b> {escaped(hf.RICH_NAME)}")
    assert rich.textFormat() == Qt.TextFormat.RichText and "<img" not in rich.text()
    for label in (plain_label(), title_label(""), caption_label(), rich):
        label.deleteLater()


# ----- in the window -------------------------------------------------------------------------
PROBE_ALONE = f'src="file:{hf.PROBE}"'
"""What the rich-text names share: an image source that points at the probe file."""


def rich_lesson(folder: Path) -> Path:
    """A lesson whose title, explanation, source, notes and names are all rich-text probes."""
    data = {
        "format": "cnn-visualizer-lesson",
        "version": 2,
        "title": f"Title {hf.RICH_NAME}",
        "explanation": f"Explanation {hf.RICH_NAME}",
        "source": f"Source {hf.RICH_NAME}",
        "notes": [f"Note {hf.RICH_NAME}"],
        "input": {
            "channels": [[[1, 2, 3, 4]] * 4, [[4, 3, 2, 1]] * 4],
            "channel_names": [f"<img src='{hf.PROBE}'>", "<b>bold</b>"],  # 60 characters at most
        },
        "filters": [
            {"name": f"<img src='{hf.PROBE}'><b>b", "channels": [[[1, 0, -1]] * 3] * 2, "bias": 0}
        ],
    }
    path = folder / "rich.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def rich_model(folder: Path) -> Path:
    """The digit network with a rich-text name, class labels and a layer name."""
    model = hf.with_metadata(
        hf.digits_model(),
        name=f"Model {hf.RICH_NAME}",
        class_labels=json.dumps([f"{d} <img src='file:{hf.PROBE}'>" for d in range(10)]),
    )
    conv = next(n for n in model.graph.node if n.name == "/conv1/Conv")
    conv.name = f"/<img src={hf.PROBE.replace('/', '')}><b>conv1<b>/Conv"
    return save(model, folder / "rich.onnx")


def rich_image_path(folder: Path) -> Path:
    """A path whose text holds ``<img src="file:/tmp/…probe.png"><b>bold</b>``.

    A file name cannot hold "/", so the path's folders spell it: '<img src="file:' / 'tmp' /
    'cnn-visualizer-probe.png"><b>bold</b>.png'.
    """
    parts = f'<img src="file:{hf.PROBE}"><b>bold</b>.png'.split("/")
    path = folder.joinpath(*parts)
    path.parent.mkdir(parents=True)
    assert f'<img src="file:{hf.PROBE}">' in str(path)
    return path


def rich_texts(window: QWidget) -> list[str]:
    """Every label, tool tip and title in ``window`` that shows a probe as rich text."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if isinstance(widget, QLabel) and "<" in widget.text():
            text = widget.text()
            rich = widget.textFormat() == Qt.TextFormat.RichText or (
                widget.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
            )
            if rich and ("<img" in text or "<b>bold" in text):
                found.append(f"label {widget.objectName() or type(widget).__name__}: {text[:80]}")
        tip = widget.toolTip()
        if tip and Qt.mightBeRichText(tip) and ("<img" in tip or "<b>bold" in tip):
            found.append(f"tool tip of {type(widget).__name__}: {tip[:80]}")
    return found


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
def boxes(monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> Iterator[list[QMessageBox]]:
    """Every warning, shown for real (not modal) so that its labels can be inspected."""
    shown: list[QMessageBox] = []

    def show(parent: QWidget | None, title: str, text: str, *args: object) -> Any:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok)
        box.show()  # polished: the plain-text guard has seen its labels
        qtbot.waitExposed(box)
        shown.append(box)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", show)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    yield shown
    for box in shown:
        box.close()
        box.deleteLater()


def answer(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_no_text_from_a_file_is_rich_text_anywhere_in_the_window(
    window: AppWindow, boxes: list[QMessageBox], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    qtbot: Any,
) -> None:  # fmt: skip
    # A lesson file: title, explanation, source, notes, filter and channel names.
    answer(monkeypatch, rich_lesson(tmp_path))
    window.playground_mode.open_lesson_action.trigger()
    assert window.playground.state.context.title.startswith("Title <img")
    assert hf.RICH_NAME in window.windowTitle()  # a window title is always plain
    # A model: its name, class labels and a layer name.
    window.show_mode("digits")
    answer(monkeypatch, rich_model(tmp_path))
    window.digit_lab_mode.open_model_action.trigger()
    lab = window.digit_lab
    assert lab.model is not None and lab.model.name.startswith("Model <img")
    assert hf.RICH_NAME in window.mode_status.text()
    lab.load_sample(3)
    first = next(iter(lab.network.rows))
    assert "<img" in first
    lab.network.choose_filter(first, 0)  # the animate button's tool tip names the layer
    lab._cell_hovered(first, 0, 2, 2)  # the hover text names the layer
    # An image whose path spells the probe: opened, then one that is refused (its dialog).
    image = rich_image_path(tmp_path)
    Image.fromarray(255 - (np.eye(56, dtype=np.uint8) * 255)).save(image)
    answer(monkeypatch, image)
    window.open_image_action.trigger()
    broken = image.with_name(image.name.replace(".png", " broken.png"))
    broken.write_bytes(b"not a picture")
    answer(monkeypatch, broken)
    window.open_image_action.trigger()
    qtbot.wait(50)
    assert len(boxes) == 1 and PROBE_ALONE in boxes[0].text()
    assert window.statusBar().currentMessage() == f"Opened {image.name}"  # always plain text
    problems = rich_texts(window)
    for box in boxes:
        problems += rich_texts(box)
        labels = [label for label in box.findChildren(QLabel) if PROBE_ALONE in label.text()]
        assert labels and all(lab_.textFormat() == Qt.TextFormat.PlainText for lab_ in labels)
    assert not problems, "\n".join(problems)
    for widget in window.findChildren(QWidget):  # a rich-looking tip is shown escaped
        tip = widget.toolTip()
        if "&lt;img" in tip:
            assert "<img" in shown_tool_tip(widget)
    tally("rich text (in the window)", "a lesson file's texts and names")
    tally("rich text (in the window)", "a model's name, class labels and layer names")
    tally("rich text (in the window)", "an image file's name (opened, and refused)")
