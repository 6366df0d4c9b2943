"""Nodes in data order: every node after the nodes that compute its inputs.

ONNX requires a graph's nodes to be sorted topologically, but some exporters (keras2onnx 1.5)
wrote them in another order, and ONNX Runtime sorts them itself, so such files run. Everything
the app reads from a graph walks its nodes in order (the data path, the layers, their layouts),
so the nodes are sorted once, on load. A graph whose nodes feed each other in a circle cannot
be sorted and is refused, naming the nodes.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import onnx

from engine.network.file import ModelError

if TYPE_CHECKING:
    from pathlib import Path

MAX_NAMED = 3  # nodes named in a message about a cycle


def node_label(node: onnx.NodeProto, index: int) -> str:
    """How a message names a node: its name, else its op and position ("Relu node 4")."""
    return repr(node.name) if node.name else f"{node.op_type} node {index + 1}"


def _subgraph_inputs(node: onnx.NodeProto) -> set[str]:
    """Names a node's subgraphs (If, Loop, Scan bodies) read: outer values they depend on."""
    names: set[str] = set()
    for attribute in node.attribute:
        graphs = list(attribute.graphs)
        if attribute.HasField("g"):
            graphs.append(attribute.g)
        for graph in graphs:
            for inner in graph.node:
                names.update(i for i in inner.input if i)
                names |= _subgraph_inputs(inner)
    return names


def topological_order(graph: onnx.GraphProto, path: Path) -> list[int]:
    """Node indices in an order where each node comes after the producers of its inputs.

    Stable: nodes already in order keep their order (Kahn's algorithm, lowest index first).
    ModelError when some nodes feed each other in a cycle.
    """
    nodes = list(graph.node)
    producer = {out: i for i, node in enumerate(nodes) for out in node.output if out}
    waiting_on: list[set[int]] = []
    users: list[list[int]] = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        needed = {i_ for i_ in (*node.input, *_subgraph_inputs(node)) if i_}
        sources = {producer[name] for name in needed if name in producer and producer[name] != i}
        waiting_on.append(sources)
        for source in sources:
            users[source].append(i)
    ready = [i for i, sources in enumerate(waiting_on) if not sources]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for user in users[i]:
            waiting_on[user].discard(i)
            if not waiting_on[user]:
                heapq.heappush(ready, user)
    if len(order) != len(nodes):
        stuck = [i for i in range(len(nodes)) if waiting_on[i]]
        named = ", ".join(node_label(nodes[i], i) for i in stuck[:MAX_NAMED])
        more = f" and {len(stuck) - MAX_NAMED} more" if len(stuck) > MAX_NAMED else ""
        raise ModelError(
            f"{path}: its graph has a cycle: nodes {named}{more} need each other's outputs, so "
            "no order can run them; expected a feed-forward image classifier"
        )
    return order


def in_data_order(model: onnx.ModelProto, path: Path) -> onnx.ModelProto:
    """The model with its nodes sorted topologically (itself when they already are).

    ModelError when the graph has a cycle.
    """
    order = topological_order(model.graph, path)
    if order == list(range(len(order))):
        return model
    nodes = [model.graph.node[i] for i in order]
    sorted_model = onnx.ModelProto()
    sorted_model.CopyFrom(model)
    del sorted_model.graph.node[:]
    sorted_model.graph.node.extend(nodes)
    return sorted_model
