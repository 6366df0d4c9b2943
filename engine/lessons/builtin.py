"""The lessons: the worked examples of the course slides in ../shared/seeds, as data.

Numbers are copied from the slides; tests/test_lessons_golden.py checks that the engine
reproduces every worked number the slides give.
"""

from __future__ import annotations

import numpy as np

from engine.animation.playground import PlaygroundSpec, PoolSettings
from engine.animation.presets import preset
from engine.lessons.registry import BackpropExercise, Lesson


def _grid(text: str) -> np.ndarray:
    """Rows of whitespace-separated numbers → a 2-D float array."""
    return np.array([[float(v) for v in line.split()] for line in text.strip().splitlines()])


def _digit(text: str) -> np.ndarray:
    """Rows of characters, '.' = 0, '1'..'9' = tenths, 'X' = 1.0 → a 2-D float array."""
    values = {".": 0.0, "X": 1.0} | {str(i): i / 10 for i in range(1, 10)}
    return np.array([[values[ch] for ch in line.strip()] for line in text.strip().splitlines()])


SIX_BY_SIX = _grid("""
1 0 0 0 0 1
0 1 0 0 1 0
0 0 1 1 0 0
1 0 0 0 1 0
0 1 0 0 1 0
0 0 1 0 1 0
""")
SLIDE_FILTERS = [preset("diagonal").kernel, preset("vertical").kernel]

SEVEN_BY_SEVEN = _grid("""
0 0 0 0 0 0 0
0 1 0 0 0 1 0
0 0 0 0 0 0 0
0 0 0 1 0 0 0
0 1 0 0 0 1 0
0 0 1 1 1 0 0
0 0 0 0 0 0 0
""")
FEATURE_DETECTOR = _grid("""
0 0 1
1 0 0
0 1 1
""")

# An MNIST test digit (a 3, test image 32) averaged down to 14x14, in tenths.
DIGIT_THREE = _digit("""
..............
..............
....3552......
...598691.....
...22.1X2.....
.....167......
....38X71.....
....596793....
.......16X1...
.........86...
.......14X6...
.....479X61...
....14531.....
..............
""")
BLUR_5X5 = _grid("""
0 0 0 0 0
0 1 1 1 0
0 1 1 1 0
0 1 1 1 0
0 0 0 0 0
""")

X_IMAGE = -np.ones((9, 9))
for _i in range(1, 8):
    X_IMAGE[_i, _i] = X_IMAGE[_i, 8 - _i] = 1
X_FILTERS = [preset("diagonal").kernel, preset("x_shape").kernel, preset("anti_diagonal").kernel]

# cs231n's conv demo draws random numbers each time; these are fixed ones in its style
# (inputs 0..2, weights −1..1), with the slide's set-up: pad 1, stride 2, biases 1 and 0.
CS231N_INPUT = np.stack(
    [
        _grid("0 2 0 1 2\n0 2 1 0 0\n0 0 2 2 1\n0 2 1 0 1\n1 1 1 1 1"),
        _grid("1 1 1 2 1\n1 0 1 0 0\n1 1 1 1 1\n2 1 1 2 2\n1 2 2 2 0"),
        _grid("0 0 0 1 2\n2 2 2 0 2\n0 2 2 2 2\n0 0 2 0 1\n2 2 1 1 1"),
    ],
    axis=-1,
)
CS231N_FILTERS = np.stack(
    [
        np.stack(
            [
                _grid("1 0 1\n0 1 0\n0 -1 0"),
                _grid("0 1 0\n0 -1 0\n-1 1 1"),
                _grid("1 1 1\n1 1 -1\n1 -1 0"),
            ],
            axis=-1,
        ),
        np.stack(
            [
                _grid("0 1 1\n0 -1 1\n-1 0 0"),
                _grid("1 0 -1\n0 0 0\n-1 -1 0"),
                _grid("0 0 1\n1 1 0\n0 -1 0"),
            ],
            axis=-1,
        ),
    ],
    axis=-1,
)

# A small RGB picture: red on the left, blue on the right, a green band across the middle.
RGB_IMAGE = np.zeros((6, 6, 3))
RGB_IMAGE[:, :3, 0] = 1
RGB_IMAGE[:, 3:, 2] = 1
RGB_IMAGE[2:4, :, 1] = 1
_ZERO = np.zeros((3, 3))
_CENTRE = np.zeros((3, 3))
_CENTRE[1, 1] = 1
RGB_FILTERS = np.stack(
    [
        np.stack([preset("sobel_x").kernel, _ZERO, _ZERO], axis=-1),  # where red ends
        np.stack([_ZERO, preset("sobel_y").kernel, _ZERO], axis=-1),  # edges of the green band
        np.stack([_CENTRE, _ZERO, -_CENTRE], axis=-1),  # red minus blue
    ],
    axis=-1,
)


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        id="six-by-six",
        title="6x6 image, two 3x3 filters, then max pooling",
        explanation=(
            "Each filter slides over the 6x6 image one cell at a time (stride 1). At every "
            "position the 9 cells under the filter are multiplied by the filter's weights and "
            "added up: the dot product. Filter 1 looks for a ↘ diagonal, filter 2 for a vertical "
            "line, so each gives a 4x4 feature map — together a 2 x 4 x 4 stack. 2x2 max pooling "
            "then keeps the largest value of each 2x2 block."
        ),
        source="Slides 000 (Topic 12: CNN with TensorFlow) and 003, 'Convolution', 'Max Pooling'",
        spec=PlaygroundSpec.create(
            SIX_BY_SIX,
            SLIDE_FILTERS,
            pool=PoolSettings(2, 2, "max"),
            filter_names=("Filter 1 (↘ diagonal)", "Filter 2 (vertical)"),
        ),
        decimals=0,
    ),
    Lesson(
        id="six-by-six-stride-2",
        title="6x6 image, stride 2",
        explanation=(
            "The same image and filters, but the filter now jumps 2 cells at a time. It fits at "
            "only 2 positions across and 2 down, so each feature map is 2x2: "
            "(6 − 3) / 2 + 1 = 2 (rounded down). The first row of filter 1 reads 3, −3."
        ),
        source="Slides 000 and 003, 'If stride=2'",
        spec=PlaygroundSpec.create(
            SIX_BY_SIX,
            SLIDE_FILTERS,
            stride=(2, 2),
            filter_names=("Filter 1 (↘ diagonal)", "Filter 2 (vertical)"),
        ),
        decimals=0,
    ),
    Lesson(
        id="feature-detector",
        title="7x7 image, a 3x3 feature detector, 2x2 max pooling",
        explanation=(
            "The feature detector (kernel) is multiplied element-wise with each 3x3 patch of the "
            "input image and the products are added: a 5x5 feature map, smaller than the image. "
            "The highest value, 4, is where the patch matches the detector best. Max pooling "
            "with a 2x2 window and stride 2 then keeps the largest value of each block; the "
            "blocks at the right and bottom edge are only partly inside the map."
        ),
        source="Slide 001 (EI320A), 'Step 1 - Convolutional Operation' and 'Step 2 – Max Pooling'",
        spec=PlaygroundSpec.create(
            SEVEN_BY_SEVEN,
            FEATURE_DETECTOR,
            pool=PoolSettings(2, 2, "max", "same"),
            filter_names=("Feature detector",),
        ),
        notes=(
            "The slide has a typo: its feature map shows 1 at row 3, column 3 (row 2, column 2 "
            "counting from 0). The patch there has no 1 under a 1 of the detector, so the "
            "correct value is 0 — which is what the app shows.",
        ),
        decimals=0,
    ),
    Lesson(
        id="blur-digit",
        title="Blurring a handwritten digit",
        explanation=(
            "The slide's blur kernel is 5x5 with nine 1s in the middle: each output is the sum "
            "of a 3x3 neighbourhood, divided by 9 — the neighbourhood's mean. Padding 'same' "
            "keeps the picture its size. Sharp strokes become soft."
        ),
        source="Slide 001, 'Step 1 - Convolutional Operation' (Blur)",
        spec=PlaygroundSpec.create(
            DIGIT_THREE, BLUR_5X5, padding="same", divisor=9, filter_names=("Blur",)
        ),
    ),
    Lesson(
        id="edge-detect-digit",
        title="Edge detection, then ReLU",
        explanation=(
            "The slide's edge-detect kernel adds the four neighbours and subtracts 4x the centre: "
            "0 on flat areas, strong values at the edges of strokes — negative inside a stroke, "
            "positive just outside. ReLU then keeps only the non-negative values. (The slide "
            "draws negative as black and positive as white; here negative is blue, positive red.)"
        ),
        source="Slide 001, 'Edge Detect' and 'Step 1(b) – ReLu Layer'",
        spec=PlaygroundSpec.create(
            DIGIT_THREE,
            preset("laplacian").kernel,
            padding="same",
            relu=True,
            filter_names=("Edge detect",),
        ),
    ),
    Lesson(
        id="x-or-o",
        title="X or O: three filters, ReLU, pooling",
        explanation=(
            "A 9x9 image of an X in ±1 (1 = ink, −1 = background). Three 3x3 filters match "
            "pieces of an X: a ↘ diagonal, the centre of the X, a ↙ diagonal. Each result is "
            "divided by 9 (the number of cells), so 1.00 means a perfect match. ReLU turns the "
            "negatives into 0, and 2x2 max pooling shrinks each 7x7 map to 4x4."
        ),
        source="Slide 004 (KTH ID2223), 'A Toy ConvNet: X's and O's'",
        spec=PlaygroundSpec.create(
            X_IMAGE,
            X_FILTERS,
            divisor=9,
            relu=True,
            pool=PoolSettings(2, 2, "max", "same"),
            filter_names=("↘ diagonal", "X centre", "↙ diagonal"),
        ),
        notes=(
            "The slide cuts numbers to two decimals rather than rounding: 7/9 = 0.777… is "
            "shown as 0.77, 5/9 = 0.555… as 0.55. The app shows them the same way.",
            "Some cells of the slide's 7x7 filtered images read 0.33 where the arithmetic "
            "gives 0.11 or 0.55 (for example row 1, column 3 of the first map). The slide's "
            "pooled 4x4 maps agree with the correct values the app shows.",
        ),
        truncate_decimals=True,
    ),
    Lesson(
        id="cs231n-volume",
        title="A 5x5x3 volume, two 3x3x3 filters, stride 2",
        explanation=(
            "The input has 3 channels, so each filter has 3 channels too (3x3x3 = 27 weights). "
            "The kernel is not swept across channels: at each position the products of all 3 "
            "channels are added, then the bias (filter 1: 1, filter 2: 0). Padding 1 makes the "
            "input 7x7x3; with stride 2 the output is (5 + 2·1 − 3) / 2 + 1 = 3 → 3x3x2."
        ),
        source="Slide 004, 'One more example' (after cs231n.github.io/convolutional-networks)",
        spec=PlaygroundSpec.create(
            CS231N_INPUT,
            CS231N_FILTERS,
            [1, 0],
            stride=(2, 2),
            padding=1,
            channel_names=("x[:,:,0]", "x[:,:,1]", "x[:,:,2]"),
            filter_names=("Filter W0 (b0 = 1)", "Filter W1 (b1 = 0)"),
        ),
        notes=(
            "cs231n's demo draws new random numbers on every visit; these are fixed numbers "
            "in its style (inputs 0..2, weights −1..1) so the lesson can be repeated.",
        ),
        decimals=0,
    ),
    Lesson(
        id="rgb-kernels",
        title="An RGB image and several kernels",
        explanation=(
            "A colour image is a tensor of shape (height, width, 3). Each kernel has one 3x3 "
            "slice per channel; the channels are convolved separately and summed. Kernel 1 "
            "looks only at red (where red ends), kernel 2 only at green (the green band's "
            "edges), kernel 3 computes red minus blue at the centre cell."
        ),
        source="Slide 002 (Industrial AI Lab), 'Multi-channel and Multi-kernel 2D Convolution'",
        spec=PlaygroundSpec.create(
            RGB_IMAGE,
            RGB_FILTERS,
            padding="same",
            relu=True,
            channel_names=("R", "G", "B"),
            filter_names=("Red edge", "Green band edges", "Red − blue"),
        ),
        decimals=0,
    ),
    Lesson(
        id="backprop",
        title="Backpropagation through one conv layer",
        explanation=(
            "A 3x3 input X and a 2x2 filter W (no padding, stride 1) give a 2x2 output H. The "
            "error is E = Σ ½ (h − t)² over the outputs, so ∂E/∂h = h − t. Each weight touches "
            "one input cell per output, so its gradient is a sum of 4 terms: "
            "∂E/∂w11 = Σ ∂E/∂h · x. Gradient descent then updates W ← W − η ∂E/∂W."
        ),
        source="Slide 004, 'Training CNN (1/4)–(4/4)'",
        spec=PlaygroundSpec.create(
            _grid("1 2 0\n0 1 1\n2 0 1"), _grid("0.5 -1\n1 0.5"), filter_names=("W",)
        ),
        backprop=BackpropExercise(
            x=_grid("1 2 0\n0 1 1\n2 0 1"),
            w=_grid("0.5 -1\n1 0.5"),
            target=_grid("1 0\n1 1"),
            learning_rate=0.1,
        ),
    ),
)
