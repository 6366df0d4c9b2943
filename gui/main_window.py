"""MainWindow: the two modes (Playground, Digit Lab), menus, toolbar, status bar and settings.

Actions are created in one place with standard keys; settings are read in the constructor and
written in ``closeEvent`` (window geometry, splitters, last lesson, speed, tab).
"""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from engine.lessons.file_format import LessonFileError, load_lesson, save_lesson
from engine.lessons.registry import all_lessons, lesson
from engine.network.filter_replay import replay_filter
from gui.export import export_gif, export_png
from gui.playground.view import PlaygroundView
from gui.settings import app_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QCloseEvent

    from engine.lessons.registry import Lesson
    from gui.digits.lab import DigitLab

TITLE = "CNN Visualizer"
LESSON_FILTER = "CNN Visualizer lessons (*.json);;All files (*)"
PLAYGROUND_TAB, DIGITS_TAB = 0, 1


class MainWindow(QMainWindow):
    """The application window."""

    def __init__(self, digit_lab: DigitLab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumSize(1100, 700)
        self.playground = PlaygroundView()
        self.digit_lab = digit_lab
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.playground, "Playground — step through a convolution")
        self.tabs.addTab(digit_lab, "Digit Lab — draw a digit, look inside the CNN")
        self.setCentralWidget(self.tabs)
        self.status_model = QLabel()
        self.statusBar().addPermanentWidget(self.status_model)
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self.tabs.currentChanged.connect(self._tab_changed)
        digit_lab.modelChanged.connect(self._model_changed)
        digit_lab.statusMessage.connect(lambda m: self.statusBar().showMessage(m, 8000))
        digit_lab.animateFilterRequested.connect(self.animate_filter)
        self._model_changed()
        self.playground.state.problem.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.playground.state.lessonChanged.connect(self._lesson_changed)
        self.playground.state.undo_stack.cleanChanged.connect(self._update_title)
        self._restore_settings()
        self._tab_changed(self.tabs.currentIndex())

    # ----- actions -------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        # Call the slot without Qt's "checked" argument, which would land in an optional path.
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _create_actions(self) -> None:
        state, player = self.playground.state, self.playground.player
        self.open_lesson_action = self._action(
            "&Open Lesson File…", self.open_lesson_file, QKeySequence.StandardKey.Open,
            "Open a lesson saved from the playground",
        )  # fmt: skip
        self.save_lesson_action = self._action(
            "&Save Lesson As…", self.save_lesson_file, QKeySequence.StandardKey.Save,
            "Save the playground (input, filters, parameters) as a lesson file",
        )  # fmt: skip
        self.export_png_action = self._action(
            "Export View as &PNG…", self.export_view_png, "Ctrl+E",
            "Save a picture of the current view, for slides",
        )  # fmt: skip
        self.export_gif_action = self._action(
            "Export Animation as &GIF…", self.export_animation_gif, "Ctrl+Shift+E",
            "Save the playground's animation as an animated GIF",
        )  # fmt: skip
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        # One Undo/Redo for both modes: the playground's edits or the digit lab's strokes,
        # whichever tab is showing.
        self.undo_group = QUndoGroup(self)
        self.undo_group.addStack(state.undo_stack)
        self.undo_group.addStack(self.digit_lab.undo_stack)
        self.undo_group.setActiveStack(state.undo_stack)
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.open_image_action = self._action(
            "Open &Image…", self.open_image, "Ctrl+I",
            "Use a PNG or JPEG of a digit (light or dark background) as the input",
        )  # fmt: skip
        self.open_model_action = self._action(
            "Open &Model…", self.open_model, "Ctrl+M",
            "Use another ONNX image classifier in the digit lab",
        )  # fmt: skip
        self.play_action = self._action("&Play / Pause", player.toggle, "Space")
        self.forward_action = self._action("Step &Forward", lambda: state.step(1), "Right")
        self.back_action = self._action("Step &Back", lambda: state.step(-1), "Left")
        self.start_action = self._action("To &Start", state.to_start, "Home")
        self.end_action = self._action("To &End", state.to_end, "End")
        self.step_actions = (
            self.play_action, self.forward_action, self.back_action, self.start_action,
            self.end_action,
        )  # fmt: skip
        self.show_playground_action = self._action(
            "&Playground", lambda: self.tabs.setCurrentIndex(PLAYGROUND_TAB), "Ctrl+1"
        )
        self.show_digits_action = self._action(
            "&Digit Lab", lambda: self.tabs.setCurrentIndex(DIGITS_TAB), "Ctrl+2"
        )
        self.lesson_actions = QActionGroup(self)
        for item in all_lessons():
            action = self._action(item.title, partial(self.load_lesson, item))
            action.setCheckable(True)
            action.setData(item.id)
            action.setStatusTip(item.explanation[:140])
            self.lesson_actions.addAction(action)
        self.about_action = self._action("&About CNN Visualizer", self.show_about)
        self.keys_action = self._action("&Keyboard Shortcuts", self.show_keys, "F1")

    def _create_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addAction(self.open_lesson_action)
        self.file_menu.addAction(self.save_lesson_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.open_image_action)
        self.file_menu.addAction(self.open_model_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.export_png_action)
        self.file_menu.addAction(self.export_gif_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        view = bar.addMenu("&View")
        view.addAction(self.show_playground_action)
        view.addAction(self.show_digits_action)
        view.addSeparator()
        for action in self.step_actions:
            view.addAction(action)
        lessons = bar.addMenu("&Lessons")
        for action in self.lesson_actions.actions():
            lessons.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.keys_action)
        help_menu.addAction(self.about_action)

    def _create_toolbar(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.lesson_picker = QComboBox()
        self.lesson_picker.setMinimumWidth(320)
        for item in all_lessons():
            self.lesson_picker.addItem(item.title, item.id)
        self.lesson_picker.activated.connect(
            lambda i: self.load_lesson(lesson(str(self.lesson_picker.itemData(i))))
        )
        toolbar.addWidget(QLabel(" Lesson "))
        toolbar.addWidget(self.lesson_picker)
        toolbar.addSeparator()
        for action in (
            self.open_lesson_action, self.save_lesson_action, self.open_image_action,
            self.undo_action, self.redo_action, self.export_png_action,
        ):  # fmt: skip
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    # ----- lessons and files ---------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the playground's edits may be replaced: saved, discarded, or none made."""
        if self.playground.state.undo_stack.isClean():
            return True
        buttons = QMessageBox.StandardButton
        choice = QMessageBox.question(
            self, "Unsaved changes",
            "The playground has changes that are not saved in a lesson file.\n"
            "Save them before going on?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
        )  # fmt: skip
        if choice == buttons.Save:
            return self.save_lesson_file()
        return choice == buttons.Discard

    def load_lesson(self, item: Lesson) -> bool:
        """Open a lesson from the registry (after asking about unsaved edits)."""
        if not self.confirm_discard():
            self._lesson_changed()  # the menus go back to the lesson still shown
            return False
        self.playground.player.pause()
        self.playground.state.load_lesson(item)
        self.tabs.setCurrentIndex(PLAYGROUND_TAB)
        self.playground.steps.scrubber.setFocus()
        return True

    def _lesson_changed(self) -> None:
        context = self.playground.state.context
        for action in self.lesson_actions.actions():
            action.setChecked(action.data() == context.id)
        index = self.lesson_picker.findData(context.id)
        self.lesson_picker.blockSignals(True)
        if index >= 0:
            self.lesson_picker.setCurrentIndex(index)
        else:
            self.lesson_picker.setCurrentIndex(-1)
            self.lesson_picker.setPlaceholderText(context.title)
        self.lesson_picker.blockSignals(False)
        self._update_title(True)

    def _update_title(self, clean: bool) -> None:
        context = self.playground.state.context
        edited = "" if clean else " (edited)"
        self.setWindowTitle(f"{TITLE} — {context.title}{edited}")

    def open_lesson_file(self, path: str | None = None) -> bool:
        """Load a lesson file; a bad one is refused with a dialog and nothing changes."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open Lesson File", "", LESSON_FILTER)
            if not path:
                return False
        try:
            spec, title, explanation = load_lesson(path)
        except LessonFileError as exc:
            QMessageBox.warning(
                self, "Cannot open the lesson",
                f"{exc}\n\nThe playground keeps what it showed before.",
            )  # fmt: skip
            return False
        if not self.confirm_discard():
            return False
        self.playground.player.pause()
        self.playground.state.load_spec(spec, title or Path(path).stem, explanation)
        self.tabs.setCurrentIndex(PLAYGROUND_TAB)
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def save_lesson_file(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save Lesson As", "lesson.json", LESSON_FILTER
            )
            if not path:
                return False
        context = self.playground.state.context
        try:
            save_lesson(path, self.playground.state.spec, title=context.title,
                        explanation=context.explanation)  # fmt: skip
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save the lesson", f"{path}: {exc.strerror or exc}")
            return False
        self.playground.state.undo_stack.setClean()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_view_png(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export View", "view.png", "PNG (*.png)")
            if not path:
                return False
        target = self.tabs.currentWidget()
        if not export_png(target, path):
            QMessageBox.warning(self, "Cannot export", f"Could not write {path}.")
            return False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_animation_gif(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export Animation", "animation.gif", "GIF (*.gif)"
            )
            if not path:
                return False
        self.tabs.setCurrentIndex(PLAYGROUND_TAB)
        self.playground.player.pause()
        try:
            frames = export_gif(self.playground, path, self.playground.player.speed, parent=self)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot export", f"{path}: {exc}")
            return False
        if frames:
            self.statusBar().showMessage(f"Saved {path} ({frames} frames)", 5000)
        return frames > 0

    # ----- mode switching, help ------------------------------------------------------------
    def open_image(self, path: str | None = None) -> bool:
        """An image file as the input of the mode on show."""
        if self.tabs.currentIndex() == DIGITS_TAB:
            return bool(self.digit_lab.open_image(path))
        return self.playground.open_image(path)

    def open_model(self, path: str | None = None) -> bool:
        """Another ONNX classifier for the digit lab (a bad one keeps the current model)."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open Model", "", "ONNX models (*.onnx);;All files (*)"
            )
            if not path:
                return False
        self.tabs.setCurrentIndex(DIGITS_TAB)
        return bool(self.digit_lab.load_model(path))

    def _model_changed(self) -> None:
        self.status_model.setText(self.digit_lab.model_summary())

    def animate_filter(self, layer: str, filter_index: int) -> bool:
        """Put a learned first-layer filter and the digit the network saw into the playground."""
        model = self.digit_lab.model
        if model is None:
            return False
        try:
            replay = replay_filter(model, layer, filter_index, self.digit_lab.prepared_image)
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot animate this filter", str(exc))
            return False
        if not self.confirm_discard():
            return False
        self.playground.player.pause()
        self.playground.state.load_replay(replay)
        self.tabs.setCurrentIndex(PLAYGROUND_TAB)
        self.playground.steps.scrubber.setFocus()
        self.statusBar().showMessage(self.playground.state.replay_comparison(), 10000)
        return True

    def _tab_changed(self, index: int) -> None:
        playground = index == PLAYGROUND_TAB
        if playground:
            # Keyboard focus on the scrubber: it leaves Space, Left, Right, Home and End to
            # the step actions (a spin box would take them as typing).
            self.playground.steps.scrubber.setFocus()
        self.undo_group.setActiveStack(
            self.playground.state.undo_stack if playground else self.digit_lab.undo_stack
        )
        for action in (*self.step_actions, self.export_gif_action):
            action.setEnabled(playground)
        if not playground:
            self.playground.player.pause()

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About CNN Visualizer",
            "<h3>CNN Visualizer</h3><p>Step through a convolution cell by cell, watch ReLU "
            "and pooling happen, draw a digit and look inside a real trained CNN.</p>"
            "<p>For students and instructors of introductory deep-learning courses. The "
            "lessons are the worked examples of the course slides.</p>",
        )  # fmt: skip

    def show_keys(self) -> None:
        QMessageBox.information(
            self, "Keyboard shortcuts",
            "Space — play / pause\nLeft / Right — one step back / forward\n"
            "Home / End — first / last step\nCtrl+Z / Ctrl+Shift+Z — undo / redo\n"
            "Ctrl+O / Ctrl+S — open / save a lesson file\nCtrl+E — export the view as PNG\n"
            "Ctrl+1 / Ctrl+2 — playground / digit lab\n"
            "Esc or Delete (digit lab) — clear the drawing",
        )  # fmt: skip

    # ----- settings ------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        window_state = settings.value("window/state")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        self.playground.default_sizes(self.width(), self.height())
        for splitter in self._splitters():
            saved = settings.value(f"splitters/{splitter.objectName()}")
            if isinstance(saved, QByteArray):
                splitter.restoreState(saved)
        speed = settings.value("playground/speed", 4)
        with contextlib.suppress(TypeError, ValueError):
            self.playground.steps.speed.setValue(int(speed))  # type: ignore[call-overload]
        lesson_id = str(settings.value("playground/lesson", all_lessons()[0].id))
        try:
            self.playground.state.load_lesson(lesson(lesson_id))
        except ValueError:
            self.playground.state.load_lesson(all_lessons()[0])
        tab = settings.value("window/tab", PLAYGROUND_TAB)
        self.tabs.setCurrentIndex(DIGITS_TAB if str(tab) == str(DIGITS_TAB) else PLAYGROUND_TAB)

    def _splitters(self) -> list[QSplitter]:
        """The resizable panels whose sizes are remembered."""
        found = [self.playground.columns, self.playground.bottom, self.playground.rows]
        found += [s for s in self.digit_lab.findChildren(QSplitter) if s.objectName()]
        return found

    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for splitter in self._splitters():
            settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        settings.setValue("playground/speed", self.playground.steps.speed.value())
        lesson_id = self.playground.state.context.id
        if lesson_id not in ("custom", "file"):
            settings.setValue("playground/lesson", lesson_id)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.playground.player.pause()
        self.save_settings()
        super().closeEvent(event)
