"""How the lessons of issue 15 were made: the decks' numbers, and the numbers a model computed.

Each function returns the lesson as it is shipped in engine/lessons/data; the notes' numbers
are the engine's (written by the number rule). The lessons were written by running

    QT_QPA_PLATFORM=offscreen python -m tests.vector_lesson_files RUN_FOLDER

from the repository's root, RUN_FOLDER being the run folder of
``python -m models.training --arch softmax --out RUN_FOLDER`` (its model.onnx holds the one-layer
network's W and b). tests/test_vector_lessons.py checks that the shipped files are what these
functions give (the one-layer network's weights excepted: the run folder is not shipped, so
the test measures their accuracy instead), and that the softmax lesson's logits are what the
shipped CNN gives today.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from engine.animation.layer_shapes import ShapeLayer
from engine.animation.numbers import write
from engine.animation.playground import PlaygroundSpec, run_pipeline
from engine.animation.vector_setup import VectorSpec
from engine.animation.vector_steps import cross_entropy_of_logits, dense, flatten, softmax
from engine.lessons.definition import Lesson
from engine.lessons.registry import DATA_DIR, lesson

SIGNIFICANT_DIGITS = 3
"""The one-layer network's W and b are shipped rounded to this many significant digits."""
MNIST_DIGIT = 11
"""The one-layer lesson's digit: MNIST test digit 11, a 6 (slide 004's "this is a 6")."""
SOFTMAX_DIGIT = 445
"""The softmax lesson's digit: MNIST test digit 445, a 6 the CNN finds a little like a 0."""
LOGITS_LAYER = "probabilities"
"""The shipped CNN's last dense layer, whose output goes into its Softmax."""
SLIDE_PROBABILITIES = (0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.9, 0.2, 0.1, 0.1)
"""Slide 004, "How Good the Predictions Are?": the computed probabilities, "this is a 6"."""
SGD_RATE = 0.01
"""Keras's SGD learning rate, which slide 004's compile(optimizer='sgd') uses."""

# Slide 004, "Filters Example (1/3)": the curve detector; "(2/3)": the receptive field.
CURVE_FILTER = np.array(
    [
        [0, 0, 0, 0, 0, 30, 0],
        [0, 0, 0, 0, 30, 0, 0],
        [0, 0, 0, 30, 0, 0, 0],
        [0, 0, 0, 30, 0, 0, 0],
        [0, 0, 0, 30, 0, 0, 0],
        [0, 0, 0, 30, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=float,
)
CURVE_FIELD = np.array(
    [
        [0, 0, 0, 0, 0, 0, 30],
        [0, 0, 0, 0, 50, 50, 50],
        [0, 0, 0, 20, 50, 0, 0],
        [0, 0, 0, 50, 50, 0, 0],
        [0, 0, 0, 50, 50, 0, 0],
        [0, 0, 0, 50, 50, 0, 0],
        [0, 0, 0, 50, 50, 0, 0],
    ],
    dtype=float,
)
# "(3/3)" shows this receptive field only as a picture: ink away from the filter's weights.
NO_CURVE_FIELD = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [50, 50, 0, 0, 0, 0, 0],
        [50, 50, 50, 0, 0, 0, 0],
        [50, 50, 50, 50, 50, 50, 50],
    ],
    dtype=float,
)
# An O for the X-or-O lesson's filters: a 9x9 ring of ink (1) on background (−1).
O_IMAGE = -np.ones((9, 9))
for _r, _c in (
    (1, 3), (1, 4), (1, 5), (2, 2), (2, 6), (3, 1), (3, 7), (4, 1), (4, 7), (5, 1), (5, 7),
    (6, 2), (6, 6), (7, 3), (7, 4), (7, 5),
):  # fmt: skip
    O_IMAGE[_r, _c] = 1

KTH_LAYERS = (
    ShapeLayer("conv", "Conv. layer 1", 5, 1, "same", 32, "relu"),
    ShapeLayer("pool", "Pooling layer 1", 2, 2),
    ShapeLayer("conv", "Conv. layer 2", 5, 1, "same", 64, "relu"),
    ShapeLayer("pool", "Pooling layer 2", 2, 2),
    ShapeLayer("flatten", "Flatten"),
    ShapeLayer("dense", "Dense layer", count=1024, activation="relu"),
    ShapeLayer("dense", "Softmax layer", count=10, activation="softmax"),
)
"""Slide 004, "CNN in TensorFlow (7/7)": the model's Keras code, layer by layer."""


def significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (0 stays 0), as float64."""
    out = np.zeros(np.shape(values))
    array = np.asarray(values, dtype=np.float64)
    nonzero = array != 0
    exponent = np.floor(np.log10(np.abs(array[nonzero])))
    scale = 10.0 ** (exponent - digits + 1)
    out[nonzero] = np.round(array[nonzero] / scale) * scale
    # shortest decimals: 0.123 rather than 0.12300000000000001 in the file
    return np.array([float(f"{v:.{digits}g}") for v in out.ravel()]).reshape(out.shape)


def _about(value: float) -> str:
    return write(value).alone


# ----- curve-detector -------------------------------------------------------------------------
def curve_detector() -> Lesson:
    """Slide 004's curve detector over the curve (6600) and over no curve (0)."""
    spec = PlaygroundSpec.create(
        np.hstack([CURVE_FIELD, NO_CURVE_FIELD]),
        CURVE_FILTER,
        [0],
        stride=(7, 7),
        filter_names=("Curve detector",),
    )
    return Lesson(
        id="curve-detector",
        title="A curve detector: 6600 where the curve is, 0 where it is not",
        explanation=(
            "A 7x7 filter with weights 30 along a curve (a curve detector) is laid over two "
            "receptive fields of a picture of a mouse, side by side in one 7x14 input; with "
            "stride 7 it visits exactly these two. Where the picture has the same curve, five "
            "of its pixels lie under the filter's weights: (50·30) + (50·30) + (50·30) + "
            "(20·30) + (50·30) = 6600, a large number. Where there is no curve, no ink lies "
            "under the weights and every product is 0: the sum is 0. A filter answers "
            "strongly where the input looks like it."
        ),
        source="Slide 004 (KTH ID2223), 'Filters Example (1/3)–(3/3)' (from A. Deshpande's "
        "'A Beginner's Guide to Understanding Convolutional Neural Networks')",
        spec=spec,
        notes=(
            "The slide shows the second receptive field only as a picture (another part of the "
            "mouse); its numbers here are made up so that no ink lies under the filter's "
            "weights, which gives the slide's 0.",
        ),
        decimals=0,
    )


# ----- fully-connected-x-or-o -----------------------------------------------------------------
def x_or_o_pooled(image: np.ndarray | None = None) -> np.ndarray:
    """The X-or-O lesson's pooled maps (4, 4, 3) for its X, or for another 9x9 image."""
    spec = lesson("x-or-o").convolution
    if image is not None:
        spec = spec.with_changes(input=np.asarray(image, dtype=float)[:, :, None])
    pooled = run_pipeline(spec).pooled
    assert pooled is not None
    return pooled


def x_or_o_weights() -> np.ndarray:
    """W (48, 2): each unit's weights are its letter's pooled maps minus their mean, 1 decimal."""
    columns = []
    for image in (None, O_IMAGE):
        template = flatten(x_or_o_pooled(image))
        columns.append(np.round(template - template.mean(), 1))
    return np.stack(columns, axis=1) + 0.0  # no −0 in the file


def x_or_o_votes(image: np.ndarray | None = None) -> np.ndarray:
    """z = x·W + b (X, O) of the fully connected lesson for the X (or another image)."""
    return dense(flatten(x_or_o_pooled(image)), x_or_o_weights(), np.zeros(2))


def fully_connected_x_or_o() -> Lesson:
    """The X-or-O lesson's pooled maps flattened, and two output units voting X or O."""
    x_votes, o_votes = x_or_o_votes(), x_or_o_votes(O_IMAGE)
    names = lesson("x-or-o").convolution.filter_names
    spec = VectorSpec(
        steps=("flatten", "dense"),
        maps=x_or_o_pooled(),
        weights=x_or_o_weights(),
        bias=np.zeros(2),
        classes=("X", "O"),
        map_names=names,
        input_name="the pooled maps of the X",
    )
    return Lesson(
        id="fully-connected-x-or-o",
        title="X or O, decided: flatten the pooled maps, two output units vote",
        explanation=(
            "The X-or-O lesson's three pooled 4x4 maps are flattened into one vector of 48 "
            "values, in the order Keras's Flatten uses: x[(r·4 + c)·3 + ch] is row r, column c "
            "of map ch, so the three maps' values interleave. A fully connected (dense) layer "
            "with two output units then votes: z[X] = x·w[:, X] + b[X] and z[O] = x·w[:, O] + "
            "b[O], each a weighted sum of all 48 values plus a bias. The larger vote wins."
        ),
        source="Slide 004 (KTH ID2223), 'A Toy ConvNet: X's and O's', 'Flattening' and "
        "'Fully Connected Layer'",
        spec=None,
        notes=(
            "The slide's vector (0.9, 0.65, 0.45, …) is illustrative; here the vector is the "
            "X-or-O lesson's own pooled maps. The weights are not the slide's either: we chose "
            "each unit's weights as the pooled maps of its own letter minus their mean, rounded "
            "to one decimal (for O: the same filters, ReLU and pooling on a 9x9 ring of ink), "
            "and the biases 0. With them X wins on the X image (z[X] "
            f"{_about(x_votes[0])} against z[O] {_about(x_votes[1])}) and O wins on an O image "
            f"(z[O] {_about(o_votes[1])} against z[X] {_about(o_votes[0])}).",
            "The maps are written from their values here (5/9 ≈ 0.556); the X-or-O lesson "
            "writes the slide's own maps cut to two decimals, as the slide does (0.55).",
        ),
        vector=spec,
    )


# ----- cross-entropy --------------------------------------------------------------------------
def slide_softmax() -> np.ndarray:
    """Softmax of the slide's ten "probabilities", read as logits."""
    return softmax(np.array(SLIDE_PROBABILITIES))


def cross_entropy() -> Lesson:
    """Slide 004's "this is a 6": the one-hot label, the slide's ŷ, J = −log 0.9."""
    values = np.array(SLIDE_PROBABILITIES)
    redone = slide_softmax()
    others = np.delete(redone, 6)
    spec = VectorSpec(
        steps=("cross-entropy",),
        values=values,
        label=6,
        input_name="the slide's computed probabilities",
    )
    return Lesson(
        id="cross-entropy",
        title='Cross-entropy: how wrong is "this is a 6"?',
        explanation=(
            "The label is one-hot: y = 1 for the true class, 6, and 0 for the others. The "
            "network's computed probabilities ŷ are the slide's. Cross-entropy J = −Σ y·log ŷ "
            "adds y·log ŷ over the ten classes; every term with y = 0 is 0, so only the true "
            "class counts: J = −log ŷ[6] = −log 0.9 ≈ 0.105 (log is the natural logarithm, as "
            "in Keras). A confident right answer costs little; ŷ[6] = 0.1 would cost "
            f"−log 0.1 {_about(-math.log(0.1))}."
        ),
        source="Slide 004 (KTH ID2223), 'How Good the Predictions Are?'",
        spec=None,
        notes=(
            f"The slide's probabilities add up to {_about(float(values.sum()))}, not 1, so no "
            "softmax gave them. Softmax of the same ten numbers, read as logits, gives ŷ[6] "
            f"{_about(float(redone[6]))} and the others from {_about(float(others.min()))} to "
            f"{_about(float(others.max()))}; then J = −log ŷ[6] "
            f"{_about(cross_entropy_of_logits(values, 6))}: the network would be far less sure.",
        ),
        vector=spec,
    )


# ----- softmax --------------------------------------------------------------------------------
def cnn_logits(image: np.ndarray) -> np.ndarray:
    """The shipped CNN's logits for one 28x28 image in 0..1: its last dense layer's output."""
    from engine.network.model import OnnxModel

    forward = OnnxModel().forward(np.asarray(image, dtype=np.float32))
    found = [a.array for a in forward.activations if a.name == LOGITS_LAYER]
    return np.asarray(found[0], dtype=np.float64)


def mnist_test_digit(path: Path, index: int) -> tuple[np.ndarray, int]:
    """MNIST test digit ``index`` scaled to 0..1 (28, 28), and its label."""
    with np.load(path) as data:
        return data["x_test"][index] / 255.0, int(data["y_test"][index])


def softmax_lesson(mnist: Path) -> Lesson:
    """Industrial AI Lab's softmax on the shipped CNN's logits for MNIST test digit 445."""
    image, label = mnist_test_digit(mnist, SOFTMAX_DIGIT)
    logits = cnn_logits(image)
    spec = VectorSpec(
        steps=("softmax",),
        values=logits,
        input_name=f"the CNN's logits for MNIST test digit {SOFTMAX_DIGIT} (a {label})",
    )
    return Lesson(
        id="softmax",
        title="Softmax: from the CNN's logits to probabilities",
        explanation=(
            "The app's CNN ends in a dense layer of ten units whose outputs, the logits z, can "
            "be any numbers; softmax turns them into probabilities. For each class, e^z makes "
            "the logit positive; their sum Σ e^z adds them up; each e^z / Σ e^z is that class's "
            "probability. The probabilities add up to 1, and the largest logit gets the largest "
            f"probability. These are the CNN's logits for MNIST test digit {SOFTMAX_DIGIT}, a "
            f"{label} that the CNN finds a little like a 0."
        ),
        source="Slide 002 (Industrial AI Lab), 'CNNs for Classification: Class Probabilities': "
        "softmax(y_i) = e^(y_i) / Σ_j e^(y_j)",
        spec=None,
        notes=(
            "The logits were computed once with the app's shipped model, models/mnist_cnn.onnx "
            f"(ONNX Runtime; the output of its dense layer '{LOGITS_LAYER}', before the "
            f"Softmax), for MNIST test digit {SOFTMAX_DIGIT} scaled to 0..1, and stored in this "
            "lesson; a test checks that the model still gives them.",
        ),
        vector=spec,
    )


# ----- one-layer-mnist ------------------------------------------------------------------------
def trained_one_layer(run_folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """W (784, 10) and b (10,) of a run of ``--arch softmax``, rounded (``significant``)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(run_folder / "model.onnx"))
    found = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    return significant(found["probabilities/kernel"]), significant(found["probabilities/bias"])


def mnist_accuracy(weights: np.ndarray, bias: np.ndarray, mnist: Path) -> tuple[int, int]:
    """(right, all) of the one-layer network x·W + b on the MNIST test set (x = pixels / 255)."""
    with np.load(mnist) as data:
        x = data["x_test"].reshape(len(data["x_test"]), -1) / 255.0
        labels = data["y_test"]
    right = int(((x @ weights + bias).argmax(axis=1) == labels).sum())
    return right, len(labels)


def one_layer_mnist(weights: np.ndarray, bias: np.ndarray, mnist: Path) -> Lesson:
    """Slide 004's one-layer network on MNIST test digit 11, trained W and b, one SGD step."""
    image, label = mnist_test_digit(mnist, MNIST_DIGIT)
    right, total = mnist_accuracy(weights, bias, mnist)
    spec = VectorSpec(
        steps=("flatten", "dense", "softmax", "cross-entropy", "update"),
        maps=image[:, :, None],
        weights=weights,
        bias=bias,
        label=label,
        learning_rate=SGD_RATE,
        input_name=f"MNIST test digit {MNIST_DIGIT}",
    )
    return Lesson(
        id="one-layer-mnist",
        title="One-layer network on MNIST, one gradient step",
        explanation=(
            "A real MNIST test digit (28x28, values 0..1) is flattened into x, 784 values. Each "
            "of the ten output units adds up all 784 pixels, each times its own weight, plus its "
            "bias: L[k] = x·w[:, k] + b[k] (the slide's L_{0,k} = w_{0,k}x_0 + … + "
            "w_{783,k}x_783). Softmax turns the ten sums into probabilities, cross-entropy "
            "compares them with the one-hot label, and one step of gradient descent, "
            "W − η·xᵀ(ŷ − y) and b − η·(ŷ − y), makes the true class more probable: the loss "
            "before and after shows by how much. Choose η with the learning rate box. Each "
            "unit's weights, drawn as a 28x28 picture, look like the digit it votes for."
        ),
        source="Slide 004 (KTH ID2223), 'One-Layer Network For Classifying MNIST (1/4)–(4/4)' "
        "and 'How Good the Predictions Are?'",
        spec=None,
        notes=(
            "W (784x10) and b were trained with the app's training package, python -m "
            "models.training --arch softmax (slide 004's one-layer network: SGD with η 0.1, 10 "
            "epochs of batches of 100, seed 0), and are stored here rounded to "
            f"{SIGNIFICANT_DIGITS} significant digits. With the stored values the network gets "
            f"{right / total:.2%} of the {total:,} MNIST test digits right ({right:,}).",
            f"The digit is MNIST test digit {MNIST_DIGIT}, a {label} (the slide's \"this is a "
            f"6\"). η starts at {SGD_RATE}, the learning rate of Keras's SGD, which the slide's "
            "compile(optimizer='sgd') uses.",
        ),
        vector=spec,
    )


# ----- shapes-kth -----------------------------------------------------------------------------
def shapes_kth() -> Lesson:
    """Slide 004's CNN in TensorFlow: each layer's shape, formula and parameter count."""
    spec = VectorSpec(steps=("shapes",), shapes_input=(28, 28, 1), layers=KTH_LAYERS)
    return Lesson(
        id="shapes-kth",
        title="Shapes through a CNN: [batch, 28, 28, 1] to 10, layer by layer",
        explanation=(
            "Slide 004's CNN for MNIST, one layer per step: its Keras code, the tensor shape it "
            "gives and how (“same” padding keeps 28x28: ⌈28 / 1⌉ = 28; 2x2 pooling with stride "
            "2 halves it), and its learned parameters: (5·5·1 + 1)·32 = 832 for the first "
            "convolution (a 5x5 kernel over 1 channel plus a bias, for each of 32 filters), "
            "(5·5·32 + 1)·64 = 51,264 for the second, (3,136 + 1)·1,024 = 3,212,288 for the "
            "dense layer and (1,024 + 1)·10 = 10,250 for the softmax layer. Pooling and "
            "flattening learn nothing; almost all the parameters are in the first dense layer."
        ),
        source="Slide 004 (KTH ID2223), 'CNN in TensorFlow (1/7)–(7/7)'",
        spec=None,
        notes=(
            "The digit lab's CNN (models/mnist_cnn.onnx) is a smaller network of the same "
            "shape: 3x3 kernels and 128 dense units (python main.py --summary).",
        ),
        vector=spec,
    )


def main(argv: list[str]) -> int:
    """Write the lessons of issue 15 into engine/lessons/data (see the module docstring)."""
    from engine.lessons.file_format import save_lesson
    from tests.conftest import mnist_path

    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    mnist = mnist_path()
    weights, bias = trained_one_layer(Path(argv[0]))
    for item in (
        curve_detector(),
        fully_connected_x_or_o(),
        cross_entropy(),
        softmax_lesson(mnist),
        one_layer_mnist(weights, bias, mnist),
        shapes_kth(),
    ):
        save_lesson(DATA_DIR / f"{item.id}.json", item)
        print(f"wrote {item.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
