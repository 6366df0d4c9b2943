"""The set-up of a vector lesson (what comes after the feature maps) and everything it computes.

A vector lesson chains some of the steps a CNN takes after its last pooling layer, in this
order: **flatten** (maps → vector), **dense** (z = x·W + b), **softmax** (ŷ), **cross-entropy**
(J against a one-hot label) and the **update** of a one-layer network (W − η·∂J/∂W). A lesson
takes a run of consecutive steps: it starts from maps (flatten first), from a vector x (dense
first), from logits z (softmax first) or from probabilities ŷ (cross-entropy first). A
**shapes** lesson instead follows a tensor's shape through a network's layers
(``engine.animation.layer_shapes``).

``VectorSpec`` holds the set-up (read-only arrays) and checks it (``VectorSpec.checked``);
``run_vector`` computes every value the lesson steps through (``engine.animation.vector_steps``).
Problems raise ``VectorSetupError``, which names the spec's field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.animation.layer_shapes import MAX_LAYERS, LayerShape, ShapeLayer, layer_shapes
from engine.animation.vector_steps import (
    FlattenStep,
    OneLayerStep,
    SoftmaxParts,
    cross_entropy_terms,
    dense,
    flatten,
    flatten_steps,
    one_hot,
    one_layer_step,
    softmax_parts,
)
from engine.operations.limits import (
    PLAYGROUND_MAX_ABS_VALUE,
    PLAYGROUND_MAX_INPUT_SIZE,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

FLATTEN, DENSE, SOFTMAX, CROSS_ENTROPY, UPDATE = (
    "flatten", "dense", "softmax", "cross-entropy", "update",
)  # fmt: skip
CHAIN = (FLATTEN, DENSE, SOFTMAX, CROSS_ENTROPY, UPDATE)
"""The steps a vector lesson may take, in the order a network takes them."""
SHAPES = "shapes"
"""The one step of a shapes lesson: each layer's output shape and parameters."""

MAX_VECTOR = 1024
"""The longest vector (and most cells of maps to flatten): a 28x28 digit has 784."""
MAX_UNITS = 32
"""The most output units of a dense layer (classes)."""
MAX_MAP_CHANNELS = 16
MAX_ABS_VALUE = PLAYGROUND_MAX_ABS_VALUE
MAX_ABS_LOGIT = 100.0
"""Softmax writes e^z out: |z| ≤ 100 keeps every e^z and their sum well inside float64."""
MAX_LEARNING_RATE = 10.0


class VectorSetupError(ValueError):
    """A vector lesson's set-up that cannot be used.

    Attributes:
        field: The ``VectorSpec`` field at fault ("weights", "label", …).
        problem: What is wrong, in a sentence without the field's name.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _frozen(values: NDArray[np.float64] | None) -> NDArray[np.float64] | None:
    if values is None:
        return None
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class VectorSpec:
    """Everything a vector lesson starts from. Arrays are read-only float64 copies.

    Attributes:
        steps: A run of consecutive steps of ``CHAIN``, or (``SHAPES``,).
        maps: The maps to flatten, (H, W, C); when ``steps`` starts with flatten.
        values: The vector the first step reads, (N,): x for dense, the logits z for
            softmax, the probabilities ŷ for cross-entropy.
        weights: The dense layer's W, (N, K): column k holds output unit k's weights.
        bias: The dense layer's b, (K,).
        classes: One name per output unit or class ("0" … "9", or "X", "O"); () for the
            numbers 0 … K − 1.
        label: The true class (its index), for cross-entropy.
        learning_rate: η of the update (> 0).
        map_names: One name per channel of ``maps`` (e.g. the filters that made them).
        input_name: What the input is, for titles ("the pooled maps", "the digit").
        shapes_input: A shapes lesson's input (H, W, C), e.g. (28, 28, 1).
        layers: A shapes lesson's layers.
    """

    steps: tuple[str, ...]
    maps: NDArray[np.float64] | None = None
    values: NDArray[np.float64] | None = None
    weights: NDArray[np.float64] | None = None
    bias: NDArray[np.float64] | None = None
    classes: tuple[str, ...] = ()
    label: int | None = None
    learning_rate: float | None = None
    map_names: tuple[str, ...] = ()
    input_name: str = ""
    shapes_input: tuple[int, ...] = ()
    layers: tuple[ShapeLayer, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("maps", "values", "weights", "bias"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    # ----- what the set-up is --------------------------------------------------------------
    @property
    def is_shapes(self) -> bool:
        """Whether this is a shapes lesson (one step per layer, no values)."""
        return self.steps == (SHAPES,)

    def has(self, step: str) -> bool:
        """Whether the lesson takes ``step`` (one of ``CHAIN``)."""
        return step in self.steps

    @property
    def vector_length(self) -> int:
        """N, the length of the vector the dense layer (or the first step) reads."""
        if self.maps is not None:
            return int(self.maps.size)
        return 0 if self.values is None else int(self.values.size)

    @property
    def units(self) -> int:
        """K, the number of output units or classes (0 for flatten alone and shapes)."""
        if self.weights is not None:
            return int(self.weights.shape[1])
        if self.values is not None and not self.has(DENSE):
            return int(self.values.size)
        return 0

    def class_name(self, k: int) -> str:
        """The name of class (output unit) k: its given name, else the number k."""
        return self.classes[k] if self.classes else str(k)

    def map_name(self, channel: int) -> str:
        """The name of channel ``channel`` of the maps: its given name, else "channel c"."""
        if self.map_names:
            return self.map_names[channel]
        return "the map" if self.maps is None or self.maps.shape[2] == 1 else f"channel {channel}"

    # ----- checks --------------------------------------------------------------------------
    def checked(self) -> VectorSpec:
        """This spec, after checking that every step can run and every number is usable.

        Returns:
            This spec, unchanged.

        Raises:
            VectorSetupError: the first problem, naming the field (see the limits above:
                ``MAX_VECTOR``, ``MAX_UNITS``, ``MAX_ABS_VALUE``, ``MAX_ABS_LOGIT``,
                ``MAX_LEARNING_RATE``).
        """
        if self.is_shapes:
            self._check_shapes()
            return self
        self._check_chain()
        if self.has(FLATTEN):
            self._check_maps()
        else:
            self._check_values()
        if self.has(DENSE):
            self._check_dense()
        self._check_classes()
        if self.has(CROSS_ENTROPY):
            self._check_label()
        if self.has(UPDATE):
            rate = self.learning_rate
            if rate is None or not (0 < rate <= MAX_LEARNING_RATE) or not np.isfinite(rate):
                raise VectorSetupError(
                    "learning_rate",
                    f"the update needs a learning rate η above 0 and at most "
                    f"{MAX_LEARNING_RATE:g}, got {rate}",
                )
        run_vector(self, self.learning_rate)  # the logits the softmax step writes out
        return self

    def _check_shapes(self) -> None:
        if not 1 <= len(self.layers) <= MAX_LAYERS:
            raise VectorSetupError("layers", f"expected 1 to {MAX_LAYERS} layers")
        try:
            layer_shapes(self.shapes_input, self.layers)
        except ValueError as exc:
            raise VectorSetupError("layers", str(exc)) from None

    def _check_chain(self) -> None:
        steps = self.steps
        start = CHAIN.index(steps[0]) if steps and steps[0] in CHAIN else -1
        if start < 0 or steps != CHAIN[start : start + len(steps)]:
            raise VectorSetupError(
                "steps",
                "expected a run of consecutive steps of " + ", ".join(CHAIN) + f", got "
                f"{', '.join(steps) or 'none'}",
            )
        if self.has(UPDATE) and start > CHAIN.index(DENSE):
            raise VectorSetupError(
                "steps", "the update needs the dense layer, softmax and cross-entropy before it"
            )

    def _check_maps(self) -> None:
        maps = self.maps
        if maps is None:
            raise VectorSetupError("maps", "flatten needs the maps it flattens")
        if maps.ndim != 3 or not (
            1 <= maps.shape[0] <= PLAYGROUND_MAX_INPUT_SIZE
            and 1 <= maps.shape[1] <= PLAYGROUND_MAX_INPUT_SIZE
            and 1 <= maps.shape[2] <= MAX_MAP_CHANNELS
        ):
            raise VectorSetupError(
                "maps",
                f"expected (H, W, C) maps of 1 to {PLAYGROUND_MAX_INPUT_SIZE} cells a side and 1 "
                f"to {MAX_MAP_CHANNELS} channels, got shape {maps.shape}",
            )
        if maps.size > MAX_VECTOR:
            raise VectorSetupError(
                "maps", f"flattened they make {maps.size} values; at most {MAX_VECTOR} are shown"
            )
        _check_numbers(maps, "maps")
        if self.values is not None:
            raise VectorSetupError("values", "a lesson that flattens maps takes no values")
        if self.map_names and len(self.map_names) != maps.shape[2]:
            raise VectorSetupError(
                "map_names",
                f"expected {maps.shape[2]} names (one per channel) or none, "
                f"got {len(self.map_names)}",
            )

    def _check_values(self) -> None:
        values = self.values
        if values is None or values.ndim != 1 or not 1 <= values.size <= MAX_VECTOR:
            shape = "none" if values is None else f"shape {values.shape}"
            raise VectorSetupError(
                "values", f"expected a vector of 1 to {MAX_VECTOR} numbers, got {shape}"
            )
        _check_numbers(values, "values")
        if self.maps is not None:
            raise VectorSetupError("maps", "only a lesson that starts with flatten takes maps")
        first = self.steps[0]
        if first == SOFTMAX:
            _check_logits(values, "values")
        if first == CROSS_ENTROPY and not bool(np.all((values > 0) & (values <= 1))):
            raise VectorSetupError(
                "values",
                "cross-entropy takes probabilities: every one above 0 (log 0 is −∞) and at most 1",
            )

    def _check_dense(self) -> None:
        weights, bias, n = self.weights, self.bias, self.vector_length
        if weights is None or weights.ndim != 2:
            raise VectorSetupError("weights", "the dense layer needs its weights W (N, K)")
        if weights.shape[0] != n:
            raise VectorSetupError(
                "weights", f"expected {n} rows (one per value of the input vector), got "
                f"{weights.shape[0]}",
            )  # fmt: skip
        if not 1 <= weights.shape[1] <= MAX_UNITS:
            raise VectorSetupError(
                "weights", f"expected 1 to {MAX_UNITS} columns (output units), "
                f"got {weights.shape[1]}",
            )  # fmt: skip
        _check_numbers(weights, "weights")
        if bias is None or bias.shape != (weights.shape[1],):
            got = "none" if bias is None else f"{bias.size}"
            raise VectorSetupError(
                "bias", f"expected {weights.shape[1]} biases (one per output unit), got {got}"
            )
        _check_numbers(bias, "bias")

    def _check_classes(self) -> None:
        k = self.units
        if self.classes and len(self.classes) != k:
            raise VectorSetupError(
                "classes", f"expected {k} names (one per output unit) or none, "
                f"got {len(self.classes)}",
            )  # fmt: skip
        if k > MAX_UNITS:
            raise VectorSetupError("values", f"expected at most {MAX_UNITS} classes, got {k}")

    def _check_label(self) -> None:
        label, k = self.label, self.units
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < k:
            raise VectorSetupError(
                "label", f"expected the index of the true class, 0 to {k - 1}, got {label!r}"
            )


def _check_numbers(values: NDArray[np.float64], name: str) -> None:
    if not np.isfinite(values).all():
        raise VectorSetupError(name, "contains NaN or infinite values; only numbers are allowed")
    largest = float(np.abs(values).max()) if values.size else 0.0
    if largest > MAX_ABS_VALUE:
        raise VectorSetupError(
            name, f"every number must be at most {MAX_ABS_VALUE:,.0f} in size, got {largest:g}"
        )


def _check_logits(logits: NDArray[np.float64], name: str) -> None:
    largest = float(np.abs(logits).max())
    if largest > MAX_ABS_LOGIT:
        raise VectorSetupError(
            name,
            f"softmax writes e^z out for every logit z, which needs |z| ≤ {MAX_ABS_LOGIT:g}; "
            f"the logits reach {largest:.4g}",
        )


@dataclass(frozen=True)
class VectorResult:
    """Every value a vector lesson steps through (arrays read-only).

    Attributes:
        spec: The set-up.
        learning_rate: η of the update (the spec's, or the one the user chose), or None.
        flatten: The flatten steps (empty without flatten).
        x: The vector the dense layer reads (N,): the flattened maps or the spec's values.
        logits: z (K,): the dense layer's output, or the values softmax starts from.
        softmax: e^z, Σ and ŷ, or None without softmax.
        probabilities: ŷ (K,) that cross-entropy reads: softmax's, or the spec's values.
        onehot: y (K,), the label one-hot; None without cross-entropy.
        log_terms: y_k·log ŷ_k (K,); None without cross-entropy.
        loss: J = −Σ y·log ŷ; None without cross-entropy.
        update: The gradients and one step of gradient descent; None without update.
        shapes: A shapes lesson's layers with their shapes and parameters.
    """

    spec: VectorSpec
    learning_rate: float | None
    flatten: tuple[FlattenStep, ...] = ()
    x: NDArray[np.float64] | None = None
    logits: NDArray[np.float64] | None = None
    softmax: SoftmaxParts | None = None
    probabilities: NDArray[np.float64] | None = None
    onehot: NDArray[np.float64] | None = None
    log_terms: NDArray[np.float64] | None = None
    loss: float | None = None
    update: OneLayerStep | None = None
    shapes: tuple[LayerShape, ...] = ()

    @property
    def units(self) -> int:
        """K, the output units or classes."""
        return self.spec.units


def run_vector(spec: VectorSpec, learning_rate: float | None = None) -> VectorResult:
    """Compute every step of ``spec``; ``learning_rate`` replaces the spec's η when given.

    Raises:
        VectorSetupError: the dense layer's outputs are too large for softmax to write out
            (|z| > ``MAX_ABS_LOGIT``; field "weights"), or η is not above 0 (field
            "learning_rate"). ``VectorSpec.checked`` runs this, so a checked spec with its own
            η never raises.
    """
    if spec.is_shapes:
        return VectorResult(spec, None, shapes=layer_shapes(spec.shapes_input, spec.layers))
    steps: tuple[FlattenStep, ...] = ()
    x = spec.values
    if spec.maps is not None:
        steps = flatten_steps(spec.maps)
        x = flatten(spec.maps)
    logits = None
    if spec.has(DENSE) and x is not None and spec.weights is not None and spec.bias is not None:
        logits = dense(x, spec.weights, spec.bias)
    elif spec.steps[0] == SOFTMAX:
        logits = spec.values
    parts = None
    probabilities = spec.values if spec.steps[0] == CROSS_ENTROPY else None
    if spec.has(SOFTMAX) and logits is not None:
        _check_logits(logits, "weights" if spec.has(DENSE) else "values")
        parts = softmax_parts(logits)
        probabilities = parts.probabilities
    rate = spec.learning_rate if learning_rate is None else float(learning_rate)
    onehot = terms = update = None
    loss = None
    if spec.has(CROSS_ENTROPY) and probabilities is not None and spec.label is not None:
        onehot = one_hot(spec.label, probabilities.size)
        terms = cross_entropy_terms(onehot, probabilities)
        loss = float(-terms.sum())
        if spec.has(UPDATE):
            update = _update(spec, x, probabilities, onehot, rate)
    for array in (x, logits, probabilities, onehot, terms):
        if array is not None:
            array.flags.writeable = False
    return VectorResult(
        spec,
        rate if spec.has(UPDATE) else None,
        flatten=steps,
        x=x,
        logits=logits,
        softmax=parts,
        probabilities=probabilities,
        onehot=onehot,
        log_terms=terms,
        loss=loss,
        update=update,
    )


def _update(
    spec: VectorSpec,
    x: NDArray[np.float64] | None,
    probabilities: NDArray[np.float64],
    onehot: NDArray[np.float64],
    rate: float | None,
) -> OneLayerStep:
    if rate is None or not (0 < rate <= MAX_LEARNING_RATE) or not np.isfinite(rate):
        raise VectorSetupError(
            "learning_rate",
            f"expected a learning rate η above 0 and at most {MAX_LEARNING_RATE:g}, got {rate}",
        )
    assert x is not None
    assert spec.weights is not None
    assert spec.bias is not None
    step = one_layer_step(x, spec.weights, spec.bias, probabilities, onehot, rate)
    for array in (step.gradient_z, step.gradient_w, step.weights_next, step.bias_next,
                  step.logits_next, step.probabilities_next):  # fmt: skip
        array.flags.writeable = False
    return step
