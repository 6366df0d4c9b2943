"""The training lab: choose a network, train it in a child process, watch it learn, keep runs.

The GUI never imports TensorFlow: training runs in `python -m models.training` (a child
process, trainer_process.py), which streams the JSON lines of models/training/protocol.py;
the lab reads saved runs with models.training.runs and draws with pyqtgraph. mode.py makes
the lab the window's Training mode (`--tab training`, Ctrl+3).
"""
