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

from typing import TYPE_CHECKING

from engine.animation.timeline import StagedTimeline
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


class VectorTimeline(StagedTimeline):
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
        super().__init__(stages)

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
