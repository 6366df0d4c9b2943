"""Display names for the layers a student sees.

The Keras/PyTorch layer name where the node name has one, activations after the layer they
follow, else a numbered kind (the op table's ``layer_name``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.network.ops import Kind, op_info

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.network.layers import LayerDraft


def _scope(node_name: str) -> str | None:
    """The layer scope of a node name: "conv1" in "sequential/conv1/BiasAdd" or "/conv1/Conv"."""
    parts = [p for p in node_name.split("/") if p]
    return parts[-2] if len(parts) >= 2 else None


def _common_suffix(scopes: Sequence[str]) -> str | None:
    """The "_1" that Keras's tracing appends to every layer scope ("conv1_1"), if all share it."""
    distinct = set(scopes)
    if len(distinct) < 2:
        return None
    matches = [re.fullmatch(r"(.+?)(_\d+)", s) for s in distinct]
    suffixes = {m.group(2) for m in matches if m is not None}
    if len(suffixes) == 1 and all(m is not None for m in matches):
        return suffixes.pop()
    return None


def layer_names(drafts: Sequence[LayerDraft]) -> list[str]:
    """Display names, one per draft, unique; linear in the number of drafts.

    The Keras/PyTorch layer name where the node name has one, activations after the layer they
    follow ("conv1 · relu"), else a numbered kind ("conv2", "pool1").
    """
    scopes: list[str | None] = []
    for draft in drafts:
        scope = _scope(draft.node.name)
        for fused in draft.fused if scope is None else ():
            scope = scope or _scope(fused.name)
        scopes.append(scope)
    suffix = _common_suffix([s for s in scopes if s])
    if suffix:
        scopes = [s[: -len(suffix)] if s and s.endswith(suffix) else s for s in scopes]
    bases: list[str] = []
    names: list[str] = []
    taken: set[str] = set()
    next_number: dict[str, int] = {}  # per name: the first number not yet tried ("conv1 2")
    counts: dict[str, int] = {}
    for draft, scope in zip(drafts, scopes, strict=True):
        entry = op_info(draft.op)
        kind = entry.layer_name
        if kind is None and draft.layout.kind == "vector" and entry.kind is Kind.PLUMBING:
            kind = "flatten"
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
        if entry.follows_a_layer and draft.sources:
            base = bases[draft.sources[0]]
            name = f"{base} · {entry.layer_name or draft.op.lower()}"
        else:
            if scope:
                base = scope
            elif kind is None:
                base = draft.op.lower()
            elif kind == "flatten":
                base = kind
            else:
                base = f"{kind}{counts[kind]}"
            name = base
        unique, n = name, next_number.get(name, 2)
        while unique in taken:  # every number below n is taken already (names stay taken)
            unique, n = f"{name} {n}", n + 1
        next_number[name] = n
        bases.append(base)
        names.append(unique)
        taken.add(unique)
    return names
