"""Everything ONNX: models, their layers, running them, replaying them, and the lab's state.

Reading and checking a model file (nodes put in data order, training-mode ops switched to
inference), its layers and their geometry (one table of op kinds, ``ops``; 8-bit models decoded
by ``quantization``), what its output values are (``output_scores``), the input preprocessing it
gets (``preprocessing``, ``input_detection``, ``input_choice``, remembered per file by
``remembered_inputs``), running it with ONNX Runtime (``model_run``), replaying it with the NumPy
engine, classifying image files (``classify``), its summary (``summary``), Keras files converted
in a child process (``keras_files``), and the lab's model state (``lab_model``, ``lab_state``).
"""
