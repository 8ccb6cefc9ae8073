"""Where a tensor's sizes come from, so that a message can say it in the user's terms: the
expression each width was built with (``ngf * 2``, the out_channels of the layer before), and the
layers that changed the spatial size on the way (the three ``MaxPool2d(2)`` before a Linear).

A ``Made`` travels with a ``Tensor`` (its ``made`` field) from layer to layer; it is only ever
read for messages, never for shapes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Dict, Optional, Tuple

from ..rules import shapes as S

Scope = Tuple[Tuple[str, int], ...]  # the integers named where an expression is written
# one width as the user wrote it: (text, scope) at the layer, then at each call that passed it down
Spelling = Tuple[Tuple[str, Scope], ...]


@dataclass(frozen=True)
class Step:
    """A layer (or a function such as F.max_pool2d) that changed the spatial size it received."""

    text: str  # as written, on one line: "nn.MaxPool2d(2)"
    kind: str  # "MaxPool2d", "max_pool2d"
    line: int
    place: str  # "line 7", or "blocks.py:7"
    layer: object = None  # the Layer, where it is one: what lets a change to it be tried
    before: tuple = ()  # the spatial sizes in and out
    after: tuple = ()


@dataclass(frozen=True)
class Made:
    """What is known of how a tensor's sizes were made.  ``widths`` is aligned with the shape it
    was flattened from, where it was flattened, else with its shape."""

    widths: Tuple[Optional[Spelling], ...] = ()
    steps: Tuple[Step, ...] = ()


NOTHING = Made()


def carried(before: Optional[Made], x_shape: tuple, x_flat_from, out: tuple, flat_from, step: Optional[Step]) -> Made:
    """The ``Made`` of ``out``, an operation's result on a tensor of ``x_shape``: the widths that
    stay where they were, and the steps so far, with ``step`` where the spatial size changed."""
    made = before or NOTHING
    if flat_from is not None and (flat_from is x_shape or flat_from is x_flat_from):
        return made  # flattened (or still flat): aligned with what was flattened
    if x_flat_from is not None or len(out) != len(x_shape):
        return NOTHING
    widths = tuple(w if i < len(made.widths) and out[i] == x_shape[i] else None
                   for i, w in enumerate(made.widths[:len(out)])) if made.widths else ()
    if out[2:] == x_shape[2:] or len(out) < 3:
        return Made(widths, made.steps)
    steps = made.steps + (replace(step, before=tuple(x_shape[2:]), after=tuple(out[2:])),) if step else ()
    return Made(widths, steps)


def with_width(made: Optional[Made], rank: int, axis: int, spelling: Spelling) -> Made:
    """``made`` with the width at ``axis`` (of a tensor of ``rank``) spelled as ``spelling``."""
    made = made or NOTHING
    widths = list(made.widths[:rank]) + [None] * (rank - len(made.widths))
    widths[axis] = spelling
    return Made(tuple(widths), made.steps)


def spelled(made: Optional[Made], flat_from, shape: tuple, axis: int, needed: int, scope: Scope) -> str:
    """The user's expression for ``needed``, the size at ``axis`` of ``shape``, valid in ``scope``;
    for a flattened width, the channels' expression times the spatial sizes (``ngf * 4 * 8 * 8``).
    "" where the user wrote no expression that gives it."""
    if made is None or not made.widths:
        return ""
    if flat_from is not None and axis in (-1, len(shape) - 1) and len(flat_from) > 2:
        rest = flat_from[2:]
        channels = made.widths[1] if len(made.widths) > 1 else None
        if not all(S.is_int(d) for d in rest) or not S.is_int(flat_from[1]):
            return ""
        text = in_scope(channels, scope, flat_from[1])
        if not text or flat_from[1] * S.product(rest) != needed:
            return ""
        text = f"({text})" if any(op in text for op in "+-") else text
        return " * ".join([text] + [str(d) for d in rest])
    width = made.widths[axis] if -len(made.widths) <= axis < len(made.widths) else None
    return in_scope(width, scope, needed)


def in_scope(spelling: Optional[Spelling], scope: Scope, needed: int) -> str:
    """The first way the width was written, from the layer outwards, that uses a name and gives
    ``needed`` with the values ``scope`` has."""
    values = dict(scope)
    for text, _ in spelling or ():
        if value_of(text, values) == needed and any(isinstance(n, ast.Name) for n in ast.walk(_parsed(text))):
            return text
    return ""


def value_of(text: str, values: Dict[str, int]) -> Optional[int]:
    """The integer an arithmetic expression of names and numbers has; None for anything else."""
    try:
        return _evaluate(_parsed(text), values)
    except (KeyError, ZeroDivisionError, TypeError):
        return None


def _parsed(text: str) -> ast.AST:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return ast.Constant(None)


_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
              ast.FloorDiv: lambda a, b: a // b}


def _evaluate(node: ast.AST, values: Dict[str, int]) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return values[f"{node.value.id}.{node.attr}"]  # self.in_planes
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    raise TypeError(type(node).__name__)
