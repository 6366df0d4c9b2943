"""The one table of ONNX ops the app knows: what each op is, for the engine and for students.

Every place that reads a graph asks this table, never an op name: which nodes only re-lay
data (plumbing) or produce shapes, which work on NCHW data, which slide a window (and how),
which inputs hold parameters and how they are shown, what a layer is called when its node
name carries no layer name, the name and one-line explanation a student sees, and the NumPy
engine's replay of the op (``engine.network.replay``). Supporting a new layer type is one
entry here plus, if the NumPy engine should replay it, its replay function.

Quantized models (ONNX Runtime's QOperator, QDQ and dynamic int8 formats) are described here
too: which inputs hold the scale and zero point that decode an op's 8-bit output or weights
(``Quantized``), so their layers are shown with real (dequantized) values.

An op that is not in the table is still loaded, run and shown (kind OTHER, under its ONNX
name); it only cannot be replayed by the NumPy engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

from engine.network.replay import (
    replay_batch_norm,
    replay_conv,
    replay_dense,
    replay_flatten,
    replay_pool,
    replay_relu,
    replay_softmax,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import numpy as np
    from numpy.typing import NDArray

    from engine.network.model import LayerInfo, OnnxModel

    Replay = Callable[[OnnxModel, LayerInfo, NDArray[np.float64]], NDArray[np.float64]]


class Kind(str, Enum):
    """What an op does in a CNN, as the app groups them."""

    CONV = "conv"
    ACTIVATION = "activation"
    POOL = "pool"
    NORMALISATION = "normalisation"
    DENSE = "dense"
    ARITHMETIC = "arithmetic"  # adds, subtracts, multiplies or divides value by value
    PLUMBING = "plumbing"  # only re-lays data (reshape, transpose, identity...)
    QUANTIZE = "quantize"  # codes values as 8-bit integers or decodes them (not shown)
    SHAPE = "shape"  # computes a shape, not data: the data path stops there
    OUTPUT = "output"  # turns class scores into (log-)probabilities
    CONSTANT = "constant"  # a fixed tensor stored in the graph
    OTHER = "other"  # not in the table


class Layout(str, Enum):
    """Which data layout an op works on."""

    ANY = "any"  # any layout; its output keeps its input's layout
    CHANNELS_FIRST = "channels-first"  # ONNX defines it on NCHW data, whatever the model's input
    PERMUTATION = "permutation"  # reorders the axes as its ``perm`` attribute says (Transpose)


KernelView = Literal["filters", "matrix"]
Window = Literal["conv", "max", "avg"]
Scores = Literal["probabilities", "log-probabilities", "independent"]
Fold = Literal[
    "same", "reshape", "transpose", "cast", "squeeze", "unsqueeze", "flatten", "dequantize"
]
Combines = Literal["add", "multiply"]
TrainingMode = Literal["input", "attribute"]


@dataclass(frozen=True, slots=True)
class Quantized:
    """Where an 8-bit op keeps the numbers that decode its values: real = (q − zero point) · scale.

    Attributes:
        output: The inputs holding the (scale, zero point) of its integer output, e.g. (6, 7)
            for QLinearConv; None when its output is not coded by its inputs.
        weights: For each integer weight input, the inputs holding its (scale, zero point).
        bias_scale: The inputs whose product is the scale of its int32 bias (QLinearConv's
            bias is coded with input scale × weight scale, zero point 0).
        dynamic: Its output 0 is coded by its own outputs 1 and 2 (scale and zero point worked
            out on each run: DynamicQuantizeLinear).
        weight_zero_points: For an integer product (ConvInteger, MatMulInteger), each weight
            input and the input holding its zero point; the weights' scale is in the Mul that
            turns the int32 result back into real values.
    """

    output: tuple[int, int] | None = None
    weights: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    bias_scale: tuple[int, ...] = ()
    dynamic: bool = False
    weight_zero_points: Mapping[int, int] = field(default_factory=dict)

    @property
    def integer_product(self) -> bool:
        """True for an op whose int32 result is rescaled by a Mul after it."""
        return bool(self.weight_zero_points)


@dataclass(frozen=True, slots=True)
class OnnxOp:
    """What the app knows about one ONNX op.

    Attributes:
        op: The ONNX op type ("Conv"), or "MatMul+Add" for a MatMul and its bias Add.
        kind: What it does in a CNN.
        title: Its name for students ("convolution").
        explanation: One line for students on what it does, lower case, ending in a period.
        layout: The data layout it works on.
        replay: The NumPy engine's replay (``engine.network.replay``), None if it has none.
        weight_inputs: Which of its inputs (by position) hold parameters, when stored in the
            graph as constants; their sizes are the layer's parameter count.
        kernel: How its weights are shown: "filters" (a conv kernel, ONNX (D, C, kh, kw)) or
            "matrix" (a dense weight matrix with a bias); None when they are not shown.
        window: The window it slides ("conv" or "max"/"avg" pooling), None when it does not.
        layer_name: What a layer is called when its node name has no layer name ("conv" gives
            conv1, conv2...), or what an activation adds to the name of the layer it follows
            ("conv1 · softmax"); None: the op in lower case.
        scores: For an output op, what its values are ("probabilities", "log-probabilities"
            or "independent" scores, one per class, e.g. a sigmoid).
        kernel_input: Which input holds the kernel (or weight matrix) that is shown.
        bias_input: Which input holds the bias; a bias added by a separate Add node is put
            there when the layer is read (None: the op takes no bias).
        quantized: Where an 8-bit op keeps its scales and zero points, None for float ops.
        folds: How a constant passing through it is computed (weights stored through a
            Reshape, Transpose, Cast or DequantizeLinear), None when it is not followed.
        training_mode: Where the op says it runs in training mode ("input": Dropout's
            training_mode input; "attribute": a training_mode or is_test attribute).
        combines: For value-by-value arithmetic, what it does with its two ``operands``
            ("add": a bias add when one of them is a constant; "multiply": a rescale).
        operands: The inputs it combines.
    """

    op: str
    kind: Kind
    title: str
    explanation: str
    layout: Layout = Layout.ANY
    replay: Replay | None = None
    weight_inputs: tuple[int, ...] = ()
    kernel: KernelView | None = None
    window: Window | None = None
    layer_name: str | None = None
    scores: Scores | None = None
    kernel_input: int = 1
    bias_input: int | None = 2
    quantized: Quantized | None = None
    folds: Fold | None = None
    training_mode: TrainingMode | None = None
    combines: Combines | None = None
    operands: tuple[int, int] = (0, 1)

    @property
    def channels_first(self) -> bool:
        """True when ONNX defines the op on NCHW data."""
        return self.layout is Layout.CHANNELS_FIRST

    @property
    def follows_a_layer(self) -> bool:
        """Activations (and output ops) are named after the layer they follow: "conv1 · relu"."""
        return self.kind in (Kind.ACTIVATION, Kind.OUTPUT)

    @property
    def shown_as_layer(self) -> bool:
        """False for plumbing, shapes and constants: they never get a layer of their own."""
        return self.kind not in (Kind.PLUMBING, Kind.QUANTIZE, Kind.SHAPE, Kind.CONSTANT)

    @property
    def passes_data_on(self) -> bool:
        """True for ops that only re-lay or re-code data (plumbing, quantize, dequantize)."""
        return self.kind in (Kind.PLUMBING, Kind.QUANTIZE)


# A MatMul by a constant whose only consumer adds a constant bias is one dense layer.
FUSED_DENSE = "MatMul+Add"
FUSED = "+"  # joins a layer's op and the op that adds its bias: "Conv+Add"

_C, _A, _P, _N = Kind.CONV, Kind.ACTIVATION, Kind.POOL, Kind.NORMALISATION
_NCHW = Layout.CHANNELS_FIRST
_DENSE_TEXT = "each unit weighs every input and adds a bias."
_FLATTEN_TEXT = "the values laid out as one vector, row by row (nothing is computed)."
_INT8 = " Its weights and values are stored as 8-bit integers and shown decoded."
_CONV_TEXT = (
    "each filter slides over the input; at every position it multiplies the values under it "
    "by its weights, adds them up and adds its bias."
)
_Q = Quantized

_ENTRIES = (
    # -- convolutions ------------------------------------------------------------------------
    OnnxOp("Conv", _C, "convolution", _CONV_TEXT,
           _NCHW, replay_conv, weight_inputs=(1, 2), kernel="filters", window="conv",
           layer_name="conv"),
    OnnxOp("ConvTranspose", _C, "transposed convolution",
           "each input value stamps a weighted copy of the filter onto a larger output.",
           _NCHW, None, (1, 2), layer_name="deconv"),
    OnnxOp("QLinearConv", _C, "convolution (8-bit)", _CONV_TEXT + _INT8,
           _NCHW, None, (3, 8), kernel="filters", window="conv", layer_name="conv",
           kernel_input=3, bias_input=8,
           quantized=_Q(output=(6, 7), weights={3: (4, 5)}, bias_scale=(1, 4))),
    OnnxOp("ConvInteger", _C, "convolution (8-bit)", _CONV_TEXT + _INT8,
           _NCHW, None, (1, 4), kernel="filters", window="conv", layer_name="conv",
           bias_input=4, quantized=_Q(weight_zero_points={1: 3})),
    # -- pooling -----------------------------------------------------------------------------
    OnnxOp("MaxPool", _P, "max pooling",
           "each window keeps its largest value: the maps shrink, the patterns stay.",
           _NCHW, replay_pool, window="max", layer_name="pool"),
    OnnxOp("AveragePool", _P, "average pooling",
           "each window keeps the average of its values: the maps shrink, the patterns stay.",
           _NCHW, replay_pool, window="avg", layer_name="pool"),
    OnnxOp("QLinearAveragePool", _P, "average pooling (8-bit)",
           "each window keeps the average of its values: the maps shrink, the patterns stay.",
           _NCHW, window="avg", layer_name="pool", quantized=_Q(output=(3, 4))),
    OnnxOp("LpPool", _P, "Lp pooling", "each window keeps the p-norm of its values.", _NCHW),
    OnnxOp("GlobalAveragePool", _P, "global average pooling",
           "each map becomes one number, the average of its values.",
           _NCHW, layer_name="global pool"),
    OnnxOp("QLinearGlobalAveragePool", _P, "global average pooling (8-bit)",
           "each map becomes one number, the average of its values.",
           _NCHW, layer_name="global pool", quantized=_Q(output=(3, 4))),
    OnnxOp("GlobalMaxPool", _P, "global max pooling",
           "each map becomes one number, its largest value.", _NCHW, layer_name="global pool"),
    OnnxOp("GlobalLpPool", _P, "global Lp pooling",
           "each map becomes one number, the p-norm of its values.", _NCHW),
    # -- normalisation -----------------------------------------------------------------------
    OnnxOp("BatchNormalization", _N, "batch normalisation",
           "each channel is shifted and scaled by constants learnt in training (mean, "
           "variance, scale and offset), so its values stay in a steady range.",
           _NCHW, replay_batch_norm, (1, 2, 3, 4), layer_name="batchnorm",
           training_mode="attribute"),
    OnnxOp("InstanceNormalization", _N, "instance normalisation",
           "each map is scaled to mean 0 and variance 1, then by a learnt scale and offset.",
           _NCHW, None, (1, 2)),
    OnnxOp("LRN", _N, "local response normalisation",
           "each value is divided by the strength of its neighbours in nearby channels.", _NCHW),
    # -- activations -------------------------------------------------------------------------
    OnnxOp("Relu", _A, "ReLU", "negative values become 0, positive values pass unchanged.",
           replay=replay_relu),
    OnnxOp("LeakyRelu", _A, "leaky ReLU",
           "negative values are multiplied by a small slope, positive values pass unchanged."),
    OnnxOp("QLinearLeakyRelu", _A, "leaky ReLU (8-bit)",
           "negative values are multiplied by a small slope, positive values pass unchanged.",
           layer_name="leakyrelu", quantized=_Q(output=(3, 4))),
    OnnxOp("PRelu", _A, "parametric ReLU",
           "negative values are multiplied by a learnt slope, positive values pass unchanged.",
           weight_inputs=(1,)),
    OnnxOp("Sigmoid", _A, "sigmoid", "each value is squashed into 0..1: 1 / (1 + e^−x).",
           scores="independent"),
    OnnxOp("QLinearSigmoid", _A, "sigmoid (8-bit)",
           "each value is squashed into 0..1: 1 / (1 + e^−x).",
           scores="independent", layer_name="sigmoid", quantized=_Q(output=(3, 4))),
    OnnxOp("HardSigmoid", _A, "hard sigmoid",
           "a sigmoid made of straight lines: values are scaled, shifted and cut to 0..1.",
           scores="independent"),
    OnnxOp("Tanh", _A, "tanh", "each value is squashed into −1..1."),
    OnnxOp("Elu", _A, "ELU",
           "negative values curve smoothly towards −α, positive values pass unchanged."),
    OnnxOp("Selu", _A, "SELU",
           "a scaled ELU: negative values curve towards a fixed limit, positive values grow."),
    OnnxOp("Celu", _A, "CELU", "a smooth ELU: negative values curve towards −α."),
    OnnxOp("Softplus", _A, "softplus", "a smooth ReLU: log(1 + e^x)."),
    OnnxOp("Softsign", _A, "softsign", "each value is squashed into −1..1: x / (1 + |x|)."),
    OnnxOp("HardSwish", _A, "hard swish", "each value times its hard sigmoid."),
    OnnxOp("Clip", _A, "clip", "values are cut to a fixed range (ReLU6 cuts to 0..6)."),
    OnnxOp("Gelu", _A, "GELU", "a smooth ReLU: x times the chance that a normal value is below x."),
    OnnxOp("Mish", _A, "Mish", "a smooth ReLU: x · tanh(softplus(x))."),
    OnnxOp("Exp", _A, "exponential", "each value x becomes e^x."),
    # -- the answer --------------------------------------------------------------------------
    OnnxOp("Softmax", Kind.OUTPUT, "softmax",
           "turns the scores into probabilities that add up to 1: the network's answer.",
           replay=replay_softmax, scores="probabilities"),
    OnnxOp("QLinearSoftmax", Kind.OUTPUT, "softmax (8-bit)",
           "turns the scores into probabilities that add up to 1: the network's answer.",
           scores="probabilities", layer_name="softmax", quantized=_Q(output=(3, 4))),
    OnnxOp("LogSoftmax", Kind.OUTPUT, "log-softmax",
           "turns the scores into the logarithms of probabilities that add up to 1.",
           scores="log-probabilities"),
    # -- fully connected ---------------------------------------------------------------------
    OnnxOp("Gemm", Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(1, 2), kernel="matrix", layer_name="dense"),
    OnnxOp("MatMul", Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(0, 1), kernel="matrix", layer_name="dense"),
    OnnxOp(FUSED_DENSE, Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(1, 2), kernel="matrix", layer_name="dense"),
    OnnxOp("QLinearMatMul", Kind.DENSE, "dense (fully connected, 8-bit)", _DENSE_TEXT + _INT8,
           weight_inputs=(3, 8), kernel="matrix", layer_name="dense", kernel_input=3,
           bias_input=8, quantized=_Q(output=(6, 7), weights={3: (4, 5)})),
    OnnxOp("QGemm", Kind.DENSE, "dense (fully connected, 8-bit)", _DENSE_TEXT + _INT8,
           weight_inputs=(3, 6), kernel="matrix", layer_name="dense", kernel_input=3,
           bias_input=6, quantized=_Q(output=(7, 8), weights={3: (4, 5)}, bias_scale=(1, 4))),
    OnnxOp("MatMulInteger", Kind.DENSE, "dense (fully connected, 8-bit)", _DENSE_TEXT + _INT8,
           weight_inputs=(1, 4), kernel="matrix", layer_name="dense", bias_input=4,
           quantized=_Q(weight_zero_points={1: 3})),
    # -- value by value ----------------------------------------------------------------------
    OnnxOp("Add", Kind.ARITHMETIC, "add",
           "adds two tensors value by value (a learnt bias, or a skip connection).",
           weight_inputs=(0, 1), bias_input=None, combines="add"),
    OnnxOp("QLinearAdd", Kind.ARITHMETIC, "add (8-bit)",
           "adds two tensors value by value (a learnt bias, or a skip connection)." + _INT8,
           weight_inputs=(0, 3), bias_input=None, combines="add", operands=(0, 3),
           quantized=_Q(output=(6, 7), weights={0: (1, 2), 3: (4, 5)})),
    OnnxOp("Sub", Kind.ARITHMETIC, "subtract",
           "subtracts one tensor from another, value by value (e.g. a mean, to centre the "
           "input).", weight_inputs=(0, 1), bias_input=None),
    OnnxOp("Mul", Kind.ARITHMETIC, "multiply",
           "multiplies two tensors value by value (e.g. 1/255, to scale the input).",
           weight_inputs=(0, 1), bias_input=None, combines="multiply"),
    OnnxOp("QLinearMul", Kind.ARITHMETIC, "multiply (8-bit)",
           "multiplies two tensors value by value." + _INT8,
           weight_inputs=(0, 3), bias_input=None, combines="multiply", operands=(0, 3),
           quantized=_Q(output=(6, 7), weights={0: (1, 2), 3: (4, 5)})),
    OnnxOp("Div", Kind.ARITHMETIC, "divide",
           "divides one tensor by another, value by value (e.g. by a standard deviation).",
           weight_inputs=(0, 1), bias_input=None),
    # -- plumbing: shown only when it makes a map into a vector ------------------------------
    OnnxOp("Flatten", Kind.PLUMBING, "flatten", _FLATTEN_TEXT, replay=replay_flatten,
           folds="flatten"),
    OnnxOp("Reshape", Kind.PLUMBING, "flatten", _FLATTEN_TEXT, replay=replay_flatten,
           folds="reshape"),
    OnnxOp("Squeeze", Kind.PLUMBING, "squeeze", "drops axes of size 1 (nothing is computed).",
           replay=replay_flatten, folds="squeeze"),
    OnnxOp("Unsqueeze", Kind.PLUMBING, "unsqueeze", "adds axes of size 1 (nothing is computed).",
           folds="unsqueeze"),
    OnnxOp("Transpose", Kind.PLUMBING, "transpose",
           "reorders the axes, e.g. channels-last to channels-first (nothing is computed).",
           Layout.PERMUTATION, folds="transpose"),
    OnnxOp("Identity", Kind.PLUMBING, "identity", "passes its input on unchanged.",
           folds="same"),
    OnnxOp("Cast", Kind.PLUMBING, "cast", "converts the values to another number type.",
           folds="cast"),
    OnnxOp("Dropout", Kind.PLUMBING, "dropout",
           "passes its input on unchanged (in training it sets random units to 0).",
           training_mode="input"),
    # -- 8-bit coding: followed, never shown -------------------------------------------------
    OnnxOp("QuantizeLinear", Kind.QUANTIZE, "quantize",
           "codes each value as an 8-bit integer: round(x / scale) + zero point.",
           quantized=_Q(output=(1, 2))),
    OnnxOp("DequantizeLinear", Kind.QUANTIZE, "dequantize",
           "turns 8-bit integers back into numbers: (q − zero point) × scale.",
           folds="dequantize"),
    OnnxOp("DynamicQuantizeLinear", Kind.QUANTIZE, "dynamic quantize",
           "codes each value as an 8-bit integer, with a scale worked out from the values.",
           quantized=_Q(dynamic=True)),
    # -- not data ----------------------------------------------------------------------------
    OnnxOp("Shape", Kind.SHAPE, "shape", "gives the shape of its input, not its values."),
    OnnxOp("Size", Kind.SHAPE, "size", "gives the number of values in its input."),
    OnnxOp("Constant", Kind.CONSTANT, "constant", "a fixed tensor stored in the model."),
)  # fmt: skip

OPS: dict[str, OnnxOp] = {entry.op: entry for entry in _ENTRIES}
"""The table: ONNX op type → what the app knows about it."""


def op_info(op: str) -> OnnxOp:
    """The table's entry for ``op``; an op it does not know gets kind OTHER and its own name.

    A layer read from two nodes ("Conv+Add": a convolution and the Add of its bias) is
    described by its first op's entry unless the table has one of its own ("MatMul+Add").
    """
    entry = OPS.get(op)
    if entry is not None:
        return entry
    if FUSED in op:
        return op_info(op.split(FUSED, 1)[0])
    return OnnxOp(op, Kind.OTHER, op, "")
