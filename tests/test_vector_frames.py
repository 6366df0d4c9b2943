"""A vector lesson's timeline and frames (engine only, no Qt) against counts done here by hand.

The vector lessons' frames share their positions, indexing and captions with the convolution's
(``StepFrame`` and ``StepAnimation`` in engine.animation.frames, ``StagedTimeline`` in
engine.animation.timeline), so these tests hold the vector side to what tests/test_frames.py
holds the convolution's; and the texts that share helpers (the largest class, class k's y and
ŷ) are checked against numbers worked out by hand.

The set-up: x = (1, 2), W = [[1, 0, 1], [0, 1, 1]], b = (0, 1, 0), so z = (1, 3, 3); classes
a, b, c, the true class b. ŷ = e^z / Σ e^z = (e, e³, e³) / (e + 2e³) ≈ (0.0634, 0.468, 0.468).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.animation.frames import StepAnimation, StepFrame
from engine.animation.timeline import StagedTimeline, TimelineEntry
from engine.animation.vector_frames import VectorAnimation
from engine.animation.vector_setup import (
    CROSS_ENTROPY,
    DENSE,
    SOFTMAX,
    UPDATE,
    VectorSpec,
    run_vector,
)
from engine.animation.vector_timeline import (
    DENSE_UNIT,
    DIVIDE,
    EXP_SUM,
    EXPONENT,
    LOSS,
    LOSS_AFTER,
    LOSS_TERM,
    UNIT_GRADIENT,
    UNIT_UPDATE,
)

X = np.array([1.0, 2.0])
W = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
B = np.array([0.0, 1.0, 0.0])


def animate(*steps: str) -> VectorAnimation:
    spec = VectorSpec(
        steps=steps, values=X, weights=W, bias=B, classes=("a", "b", "c"), label=1,
        learning_rate=0.5,
    )  # fmt: skip
    return VectorAnimation(run_vector(spec))


def test_stages_positions_and_progress_are_counted_in_order() -> None:
    animation = animate(DENSE, SOFTMAX, CROSS_ENTROPY, UPDATE)
    timeline = animation.timeline
    assert isinstance(timeline, StagedTimeline) and isinstance(animation, StepAnimation)
    expected = (
        (DENSE_UNIT, 3), (EXPONENT, 3), (EXP_SUM, 1), (DIVIDE, 3), (LOSS_TERM, 3), (LOSS, 1),
        (UNIT_GRADIENT, 3), (UNIT_UPDATE, 3), (LOSS_AFTER, 1),
    )  # fmt: skip
    assert timeline.stages == expected
    assert len(timeline) == len(animation) == 21
    assert [timeline.start_of(stage) for stage, _ in expected] == [0, 3, 6, 7, 10, 13, 14, 17, 20]
    assert timeline[8] == TimelineEntry(8, DIVIDE, 1, "Softmax · ŷ[b] = e^z[b] / Σ e^z")
    assert timeline.stage_progress(DIVIDE, 6) == 0
    assert timeline.stage_progress(DIVIDE, 8) == 2
    assert timeline.stage_progress(DIVIDE, 20) == 3
    assert timeline.has(LOSS) and not timeline.has("conv") and timeline.stage_length("conv") == 0
    with pytest.raises(ValueError, match="no 'conv' stage"):
        timeline.start_of("conv")


def test_frames_index_like_a_list_with_their_captions() -> None:
    animation = animate(DENSE, SOFTMAX, CROSS_ENTROPY, UPDATE)
    first, last = animation[0], animation[-1]
    assert isinstance(first, StepFrame)
    assert first.caption == "Step 1 of 21 · Dense · z[a] = x·w[:, a] + b[a]"
    assert first.at_start and not first.at_end and first.stage_length == 3
    assert last.position == 20 == last.last_position and last.count == 21 and last.at_end
    assert last.caption == "Step 21 of 21 · The loss before and after the update"
    assert animation[-21].position == 0
    assert [f.position for f in animation[2:9:3]] == [2, 5, 8]
    assert [e.position for e in animation.timeline[19:]] == [19, 20]
    assert animation[8].stage == DIVIDE and animation[8].index == 1 and animation[8].row == 1
    assert animation[8].conv is None and animation[8].pool is None
    for position in (21, -22):
        with pytest.raises(IndexError, match="out of range: there are 21"):
            animation[position]
        with pytest.raises(IndexError, match="out of range: there are 21"):
            animation.timeline[position]


def test_the_largest_class_is_the_first_of_equal_ones() -> None:
    dense_only = animate(DENSE)
    assert dense_only[-1].arithmetic.splitlines()[-1] == (
        "The largest output is z[b] = 3: the network votes b"
    )
    assert "largest" not in dense_only[1].arithmetic
    softmax = animate(DENSE, SOFTMAX)
    p = math.exp(3) / (math.exp(1) + 2 * math.exp(3))
    assert f"{p:.3g}" == "0.468"
    assert softmax[-1].arithmetic.splitlines()[-1] == (
        "The 3 probabilities add up to 1; the most probable class is b, ŷ ≈ 0.468"
    )
    assert "largest" not in softmax[2].arithmetic  # with softmax, dense does not decide


def test_loss_terms_and_gradients_read_their_own_class() -> None:
    animation = animate(DENSE, SOFTMAX, CROSS_ENTROPY, UPDATE)
    loss_terms = [animation[i].arithmetic for i in range(10, 13)]
    assert loss_terms[0].startswith("y[a]·log ŷ[a] = 0×log 0.0634…, log 0.0634… ≈ −2.76")
    assert (
        loss_terms[1] == "y[b]·log ŷ[b] = 1×log 0.468…, log 0.468… ≈ −0.759\n1×(−0.759…) ≈ −0.759"
    )
    assert loss_terms[2].endswith("0×(−0.759…) = 0")
    gradients = [animation[i].arithmetic.splitlines()[:2] for i in range(14, 17)]
    assert gradients == [
        ["∂J/∂z[a] = ŷ[a] − y[a]", "0.0634… − 0 ≈ 0.0634"],
        ["∂J/∂z[b] = ŷ[b] − y[b]", "0.468… − 1 ≈ −0.532"],
        ["∂J/∂z[c] = ŷ[c] − y[c]", "0.468… − 0 ≈ 0.468"],
    ]
