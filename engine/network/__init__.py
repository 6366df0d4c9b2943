"""Everything ONNX: reading and checking a model file, its layers and their geometry, running it
with ONNX Runtime, replaying it with the NumPy engine, and classifying images with it."""
