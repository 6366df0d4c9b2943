"""The playground's state and the pipeline it animates: convolution → ÷ divisor → ReLU → pooling.

``PlaygroundSpec`` is the one source of truth for what the user set up (input, filters, biases,
parameters); widgets reflect it. ``run_pipeline`` computes every stage the views draw.

Every set-up is checked (``PlaygroundSpec.checked``) against the playground's limits and the
engine's (the table in ``engine.operations.limits``): at most 64x64 cells and 4 channels,
kernels up to 9x9, 1 to 16 filters, |values| ≤ 1e6, 1e-6 ≤ |divisor| ≤ 1e6, a pool window no
larger than the feature map. Within them nothing the pipeline computes can overflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.presets import fit_kernel
from engine.animation.steps import ConvSteps, PoolSteps
from engine.operations.conv import ConvPlan, plan_conv
from engine.operations.limits import (
    PLAYGROUND_MAX_ABS_DIVISOR,
    PLAYGROUND_MAX_ABS_VALUE,
    PLAYGROUND_MAX_CHANNELS,
    PLAYGROUND_MAX_FILTERS,
    PLAYGROUND_MAX_INPUT_SIZE,
    PLAYGROUND_MAX_KERNEL_SIZE,
    PLAYGROUND_MIN_ABS_DIVISOR,
)
from engine.operations.params import Padding, describe, describe_typed, pair, whole
from engine.operations.pool import plan_pool
from engine.operations.shapes import OutputShape, ParamCount, output_shape, param_count
from engine.operations.values import as_float_array, real_number

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.operations.params import PaddingSpec

MAX_INPUT_SIZE = PLAYGROUND_MAX_INPUT_SIZE
MAX_CHANNELS = PLAYGROUND_MAX_CHANNELS
MAX_KERNEL_SIZE = PLAYGROUND_MAX_KERNEL_SIZE
MAX_FILTERS = PLAYGROUND_MAX_FILTERS
MAX_ABS_VALUE = PLAYGROUND_MAX_ABS_VALUE
MIN_ABS_DIVISOR = PLAYGROUND_MIN_ABS_DIVISOR
MAX_ABS_DIVISOR = PLAYGROUND_MAX_ABS_DIVISOR


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """Pooling after the convolution (and ReLU): max or avg, window size, stride, padding."""

    size: int = 2
    stride: int = 2
    mode: str = "max"
    padding: str = "valid"


@dataclass(frozen=True)
class PlaygroundSpec:
    """Everything the user set up in the playground. Arrays are read-only copies.

    ``input`` is (H, W, C); ``filters`` is (kh, kw, C, D) like Keras; ``biases`` is (D,).
    ``divisor`` divides every convolution result (slide 004's X-or-O divides by 9).
    """

    input: NDArray[np.float64]
    filters: NDArray[np.float64]
    biases: NDArray[np.float64]
    stride: tuple[int, int] = (1, 1)
    padding: PaddingSpec = "valid"
    dilation: tuple[int, int] = (1, 1)
    divisor: float = 1.0
    relu: bool = False
    pool: PoolSettings | None = None
    channel_names: tuple[str, ...] = field(default=())
    filter_names: tuple[str, ...] = field(default=())

    @classmethod
    def create(
        cls,
        input: ArrayLike,
        filters: ArrayLike,
        biases: ArrayLike | None = None,
        **settings: object,
    ) -> PlaygroundSpec:
        """Build a spec from arrays in any accepted shape.

        A 2-D input becomes (H, W, 1), a single 2-D filter (kh, kw, 1, 1), a list of 2-D
        filters (kh, kw, 1, D). Raises ValueError (a sentence) for an impossible set-up.
        """
        unknown = sorted(set(settings) - _FIELDS)
        if unknown:
            raise ValueError(f"the playground has no setting {unknown[0]!r}")
        x = as_float_array(input, "input").astype(np.float64)
        if x.ndim == 2:
            x = x[:, :, None]
        k = as_float_array(filters, "filters").astype(np.float64)
        if k.ndim == 2:
            k = k[:, :, None, None]
        elif k.ndim == 3:  # a list of 2-D filters, (D, kh, kw)
            k = k.transpose(1, 2, 0)[:, :, None, :]
        d = k.shape[-1] if k.ndim == 4 else 0
        b = np.zeros(d) if biases is None else as_float_array(biases, "biases").astype(np.float64)
        spec = cls(input=x, filters=k, biases=b.reshape(-1), **settings)  # type: ignore[arg-type]
        return spec.checked()

    def __post_init__(self) -> None:
        for name in ("input", "filters", "biases"):
            values = as_float_array(getattr(self, name), name, check=False)
            array = np.array(values, dtype=np.float64)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        object.__setattr__(self, "stride", pair(self.stride, "stride"))
        object.__setattr__(self, "dilation", pair(self.dilation, "dilation"))

    def checked(self) -> PlaygroundSpec:
        """Validate the whole set-up; ValueError with a sentence a student understands.

        Returns:
            This spec, unchanged.

        Raises:
            ValueError: anything beyond the playground's limits (module docstring) or the
                engine's, named, with what it was and what is allowed.
        """
        self.convolution_plan()
        return self

    def convolution_plan(self) -> ConvPlan:
        """All checks of ``checked``, and the checked convolution they end with."""
        x, k = self.input, self.filters
        _check_sizes(x, k)
        for array, what in ((x, "input cells"), (k, "weights"), (self.biases, "biases")):
            _check_values(array, what)
        _check_divisor(self.divisor)
        if not isinstance(self.relu, (bool, np.bool_)):
            raise ValueError(f"relu must be True or False, got {describe_typed(self.relu)}")
        for names, count, what in (
            (self.channel_names, x.shape[2], "channel"),
            (self.filter_names, k.shape[3], "filter"),
        ):
            _check_names(names, count, what)
        # conv and pooling checks (kernel fits, padding, channels, biases) with their messages
        plan = plan_conv(
            x, k, self.biases, stride=self.stride, padding=self.padding, dilation=self.dilation
        )
        if self.pool is not None:
            _check_pool(self.pool, plan.out_hw)
        return plan

    def with_changes(self, **changes: object) -> PlaygroundSpec:
        """A copy with some fields replaced, validated (ValueError if impossible)."""
        unknown = sorted(set(changes) - _FIELDS)
        if unknown:
            raise ValueError(
                f"the playground has no setting {unknown[0]!r}; its settings are "
                + ", ".join(sorted(_FIELDS))
            )
        return replace(self, **changes).checked()  # type: ignore[arg-type]

    # ----- edits: each returns a new, validated spec ---------------------------------------
    def with_input_cell(self, row: int, col: int, channel: int, value: float) -> PlaygroundSpec:
        """One input cell set to ``value`` (row/col in input coordinates, not padded)."""
        h, w, c = self.input.shape
        x = self.input.copy()
        x[_index(row, h, "row"), _index(col, w, "column"), _index(channel, c, "channel")] = _number(
            value, "the cell's value"
        )
        return self.with_changes(input=x)

    def with_random_input(self, seed: int) -> PlaygroundSpec:
        """Random cells in the style of the current input.

        0/1 (or ±1) for whole-number inputs, tenths in the same range otherwise.
        """
        rng = np.random.default_rng(whole(seed, "seed", low=0, high=2**63 - 1))
        shape = self.input.shape
        low = -1.0 if self.input.min() < 0 else 0.0
        if np.all(self.input == np.round(self.input)):
            x = rng.integers(0, 2, shape) * (1 - low) + low
        else:
            x = np.round(rng.uniform(low, 1.0, shape), 1)
        return self.with_changes(input=x)

    def with_picture(self, picture: ArrayLike) -> PlaygroundSpec:
        """A new input of any size (e.g. a 28x28 digit); a 2-D picture fills every channel."""
        shape = np.shape(picture) if isinstance(picture, np.ndarray) else None
        if shape is not None and len(shape) in (2, 3) and max(shape[:2]) > MAX_INPUT_SIZE:
            raise ValueError(  # before reading or copying a picture that large
                f"the input must be between 1x1 and {MAX_INPUT_SIZE}x{MAX_INPUT_SIZE} cells, "
                f"got a picture of {shape[0]}x{shape[1]}"
            )
        x = as_float_array(picture, "picture").astype(np.float64)
        if x.ndim == 2:
            x = np.repeat(x[:, :, None], self.channels, axis=2)
        if x.ndim != 3 or x.shape[2] != self.channels:
            raise ValueError(
                f"the picture has shape {x.shape}; the playground has {self.channels} channel(s)"
            )
        return self.with_changes(input=x)

    def with_input_size(self, rows: int, cols: int) -> PlaygroundSpec:
        """Resize the input grid, keeping the top-left cells and filling new ones with 0."""
        rows = whole(rows, "the input's rows", low=1, high=MAX_INPUT_SIZE)
        cols = whole(cols, "the input's columns", low=1, high=MAX_INPUT_SIZE)
        x = np.zeros((rows, cols, self.channels))
        h, w = min(rows, self.input.shape[0]), min(cols, self.input.shape[1])
        x[:h, :w] = self.input[:h, :w]
        return self.with_changes(input=x)

    def with_channels(self, channels: int) -> PlaygroundSpec:
        """Switch between grayscale (1) and RGB (3): the input and every filter follow."""
        if not (type(channels) is int and channels in (1, 3)):
            raise ValueError(
                f"the input has 1 (grayscale) or 3 (RGB) channels, not {describe(channels)}"
            )
        if channels == self.channels:
            return self
        if channels == 1:
            x = self.input.mean(axis=2, keepdims=True)
            k = self.filters.sum(axis=2, keepdims=True)
            names: tuple[str, ...] = ()
        else:
            x = np.repeat(self.input, 3, axis=2)
            k = np.repeat(self.filters, 3, axis=2) / 3
            names = ("R", "G", "B")
        return self.with_changes(input=x, filters=k, channel_names=names)

    def with_kernel_size(self, size: int) -> PlaygroundSpec:
        """Every filter centred in (or cropped to) a size x size grid."""
        size = whole(size, "the kernel size", low=1, high=MAX_KERNEL_SIZE)
        _, _, c, d = self.filters.shape
        k = np.zeros((size, size, c, d))
        for ch in range(c):
            for f in range(d):
                k[:, :, ch, f] = fit_kernel(self.filters[:, :, ch, f], size)
        return self.with_changes(filters=k)

    def with_kernel_cell(
        self, filter_index: int, channel: int, row: int, col: int, value: float
    ) -> PlaygroundSpec:
        """One weight of one filter set to ``value``."""
        kh, kw, c, d = self.filters.shape
        k = self.filters.copy()
        cell = (_index(row, kh, "row"), _index(col, kw, "column"), _index(channel, c, "channel"))
        k[(*cell, _index(filter_index, d, "filter"))] = _number(value, "the weight")
        return self.with_changes(filters=k)

    def with_kernel(self, filter_index: int, kernel: ArrayLike) -> PlaygroundSpec:
        """Replace one filter.

        A 2-D kernel (a preset) goes into every channel, fitted to the current kernel size;
        a 3-D one (kh, kw, C) replaces the filter as it is.
        """
        d = _index(filter_index, self.num_filters, "filter")
        values = as_float_array(kernel, "kernel").astype(np.float64)
        k = self.filters.copy()
        if values.ndim == 2:
            fitted = fit_kernel(_square_kernel(values), self.kernel_size[0])
            for ch in range(self.channels):
                k[:, :, ch, d] = fitted
        elif values.shape == k.shape[:3]:
            k[:, :, :, d] = values
        else:
            raise ValueError(
                f"the kernel must be a square preset (k, k) or {k.shape[:3]} like the filters, "
                f"got shape {values.shape}"
            )
        return self.with_changes(filters=k)

    def with_bias(self, filter_index: int, value: float) -> PlaygroundSpec:
        """The bias of one filter set to ``value``."""
        b = self.biases.copy()
        b[_index(filter_index, self.num_filters, "filter")] = _number(value, "the bias")
        return self.with_changes(biases=b)

    def with_filter_added(self, kernel: ArrayLike | None = None) -> PlaygroundSpec:
        """One more filter (a copy of ``kernel`` fitted to size, or an identity filter)."""
        if self.num_filters >= MAX_FILTERS:
            raise ValueError(f"there can be at most {MAX_FILTERS} filters")
        size = self.kernel_size[0]
        base = np.zeros((size, size))
        base[size // 2, size // 2] = 1
        values = base if kernel is None else fit_kernel(_square_kernel(kernel), size)
        new = np.repeat(values[:, :, None, None], self.channels, axis=2)
        names = (*self.filter_names, f"Filter {self.num_filters + 1}") if self.filter_names else ()
        return self.with_changes(
            filters=np.concatenate([self.filters, new], axis=3),
            biases=np.append(self.biases, 0.0),
            filter_names=names,
        )

    def with_filter_removed(self, filter_index: int) -> PlaygroundSpec:
        """Without one filter (and its bias and name); ValueError for the last filter."""
        if self.num_filters <= 1:
            raise ValueError("the playground needs at least one filter")
        removed = _index(filter_index, self.num_filters, "filter")
        keep = [d for d in range(self.num_filters) if d != removed]
        names = tuple(self.filter_names[d] for d in keep) if self.filter_names else ()
        return self.with_changes(
            filters=self.filters[:, :, :, keep], biases=self.biases[keep], filter_names=names
        )

    @property
    def kernel_size(self) -> tuple[int, int]:
        """(kh, kw) of every filter."""
        return (int(self.filters.shape[0]), int(self.filters.shape[1]))

    @property
    def channels(self) -> int:
        """C, the input's channels (1 grayscale, 3 RGB)."""
        return int(self.input.shape[2])

    @property
    def num_filters(self) -> int:
        """D, the number of filters (and of feature maps)."""
        return int(self.filters.shape[3])

    def channel_name(self, c: int) -> str:
        """Channel c's name: its given name, "" for a single channel, else "channel c+1"."""
        if self.channel_names:
            return self.channel_names[c]
        return "" if self.channels == 1 else f"channel {c + 1}"

    def filter_name(self, d: int) -> str:
        """Filter d's name: its given name, else "Filter d+1"."""
        return self.filter_names[d] if self.filter_names else f"Filter {d + 1}"


_FIELDS = frozenset(f.name for f in fields(PlaygroundSpec))


def _check_sizes(x: NDArray[np.float64], k: NDArray[np.float64]) -> None:
    if x.ndim != 3 or not (1 <= x.shape[0] <= MAX_INPUT_SIZE and 1 <= x.shape[1] <= MAX_INPUT_SIZE):
        raise ValueError(
            f"the input must be between 1x1 and {MAX_INPUT_SIZE}x{MAX_INPUT_SIZE} cells, "
            f"got shape {x.shape}"
        )
    if not 1 <= x.shape[2] <= MAX_CHANNELS:
        raise ValueError(f"the input must have 1 to {MAX_CHANNELS} channels, got {x.shape[2]}")
    if k.ndim != 4:
        raise ValueError(f"filters must be (kh, kw, C, D), got shape {k.shape}")
    if not (1 <= k.shape[0] <= MAX_KERNEL_SIZE and 1 <= k.shape[1] <= MAX_KERNEL_SIZE):
        raise ValueError(
            f"the kernel must be between 1x1 and {MAX_KERNEL_SIZE}x{MAX_KERNEL_SIZE}, "
            f"got {k.shape[0]}x{k.shape[1]}"
        )
    if not 1 <= k.shape[3] <= MAX_FILTERS:
        raise ValueError(f"there must be 1 to {MAX_FILTERS} filters, got {k.shape[3]}")


def _check_values(array: NDArray[np.float64], what: str) -> None:
    if not np.isfinite(array).all():
        raise ValueError(f"the {what} contain NaN or infinite values; only numbers are allowed")
    largest = float(np.abs(array).max()) if array.size else 0.0
    if largest > MAX_ABS_VALUE:
        raise ValueError(
            f"the {what} must be at most {MAX_ABS_VALUE:,.0f} in size, got {largest:g}"
        )


def _check_divisor(divisor: object) -> None:
    number = real_number(divisor, "the divisor")
    if not MIN_ABS_DIVISOR <= abs(number) <= MAX_ABS_DIVISOR:
        raise ValueError(
            f"the divisor must be a non-zero number between {MIN_ABS_DIVISOR:g} and "
            f"{MAX_ABS_DIVISOR:g} in size (positive or negative), got {number:g}"
        )


def _check_names(names: object, count: int, what: str) -> None:
    if not isinstance(names, tuple) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{what} names must be a tuple of texts, got {describe(names)}")
    if names and len(names) != count:
        raise ValueError(f"{len(names)} {what} names given for {count} {what}s")


def _check_pool(pool: object, map_hw: tuple[int, int]) -> None:
    """The pool window must fit in the feature map itself; then the engine's checks."""
    if not isinstance(pool, PoolSettings):
        raise ValueError(f"pool must be pooling settings or None, got {describe_typed(pool)}")
    size = pair(pool.size, "pool size")
    if size[0] > map_hw[0] or size[1] > map_hw[1]:
        raise ValueError(
            f"the pool window ({size[0]}x{size[1]}) is larger than the feature map "
            f"({map_hw[0]}x{map_hw[1]}); use a pool size of at most {min(map_hw)}"
        )
    plan_pool(
        np.zeros((*map_hw, 1)), pool.size, stride=pool.stride, mode=pool.mode, padding=pool.padding
    )


def _index(value: object, count: int, what: str) -> int:
    """A 0-based index below ``count``; ValueError for anything else (negatives too)."""
    return whole(value, what, low=0, high=count - 1)


def _number(value: object, what: str) -> float:
    """A real number given for one cell; ValueError for text, bools, None, complex, NaN."""
    return real_number(value, what)


def _square_kernel(kernel: ArrayLike) -> NDArray[np.float64]:
    values = as_float_array(kernel, "kernel").astype(np.float64)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.size == 0:
        raise ValueError(f"a preset kernel must be a square (k, k) grid, got shape {values.shape}")
    return values


@dataclass(frozen=True)
class PipelineResult:
    """Every stage of the playground, computed once for a spec.

    ``feature_maps`` is the convolution's output ÷ the divisor, (H', W', D); ``activated`` the
    maps after ReLU (the feature maps themselves when ReLU is off); ``pooled`` the pooled maps
    (H'', W'', D) or None. ``shape`` and ``pooled_shape`` hold the output-size formulas.
    """

    spec: PlaygroundSpec
    conv: ConvSteps
    feature_maps: NDArray[np.float64]
    activated: NDArray[np.float64]
    pool: PoolSteps | None
    pooled: NDArray[np.float64] | None
    shape: OutputShape
    params: ParamCount
    pooled_shape: OutputShape | None = None

    @property
    def padding(self) -> Padding:
        """The convolution's zero padding on each side, in cells."""
        return self.conv.padding

    @property
    def padding_amount(self) -> int:
        """The cells of padding above the input: what an "explicit padding" control shows."""
        return self.conv.padding.top


def run_pipeline(spec: PlaygroundSpec) -> PipelineResult:
    """Convolution → ÷ divisor → ReLU (if on) → pooling (if set), with steps for animation.

    Every check of ``spec.checked()`` runs first; within the playground's limits every result
    is finite (at most about 3.3e20 in size).

    Raises:
        ValueError: the set-up breaks a limit (``PlaygroundSpec.checked``); nothing is computed.
    """
    conv = ConvSteps(spec.convolution_plan())
    maps = np.asarray(conv.output, dtype=np.float64) / spec.divisor
    activated = np.maximum(maps, 0) if spec.relu else maps
    pool_steps: PoolSteps | None = None
    pooled: NDArray[np.float64] | None = None
    if spec.pool is not None:
        p = spec.pool
        pool_steps = PoolSteps(
            plan_pool(activated, p.size, stride=p.stride, mode=p.mode, padding=p.padding)
        )
        pooled = np.asarray(pool_steps.output, dtype=np.float64)
    h, w, c = spec.input.shape
    shape = output_shape(
        (h, w, c),
        spec.kernel_size,
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        filters=spec.num_filters,
    )
    params = param_count(spec.kernel_size, c, spec.num_filters)
    pooled_shape = None
    if spec.pool is not None:
        p = spec.pool
        pooled_shape = output_shape(shape.shape[:2], p.size, stride=p.stride, padding=p.padding)
    for array in (maps, activated):
        array.flags.writeable = False
    return PipelineResult(
        spec, conv, maps, activated, pool_steps, pooled, shape, params, pooled_shape
    )
