"""The one table of ONNX ops the app knows: what each op is, for the engine and for students.

Every place that reads a graph asks this table, never an op name: which nodes only re-lay
data (plumbing) or produce shapes, which work on NCHW data, which slide a window (and how),
which inputs hold parameters and how they are shown, what a layer is called when its node
name carries no layer name, the name and one-line explanation a student sees, and the NumPy
engine's replay of the op (``engine.network.replay``). Supporting a new layer type is one
entry here plus, if the NumPy engine should replay it, its replay function.

An op that is not in the table is still loaded, run and shown (kind OTHER, under its ONNX
name); it only cannot be replayed by the NumPy engine.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    from collections.abc import Callable

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
    PLUMBING = "plumbing"  # only re-lays data (reshape, transpose, identity...)
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
Scores = Literal["probabilities", "log-probabilities"]


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
            conv1, conv2...); None: the op in lower case.
        scores: For an output op, what its values are ("probabilities", "log-probabilities").
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
        return self.kind not in (Kind.PLUMBING, Kind.SHAPE, Kind.CONSTANT)


# A MatMul by a constant whose only consumer adds a constant bias is one dense layer.
MATMUL = "MatMul"
BIAS_ADD = "Add"
FUSED_DENSE = "MatMul+Add"
# Constants are looked up through this op (its output is its input).
IDENTITY = "Identity"

_C, _A, _P, _N = Kind.CONV, Kind.ACTIVATION, Kind.POOL, Kind.NORMALISATION
_NCHW = Layout.CHANNELS_FIRST
_DENSE_TEXT = "each unit weighs every input and adds a bias."
_FLATTEN_TEXT = "the values laid out as one vector, row by row (nothing is computed)."

_ENTRIES = (
    # -- convolutions ------------------------------------------------------------------------
    OnnxOp("Conv", _C, "convolution",
           "each filter slides over the input; at every position it multiplies the values "
           "under it by its weights, adds them up and adds its bias.",
           _NCHW, replay_conv, weight_inputs=(1, 2), kernel="filters", window="conv",
           layer_name="conv"),
    OnnxOp("ConvTranspose", _C, "transposed convolution",
           "each input value stamps a weighted copy of the filter onto a larger output.",
           _NCHW, None, (1, 2), layer_name="deconv"),
    # -- pooling -----------------------------------------------------------------------------
    OnnxOp("MaxPool", _P, "max pooling",
           "each window keeps its largest value: the maps shrink, the patterns stay.",
           _NCHW, replay_pool, window="max", layer_name="pool"),
    OnnxOp("AveragePool", _P, "average pooling",
           "each window keeps the average of its values: the maps shrink, the patterns stay.",
           _NCHW, replay_pool, window="avg", layer_name="pool"),
    OnnxOp("LpPool", _P, "Lp pooling", "each window keeps the p-norm of its values.", _NCHW),
    OnnxOp("GlobalAveragePool", _P, "global average pooling",
           "each map becomes one number, the average of its values.",
           _NCHW, layer_name="global pool"),
    OnnxOp("GlobalMaxPool", _P, "global max pooling",
           "each map becomes one number, its largest value.", _NCHW, layer_name="global pool"),
    OnnxOp("GlobalLpPool", _P, "global Lp pooling",
           "each map becomes one number, the p-norm of its values.", _NCHW),
    # -- normalisation -----------------------------------------------------------------------
    OnnxOp("BatchNormalization", _N, "batch normalisation",
           "each channel is shifted and scaled by constants learnt in training (mean, "
           "variance, scale and offset), so its values stay in a steady range.",
           _NCHW, replay_batch_norm, (1, 2, 3, 4), layer_name="batchnorm"),
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
    OnnxOp("PRelu", _A, "parametric ReLU",
           "negative values are multiplied by a learnt slope, positive values pass unchanged.",
           weight_inputs=(1,)),
    OnnxOp("Sigmoid", _A, "sigmoid", "each value is squashed into 0..1: 1 / (1 + e^−x)."),
    OnnxOp("Tanh", _A, "tanh", "each value is squashed into −1..1."),
    OnnxOp("Elu", _A, "ELU",
           "negative values curve smoothly towards −α, positive values pass unchanged."),
    OnnxOp("Selu", _A, "SELU",
           "a scaled ELU: negative values curve towards a fixed limit, positive values grow."),
    OnnxOp("Celu", _A, "CELU", "a smooth ELU: negative values curve towards −α."),
    OnnxOp("Softplus", _A, "softplus", "a smooth ReLU: log(1 + e^x)."),
    OnnxOp("Softsign", _A, "softsign", "each value is squashed into −1..1: x / (1 + |x|)."),
    OnnxOp("HardSigmoid", _A, "hard sigmoid",
           "a sigmoid made of straight lines: values are scaled, shifted and cut to 0..1."),
    OnnxOp("HardSwish", _A, "hard swish", "each value times its hard sigmoid."),
    OnnxOp("Clip", _A, "clip", "values are cut to a fixed range (ReLU6 cuts to 0..6)."),
    OnnxOp("Gelu", _A, "GELU", "a smooth ReLU: x times the chance that a normal value is below x."),
    OnnxOp("Mish", _A, "Mish", "a smooth ReLU: x · tanh(softplus(x))."),
    # -- the answer --------------------------------------------------------------------------
    OnnxOp("Softmax", Kind.OUTPUT, "softmax",
           "turns the scores into probabilities that add up to 1: the network's answer.",
           replay=replay_softmax, scores="probabilities"),
    OnnxOp("LogSoftmax", Kind.OUTPUT, "log-softmax",
           "turns the scores into the logarithms of probabilities that add up to 1.",
           scores="log-probabilities"),
    # -- fully connected ---------------------------------------------------------------------
    OnnxOp("Gemm", Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(1, 2), kernel="matrix", layer_name="dense"),
    OnnxOp(MATMUL, Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(0, 1), kernel="matrix", layer_name="dense"),
    OnnxOp(FUSED_DENSE, Kind.DENSE, "dense (fully connected)", _DENSE_TEXT,
           replay=replay_dense, weight_inputs=(1, 2), kernel="matrix", layer_name="dense"),
    # -- plumbing: shown only when it makes a map into a vector ------------------------------
    OnnxOp("Flatten", Kind.PLUMBING, "flatten", _FLATTEN_TEXT, replay=replay_flatten),
    OnnxOp("Reshape", Kind.PLUMBING, "flatten", _FLATTEN_TEXT, replay=replay_flatten),
    OnnxOp("Squeeze", Kind.PLUMBING, "squeeze", "drops axes of size 1 (nothing is computed).",
           replay=replay_flatten),
    OnnxOp("Unsqueeze", Kind.PLUMBING, "unsqueeze", "adds axes of size 1 (nothing is computed)."),
    OnnxOp("Transpose", Kind.PLUMBING, "transpose",
           "reorders the axes, e.g. channels-last to channels-first (nothing is computed).",
           Layout.PERMUTATION),
    OnnxOp(IDENTITY, Kind.PLUMBING, "identity", "passes its input on unchanged."),
    OnnxOp("Cast", Kind.PLUMBING, "cast", "converts the values to another number type."),
    OnnxOp("Dropout", Kind.PLUMBING, "dropout",
           "passes its input on unchanged (in training it sets random units to 0)."),
    # -- not data ----------------------------------------------------------------------------
    OnnxOp("Shape", Kind.SHAPE, "shape", "gives the shape of its input, not its values."),
    OnnxOp("Size", Kind.SHAPE, "size", "gives the number of values in its input."),
    OnnxOp("Constant", Kind.CONSTANT, "constant", "a fixed tensor stored in the model."),
)  # fmt: skip

OPS: dict[str, OnnxOp] = {entry.op: entry for entry in _ENTRIES}
"""The table: ONNX op type → what the app knows about it."""


def op_info(op: str) -> OnnxOp:
    """The table's entry for ``op``; an op it does not know gets kind OTHER and its own name."""
    entry = OPS.get(op)
    return entry if entry is not None else OnnxOp(op, Kind.OTHER, op, "")
