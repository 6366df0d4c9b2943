"""The playground's state and the pipeline it animates: convolution → ÷ divisor → ReLU → pooling.

``PlaygroundSpec`` is the one source of truth for what the user set up (input, filters, biases,
parameters); widgets reflect it. ``run_pipeline`` computes every stage the views draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.presets import fit_kernel
from engine.animation.steps import ConvSteps, PoolSteps
from engine.operations.conv import plan_conv
from engine.operations.params import Padding, as_float_array, pair
from engine.operations.pool import plan_pool
from engine.operations.shapes import OutputShape, ParamCount, output_shape, param_count

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from engine.operations.params import PaddingSpec

MAX_INPUT_SIZE = 64
MAX_KERNEL_SIZE = 9
MAX_FILTERS = 16


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
            array = np.array(getattr(self, name), dtype=np.float64)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        object.__setattr__(self, "stride", pair(self.stride, "stride"))
        object.__setattr__(self, "dilation", pair(self.dilation, "dilation"))

    def checked(self) -> PlaygroundSpec:
        """Validate the whole set-up; ValueError with a sentence a student understands."""
        x, k = self.input, self.filters
        if x.ndim != 3 or not (
            1 <= x.shape[0] <= MAX_INPUT_SIZE and 1 <= x.shape[1] <= MAX_INPUT_SIZE
        ):
            raise ValueError(
                f"the input must be between 1x1 and {MAX_INPUT_SIZE}x{MAX_INPUT_SIZE} cells, "
                f"got shape {x.shape}"
            )
        if k.ndim != 4:
            raise ValueError(f"filters must be (kh, kw, C, D), got shape {k.shape}")
        if not (1 <= k.shape[0] <= MAX_KERNEL_SIZE and 1 <= k.shape[1] <= MAX_KERNEL_SIZE):
            raise ValueError(
                f"the kernel must be between 1x1 and {MAX_KERNEL_SIZE}x{MAX_KERNEL_SIZE}, "
                f"got {k.shape[0]}x{k.shape[1]}"
            )
        if not 1 <= k.shape[3] <= MAX_FILTERS:
            raise ValueError(f"there must be 1 to {MAX_FILTERS} filters, got {k.shape[3]}")
        if self.divisor == 0 or not np.isfinite(self.divisor):
            raise ValueError(f"the divisor must be a non-zero number, got {self.divisor}")
        for names, count, what in (
            (self.channel_names, x.shape[2], "channel"),
            (self.filter_names, k.shape[3], "filter"),
        ):
            if names and len(names) != count:
                raise ValueError(f"{len(names)} {what} names given for {count} {what}s")
        # conv and pooling checks (kernel fits, padding, channels, biases) with their messages
        plan = plan_conv(
            x, k, self.biases, stride=self.stride, padding=self.padding, dilation=self.dilation
        )
        if self.pool is not None:
            plan_pool(
                np.zeros((*plan.out_hw, 1)),
                self.pool.size,
                stride=self.pool.stride,
                mode=self.pool.mode,
                padding=self.pool.padding,
            )
        return self

    def with_changes(self, **changes: object) -> PlaygroundSpec:
        """A copy with some fields replaced, validated (ValueError if impossible)."""
        return replace(self, **changes).checked()  # type: ignore[arg-type]

    # ----- edits: each returns a new, validated spec ---------------------------------------
    def with_input_cell(self, row: int, col: int, channel: int, value: float) -> PlaygroundSpec:
        """One input cell set to ``value`` (row/col in input coordinates, not padded)."""
        x = self.input.copy()
        x[row, col, channel] = value
        return self.with_changes(input=x)

    def with_random_input(self, seed: int) -> PlaygroundSpec:
        """Random cells in the style of the current input.

        0/1 (or ±1) for whole-number inputs, tenths in the same range otherwise.
        """
        rng = np.random.default_rng(seed)
        shape = self.input.shape
        low = -1.0 if self.input.min() < 0 else 0.0
        if np.all(self.input == np.round(self.input)):
            x = rng.integers(0, 2, shape) * (1 - low) + low
        else:
            x = np.round(rng.uniform(low, 1.0, shape), 1)
        return self.with_changes(input=x)

    def with_picture(self, picture: ArrayLike) -> PlaygroundSpec:
        """A new input of any size (e.g. a 28x28 digit); a 2-D picture fills every channel."""
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
        if not (1 <= rows <= MAX_INPUT_SIZE and 1 <= cols <= MAX_INPUT_SIZE):
            raise ValueError(
                f"the input must be between 1x1 and {MAX_INPUT_SIZE}x{MAX_INPUT_SIZE} cells"
            )
        x = np.zeros((rows, cols, self.channels))
        h, w = min(rows, self.input.shape[0]), min(cols, self.input.shape[1])
        x[:h, :w] = self.input[:h, :w]
        return self.with_changes(input=x)

    def with_channels(self, channels: int) -> PlaygroundSpec:
        """Switch between grayscale (1) and RGB (3): the input and every filter follow."""
        if channels not in (1, 3):
            raise ValueError(f"the input has 1 (grayscale) or 3 (RGB) channels, not {channels}")
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
        if not 1 <= size <= MAX_KERNEL_SIZE:
            raise ValueError(f"the kernel size must be 1 to {MAX_KERNEL_SIZE}, got {size}")
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
        k = self.filters.copy()
        k[row, col, channel, filter_index] = value
        return self.with_changes(filters=k)

    def with_kernel(self, filter_index: int, kernel: ArrayLike) -> PlaygroundSpec:
        """Replace one filter.

        A 2-D kernel (a preset) goes into every channel, fitted to the current kernel size;
        a 3-D one (kh, kw, C) replaces the filter as it is.
        """
        values = as_float_array(kernel, "kernel").astype(np.float64)
        k = self.filters.copy()
        if values.ndim == 2:
            fitted = fit_kernel(values, self.kernel_size[0])
            for ch in range(self.channels):
                k[:, :, ch, filter_index] = fitted
        else:
            k[:, :, :, filter_index] = values
        return self.with_changes(filters=k)

    def with_bias(self, filter_index: int, value: float) -> PlaygroundSpec:
        """The bias of one filter set to ``value``."""
        b = self.biases.copy()
        b[filter_index] = value
        return self.with_changes(biases=b)

    def with_filter_added(self, kernel: ArrayLike | None = None) -> PlaygroundSpec:
        """One more filter (a copy of ``kernel`` fitted to size, or an identity filter)."""
        if self.num_filters >= MAX_FILTERS:
            raise ValueError(f"there can be at most {MAX_FILTERS} filters")
        size = self.kernel_size[0]
        base = np.zeros((size, size))
        base[size // 2, size // 2] = 1
        values = base if kernel is None else fit_kernel(np.asarray(kernel, float), size)
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
        keep = [d for d in range(self.num_filters) if d != filter_index]
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
    """Convolution → ÷ divisor → ReLU (if on) → pooling (if set), with steps for animation."""
    conv = ConvSteps(
        plan_conv(
            spec.input,
            spec.filters,
            spec.biases,
            stride=spec.stride,
            padding=spec.padding,
            dilation=spec.dilation,
        )
    )
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
