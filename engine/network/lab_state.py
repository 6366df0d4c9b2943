"""The digit lab's model state: the one source of truth its widgets paint, in plain Python.

A ``LabState`` is an immutable snapshot: the model and how the lab shows each of its layers
(``LabModel``), the drawing prepared like MNIST (28×28), one run of the model on it (every
activation, the probabilities, the answer), and what the mouse points at (``Hover``: a map
cell, a unit or an input pixel, with its receptive field and its sentence). Every change makes
a new snapshot with a pure function (``with_canvas``, ``with_model``, ``with_hover``...); the
old one is never changed, so a failure (a model that cannot be used) simply keeps it.

Nothing here knows Qt: the lab's widgets ask for new states and paint them, and the tests drive
the state directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from engine.drawings.digit_prep import MNIST_SIZE, to_mnist
from engine.network.answer_text import AnswerText, answer_text
from engine.network.display_ranges import display_ranges, range_for
from engine.network.file import ModelError, describe_error
from engine.network.hover_text import HoverText, map_cell_text, pixel_text, unit_text
from engine.network.layer_roles import (
    Picture,
    class_layers,
    filter_layers,
    input_shapes,
    picture_kind,
)
from engine.network.layer_text import LayerTitle, layer_explanation, layer_title
from engine.network.model import OnnxModel
from engine.network.model_line import model_line
from engine.network.model_run import ModelRun, Prediction, run_model
from engine.network.ops import op_info
from engine.network.receptive_field import PixelRect

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping

    from numpy.typing import ArrayLike, NDArray

    from engine.network.display_ranges import DisplayRange
    from engine.network.geometry import LayerGeometry
    from engine.network.model import LayerInfo

MNIST_SHAPE = (MNIST_SIZE, MNIST_SIZE)


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
        probabilities: True when its values are probabilities (its op's output, e.g. a
            softmax), not scores.
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


@dataclass(frozen=True, slots=True, eq=False)
class LabModel:
    """A model the lab can use, and how the lab shows each of its layers (in graph order)."""

    model: OnnxModel
    layers: Mapping[str, LabLayer]
    summary: str

    @classmethod
    def of(cls, model: OnnxModel, range_images: Iterable[ArrayLike] = ()) -> LabModel:
        """Check that the lab can use ``model`` and work out how to show its layers.

        The model is run on ``range_images`` (e.g. one sample digit per class) to fix each
        layer's value range. ModelError when the model does not take 28×28 images or fails
        on those images.
        """
        h, w, c = model.input_shape
        if (h, w) != MNIST_SHAPE:
            raise ModelError(
                f"{model.path}: this model takes {h}×{w}×{c} images, but the digit lab draws "
                "28×28 digits (MNIST's size); expected a model with a 28×28 input"
            )
        try:
            ranges = display_ranges(model, [np.asarray(image) for image in range_images])
        except Exception as exc:  # ORT raises its own types; a user's model may fail anyhow
            raise ModelError(
                f"{model.path}: the model failed on the sample digits ({describe_error(exc)}); "
                "expected a model that classifies 28×28 digits"
            ) from None
        infos = model.layers()
        answer = class_layers(infos, model.num_classes)
        filters = filter_layers(infos)
        sources = input_shapes(infos, model.input_shape)
        layers = {}
        for info in infos:
            units = int(np.prod(info.output_shape))
            labels = model.class_labels
            is_class = info.name in answer and len(labels) == units
            layers[info.name] = LabLayer(
                info=info,
                picture=picture_kind(info.output_shape),
                units=units,
                input_shape=sources[info.name],
                value_range=range_for(ranges, info.name),
                title=layer_title(info),
                explanation=layer_explanation(
                    info, sources[info.name], _geometry(model, info.name)
                ),
                class_labels=labels if is_class else (),
                filter_of=filters.get(info.name),
                probabilities=op_info(info.op).scores == "probabilities",
            )
        return cls(model, MappingProxyType(layers), model_line(model))

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


def _geometry(model: OnnxModel, layer: str) -> LayerGeometry | None:
    try:
        return model.geometry(layer)
    except ValueError:  # not a conv or pooling layer
        return None


@dataclass(frozen=True, slots=True)
class Hover:
    """What the mouse points at, and what the lab says about it.

    ``layer`` is None for an input pixel. ``index`` is the map (for a cell) or the unit (for a
    vector); ``row`` and ``col`` are the cell's (or the pixel's), None for a unit. ``field``
    is the input pixels outlined (the receptive field), None when nothing is outlined.
    """

    layer: str | None
    index: int
    row: int | None
    col: int | None
    field: PixelRect | None
    text: HoverText


def _blank() -> NDArray[np.float32]:
    blank = np.zeros(MNIST_SHAPE, dtype=np.float32)
    blank.flags.writeable = False
    return blank


@dataclass(frozen=True, slots=True, eq=False)
class LabState:
    """One snapshot of the digit lab; every ``with_...`` returns a new one.

    Attributes:
        image: The network's input, the drawing prepared like MNIST: (28, 28) float32 in 0..1,
            read-only; all zeros when nothing is drawn.
        model: The model in use, None when none could be loaded.
        run: The model's one run on ``image``; None with no model, no drawing, or a failure.
        answer: The answer in words (from ``run``), None when there is no run.
        problem: Why the model gave no answer for this input, None when it did (or had none
            to give).
        hover: What the mouse points at, None when nothing.
        range_images: The images a new model's value ranges are measured on.
    """

    image: NDArray[np.float32] = dataclass_field(repr=False)
    model: LabModel | None = None
    run: ModelRun | None = dataclass_field(default=None, repr=False)
    answer: AnswerText | None = None
    problem: str | None = None
    hover: Hover | None = None
    range_images: tuple[NDArray[np.float32], ...] = dataclass_field(default=(), repr=False)

    @classmethod
    def start(cls, range_images: Iterable[ArrayLike] = ()) -> LabState:
        """An empty lab: nothing drawn, no model yet."""
        images = []
        for image in range_images:
            a = np.array(image, dtype=np.float32)
            a.flags.writeable = False
            images.append(a)
        return cls(_blank(), range_images=tuple(images))

    # ----- what it shows -------------------------------------------------------------------
    @property
    def prediction(self) -> Prediction | None:
        """The network's answer for the drawing; None with nothing drawn or no model."""
        return None if self.run is None else self.run.prediction

    @property
    def empty(self) -> bool:
        """True when nothing is drawn (the input is all paper)."""
        return not self.image.any()

    # ----- new drawings --------------------------------------------------------------------
    def with_canvas(self, canvas: ArrayLike) -> LabState:
        """The lab for a new drawing: a 2-D canvas (ink 1.0 on paper 0.0, any size).

        Prepared with ``to_mnist`` and run once through the model (``run_model``). ValueError
        when the canvas is not a 2-D array of finite numbers.
        """
        return self._with_prepared(to_mnist(canvas))

    def with_image(self, image: ArrayLike) -> LabState:
        """The lab for an input already prepared like MNIST: (28, 28) in 0..1.

        ValueError for another shape.
        """
        a = np.array(image, dtype=np.float32)
        if a.shape != MNIST_SHAPE:
            raise ValueError(f"the lab's input must be (28, 28), got shape {a.shape}")
        return self._with_prepared(a)

    def _with_prepared(self, prepared: NDArray[np.float32]) -> LabState:
        prepared.flags.writeable = False
        run: ModelRun | None = None
        answer: AnswerText | None = None
        problem: str | None = None
        if self.model is not None and prepared.any():
            try:
                run = run_model(self.model.model, prepared)
            except Exception as exc:  # a user's model may fail at run time; say so
                problem = f"The model failed on this input: {exc}"
            else:
                answer = answer_text(run.prediction, run.probabilities)
        state = replace(self, image=prepared, run=run, answer=answer, problem=problem)
        return state._rehovered()

    # ----- models --------------------------------------------------------------------------
    def with_model(self, model: OnnxModel) -> LabState:
        """The lab with ``model`` instead, run on the drawing before it replaces anything.

        ModelError when the lab cannot use the model (another input size, a failure on the
        sample digits or on the drawing); this state stays as it was.
        """
        lab_model = LabModel.of(model, self.range_images)
        run: ModelRun | None = None
        answer: AnswerText | None = None
        if not self.empty:
            try:
                run = run_model(model, self.image)
            except Exception as exc:  # ORT raises its own types
                raise ModelError(
                    f"{model.path}: the model failed on the drawing ({describe_error(exc)}); "
                    "expected a model that classifies 28×28 digits"
                ) from None
            answer = answer_text(run.prediction, run.probabilities)
        return replace(self, model=lab_model, run=run, answer=answer, problem=None, hover=None)

    def with_model_file(self, path: str | os.PathLike[str] | None) -> LabState:
        """The lab with the model at ``path`` (None: the shipped model), as ``with_model``.

        FileNotFoundError when there is no such file, ModelError when it is not a usable model.
        """
        return self.with_model(OnnxModel(path))

    # ----- hovering ------------------------------------------------------------------------
    def with_hover(
        self, layer: str, index: int, row: int | None = None, col: int | None = None
    ) -> LabState:
        """The mouse over cell (row, col) of map ``index`` of ``layer``, or over a unit.

        For a vector layer, ``index`` is the unit and row and col are None. The hover gets the
        cell's receptive field (the whole input for a unit) and its sentence with the current
        value. ValueError for an unknown layer or a cell outside it, or when there is no model.
        """
        if self.model is None:
            raise ValueError("the lab has no model: there is no layer to point at")
        lab_layer = self.model.layer(layer)
        hover = _layer_hover(self.model.model, lab_layer, self.run, index, row, col)
        return replace(self, hover=hover)

    def with_pixel_hover(self, row: int, col: int) -> LabState:
        """The mouse over input pixel (row, col). ValueError outside the 28×28 input."""
        if not (0 <= row < MNIST_SIZE and 0 <= col < MNIST_SIZE):
            raise ValueError(f"pixel ({row}, {col}) is outside the 28×28 input")
        text = pixel_text(row, col, float(self.image[row, col]))
        return replace(self, hover=Hover(None, 0, row, col, None, text))

    def without_hover(self) -> LabState:
        """The mouse points at nothing."""
        return self if self.hover is None else replace(self, hover=None)

    def _rehovered(self) -> LabState:
        """The same hover, its value read again from the new run (or the new image)."""
        hover = self.hover
        if hover is None:
            return self
        if hover.layer is None:
            return self.with_pixel_hover(hover.row or 0, hover.col or 0)
        if self.model is None or hover.layer not in self.model.layers:
            return replace(self, hover=None)
        lab_layer = self.model.layers[hover.layer]
        value = _value(self.run, lab_layer, hover.index, hover.row, hover.col)
        text = _hover_text(lab_layer, hover.index, hover.row, hover.col, value, hover.field)
        return replace(self, hover=replace(hover, text=text))


def _layer_hover(
    model: OnnxModel,
    layer: LabLayer,
    run: ModelRun | None,
    index: int,
    row: int | None,
    col: int | None,
) -> Hover:
    """A hover over a map cell (row and col given) or a unit of a vector (both None)."""
    if row is None or col is None:
        if not 0 <= index < layer.units:
            raise ValueError(f"{layer.name!r} has {layer.units} units, not {index + 1}")
        h, w, _ = model.input_shape
        field: PixelRect | None = PixelRect(0, h, 0, w)  # a unit depends on every pixel
        row = col = None
    else:
        shape = layer.info.output_shape
        inside = layer.picture == "maps" and 0 <= row < shape[0] and 0 <= col < shape[1]
        if not inside or not 0 <= index < shape[2]:
            raise ValueError(
                f"{layer.name!r} (shape {shape}) has no cell ({row}, {col}) of map {index + 1}"
            )
        try:
            field = model.receptive_field(layer.name, row, col)
        except ValueError:  # a layer the engine cannot trace back: no outline
            field = None
    value = _value(run, layer, index, row, col)
    text = _hover_text(layer, index, row, col, value, field)
    return Hover(layer.name, index, row, col, field, text)


def _value(
    run: ModelRun | None, layer: LabLayer, index: int, row: int | None, col: int | None
) -> float | None:
    """The hovered value in ``run``, None when there is no run."""
    if run is None:
        return None
    values = run.value(layer.name)
    if row is None or col is None:
        return float(values.reshape(-1)[index])
    return float(values[row, col, index])


def _hover_text(
    layer: LabLayer,
    index: int,
    row: int | None,
    col: int | None,
    value: float | None,
    field: PixelRect | None,
) -> HoverText:
    if row is None or col is None:
        label = layer.class_labels[index] if layer.class_labels else None
        return unit_text(layer.name, index, layer.units, value, label, layer.probabilities)
    count = layer.info.output_shape[2]
    return map_cell_text(layer.name, index, count, row, col, value, field)
