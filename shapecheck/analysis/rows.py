"""The rows of a model's summary, made as a run goes: each layer with what it costs, each block
(a module of the user's class, a Sequential) with the totals of the rows under it, and the
operations in forward that a reader needs to see where a size comes from: torch.cat and stack, a
residual ``+`` of two tensors, a call that changes the shape, and one that multiplies (matmul).
The costs are rules/cost.py's, on the shapes the run saw."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, Sequence

from ..results import BLOCK, LAYER, OPERATION, LayerReport, PerBatch, total
from ..rules import shapes as S
from ..rules import tensor_ops
from ..rules.cost import concrete, elements, no_macs, per_batch
from ..rules.layers import Given
from ..rules.shapes import Tensor

JOINS = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack"})


def layer_figures(rule, args, x_shape, out, given=None) -> tuple:
    """(MACs, output elements) of a layer that received ``x_shape`` (and forward's other arguments
    ``given``, bound to their names, tensors as ``Given``) and gave ``out`` (a shape, or nested
    ``Outputs``); each None where it cannot be known."""
    if out is None or x_shape is None:
        return None, None

    def count(batch: int) -> Optional[int]:
        x, y = concrete(x_shape, batch), concrete_outputs(out, batch)
        if rule.macs is None or x is None or y is None:
            return None
        return rule.count_macs(x, y, args, _concrete_given(given, batch))

    return per_batch(count), per_batch(lambda batch: elements(concrete_outputs(out, batch)))


def _concrete_given(given, batch: int):
    """Forward's other arguments with each tensor's shape at ``batch`` (None where not known)."""
    if given is None:
        return None
    return {k: concrete(v.shape, batch) if isinstance(v, Given) else v for k, v in given.items()}


def concrete_outputs(out, batch: int):
    """A shape, or a tuple of them nested (an LSTM's ``(out, (h, c))``), at ``batch``."""
    if out is None:
        return None
    if out and all(isinstance(item, tuple) or item is None for item in out):
        parts = tuple(concrete_outputs(item, batch) for item in out)
        return None if any(p is None for p in parts) else parts
    return concrete(out, batch)


def close_block(row: LayerReport, under: Sequence[LayerReport], output, params: Optional[int]) -> LayerReport:
    """A block's row once its forward has run: its output, its parameters, and the totals of the
    layers and operations under it."""
    leaves = [r for r in under if r.role != BLOCK]
    return replace(row, output_shape=plain_shape(first_shape(output)), params=params, outputs=whole(output),
                   macs=total(r.macs for r in leaves) if leaves else (0, 0),
                   activations=total(r.activations for r in leaves if r.role == LAYER))


def operation_row(kind: str, text: str, line: int, name: str, depth: int, inputs: Sequence, result,
                  call=None) -> Optional[LayerReport]:
    """The row of an operation in forward, or None for one the reader does not need (a shape kept,
    no multiply-accumulate).  ``call``: its rule, arguments (the receiver first for a method) and
    keywords."""
    rule, args, kwargs = call if call is not None else (None, inputs, {})
    if not isinstance(result, Tensor) or result.shape is None or not any(map(_holds_tensor, args)):
        return None  # torch.zeros(...) makes a tensor: no operation on one
    costly = getattr(rule, "macs", no_macs) is not no_macs
    first = args[0] if args else None
    changes = not isinstance(first, Tensor) or first.shape != result.shape
    residual = kind == "+" and sum(isinstance(v, Tensor) for v in args) == 2
    if not (costly or changes or residual or kind.rsplit(".", 1)[-1] in JOINS):
        return None
    macs: PerBatch = per_batch(lambda batch: tensor_ops.macs(rule, args, kwargs, result, batch)) if costly else (0, 0)
    return LayerReport(name, kind, line, text, plain_shape(result.shape), None, role=OPERATION, depth=depth,
                       macs=macs)


def _holds_tensor(value) -> bool:
    return isinstance(value, Tensor) or isinstance(value, (tuple, list)) and any(map(_holds_tensor, value))


def first_shape(output):
    """The shape standing for an output: the tensor's, or the first tensor's of a tuple or dict."""
    if isinstance(output, Tensor):
        return output.shape
    items = list(output.values()) if isinstance(output, dict) else output if isinstance(output, (tuple, list)) else []
    return next((v.shape for v in items if isinstance(v, Tensor)), None)


def whole(output):
    """A tuple or dict output as plain shapes (None for a tensor whose shape is not known);
    None for one tensor or anything else."""
    if isinstance(output, dict) and any(isinstance(v, Tensor) for v in output.values()):
        return {str(k): _plain_item(v) for k, v in output.items()}
    if isinstance(output, (tuple, list)) and any(isinstance(v, (Tensor, tuple, list)) for v in output):
        return tuple(_plain_item(v) for v in output)
    return None


def _plain_item(value):
    if isinstance(value, Tensor):
        return plain_shape(value.shape)
    if isinstance(value, (tuple, list, dict)):
        return whole(value)
    return None


def plain_shape(shape) -> Optional[tuple]:
    if shape is None:
        return None
    return tuple(d if S.is_int(d) else S.render_grouped(d) for d in shape)


def block_row(name: str, kind: str, line: int, text: str, depth: int) -> LayerReport:
    """The row of a block whose forward is about to run: filled by ``close_block``."""
    return LayerReport(name, kind, line, text, None, None, role=BLOCK, depth=depth)
