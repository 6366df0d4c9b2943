"""ShiftChartDialog: both networks' accuracy on MNIST test digits moved 0 to 8 pixels.

The numbers are the engine's (``engine.network.shift_accuracy``), measured once per model file
in a worker thread (the window keeps drawing; a progress bar shows how far it is) and kept in
the user's data folder, so the chart opens at once the next time. Drawn with pyqtgraph: per
model a thick line (the mean of the four directions) and a thin one per direction.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine import OnnxModel
from engine.network.shift_accuracy import (
    DIRECTIONS,
    MAX_SHIFT,
    SHIFTS,
    TEST_DIGITS,
    Cancelled,
    ShiftAccuracy,
    cache_file,
    load_test_digits,
    measure_shift_accuracy,
    read_cached,
    shift_summary,
    write_cached,
)
from gui.training.data_folder import data_folder
from gui.widgets import caption_label
from models.training.mnist_source import mnist_file_problem, resolve_data_path

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QCloseEvent

    from engine.network.preprocessing import Preprocessing

COLOURS = (QColor(0, 121, 107), QColor(106, 27, 154))  # the lab's answer colours
WHY = (
    "Why: a convolution slides the same filter over every position and pooling forgets small "
    "moves, while a dense layer has its own weight for every pixel, so a digit moved onto pixels "
    "where it never saw ink is new to it. The shipped CNN was also trained on digits shifted by "
    "up to 2.5 px (augmentation, see its model card); the dense network was not."
)
MNIST_FILTER = "MNIST (*.npz);;All files (*)"


class ShiftWorker(QObject):
    """Measures (or reads back) each model's shift accuracy, off the GUI thread."""

    progressed = Signal(str, int, int)
    """(model being measured, steps done, steps in all for it)."""
    measured = Signal(list)
    """The results (``ShiftAccuracy``), one per model, in order."""
    failed = Signal(str)
    """Why there is no chart (a sentence for the user)."""

    def __init__(
        self,
        models: Sequence[tuple[Path, Preprocessing | None]],
        data: Path,
        folder: Path,
    ) -> None:
        super().__init__()
        self._models = list(models)
        self._data = data
        self._folder = folder
        self.digits = TEST_DIGITS
        """How many test digits are moved (the first ones of MNIST's test set)."""
        self.stop = threading.Event()

    @Slot()
    def run(self) -> None:
        """Measure every model not kept yet; emit ``measured`` or ``failed``."""
        try:
            self.measured.emit(self._measure())
        except Cancelled:
            self.failed.emit("Stopped.")
        except (OSError, ValueError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a user's model may fail in any way; the lab must not
            self.failed.emit(f"The measurement failed ({type(exc).__name__}: {exc})")

    def _measure(self) -> list[ShiftAccuracy]:
        results: list[ShiftAccuracy] = []
        images = labels = None
        for path, preprocessing in self._models:
            model = OnnxModel(path)
            cache = cache_file(self._folder, model, self.digits)
            result = read_cached(cache)
            if result is None:
                if images is None or labels is None:
                    images, labels = load_test_digits(self._data, self.digits)
                name = model.name

                def report(done: int, total: int, name: str = name) -> None:
                    self.progressed.emit(name, done, total)

                result = measure_shift_accuracy(
                    model, images, labels, preprocessing=preprocessing, progress=report,
                    cancelled=self.stop.is_set,
                )  # fmt: skip
                with suppress(OSError):  # measured again next time; the chart is shown anyway
                    write_cached(cache, result)
            results.append(result)
        return results


class ShiftChartDialog(QDialog):
    """The chart, its progress bar while it is measured, and what it shows in words."""

    def __init__(
        self,
        models: Sequence[tuple[Path, Preprocessing | None]],
        parent: QWidget | None = None,
        digits: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.digits = TEST_DIGITS if digits is None else digits
        """How many MNIST test digits are moved (``TEST_DIGITS``: 1,000)."""
        self.setWindowTitle("Shifted digits: which network keeps its answer?")
        self.resize(900, 700)
        self._models = list(models)
        self._thread: QThread | None = None
        self._worker: ShiftWorker | None = None
        self.results: list[ShiftAccuracy] = []
        self.progress = QProgressBar()
        self.progress.setFormat("Measuring %p % …")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "digit moved by (pixels)")
        self.plot.setLabel("left", "accuracy (%)")
        self.plot.setXRange(0, MAX_SHIFT, padding=0.03)
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.plot.addLegend(  # bottom left: empty while both still read digits
            offset=(10, -10), brush=pg.mkBrush(255, 255, 255, 230), labelTextColor="#222831"
        )
        self.text = caption_label(size=11, colour="#222831")
        self.text.setWordWrap(True)
        self.choose_button = QPushButton("Choose the MNIST file…")
        self.choose_button.hide()
        self.choose_button.clicked.connect(self._choose_data)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        column = QVBoxLayout(self)
        column.addWidget(self.progress)
        column.addWidget(self.plot, 1)
        column.addWidget(self.text)
        column.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(buttons)

    @property
    def running(self) -> bool:
        """True while the worker thread measures."""
        return self._thread is not None and self._thread.isRunning()

    def start(self, data: Path | None = None) -> None:
        """Measure (or read back) and draw; ``data`` None: MNIST from $MNIST_NPZ or beside."""
        data = data or resolve_data_path(None)
        problem = "No MNIST file was found." if data is None else mnist_file_problem(data)
        if data is None or problem is not None:
            self._show_problem(f"{problem} Choose the MNIST npz (keras.datasets.mnist's format).")
            return
        self.choose_button.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.text.setText(
            f"Moving the first {self.digits:,} MNIST test digits by 0 to {MAX_SHIFT} pixels "
            "left, right, up and down, and classifying each…"
        )
        self._thread = QThread(self)
        self._worker = ShiftWorker(self._models, data, data_folder())
        self._worker.digits = self.digits
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._progressed)
        self._worker.measured.connect(self._measured)
        self._worker.failed.connect(self._show_problem)
        self._worker.measured.connect(self._thread.quit)
        self._worker.failed.connect(self._thread.quit)
        self._thread.start()

    def _progressed(self, name: str, done: int, total: int) -> None:
        self.progress.setFormat(f"Measuring {name}: %p %")
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _measured(self, results: list[ShiftAccuracy]) -> None:
        self.results = results
        self.progress.hide()
        self.plot.clear()
        self.legend.clear()
        x = list(SHIFTS)
        for index, result in enumerate(results):
            colour = COLOURS[index % len(COLOURS)]
            for direction in DIRECTIONS:
                thin = pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine)
                values = [a * 100 for a in result.accuracy[direction]]
                self.plot.plot(x, values, pen=thin)
            mean = [a * 100 for a in result.mean]
            self.plot.plot(
                x, mean, pen=pg.mkPen(colour, width=3), symbol="o", symbolBrush=colour,
                symbolSize=7, name=f"{result.model} (mean of 4 directions)",
            )  # fmt: skip
        self.text.setText(f"{shift_summary(results)} Dotted: each direction. {WHY}")

    def _show_problem(self, text: str) -> None:
        self.progress.hide()
        self.text.setText(text)
        self.choose_button.setVisible(text != "Stopped.")

    def _choose_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "MNIST data", "", MNIST_FILTER)
        if path:
            self.start(Path(path))

    def stop(self) -> None:
        """Stop a measurement in progress and wait for the thread (nothing is kept)."""
        if self._worker is not None:
            self._worker.stop.set()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing stops the measurement (the thread ends before the window goes)."""
        self.stop()
        super().closeEvent(event)
