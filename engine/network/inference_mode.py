"""Ops saved in training mode, switched to inference mode so every run gives the same answer.

A Dropout saved with ``training_mode`` true (ONNX opset 12 and later) or ``is_test`` 0 (before
opset 7) sets random units to 0 on every run: ONNX Runtime does exactly that, so two runs on
the same image give different answers. A BatchNormalization saved with ``training_mode`` 1
(opset 14 and later) normalises by the statistics of the batch (one image) instead of the
learnt ones. Both are switched to inference mode here, and the model summary says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import helper

from engine.network.file import ModelError
from engine.network.graph_order import node_label
from engine.network.nodes import Constants
from engine.network.ops import op_info

if TYPE_CHECKING:
    from pathlib import Path

TRAINING_MODE_INPUT = 2  # Dropout's third input (opset 12+): the op table's "input" mode


def _flag(node: onnx.NodeProto, name: str) -> int | None:
    for attribute in node.attribute:
        if attribute.name == name:
            return int(helper.get_attribute_value(attribute))
    return None


def _set_flag(node: onnx.NodeProto, name: str, value: int) -> None:
    for attribute in node.attribute:
        if attribute.name == name:
            attribute.i = value
            return


def _trains(node: onnx.NodeProto, constants: Constants) -> bool:
    """True when the node runs in training mode (or its mode is computed in the graph)."""
    mode = op_info(node.op_type).training_mode
    if mode is None:
        return False
    if _flag(node, "is_test") == 0 or _flag(node, "training_mode") == 1:
        return True
    if mode == "input" and len(node.input) > TRAINING_MODE_INPUT:
        name = node.input[TRAINING_MODE_INPUT]
        value = constants.array(name) if name else None
        return bool(name) and (value is None or bool(np.any(value)))
    return False


def for_inference(model: onnx.ModelProto, path: Path) -> tuple[onnx.ModelProto, tuple[str, ...]]:
    """The model with every training-mode Dropout and BatchNormalization in inference mode.

    Returns the model (itself when nothing had to change) and one sentence per switched node.
    ModelError for a training-mode BatchNormalization whose running statistics feed other
    nodes (the graph then depends on training).
    """
    constants = Constants(model.graph)
    training = [i for i, n in enumerate(model.graph.node) if _trains(n, constants)]
    if not training:
        return model, ()
    fixed = onnx.ModelProto()
    fixed.CopyFrom(model)
    used = {name for node in fixed.graph.node for name in node.input}
    used |= {o.name for o in fixed.graph.output}
    notes = []
    for i in training:
        node = fixed.graph.node[i]
        label = node_label(node, i)
        if op_info(node.op_type).training_mode == "input":
            _dropout_for_inference(node)
            notes.append(
                f"{node.op_type} {label} was saved in training mode (it would set random units "
                "to 0 on every run); it runs in inference mode here, so every run gives the "
                "same answer."
            )
        else:
            extra = [o for o in node.output[1:] if o and o in used]
            if extra:
                raise ModelError(
                    f"{path}: {node.op_type} {label} was saved in training mode and its "
                    f"running statistics ({', '.join(extra)}) feed other nodes; expected a model "
                    "exported for inference (e.g. model.eval() before torch.onnx.export)"
                )
            _set_flag(node, "training_mode", 0)
            _set_flag(node, "is_test", 1)
            del node.output[1:]
            notes.append(
                f"{node.op_type} {label} was saved in training mode (it would use the "
                "statistics of each image); it uses its learnt statistics here."
            )
    return fixed, tuple(notes)


def _dropout_for_inference(node: onnx.NodeProto) -> None:
    """No training-mode input (ONNX's default is inference) and is_test 1 where it exists."""
    _set_flag(node, "is_test", 1)
    _set_flag(node, "training_mode", 0)
    if len(node.input) > TRAINING_MODE_INPUT:
        del node.input[TRAINING_MODE_INPUT:]
