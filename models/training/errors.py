"""The error a user can fix: reported as a message (exit status 2), never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad data file, bad setting, unwritable output).

    The command line prints it as ``<prog>: error: <message>`` on stderr and exits with status 2.
    """
