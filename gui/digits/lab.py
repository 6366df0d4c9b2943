"""DigitLab: draw a digit (or open a picture), watch a CNN classify it live, look inside it.

The lab is a view of the engine's ``LabState`` (engine/network/lab_state.py): it holds the
current state, asks the engine for a new one whenever something happens (a stroke, a new
model, a new preprocessing, the mouse over a cell) and paints it; it computes nothing itself.
It also owns the drawing's undo stack. Every change of the drawing asks for one update, and
updates are coalesced (a 0 ms single-shot timer) so that a burst of mouse moves costs one
preparation (``to_mnist``) and one ONNX Runtime run (``run_model``), never a queue.

A digit model (28×28×1) gets the canvas; any other image classifier gets a picture panel
instead (open or drop a picture; it is fitted to the model's input). Keras files are converted
to ONNX in a child process (``KerasConversion``) while the lab keeps working.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine import ModelError, load_canvas, to_mnist
from engine.drawings.digit_shift import clamp_shift, shift_text
from engine.drawings.image_files import load_picture
from engine.drawings.samples import load_samples
from engine.network.epoch_snapshots import epoch_snapshots
from engine.network.keras_files import (
    KERAS_SUFFIXES,
    check_keras_file,
    converted_path,
    is_keras_file,
    up_to_date,
)
from engine.network.lab_state import LabState
from engine.network.layer_text import filter_name, shape_text
from engine.network.remembered_inputs import RememberedInputs
from engine.network.summary import summary_text
from gui.digits.arithmetic_dialog import ArithmeticDialog
from gui.digits.canvas_edit import CanvasEdit
from gui.digits.canvas_image import blank_paper, fitted_on_paper, picture_of
from gui.digits.compare_panel import DENSE, NOTHING, OTHER, ComparePanel
from gui.digits.draw_panel import DrawPanel
from gui.digits.epoch_bar import EpochBar
from gui.digits.input_panel import InputPanel
from gui.digits.keras_conversion import KerasConversion
from gui.digits.network_panel import NetworkPanel
from gui.digits.picture_panel import PicturePanel
from gui.digits.prediction_panel import PredictionPanel
from gui.digits.problem_panel import ProblemPanel
from gui.digits.shift_chart import ShiftChartDialog
from gui.digits.shift_edit import ShiftEdit
from gui.digits.summary_dialog import SummaryDialog
from gui.widgets import caption_label
from models import DENSE_MODEL_PATH

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QResizeEvent

    from engine import OnnxModel
    from engine.drawings.digit_shift import Framing
    from engine.drawings.samples import Samples
    from engine.network.epoch_snapshots import EpochSnapshots
    from engine.network.hover_text import HoverText
    from engine.network.preprocessing import Preprocessing
    from engine.network.remembered_inputs import Fit
    from gui.digits.canvas_edit import CanvasChange

UNDO_LIMIT = 100
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"
MODEL_SUFFIXES = (".onnx", *KERAS_SUFFIXES)
ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
MODEL_FILTER = "Models (*.onnx *.keras *.h5 *.hdf5);;ONNX models (*.onnx);;All files (*)"
INPUT_VIEW_SHARE = 0.27  # of the lab's height, for the 28×28 view
INPUT_VIEW_MIN, INPUT_VIEW_MAX = 140, 300
ANSWER_SHARE = 0.3  # of the lab's height, for the answer and its bars
ANSWER_MIN, ANSWER_MAX = 180, 280
EMPTY_HINT = "Draw a digit here"
PICTURE_EMPTY = "open a picture"
ARROWS = (
    (Qt.Key.Key_Left, 0, -1),
    (Qt.Key.Key_Right, 0, 1),
    (Qt.Key.Key_Up, -1, 0),
    (Qt.Key.Key_Down, 1, 0),
)
"""The arrow keys move the network's input by one pixel: (key, rows, cols)."""
WARNING_STYLE = "color: #8a1c1c; background: #fdecea; border-radius: 4px; padding: 4px;"


class DigitLab(QWidget):
    """The lab page: the input (canvas or picture) on the left, answer and layers on the right."""

    modelChanged = Signal()
    """A new model is in use."""
    animateFilterRequested = Signal(str, int)
    """The user asked to animate filter k of the first conv layer: (layer name, k)."""
    statusMessage = Signal(str)
    """A short message for the status bar."""

    def __init__(
        self,
        model_path: str | None = None,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack | None = None,
    ) -> None:
        super().__init__(parent)
        # The window's mode may own the stack (it exists before the lab is built).
        self.undo_stack = QUndoStack(self) if undo_stack is None else undo_stack
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._next_sample: dict[int, int] = {}
        self._samples, samples_problem = _gallery()
        self.inputs = RememberedInputs()
        digits = [] if self._samples is None else self._samples.one_per_class()
        self._state = LabState.start(digits, samples=self._samples, inputs=self.inputs)
        self.start_problem: str | None = None
        """Why the model given at start (the command line's --model) was refused, if it was."""
        self.conversion = KerasConversion(self)
        self.arithmetic = ArithmeticDialog(self)
        self._run: EpochSnapshots | None = None
        """The training run the model belongs to (its epoch snapshots), None if none."""
        self.shift_chart: ShiftChartDialog | None = None
        """The shift chart, once asked for (it measures in a worker thread)."""
        self._arithmetic_of: tuple[str | None, int | None] | None = None
        """What the arithmetic window shows: (dense layer or None for the answer, unit or
        None for the top class); None when it is closed."""

        self.draw = DrawPanel(self._samples, self.undo_stack)
        self.canvas = self.draw.canvas
        self.picture = PicturePanel()
        self.input = InputPanel()
        self.compare = ComparePanel()
        self.epochs = EpochBar()
        self.prediction_panel = PredictionPanel()
        self.network = NetworkPanel()
        self.problem = ProblemPanel()
        self.warning = caption_label(size=10)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)  # the text names the model's file
        self.warning.setStyleSheet(WARNING_STYLE)
        # Its long line must not widen the right column: it wraps to the column's width.
        self.warning.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.warning.hide()
        self._build_layout()
        self._connect()
        self.setFocusProxy(self.canvas)
        self.setAcceptDrops(True)

        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(0)
        self._update_timer.timeout.connect(self._update_now)
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.clear)
        for key, rows, cols in ARROWS:
            shortcut = QShortcut(QKeySequence(key), self.canvas)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)  # the boxes keep their keys
            shortcut.activated.connect(lambda r=rows, c=cols: self.move_input(r, c))

        if model_path is not None and is_keras_file(model_path):
            self._show_problem(f"Converting {model_path} to ONNX…")
            self.load_model(model_path)
        else:
            try:
                state = self._state.with_model_file(model_path)
            except Exception as exc:  # whatever a model file does, the lab must come up
                self.start_problem = _problem_text(exc)
                self._show_problem(self.start_problem)
            else:
                self._use_model(state)
        self._update_now()
        if self._state.digits:  # the dense network is offered, and shown, from the start
            self.set_comparison(str(DENSE_MODEL_PATH), quiet=True)
        if samples_problem:
            self.statusMessage.emit(samples_problem)

    # ----- building ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.setSpacing(8)
        self.source = QStackedWidget()  # the canvas (digit models) or the picture (others)
        self.source.addWidget(self.draw)
        self.source.addWidget(self.picture)
        left_column.addWidget(self.source, 1)
        left_column.addWidget(self.input)
        self._results_page = results = QWidget()
        right_column = QVBoxLayout(results)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.setSpacing(8)
        right_column.addWidget(self.warning)
        right_column.addWidget(self.epochs)
        right_column.addWidget(self.prediction_panel, 1)
        right_column.addWidget(self.compare)
        right_column.addWidget(self.network, 3)
        self.results = QStackedWidget()
        self.results.addWidget(results)
        self.results.addWidget(self.problem)
        self.columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns.setObjectName("digitLabColumns")
        self.columns.setChildrenCollapsible(False)
        self.columns.addWidget(left)
        self.columns.addWidget(self.results)
        self.columns.setStretchFactor(0, 2)
        self.columns.setStretchFactor(1, 3)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(self.columns)

    def _connect(self) -> None:
        self.canvas.inkChanged.connect(self._schedule_update)
        self.canvas.strokeFinished.connect(self._stroke_finished)
        self.draw.clear_button.clicked.connect(self.clear)
        self.draw.open_button.clicked.connect(lambda: self.open_image())
        self.draw.gallery.sampleChosen.connect(self._sample_clicked)
        self.picture.open_button.clicked.connect(lambda: self.open_image())
        self.picture.clear_button.clicked.connect(self.clear)
        self.network.cellHovered.connect(self._cell_hovered)
        self.network.unitHovered.connect(self._unit_hovered)
        self.network.unitClicked.connect(self.show_arithmetic)
        self.prediction_panel.answerClicked.connect(lambda: self.show_arithmetic(None, None))
        self.prediction_panel.classClicked.connect(lambda k: self.show_arithmetic(None, k))
        self.arithmetic.finished.connect(self._arithmetic_closed)
        self.network.hoverLeft.connect(self._hover_left)
        self.network.animateRequested.connect(self._animate)
        self.network.summary_button.clicked.connect(self.show_summary)
        self.input.view.pixelHovered.connect(self._pixel_hovered)
        self.input.view.hoverLeft.connect(self._hover_left)
        self.input.setup.preprocessingChosen.connect(self.set_preprocessing)
        self.input.setup.fitChosen.connect(self.set_fit)
        self.problem.open_button.clicked.connect(self._choose_model)
        self.compare.compareChosen.connect(self._compare_chosen)
        self.compare.framingChosen.connect(self.set_framing)
        self.compare.chartRequested.connect(self.show_shift_chart)
        self.epochs.epochChosen.connect(self.show_epoch)
        self.compare.shiftReset.connect(lambda: self.move_input(*(-v for v in self._state.shift)))
        self.conversion.progress.connect(self.statusMessage)
        self.conversion.finished.connect(self.load_model)
        self.conversion.failed.connect(self._conversion_failed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Give the network's input and the answer about a quarter of the height each.

        The canvas and the layers keep most of a small screen.
        """
        super().resizeEvent(event)
        share = round(self.height() * INPUT_VIEW_SHARE)
        self.input.view.set_max_height(max(INPUT_VIEW_MIN, min(INPUT_VIEW_MAX, share)))
        share = max(ANSWER_MIN, min(ANSWER_MAX, round(self.height() * ANSWER_SHARE)))
        needed = self.prediction_panel.minimumSizeHint().height()  # the big answer, unclipped
        self.prediction_panel.setMaximumHeight(max(needed, share))

    # ----- the public interface ------------------------------------------------------------
    @property
    def state(self) -> LabState:
        """The lab's current state (the engine's snapshot the widgets show)."""
        self._flush()
        return self._state

    @property
    def model(self) -> OnnxModel | None:
        """The model in use (None if none could be loaded)."""
        return None if self._state.model is None else self._state.model.model

    @property
    def prepared_image(self) -> NDArray[np.float32]:
        """The network's current input picture in 0..1 (zeros when there is nothing).

        (28, 28) for a digit model, else the model's (H, W, C).
        """
        return self.state.image

    @property
    def prediction(self) -> tuple[str, float] | None:
        """(class label, probability) of the top class, None when there is no input."""
        prediction = self.state.prediction
        return None if prediction is None else (prediction.label, prediction.probability)

    def model_summary(self) -> str:
        """For the status bar: name, input shape and test accuracy of the model."""
        model = self._state.model
        return "No model loaded" if model is None else model.summary

    def summary_text(self) -> str:
        """The model's summary as ``--summary`` prints it ("" with no model)."""
        model = self._state.model
        return "" if model is None else summary_text(model.model, model.choice)

    def show_summary(self) -> None:
        """Show the model's summary (layers, shapes, parameters, input) in a dialog."""
        model = self._state.model
        if model is not None:
            title = f"Summary of {model.model.name}"
            SummaryDialog(title, summary_text(model.model, model.choice), self).open()

    def load_model(self, path: str) -> bool:
        """Use the model at ``path``; a bad one is refused with a dialog, the old one stays.

        The new model is run on the input before it replaces anything. A Keras file (.keras,
        .h5) is converted to ONNX in a child process first: this returns False at once and
        ``modelChanged`` follows when the converted model is in use.
        """
        self._flush()
        if is_keras_file(path):
            try:  # a FIFO or a huge file would stall the converter: refused before it starts
                check_keras_file(path)
            except (OSError, ModelError) as exc:
                self._refuse_model(_problem_text(exc))
                return False
        if is_keras_file(path) and not up_to_date(path):
            self._convert(path)
            return False
        if is_keras_file(path):
            path = str(converted_path(path))
        try:
            state = self._state.with_model_file(path)
        except Exception as exc:  # a user's file may fail in any way; the old model stays
            self._refuse_model(_problem_text(exc))
            return False
        self._use_model(state)
        self.modelChanged.emit()
        self.statusMessage.emit(f"Model: {self.model_summary()}")
        return True

    def _refuse_model(self, problem: str) -> None:
        old = self._state.model
        keep = (
            f"The lab keeps using {old.model.name}."
            if old is not None
            else "The lab still has no model."
        )
        QMessageBox.warning(self, "Cannot use this model", f"{problem}\n\n{keep}")

    def open_image(self, path: str | None = None) -> bool:
        """Put a picture (PNG, JPEG...) in front of the model.

        A digit model gets it on the canvas (light or dark background, prepared like MNIST);
        any other model gets it fitted to its input.
        """
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open a picture", "", IMAGE_FILTER)
            if not path:
                return False
        if not self._state.digits:
            return self._open_picture(path)
        try:
            ink = load_canvas(path)
        except (ValueError, MemoryError) as exc:  # MemoryError: a huge picture's pixels
            QMessageBox.warning(
                self, "Cannot open the picture",
                f"{_picture_problem(exc, path)}\n\nThe drawing stays as it was.",
            )  # fmt: skip
            return False
        # The network sees the file as --classify does (not the picture redrawn on the canvas),
        # so both give the same answer; the canvas keeps that input until the picture is edited.
        self._put_picture(picture_of(ink), f"Open {Path(path).name}", to_mnist(ink))
        if self._state.prediction is None:
            self.statusMessage.emit(f"{Path(path).name}: no digit found (no contrast)")
        else:
            self.statusMessage.emit(f"Opened {Path(path).name}")
        return True

    def _open_picture(self, path: str) -> bool:
        """An image model's picture: fitted to its input, run."""
        try:
            state = self._state.with_picture(load_picture(path))
        except (ValueError, MemoryError) as exc:  # MemoryError: a huge picture's pixels
            QMessageBox.warning(
                self, "Cannot open the picture",
                f"{_picture_problem(exc, path)}\n\nThe picture stays as it was.",
            )  # fmt: skip
            return False
        self._show(state)
        self.statusMessage.emit(f"Opened {Path(path).name}")
        return True

    def load_sample(self, label: int, index: int = 0) -> bool:
        """Put sample ``index`` of digit ``label`` from the gallery on the canvas, scaled up."""
        if self._samples is None:
            self.statusMessage.emit("The sample gallery could not be read")
            return False
        if not self._state.digits:
            self.statusMessage.emit("This model takes pictures, not MNIST digits")
            return False
        try:
            choice = self._samples.choose(label, index)
        except ValueError as exc:
            self.statusMessage.emit(str(exc))
            return False
        self._put_picture(picture_of(choice.image), f"Sample {label}")
        self._next_sample[label] = choice.next_index
        self.statusMessage.emit(choice.caption)
        return True

    def clear(self) -> None:
        """Empty the canvas (undoable), or take away the opened picture."""
        if not self._state.digits:
            self._show(self._state.without_input())
            self.statusMessage.emit("Cleared the picture")
            return
        if not self.canvas.ink().any():
            return
        self._push(self.canvas.replace(blank_paper()), "Clear")
        self._update_now()
        self.statusMessage.emit("Cleared the drawing")

    def set_preprocessing(self, preprocessing: Preprocessing) -> bool:
        """Feed the model another way (the user's choice), remembered for its file."""
        model = self._state.model
        if model is None:
            return False
        try:
            state = self._state.with_preprocessing(preprocessing)
        except Exception as exc:  # a user's model may fail on the new input
            QMessageBox.warning(self, "Cannot use this input range", _problem_text(exc))
            self.input.setup.show_choice(model.choice, model.model.input_shape[2])
            return False
        self._remember(preprocessing=preprocessing)
        self._use_model(state)
        self.statusMessage.emit(
            f"Input {preprocessing.text(state.digits)}, remembered for this model"
        )
        return True

    def set_fit(self, fit: Fit) -> bool:
        """Fit pictures another way (centre crop or letterbox), remembered for the model file."""
        if self._state.model is None:
            return False
        self._show(self._state.with_fit(fit))
        self._remember(fit=fit)
        return True

    # ----- why convolution: a second model, the framing, moving the input ----------------
    def set_comparison(self, path: str | None, *, quiet: bool = False) -> bool:
        """Run the model at ``path`` beside the lab's own on every input (None: stop).

        A file the lab cannot use is refused with a dialog (``quiet``: in the status bar) and
        the comparison stays as it was.
        """
        self._flush()
        if path is None:
            self._show(self._state.without_comparison())
            self.compare.show_choice(NOTHING)
            return True
        try:
            state = self._state.with_comparison(path)
        except Exception as exc:  # a user's file may fail in any way; the old choice stays
            problem = _problem_text(exc)
            if quiet:
                self.statusMessage.emit(f"No comparison: {problem}")
            else:
                QMessageBox.warning(self, "Cannot compare with this model", problem)
            self._show_compare_choice()
            return False
        self._show(state)
        self._show_compare_choice()
        return True

    def _show_compare_choice(self) -> None:
        comparison = self._state.comparison
        if comparison is None:
            self.compare.show_choice(NOTHING)
        else:
            dense = Path(comparison.model.model.path).resolve() == DENSE_MODEL_PATH.resolve()
            self.compare.show_choice(DENSE if dense else OTHER)

    def _compare_chosen(self, choice: int) -> None:
        self.canvas.setFocus()  # the arrow keys move the input again, not the box's choice
        if choice == NOTHING:
            self.set_comparison(None)
        elif choice == DENSE:
            self.set_comparison(str(DENSE_MODEL_PATH))
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Compare with", "", ONNX_FILTER)
            if path:
                self.set_comparison(path)
            else:
                self._show_compare_choice()

    def show_epoch(self, index: int) -> bool:
        """Use the training run's snapshot ``index`` (0: the untrained network) as the model.

        The drawing stays: the answer and the feature maps are the network's after that epoch.
        False when there is no run or the snapshot cannot be used (the model stays).
        """
        run = self._run
        if run is None or not 0 <= index < len(run.epochs):
            return False
        if self.load_model(str(run.at(index).path)):
            return True
        model = self.model
        self.epochs.show_run(run, None if model is None else model.accuracy)  # back to the old
        return False

    def show_shift_chart(self) -> ShiftChartDialog | None:
        """Open the shift chart for the lab's model and the compared one (measured once).

        None when there is no digit model to measure.
        """
        state = self._state
        if state.model is None or not state.digits:
            self.statusMessage.emit("The shift chart measures digit models only")
            return None
        models = [(state.model.model.path, state.model.choice.preprocessing)]
        if state.comparison is not None:
            second = state.comparison.model
            models.append((second.model.path, second.choice.preprocessing))
        self.stop_shift_chart()
        self.shift_chart = ShiftChartDialog(models, self)
        self.shift_chart.show()
        self.shift_chart.start()
        return self.shift_chart

    def stop_shift_chart(self) -> None:
        """Stop the shift chart's measurement, if one is running, and close it."""
        if self.shift_chart is not None:
            self.shift_chart.stop()
            self.shift_chart.close()
            self.shift_chart.deleteLater()
            self.shift_chart = None

    def set_framing(self, framing: Framing) -> None:
        """Feed the drawing centred like MNIST ("mnist") or the whole canvas as it is ("raw")."""
        self._flush()
        self._show(self._state.with_framing(framing))
        self.compare.show_framing(framing)
        self.canvas.setFocus()  # the arrow keys move the input again, not the box's choice

    def move_input(self, rows: int, cols: int) -> None:
        """Move the network's 28×28 input by (rows, cols) pixels (undoable, like a stroke)."""
        if not self._state.digits or self._state.model is None:
            return
        before = self._state.shift
        after = clamp_shift(before[0] + rows, before[1] + cols)
        if after == before:
            return
        self.undo_stack.push(ShiftEdit(self._apply_shift, before, after, "Move the input"))

    def _apply_shift(self, shift: tuple[int, int]) -> None:
        self._flush()
        self._show(self._state.with_shift(*shift))

    def _remember(self, **choices: object) -> None:
        model = self.model
        if model is None:
            return
        try:
            self.inputs.remember(model.sha256, **choices)  # type: ignore[arg-type]
        except OSError as exc:
            self.statusMessage.emit(f"Could not remember the choice: {exc}")

    def show_arithmetic(self, layer: str | None, unit: int | None) -> None:
        """Show how unit ``unit`` of dense ``layer`` was computed for the current input.

        ``layer`` None: a class's probability (its logit, then softmax); ``unit`` None: the
        class the network answers. The window follows the drawing until it is closed.
        """
        self._arithmetic_of = (layer, unit)
        self._refresh_arithmetic()
        self.arithmetic.show()
        self.arithmetic.raise_()

    def _arithmetic_closed(self) -> None:
        self._arithmetic_of = None

    def _refresh_arithmetic(self) -> None:
        if self._arithmetic_of is None:
            return
        layer, unit = self._arithmetic_of
        state = self._state
        if unit is None:
            unit = 0 if state.prediction is None else state.prediction.index
        labels = () if state.model is None else state.model.model.class_labels
        if layer is None:
            label = labels[unit] if unit < len(labels) else str(unit)
            title = f"How the network scores class {label}"
        else:
            title = f"How unit {unit} of {layer} is computed"
        self.arithmetic.show_text(title, state.arithmetic_text(layer, unit))

    # ----- models --------------------------------------------------------------------------
    def _use_model(self, state: LabState) -> None:
        """Show a state with a new model (or a new input set-up): rows, bars, input, values."""
        model = state.model
        assert model is not None  # only states made by with_model come here
        onnx_model = model.model
        self.network.set_model(model)
        self.prediction_panel.set_labels(onnx_model.class_labels)
        self.prediction_panel.set_empty_text("draw a digit" if model.digits else PICTURE_EMPTY)
        size = shape_text(onnx_model.input_shape)
        self.input.set_input(state.image.shape, digits=model.digits, size=size)
        self.input.setup.show_choice(model.choice, onnx_model.input_shape[2])
        self.warning.setText(model.choice.warning or "")
        self.warning.setVisible(model.choice.warning is not None)
        self.picture.set_model_size(size)
        self._run = epoch_snapshots(onnx_model.path)
        self.epochs.show_run(self._run, onnx_model.accuracy)
        if not model.digits:  # the second model compares drawings only
            self.compare.show_comparison(None)
        self.compare.setEnabled(model.digits)
        self.source.setCurrentWidget(self.draw if model.digits else self.picture)
        self.results.setCurrentWidget(self._results_page)
        self._show(state)
        self._show_hover(state)  # the old model's hover is gone

    def _show_problem(self, text: str) -> None:
        self.problem.show_text(text)
        self.results.setCurrentWidget(self.problem)
        self.statusMessage.emit("No model: the lab cannot classify")

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model", "", MODEL_FILTER)
        if path:
            self.load_model(path)

    # ----- Keras files ---------------------------------------------------------------------
    def cancel_conversion(self) -> None:
        """End a Keras conversion in progress (its progress dialog closes; nothing is loaded)."""
        if self.conversion.running:
            self.conversion.cancel()
            self.statusMessage.emit("Conversion cancelled")

    @property
    def converting(self) -> bool:
        """True while a Keras file is being converted in a child process."""
        return self.conversion.running

    def _convert(self, path: str) -> None:
        """Start converting a Keras file in a child process (it shows its progress)."""
        if self.conversion.running:
            self.statusMessage.emit("A Keras model is being converted already")
            return
        self.conversion.start(path, self)
        self.statusMessage.emit(f"Converting {Path(path).name} to ONNX (TensorFlow starts slowly)…")

    def _conversion_failed(self, problem: str) -> None:
        if self._state.model is None:
            self._show_problem(problem)
        self._refuse_model(problem)

    # ----- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dropped file (a picture or a model)."""
        if _dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped model file is opened as the model; anything else as a picture."""
        path = _dropped_file(event.mimeData().urls())
        if path is None:
            return
        event.acceptProposedAction()
        if Path(path).suffix.lower() in MODEL_SUFFIXES:
            self.load_model(path)
        else:
            self.open_image(path)

    # ----- the drawing ---------------------------------------------------------------------
    def _push(self, change: CanvasChange, text: str) -> None:
        self.undo_stack.push(CanvasEdit(self.canvas, change, text))

    def _stroke_finished(self, change: CanvasChange) -> None:
        self._push(change, "Stroke")

    def _put_picture(self, picture: QImage, text: str, origin: object = None) -> None:
        """Put a picture on the canvas (undoable); ``origin``: the network's exact input."""
        self._push(self.canvas.replace(fitted_on_paper(picture), origin), text)
        self._update_now()

    def _sample_clicked(self, label: int) -> None:
        self.load_sample(label, self._next_sample.get(label, 0))

    # ----- updating ------------------------------------------------------------------------
    def _schedule_update(self) -> None:
        if not self._update_timer.isActive():
            self._update_timer.start()

    def _flush(self) -> None:
        if self._update_timer.isActive():
            self._update_now()

    def _update_now(self) -> None:
        """Ask the engine for the state of the current drawing (one run), and paint it."""
        self._update_timer.stop()
        if not self._state.digits:  # the canvas is not the input of this model
            self._show(self._state)
            return
        origin = self.canvas.origin
        # An opened picture, unedited: the input it came from (while the framing is MNIST's).
        given = origin if isinstance(origin, np.ndarray) else None
        self._show(self._state.with_drawing(self.canvas.ink(), given))

    def _show(self, state: LabState) -> None:
        """Make ``state`` the lab's state and paint what it holds."""
        self._state = state
        self.input.view.show_image(state.image)
        # An image model: nothing to compare on (set once, in _use_model).
        if state.digits:
            self.compare.show_comparison(state.comparison)
        self.compare.show_shift(shift_text(*state.shift), moved=any(state.shift))
        self.canvas.set_hint(EMPTY_HINT if state.empty else "")
        if not state.digits:
            self.picture.show_picture(state.picture)
        if state.model is None:
            return
        if state.run is not None and state.answer is not None:
            run = state.run
            self.prediction_panel.show_answer(state.answer, run.probabilities, run.prediction.index)
            self.network.show_activations(run.activations)
        elif state.problem is not None:
            self.prediction_panel.show_problem(state.problem)
        else:
            self.prediction_panel.show_empty()
            self.network.clear_values()
        if state.hover is not None:  # the value under the mouse changed too
            self._show_hover(state)
        self._refresh_arithmetic()

    # ----- hovering, the playground bridge -------------------------------------------------
    def _show_hover(self, state: LabState) -> None:
        hover = state.hover
        if hover is None:
            self.input.view.show_field(None)
            self.input.show_info(None)
            return
        self.input.view.show_field(hover.field)
        self.input.show_info(_rich_text(hover.text))

    def _cell_hovered(self, layer: str, k: int, row: int, col: int) -> None:
        if self._state.model is not None and layer in self.network.rows:
            self._show_hover_of(self._state.with_hover(layer, k, row, col))

    def _unit_hovered(self, layer: str, i: int) -> None:
        if self._state.model is not None and layer in self.network.rows:
            self._show_hover_of(self._state.with_hover(layer, i))

    def _pixel_hovered(self, row: int, col: int) -> None:
        height, width = self._state.image.shape[:2]
        if row < height and col < width:
            self._show_hover_of(self._state.with_pixel_hover(row, col))

    def _hover_left(self) -> None:
        self._show_hover_of(self._state.without_hover())

    def _show_hover_of(self, state: LabState) -> None:
        self._state = state
        self._show_hover(state)

    def _animate(self, layer: str, k: int) -> None:
        self.animateFilterRequested.emit(layer, k)
        self.statusMessage.emit(f"Animating {filter_name(k)} of {layer} in the Playground")


def _dropped_file(urls: list[QUrl]) -> str | None:
    """The first local file among dropped URLs, None if there is none."""
    files = [url.toLocalFile() for url in urls if url.isLocalFile()]
    return files[0] if files else None


def _rich_text(text: HoverText) -> str:
    """Hover text as Qt rich text: strong runs in bold, every run escaped (names are from files)."""
    lines = (
        "".join(f"<b>{escape(run.text)}</b>" if run.strong else escape(run.text) for run in line)
        for line in text.lines
    )
    return "<br>".join(lines)


def _picture_problem(exc: Exception, path: str) -> str:
    """The engine's message (it names the file), or what ran out for a huge picture."""
    if isinstance(exc, MemoryError):
        return f"{path} has too many pixels to open with the memory this computer has free"
    return str(exc)


def _problem_text(exc: Exception) -> str:
    """The engine's messages name the file and the problem; anything else gets its type."""
    if isinstance(exc, (ModelError, ValueError, OSError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "the model needs more memory than this computer has free"
    return f"the model could not be used ({type(exc).__name__}: {exc})"


def _gallery() -> tuple[Samples | None, str]:
    try:
        return load_samples(), ""
    except ValueError as exc:
        return None, f"No sample gallery: {exc}"
