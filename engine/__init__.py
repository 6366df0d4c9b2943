"""The CNN Visualizer engine: pure NumPy (and ONNX Runtime), no Qt.

Everything the app shows is computed here and can be tested headless.
"""

from engine.conv import conv2d
from engine.layers import dense, flatten, relu, softmax
from engine.layout import kernel_from_onnx, kernel_to_onnx, nchw_to_nhwc, nhwc_to_nchw
from engine.pool import pool2d
from engine.shapes import OutputShape, ParamCount, output_shape, param_count
from engine.steps import ConvStep, ConvSteps, PoolStep, PoolSteps, conv_steps, pool_steps

__all__ = [
    "ConvStep",
    "ConvSteps",
    "OutputShape",
    "ParamCount",
    "PoolStep",
    "PoolSteps",
    "conv2d",
    "conv_steps",
    "dense",
    "flatten",
    "kernel_from_onnx",
    "kernel_to_onnx",
    "nchw_to_nhwc",
    "nhwc_to_nchw",
    "output_shape",
    "param_count",
    "pool2d",
    "pool_steps",
    "relu",
    "softmax",
]
