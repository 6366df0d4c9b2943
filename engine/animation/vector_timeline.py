"""A vector lesson's steps as one indexable timeline, like the convolution's.

Stages and their lengths (K output units or classes):

* LAYER: one step per layer (a shapes lesson);
* FLATTEN: one step per cell of the maps, or per row of every channel for large maps;
* DENSE: one step per output unit, z_k = x·w_k + b_k;
* EXPONENT: e^{z_k}, one class per step; EXP_SUM: Σ e^z, one step; DIVIDE: ŷ_k = e^{z_k} / Σ,
  one class per step (softmax);
* LOSS_TERM: y_k·log ŷ_k, one class per step; LOSS: J = −Σ y·log ŷ, one step (cross-entropy);
* UNIT_GRADIENT: ∂J/∂z_k = ŷ_k − y_k and the gradients of unit k's weights and bias;
  UNIT_UPDATE: unit k's bias and weights after one step of gradient descent; LOSS_AFTER: the
  loss before and after the update.

Entries are ``engine.animation.timeline.TimelineEntry`` records, as in the convolution's
timeline, so the step controls and the worked solution treat both alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

from engine.animation.timeline import TimelineEntry
from engine.animation.vector_setup import CROSS_ENTROPY, DENSE, FLATTEN, SOFTMAX, UPDATE

if TYPE_CHECKING:
    from engine.animation.vector_setup import VectorResult

LAYER = "layer"
FLATTEN_STEP = "flatten"
DENSE_UNIT = "dense"
EXPONENT = "exponent"
EXP_SUM = "exponent sum"
DIVIDE = "divide"
LOSS_TERM = "loss term"
LOSS = "loss"
UNIT_GRADIENT = "unit gradient"
UNIT_UPDATE = "unit update"
LOSS_AFTER = "loss after"
VECTOR_STAGES = (
    LAYER, FLATTEN_STEP, DENSE_UNIT, EXPONENT, EXP_SUM, DIVIDE, LOSS_TERM, LOSS, UNIT_GRADIENT,
    UNIT_UPDATE, LOSS_AFTER,
)  # fmt: skip
"""Every stage of a vector lesson, in the order they come."""


class VectorTimeline(Sequence[TimelineEntry]):
    """All steps of a vector lesson, in the order they are animated (module docstring)."""

    def __init__(self, result: VectorResult) -> None:
        self.result = result
        spec = result.spec
        k = result.units
        stages: list[tuple[str, int]] = []
        if spec.is_shapes:
            stages.append((LAYER, len(result.shapes)))
        if spec.has(FLATTEN):
            stages.append((FLATTEN_STEP, len(result.flatten)))
        if spec.has(DENSE):
            stages.append((DENSE_UNIT, k))
        if spec.has(SOFTMAX):
            stages += [(EXPONENT, k), (EXP_SUM, 1), (DIVIDE, k)]
        if spec.has(CROSS_ENTROPY):
            stages += [(LOSS_TERM, k), (LOSS, 1)]
        if spec.has(UPDATE):
            stages += [(UNIT_GRADIENT, k), (UNIT_UPDATE, k), (LOSS_AFTER, 1)]
        self.stages = tuple(stages)
        self._starts: dict[str, int] = {}
        self._lengths = dict(stages)
        total = 0
        for stage, count in stages:
            self._starts[stage] = total
            total += count
        self._len = total

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> TimelineEntry: ...
    @overload
    def __getitem__(self, i: slice) -> list[TimelineEntry]: ...
    def __getitem__(self, i: int | slice) -> TimelineEntry | list[TimelineEntry]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -self._len <= i < self._len:
            raise IndexError(f"timeline position {i} is out of range: there are {self._len}")
        i %= self._len
        for stage, _ in reversed(self.stages):
            start = self._starts[stage]
            if i >= start:
                return TimelineEntry(i, stage, i - start, self._label(stage, i - start))
        raise AssertionError("unreachable: stages cover the timeline")

    def start_of(self, stage: str) -> int:
        """The first position of a stage; ValueError if the timeline has no such stage."""
        if stage not in self._starts:
            raise ValueError(f"this timeline has no {stage!r} stage")
        return self._starts[stage]

    def has(self, stage: str) -> bool:
        """Whether this timeline has ``stage``."""
        return stage in self._starts

    def stage_length(self, stage: str) -> int:
        """The number of steps of ``stage`` (0 if the timeline has no such stage)."""
        return self._lengths.get(stage, 0)

    def stage_progress(self, stage: str, position: int) -> int:
        """How many steps of ``stage`` are done at ``position`` (inclusive), 0 before it."""
        start = self._starts.get(stage)
        if start is None:
            return 0
        return max(0, min(position - start + 1, self._lengths[stage]))

    def _label(self, stage: str, index: int) -> str:
        result = self.result
        spec = result.spec
        name = spec.class_name
        if stage == LAYER:
            layer = result.shapes[index].layer
            return f"Layer {index + 1} · {layer.name or layer.keras}"
        if stage == FLATTEN_STEP:
            step = result.flatten[index]
            if step.whole_row:
                return f"Flatten · row {step.cells[0][0]} → x[{step.first}] … x[{step.last}]"
            r, c, ch = step.cells[0]
            return f"Flatten · {spec.map_name(ch)}[{r}, {c}] → x[{step.first}]"
        labels = {
            DENSE_UNIT: f"Dense · z[{name(index)}] = x·w[:, {name(index)}] + b[{name(index)}]",
            EXPONENT: f"Softmax · e^z[{name(index)}]",
            EXP_SUM: "Softmax · Σ e^z over the classes",
            DIVIDE: f"Softmax · ŷ[{name(index)}] = e^z[{name(index)}] / Σ e^z",
            LOSS_TERM: f"Cross-entropy · y[{name(index)}]·log ŷ[{name(index)}]",
            LOSS: "Cross-entropy · J = −Σ y·log ŷ",
            UNIT_GRADIENT: f"Gradient · ∂J/∂z[{name(index)}] = ŷ − y",
            UNIT_UPDATE: f"Update · b[{name(index)}] and w[:, {name(index)}] − η·gradient",
        }
        return labels.get(stage, "The loss before and after the update")
