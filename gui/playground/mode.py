"""PlaygroundMode: the playground as a mode of the window, with its lessons and lesson files.

Everything the window offers for the playground lives here: the lesson picker and the Lessons
menu, Open/Save Lesson, the GIF export, the step actions, the question about unsaved edits,
the playground's settings, and the hand-over of a learned filter from another mode
(:meth:`PlaygroundMode.show_replay`). The lesson names of the engine
(``engine.lessons.registry``, ``engine.lessons.file_format``) are used only in this module.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMenu, QMessageBox, QToolBar

from engine.animation.solution import worked_solution
from engine.lessons.file_format import LessonFileError, read_lesson, save_lesson
from engine.lessons.json_form import FILE_LESSON_ID
from engine.lessons.registry import all_lessons, lesson
from engine.lessons.worked import find_lesson, save_solution
from gui.export import (
    DEFAULT_FRAME_SECONDS,
    MAX_FRAME_SECONDS,
    MIN_FRAME_SECONDS,
    export_gif,
    gif_path_problem,
)
from gui.gif_options import ask_frame_seconds
from gui.modes import Mode, ModeContributions, ModeDescription, make_action
from gui.playground.view import PlaygroundView
from gui.settings import read_int, read_text, restore_splitters, save_splitters
from gui.zoom import scaled

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QSettings
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QSplitter

    from engine.lessons.registry import Lesson
    from engine.network.filter_replay import FilterReplay
    from gui.app import LaunchOptions

LESSON_FILTER = "CNN Visualizer lessons (*.json);;All files (*)"
SOLUTION_FILTER = "Markdown (*.md);;All files (*)"
MESSAGE_MS = 5000
REPLAY_MESSAGE_MS = 10000
PROBLEM_MESSAGE_MS = 8000
GIF_FRAME_KEY = "playground/gifFrameMs"


class PlaygroundMode(Mode):
    """The Playground tab: step through a convolution, ReLU and pooling, lesson by lesson."""

    description = ModeDescription(
        name="playground",
        label="Playground",
        title="Playground — step through a convolution",
        shortcut="Ctrl+1",
    )

    def __init__(self, options: LaunchOptions | None = None, parent: QObject | None = None) -> None:
        view = PlaygroundView()
        super().__init__(view, view.state.undo_stack, parent)
        self.view = view
        self.gif_frame_seconds = DEFAULT_FRAME_SECONDS
        """How long each step of an exported GIF shows (remembered in the settings)."""
        self._problem_shown = False
        self._create_actions()
        self.lessons_menu = self._create_lessons_menu()
        self.toolbar = self._create_toolbar()
        state = view.state
        state.problem.connect(self._problem)
        state.specChanged.connect(self._clear_problem)
        state.lessonChanged.connect(self._lesson_changed)
        state.undo_stack.cleanChanged.connect(self.titleChanged)

    def _problem(self, text: str) -> None:
        """A refused edit: say why in the status bar."""
        self._problem_shown = True
        self.statusMessage.emit(text, PROBLEM_MESSAGE_MS)

    def _clear_problem(self) -> None:
        """A change went through: a refusal's message no longer holds."""
        if self._problem_shown:
            self._problem_shown = False
            self.statusMessage.emit("", 0)

    # ----- what the window hosts -----------------------------------------------------------
    def _create_actions(self) -> None:
        state, player = self.view.state, self.view.player
        self.open_lesson_action = make_action(
            self, "&Open Lesson File…", self.open_lesson_file, QKeySequence.StandardKey.Open,
            "Open a lesson saved from the playground",
        )  # fmt: skip
        self.save_lesson_action = make_action(
            self, "&Save Lesson As…", self.save_lesson_file, QKeySequence.StandardKey.Save,
            "Save the playground (input, filters, parameters) as a lesson file",
        )  # fmt: skip
        self.open_lesson_action.setIconText("Open Lesson")  # the toolbar's short names
        self.save_lesson_action.setIconText("Save Lesson")
        self.export_gif_action = make_action(
            self, "Export Animation as &GIF…", self.export_animation_gif, "Ctrl+Shift+E",
            "Save the playground's animation as an animated GIF",
        )  # fmt: skip
        self.export_solution_action = make_action(
            self, "Export Worked &Solution…", self.export_worked_solution, "Ctrl+Shift+S",
            "Save every step of the animation with its arithmetic as Markdown (an answer key)",
        )  # fmt: skip
        self.play_action = make_action(self, "&Play / Pause", player.toggle, "Space")
        self.forward_action = make_action(self, "Step &Forward", lambda: state.step(1), "Right")
        self.back_action = make_action(self, "Step &Back", lambda: state.step(-1), "Left")
        self.start_action = make_action(self, "To &Start", state.to_start, "Home")
        self.end_action = make_action(self, "To &End", state.to_end, "End")
        self.step_actions: tuple[QAction, ...] = (
            self.play_action, self.forward_action, self.back_action, self.start_action,
            self.end_action,
        )  # fmt: skip
        self.lesson_actions = QActionGroup(self)
        for item in all_lessons():
            action = make_action(self, item.title, partial(self.load_lesson, item))
            action.setCheckable(True)
            action.setData(item.id)
            action.setStatusTip(item.explanation[:140])
            self.lesson_actions.addAction(action)

    def _create_lessons_menu(self) -> QMenu:
        menu = QMenu("&Lessons", self.view)
        for action in self.lesson_actions.actions():
            menu.addAction(action)
        return menu

    def _create_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Playground")
        toolbar.setObjectName("playgroundToolbar")
        self.lesson_picker = QComboBox()
        self.lesson_picker.setMinimumWidth(scaled(260))
        for item in all_lessons():
            self.lesson_picker.addItem(item.title, item.id)
        self.lesson_picker.activated.connect(self._picked)
        toolbar.addWidget(QLabel(" Lesson "))
        toolbar.addWidget(self.lesson_picker)
        toolbar.addSeparator()
        toolbar.addAction(self.open_lesson_action)
        toolbar.addAction(self.save_lesson_action)
        return toolbar

    def contributions(self) -> ModeContributions:
        """Open/Save Lesson, the exports, the step actions, the Lessons menu, the picker."""
        return ModeContributions(
            file_document=(self.open_lesson_action, self.save_lesson_action),
            file_export=(self.export_gif_action, self.export_solution_action),
            view=self.step_actions,
            menus=(self.lessons_menu,),
            toolbar=self.toolbar,
        )

    def window_title(self) -> str:
        """The lesson's title, marked "(edited)" while there are unsaved edits."""
        edited = "" if self.view.state.undo_stack.isClean() else " (edited)"
        return f"{self.view.state.context.title}{edited}"

    def opens_images(self) -> bool:
        """An image becomes the playground's input (prepared like MNIST, 28×28)."""
        return True

    def open_image(self, path: str | None = None) -> bool:
        """Put an image file, prepared like MNIST, into the input (undoable)."""
        return self.view.open_image(path)

    def apply(self, options: LaunchOptions) -> None:
        """``--lesson`` opens a lesson or a lesson file, ``--step`` moves to a step.

        Raises:
            ValueError: Neither a lesson id nor a readable lesson file (the message says why
                and lists the lessons).
        """
        if options.lesson is not None:
            self.load_lesson(find_lesson(options.lesson))
        if options.step is not None:
            self.view.state.set_position(options.step)

    def reset_layout(self, width: int, height: int) -> None:
        """The panels' default shares of a window of this size."""
        self.view.default_sizes(width, height)

    def _splitters(self) -> tuple[QSplitter, ...]:
        return (self.view.columns, self.view.bottom, self.view.rows)

    def restore_settings(self, settings: QSettings) -> None:
        """Panel sizes, speed, and the last registry lesson (else the first lesson)."""
        restore_splitters(settings, self._splitters())
        slider = self.view.steps.speed
        speed = read_int(
            settings, "playground/speed", minimum=slider.minimum(), maximum=slider.maximum()
        )
        if speed is not None:  # else the player's own starting speed
            slider.setValue(speed)
        milliseconds = read_int(
            settings, GIF_FRAME_KEY, minimum=round(MIN_FRAME_SECONDS * 1000),
            maximum=round(MAX_FRAME_SECONDS * 1000),
        )  # fmt: skip
        if milliseconds is not None:
            self.gif_frame_seconds = milliseconds / 1000
        items = {item.id: item for item in all_lessons()}
        saved = read_text(settings, "playground/lesson", choices=items)
        first = next(iter(items.values()))
        self.view.state.load_lesson(items.get(saved or "", first))

    def save_settings(self, settings: QSettings) -> None:
        """Panel sizes, speed, and the lesson on show if it is one of the registry's."""
        save_splitters(settings, self._splitters())
        settings.setValue("playground/speed", self.view.steps.speed.value())
        settings.setValue(GIF_FRAME_KEY, round(self.gif_frame_seconds * 1000))
        lesson_id = self.view.state.context.id
        if any(item.id == lesson_id for item in all_lessons()):  # not a file or a replay
            settings.setValue("playground/lesson", lesson_id)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the input, the filters, the maps and the step only.

        The lesson text, the input's tools and gallery and the layer settings come back when
        it ends.
        """
        self.view.set_presentation(on)

    def shown(self) -> None:
        """Give the keyboard focus to the scrubber.

        The scrubber leaves Space, Left, Right, Home and End to the step actions (a spin box
        would take them as typing).
        """
        self.view.steps.scrubber.setFocus()

    def hidden(self) -> None:
        """The animation pauses when the playground is not on show."""
        self.view.player.pause()

    def confirm_close(self) -> bool:
        """Closing asks about unsaved edits, like switching lessons."""
        return self.confirm_discard()

    # ----- lessons and files ---------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the playground's edits may be replaced: saved, discarded, or none made."""
        if self.view.state.undo_stack.isClean():
            return True
        buttons = QMessageBox.StandardButton
        choice = QMessageBox.question(
            self.view, "Unsaved changes",
            "The playground has changes that are not saved in a lesson file.\n"
            "Save them before going on?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
        )  # fmt: skip
        if choice == buttons.Save:
            return self.save_lesson_file()
        return choice == buttons.Discard

    def load_lesson(self, item: Lesson) -> bool:
        """Open a lesson from the registry (after asking about unsaved edits) and show it."""
        if not self.confirm_discard():
            self._lesson_changed()  # the menus go back to the lesson still shown
            return False
        self.view.player.pause()
        self.view.state.load_lesson(item)
        self._present()
        return True

    def _picked(self, index: int) -> None:
        self.load_lesson(lesson(str(self.lesson_picker.itemData(index))))

    def _lesson_changed(self) -> None:
        context = self.view.state.context
        for action in self.lesson_actions.actions():
            action.setChecked(action.data() == context.id)
        index = self.lesson_picker.findData(context.id)
        with QSignalBlocker(self.lesson_picker):
            if index >= 0:
                self.lesson_picker.setCurrentIndex(index)
            else:
                self.lesson_picker.setCurrentIndex(-1)
                self.lesson_picker.setPlaceholderText(context.title)
        self.titleChanged.emit()

    def open_lesson_file(self, path: str | None = None) -> bool:
        """Load a lesson file; a bad one is refused with a dialog and nothing changes."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.view, "Open Lesson File", "", LESSON_FILTER)
            if not path:
                return False
        try:
            item = read_lesson(path)
        except LessonFileError as exc:
            QMessageBox.warning(
                self.view, "Cannot open the lesson",
                f"{exc}\n\nThe playground keeps what it showed before.",
            )  # fmt: skip
            return False
        if not self.confirm_discard():
            return False
        self.view.player.pause()
        # A file's lesson is its own, even when it was saved from a built-in one: its id must
        # not select the built-in lesson in the picker.
        title = item.title or Path(path).stem
        if not self.view.state.load_lesson(replace(item, id=FILE_LESSON_ID, title=title)):
            return False  # refused: ``problem`` said why, and the playground kept its lesson
        self._present()
        self.statusMessage.emit(f"Opened {path}", MESSAGE_MS)
        return True

    def save_lesson_file(self, path: str | None = None) -> bool:
        """Save the set-up as a lesson file; the edits then count as saved."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self.view, "Save Lesson As", "lesson.json", LESSON_FILTER
            )
            if not path:
                return False
        state = self.view.state
        shown = state.lesson_to_save()
        try:
            if shown is not None:  # keep its notes, display rule and exercise
                save_lesson(path, shown)
            else:
                save_lesson(path, state.spec, title=state.context.title,
                            explanation=state.context.explanation)  # fmt: skip
        except OSError as exc:
            QMessageBox.warning(
                self.view, "Cannot save the lesson", f"{path}: {exc.strerror or exc}"
            )
            return False
        except ValueError as exc:  # LessonFileError: the set-up breaks the format's limits
            QMessageBox.warning(self.view, "Cannot save the lesson", str(exc))
            return False
        self.view.state.undo_stack.setClean()
        self.statusMessage.emit(f"Saved {path}", MESSAGE_MS)
        return True

    def export_animation_gif(
        self, path: str | None = None, frame_seconds: float | None = None
    ) -> bool:
        """Render every step (at most 240) of the panels into an animated GIF for slides.

        Args:
            path: The GIF to write (None: ask with a file dialog, then ask how long each step
                shows). A name that does not end in .gif is refused with a message before
                anything is rendered.
            frame_seconds: How long each step shows (None: the last choice, at first 0.5 s).

        Returns:
            True if the GIF was written.
        """
        ask = not path
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self.view, "Export Animation", "animation.gif", "GIF (*.gif)"
            )
            if not path:
                return False
        problem = gif_path_problem(path)
        if problem:
            QMessageBox.warning(self.view, "Cannot export", f"{problem}\n\nNothing was written.")
            return False
        seconds = self.gif_frame_seconds if frame_seconds is None else frame_seconds
        if ask and frame_seconds is None:
            chosen = ask_frame_seconds(seconds, len(self.view.state.timeline), self.view)
            if chosen is None:
                return False
            seconds = chosen
        self.showRequested.emit()
        self.view.player.pause()
        try:
            frames = export_gif(self.view, path, seconds, parent=self.view)
        except OSError as exc:
            QMessageBox.warning(
                self.view, "Cannot export",
                f"{path} could not be written ({exc.strerror or exc}).\n\n"
                "Nothing was written; a file already there is unchanged.",
            )  # fmt: skip
            return False
        except ValueError as exc:
            QMessageBox.warning(self.view, "Cannot export", f"{path}: {exc}")
            return False
        self.gif_frame_seconds = seconds
        if frames:
            self.statusMessage.emit(
                f"Saved {path} ({frames} frames, {seconds:g} s each)", MESSAGE_MS
            )
        return frames > 0

    def export_worked_solution(self, path: str | None = None) -> bool:
        """Write the animation on show, step by step, as Markdown: the numbers the screen shows.

        Built from the state's own frames (``engine.animation.solution``); a file that cannot
        be written is refused with a dialog and nothing is left behind.
        """
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self.view, "Export Worked Solution", "solution.md", SOLUTION_FILTER
            )
            if not path:
                return False
        state = self.view.state
        context = state.context
        text = worked_solution(
            state.shown_animation, title=self.window_title(), explanation=context.explanation,
            source=context.source, notes=context.notes,
        )  # fmt: skip
        try:
            save_solution(path, text)
        except OSError as exc:
            QMessageBox.warning(
                self.view, "Cannot export the worked solution", f"{path}: {exc.strerror or exc}"
            )
            return False
        self.statusMessage.emit(f"Saved {path} ({len(state.shown_animation)} steps)", MESSAGE_MS)
        return True

    # ----- the hand-over from the digit lab ------------------------------------------------
    def show_replay(self, replay: FilterReplay) -> bool:
        """Step through a learned filter on the digit the network saw (the hand-over).

        Asks about unsaved edits first, then says in the status bar how the result compares
        with ONNX Runtime's. Returns False if the user kept the playground as it was.
        """
        if not self.confirm_discard():
            return False
        self.view.player.pause()
        if not self.view.state.load_replay(replay):
            return False  # refused: ``problem`` said why, and the playground kept its lesson
        self._present()
        self.statusMessage.emit(self.view.state.replay_comparison(), REPLAY_MESSAGE_MS)
        return True

    def _present(self) -> None:
        """Ask to be shown, with the keyboard on the scrubber (also when already shown)."""
        self.showRequested.emit()
        self.view.steps.scrubber.setFocus()
