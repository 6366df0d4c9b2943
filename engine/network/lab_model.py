"""A model as the lab shows it: each layer's picture, range, title and sentence, and its input.

``LabModel.of`` checks that a model can be shown and works out everything the lab's views need
once, when the model is loaded: which layers are maps, bars or strips; each layer's fixed value
range (from the model's own activations on sample inputs); titles that say what a class-score
layer's values are (logits, probabilities); and the model's input preprocessing
(``InputChoice``), which the ranges depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from engine.network.display_ranges import display_ranges, probe_pictures, range_for
from engine.network.file import ModelError, describe_error
from engine.network.finite_values import NotFinite
from engine.network.input_choice import InputChoice
from engine.network.input_detection import is_digit_model
from engine.network.layer_roles import (
    Picture,
    class_layers,
    filter_layers,
    input_shapes,
    picture_kind,
)
from engine.network.layer_text import (
    VALUES_SENTENCE,
    LayerTitle,
    layer_explanation,
    layer_title,
)
from engine.network.model_line import model_line
from engine.network.output_scores import VALUES_WORD
from engine.network.preprocessing import ZERO_ONE

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from numpy.typing import ArrayLike, NDArray

    from engine.network.display_ranges import DisplayRange
    from engine.network.geometry import LayerGeometry
    from engine.network.model import LayerInfo, OnnxModel


@dataclass(frozen=True, slots=True)
class LabLayer:
    """One layer as the lab shows it.

    Attributes:
        info: The layer (name, op, output shape, parameters, the layers feeding it).
        picture: "maps" for (H, W, C), "bars" for a short vector, "strip" for a long one.
        units: How many values it has (H·W·C for maps).
        input_shape: The shape it takes in (the image's (H, W, C) for the first layer).
        value_range: The fixed range its colours or bars span.
        title: Its title line, in parts.
        explanation: A sentence or two for students, with its numbers.
        class_labels: One label per value when the layer is the answer (shown under its
            bars), else ().
        filter_of: The first convolution whose filters its maps are, else None.
        probabilities: True when its values are probabilities (or independent class scores
            in 0..1), shown in percent; False for scores (logits).
    """

    info: LayerInfo
    picture: Picture
    units: int
    input_shape: tuple[int, ...]
    value_range: DisplayRange
    title: LayerTitle
    explanation: str
    class_labels: tuple[str, ...]
    filter_of: str | None
    probabilities: bool = False

    @property
    def name(self) -> str:
        """The layer's name."""
        return self.info.name


def _values_words(model: OnnxModel, infos: Sequence[LayerInfo]) -> dict[str, str]:
    """What each class-score layer's values are, by layer name.

    The last one's are the model's output kind; the ones before it are logits (scores that
    the last one converts).
    """
    answer = [info.name for info in infos if info.name in class_layers(infos, model.num_classes)]
    if not answer:
        return {}
    words = dict.fromkeys(answer[:-1], "logits")
    words[answer[-1]] = VALUES_WORD[model.output_kind]
    return words


MAX_LAYERS = 300
"""The most layers the lab shows: each is a row of pictures that costs the window about 50 ms
to build and is updated on every stroke. ResNet-50 as PyTorch exports it has about 120."""


@dataclass(frozen=True, slots=True, eq=False)
class LabModel:
    """A model the lab can use, and how the lab shows each of its layers (in graph order).

    ``choice`` is its input preprocessing (and how pictures are fitted); ``summary`` the
    status bar's line.
    """

    model: OnnxModel
    layers: Mapping[str, LabLayer]
    summary: str
    choice: InputChoice

    @classmethod
    def of(
        cls,
        model: OnnxModel,
        range_images: Iterable[ArrayLike] = (),
        choice: InputChoice | None = None,
    ) -> LabModel:
        """Check that the lab can use ``model`` and work out how to show its layers.

        ``range_images`` are pictures in 0..1 of the model's input size (e.g. one sample digit
        per class for a digit model); the model is run on them (preprocessed as ``choice``
        says) to fix each layer's value range (without them, 0..1, and the values are checked on
        test pictures instead). A model that is not a digit model is measured on smooth random
        pictures instead. ``choice`` None: 0..1,
        assumed. ModelError when the model has more than ``MAX_LAYERS`` layers, fails on those
        pictures, or when a layer's output on them is NaN or infinite (the message names the
        layer).
        """
        layer_count = len(model.layers())
        if layer_count > MAX_LAYERS:
            raise ModelError(
                f"{model.path} has {layer_count:,} layers; the lab shows image classifiers of at "
                f"most {MAX_LAYERS} layers (one row of pictures each)"
            )
        digits = is_digit_model(model)
        if choice is None:
            choice = InputChoice(ZERO_ONE, "assumed", digits)
        pictures = [np.asarray(image, dtype=np.float32) for image in range_images]
        if not digits:  # no samples of its classes: smooth random pictures
            pictures = probe_pictures(model.input_shape)
        what = "the sample digits" if digits else "test pictures"
        measured = bool(pictures)
        if not measured:  # no samples at all: the ranges stay 0..1, the values are still checked
            pictures, what = probe_pictures(model.input_shape), "test pictures"
        try:
            inputs = [choice.preprocessing.apply(model.model_input(p)) for p in pictures]
            ranges = display_ranges(model, inputs, what) if measured else {}
            if not measured:
                display_ranges(model, inputs, what)  # NotFinite for NaN or infinite values
        except NotFinite as exc:
            raise ModelError(f"{model.path}: {exc}") from None
        except Exception as exc:  # ORT raises its own types; a user's model may fail anyhow
            raise ModelError(
                f"{model.path}: the model failed on {what} ({describe_error(exc)}); "
                "expected a model that classifies images of its input size"
            ) from None
        infos = model.layers()
        answer = class_layers(infos, model.num_classes)
        words = _values_words(model, infos)
        filters = filter_layers(infos)
        sources = input_shapes(infos, model.input_shape)
        layers = {}
        for info in infos:
            units = int(np.prod(info.output_shape))
            labels = model.class_labels
            word = words.get(info.name)
            explanation = layer_explanation(info, sources[info.name], _geometry(model, info.name))
            layers[info.name] = LabLayer(
                info=info,
                picture=picture_kind(info.output_shape),
                units=units,
                input_shape=sources[info.name],
                value_range=range_for(ranges, info.name),
                title=layer_title(info, word),
                explanation=explanation + VALUES_SENTENCE.get(word or "", ""),
                class_labels=labels if info.name in answer and len(labels) == units else (),
                filter_of=filters.get(info.name),
                probabilities=word in ("probabilities", "independent scores"),
            )
        return cls(model, MappingProxyType(layers), model_line(model), choice)

    @property
    def digits(self) -> bool:
        """True for a digit model (28×28×1): the lab draws digits and prepares them like MNIST."""
        return self.choice.digits

    @property
    def first_conv(self) -> str | None:
        """The first convolution, whose filters can be animated; None if there is none."""
        return next((layer.filter_of for layer in self.layers.values() if layer.filter_of), None)

    def layer(self, name: str) -> LabLayer:
        """One layer; ValueError naming the layers when there is no such layer."""
        try:
            return self.layers[name]
        except KeyError:
            names = ", ".join(self.layers)
            raise ValueError(f"no layer named {name!r}; the layers are: {names}") from None

    def with_choice(self, choice: InputChoice, range_images: Iterable[ArrayLike] = ()) -> LabModel:
        """The same model with another preprocessing (its ranges measured again)."""
        return LabModel.of(self.model, range_images, choice)


def _geometry(model: OnnxModel, layer: str) -> LayerGeometry | None:
    try:
        return model.geometry(layer)
    except ValueError:  # not a conv or pooling layer
        return None


def blank_input(model: OnnxModel | None) -> NDArray[np.float32]:
    """An empty input (all zeros, read-only).

    (28, 28) for a digit model or no model, else the model's (H, W, C).
    """
    shape: tuple[int, ...] = (28, 28)
    if model is not None and not is_digit_model(model):
        shape = model.input_shape
    blank = np.zeros(shape, dtype=np.float32)
    blank.flags.writeable = False
    return blank
