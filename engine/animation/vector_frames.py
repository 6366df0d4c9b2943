"""One frame per scrubber position of a vector lesson: everything its panel paints at step i.

``VectorAnimation`` is the animation of one vector lesson (``engine.animation.vector_setup``):
its timeline, the grids it shows (the maps, the flattened vector x, each output unit's weights
before and after an update) in sections, and a table with one row per class (z, e^z, ŷ, the
one-hot y, y·log ŷ, the gradient, the new bias) or per layer (a shapes lesson).
``animation[i]`` builds the frozen ``VectorFrame`` of position i on demand: its caption, its
arithmetic (``engine.animation.vector_arithmetic``), how many cells of each grid and table
column are shown, and the marks to draw (``engine.animation.frames.Mark``, keyed like the
convolution's frames by the grid they belong to).

A ``VectorFrame`` is, like a convolution's ``Frame``, an ``engine.animation.frames.StepFrame``
(position, caption, arithmetic, ``at_start``, ``at_end``), and its ``conv`` and ``pool`` are
always None (a vector step has no window), so the same step panel, scrubber and player drive both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.frames import (
    BLOCK,
    CELLS,
    CURRENT,
    READ,
    WHOLE,
    Mark,
    StepAnimation,
    StepFrame,
    all_cells,
)
from engine.animation.layer_shapes import tensor_text
from engine.animation.numbers import GENERAL, NumberRule, write
from engine.animation.vector_arithmetic import (
    dense_text,
    divide_text,
    exponent_sum_text,
    exponent_text,
    flatten_text,
    gradient_text,
    layer_text,
    loss_after_text,
    loss_term_text,
    loss_text,
    update_text,
)
from engine.animation.vector_setup import CROSS_ENTROPY, DENSE, SOFTMAX, UPDATE
from engine.animation.vector_timeline import (
    DENSE_UNIT,
    DIVIDE,
    EXP_SUM,
    EXPONENT,
    FLATTEN_STEP,
    LAYER,
    LOSS,
    LOSS_AFTER,
    LOSS_TERM,
    UNIT_GRADIENT,
    UNIT_UPDATE,
    VectorTimeline,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

    from engine.animation.frames import Cell, MapKey
    from engine.animation.timeline import TimelineEntry
    from engine.animation.vector_setup import VectorResult
    from engine.animation.vector_steps import FlattenStep

MAPS, VECTOR, WEIGHTS, WEIGHTS_NEXT = "maps", "vector", "weights", "weights after"
"""The grids of a vector lesson: the maps (one per channel), x, W's and W′'s units."""
COLUMN, TOTAL = "column", "total"
"""Keys of the table's columns and totals: (COLUMN, j), (TOTAL, j)."""
LOGITS, EXPS, PROBABILITIES, LABEL, LOG_TERMS, GRADIENT_Z, BIAS, BIAS_NEXT, AFTER = (
    "z", "e^z", "ŷ", "y", "y·log ŷ", "∂J/∂z", "b", "b′", "ŷ′",
)  # fmt: skip
"""The table's number columns (``TableColumn.name``)."""
SHAPE_COLUMNS = ("Keras", "Output shape", "How", "Parameters")
"""A shapes lesson's table columns (text)."""
LONG_VECTOR_ROWS = 8
"""Rows a long vector (over 100 values) is drawn in: a 784-vector as 8 rows of 98."""
SHORT_VECTOR = 16
WRAP = 12


@dataclass(frozen=True, slots=True)
class VectorGrid:
    """A grid the vector panel paints: an array laid out in rows and columns.

    Attributes:
        key: The frame's key for it, e.g. (WEIGHTS, 2).
        title: Its caption ("↘ diagonal", "w[:, 3]"); may be "".
        values: (rows, cols).
        padding: (rows, cols) bools: cells that hold no value (a vector's last row), or None.
        scale_group: Grids of the same group share one colour scale ("weights": W and W′).
    """

    key: MapKey
    title: str
    values: NDArray[np.float64]
    padding: NDArray[np.bool_] | None
    scale_group: str


@dataclass(frozen=True, slots=True)
class VectorSection:
    """A row of grids under one title: the maps, the vector, the weights, the new weights."""

    key: str
    title: str
    grids: tuple[VectorGrid, ...]


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of the table: numbers (``values``, with a bar when ``bar``) or ``texts``."""

    key: MapKey
    name: str
    header: str
    values: NDArray[np.float64] | None = None
    texts: tuple[str, ...] = ()
    bar: bool = False


@dataclass(frozen=True, slots=True)
class TableTotal:
    """A line under the table, shown once computed: "Σ e^z ≈ 12.3", "J ≈ 0.105"."""

    key: MapKey
    text: str


@dataclass(frozen=True, slots=True)
class VectorTable:
    """One row per class (or output unit, or layer): the columns and totals the lesson fills."""

    row_header: str
    row_names: tuple[str, ...]
    columns: tuple[TableColumn, ...]
    totals: tuple[TableTotal, ...]


@dataclass(frozen=True, slots=True, eq=False)
class VectorFrame(StepFrame["VectorAnimation"]):
    """Everything the vector panel and the step controls paint at one scrubber position.

    Its ``StepFrame`` fields: the lesson's ``animation``, the scrubber ``position``, the
    ``stage`` (a stage of ``engine.animation.vector_timeline``), the ``index`` within it, the
    ``label`` ("Dense · z[X] = x·w[:, X] + b[X]"), the ``caption`` and the ``arithmetic``
    written out (``engine.animation.vector_arithmetic``).

    Attributes:
        row: The table row the step computes (a class, an output unit, a layer), or None.
        revealed: Cells shown per grid and table column (and 0 or 1 per total); grids not
            listed are shown whole.
        marks: What to emphasise per grid (``engine.animation.frames.Mark``).
    """

    row: int | None
    revealed: Mapping[MapKey, int]
    marks: Mapping[MapKey, tuple[Mark, ...]]

    @property
    def conv(self) -> None:
        """No convolution window: the step panel's dot product stays hidden."""
        return None

    @property
    def pool(self) -> None:
        """No pooling window."""
        return None


@dataclass(frozen=True, slots=True)
class _StageParts:
    arithmetic: str
    row: int | None = None
    marks: Mapping[MapKey, tuple[Mark, ...]] = field(default_factory=dict)


def vector_layout(n: int, maps_shape: tuple[int, ...] | None) -> tuple[int, int]:
    """(rows, cols) that a vector of ``n`` values is drawn in, filled row by row.

    Flattened small maps (at most 100 values): one row per map row, (H, W·C), so that each
    row shows the channels interleaved as Keras's Flatten orders them. Otherwise up to 16
    values in one row, up to 100 in rows of 12, more in ``LONG_VECTOR_ROWS`` rows.
    """
    if maps_shape is not None and n <= 100:
        return (maps_shape[0], maps_shape[1] * maps_shape[2])
    if n <= SHORT_VECTOR:
        return (1, n)
    if n <= 100:
        return (math.ceil(n / WRAP), WRAP)
    return (LONG_VECTOR_ROWS, math.ceil(n / LONG_VECTOR_ROWS))


def _laid_out(
    values: NDArray[np.float64], shape: tuple[int, int]
) -> tuple[NDArray[np.float64], NDArray[np.bool_] | None]:
    """A vector in (rows, cols), row by row, with the cells past its end marked as padding."""
    rows, cols = shape
    grid = np.zeros(rows * cols)
    grid[: values.size] = values
    padding = None
    if values.size < rows * cols:
        mask = np.zeros(rows * cols, dtype=bool)
        mask[values.size :] = True
        padding = mask.reshape(rows, cols)
    return grid.reshape(rows, cols), padding


class VectorAnimation(StepAnimation[VectorFrame]):
    """The frames of one vector lesson, built on demand (see the module docstring).

    Raises IndexError for a position outside 0 .. len − 1 (negative indices count from the end).
    """

    def __init__(self, result: VectorResult) -> None:
        self.result = result
        self.spec = result.spec
        self.timeline: VectorTimeline = VectorTimeline(result)
        self.numbers: NumberRule = GENERAL
        """How every number of a vector lesson is written: the general rule."""
        self.learning_rate = result.learning_rate
        """η of the update, or None when the lesson has none."""
        spec = self.spec
        self._maps_shape = None if spec.maps is None else tuple(spec.maps.shape)
        n = 0 if result.x is None else int(result.x.size)
        self.vector_shape = vector_layout(n, self._maps_shape) if n else (0, 0)
        """(rows, cols) of the vector grid x."""
        self.weight_shape = (
            (self._maps_shape[0], self._maps_shape[1] * self._maps_shape[2])
            if self._maps_shape is not None
            else self.vector_shape
        )
        """(rows, cols) of each unit's weight grid: the maps' (H, W·C), else like x."""
        self.sections = self._sections()
        self.table = self._table()
        self._column_keys = {c.name: c.key for c in self.table.columns}

    def _item(self, position: int) -> VectorFrame:
        entry = self.timeline[position]
        parts = _PARTS[entry.stage](self, entry)
        return VectorFrame(
            animation=self,
            position=entry.position,
            stage=entry.stage,
            index=entry.index,
            label=entry.label,
            caption=self.caption(entry),
            arithmetic=parts.arithmetic,
            row=parts.row,
            revealed=MappingProxyType(self.revealed(entry)),
            marks=MappingProxyType(dict(parts.marks)),
        )

    # ----- what every frame shares ---------------------------------------------------------
    @property
    def title(self) -> str:
        """The panel's title: what the lesson computes."""
        spec = self.spec
        if spec.is_shapes:
            return "Shapes and parameters, layer by layer"
        names = {
            "flatten": "Flatten",
            DENSE: "Dense",
            SOFTMAX: "Softmax",
            CROSS_ENTROPY: "Cross-entropy",
            UPDATE: "One gradient step",
        }
        return " → ".join(names[step] for step in spec.steps)

    def _sections(self) -> tuple[VectorSection, ...]:
        spec, result = self.spec, self.result
        sections = []
        if spec.maps is not None:
            h, w, c = spec.maps.shape
            size = f"{h}×{w}" + (f"×{c}" if c > 1 else "")
            grids = tuple(
                VectorGrid((MAPS, ch), spec.map_name(ch) if c > 1 else "", spec.maps[:, :, ch],
                           None, MAPS)
                for ch in range(c)
            )  # fmt: skip
            sections.append(VectorSection(MAPS, f"{_capital(spec.input_name)} {size}", grids))
        if result.x is not None and (spec.maps is not None or spec.has(DENSE)):
            values, padding = _laid_out(result.x, self.vector_shape)
            title = f"x, {result.x.size} values" + (
                ": x[(r·W + c)·C + ch] = map ch at row r, column c" if spec.maps is not None
                else ""
            )  # fmt: skip
            grid = VectorGrid((VECTOR, 0), "", values, padding, VECTOR)
            sections.append(VectorSection(VECTOR, title, (grid,)))
        if spec.weights is not None:
            n, k = spec.weights.shape
            sections.append(
                VectorSection(
                    WEIGHTS,
                    f"W, {n}×{k}: each output unit's weights, laid out like "
                    + ("the maps" if spec.maps is not None else "x"),
                    self._weight_grids(WEIGHTS, spec.weights, "w"),
                )
            )
        if result.update is not None:
            sections.append(
                VectorSection(
                    WEIGHTS_NEXT,
                    "W′ = W − η·xᵀ(ŷ − y): the weights after one step",
                    self._weight_grids(WEIGHTS_NEXT, result.update.weights_next, "w′"),
                )
            )
        return tuple(sections)

    def _weight_grids(
        self, kind: str, weights: NDArray[np.float64], symbol: str
    ) -> tuple[VectorGrid, ...]:
        """One grid per output unit: its column of W in the maps' layout (or x's)."""
        grids = []
        for k in range(weights.shape[1]):
            column = weights[:, k]
            if self._maps_shape is not None:
                values, padding = column.reshape(self.weight_shape), None
            else:
                values, padding = _laid_out(column, self.weight_shape)
            title = f"{symbol}[:, {self.spec.class_name(k)}]"
            grids.append(VectorGrid((kind, k), title, values, padding, WEIGHTS))
        return tuple(grids)

    def _table(self) -> VectorTable:
        spec, result = self.spec, self.result
        if spec.is_shapes:
            return self._shapes_table()
        columns: list[TableColumn] = []
        totals: list[TableTotal] = []
        self._total_stages: list[str] = []  # the stage that computes each total

        def column(name: str, header: str, values: NDArray[np.float64], bar: bool = False) -> None:
            columns.append(TableColumn((COLUMN, len(columns)), name, header, values, bar=bar))

        def total(text: str, stage: str) -> None:
            totals.append(TableTotal((TOTAL, len(totals)), text))
            self._total_stages.append(stage)

        if spec.has(DENSE) and spec.bias is not None:
            column(BIAS, "b", spec.bias)
        if result.logits is not None:
            column(LOGITS, "z = x·W + b" if spec.has(DENSE) else "z (logits)", result.logits)
        if result.softmax is not None:
            column(EXPS, "e^z", result.softmax.exps)
            total(f"Σ e^z {write(result.softmax.total).equals}", EXP_SUM)
        if result.probabilities is not None:
            header = "ŷ = e^z / Σ e^z" if result.softmax is not None else "ŷ"
            column(PROBABILITIES, header, result.probabilities, bar=True)
        if result.onehot is not None and result.log_terms is not None:
            column(LABEL, "y (one-hot)", result.onehot)
            column(LOG_TERMS, "y·log ŷ", result.log_terms)
            total(f"J = −Σ y·log ŷ {write(result.loss or 0.0).equals}", LOSS)
        update = result.update
        if update is not None:
            column(GRADIENT_Z, "∂J/∂z = ŷ − y", update.gradient_z)
            column(BIAS_NEXT, "b′ = b − η·∂J/∂b", update.bias_next)
            column(AFTER, "ŷ′ after the step", update.probabilities_next, bar=True)
            total(f"J after the step {write(update.loss_next).equals}", LOSS_AFTER)
        header = "class" if spec.has(SOFTMAX) or spec.has(CROSS_ENTROPY) else "unit"
        names = tuple(spec.class_name(k) for k in range(result.units))
        return VectorTable(header, names, tuple(columns), tuple(totals))

    def _shapes_table(self) -> VectorTable:
        shapes = self.result.shapes
        self._total_stages = [LAYER]
        texts = (
            tuple(s.layer.keras for s in shapes),
            tuple(tensor_text(s.output_shape) for s in shapes),
            tuple(s.shape_formula for s in shapes),
            tuple(s.params_formula for s in shapes),
        )
        columns = tuple(
            TableColumn((COLUMN, j), name, name, texts=column)
            for j, (name, column) in enumerate(zip(SHAPE_COLUMNS, texts, strict=True))
        )
        total = sum(s.params for s in shapes)
        names = tuple(s.layer.name or f"Layer {n + 1}" for n, s in enumerate(shapes))
        spec = self.spec
        header = f"Input {tensor_text(spec.shapes_input)}"
        return VectorTable(header, names, columns,
                           (TableTotal((TOTAL, 0), f"In all: {total:,} parameters"),))  # fmt: skip

    # ----- per position --------------------------------------------------------------------
    def revealed(self, entry: TimelineEntry) -> dict[MapKey, int]:
        """Cells shown per grid and table column at this position (whole when not listed)."""
        timeline, position = self.timeline, entry.position
        done = {stage: timeline.stage_progress(stage, position) for stage, _ in timeline.stages}
        shown: dict[MapKey, int] = {}
        if self.spec.is_shapes:
            for column in self.table.columns:
                shown[column.key] = done[LAYER]
            shown[(TOTAL, 0)] = int(entry.position == len(self) - 1)
            return shown
        if FLATTEN_STEP in done and self.result.flatten:
            steps = self.result.flatten
            count = done[FLATTEN_STEP]
            shown[(VECTOR, 0)] = steps[count - 1].last + 1 if count else 0
        per_column = {
            LOGITS: done.get(DENSE_UNIT, self.result.units),
            EXPS: done.get(EXPONENT, 0),
            PROBABILITIES: done.get(DIVIDE, self.result.units),
            LOG_TERMS: done.get(LOSS_TERM, 0),
            GRADIENT_Z: done.get(UNIT_GRADIENT, 0),
            BIAS_NEXT: done.get(UNIT_UPDATE, 0),
            AFTER: self.result.units * done.get(LOSS_AFTER, 0),
        }
        for name, key in self._column_keys.items():
            shown[key] = per_column.get(name, self.result.units)
        for total, stage in zip(self.table.totals, self._total_stages, strict=True):
            shown[total.key] = done[stage]
        update_done = done.get(UNIT_UPDATE, 0)
        for section in self.sections:
            if section.key == WEIGHTS_NEXT:
                for k, grid in enumerate(section.grids):
                    shown[grid.key] = grid.values.size if k < update_done else 0
        return shown

    def _vector_cells(self, indices: tuple[int, ...]) -> tuple[Cell, ...]:
        cols = self.vector_shape[1]
        return tuple((i // cols, i % cols) for i in indices)

    def flatten_parts(self, entry: TimelineEntry) -> _StageParts:
        """Cells of the maps moving into x: outlined on the maps and on x."""
        step: FlattenStep = self.result.flatten[entry.index]
        marks: dict[MapKey, tuple[Mark, ...]] = {}
        for ch in sorted({cell[2] for cell in step.cells}):
            cells = tuple((r, c) for r, c, k in step.cells if k == ch)
            marks[(MAPS, ch)] = (Mark(cells, READ, BLOCK if step.whole_row else CELLS),)
        outline = BLOCK if step.whole_row else CELLS
        marks[(VECTOR, 0)] = (Mark(self._vector_cells(step.indices), CURRENT, outline),)
        return _StageParts(flatten_text(step, self.spec), None, marks)

    def dense_parts(self, entry: TimelineEntry) -> _StageParts:
        """Output unit k: x and its weights read, its z computed."""
        k = entry.index
        marks = {
            (VECTOR, 0): (Mark(all_cells(self.vector_shape), READ, WHOLE),),
            (WEIGHTS, k): (Mark(all_cells(self.weight_shape), READ, WHOLE),),
        }
        decide = not self.spec.has(SOFTMAX) and k == self.result.units - 1
        return _StageParts(dense_text(self.result, k, decide=decide), k, marks)

    def exponent_parts(self, entry: TimelineEntry) -> _StageParts:
        """e^z of one class."""
        return _StageParts(exponent_text(self.result, entry.index), entry.index)

    def exponent_sum_parts(self, entry: TimelineEntry) -> _StageParts:
        """Σ e^z."""
        return _StageParts(exponent_sum_text(self.result))

    def divide_parts(self, entry: TimelineEntry) -> _StageParts:
        """ŷ of one class."""
        last = entry.index == self.result.units - 1
        return _StageParts(divide_text(self.result, entry.index, last=last), entry.index)

    def loss_term_parts(self, entry: TimelineEntry) -> _StageParts:
        """y·log ŷ of one class."""
        return _StageParts(loss_term_text(self.result, entry.index), entry.index)

    def loss_parts(self, entry: TimelineEntry) -> _StageParts:
        """J = −Σ y·log ŷ; the true class's row."""
        return _StageParts(loss_text(self.result), int(self.spec.label or 0))

    def gradient_parts(self, entry: TimelineEntry) -> _StageParts:
        """∂J/∂z of one class, and what it means for its weights (x is read)."""
        marks = {(VECTOR, 0): (Mark(all_cells(self.vector_shape), READ, WHOLE),)}
        return _StageParts(gradient_text(self.result, entry.index), entry.index, marks)

    def update_parts(self, entry: TimelineEntry) -> _StageParts:
        """Unit k's bias and weights after the step: W's unit read, W′'s unit computed."""
        k = entry.index
        cells = all_cells(self.weight_shape)
        marks = {
            (WEIGHTS, k): (Mark(cells, READ, WHOLE),),
            (WEIGHTS_NEXT, k): (Mark(cells, CURRENT, WHOLE),),
        }
        return _StageParts(update_text(self.result, k), k, marks)

    def loss_after_parts(self, entry: TimelineEntry) -> _StageParts:
        """The loss before and after; the true class's row."""
        return _StageParts(loss_after_text(self.result), int(self.spec.label or 0))

    def layer_parts(self, entry: TimelineEntry) -> _StageParts:
        """One layer of a shapes lesson; the whole network's parameters at the last one."""
        shapes = self.result.shapes
        last = entry.index == len(shapes) - 1
        total = sum(s.params for s in shapes) if last else None
        return _StageParts(layer_text(shapes[entry.index], total=total), entry.index)


_PARTS = {
    LAYER: VectorAnimation.layer_parts,
    FLATTEN_STEP: VectorAnimation.flatten_parts,
    DENSE_UNIT: VectorAnimation.dense_parts,
    EXPONENT: VectorAnimation.exponent_parts,
    EXP_SUM: VectorAnimation.exponent_sum_parts,
    DIVIDE: VectorAnimation.divide_parts,
    LOSS_TERM: VectorAnimation.loss_term_parts,
    LOSS: VectorAnimation.loss_parts,
    UNIT_GRADIENT: VectorAnimation.gradient_parts,
    UNIT_UPDATE: VectorAnimation.update_parts,
    LOSS_AFTER: VectorAnimation.loss_after_parts,
}


def _capital(text: str) -> str:
    return (text[:1].upper() + text[1:]) if text else "The maps"
