"""Which preprocessing a model gets, and how sure the app is: one choice for lab and CLI.

In order: a choice given on the command line (``--input-range``, ``--mean``/``--std``), then
one the user made in the lab for this model file (remembered by its SHA-256), then the model
file's own metadata (the app's own files write it), then, for a digit model, the candidate that
classifies the shipped MNIST samples best (``input_detection``); else 0..1, said to be assumed.
The lab and ``--classify`` both call ``choose_input``, so they feed the model the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from engine.network.input_detection import (
    DOUBTFUL,
    detect_preprocessing,
    digit_classes,
    is_digit_model,
)
from engine.network.preprocessing import (
    PLUS_MINUS_ONE,
    ZERO_255,
    ZERO_ONE,
    custom,
    named_range,
    parse_values,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.drawings.samples import Samples
    from engine.network.input_detection import Detection
    from engine.network.model import OnnxModel
    from engine.network.preprocessing import Preprocessing
    from engine.network.remembered_inputs import Fit, RememberedInputs

Source = Literal["command line", "chosen", "metadata", "detected", "assumed"]
SOURCE_TEXT: dict[Source, str] = {
    "command line": "given on the command line",
    "chosen": "chosen by you for this model file",
    "metadata": "read from the model file",
    "detected": "found by trying each on the MNIST samples",
    "assumed": "assumed: the model file does not say",
}
DEFAULT_FIT: Fit = "crop"
FIT_TEXT: dict[Fit, str] = {
    "crop": "centre crop (fills the input, cuts the longer side)",
    "letterbox": "letterbox (keeps the whole picture, pads with black)",
}

# Our own files' input_description: "... float32 0..1, ink = 1, background = 0, ..."
_RANGE_WORDS = (("0..255", ZERO_255), ("-1..1", PLUS_MINUS_ONE), ("0..1", ZERO_ONE))


def from_metadata(metadata: Mapping[str, str]) -> Preprocessing | None:
    """The preprocessing a model file states, None when it says nothing usable.

    Keys: "input_range" ("0..1", "0..255", "-1..1") or "input_mean" and "input_std" (numbers
    separated by commas), with "input_ink" ("white on black" or "black on white"); else the
    app's own "input_description" ("float32 0..1, ink = 1, background = 0").
    """
    ink = metadata.get("input_ink", "").strip().lower()
    inverted = ink.startswith("black") or ink.startswith("dark")
    try:
        if "input_range" in metadata:
            return named_range(metadata["input_range"]).with_inverted(inverted)
        if "input_mean" in metadata and "input_std" in metadata:
            mean = parse_values(metadata["input_mean"], "input_mean")
            std = parse_values(metadata["input_std"], "input_std")
            return custom(mean, std, inverted)
    except ValueError:
        return None
    description = metadata.get("input_description", "").replace("−", "-")
    for word, found in _RANGE_WORDS:
        if re.search(rf"(?<![\d.]){re.escape(word)}(?![\d.])", description):
            return found.with_inverted(bool(re.search(r"ink\s*=\s*0\b", description)))
    return None


@dataclass(frozen=True, slots=True)
class InputChoice:
    """The preprocessing a model gets, where it came from, and how pictures are fitted.

    Attributes:
        preprocessing: What turns a picture in 0..1 into the model's input.
        source: Where it came from (``SOURCE_TEXT`` says it in words).
        digits: True for a digit model (28×28×1): drawings are prepared like MNIST.
        detection: Every candidate's score on the samples, when it was found that way.
        fit: How a picture is fitted to a non-digit model's input.
    """

    preprocessing: Preprocessing
    source: Source
    digits: bool
    detection: Detection | None = None
    fit: Fit = DEFAULT_FIT

    @property
    def text(self) -> str:
        """E.g. "input 0..1, white ink on black (read from the model file)"."""
        how = SOURCE_TEXT[self.source]
        if self.source == "detected" and self.detection is not None:
            how = f"found on the MNIST samples: {self.detection.text}"
        return f"input {self.preprocessing.text(self.digits)} ({how})"

    @property
    def source_text(self) -> str:
        """Where the choice came from, short: "found: 98 of 100 samples right"."""
        if self.source == "detected" and self.detection is not None:
            best = self.detection.best
            return f"found on the MNIST samples: {best.correct} of {best.total} right"
        return SOURCE_TEXT[self.source]

    @property
    def warning(self) -> str | None:
        """A warning when no candidate made sense of the samples (under 50 %), else None."""
        detection = self.detection
        if self.source != "detected" or detection is None or not detection.doubtful:
            return None
        best = detection.best
        return (
            f"Warning: this model got at most {best.correct} of {best.total} MNIST samples "
            f"right, whatever input it was given (under {round(DOUBTFUL * 100)} % with every "
            "range and ink tried). It may not be an MNIST digit model, or it needs another "
            "preprocessing (choose it in the lab, or with --input-range or --mean and --std). "
            "Its answers cannot be trusted as they are."
        )

    def with_preprocessing(self, preprocessing: Preprocessing) -> InputChoice:
        """The user's own choice instead (the detection stays, for comparison)."""
        return replace(self, preprocessing=preprocessing, source="chosen")

    def with_fit(self, fit: Fit) -> InputChoice:
        """Pictures fitted another way."""
        return replace(self, fit=fit)


def choose_input(
    model: OnnxModel,
    *,
    override: Preprocessing | None = None,
    store: RememberedInputs | None = None,
    samples: Samples | None = None,
    fit: Fit | None = None,
) -> InputChoice:
    """The preprocessing ``model`` gets (see the module's order), and how pictures are fitted.

    ``override`` is a command-line choice; ``store`` the remembered choices (None: none);
    ``samples`` the MNIST digits a digit model's preprocessing is found with (None: no
    detection); ``fit`` a command-line fit (else the remembered one, else a centre crop).
    ValueError when ``override`` has another number of channels than the model.
    """
    digits = is_digit_model(model)
    channels = model.input_shape[2]
    remembered = store.get(model.sha256) if store is not None else None
    chosen_fit = fit or (remembered.fit if remembered is not None else None) or DEFAULT_FIT
    if override is not None:
        if not override.fits(channels):
            raise ValueError(
                f"--mean/--std give {len(override.mean)} values but the model has {channels} "
                "channels; give one value, or one per channel"
            )
        return InputChoice(override, "command line", digits, None, chosen_fit)
    kept = None if remembered is None else remembered.preprocessing
    if kept is not None and kept.fits(channels):
        return InputChoice(kept, "chosen", digits, None, chosen_fit)
    stated = from_metadata(model.metadata)
    if stated is not None and stated.fits(channels):
        return InputChoice(stated, "metadata", digits, None, chosen_fit)
    if digits and samples is not None and digit_classes(model) is not None:
        detection = detect_preprocessing(model, samples.images, samples.labels)
        return InputChoice(detection.best.preprocessing, "detected", digits, detection, chosen_fit)
    return InputChoice(ZERO_ONE, "assumed", digits, None, chosen_fit)
