"""The chosen network as a student meets it: its Keras code and its `model.summary()` table.

Both come from the preset's data (models.training.keras_code and architectures.summary_rows),
without TensorFlow, and follow the settings (the dropout rate, the optimizer, the epochs...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.training.architectures import ARCHITECTURES, summary_rows, total_parameters
from models.training.keras_code import keras_code

if TYPE_CHECKING:
    from models.training.settings import TrainingSettings

SUMMARY_HEADERS = ("Layer", "Type", "Output shape", "Param #")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class NetworkView(QSplitter):
    """The Keras code above the summary table (a splitter the user can move)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.code = QPlainTextEdit()
        self.code.setReadOnly(True)
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(9)
        self.code.setFont(font)
        self.table = QTableWidget(0, len(SUMMARY_HEADERS))
        self.table.setHorizontalHeaderLabels(SUMMARY_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.total = QLabel()
        self.total.setTextFormat(Qt.TextFormat.PlainText)
        summary = QWidget()
        column = QVBoxLayout(summary)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("model.summary()"))
        column.addWidget(self.table, 1)
        column.addWidget(self.total)
        self.addWidget(self.code)
        self.addWidget(summary)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)

    def show_network(self, training: TrainingSettings, train_images: int) -> None:
        """Show the code and summary of `training`'s preset with its settings."""
        self.code.setPlainText(keras_code(training, train_images))
        rows = summary_rows(ARCHITECTURES[training.architecture], training.dropout)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.name, row.kind, row.output_shape, f"{row.parameters:,}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(index, column, item)
        self.total.setText(f"Total params: {total_parameters(rows):,}")

    def summary_cells(self) -> list[tuple[str, ...]]:
        """The table's text, row by row (what the user reads)."""
        return [
            tuple(
                item.text() if (item := self.table.item(row, column)) is not None else ""
                for column in range(len(SUMMARY_HEADERS))
            )
            for row in range(self.table.rowCount())
        ]
