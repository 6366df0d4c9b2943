"""One frame per scrubber position: everything the playground's panels paint at step i.

``Animation`` is the animation of one set-up: the pipeline result, its timeline and the lesson's
number style, plus what every position shares (channel names, the columns of feature maps, how
each kind of number is written). ``animation[i]`` builds the frozen ``Frame`` of position
i on demand, from the step records the engine already has (``ConvSteps``/``PoolSteps``), so a
frame costs one step record and a few small tuples, and no frame exists before it is asked for.

A frame says what to emphasise as ``Mark`` records keyed by the grid that shows them (a
``MapKey`` such as ``("conv", 1)``, the convolution map of filter 2). Marks are in the
coordinates of the grid that paints them: the input grid shows the *padded* input, a feature
map grid the map itself, so a pooling window's padding cells fall outside the map and are not
drawn. ``Frame.window`` gives the same window in the coordinates of the array it reads (the
unpadded input, or the pooled map), padding cells having negative or too-large indices.

``StepFrame`` and ``StepAnimation`` are what a convolution's frames and animation share with a
vector lesson's (``engine.animation.vector_frames``): position, caption, indexing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from engine.animation.arithmetic import (
    conv_step_text,
    gradient_text,
    pool_step_text,
    relu_text,
    update_text,
)
from engine.animation.numbers import GENERAL, NumberRule, write
from engine.animation.numbers import PLAIN as PLAIN  # re-exported: the lessons' style
from engine.animation.numbers import NumberStyle as NumberStyle
from engine.animation.timeline import (
    CONV,
    FORWARD,
    GRADIENT,
    POOL,
    RELU,
    UPDATE,
    PositionSequence,
    StagedTimeline,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np
    from numpy.typing import NDArray

    from engine.animation.playground import PipelineResult
    from engine.animation.steps import ConvStep, PoolStep
    from engine.animation.timeline import Timeline, TimelineEntry
    from engine.operations.backprop import BackpropResult

Cell = tuple[int, int]
MapKey = tuple[str, int]
"""A grid the playground paints: (kind, index), e.g. ("input", channel) or ("pool", filter)."""

INPUT, FILTER, STEP_WINDOW = "input", "filter", "step window"
H, TARGET, DE_DH, DE_DW, W_NEXT, H_NEXT = "h", "target", "dE_dh", "dE_dw", "w_next", "h_next"
BACKPROP_GRIDS = (H, TARGET, DE_DH, DE_DW, W_NEXT, H_NEXT)
"""The backprop lesson's grids: the ``BackpropResult`` arrays of the same names (index 0)."""

READ, CURRENT, CHOSEN = "read", "current", "chosen"
"""What a mark means: cells the step reads, the value(s) it computes, the max pooling keeps."""
BLOCK, CELLS, WHOLE = "block", "cells", "whole"
"""How a mark is drawn: one outline around a window, one per cell, or around a whole grid."""

_AFTER_FORWARD = ((DE_DH, 0), (DE_DW, 0), (W_NEXT, 0), (H_NEXT, 0))
"""The backprop grids computed after the forward pass: empty while it runs."""

_FrameT = TypeVar("_FrameT")
_AnimationT = TypeVar("_AnimationT", bound="StepAnimation[Any]")

POOL_EDGE_NOTE = "\n(The window reaches past the edge: only the cells inside count.)"


@dataclass(frozen=True, slots=True)
class Mark:
    """Cells of one grid to emphasise: what they are (``role``) and how to outline them.

    ``role`` is READ (under the window), CURRENT (being computed) or CHOSEN (kept by max
    pooling); ``outline`` is BLOCK (one rectangle around a window), CELLS (each cell) or
    WHOLE (the whole grid, drawn thinner).
    """

    cells: tuple[Cell, ...]
    role: str
    outline: str


@dataclass(frozen=True, slots=True)
class MapColumn:
    """One column of feature maps: the stage that computes them, its header, the maps.

    ``maps`` is (H, W, D), one map per filter, or None when the set-up has no such stage.
    """

    key: str
    header: str
    maps: NDArray[np.float64] | None


class StepAnimation(PositionSequence[_FrameT]):
    """The frames of a timeline, one per position, built when asked for.

    What the convolution's ``Animation`` and the vector lessons'
    ``engine.animation.vector_frames.VectorAnimation`` share: one frame per position of
    ``timeline``, indexed as ``engine.animation.timeline.PositionSequence`` says, and the
    frame's caption. A subclass sets ``timeline`` and builds the frame of a position
    (``_item``).
    """

    timeline: StagedTimeline

    def __len__(self) -> int:
        return len(self.timeline)

    def caption(self, entry: TimelineEntry) -> str:
        """The caption of an entry's frame: "Step i of n · label" (i counted from 1)."""
        return f"Step {entry.position + 1} of {len(self)} · {entry.label}"


@dataclass(frozen=True, slots=True, eq=False)
class StepFrame(Generic[_AnimationT]):
    """What every frame has, whatever it animates: its place on the timeline and its text.

    Attributes:
        animation: the animation this frame belongs to (shared by all its frames).
        position: the scrubber position, 0 .. ``count`` − 1.
        stage: the step's stage (a stage of the animation's timeline).
        index: the step's index within its stage.
        label: the step's name ("Convolution · Filter 1 · output row 1, column 2").
        caption: "Step i of n · label".
        arithmetic: the step's arithmetic written out, one or more lines.
    """

    animation: _AnimationT
    position: int
    stage: str
    index: int
    label: str
    caption: str
    arithmetic: str

    @property
    def count(self) -> int:
        """The number of positions of the animation."""
        return len(self.animation)

    @property
    def last_position(self) -> int:
        """The position of the animation's last frame."""
        return len(self.animation) - 1

    @property
    def at_start(self) -> bool:
        """Whether this is the first position."""
        return self.position == 0

    @property
    def at_end(self) -> bool:
        """Whether this is the last position."""
        return self.position >= len(self.animation) - 1

    @property
    def stage_length(self) -> int:
        """The number of steps of this frame's stage."""
        return self.animation.timeline.stage_length(self.stage)


@dataclass(frozen=True, slots=True, eq=False)
class Frame(StepFrame["Animation"]):
    """Everything the playground paints at one scrubber position.

    Its ``StepFrame`` fields: the set-up's ``animation``, the scrubber ``position``, the
    ``stage`` (CONV, RELU, POOL for a pipeline; FORWARD, GRADIENT, UPDATE for backprop), the
    ``index`` within it, the ``label``, the ``caption`` and the ``arithmetic`` written out
    (``engine.animation.arithmetic``).

    Attributes:
        window_numbers: how the numbers of the step's window are written (the input's rule
            for a convolution, the maps' for pooling; see ``engine.animation.numbers``).
        filter: the filter being applied (convolution, forward pass, gradient), else None.
        channels: the input channels the step reads (all of them for a convolution).
        window: the cells the step reads, in the coordinates of the array it reads (the
            unpadded input for convolution and gradients, the map being pooled for pooling);
            padding cells have negative or too-large indices.
        window_padding: for each cell of ``window``, whether it is padding.
        window_source: the map ``window`` lies on: INPUT, CONV or RELU ("" if none).
        weight: the weight whose gradient is computed (backprop), else None.
        conv: the convolution step (window ⊙ kernel = products), else None.
        pool: the pooling step (window, chosen cell), else None.
        revealed: cells shown per grid, row-major; grids not listed are shown whole.
        marks: what to emphasise per grid; grids not listed have no marks.
    """

    window_numbers: NumberRule
    filter: int | None
    channels: tuple[int, ...]
    window: tuple[Cell, ...]
    window_padding: tuple[bool, ...]
    window_source: str
    weight: Cell | None
    conv: ConvStep | None
    pool: PoolStep | None
    revealed: Mapping[MapKey, int]
    marks: Mapping[MapKey, tuple[Mark, ...]]

    @property
    def progress(self) -> int:
        """Steps of this frame's stage done, this one included."""
        return self.index + 1


@dataclass(frozen=True, slots=True)
class _StageParts:
    """The stage-specific part of a frame."""

    arithmetic: str
    window_numbers: NumberRule
    marks: Mapping[MapKey, tuple[Mark, ...]]
    filter: int | None = None
    channels: tuple[int, ...] = ()
    window: tuple[Cell, ...] = ()
    window_padding: tuple[bool, ...] = ()
    window_source: str = ""
    weight: Cell | None = None
    conv: ConvStep | None = None
    pool: PoolStep | None = None


class Animation(StepAnimation[Frame]):
    """The frames of one set-up, built on demand: ``animation[i]`` is the frame of position i.

    Also holds what every frame shares, computed once: ``channel_names`` (one per channel, ""
    for a single unnamed one), ``filter_names``, the feature-map ``columns`` (convolution,
    ReLU, pooling), and how each kind of number is written (``input_numbers``,
    ``kernel_numbers``, ``product_numbers``: the general rule; ``map_numbers``: the lesson's
    display rule while the set-up is the lesson's own, else the general rule; see
    ``engine.animation.numbers``). Raises IndexError for a position outside 0 .. len − 1
    (negative indices count from the end).
    """

    def __init__(
        self,
        result: PipelineResult,
        timeline: Timeline,
        style: NumberStyle = PLAIN,
    ) -> None:
        spec = result.spec
        self.result = result
        self.timeline: Timeline = timeline
        self.style = style
        self.channel_names = tuple(spec.channel_name(c) for c in range(spec.channels))
        self.filter_names = tuple(spec.filter_name(d) for d in range(spec.num_filters))
        self.backprop: BackpropResult | None = timeline.backprop
        rate = None if self.backprop is None else self.backprop.learning_rate
        self.map_numbers = style.rule_for(spec, rate)
        """How the maps and the results of the arithmetic are written: a slide's own numbers
        by its display rule, anything else (after any edit) by the general rule."""
        self.input_numbers = GENERAL
        """How the input cells are written (the numbers the user typed or loaded)."""
        self.kernel_numbers = GENERAL
        """How the weights and biases are written."""
        self.product_numbers = GENERAL
        """How the products window × kernel are written."""
        self.columns = _map_columns(result)
        self.input_title = _input_title(result)
        maps = result.feature_maps
        self._maps = int(maps.shape[2])
        self._channels = tuple(range(spec.channels))
        self._input_keys = tuple((INPUT, c) for c in self._channels)
        self._kernel_cells = all_cells(spec.kernel_size)
        self._map_cells = all_cells(maps.shape[:2]) if timeline.has(RELU) else ()
        backprop = self.backprop
        self._h_cells = all_cells(backprop.h.shape) if backprop is not None else ()
        self._weights = tuple(backprop.terms) if backprop is not None else ()

    def _item(self, position: int) -> Frame:
        return build_frame(self, self.timeline[position])

    def input_cell(self, row: int, col: int) -> Cell | None:
        """The input cell shown at (row, col) of the padded input; None for a padding cell."""
        padding = self.result.padding
        r, c = row - padding.top, col - padding.left
        rows, cols = self.result.spec.input.shape[:2]
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    # ----- the parts of a frame, by stage -------------------------------------------------
    def conv_parts(self, entry: TimelineEntry) -> _StageParts:
        """A convolution step, or a forward-pass step of the backprop lesson."""
        result = self.result
        step = result.conv[entry.index]
        padding = result.padding
        on_grid = tuple((r, c) for r in step.input_rows for c in step.input_cols)
        window = tuple((r - padding.top, c - padding.left) for r, c in on_grid)
        read = (Mark(on_grid, READ, BLOCK),)
        current = (Mark(((step.row, step.col),), CURRENT, CELLS),)
        marks = dict.fromkeys(self._input_keys, read)
        marks[(FILTER, step.filter)] = (Mark(self._kernel_cells, READ, WHOLE),)
        marks[(CONV, step.filter)] = current
        text = conv_step_text(
            step,
            divisor=result.spec.divisor,
            channel_names=self.channel_names,
            results=self.map_numbers,
        )
        if entry.stage == FORWARD:
            marks[(H, 0)] = current
            text = f"h{step.row + 1}{step.col + 1} = {text}"
        return _StageParts(
            arithmetic=text,
            window_numbers=self.input_numbers,
            marks=marks,
            filter=step.filter,
            channels=self._channels,
            window=window,
            window_padding=tuple(step.is_padding.ravel().tolist()),
            window_source=INPUT,
            conv=step,
        )

    def relu_parts(self, entry: TimelineEntry) -> _StageParts:
        """ReLU applied to one whole map."""
        d = entry.index
        text = relu_text(self.result.feature_maps[:, :, d], self.filter_names[d])
        marks = {(RELU, d): (Mark(self._map_cells, CURRENT, WHOLE),)}
        return _StageParts(arithmetic=text, window_numbers=self.map_numbers, marks=marks)

    def pool_parts(self, entry: TimelineEntry) -> _StageParts:
        """One pooling window: the cells it reads on the map, the value it keeps."""
        result = self.result
        assert result.pool is not None  # the timeline has a POOL stage only with pooling
        step = result.pool[entry.index]
        padding = result.pool.padding
        source = RELU if result.spec.relu else CONV
        window = tuple(
            (r - padding.top, c - padding.left) for r in step.input_rows for c in step.input_cols
        )
        on_source = [Mark(window, READ, BLOCK)]
        on_step: tuple[Mark, ...] = ()
        if step.chosen is not None:
            r, c = step.chosen
            chosen = (step.input_rows[r] - padding.top, step.input_cols[c] - padding.left)
            on_source.append(Mark((chosen,), CHOSEN, CELLS))
            on_step = (Mark((step.chosen,), CHOSEN, CELLS),)
        marks = {
            (source, step.channel): tuple(on_source),
            (POOL, step.channel): (Mark(((step.row, step.col),), CURRENT, CELLS),),
            (STEP_WINDOW, 0): on_step,
        }
        text = pool_step_text(step, results=self.map_numbers)
        if step.is_padding.any():
            text += POOL_EDGE_NOTE
        return _StageParts(
            arithmetic=text,
            window_numbers=self.map_numbers,
            marks=marks,
            window=window,
            window_padding=tuple(step.is_padding.ravel().tolist()),
            window_source=source,
            pool=step,
        )

    def gradient_parts(self, entry: TimelineEntry) -> _StageParts:
        """∂E/∂w_ij: the weight, the input cells it multiplies, ∂E/∂h (slide 004)."""
        backprop = self.backprop
        assert backprop is not None  # the timeline has a GRADIENT stage only with backprop
        i, j = divmod(entry.index, backprop.w.shape[1])
        padding = self.result.padding
        window = backprop.touched_inputs(i, j)
        on_grid = tuple((r + padding.top, c + padding.left) for r, c in window)
        weight = (Mark(((i, j),), CURRENT, CELLS),)
        marks = dict.fromkeys(self._input_keys, (Mark(on_grid, READ, CELLS),))
        marks[(FILTER, 0)] = weight
        marks[(DE_DH, 0)] = (Mark(self._h_cells, READ, WHOLE),)
        marks[(DE_DW, 0)] = weight
        return _StageParts(
            arithmetic=gradient_text(backprop, i, j, results=self.map_numbers),
            window_numbers=self.input_numbers,
            marks=marks,
            filter=0,
            channels=(0,),
            window=window,
            window_padding=(False,) * len(window),
            window_source=INPUT,
            weight=(i, j),
        )

    def update_parts(self, entry: TimelineEntry) -> _StageParts:
        """W ← W − η ∂E/∂W for every weight at once."""
        backprop = self.backprop
        assert backprop is not None  # the timeline has an UPDATE stage only with backprop
        marks = {(W_NEXT, 0): (Mark(self._weights, CURRENT, WHOLE),)}
        return _StageParts(
            arithmetic=update_text(backprop, results=self.map_numbers),
            window_numbers=self.map_numbers,
            marks=marks,
        )

    def revealed(self, entry: TimelineEntry) -> dict[MapKey, int]:
        """Cells shown per grid at this position; grids not listed are shown whole."""
        timeline, position = self.timeline, entry.position
        shown: dict[MapKey, int] = {}
        if self.backprop is not None:
            forward = timeline.stage_progress(FORWARD, position)
            shown[(CONV, 0)] = forward
            if entry.stage == FORWARD:
                shown[(H, 0)] = forward
                shown.update(dict.fromkeys(_AFTER_FORWARD, 0))
            elif entry.stage == GRADIENT:
                shown[(DE_DW, 0)] = timeline.stage_progress(GRADIENT, position)
                shown[(W_NEXT, 0)] = shown[(H_NEXT, 0)] = 0
            return shown
        for column in self.columns:
            if column.maps is not None:
                for d in range(self._maps):
                    shown[(column.key, d)] = timeline.revealed_cells(column.key, position, d)
        return shown


_PARTS = {
    CONV: Animation.conv_parts,
    FORWARD: Animation.conv_parts,
    RELU: Animation.relu_parts,
    POOL: Animation.pool_parts,
    GRADIENT: Animation.gradient_parts,
    UPDATE: Animation.update_parts,
}


def build_frame(animation: Animation, entry: TimelineEntry) -> Frame:
    """The frame of one timeline entry of ``animation`` (see ``Frame``)."""
    parts = _PARTS[entry.stage](animation, entry)
    return Frame(
        animation=animation,
        position=entry.position,
        stage=entry.stage,
        index=entry.index,
        label=entry.label,
        caption=animation.caption(entry),
        arithmetic=parts.arithmetic,
        window_numbers=parts.window_numbers,
        filter=parts.filter,
        channels=parts.channels,
        window=parts.window,
        window_padding=parts.window_padding,
        window_source=parts.window_source,
        weight=parts.weight,
        conv=parts.conv,
        pool=parts.pool,
        revealed=MappingProxyType(animation.revealed(entry)),
        marks=MappingProxyType(parts.marks),
    )


def all_cells(shape: tuple[int, ...]) -> tuple[Cell, ...]:
    """Every (row, col) of a grid of this (rows, cols, …) shape, row-major (a WHOLE mark's)."""
    return tuple((r, c) for r in range(int(shape[0])) for c in range(int(shape[1])))


def _input_title(result: PipelineResult) -> str:
    """The input panel's title: "Input  6×6×3, padded to 8×8" (padded only with padding)."""
    spec = result.spec
    rows, cols, channels = spec.input.shape
    size = f"{rows}×{cols}" + (f"×{channels}" if channels > 1 else "")
    if not result.padding.is_zero:
        padded = result.conv.padded_input.shape
        size += f", padded to {padded[0]}×{padded[1]}"
    return f"Input  {size}"


def _map_columns(result: PipelineResult) -> tuple[MapColumn, ...]:
    """Convolution (÷ divisor), ReLU and pooling columns, with their headers."""
    spec = result.spec
    h, w = result.feature_maps.shape[:2]
    divisor = f" ÷ {write(spec.divisor).alone}" if spec.divisor != 1 else ""
    pool_header = ""
    if spec.pool is not None and result.pooled is not None:
        p = spec.pool
        mode = "Max" if p.mode == "max" else "Average"
        ph, pw = result.pooled.shape[:2]
        same = ", same" if p.padding == "same" else ""
        pool_header = f"{mode} pool {p.size}×{p.size}, stride {p.stride}{same}\n{ph}×{pw}"
    return (
        MapColumn(CONV, f"Convolution{divisor}\n{h}×{w}", result.feature_maps),
        MapColumn(RELU, "ReLU\nmax(0, x)", result.activated if spec.relu else None),
        MapColumn(POOL, pool_header, result.pooled),
    )
