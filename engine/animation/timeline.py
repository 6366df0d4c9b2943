"""The playground's animation as one indexable timeline: convolution steps, then ReLU, then pooling.

A scrubber position i maps to an entry (stage, index within the stage, label); the frame
builder (``engine.animation.frames``) asks how many cells of each map are revealed at i. For the
backprop lesson the stages are the forward pass (one step per output), the gradient of each
weight, and the update (slide 004, "Training CNN").

What every timeline has (the vector lessons' too, ``engine.animation.vector_timeline``) is
``StagedTimeline``: stages one after another, the start and progress of each, indexing by
position; ``PositionSequence`` is the indexing it shares with the animations built on it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, overload

if TYPE_CHECKING:
    from engine.animation.playground import PipelineResult
    from engine.operations.backprop import BackpropResult

CONV, RELU, POOL = "conv", "relu", "pool"
FORWARD, GRADIENT, UPDATE = "forward", "gradient", "update"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One position of the scrubber: its stage, the step's index within the stage, its label."""

    position: int
    stage: str
    index: int
    label: str


class PositionSequence(Sequence[_T]):
    """One item per scrubber position, built when asked for: ``seq[i]`` or ``seq[a:b]``.

    What a timeline and the animations built on it share: a subclass gives ``__len__`` and
    ``_item`` (the item of a position in 0 .. len − 1); indexing checks the position and lets
    negative positions count from the end, as a list does, and a slice gives a list.

    Raises:
        IndexError: for a position outside −len .. len − 1.
    """

    @abstractmethod
    def _item(self, position: int) -> _T:
        """The item of ``position``, already checked to be in 0 .. len − 1."""

    @overload
    def __getitem__(self, i: int) -> _T: ...
    @overload
    def __getitem__(self, i: slice) -> list[_T]: ...
    def __getitem__(self, i: int | slice) -> _T | list[_T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        count = len(self)
        if not -count <= i < count:
            raise IndexError(f"timeline position {i} is out of range: there are {count}")
        return self._item(i % count)


class StagedTimeline(PositionSequence[TimelineEntry]):
    """Steps in stages, one stage after another: the position of each step and its label.

    ``stages`` is the (stage, number of steps) of every stage in the order they are
    animated. A subclass names the steps (``_label``); the convolution's ``Timeline`` and the
    vector lessons' ``engine.animation.vector_timeline.VectorTimeline`` share the rest.
    """

    def __init__(self, stages: Sequence[tuple[str, int]]) -> None:
        self.stages = tuple(stages)
        self._starts: dict[str, int] = {}
        self._lengths = dict(self.stages)
        total = 0
        for stage, count in self.stages:
            self._starts[stage] = total
            total += count
        self._len = total

    @abstractmethod
    def _label(self, stage: str, index: int) -> str:
        """The name of step ``index`` (from 0) of ``stage``."""

    def __len__(self) -> int:
        return self._len

    def _item(self, position: int) -> TimelineEntry:
        for stage, _ in reversed(self.stages):
            start = self._starts[stage]
            if position >= start:
                index = position - start
                return TimelineEntry(position, stage, index, self._label(stage, index))
        raise AssertionError("unreachable: stages cover the timeline")

    def start_of(self, stage: str) -> int:
        """The first position of a stage; ValueError if the timeline has no such stage."""
        if stage not in self._starts:
            raise ValueError(f"this timeline has no {stage!r} stage")
        return self._starts[stage]

    def has(self, stage: str) -> bool:
        """Whether this timeline has ``stage`` (e.g. no RELU when ReLU is off)."""
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


class Timeline(StagedTimeline):
    """All steps of a pipeline (or a backprop exercise), in the order they are animated.

    Stages and their lengths: convolution, one step per output value of every filter; ReLU,
    one step per map; pooling, one step per pooled value. With ``backprop``: the forward pass,
    one step per output h; the gradient, one step per weight; the update, one step.
    """

    def __init__(self, result: PipelineResult, backprop: BackpropResult | None = None) -> None:
        self.result = result
        self.backprop = backprop
        maps = result.feature_maps.shape[2]
        self._per_map = int(result.feature_maps.shape[0] * result.feature_maps.shape[1])
        stages: list[tuple[str, int]]
        if backprop is not None:
            weights = backprop.w.size
            stages = [(FORWARD, backprop.h.size), (GRADIENT, weights), (UPDATE, 1)]
        else:
            stages = [(CONV, len(result.conv))]
            if result.spec.relu:
                stages.append((RELU, maps))
            if result.pool is not None:
                stages.append((POOL, len(result.pool)))
        super().__init__(stages)
        self._pool_cells = 0
        if result.pool is not None:
            self._pool_cells = result.pool.out_hw[0] * result.pool.out_hw[1]

    def revealed_cells(self, stage: str, position: int, map_index: int) -> int:
        """Cells of map ``map_index`` of a stage shown at ``position`` (row-major order).

        Convolution and pooling fill in cell by cell; ReLU applies to a whole map at once.
        """
        done = self.stage_progress(stage, position)
        if stage == RELU:
            return self._per_map if done > map_index else 0
        if stage == CONV:
            per_map = self._per_map
        elif stage == POOL:
            per_map = self._pool_cells
        else:
            return 0
        return max(0, min(done - map_index * per_map, per_map))

    def _label(self, stage: str, index: int) -> str:
        spec = self.result.spec
        if stage == CONV:
            f, r, c = self.result.conv.position(index)
            return f"Convolution · {spec.filter_name(f)} · output row {r + 1}, column {c + 1}"
        if stage == RELU:
            return f"ReLU · {spec.filter_name(index)} · negative values become 0"
        if stage == POOL and self.result.pool is not None:
            m, r, c = self.result.pool.position(index)
            mode = "Max" if self.result.pool.plan.mode == "max" else "Average"
            return f"{mode} pooling · {spec.filter_name(m)} · row {r + 1}, column {c + 1}"
        if stage == FORWARD and self.backprop is not None:
            k, l = divmod(index, self.backprop.h.shape[1])  # noqa: E741 -- slide notation
            return f"Forward pass · h{k + 1}{l + 1}"
        if stage == GRADIENT and self.backprop is not None:
            i, j = divmod(index, self.backprop.w.shape[1])
            return f"Backward pass · ∂E/∂w{i + 1}{j + 1} as a sum over the outputs"
        return "Update · W ← W − η ∂E/∂W"
