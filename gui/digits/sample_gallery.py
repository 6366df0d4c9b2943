"""SampleGallery: a row of MNIST test digits, one per class, to put on the canvas with a click."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from gui.digits.canvas_image import picture_of

if TYPE_CHECKING:
    from engine.drawings.samples import Samples

THUMBNAIL = 34


class SampleGallery(QWidget):
    """Ten thumbnails (digits 0–9); clicking one again shows the next sample of that digit."""

    sampleChosen = Signal(int)
    """The user clicked the thumbnail of this digit."""

    def __init__(self, samples: Samples | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: list[QToolButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        for digit in range(10):
            button = QToolButton()
            button.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
            button.setAutoRaise(False)
            button.setToolTip(
                f"A handwritten {digit} from the MNIST test set (click again: another)"
            )
            button.clicked.connect(partial(self.sampleChosen.emit, digit))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            if samples is not None and len(samples.of_class(digit)):
                picture = picture_of(samples.first_of(digit))
                pixmap = QPixmap.fromImage(picture).scaled(
                    THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )  # fmt: skip
                button.setIcon(QIcon(pixmap))
            else:
                button.setText(str(digit))
                button.setEnabled(samples is not None)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addStretch(1)
