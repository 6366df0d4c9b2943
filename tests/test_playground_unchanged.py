"""Every panel shows what it showed before the playground was built around engine frames.

tests/golden/playground_panels.json.gz holds what the panels showed (texts, highlights, revealed
cells, dot-product grids and the numbers in their cells, hidden widgets) for every built-in
lesson and a few edited set-ups, recorded on the code before the change (see
tests/panel_snapshot.py), and recorded again when numbers came to be written from their values
(engine.animation.numbers): marked when rounded, exact when short, the slide's cut decimals only
for a lesson's own maps. Positions are visited in a shuffled order here, so a panel that
depends on the previous step would also be caught.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gui.playground.view import PlaygroundView
from tests.panel_snapshot import load, sample_positions, scenarios, snapshot, static_snapshot

RECORDED = load(str(Path(__file__).parent / "golden" / "playground_panels.json.gz"))
SCENARIOS = dict(scenarios())


def test_every_scenario_was_recorded() -> None:
    assert set(RECORDED) == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_panels_show_what_they_showed_before(qtbot, name: str) -> None:
    view = PlaygroundView()
    qtbot.addWidget(view)
    SCENARIOS[name](view)
    recorded = RECORDED[name]
    positions = sample_positions(view)
    assert [str(p) for p in positions] == sorted(recorded["positions"], key=int)
    shuffled = positions[:]
    random.Random(name).shuffle(shuffled)
    for position in shuffled:
        view.state.set_position(position)
        assert snapshot(view) == recorded["positions"][str(position)], f"position {position}"
    view.state.set_position(0)
    assert static_snapshot(view) == recorded["static"]
