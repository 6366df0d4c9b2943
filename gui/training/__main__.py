"""`python -m gui.training`: the training lab in its own window."""

from __future__ import annotations

import sys


def main() -> int:
    """Open the training lab; returns the application's exit status."""
    from gui.app import make_application
    from gui.training.window import TrainingWindow

    app = make_application()
    window = TrainingWindow()
    window.show()
    status = app.exec()
    window.deleteLater()
    app.sendPostedEvents(None, 0)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
