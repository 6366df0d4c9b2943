"""The digit lab's model state: the one source of truth its widgets paint, in plain Python.

A ``LabState`` is an immutable snapshot: the model and how the lab shows each of its layers
and feeds its input (``LabModel``), the input (a drawing prepared like MNIST for a digit model,
an opened picture fitted to any other image classifier's input), one run of the model on it
(every activation, the probabilities, the answer), and what the mouse points at (``Hover``: a
map cell, a unit or an input pixel, with its receptive field and its sentence). Every change makes
a new snapshot with a pure function (``with_canvas``, ``with_model``, ``with_hover``...); the
old one is never changed, so a failure (a model that cannot be used) simply keeps it.

Nothing here knows Qt: the lab's widgets ask for new states and paint them, and the tests drive
the state directly.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING

import numpy as np

from engine.drawings.digit_prep import to_mnist, to_raw
from engine.drawings.digit_shift import Framing, clamp_shift, shift_images
from engine.drawings.picture_fit import fit_picture
from engine.network.answer_text import AnswerText, answer_text
from engine.network.comparison import Comparison
from engine.network.decision import decision_text, dense_unit_text, is_dense
from engine.network.file import ModelError, describe_error
from engine.network.finite_values import NotFinite
from engine.network.hover_text import HoverText, map_cell_text, pixel_text, unit_text
from engine.network.input_choice import InputChoice, choose_input
from engine.network.lab_model import LabLayer, LabModel, blank_input
from engine.network.model import OnnxModel
from engine.network.model_run import ModelRun, Prediction, run_model
from engine.network.receptive_field import PixelRect

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from numpy.typing import ArrayLike, NDArray

    from engine.drawings.samples import Samples
    from engine.network.preprocessing import Preprocessing
    from engine.network.remembered_inputs import Fit, RememberedInputs

__all__ = ["Hover", "LabLayer", "LabModel", "LabState", "load_lab_model"]


def load_lab_model(
    path: str | os.PathLike[str] | None,
    *,
    labels: Sequence[str] | None = None,
    override: Preprocessing | None = None,
    fit: Fit | None = None,
    inputs: RememberedInputs | None = None,
    samples: Samples | None = None,
    range_images: Iterable[ArrayLike] = (),
) -> LabModel:
    """The model file at ``path`` as the lab shows it: the one way the app loads a model.

    The lab (``LabState.with_model_file``) and the command line (``--model`` with
    ``--classify``, ``--summary``, or the window) both load through here, so a model the lab
    refuses is refused by the command line too, with the same message.

    Args:
        path: The ONNX file (None: the shipped model).
        labels: Class labels given by the user (they must fit); else the labels remembered
            for the file (ignored if they no longer fit), else the file's own.
        override: Input preprocessing given by the user (the command line).
        fit: How pictures are fitted, given by the user (else remembered, else a crop).
        inputs: The remembered choices per model file (None: nothing is remembered).
        samples: The MNIST samples a digit model's preprocessing is found with.
        range_images: The pictures each layer's value range is measured on (for a digit
            model, one sample per class); the model must give finite values on them.

    Raises:
        FileNotFoundError: There is no such file.
        ModelError: The file is not a model the lab can use (the message says why).
        ValueError: ``labels`` or ``override`` do not fit the model.
    """
    model = OnnxModel(path)
    if labels is not None:
        model = model.with_labels(labels)
    elif inputs is not None:
        remembered = inputs.get(model.sha256).labels
        if remembered is not None:
            with suppress(ValueError):  # a damaged or outdated record: the file's own labels
                model = model.with_labels(remembered)
    return LabModel.of(model, range_images, _input_choice(model, override, fit, inputs, samples))


def _input_choice(
    model: OnnxModel,
    override: Preprocessing | None,
    fit: Fit | None,
    inputs: RememberedInputs | None,
    samples: Samples | None,
) -> InputChoice:
    """``choose_input``, its failures on the samples said as ModelError naming the file."""
    if override is not None:  # only a wrong channel count can fail: the user's to fix
        return choose_input(model, override=override, store=inputs, fit=fit)
    try:
        return choose_input(model, store=inputs, samples=samples, fit=fit)
    except Exception as exc:  # the samples may make a user's model fail
        raise ModelError(
            f"{model.path}: the model failed on the MNIST samples while its input "
            f"preprocessing was being found ({describe_error(exc)})"
        ) from None


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


@dataclass(frozen=True, slots=True, eq=False)
class LabState:
    """One snapshot of the lab; every ``with_...`` returns a new one.

    Attributes:
        image: The network's input picture in 0..1, read-only: for a digit model (and with no
            model) the drawing prepared like MNIST, (28, 28), ink 1.0 on paper 0.0; for any
            other model the opened picture fitted to its input, (H, W, C). All zeros when
            there is nothing.
        model: The model in use, None when none could be loaded.
        run: The model's one run on ``image``; None with no model, no input, or a failure.
        answer: The answer in words (from ``run``), None when there is no run.
        problem: Why the model gave no answer for this input, None when it did (or had none
            to give).
        hover: What the mouse points at, None when nothing.
        picture: The opened picture (h, w, 3) in 0..1 an image model's input is fitted from,
            None when there is none.
        range_images: The digits a digit model's value ranges are measured on.
        samples: The MNIST samples a digit model's preprocessing is found with (None: no
            detection).
        inputs: The remembered choices per model file (None: nothing is remembered).
        drawing: The canvas ``image`` was made from (ink 1.0 on paper 0.0), None when none.
        origin: An opened picture's own prepared input (28, 28), used instead of the drawing
            while it is unedited and the framing is MNIST's; None when there is none.
        framing: How a drawing becomes the input: "mnist" (cropped, centred) or "raw".
        shift: (rows, cols) the 28×28 input is moved by (down and right positive).
        comparison: A second model run on the same input ("Compare with"), None when none.
    """

    image: NDArray[np.float32] = dataclass_field(repr=False)
    model: LabModel | None = None
    run: ModelRun | None = dataclass_field(default=None, repr=False)
    answer: AnswerText | None = None
    problem: str | None = None
    hover: Hover | None = None
    picture: NDArray[np.float32] | None = dataclass_field(default=None, repr=False)
    range_images: tuple[NDArray[np.float32], ...] = dataclass_field(default=(), repr=False)
    samples: Samples | None = dataclass_field(default=None, repr=False)
    inputs: RememberedInputs | None = dataclass_field(default=None, repr=False)
    drawing: NDArray[np.float32] | None = dataclass_field(default=None, repr=False)
    origin: NDArray[np.float32] | None = dataclass_field(default=None, repr=False)
    framing: Framing = "mnist"
    shift: tuple[int, int] = (0, 0)
    comparison: Comparison | None = None

    @classmethod
    def start(
        cls,
        range_images: Iterable[ArrayLike] = (),
        *,
        samples: Samples | None = None,
        inputs: RememberedInputs | None = None,
    ) -> LabState:
        """An empty lab: nothing drawn, no model yet."""
        images = []
        for image in range_images:
            a = np.array(image, dtype=np.float32)
            a.flags.writeable = False
            images.append(a)
        return cls(blank_input(None), range_images=tuple(images), samples=samples, inputs=inputs)

    # ----- what it shows -------------------------------------------------------------------
    @property
    def prediction(self) -> Prediction | None:
        """The network's answer for the input; None with no input or no model."""
        return None if self.run is None else self.run.prediction

    @property
    def empty(self) -> bool:
        """True when there is no input (nothing drawn, no picture opened)."""
        return not self.image.any()

    @property
    def digits(self) -> bool:
        """True while the lab draws digits (a digit model, or no model at all)."""
        return self.model is None or self.model.digits

    @property
    def choice(self) -> InputChoice | None:
        """The model's preprocessing and picture fit, None with no model."""
        return None if self.model is None else self.model.choice

    def arithmetic_text(self, layer: str | None, unit: int) -> str:
        """How the network computed a dense unit, or its answer, for the current input.

        ``layer`` None: class ``unit``'s probability (its logit as a weighted sum, then
        softmax; ``engine.network.decision.decision_text``); else unit ``unit`` of dense
        ``layer`` (``dense_unit_text``). Plain text; when there is nothing to work out (no
        model, no input, not a dense layer) a sentence that says why.
        """
        if self.model is None:
            return "There is no model, so there is no arithmetic to show."
        if self.run is None:
            return "Draw a digit first: the arithmetic is worked out on the current drawing."
        model = self.model.model
        try:
            if layer is None:
                return decision_text(model, self.run, unit)
            if not is_dense(model, layer):
                return (
                    f"{layer} is not a dense layer: its units are not a weighted sum of the "
                    "layer before. Click a unit of a dense layer, the answer or a class bar."
                )
            return dense_unit_text(model, self.run, layer, unit)
        except ValueError as exc:  # a model whose last layer is not dense, a unit outside it
            return str(exc)

    # ----- new inputs ----------------------------------------------------------------------
    def with_canvas(self, canvas: ArrayLike) -> LabState:
        """The lab for a new drawing: a 2-D canvas (ink 1.0 on paper 0.0, any size).

        Prepared with ``to_mnist`` and run once through the model (``run_model``). ValueError
        when the canvas is not a 2-D array of finite numbers, or when the model is not a digit
        model (it takes pictures: ``with_picture``).
        """
        return self.with_drawing(canvas)

    def with_drawing(self, canvas: ArrayLike, origin: ArrayLike | None = None) -> LabState:
        """The lab for a drawing (2-D canvas, ink 1.0 on paper 0.0), framed and shifted.

        The canvas becomes the (28, 28) input as ``framing`` says (``to_mnist`` or
        ``to_raw``), then is moved by ``shift``. ``origin``: an opened picture's own prepared
        input (28, 28), used instead while the framing is MNIST's, so the lab answers as
        ``--classify`` does.
        ValueError for a canvas that is not 2-D and finite, or with an image model. The state
        keeps a read-only copy of the canvas, or the canvas itself when it is a read-only
        float32 array owning its memory (``frozen_float32``: a 560 × 560 canvas is not copied
        on every mouse move).
        """
        if not self.digits:
            raise ValueError("this model takes pictures, not drawings: open a picture instead")
        ink = frozen_float32(canvas)
        start = None
        if origin is not None:
            start = np.array(origin, dtype=np.float32).reshape(self.image.shape[:2])
            start.flags.writeable = False
        return replace(self, drawing=ink, origin=start)._reframed()

    def with_framing(self, framing: Framing) -> LabState:
        """The drawing framed another way ("mnist" or "raw"). ValueError for another."""
        if framing not in ("mnist", "raw"):
            raise ValueError(f"unknown framing {framing!r}; expected 'mnist' or 'raw'")
        return replace(self, framing=framing)._reframed()

    def with_shift(self, rows: int, cols: int) -> LabState:
        """The input moved to (rows, cols) pixels from where the framing puts it (clamped)."""
        return replace(self, shift=clamp_shift(rows, cols))._reframed()

    def _reframed(self) -> LabState:
        """The input made again from the drawing (or the origin), with the framing and shift."""
        if not self.digits:
            return self
        if self.origin is not None and (self.framing == "mnist" or self.drawing is None):
            base = self.origin
        elif self.drawing is not None:  # frame_drawing, spelt out: one preparation per update
            base = to_mnist(self.drawing) if self.framing == "mnist" else to_raw(self.drawing)
        else:
            return self
        return self._with_prepared(shift_images(base, *self.shift) if any(self.shift) else base)

    def with_image(self, image: ArrayLike) -> LabState:
        """The lab for an input already prepared, in 0..1.

        (28, 28) for a digit model (or no model), the model's (H, W, C) (or (H, W) for one
        channel) for another. ValueError for another shape.
        """
        a = np.array(image, dtype=np.float32)
        expected = self.image.shape
        if a.ndim == 2 and len(expected) == 3 and expected[2] == 1:
            a = a[:, :, None]
        if a.shape != expected:
            size = "(28, 28)" if self.digits else str(expected)
            raise ValueError(f"the lab's input must be {size}, got shape {a.shape}")
        if self.digits:  # a prepared digit: the origin, shifted as the lab's input is
            a.flags.writeable = False
            return replace(self, drawing=None, origin=a.reshape(expected[:2]))._reframed()
        return self._with_prepared(a)

    def with_picture(self, picture: ArrayLike) -> LabState:
        """The lab for an opened picture (h, w) or (h, w, 3) in 0..1, for an image model.

        Fitted to the model's input as its choice says (centre crop or letterbox). ValueError
        for a bad picture, or with a digit model (its pictures are prepared like MNIST:
        ``with_canvas``).
        """
        if self.model is None or self.digits:
            raise ValueError("the digit lab prepares pictures of digits like MNIST: use a canvas")
        source = np.array(picture, dtype=np.float32)
        fitted = fit_picture(source, self.model.model.input_shape, self.model.choice.fit)
        source.flags.writeable = False
        return replace(self, picture=source)._with_prepared(fitted)

    def without_input(self) -> LabState:
        """Nothing drawn or opened."""
        state = replace(self, picture=None, drawing=None, origin=None)
        return state._with_prepared(blank_input(self._model()))

    def _model(self) -> OnnxModel | None:
        return None if self.model is None else self.model.model

    def _with_prepared(self, prepared: NDArray[np.float32]) -> LabState:
        prepared.flags.writeable = False
        run: ModelRun | None = None
        answer: AnswerText | None = None
        problem: str | None = None
        if self.model is not None and prepared.any():
            try:
                run = run_model(self.model.model, prepared, self.model.choice.preprocessing)
            except Exception as exc:  # a user's model may fail at run time; say so
                problem = f"The model failed on this input: {describe_error(exc, kind=False)}"
            else:
                answer = answer_text(run.prediction, run.probabilities, run.kind)
        comparison = None if self.comparison is None else self.comparison.on(prepared)
        state = replace(
            self, image=prepared, run=run, answer=answer, problem=problem, comparison=comparison
        )
        return state._rehovered()

    # ----- models --------------------------------------------------------------------------
    def with_model(self, model: OnnxModel, choice: InputChoice | None = None) -> LabState:
        """The lab with ``model`` instead, run on the input before it replaces anything.

        ``choice`` None: the model's preprocessing is chosen as ``choose_input`` says (the
        remembered choice, the file's metadata, or found on the samples). A digit model keeps
        the drawing; an image model is given the opened picture, fitted. ModelError when the
        lab cannot use the model (a failure on the sample pictures or on the input); this
        state stays as it was.
        """
        if choice is None:
            choice = _input_choice(model, None, None, self.inputs, self.samples)
        lab_model = LabModel.of(model, self.range_images, choice)
        return self._with_lab_model(lab_model)

    def _with_lab_model(self, lab_model: LabModel) -> LabState:
        model = lab_model.model
        image = self.image
        if lab_model.digits != self.digits or image.shape != blank_input(model).shape:
            image = blank_input(model)
            if self.picture is not None and not lab_model.digits:
                image = fit_picture(self.picture, model.input_shape, lab_model.choice.fit)
                image.flags.writeable = False
        run: ModelRun | None = None
        answer: AnswerText | None = None
        if image.any():
            try:
                run = run_model(model, image, lab_model.choice.preprocessing)
            except NotFinite as exc:
                raise ModelError(f"{model.path}: on the drawing, {exc}") from None
            except Exception as exc:  # ORT raises its own types
                raise ModelError(
                    f"{model.path}: the model failed on the drawing ({describe_error(exc)}); "
                    "expected a model that classifies images of its input size"
                ) from None
            answer = answer_text(run.prediction, run.probabilities, run.kind)
        comparison = None if self.comparison is None else self.comparison.on(image)
        return replace(
            self, image=image, model=lab_model, run=run, answer=answer, problem=None,
            hover=None, comparison=comparison,
        )  # fmt: skip

    def with_model_file(
        self, path: str | os.PathLike[str] | None, labels: Sequence[str] | None = None
    ) -> LabState:
        """The lab with the model at ``path`` (None: the shipped model), as ``with_model``.

        Loaded by :func:`load_lab_model` (as the command line loads it). ``labels`` replace
        the file's class labels (else the labels remembered for the file, else the file's
        own). FileNotFoundError when there is no such file, ModelError when it is not a usable
        model, ValueError for labels that do not fit it.
        """
        lab_model = load_lab_model(
            path, labels=labels, inputs=self.inputs, samples=self.samples,
            range_images=self.range_images,
        )  # fmt: skip
        return self._with_lab_model(lab_model)

    def with_comparison(self, path: str | os.PathLike[str] | None) -> LabState:
        """The lab with a second model (the file at ``path``) run beside its own, live.

        Loaded as the lab loads any model (``load_lab_model``: its preprocessing remembered,
        from its metadata or found on the samples). FileNotFoundError, ModelError as
        ``load_lab_model``; ValueError when it is not a digit model.
        """
        lab_model = load_lab_model(
            path, inputs=self.inputs, samples=self.samples, range_images=self.range_images
        )
        return replace(self, comparison=Comparison.of(lab_model).on(self.image))

    def without_comparison(self) -> LabState:
        """No second model."""
        return replace(self, comparison=None)

    def with_preprocessing(self, preprocessing: Preprocessing) -> LabState:
        """The same model fed another way (the user's choice), its ranges measured again.

        ValueError with no model, or for a preprocessing with another number of channels.
        """
        if self.model is None:
            raise ValueError("the lab has no model to preprocess the input for")
        if not preprocessing.fits(self.model.model.input_shape[2]):
            raise ValueError(
                f"{preprocessing.range_text} has {len(preprocessing.mean)} values per channel "
                f"but the model takes {self.model.model.input_shape[2]} channels"
            )
        choice = self.model.choice.with_preprocessing(preprocessing)
        return self._with_lab_model(self.model.with_choice(choice, self.range_images))._again()

    def with_fit(self, fit: Fit) -> LabState:
        """Pictures fitted to an image model's input another way (centre crop or letterbox)."""
        if self.model is None:
            raise ValueError("the lab has no model to fit pictures to")
        lab_model = replace(self.model, choice=self.model.choice.with_fit(fit))
        state = replace(self, model=lab_model)
        return state if self.picture is None or self.digits else state.with_picture(self.picture)

    def _again(self) -> LabState:
        """The same input run again (after the model's preprocessing changed)."""
        return self._with_prepared(np.array(self.image)) if self.image.any() else self

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
        """The mouse over input pixel (row, col). ValueError outside the input."""
        height, width = self.image.shape[:2]
        if not (0 <= row < height and 0 <= col < width):
            raise ValueError(f"pixel ({row}, {col}) is outside the {height}×{width} input")
        values = np.atleast_1d(self.image[row, col]).tolist()
        given = None
        if self.run is not None:
            given = self.run.model_input[row, col].tolist()
            given = given[: len(values)] if len(values) == 1 else given
        text = pixel_text(row, col, values, digits=self.digits, given=given)
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


def frozen_float32(values: ArrayLike) -> NDArray[np.float32]:
    """``values`` as a read-only float32 array that nothing else can change.

    An array that is already float32, read-only and the owner of its memory is given up by its
    caller (as ``gui.digits.canvas_image.ink_of`` makes it) and kept as it is; anything else is
    copied and the copy made read-only.
    """
    if (
        isinstance(values, np.ndarray)
        and values.dtype == np.float32
        and values.flags.owndata
        and not values.flags.writeable
    ):
        return values
    copy = np.array(values, dtype=np.float32)
    copy.flags.writeable = False
    return copy
