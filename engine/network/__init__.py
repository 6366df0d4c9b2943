"""Everything ONNX: models, their layers, running them, replaying them, and the digit lab's state.

Reading and checking a model file, its layers and their geometry (one table of op kinds,
``ops``), running it with ONNX Runtime, replaying it with the NumPy engine, classifying images
with it, and the digit lab's model state (``lab_state``).
"""
