"""NaN and infinity in a model: refused when loading, named by layer, never drawn.

A model whose weights hold NaN or ±inf (a damaged file, a training run that diverged) gives
NaN everywhere after them; drawn, a NaN makes a view's range meaningless (pyqtgraph refuses
"Cannot set range [nan, nan]") and an answer of "0 nan" is no answer. So the weights are checked
when the model is loaded, its layers' outputs on the sample pictures when the lab measures
their ranges, and the output of every run (issue 12); each message names the first layer
where the values stop being numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from numpy.typing import NDArray

    from engine.network.layers import LayerPlan
    from engine.network.model import Activation

EXPECTED_FINITE = "expected finite numbers (is the file damaged, or did its training diverge?)"


class NotFinite(ValueError):
    """A layer's weights or values hold NaN or ±inf; ``layer`` names it (None: unknown)."""

    def __init__(self, message: str, layer: str | None = None) -> None:
        super().__init__(message)
        self.layer = layer


def what_is_not_finite(values: NDArray[np.floating]) -> str:
    """What is wrong with an array that is not finite: "NaN", "infinite values" or both."""
    has_nan = bool(np.isnan(values).any())
    has_inf = bool(np.isinf(values).any())
    if has_nan and has_inf:
        return "NaN and infinite values"
    return "NaN" if has_nan else "infinite values"


def is_finite(values: NDArray[np.generic]) -> bool:
    """True when every value is a finite number (integer arrays always are)."""
    array = np.asarray(values)
    return array.dtype.kind not in "fc" or bool(np.isfinite(array).all())


def check_weights(plans: Iterable[LayerPlan]) -> None:
    """Every layer's stored weights (kernel, bias, BatchNorm statistics…) are finite.

    Raises:
        NotFinite: "layer 'conv1' (Conv): its weights hold NaN; expected finite numbers …"
            for the first layer, in graph order, whose weights are not.
    """
    for plan in plans:
        arrays: list[NDArray[np.floating]] = list(plan.parameters)
        if plan.weights is not None:
            arrays.extend(plan.weights)
        for array in arrays:
            if not is_finite(array):
                raise NotFinite(
                    f"layer {plan.name!r} ({plan.op}): its weights hold "
                    f"{what_is_not_finite(array)}; {EXPECTED_FINITE}",
                    plan.name,
                )


def first_not_finite(activations: Sequence[Activation]) -> Activation | None:
    """The first layer, in graph order, whose output holds NaN or ±inf (None: all finite)."""
    return next((record for record in activations if not is_finite(record.array)), None)


def check_activations(activations: Sequence[Activation], on_what: str) -> None:
    """Every layer's output is finite for one input.

    Args:
        activations: Every layer's output for the input, in graph order.
        on_what: The input, for the message (e.g. "the sample digits").

    Raises:
        NotFinite: Naming the first layer whose output is not finite.
    """
    found = first_not_finite(activations)
    if found is not None:
        raise NotFinite(
            f"layer {found.name!r} ({found.op}) gives {what_is_not_finite(found.array)} on "
            f"{on_what}; {EXPECTED_FINITE}",
            found.name,
        )
