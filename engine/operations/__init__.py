"""The arithmetic of CNN layers in NumPy: convolution, pooling, ReLU, softmax, dense, shapes.

Everything else in the engine builds on these; they import nothing from the engine's other
sub-packages. Every argument is checked before anything is computed: ``params`` judges the
geometry (sizes, stride, padding, dilation) in one place for every operation, ``values`` the
arrays and the sums made of them, and ``limits`` holds the table of every limit.
"""
