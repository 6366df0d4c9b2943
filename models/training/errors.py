"""The errors a user can fix: reported as a message (exit status 2), never as a traceback.

Each kind names its `problem` ("data", "settings", "packages", "output"), which the JSON-lines
protocol's "error" line carries so that the training lab can offer the right remedy (e.g. a
file chooser for a bad MNIST file).
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad data file, bad setting, unwritable output).

    The command line prints it as ``<prog>: error: <message>`` on stderr and exits with status 2.
    """

    problem = "settings"


class DataError(UserError):
    """The MNIST data is missing, unreadable or malformed, or could not be downloaded."""

    problem = "data"


class PackagesError(UserError):
    """The `train` extra (TensorFlow, Keras, tf2onnx) is not installed."""

    problem = "packages"


class OutputError(UserError):
    """An output cannot be written (a directory that cannot be made, a folder in use, ...)."""

    problem = "output"
