"""The arithmetic of CNN layers in NumPy: convolution, pooling, ReLU, softmax, dense, shapes.

Everything else in the engine builds on these; they import nothing from the engine's other
sub-packages.
"""
