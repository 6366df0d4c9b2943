"""RunsPanel: the saved runs, to compare (overlay their curves), open in the digit lab, delete.

One row per run folder (models.training.runs): a "compare" check box, the run's name, network,
status, test accuracy, epochs, training images and size on disk. Below, the chosen run's
models (the final one, and the snapshot of every epoch) for "Open in Digit Lab". Every text
comes from files and is shown as plain text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.training.lab_text import percent_text, size_text

if TYPE_CHECKING:
    from models.training.runs import RunSummary

HEADERS = ("Compare", "Run", "Network", "Status", "Test accuracy", "Epochs", "Images", "Size")
COMPARE, NAME, STATUS = 0, 1, 3
FOLDER_ROLE = Qt.ItemDataRole.UserRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def status_text(summary: RunSummary, running: Path | None) -> str:
    """'finished', 'stopped (its model is usable)', 'failed: …', 'training…', 'incomplete'."""
    if summary.layout.folder == running:
        return "training…"
    if summary.status == "stopped":
        return "stopped (its model is usable)"
    if summary.status == "failed":
        return f"failed: {summary.error}"
    if summary.status == "incomplete":
        return "incomplete (ended without its last line)"
    return "finished"


def row_cells(summary: RunSummary, running: Path | None) -> tuple[str, ...]:
    """The texts of a run's row after its check box."""
    document = summary.document
    network = document.settings.training.architecture if document else "?"
    epochs = str(document.settings.training.epochs) if document else "?"
    if summary.end is not None:
        epochs = f"{summary.end.epochs_done} of {epochs}"
    accuracy = percent_text(summary.end.test_accuracy, 2) if summary.end else "–"
    images = f"{document.train_images:,}" if document else "?"
    status = status_text(summary, running)
    if summary.problem:
        status = f"{status}; {summary.problem}"
    return (summary.name, network, status, accuracy, epochs, images, size_text(summary.size))


def model_choices(summary: RunSummary) -> list[tuple[str, Path]]:
    """(label, path) of the run's models: the final one first, then every epoch's snapshot."""
    choices = []
    if summary.layout.model.is_file():
        accuracy = percent_text(summary.end.test_accuracy, 2) if summary.end else "?"
        choices.append((f"final model ({accuracy})", summary.layout.model))
    for epoch, path in reversed(summary.snapshots):
        label = "epoch 0 (untrained)" if epoch == 0 else f"epoch {epoch}"
        choices.append((label, path))
    return choices


class RunsPanel(QWidget):
    """The list of saved runs and what to do with the chosen one."""

    overlaysChanged = Signal()
    """The runs to compare (checked) changed."""
    currentRunChanged = Signal()
    """Another run (or none) is chosen."""
    openRequested = Signal(str)
    """Open this ONNX model in the digit lab: its path."""
    deleteRequested = Signal(object)
    """The user asked to delete this run folder (a Path); the lab asks and deletes."""
    modelChosen = Signal()
    """Another model (final, or an epoch's snapshot) of the chosen run is chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunSummary] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._fit_columns()
        self.empty = QLabel("No saved runs yet: choose a network and press Train.")
        self.models = QComboBox()
        self.open_button = QPushButton("Open in Digit Lab")
        self.delete_button = QPushButton("Delete Run…")
        self.refresh_button = QPushButton("Refresh")
        chosen = QHBoxLayout()
        chosen.addWidget(QLabel("Model:"))
        chosen.addWidget(self.models, 1)
        chosen.addWidget(self.open_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.refresh_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.empty)
        column.addWidget(self.table, 1)
        column.addLayout(chosen)
        column.addLayout(buttons)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.models.currentIndexChanged.connect(self.modelChosen)
        self.open_button.clicked.connect(self._open)
        self.delete_button.clicked.connect(self._delete)
        self._update_buttons()

    # ----- contents ------------------------------------------------------------------------
    def set_runs(self, runs: list[RunSummary], running: Path | None = None) -> None:
        """Show `runs`, keeping which are checked and which is chosen."""
        checked = {summary.layout.folder for summary in self.checked_runs()}
        current = self.current_run()
        chosen = current.layout.folder if current is not None else None
        self.runs = runs
        # Columns sized to their contents measure every row again after each cell set: the
        # list is filled with fixed columns, then sized once (30 runs: 350 ms → 5 ms).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(runs))
            for row, summary in enumerate(runs):
                box = QTableWidgetItem()
                box.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                             | Qt.ItemFlag.ItemIsSelectable)  # fmt: skip
                folder = summary.layout.folder
                box.setCheckState(
                    Qt.CheckState.Checked if folder in checked else Qt.CheckState.Unchecked
                )
                box.setData(FOLDER_ROLE, str(folder))
                self.table.setItem(row, COMPARE, box)
                for column, text in enumerate(row_cells(summary, running), start=1):
                    item = QTableWidgetItem(text)
                    if column >= 4:
                        item.setTextAlignment(RIGHT)
                    self.table.setItem(row, column, item)
            self.table.clearSelection()
            for row, summary in enumerate(runs):
                if summary.layout.folder == chosen:
                    self.table.selectRow(row)
        self._fit_columns()
        self.empty.setVisible(not runs)
        self._fill_models()
        self._update_buttons()
        if {summary.layout.folder for summary in self.checked_runs()} != checked:
            self.overlaysChanged.emit()

    def _fit_columns(self) -> None:
        """Every column as wide as its contents, the status column taking the rest."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Stretch)

    def row_of(self, folder: Path) -> int | None:
        """The row of the run in `folder`, or None."""
        for row, summary in enumerate(self.runs):
            if summary.layout.folder == folder:
                return row
        return None

    def choose(self, folder: Path) -> None:
        """Select the run in `folder` (if listed)."""
        row = self.row_of(folder)
        if row is not None:
            self.table.selectRow(row)

    def set_compared(self, folder: Path, compared: bool) -> None:
        """Check or uncheck the run in `folder` for comparison."""
        row = self.row_of(folder)
        item = None if row is None else self.table.item(row, COMPARE)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if compared else Qt.CheckState.Unchecked)

    def current_run(self) -> RunSummary | None:
        """The chosen run, or None."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.runs[row] if row < len(self.runs) else None

    def checked_runs(self) -> list[RunSummary]:
        """The runs checked for comparison, in list order."""
        return [
            summary
            for row, summary in enumerate(self.runs)
            if (item := self.table.item(row, COMPARE)) is not None
            and item.checkState() == Qt.CheckState.Checked
        ]

    def chosen_model(self) -> Path | None:
        """The chosen run's chosen model (final, or an epoch's snapshot), or None."""
        data = self.models.currentData()
        return Path(data) if isinstance(data, str) else None

    # ----- reactions -----------------------------------------------------------------------
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == COMPARE:
            self.overlaysChanged.emit()

    def _selection_changed(self) -> None:
        self._fill_models()
        self._update_buttons()
        self.currentRunChanged.emit()

    def _fill_models(self) -> None:
        current = self.current_run()
        with QSignalBlocker(self.models):
            self.models.clear()
            for label, path in model_choices(current) if current is not None else []:
                self.models.addItem(label, str(path))
        self.modelChosen.emit()

    def _update_buttons(self) -> None:
        chosen = self.current_run() is not None
        self.open_button.setEnabled(chosen and self.models.count() > 0)
        self.delete_button.setEnabled(chosen)

    def _open(self) -> None:
        path = self.chosen_model()
        if path is not None:
            self.openRequested.emit(str(path))

    def _delete(self) -> None:
        current = self.current_run()
        if current is not None:
            self.deleteRequested.emit(current.layout.folder)
