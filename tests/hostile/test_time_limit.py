"""The harness, not the tests, enforces the time limit: a hang fails instead of stalling CI."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import HOSTILE_TIME_LIMIT_S


def test_every_test_here_runs_under_the_folders_time_limit(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("timeout")
    assert marker is not None and marker.args == (HOSTILE_TIME_LIMIT_S,)


@pytest.mark.timeout(5)
def test_a_test_may_set_a_shorter_limit_of_its_own(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("timeout")
    assert marker is not None and marker.args == (5,)
