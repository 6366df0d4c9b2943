"""Every test in tests/hostile runs under a time limit enforced by pytest-timeout.

A hostile input that makes the program hang must fail its test, not stall the suite: each test
here gets ``pytest.mark.timeout(HOSTILE_TIME_LIMIT_S)`` unless it sets its own. At the end of a
run the terminal summary lists how many hostile inputs the suite tried, by kind
(``tests.hostile.tally``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.hostile.tally import summary_lines

if TYPE_CHECKING:
    from _pytest.terminal import TerminalReporter

HOSTILE_TIME_LIMIT_S = 60
"""Seconds one hostile test may take, hypothesis's examples included, before it fails."""

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test of this folder the time limit (this hook sees the whole session)."""
    for item in items:
        if item.path.resolve().is_relative_to(_HERE) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(HOSTILE_TIME_LIMIT_S))


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """How many hostile inputs were tried, by kind (nothing when none of these tests ran)."""
    lines = summary_lines()
    if lines:
        terminalreporter.section("hostile inputs tried")
        for line in lines:
            terminalreporter.write_line(line)
