"""Every limit the engine sets on outside input, in one table.

Anything beyond these is refused with a ``ValueError`` that names the argument, what it was and
what is allowed, before a single array is allocated. The engine's API (``conv2d``, ``pool2d``,
``conv_steps``, ``pool_steps``, ``output_shape``, ``conv_backprop``, …) applies the first part;
the playground's set-up (``PlaygroundSpec.checked``, which lesson files also pass through)
applies both parts.

===================================  ============================================================
The engine's API                     Limit
===================================  ============================================================
input, padded input                  at most 4,096 cells a side (``MAX_SIDE``)
kernel, pool window                  at most 4,096 cells a side, dilation included, and no larger
                                     than the padded input
padding                              0 to the kernel's size (dilation included) on each side for
                                     a convolution; smaller than the pool size for a pooling (as
                                     Keras: a window of padding only has no maximum)
stride, dilation                     1 to 4,096
values one operation allocates       at most 67,108,864 (2^26, ``MAX_CELLS``): the padded input
                                     (H·W·C), the windows read (outputs·window cells·C), the
                                     output (outputs·maps)
input values                         finite (no NaN, no ±inf); real numbers only
results                              finite: refused when a sum of |products| would pass the
                                     largest float (about 1.8e308 in float64, 3.4e38 in float32)
backprop terms                       at most 262,144 written-out terms ∂E/∂h·x, i.e. outputs ×
                                     weights (``MAX_BACKPROP_TERMS``)
===================================  ============================================================

===================================  ============================================================
The playground's set-up              Limit
===================================  ============================================================
input                                1x1 to 64x64 cells, 1 to 4 channels
kernel                               1x1 to 9x9
filters                              1 to 16
input cells, weights, biases         at most 1,000,000 in size (|v| ≤ 1e6)
divisor                              1e-6 ≤ |divisor| ≤ 1e6
pool window                          no larger than the feature map it pools (before padding)
===================================  ============================================================

With these the playground's largest set-up (64x64x4 input of ±1e6, sixteen 9x9x4 filters of
±1e6, a divisor of 1e-6) gives results below 3.3e20: nothing it shows can overflow.
Why these numbers: 64x64 is twice MNIST's 28x28 and still readable cell by cell; 9x9 and 16
filters are what the playground's editors offer. 4,096 cells a side holds any picture a CNN of
the course takes (224x224, even a 3840x2160 frame); 2^26 values are 512 MB in float64, enough
for a VGG-sized layer (224x224x64 with a 3x3 kernel reads 29 million values) and little enough
to be refused at once rather than swapped for minutes.
"""

from __future__ import annotations

MAX_SIDE = 4096
"""Cells a side of any input, padded input, kernel or pool window (dilation included)."""
MAX_CELLS = 2**26
"""Values one convolution or pooling may allocate for its padded input, windows or output."""
MAX_BACKPROP_TERMS = 2**18
"""Written-out gradient terms (outputs × weights) of one ``conv_backprop``."""

PLAYGROUND_MAX_INPUT_SIZE = 64
"""The playground's input: at most this many cells a side."""
PLAYGROUND_MAX_CHANNELS = 4
"""The playground's input: at most this many channels (grayscale 1, RGB 3, RGBA 4)."""
PLAYGROUND_MAX_KERNEL_SIZE = 9
"""The playground's kernels: at most this many cells a side."""
PLAYGROUND_MAX_FILTERS = 16
"""The playground's filters: at most this many."""
PLAYGROUND_MAX_ABS_VALUE = 1e6
"""The playground's input cells, weights and biases: at most this in size."""
PLAYGROUND_MIN_ABS_DIVISOR = 1e-6
"""The playground's divisor: at least this in size."""
PLAYGROUND_MAX_ABS_DIVISOR = 1e6
"""The playground's divisor: at most this in size."""
