"""The CNN Visualizer engine: pure NumPy (and ONNX Runtime), no Qt.

Everything the app shows is computed here and can be tested headless.
"""

from engine.animation.steps import ConvStep, ConvSteps, PoolStep, PoolSteps, conv_steps, pool_steps
from engine.drawings.digit_prep import to_mnist
from engine.drawings.image_files import load_canvas
from engine.network.agreement import LayerAgreement, compare_with_numpy
from engine.network.model import (
    Activation,
    LayerGeometry,
    LayerInfo,
    ModelError,
    OnnxModel,
    PixelRect,
    Weights,
)
from engine.operations.conv import conv2d
from engine.operations.layers import dense, flatten, relu, softmax
from engine.operations.layout import kernel_from_onnx, kernel_to_onnx, nchw_to_nhwc, nhwc_to_nchw
from engine.operations.pool import pool2d
from engine.operations.shapes import OutputShape, ParamCount, output_shape, param_count

__all__ = [
    "Activation",
    "ConvStep",
    "ConvSteps",
    "LayerAgreement",
    "LayerGeometry",
    "LayerInfo",
    "ModelError",
    "OnnxModel",
    "OutputShape",
    "ParamCount",
    "PixelRect",
    "PoolStep",
    "PoolSteps",
    "Weights",
    "compare_with_numpy",
    "conv2d",
    "conv_steps",
    "dense",
    "flatten",
    "kernel_from_onnx",
    "kernel_to_onnx",
    "load_canvas",
    "nchw_to_nhwc",
    "nhwc_to_nchw",
    "output_shape",
    "param_count",
    "pool2d",
    "pool_steps",
    "relu",
    "softmax",
    "to_mnist",
]
