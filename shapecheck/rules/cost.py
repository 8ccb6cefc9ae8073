"""What a forward pass costs, computed from the shapes: multiply-accumulates (MACs) and the memory of
parameters and activations, for a batch size given at the end (``--batch``) and a dtype (``--dtype``).

MACs follow fvcore's conventions (``fvcore.nn.FlopCountAnalysis``, which counts one "flop" per
multiply-accumulate), bias additions not counted:

- convolution: output elements × in_channels/groups × kernel elements; transposed convolution:
  input elements × out_channels/groups × kernel elements;
- Linear, F.linear, matmul, ``@``, mm, bmm, mv, dot: output elements × the inner size (Linear: in×out
  per row); Bilinear: in1 × in2 × out per row; outer: one per output element;
- recurrent layers: per step, layer and direction, gates × hidden × (input + hidden) (+ hidden × proj
  for a projecting LSTM), the matrix products torch runs;
- BatchNorm (eval, as the summary runs): one per element, two with affine; LayerNorm, GroupNorm and
  InstanceNorm: four per element, five with affine;
- adaptive average pooling: one per input element; Upsample and F.interpolate: one per output element
  for nearest, 2 linear, 4 bilinear, 8 trilinear, 16 bicubic (fvcore's are nearest 1 and bilinear 4),
  one per input element for area;
- activations, dropout, max and average pooling, padding, reshaping, softmax, element-wise arithmetic
  (the residual ``+``), torch.cat: none (fvcore ignores them);
- a kind with no count declared beside its rule (LocalResponseNorm, Embedding's lookup is declared 0):
  not known, so the model's total is ``?`` rather than a partial sum.

Memory: parameters × the dtype's size, the input, and the activations: the outputs of every layer
(leaf module), each kept for the backward pass, as torchinfo's forward pass size (without its
doubling for gradients); buffers (running statistics) are not counted.

Every figure is linear in the batch: a rule's count is taken at batch 1, 2 and 3 and kept as
(fixed, per sample) when the three agree; a size other than the batch that is a symbol makes it not
known.
"""

from __future__ import annotations

from math import prod
from typing import Callable, Optional, Sequence, Tuple

from . import shapes as S
from ..ir import NotKnown
from ..results import PerBatch

BYTES = {"float32": 4, "float": 4, "float64": 8, "double": 8, "float16": 2, "half": 2, "bfloat16": 2,
         "int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8, "float8_e4m3fn": 1, "float8_e5m2": 1}
DEFAULT_BATCH = 1
DEFAULT_DTYPE = "float32"
INTERPOLATION = {"nearest": 1, "nearest-exact": 1, "linear": 2, "bilinear": 4, "trilinear": 8, "bicubic": 16}


def concrete(shape, batch: int) -> Optional[Tuple[int, ...]]:
    """A symbolic shape at ``batch`` (B = batch); None where another size is not a number."""
    if shape is None:
        return None
    try:
        return tuple(S.evaluate(d, {S.BATCH: batch}) for d in shape)
    except (NotKnown, KeyError, TypeError, AttributeError, ZeroDivisionError):
        return None


def per_batch(count: Callable[[int], Optional[int]]) -> PerBatch:
    """``count(batch)`` as (fixed, per sample), from batches 1, 2 and 3; None where it is not known
    there or not linear in the batch."""
    values = []
    for batch in (1, 2, 3):
        try:
            value = count(batch)
        except (NotKnown, ZeroDivisionError):
            return None
        if value is None:
            return None
        values.append(value)
    step = values[1] - values[0]
    if values[2] - values[1] != step:
        return None
    return values[0] - step, step


def elements(shapes: Sequence) -> Optional[int]:
    """The elements of the tensors of an output: a shape, or nested tuples / dicts of them."""
    if shapes is None:
        return None
    if isinstance(shapes, dict):
        shapes = tuple(shapes.values())
    if shapes and all(S.is_int(d) for d in shapes):
        return prod(shapes)
    if shapes == ():
        return 1
    parts = [elements(s) for s in shapes]
    return None if any(p is None for p in parts) else sum(parts)


def shape_per_batch(shape) -> PerBatch:
    """The elements of a plain shape (ints and the string "B") as a per-batch figure."""
    if shape is None:
        return None
    return per_batch(lambda b: prod(b if d == S.BATCH else d for d in shape) if all(
        S.is_int(d) or d == S.BATCH for d in shape) else None)


def matrix_product(inputs: Sequence, out: Tuple[int, ...]) -> int:
    """Output elements × the inner size (the left operand's last dim)."""
    return prod(out) * inputs[0][-1]


def no_macs(*_) -> int:
    """No multiply-accumulate counted for this kind (fvcore ignores it)."""
    return 0


def size_of(dtype: str) -> int:
    """The bytes of one element of ``dtype`` ("float32", "torch.float16", "bf16" is not a name)."""
    return BYTES[dtype.removeprefix("torch.")]
