"""Animation as data: convolution and pooling as indexable sequences of frozen step records.

A view asks "what is step i?" and draws it; stepping back, scrubbing and jumping to the end are
just other indices. Records are built on demand, so a 28x28 input with 32 filters costs one
convolution up front, not 25,000 small arrays.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, overload

import numpy as np

from engine.operations.conv import ConvPlan, plan_conv, run_conv
from engine.operations.pool import PoolPlan, padded_for_pool, plan_pool, run_pool

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.operations.params import IntPair, Padding, PaddingSpec


ArrayT = TypeVar("ArrayT", bound=np.ndarray)


def _frozen(array: ArrayT) -> ArrayT:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True)
class ConvStep:
    """One output value of a convolution and the arithmetic that made it.

    Positions: ``row``/``col`` index the output map; ``input_rows``/``input_cols`` are the rows
    and columns of the *padded* input under the kernel (dilation spreads them apart).
    ``window`` and ``products`` have the per-filter kernel's shape: (kh, kw) for a 2-D input and
    kernel, else (kh, kw, C). Padding cells hold 0 and are flagged in ``is_padding`` (kh, kw).
    """

    index: int
    filter: int
    row: int
    col: int
    window: NDArray[np.floating]
    is_padding: NDArray[np.bool_]
    kernel: NDArray[np.floating]
    products: NDArray[np.floating]
    bias: float
    value: float
    input_rows: tuple[int, ...]
    input_cols: tuple[int, ...]

    @property
    def total(self) -> float:
        """The sum of the products, before the bias."""
        return float(self.products.sum())


@dataclass(frozen=True, slots=True)
class PoolStep:
    """One output value of a pooling: its window, the winning cell (max) or the mean (avg)."""

    index: int
    channel: int
    row: int
    col: int
    mode: str
    window: NDArray[np.floating]
    is_padding: NDArray[np.bool_]
    chosen: tuple[int, int] | None
    mean: float | None
    value: float
    input_rows: tuple[int, ...]
    input_cols: tuple[int, ...]

    @property
    def filter(self) -> int:
        """Alias of ``channel``: steps are ordered by map, then row, then column."""
        return self.channel


StepT = TypeVar("StepT", ConvStep, PoolStep)


def _padding_mask(
    padded_hw: tuple[int, ...], padding: Padding, input_hw: tuple[int, ...]
) -> NDArray[np.bool_]:
    """True for the cells of the padded input that are padding."""
    mask = np.ones(padded_hw[:2], dtype=bool)
    mask[padding.top : padding.top + input_hw[0], padding.left : padding.left + input_hw[1]] = False
    return mask


class _StepSequence(Sequence[StepT], Generic[StepT]):
    """Common indexing for step sequences: maps x rows x cols, negative indices, slices."""

    _maps: int
    _out_hw: tuple[int, int]
    _padding: Padding

    @property
    def padding(self) -> Padding:
        return self._padding

    @property
    def out_hw(self) -> tuple[int, int]:
        return self._out_hw

    def __len__(self) -> int:
        return self._maps * self._out_hw[0] * self._out_hw[1]

    def position(self, index: int) -> tuple[int, int, int]:
        """(map, row, col) of step ``index``."""
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"step {index} is out of range: there are {count} steps")
        index %= count
        per_map = self._out_hw[0] * self._out_hw[1]
        m, rest = divmod(index, per_map)
        r, c = divmod(rest, self._out_hw[1])
        return m, r, c

    def index_of(self, map_index: int, row: int, col: int) -> int:
        """The step that computes output (row, col) of map ``map_index``."""
        oh, ow = self._out_hw
        if not (0 <= map_index < self._maps and 0 <= row < oh and 0 <= col < ow):
            raise ValueError(
                f"no output at map {map_index}, row {row}, col {col}: "
                f"there are {self._maps} map(s) of {oh}x{ow}"
            )
        return (map_index * oh + row) * ow + col

    @overload
    def __getitem__(self, index: int) -> StepT: ...
    @overload
    def __getitem__(self, index: slice) -> list[StepT]: ...
    def __getitem__(self, index: int | slice) -> StepT | list[StepT]:
        if isinstance(index, slice):
            return [self._step(i) for i in range(*index.indices(len(self)))]
        m, r, c = self.position(operator.index(index))
        return self._build(self.index_of(m, r, c), m, r, c)

    def __iter__(self) -> Iterator[StepT]:
        for i in range(len(self)):
            yield self._step(i)

    def _step(self, index: int) -> StepT:
        m, r, c = self.position(index)
        return self._build(index, m, r, c)

    def _build(self, index: int, m: int, r: int, c: int) -> StepT:
        raise NotImplementedError


class ConvSteps(_StepSequence[ConvStep]):
    """The steps of a convolution, ordered by filter, then output row, then output column."""

    def __init__(self, plan: ConvPlan) -> None:
        self.plan = plan
        self._maps = plan.filters
        self._out_hw = plan.out_hw
        self._padded = _frozen(plan.padded_input().astype(np.float64))
        self._kernel = plan.kernel.astype(np.float64)
        self._padding = plan.padding
        self._is_pad = _frozen(_padding_mask(self._padded.shape, plan.padding, plan.x.shape))
        self.output = _frozen(run_conv(plan))

    @property
    def padded_input(self) -> NDArray[np.floating]:
        """The input with its zero padding, (H + pads, W + pads, C), read-only."""
        return self._padded

    @property
    def padding_mask(self) -> NDArray[np.bool_]:
        """True for the cells of ``padded_input`` that are zero padding, (H + pads, W + pads)."""
        return self._is_pad

    def _build(self, index: int, m: int, r: int, c: int) -> ConvStep:
        plan = self.plan
        (kh, kw), (sh, sw), (dh, dw) = plan.kernel_hw, plan.stride, plan.dilation
        rows = tuple(r * sh + i * dh for i in range(kh))
        cols = tuple(c * sw + j * dw for j in range(kw))
        rsel = slice(rows[0], rows[-1] + 1, dh)
        csel = slice(cols[0], cols[-1] + 1, dw)
        window = self._padded[rsel, csel]
        kernel = self._kernel[:, :, :, m]
        products = window * kernel
        bias = float(plan.bias[m])
        value = float(products.sum()) + bias
        if plan.flat:
            window, kernel, products = window[:, :, 0], kernel[:, :, 0], products[:, :, 0]
        return ConvStep(
            index=index,
            filter=m,
            row=r,
            col=c,
            window=_frozen(window.copy()),
            is_padding=_frozen(self._is_pad[rsel, csel].copy()),
            kernel=_frozen(kernel.copy()),
            products=_frozen(products),
            bias=bias,
            value=value,
            input_rows=rows,
            input_cols=cols,
        )


class PoolSteps(_StepSequence[PoolStep]):
    """The steps of a pooling, ordered by channel, then output row, then output column."""

    def __init__(self, plan: PoolPlan) -> None:
        self.plan = plan
        self._maps = plan.x.shape[2]
        self._out_hw = plan.out_hw
        self._padded = _frozen(padded_for_pool(plan).astype(np.float64))
        self._padding = plan.padding
        self._is_pad = _padding_mask(self._padded.shape, plan.padding, plan.x.shape)
        self.output = _frozen(run_pool(plan))

    def _build(self, index: int, m: int, r: int, c: int) -> PoolStep:
        plan = self.plan
        (kh, kw), (sh, sw) = plan.size, plan.stride
        rows = tuple(r * sh + i for i in range(kh))
        cols = tuple(c * sw + j for j in range(kw))
        raw = self._padded[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1, m]
        is_pad = self._is_pad[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        window = np.where(is_pad, 0.0, raw)
        chosen: tuple[int, int] | None = None
        mean: float | None = None
        if plan.mode == "max":
            flat_index = int(np.argmax(np.where(is_pad, -np.inf, raw)))
            chosen = (flat_index // kw, flat_index % kw)
            value = float(raw[chosen])
        else:
            mean = float(window[~is_pad].mean())
            value = mean
        return PoolStep(
            index=index,
            channel=m,
            row=r,
            col=c,
            mode=plan.mode,
            window=_frozen(window),
            is_padding=_frozen(is_pad.copy()),
            chosen=chosen,
            mean=mean,
            value=value,
            input_rows=rows,
            input_cols=cols,
        )


def conv_steps(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
) -> ConvSteps:
    """The convolution ``conv2d`` computes, as a lazy sequence of ``ConvStep`` records.

    Raises:
        ValueError: exactly as ``conv2d`` for the same arguments, with the same message (both
            check them with ``engine.operations.conv.plan_conv``).
    """
    return ConvSteps(plan_conv(x, kernel, bias, stride=stride, padding=padding, dilation=dilation))


def pool_steps(
    x: ArrayLike,
    size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    mode: str = "max",
    padding: PaddingSpec = "valid",
) -> PoolSteps:
    """The pooling ``pool2d`` computes, as a lazy sequence of ``PoolStep`` records.

    Raises:
        ValueError: exactly as ``pool2d`` for the same arguments, with the same message (both
            check them with ``engine.operations.pool.plan_pool``).
    """
    return PoolSteps(plan_pool(x, size, stride=stride, mode=mode, padding=padding))
