"""The installed Qt binding does not leak references to None (PySide6 6.12.0 on Python 3.11
does, on every void call, and the app then aborts with "deallocating None" after a while)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QColor, QPainter, QPixmap


def test_void_calls_keep_none_alive(qapp) -> None:
    pixmap = QPixmap(8, 8)
    painter = QPainter(pixmap)
    thing = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        painter.drawLine(QPointF(0, 0), QPointF(5, 5))
        pixmap_colour = QColor(1, 2, 3)
        painter.setPen(pixmap_colour)
        thing.setObjectName("x")
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -100, f"the Qt binding dropped {before - after} references to None"
