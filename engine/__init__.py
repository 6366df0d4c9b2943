"""The CNN Visualizer engine: pure NumPy (and ONNX Runtime), no Qt.

Everything the app shows is computed here and can be tested headless.
"""

from engine.conv import conv2d
from engine.digit_prep import to_mnist
from engine.engines_agree import LayerAgreement, compare_with_numpy
from engine.image_files import load_canvas
from engine.layers import dense, flatten, relu, softmax
from engine.layout import kernel_from_onnx, kernel_to_onnx, nchw_to_nhwc, nhwc_to_nchw
from engine.onnx_model import (
    Activation,
    LayerGeometry,
    LayerInfo,
    ModelError,
    OnnxModel,
    PixelRect,
    Weights,
)
from engine.pool import pool2d
from engine.shapes import OutputShape, ParamCount, output_shape, param_count
from engine.steps import ConvStep, ConvSteps, PoolStep, PoolSteps, conv_steps, pool_steps

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
