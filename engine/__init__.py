"""The CNN Visualizer engine: pure NumPy (and ONNX Runtime), no Qt.

Everything the app shows is computed here and can be tested headless. The sub-packages:

- ``engine.operations``: the arithmetic of CNN layers (conv2d, pool2d, relu, softmax, dense,
  output shapes and parameter counts, backprop through one conv layer).
- ``engine.animation``: the playground's set-up, the pipeline it runs, step records, the
  timeline and the frame painted at each scrubber position, and the arithmetic text.
- ``engine.drawings``: image files, drawings prepared like MNIST, the sample digits.
- ``engine.lessons``: the lessons (JSON files in ``engine/lessons/data``) and lesson files.
- ``engine.network``: ONNX models: reading, the op table, running with ONNX Runtime, the digit
  lab's model state, replaying a model with the NumPy engine, classifying images.

``from engine import X`` imports X's module on first use (PEP 562), so importing one part of
the engine (e.g. the lessons for ``--list-lessons``) does not load ONNX Runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.animation.frames import Animation, Frame, Mark, NumberStyle
    from engine.animation.playground import PlaygroundSpec, PoolSettings, run_pipeline
    from engine.animation.steps import (
        ConvStep,
        ConvSteps,
        PoolStep,
        PoolSteps,
        conv_steps,
        pool_steps,
    )
    from engine.drawings.digit_prep import to_mnist
    from engine.drawings.image_files import load_canvas
    from engine.lessons.registry import Lesson, all_lessons, lesson
    from engine.network.agreement import LayerAgreement, compare_with_numpy
    from engine.network.lab_state import LabState
    from engine.network.model import (
        Activation,
        LayerGeometry,
        LayerInfo,
        ModelError,
        OnnxModel,
        PixelRect,
        Weights,
    )
    from engine.network.model_run import ModelRun, Prediction, run_model
    from engine.network.ops import OPS, op_info
    from engine.operations.conv import conv2d
    from engine.operations.layers import dense, flatten, relu, softmax
    from engine.operations.layout import (
        kernel_from_onnx,
        kernel_to_onnx,
        nchw_to_nhwc,
        nhwc_to_nchw,
    )
    from engine.operations.pool import pool2d
    from engine.operations.shapes import OutputShape, ParamCount, output_shape, param_count

_EXPORTS = {
    "ConvStep": "engine.animation.steps",
    "ConvSteps": "engine.animation.steps",
    "PoolStep": "engine.animation.steps",
    "PoolSteps": "engine.animation.steps",
    "conv_steps": "engine.animation.steps",
    "pool_steps": "engine.animation.steps",
    "Animation": "engine.animation.frames",
    "Frame": "engine.animation.frames",
    "Mark": "engine.animation.frames",
    "NumberStyle": "engine.animation.frames",
    "PlaygroundSpec": "engine.animation.playground",
    "PoolSettings": "engine.animation.playground",
    "run_pipeline": "engine.animation.playground",
    "to_mnist": "engine.drawings.digit_prep",
    "load_canvas": "engine.drawings.image_files",
    "Lesson": "engine.lessons.registry",
    "all_lessons": "engine.lessons.registry",
    "lesson": "engine.lessons.registry",
    "LayerAgreement": "engine.network.agreement",
    "compare_with_numpy": "engine.network.agreement",
    "LabState": "engine.network.lab_state",
    "Activation": "engine.network.model",
    "LayerGeometry": "engine.network.model",
    "LayerInfo": "engine.network.model",
    "ModelError": "engine.network.model",
    "OnnxModel": "engine.network.model",
    "PixelRect": "engine.network.model",
    "Weights": "engine.network.model",
    "ModelRun": "engine.network.model_run",
    "Prediction": "engine.network.model_run",
    "run_model": "engine.network.model_run",
    "OPS": "engine.network.ops",
    "op_info": "engine.network.ops",
    "conv2d": "engine.operations.conv",
    "dense": "engine.operations.layers",
    "flatten": "engine.operations.layers",
    "relu": "engine.operations.layers",
    "softmax": "engine.operations.layers",
    "kernel_from_onnx": "engine.operations.layout",
    "kernel_to_onnx": "engine.operations.layout",
    "nchw_to_nhwc": "engine.operations.layout",
    "nhwc_to_nchw": "engine.operations.layout",
    "pool2d": "engine.operations.pool",
    "OutputShape": "engine.operations.shapes",
    "ParamCount": "engine.operations.shapes",
    "output_shape": "engine.operations.shapes",
    "param_count": "engine.operations.shapes",
}

__all__ = [
    "OPS",
    "Activation",
    "Animation",
    "ConvStep",
    "ConvSteps",
    "Frame",
    "LabState",
    "LayerAgreement",
    "LayerGeometry",
    "LayerInfo",
    "Lesson",
    "Mark",
    "ModelError",
    "ModelRun",
    "NumberStyle",
    "OnnxModel",
    "OutputShape",
    "ParamCount",
    "PixelRect",
    "PlaygroundSpec",
    "PoolSettings",
    "PoolStep",
    "PoolSteps",
    "Prediction",
    "Weights",
    "all_lessons",
    "compare_with_numpy",
    "conv2d",
    "conv_steps",
    "dense",
    "flatten",
    "kernel_from_onnx",
    "kernel_to_onnx",
    "lesson",
    "load_canvas",
    "nchw_to_nhwc",
    "nhwc_to_nchw",
    "op_info",
    "output_shape",
    "param_count",
    "pool2d",
    "pool_steps",
    "relu",
    "run_model",
    "run_pipeline",
    "softmax",
    "to_mnist",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use; AttributeError for unknown names."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
