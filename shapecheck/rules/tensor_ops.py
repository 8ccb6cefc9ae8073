"""Shape rules for the functions and tensor methods that ``forward`` bodies and scripts call.

The propagator calls ``call_function("torch.flatten", (x, 1), {})``, ``call_method("view", x,
(B, -1), {})``, ``binary("+", a, b)`` and ``getitem(x, index)`` with abstract values:
``shapes.Tensor`` for tensors and numpy arrays, ints and ``Dim``s for sizes, floats, strings,
bools, None, tuples and lists of those, and ``ir.UNKNOWN``.  A rule returns the abstract result:
a ``Tensor``, a dim, a tuple of dims (``x.size()``), a tuple of Tensors (``x.max(dim)``).

- a definite bug raises ``ShapeError`` (SHP103 rank and dim, SHP104 empty output, SHP105
  view/reshape, SHP107 argument, SHP108 operands that do not fit);
- a result that cannot be known raises ``NotKnown``: an unknown argument, arguments that
  do not bind to the signature, an overload not modelled.  A tensor of unknown rank gives a
  Tensor of unknown rank (``Tensor(None)``) where the result is one tensor, NotKnown otherwise;
- a name in no table raises ``KeyError``: the caller marks the value unknown.

Attributes are zero-argument methods: ``x.shape`` is ``call_method("size", x, (), {})`` (or
``"shape"``), ``x.T``, ``x.mT``, ``x.ndim``; for numpy arrays (``numpy=True``) ``X.shape``,
``X.T``, ``X.ndim`` and ``X.size`` (the element count).

Each rule is a small pure function with the PyTorch or numpy signature, registered under its
qualified names (``torch.nn.functional.relu``; ``F.`` and ``np.`` are accepted as prefixes) and
method names; adding an op touches one place.
"""

from __future__ import annotations

import ast
import inspect
import math
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Dict, Optional, Sequence, Tuple

from . import shapes as S
from .cost import INTERPOLATION, concrete, matrix_product, no_macs
from ..diagnostics import Code
from ..ir import UNKNOWN, Arg, NotKnown, ShapeError
from .layers import LAYER_RULES, flatten_shape
from .shapes import Dimension, Tensor

FUNCTIONS: Dict[str, Callable[..., object]] = {}
METHODS: Dict[str, Callable[..., object]] = {}
NUMPY_METHODS: Dict[str, Callable[..., object]] = {}

_PREFIXES = (("F.", "torch.nn.functional."), ("nn.functional.", "torch.nn.functional."),
             ("np.", "numpy."))


class RankNotKnown(NotKnown):
    """A tensor whose rank is unknown reached a rule."""


def expand_alias(name: str) -> str:
    """``F.relu`` → ``torch.nn.functional.relu``, ``np.zeros`` → ``numpy.zeros``."""
    for short, full in _PREFIXES:
        if name.startswith(short):
            return full + name[len(short):]
    return name


def register(functions: str = "", methods: str = "", numpy: str = "", tensor_result: bool = True, macs=no_macs):
    """Register a rule under qualified function names, tensor method names and numpy array
    method names (each space-separated).  ``tensor_result`` says the rule returns one tensor, so
    an input of unknown rank gives ``Tensor(None)`` rather than NotKnown.  ``macs(out, *args,
    **kwargs)`` counts its multiply-accumulates, the call's tensors and its result given as concrete
    shapes (rules/cost.py); none by default (element-wise arithmetic, reductions, reshaping)."""

    def add(rule):
        rule.tensor_result = tensor_result
        rule.macs = macs
        for name in functions.split():
            FUNCTIONS[expand_alias(name)] = rule
        for name in methods.split():
            METHODS[name] = rule
        for name in numpy.split():
            NUMPY_METHODS[name] = rule
        return rule

    return add


def call_function(qualname: str, args: Sequence, kwargs) -> object:
    """Apply the rule for ``qualname``; KeyError when there is none.  numpy functions return
    tensors marked ``numpy=True``."""
    qualname = expand_alias(qualname)
    result = _apply(FUNCTIONS[qualname], tuple(args), dict(kwargs))
    return _as_numpy(result) if qualname.startswith("numpy.") else result


def call_method(name: str, tensor: object, args: Sequence, kwargs, *, numpy: bool = False) -> object:
    """Apply the rule for ``tensor.name(*args, **kwargs)``; KeyError when there is none.
    ``numpy`` says the receiver is a numpy array (its ``transpose`` takes a permutation, ``max``
    returns values only, ...): the caller passes ``tensor.numpy``."""
    if not numpy:
        return _apply(METHODS[name], (tensor,) + tuple(args), dict(kwargs))
    return _as_numpy(_apply(NUMPY_METHODS[name], (tensor,) + tuple(args), dict(kwargs)))


def macs(rule, args: Sequence, kwargs: dict, result: object, batch: int) -> Optional[int]:
    """The multiply-accumulates of one call of ``rule`` at ``batch``; None where a shape it needs is
    not known."""
    count = getattr(rule, "macs", no_macs)
    if count is no_macs:
        return 0
    out = concrete(result.shape, batch) if isinstance(result, Tensor) else None
    shapes = [concrete(a.shape, batch) if isinstance(a, Tensor) else a for a in args]
    named = {k: concrete(v.shape, batch) if isinstance(v, Tensor) else v for k, v in kwargs.items()}
    tensors = [v for v in list(args) + list(kwargs.values()) if isinstance(v, Tensor)]
    if out is None or any(concrete(t.shape, batch) is None for t in tensors):
        return None
    return count(out, *shapes, **named)


def binary_rule(op: str):
    """The rule of ``a <op> b`` between tensors, for its cost: matmul's for ``@``."""
    return matmul if op == "@" else FUNCTIONS[expand_alias(_BINARY_FUNCTIONS[op].split()[0])] \
        if op in _BINARY_FUNCTIONS else None


def _matrix_macs(out, input, other, *args, **kwargs) -> int:
    """Output elements × the inner size (fvcore's matmul count)."""
    return matrix_product((input,), out)


def _as_numpy(result: object) -> object:
    if isinstance(result, Tensor):
        return replace(result, numpy=True)
    if isinstance(result, tuple) and result and all(isinstance(r, Tensor) for r in result):
        return tuple(replace(r, numpy=True) for r in result)
    return result


@lru_cache(maxsize=None)
def _signature(rule) -> inspect.Signature:
    return inspect.signature(rule)


@lru_cache(maxsize=None)
def _positional_range(rule) -> Optional[Tuple[int, float]]:
    """How many positional arguments the rule takes when given no keywords (at least, at most);
    None when a keyword-only parameter is required, so that positional arguments never fit."""
    fewest, most = 0, 0.0
    for parameter in _signature(rule).parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            most += 1
            fewest += parameter.default is parameter.empty
        elif parameter.kind is parameter.VAR_POSITIONAL:
            most = float("inf")
        elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            return None
    return fewest, most


def _fits(rule, args: tuple, kwargs: dict) -> bool:
    """Whether the call's arguments bind to the rule's parameters (counted when there are no
    keywords, the common case; Signature.bind otherwise)."""
    if not kwargs:
        positional = _positional_range(rule)
        return positional is not None and positional[0] <= len(args) <= positional[1]
    try:
        _signature(rule).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _apply(rule, args: tuple, kwargs: dict) -> object:
    if not _fits(rule, args, kwargs):
        raise NotKnown(f"arguments do not fit {rule.__name__}")
    try:
        return rule(*args, **kwargs)
    except RankNotKnown:
        if rule.tensor_result:
            return Tensor(None)
        raise


# --- values -------------------------------------------------------------------------------------


def _shape(value: object) -> Tuple[Dimension, ...]:
    if isinstance(value, Tensor):
        if value.shape is None:
            raise RankNotKnown("rank")
        return tuple(value.shape)
    raise NotKnown("not a tensor")


def _is_size(value: object) -> bool:
    return S.is_int(value) or isinstance(value, S.Dim)


def _size(value: object) -> Dimension:
    if value is UNKNOWN:
        return S.unknown()
    if _is_size(value):
        return value
    raise NotKnown("size")


def _int(value: object) -> int:
    if not S.is_int(value):
        raise NotKnown("integer argument")
    return value


def _ints(values: Sequence) -> Tuple[int, ...]:
    """f(0, 2, 1) and f((0, 2, 1)) alike."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = values[0]
    return tuple(_int(v) for v in values)


def _sizes(values: Sequence) -> Tuple[Dimension, ...]:
    """view(2, 3), view((2, 3)) and view(x.size()) alike; a single unknown may be a whole shape."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = values[0]
    elif len(values) == 1 and values[0] is UNKNOWN:
        raise RankNotKnown("shape")
    return tuple(_size(v) for v in values)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dims_text(dims: Sequence) -> str:
    return ", ".join(S.render(d) for d in dims)


def _axis(d: object, x: Tuple, op: str, extra: int = 0) -> int:
    """Dim ``d`` of ``x`` as 0..rank-1 (``extra=1``: 0..rank, an insertion point); a scalar
    takes -1 and 0, as in torch."""
    d = _int(d)
    rank = len(x) + extra
    lo, hi = (-rank, rank - 1) if rank else (-1, 0)
    if not lo <= d <= hi:
        raise ShapeError(Code.WRONG_RANK, f"{op}: dim {d} is out of range for the {len(x)}-D input "
                                   f"{S.render_shape(x)} (expected {lo} to {hi})")
    return d % rank if rank else 0


def _axes(dims: object, x: Tuple, op: str) -> Tuple[int, ...]:
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    axes = tuple(_axis(d, x, op) for d in dims)
    if len(set(axes)) != len(axes):
        raise ShapeError(Code.WRONG_RANK, f"{op}: dim {_dims_text(dims)} names a dim twice")
    return axes


def _numel(x: Tuple) -> Dimension:
    return S.product(x)


# --- element-wise and shape-preserving ------------------------------------------------------------

_ELEMENTWISE_FUNCTIONS = (
    "torch.relu torch.relu_ torch.sigmoid torch.tanh torch.exp torch.log torch.abs torch.neg "
    "torch.sqrt torch.rsqrt torch.sin torch.cos torch.sign torch.floor torch.ceil torch.round "
    "torch.square torch.log1p torch.expm1 torch.reciprocal torch.erf torch.isnan torch.isinf "
    "torch.logical_not torch.nan_to_num torch.sigmoid_ torch.clone torch.detach torch.selu "
    "torch.celu torch.rrelu torch.bernoulli torch.angle torch.real torch.trunc torch.frac "
    "F.relu F.relu_ F.relu6 F.leaky_relu F.leaky_relu_ F.elu F.elu_ F.selu F.celu F.gelu F.silu "
    "F.mish F.sigmoid F.tanh F.hardswish F.hardsigmoid F.hardtanh F.hardtanh_ F.softplus "
    "F.softsign F.tanhshrink F.logsigmoid F.hardshrink F.softshrink F.rrelu F.threshold")
_ELEMENTWISE_METHODS = (
    "relu relu_ sigmoid sigmoid_ tanh tanh_ exp exp_ log log_ abs abs_ neg neg_ sqrt sqrt_ rsqrt sin "
    "cos sign floor ceil round square log1p expm1 reciprocal erf isnan isinf logical_not "
    "nan_to_num float double half bfloat16 long int short bool byte char to cuda cpu contiguous "
    "clone detach detach_ requires_grad_ type_as pin_memory share_memory_ zero_ fill_ normal_ "
    "uniform_ random_ bernoulli bernoulli_ exponential_ fill_diagonal_ sigmoid trunc frac "
    "retain_grad copy_")


@register(_ELEMENTWISE_FUNCTIONS, _ELEMENTWISE_METHODS, "copy astype round clip")
def elementwise(input, *args, **options):
    """out = input: the op works element by element (or only changes dtype or device)."""
    return Tensor(_shape(input))


@register(methods="numpy")
def as_numpy(input, *args, **options):
    """x.numpy(): the same shape, as a numpy array (its methods, its negative slice steps)."""
    return Tensor(_shape(input), numpy=True)


@register("torch.clamp torch.clip", "clamp clamp_ clip clip_")
def clamp(input, min=None, max=None, **options):
    """out = broadcast(input, min, max): tensor bounds broadcast like operands; one is needed."""
    shape = _shape(input)
    if min is None and max is None:
        raise ShapeError(Code.INVALID_ARGUMENT, "clamp needs min or max")
    for bound in (min, max):
        if isinstance(bound, Tensor):
            shape = broadcast_shapes(shape, _shape(bound), "clamp")
    return Tensor(shape)


@register(methods="type")
def type_(input, dtype=None, non_blocking=False, **options):
    """x.type(dtype) keeps the shape; x.type() returns a string, not a tensor."""
    if dtype is None:
        raise NotKnown("x.type() is a string")
    return Tensor(_shape(input))


@register("F.dropout F.alpha_dropout F.feature_alpha_dropout torch.dropout")
def dropout(input, p=0.5, training=True, inplace=False):
    """out = input; p must lie in [0, 1]; dropout1d wants a 2-D or 3-D input."""
    x = _shape(input)
    if _number(p) and not 0 <= p <= 1:
        raise ShapeError(Code.INVALID_ARGUMENT, f"dropout probability p={p} must be between 0 and 1", arg="p")
    return Tensor(x)


_FEATURE_DROPOUT_RANKS = {"dropout1d": (2, 3), "dropout2d": range(2, 99), "dropout3d": range(1, 99)}


def _feature_dropout(name: str):
    def rule(input, p=0.5, training=True, inplace=False):
        x = dropout(input, p).shape
        drops = name == "dropout1d" or training is True and _number(p) and 0 < p < 1
        if drops and len(x) not in _FEATURE_DROPOUT_RANKS[name]:
            raise ShapeError(Code.WRONG_RANK, f"{name} cannot take the {len(x)}-D input {S.render_shape(x)}")
        return Tensor(x)

    rule.__doc__ = (f"out = input; {name} zeroes whole channels, so the input needs a channel dim "
                    f"(checked by dropout2d/3d only when something is dropped).")
    rule.__name__ = name
    return rule


for _name in _FEATURE_DROPOUT_RANKS:
    register(f"F.{_name}")(_feature_dropout(_name))


@register("F.softmax F.log_softmax F.softmin torch.softmax torch.log_softmax torch.cumsum "
          "torch.cumprod torch.argsort",
          "softmax log_softmax cumsum cumsum_ cumprod argsort")
def along_dim(input, dim=None, *args, **options):
    """out = input; ``dim`` must exist (None: softmax's legacy implicit dim)."""
    x = _shape(input)
    if dim is not None:
        _axis(dim, x, "dim")
    return Tensor(x)


@register("F.normalize")
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """out = input, divided by its norm along ``dim``, which must exist."""
    return along_dim(input, dim)


@register("torch.flip", "flip")
def flip(input, *dims):
    """out = input; every dim in ``dims`` must exist, once."""
    x = _shape(input)
    _axes(_ints(dims), x, "flip")
    return Tensor(x)


# --- reductions -----------------------------------------------------------------------------------


def reduced(x: Tuple, dim: object, keepdim: object, op: str) -> Tuple:
    """x without the reduced dims (dim None: all of them), or with them kept as 1."""
    if dim is UNKNOWN or not isinstance(keepdim, bool):
        raise NotKnown("dim")
    if dim is None:
        return tuple(1 for _ in x) if keepdim else ()
    if isinstance(dim, (tuple, list)) and not dim:
        raise NotKnown("an empty dim list")
    axes = _axes(dim, x, op)
    return tuple(1 if i in axes else n for i, n in enumerate(x) if keepdim or i not in axes)


@register("torch.mean torch.sum torch.prod torch.amax torch.amin torch.all torch.any "
          "torch.logsumexp torch.nansum torch.nanmean torch.count_nonzero",
          "mean sum prod amax amin all any logsumexp nansum nanmean count_nonzero")
def reduction(input, dim=None, keepdim=False, *, dtype=None, axis=None, out=None):
    """x with ``dim`` (one dim or a tuple; None: all) removed, or kept as 1 under keepdim."""
    return Tensor(reduced(_shape(input), axis if dim is None else dim, keepdim, "reduction"))


@register("torch.std torch.var", "std var")
def spread(input, dim=None, unbiased=True, keepdim=False, *, correction=None, axis=None, out=None):
    """std/var(dim, unbiased, keepdim): a reduction."""
    return Tensor(reduced(_shape(input), axis if dim is None else dim, keepdim, "std"))


@register("torch.norm", "norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None, out=None):
    """norm(p, dim, keepdim): a reduction."""
    return Tensor(reduced(_shape(input), dim, keepdim, "norm"))


@register("torch.argmax torch.argmin", "argmax argmin")
def argmax(input, dim=None, keepdim=False, *, axis=None, out=None):
    """The index of the extreme: x reduced along ``dim`` (None: all, keepdim gives all ones)."""
    return Tensor(reduced(_shape(input), axis if dim is None else dim, keepdim, "argmax"))


def _pair(x: Tuple) -> Tuple[Tensor, Tensor]:
    return Tensor(x), Tensor(x)


@register("torch.max torch.min", "max min", tensor_result=False)
def extreme(input, dim=None, keepdim=False, *, out=None):
    """max(): a scalar; max(dim, keepdim): (values, indices); max(other): element-wise."""
    if isinstance(dim, Tensor):
        return binary("max", input, dim)
    if dim is None:
        if not isinstance(input, Tensor):
            raise NotKnown("not a tensor")
        return Tensor(())
    try:
        return _pair(reduced(_shape(input), dim, keepdim, "max"))
    except RankNotKnown:
        return Tensor(None), Tensor(None)


@register("torch.median torch.nanmedian", "median nanmedian", tensor_result=False)
def median(input, dim=None, keepdim=False, *, out=None):
    """median(): a scalar; median(dim, keepdim): (values, indices)."""
    return extreme(input, dim, keepdim)


@register("torch.mode", "mode", tensor_result=False)
def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices) along ``dim`` (the last by default)."""
    return extreme(input, dim, keepdim)


@register("torch.sort torch.cummax torch.cummin", "sort cummax cummin", tensor_result=False)
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """(values, indices), both shaped like the input; ``dim`` must exist."""
    try:
        x = _shape(input)
    except RankNotKnown:
        return Tensor(None), Tensor(None)
    _axis(dim, x, "sort")
    return _pair(x)


@register("torch.topk", "topk", tensor_result=False)
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices): the input with size k along ``dim``, which needs at least k entries."""
    try:
        x = _shape(input)
    except RankNotKnown:
        return Tensor(None), Tensor(None)
    d = _axis(dim, x, "topk")
    k = _size(k)
    size = x[d] if x else 1
    if S.is_int(k) and (k < 0 or S.is_int(size) and k > size):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"topk({S.render(k)}) asks for more entries than dim {d} of "
                                   f"{S.render_shape(x)} has", arg="k")
    return _pair(x[:d] + (k,) + x[d + 1:] if x else ())


# --- sizes ----------------------------------------------------------------------------------------


@register(methods="size shape", tensor_result=False)
def size(input, dim=None):
    """x.size(): the dims; x.size(d): one dim."""
    x = _shape(input)
    if dim is None:
        return x
    if not x:
        raise ShapeError(Code.WRONG_RANK, f"size({dim}): a 0-D tensor has no dims")
    return x[_axis(dim, x, "size")]


@register(methods="dim ndimension ndim", numpy="ndim", tensor_result=False)
def rank(input):
    """The number of dims."""
    return len(_shape(input))


@register("torch.numel", "numel nelement", numpy="size", tensor_result=False)
def numel(input):
    """The number of elements: the product of the dims."""
    return _numel(_shape(input))


@register(numpy="shape", tensor_result=False)
def numpy_shape(input):
    """X.shape: the dims."""
    return _shape(input)


# --- reshaping ------------------------------------------------------------------------------------


@register("torch.flatten", "flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """dims start_dim..end_dim merged into their product; a scalar becomes 1-D."""
    x = _shape(input)
    start, end = _int(start_dim), _int(end_dim)
    if not x:
        _axis(start, x, "flatten")
        _axis(end, x, "flatten")
        return Tensor((1,))
    return Tensor(flatten_shape(x, start, end, "flatten"))


@register("torch.ravel numpy.ravel", "ravel", numpy="ravel flatten")
def ravel(input, order="C"):
    """All dims merged into one."""
    return Tensor((_numel(_shape(input)),))


@register("torch.unflatten", "unflatten")
def unflatten(input, dim, sizes):
    """dim ``dim`` split into ``sizes`` (one may be -1), whose product must be its size."""
    return Tensor(apply_layer("Unflatten", _shape(input), {"dim": dim, "unflattened_size": sizes}, "unflatten"))


@register(methods="view reshape")
def view(input, *shape):
    """x.view(*shape): the same elements in ``shape``; one size may be -1, inferred from the
    element count.  SHP105's ``arg`` is the index of the size to change among the sizes."""
    return _reshape_of(input, _sizes(shape), "view")


@register(numpy="reshape")
def np_reshape_method(a, *shape, order="C"):
    """X.reshape(*shape): as view, but numpy takes any negative size for the one inferred."""
    return _reshape_of(a, _numpy_holes(_sizes(shape)), "reshape")


def _numpy_holes(sizes: Tuple) -> Tuple:
    return tuple(-1 if S.is_int(s) and s < 0 else s for s in sizes)


@register("torch.reshape")
def reshape(input, shape):
    """torch.reshape(x, shape): x.reshape(shape)."""
    return _reshape_of(input, _sizes((shape,)), "reshape")


@register("numpy.reshape")
def np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """np.reshape(a, shape): a.reshape(shape)."""
    shape = newshape if shape is None else shape
    if shape is None:
        raise NotKnown("shape")
    return _reshape_of(a, _numpy_holes(_sizes((shape,))), "reshape")


@register(methods="view_as reshape_as")
def view_as(input, other):
    """x.view_as(y): x.view(y.size())."""
    return Tensor(reshaped(_shape(input), _shape(other), "view_as"))


def _reshape_of(input, sizes: Tuple, op: str) -> Tensor:
    """The reshaped tensor; of an input whose rank is unknown, the sizes asked for are still the
    shape (a -1 stays unknown): reshape(-1, 1, 48, 48) of unknown data is B×1×48×48."""
    if isinstance(input, Tensor) and input.shape is None:
        if sum(1 for s in sizes if s == -1) > 1 or not all(S.is_int(s) or isinstance(s, S.Dim) for s in sizes):
            raise RankNotKnown("shape")
        return Tensor(tuple(S.unknown() if s == -1 else s for s in sizes))
    return Tensor(reshaped(_shape(input), sizes, op))


def reshaped(x: Tuple, sizes: Tuple, op: str) -> Tuple:
    """The shape x.view(*sizes) gives: sizes, with a -1 replaced by numel(x) / the others."""
    call = f"{op}({_dims_text(sizes)})"
    for i, s in enumerate(sizes):
        if S.is_int(s) and s < -1:
            raise ShapeError(Code.VIEW_MISMATCH, f"{call}: size {s} is invalid", arg=str(i))
    holes = [i for i, s in enumerate(sizes) if S.is_int(s) and s == -1]
    if len(holes) > 1:
        raise ShapeError(Code.VIEW_MISMATCH, f"{call}: only one size can be -1")
    if not holes:
        _check_count(x, sizes, call)
        return sizes
    i = holes[0]
    known = S.product(s for j, s in enumerate(sizes) if j != i)
    return sizes[:i] + (_inferred(x, sizes, i, known, call),) + sizes[i + 1:]


def _inferred(x: Tuple, sizes: Tuple, i: int, known: Dimension, call: str) -> Dimension:
    """-1 = numel(x) / known.  ``view(-1, N)`` on a batch B×... keeps the batch: N must be the
    elements per sample (or a view merging leading dims, B×T×V → (B·T)×V)."""
    if i == 0 and len(sizes) > 1 and x and _is_batch(x[0]):
        for k in range(1, len(x) + 1):
            if S.same(S.product(x[k:]), known) is True:
                return S.product(x[:k])
        split = S.divide_exact(S.product(x), known)
        if split is not None and S.is_int(S.divide_exact(x[0], split)):
            return split  # a merged batch taken apart: (heads·B)×L×D viewed as (-1, heads, L, D) is B
        per_sample = S.product(x[1:])
        if S.is_int(per_sample) and S.is_int(known):
            raise _per_sample_error(x, sizes, known, call)
    inferred = S.divide_exact(S.product(x), known)
    if inferred is not None:
        return inferred
    total = S.product(x)
    if S.is_int(total) and S.is_int(known):
        raise ShapeError(Code.VIEW_MISMATCH, f"{call} cannot hold the {total} elements of the input "
                                   f"{S.render_shape(x)}: {total} is not a multiple of {known}")
    return S.unknown("view")


def _is_batch(d: Dimension) -> bool:
    return not S.is_int(d) and not S.is_unknown(d)


def _per_sample_error(x: Tuple, sizes: Tuple, expected: int, call: str) -> ShapeError:
    per_sample = S.product(x[1:])
    return ShapeError(Code.VIEW_MISMATCH, f"{call} expects {expected} elements per sample but receives {per_sample}",
                      arg="1" if len(sizes) == 2 else None, value=per_sample,
                      factors=tuple(x[1:]) if len(x) > 2 else (), input=S.render_shape(x))


def _check_count(x: Tuple, sizes: Tuple, call: str) -> None:
    rest_x, rest_sizes = _cancel(x, sizes)
    if not all(S.is_int(d) for d in rest_x + rest_sizes):
        return
    have, want = S.product(rest_x), S.product(rest_sizes)
    if have == want:
        return
    if len(rest_x) < len(x) and len(sizes) == 2 and S.same(sizes[0], x[0]) is True:
        raise _per_sample_error(x, sizes, want, call)
    raise ShapeError(Code.VIEW_MISMATCH, f"{call} needs {S.render(S.product(sizes))} elements but the input "
                               f"{S.render_shape(x)} has {S.render(S.product(x))}")


def _cancel(xs: Tuple, ys: Tuple) -> Tuple[Tuple, Tuple]:
    """Both lists without the symbolic dims they share (each dim is at least 1)."""
    rest = list(ys)
    kept = []
    for d in xs:
        match = next((j for j, e in enumerate(rest) if not S.is_int(d) and S.same(d, e) is True), None)
        if match is None:
            kept.append(d)
        else:
            del rest[match]
    return tuple(kept), tuple(rest)


@register("torch.permute", "permute")
def permute(input, *dims):
    """out[i] = x[dims[i]]; ``dims`` names every dim once."""
    x = _shape(input)
    return Tensor(permuted(x, _ints(dims), "permute"))


def permuted(x: Tuple, dims: Tuple[int, ...], op: str) -> Tuple:
    if len(dims) != len(x):
        raise ShapeError(Code.WRONG_RANK, f"{op}({_dims_text(dims)}) names {len(dims)} dims but the input "
                                   f"{S.render_shape(x)} has {len(x)}")
    return tuple(x[a] for a in _axes(dims, x, op))


@register(methods="transpose transpose_")
def transpose(input, *dims):
    """x.transpose(d0, d1) swaps two dims; with more dims it is numpy's permutation."""
    x = _shape(input)
    if len(dims) > 2:
        return Tensor(permuted(x, _ints(dims), "transpose"))
    if len(dims) != 2:
        raise NotKnown("transpose takes two dims")
    return Tensor(swapped(x, dims[0], dims[1], "transpose"))


@register("torch.transpose torch.swapaxes torch.swapdims numpy.swapaxes", "swapaxes swapdims",
          numpy="swapaxes")
def swap(input, dim0, dim1):
    """x with dims dim0 and dim1 swapped."""
    return Tensor(swapped(_shape(input), dim0, dim1, "transpose"))


def swapped(x: Tuple, d0, d1, op: str) -> Tuple:
    a, b = _axis(d0, x, op), _axis(d1, x, op)
    if not x:
        return x
    out = list(x)
    out[a], out[b] = x[b], x[a]
    return tuple(out)


@register(numpy="transpose")
def np_transpose_method(a, *axes):
    """X.transpose(*axes): a permutation; no axes reverses them."""
    x = _shape(a)
    return Tensor(permuted(x, _ints(axes), "transpose") if axes else x[::-1])


@register("numpy.transpose")
def np_transpose(a, axes=None):
    """np.transpose(a, axes): a permutation; None reverses the dims."""
    x = _shape(a)
    return Tensor(x[::-1] if axes is None else permuted(x, _ints((axes,)), "transpose"))


@register("torch.t", "t t_")
def t(input):
    """x.t(): a 2-D transpose; 0-D and 1-D inputs are returned as they are."""
    x = _shape(input)
    if len(x) > 2:
        raise ShapeError(Code.WRONG_RANK, f"t() expects at most 2 dims but receives {len(x)}-D "
                                   f"{S.render_shape(x)}; use transpose(d0, d1) or permute")
    return Tensor(x[::-1])


@register(methods="T", numpy="T")
def reversed_dims(input):
    """x.T: the dims reversed."""
    return Tensor(_shape(input)[::-1])


@register(methods="mT")
def matrix_transpose(input):
    """x.mT: the last two dims swapped; a 1-D input has none to swap."""
    x = _shape(input)
    if len(x) == 1:
        raise ShapeError(Code.WRONG_RANK, f"mT expects a matrix (or a batch of them) but receives {S.render_shape(x)}")
    if not x:
        return Tensor(x)
    return Tensor(x[:-2] + (x[-1], x[-2]))


@register("torch.unsqueeze", "unsqueeze unsqueeze_")
def unsqueeze(input, dim):
    """A dim of size 1 inserted at ``dim`` (in -rank-1..rank)."""
    x = _shape(input)
    d = _axis(dim, x, "unsqueeze", extra=1)
    return Tensor(x[:d] + (1,) + x[d:])


@register(methods="resize_")
def resize_(input, *sizes, **options):
    """x.resize_(64, 784): x takes the sizes it is given, whatever its number of elements (torch
    grows or cuts the storage)."""
    _shape(input)
    return Tensor(_new_shape(_sizes(sizes), "resize_"))


@register(methods="resize_as_")
def resize_as_(input, other, **options):
    _shape(input)
    return Tensor(_shape(other))


@register("numpy.expand_dims")
def expand_dims(a, axis):
    """np.expand_dims(a, axis): dims of size 1 inserted at each axis of the result."""
    x = _shape(a)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    rank = len(x) + len(axes)
    places = _axes(axes, (1,) * rank, "expand_dims")
    rest = iter(x)
    return Tensor(tuple(1 if i in places else next(rest) for i in range(rank)))


@register("torch.squeeze", "squeeze squeeze_")
def squeeze(input, dim=None):
    """x without its dims of size 1 (only ``dim`` when given); a symbolic dim may be 1, so the
    rank is then unknown."""
    x = _shape(input)
    if dim is None:
        return Tensor(_squeezed(x, range(len(x))))
    axes = _axes(_ints((dim,)), x, "squeeze")
    return Tensor(_squeezed(x, axes) if x else x)


def _squeezed(x: Tuple, axes) -> Tuple:
    if any(not S.is_int(x[a]) for a in axes):
        raise RankNotKnown("a symbolic dim may be 1")
    return tuple(n for i, n in enumerate(x) if i not in axes or n != 1)


@register("numpy.squeeze", numpy="squeeze")
def np_squeeze(a, axis=None):
    """X.squeeze(axis): an axis named must have size 1."""
    x = _shape(a)
    if axis is None:
        return Tensor(_squeezed(x, range(len(x))))
    axes = _axes(axis, x, "squeeze")
    if not x:
        return Tensor(x)
    if any(S.is_int(x[i]) and x[i] != 1 for i in axes):
        raise ShapeError(Code.WRONG_RANK, f"squeeze(axis={axis}): the axis of {S.render_shape(x)} "
                                   f"does not have size 1")
    return Tensor(_squeezed(x, axes))


@register(methods="expand")
def expand(input, *sizes):
    """Dims of size 1 stretched to ``sizes`` (-1 keeps a dim); new dims may lead."""
    return Tensor(expanded(_shape(input), _sizes(sizes), "expand"))


@register(methods="expand_as")
def expand_as(input, other):
    """x.expand(y.size())."""
    return Tensor(expanded(_shape(input), _shape(other), "expand_as"))


def expanded(x: Tuple, sizes: Tuple, op: str) -> Tuple:
    lead = len(sizes) - len(x)
    if lead < 0:
        raise ShapeError(Code.WRONG_RANK, f"{op}({_dims_text(sizes)}) names fewer dims than the input "
                                   f"{S.render_shape(x)} has")
    out = list(sizes[:lead])
    if any(S.is_int(s) and s < 0 for s in out):
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{op}({_dims_text(sizes)}): -1 cannot stand for a new dim")
    for have, want in zip(x, sizes[lead:]):
        if S.is_int(want) and want == -1:
            out.append(have)
        elif S.is_int(want) and want < -1 or S.is_int(have) and have != 1 and S.same(have, want) is False:
            raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{op}({_dims_text(sizes)}) cannot stretch the input "
                                       f"{S.render_shape(x)}: only dims of size 1 expand")
        else:
            out.append(want)
    return tuple(out)


@register(methods="repeat")
def repeat(input, *repeats):
    """out = leading repeats + x[i] · repeats[i]; at least one repeat per dim."""
    x = _shape(input)
    counts = _sizes(repeats)
    lead = len(counts) - len(x)
    if lead < 0:
        raise ShapeError(Code.WRONG_RANK, f"repeat({_dims_text(counts)}) needs a count for each of the "
                                   f"{len(x)} dims of {S.render_shape(x)}")
    if any(S.is_int(c) and c < 0 for c in counts):
        raise ShapeError(Code.INVALID_ARGUMENT, f"repeat({_dims_text(counts)}): counts must not be negative")
    return Tensor(tuple(counts[:lead]) + tuple(S.mul(n, c) for n, c in zip(x, counts[lead:])))


@register("torch.split", "split", tensor_result=False)
def split(input, split_size_or_sections, dim=0):
    """Pieces along ``dim``: of size k (the last smaller), or of the listed sizes, which must
    add up to the dim."""
    x = _shape(input)
    d = _axis(dim, x, "split")
    n = x[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sections = tuple(_size(s) for s in split_size_or_sections)
        if S.is_int(n) and all(S.is_int(s) for s in sections) and sum(sections) != n:
            raise ShapeError(Code.VIEW_MISMATCH, f"split({list(sections)}) sizes add up to {sum(sections)} but "
                                       f"dim {d} of {S.render_shape(x)} is {n}")
    else:
        k = _int(split_size_or_sections)
        if not S.is_int(n) or k <= 0:
            raise NotKnown("split")
        sections = (k,) * (n // k) + ((n % k,) if n % k else ())
    return tuple(Tensor(x[:d] + (s,) + x[d + 1:]) for s in sections)


@register("torch.chunk", "chunk", tensor_result=False)
def chunk(input, chunks, dim=0):
    """Pieces of ⌈n/chunks⌉ along ``dim`` (the last smaller; maybe fewer pieces)."""
    x = _shape(input)
    d = _axis(dim, x, "chunk")
    if _int(chunks) <= 0:
        raise ShapeError(Code.INVALID_ARGUMENT, f"chunk({chunks}): the number of chunks must be positive")
    if not S.is_int(x[d]) or x[d] == 0:
        raise NotKnown("chunk of a symbolic or empty dim")
    return split(input, -(-x[d] // chunks), d)


@register("torch.unbind", "unbind", tensor_result=False)
def unbind(input, dim=0):
    """x[d] tensors without dim ``dim``."""
    x = _shape(input)
    d = _axis(dim, x, "unbind")
    if not S.is_int(x[d]):
        raise NotKnown("unbind of a symbolic dim")
    return tuple(Tensor(x[:d] + x[d + 1:]) for _ in range(x[d]))


# --- joining --------------------------------------------------------------------------------------


def _tensors(values) -> list:
    if not isinstance(values, (tuple, list)):
        raise NotKnown("not a sequence of tensors")
    return [_shape(v) for v in values]


def _agree(column: Sequence[Dimension], describe: Callable[[], str]) -> Dimension:
    """The dim that equal dims share: an error when two known sizes differ."""
    known = {d for d in column if S.is_int(d)}
    if len(known) > 1:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, describe())
    if known:
        return known.pop()
    return next((d for d in column if not S.is_unknown(d)), column[0])


@register("torch.cat torch.concat torch.concatenate")
def cat(tensors, dim=0, *, axis=None, out=None):
    """Dims equal but ``dim``, whose sizes add up; 1-D empty tensors are skipped (legacy)."""
    given = _tensors(tensors)
    shapes = [s for s in given if s != (0,)] or given[:1]
    return Tensor(concatenated(shapes, dim if axis is None else axis, "torch.cat"))


@register("numpy.concatenate")
def np_concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Dims equal but ``axis``, whose sizes add up; axis None joins the flattened arrays."""
    shapes = _tensors(arrays)
    if axis is None:
        return Tensor((_sum(_numel(s) for s in shapes),))
    return Tensor(concatenated(shapes, axis, "np.concatenate"))


def _sum(dims) -> Dimension:
    total: Dimension = 0
    for d in dims:
        total = S.add(total, d)
    return total


def concatenated(shapes: list, dim: object, op: str) -> Tuple:
    if not shapes:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{op} needs at least one tensor")
    rank = len(shapes[0])
    if rank == 0:
        raise ShapeError(Code.WRONG_RANK, f"{op} cannot join 0-D tensors; use torch.stack")
    d = _axis(dim, shapes[0], op)
    _same_rank(shapes, op)
    out = []
    for i in range(rank):
        column = [s[i] for s in shapes]
        if i == d:
            out.append(_sum(column))
        else:
            out.append(_agree(column, lambda: f"{op} along dim {d} needs the other dims equal, but "
                                              f"dim {i} differs: {_listing(shapes)}"))
    return tuple(out)


def _same_rank(shapes: list, op: str) -> None:
    if len({len(s) for s in shapes}) > 1:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{op} needs tensors of one rank but receives {_listing(shapes)}")


def _listing(shapes: list) -> str:
    return ", ".join(S.render_shape(s) for s in shapes)


@register("torch.stack numpy.stack")
def stack(tensors, dim=0, *, axis=None, out=None, dtype=None, casting="same_kind"):
    """Equal shapes, joined along a new dim ``dim`` of size len(tensors)."""
    shapes = _tensors(tensors)
    if not shapes:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, "stack needs at least one tensor")
    d = _axis(dim if axis is None else axis, shapes[0], "stack", extra=1)
    _same_rank(shapes, "stack")
    common = tuple(_agree([s[i] for s in shapes], lambda: f"stack needs equal shapes but receives "
                                                          f"{_listing(shapes)}")
                   for i in range(len(shapes[0])))
    return Tensor(common[:d] + (len(shapes),) + common[d:])


@register("torch.hstack")
def hstack(tensors, *, out=None):
    """torch.cat along dim 1 (dim 0 for 1-D tensors); 0-D tensors count as 1-D."""
    shapes = [s or (1,) for s in _tensors(tensors)]
    if not shapes:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, "hstack needs at least one tensor")
    return Tensor(concatenated(shapes, 0 if len(shapes[0]) == 1 else 1, "torch.hstack"))


@register("torch.vstack torch.row_stack")
def vstack(tensors, *, out=None):
    """torch.cat along dim 0 after making every tensor at least 2-D (n → 1×n)."""
    shapes = [(1,) * (2 - len(s)) + s if len(s) < 2 else s for s in _tensors(tensors)]
    return Tensor(concatenated(shapes, 0, "torch.vstack"))


# --- binary operations ----------------------------------------------------------------------------

_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "//": "floor-divide",
          "%": "take the remainder of", "**": "raise", "@": "matrix-multiply"}


def broadcast_shapes(a: Tuple, b: Tuple, op: str = "+") -> Tuple:
    """Right-aligned; per dim: equal sizes stay, a size of 1 takes the other size."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (p, q) in enumerate(zip(pa, pb)):
        dim = _broadcast_dim(p, q)
        if dim is None:
            verb = _VERBS.get(op, f"apply {op} to")
            raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"cannot {verb} {S.render_shape(a)} and {S.render_shape(b)}: "
                                       f"dim {i - n} is {S.render(p)} vs {S.render(q)}")
        out.append(dim)
    return tuple(out)


def _broadcast_dim(p: Dimension, q: Dimension) -> Optional[Dimension]:
    """The broadcast size, None when p and q certainly cannot broadcast."""
    if S.is_int(p) and p == 1:
        return q
    if S.is_int(q) and q == 1:
        return p
    if S.is_int(p) and S.is_int(q):
        return p if p == q else None
    if S.same(p, q) is True:
        return p
    if S.is_int(p) or S.is_int(q):
        return p if S.is_int(p) else q  # the symbol must be 1 or this size
    return S.unknown("broadcast")


def _operand(value: object) -> Tuple:
    if isinstance(value, Tensor):
        return _shape(value)
    if _number(value) or isinstance(value, (bool, S.Dim)):
        return ()
    if value is UNKNOWN:
        raise RankNotKnown("operand")
    raise NotKnown("operand")


def binary(op: str, a: object, b: object) -> object:
    """a <op> b.  With a tensor: the broadcast shape (``@``: matmul; an unknown operand may be
    a tensor of any rank).  Between sizes and numbers: the size arithmetic of ``shapes``
    (+ - * //) or plain Python arithmetic."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        return _size_arithmetic(op, a, b)
    numpy = all(v.numpy for v in (a, b) if isinstance(v, Tensor))
    try:
        result = matmul(a, b) if op == "@" else Tensor(broadcast_shapes(_operand(a), _operand(b), op))
    except RankNotKnown:
        result = Tensor(None)
    return replace(result, numpy=True) if numpy else result


_SIZE_OPS = {"+": S.add, "-": S.sub, "*": S.mul, "//": S.floordiv}
_NUMBER_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
               "**": lambda a, b: a ** b}


def _size_arithmetic(op: str, a: object, b: object) -> object:
    if isinstance(a, bool) or isinstance(b, bool):
        raise NotKnown("bool arithmetic")
    if _is_size(a) and _is_size(b) and op in _SIZE_OPS and (op != "//" or b != 0):
        return _SIZE_OPS[op](a, b)
    if _number(a) and _number(b) and op in _NUMBER_OPS:
        try:
            return _NUMBER_OPS[op](a, b)
        except (ZeroDivisionError, OverflowError):
            raise NotKnown("arithmetic") from None
    raise NotKnown("operands")


_BINARY_FUNCTIONS = {
    "+": "torch.add", "-": "torch.sub torch.subtract", "*": "torch.mul torch.multiply",
    "/": "torch.div torch.divide torch.true_divide", "//": "torch.floor_divide",
    "%": "torch.remainder torch.fmod", "**": "torch.pow", "max": "torch.maximum torch.fmax",
    "min": "torch.minimum torch.fmin", "==": "torch.eq", "!=": "torch.ne", "<": "torch.lt",
    "<=": "torch.le", ">": "torch.gt", ">=": "torch.ge", "atan2": "torch.atan2",
    "and": "torch.logical_and", "or": "torch.logical_or", "xor": "torch.logical_xor",
}
_BINARY_METHODS = {
    "+": "add", "-": "sub subtract", "*": "mul multiply", "/": "div divide true_divide",
    "//": "floor_divide", "%": "remainder fmod", "**": "pow", "max": "maximum fmax",
    "min": "minimum fmin", "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
    "atan2": "atan2", "and": "logical_and", "or": "logical_or", "xor": "logical_xor",
}


def _binary_rule(op: str):
    def rule(input, other, *args, alpha=None, rounding_mode=None, out=None):
        return binary(op, input, other)

    rule.__doc__ = f"input {op} other, broadcast."
    rule.__name__ = f"binary_{op}"
    return rule


def _inplace_rule(op: str):
    def rule(input, other, *args, alpha=None, rounding_mode=None):
        return Tensor(_into(_shape(input), other, op))

    rule.__doc__ = f"input {op}= other: other must broadcast to the input's shape."
    rule.__name__ = f"inplace_{op}"
    return rule


def _into(x: Tuple, other: object, op: str) -> Tuple:
    """x, after checking that ``other`` broadcasts to x's shape (in-place ops, masks)."""
    out = broadcast_shapes(x, _operand(other), op)
    if len(out) != len(x) or any(S.same(p, q) is False for p, q in zip(out, x)):
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"in-place {op} cannot write the broadcast shape "
                                   f"{S.render_shape(out)} into {S.render_shape(x)}")
    return x


for _op, _names in _BINARY_FUNCTIONS.items():
    register(_names, _BINARY_METHODS[_op])(_binary_rule(_op))
    register(methods=" ".join(f"{m}_" for m in _BINARY_METHODS[_op].split()))(_inplace_rule(_op))


@register(methods="masked_fill")
def masked_fill(input, mask, value):
    """out = broadcast(input, mask)."""
    return binary("masked_fill", input, mask)


@register(methods="masked_fill_")
def masked_fill_(input, mask, value):
    """out = input; the mask must broadcast to the input's shape."""
    return Tensor(_into(_shape(input), mask, "masked_fill_"))


@register("torch.where")
def where(condition, input=None, other=None, *, out=None):
    """where(cond, x, y): the three broadcast; where(cond) gives index tensors (not modelled)."""
    if input is None or other is None:
        raise NotKnown("where(condition) returns indices")
    try:
        shape = broadcast_shapes(_operand(condition), _operand(input), "where")
        return Tensor(broadcast_shapes(shape, _operand(other), "where"))
    except RankNotKnown:
        return Tensor(None)


@register("torch.matmul", "matmul", macs=_matrix_macs)
def matmul(input, other, *, out=None):
    """(…, n, m) @ (…, m, p) → (…, n, p), batch dims broadcast; a 1-D operand gains a dim of 1
    (before for the left, after for the right) which is dropped from the result."""
    try:
        x, y = _shape(input), _shape(other)
    except RankNotKnown:
        return Tensor(None)
    if not x or not y:
        raise ShapeError(Code.WRONG_RANK, f"matmul needs operands of at least 1 dim but receives "
                                   f"{S.render_shape(x)} and {S.render_shape(y)}")
    xm = (1,) + x if len(x) == 1 else x
    ym = y + (1,) if len(y) == 1 else y
    _check_inner(xm[-1], ym[-2], x, y, "@")
    batch = broadcast_shapes(xm[:-2], ym[:-2], "@")
    rows = (xm[-2],) if len(x) > 1 else ()
    columns = (ym[-1],) if len(y) > 1 else ()
    return Tensor(batch + rows + columns)


def _check_inner(m: Dimension, k: Dimension, x: Tuple, y: Tuple, op: str) -> None:
    if S.same(m, k) is False:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"cannot matrix-multiply {S.render_shape(x)} by "
                                   f"{S.render_shape(y)}: {S.render(m)} columns vs {S.render(k)} rows")


def _require(x: Tuple, rank: int, op: str) -> None:
    if len(x) != rank:
        raise ShapeError(Code.WRONG_RANK, f"{op} expects {rank}-D operands but receives {len(x)}-D "
                                   f"{S.render_shape(x)}")


@register("torch.mm", "mm", macs=_matrix_macs)
def mm(input, mat2, *, out=None):
    """(n, m) @ (m, p) → (n, p), 2-D only."""
    x, y = _shape(input), _shape(mat2)
    _require(x, 2, "mm")
    _require(y, 2, "mm")
    _check_inner(x[1], y[0], x, y, "mm")
    return Tensor((x[0], y[1]))


@register("torch.bmm", "bmm", macs=_matrix_macs)
def bmm(input, mat2, *, out=None):
    """(b, n, m) @ (b, m, p) → (b, n, p), 3-D only, equal batches (no broadcasting)."""
    x, y = _shape(input), _shape(mat2)
    _require(x, 3, "bmm")
    _require(y, 3, "bmm")
    _check_inner(x[2], y[1], x, y, "bmm")
    batch = _agree([x[0], y[0]], lambda: f"bmm needs equal batches but receives "
                                         f"{S.render_shape(x)} and {S.render_shape(y)}")
    return Tensor((batch, x[1], y[2]))


@register("torch.mv", "mv", macs=_matrix_macs)
def mv(input, vec, *, out=None):
    """(n, m) @ (m,) → (n,)."""
    x, y = _shape(input), _shape(vec)
    _require(x, 2, "mv")
    _require(y, 1, "mv")
    _check_inner(x[1], y[0], x, y, "mv")
    return Tensor((x[0],))


@register("torch.dot torch.inner", "dot", macs=_matrix_macs)
def dot(input, other, *, out=None):
    """(n,) · (n,) → a scalar."""
    x, y = _shape(input), _shape(other)
    _require(x, 1, "dot")
    _require(y, 1, "dot")
    _check_inner(x[0], y[0], x, y, "dot")
    return Tensor(())


@register("torch.outer torch.ger", "outer ger", macs=lambda out, *args, **kwargs: math.prod(out))
def outer(input, vec2, *, out=None):
    """(n,) ⊗ (m,) → (n, m)."""
    x, y = _shape(input), _shape(vec2)
    _require(x, 1, "outer")
    _require(y, 1, "outer")
    return Tensor((x[0], y[0]))


@register("F.linear", macs=_matrix_macs)
def linear(input, weight, bias=None):
    """x @ weightᵀ: (…, in) with weight (out, in) → (…, out); a 1-D weight (in,) → (…)."""
    x, w = _shape(input), _shape(weight)
    if not x or len(w) not in (1, 2):
        raise NotKnown("linear operands")
    if S.same(x[-1], w[-1]) is False:
        raise ShapeError(Code.LINEAR_IN_FEATURES, f"F.linear expects {S.render(w[-1])} input features but receives "
                                   f"{S.render(x[-1])}", input=S.render_shape(x),
                         arg="weight", value=x[-1] if S.is_int(x[-1]) else None)
    return Tensor(x[:-1] + w[:-1])


# --- indexing -------------------------------------------------------------------------------------


def getitem(tensor: object, index: object, *, numpy: Optional[bool] = None) -> object:
    """x[index] for basic indexing: ints and sizes drop a dim, slices (constant bounds) shorten
    one, None inserts a 1, ``...`` stands for the dims not named.  Tensor and list indices
    (advanced indexing) give a tensor of unknown rank.  ``numpy`` (None: ``tensor.numpy``)
    allows negative steps and marks the result."""
    if numpy is None:
        numpy = isinstance(tensor, Tensor) and tensor.numpy
    result = _indexed(tensor, index, numpy)
    return replace(result, numpy=True) if numpy else result


def _indexed(tensor: object, index: object, numpy: bool) -> Tensor:
    try:
        x = _shape(tensor)
    except RankNotKnown:
        return Tensor(None)
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (Tensor, list, bool)) or i is UNKNOWN or not _basic_index(i) for i in items):
        return Tensor(None)  # advanced indexing, or an index whose kind is not known (a library name)
    if sum(i is Ellipsis for i in items) > 1:
        raise NotKnown("several ellipses")
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    if consumed > len(x):
        raise ShapeError(Code.WRONG_RANK, f"too many indices ({consumed}) for the {len(x)}-D tensor "
                                   f"{S.render_shape(x)}")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items = items[:at] + (slice(None),) * (len(x) - consumed) + items[at + 1:]
    out, dims = [], iter(range(len(x)))
    for item in items:
        if item is None:
            out.append(1)
            continue
        d = next(dims)
        if isinstance(item, slice):
            out.append(_slice_length(x[d], item, d, x, numpy))
        else:
            _check_index(_size(item), x[d], d, x)
    return Tensor(tuple(out) + tuple(x[d] for d in dims))


def _basic_index(item: object) -> bool:
    return item is None or item is Ellipsis or isinstance(item, (int, slice, S.Dim)) or S.is_unknown(item)


def _check_index(i: Dimension, n: Dimension, d: int, x: Tuple) -> None:
    if S.is_int(i) and S.is_int(n) and not -n <= i < n:
        raise ShapeError(Code.WRONG_RANK, f"index {i} is out of range for dim {d} of size {n} "
                                   f"(tensor {S.render_shape(x)})")


def _slice_length(n: Dimension, item: slice, d: int, x: Tuple, numpy: bool) -> Dimension:
    """len(range(n)[item]); for a symbolic n (at least 1) only the lengths that hold for every n."""
    start, stop, step = item.start, item.stop, 1 if item.step is None else item.step
    if not all(v is None or S.is_int(v) for v in (start, stop, step)):
        return S.unknown("slice")
    if step == 0 or step < 0 and not numpy:
        raise ShapeError(Code.INVALID_ARGUMENT, f"slice step {step} must be positive (dim {d} of {S.render_shape(x)})")
    if S.is_int(n):
        return len(range(n)[item])
    if step < 0:
        return S.unknown("slice")
    if stop == 0:
        return 0
    first = start or 0
    last = 0 if stop is None else stop
    if first < 0 or last > 0 or first - last > 1:  # the length could be clamped at 0 or n
        return S.unknown("slice")
    return S.ceildiv(S.add(n, last - first), step)


# --- pooling, resizing and padding --------------------------------------------------------------

_POOLS = {
    "max_pool1d max_pool2d max_pool3d": ("MaxPool", "kernel_size, stride=None, padding=0, dilation=1, "
                                                    "ceil_mode=False, return_indices=False"),
    "avg_pool1d": ("AvgPool", "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"),
    "avg_pool2d avg_pool3d": ("AvgPool", "kernel_size, stride=None, padding=0, ceil_mode=False, "
                                         "count_include_pad=True, divisor_override=None"),
    "adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d": ("AdaptiveAvgPool", "output_size"),
    "adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool3d": ("AdaptiveMaxPool",
                                                                    "output_size, return_indices=False"),
}


def _functional_layer(name: str, kind: str, signature: str):
    """F.<name>(input, ...) computed by the layer rule ``kind`` with the same arguments."""
    parts = [p.partition("=") for p in (p.strip() for p in signature.split(","))]
    names = [n for n, _, _ in parts]
    defaults = {n: ast.literal_eval(d) for n, eq, d in parts if eq}

    def rule(input, *args, **kwargs):
        if len(args) > len(names) or set(kwargs) - set(names):
            raise NotKnown("arguments")
        values = {**defaults, **dict(zip(names, args)), **kwargs}
        if any(n not in values for n in names):
            raise NotKnown("missing argument")
        try:
            out = Tensor(apply_layer(kind, _shape(input), values, f"F.{name}"))
        except RankNotKnown:
            out = Tensor(None)
        return (out, out) if values.get("return_indices") is True else out

    rule.__name__ = name
    rule.__doc__ = f"F.{name}: the {kind} layer rule (see layers.py)."
    return rule


def apply_layer(kind: str, x: Tuple, values: Dict[str, object], display: str) -> Tuple:
    """The layer rule for ``kind`` applied to x, with the layer's arguments; messages name
    ``display`` (the function as written) instead of the layer."""
    rule = LAYER_RULES[kind]
    values = {k: v for k, v in values.items() if k != "return_indices"}
    a = rule.bind((), tuple((k, Arg(v, repr(v))) for k, v in values.items()), display)
    rule.check(a)
    return rule.shape(x, a)


def _input_elements(out, input, *args, **kwargs) -> int:
    """One per input element (fvcore's adaptive average pooling)."""
    return math.prod(input)


for _names, (_kind, _parameters) in _POOLS.items():
    for _name in _names.split():
        _rule = _functional_layer(_name, _kind + _name[-2:], _parameters)
        register(f"F.{_name}", tensor_result=False,
                 macs=_input_elements if _name.startswith("adaptive_avg") else no_macs)(_rule)


_INTERPOLATE_RANKS = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5),
                      "linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}


def _interpolate_macs(out, input, size=None, scale_factor=None, mode="nearest", *args, **kwargs) -> int:
    """Per output element as Upsample (layers.py); area averages each input element once."""
    return math.prod(input) if mode == "area" else math.prod(out) * INTERPOLATION[mode]


@register("F.interpolate F.upsample", macs=_interpolate_macs)
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Spatial dims (all after B×C) become ``size``, or ⌊in · scale_factor⌋ (torch computes in
    double precision); the mode fixes the rank (linear 3-D, bilinear/bicubic 4-D, trilinear 5-D)."""
    x = _shape(input)
    _check_interpolate(x, size, scale_factor, mode, align_corners, antialias)
    n = len(x) - 2
    if size is not None:
        out = _per_dim(size, n, "size", x)
        out = tuple(_size(s) for s in out)
    else:
        scales = _per_dim(scale_factor, n, "scale_factor", x)
        out = tuple(_scaled(d, f) for d, f in zip(x[2:], scales))
    if mode != "area" and any(S.is_int(d) and d < 1 for d in out):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"interpolate output {S.render_shape(out)} from input "
                                   f"{S.render_shape(x)} would be empty")
    return Tensor(x[:2] + out)


def _check_interpolate(x, size, scale_factor, mode, align_corners, antialias) -> None:
    if not isinstance(mode, str) or size is UNKNOWN or scale_factor is UNKNOWN \
            or mode not in _INTERPOLATE_RANKS:
        raise NotKnown("mode")
    if (size is None) == (scale_factor is None):
        raise ShapeError(Code.INVALID_ARGUMENT, "interpolate needs exactly one of size and scale_factor")
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise ShapeError(Code.INVALID_ARGUMENT, f"align_corners cannot be set with mode={mode!r}", arg="align_corners")
    if antialias is True and (mode not in ("bilinear", "bicubic") or len(x) != 4):
        raise ShapeError(Code.INVALID_ARGUMENT, "antialias needs mode 'bilinear' or 'bicubic' and a 4-D input",
                         arg="antialias")
    if len(x) not in _INTERPOLATE_RANKS[mode]:
        wants = " or ".join(f"{r}-D" for r in _INTERPOLATE_RANKS[mode])
        raise ShapeError(Code.WRONG_RANK, f"interpolate mode={mode!r} expects a {wants} input but receives "
                                   f"{len(x)}-D {S.render_shape(x)}")


def _per_dim(value, n: int, name: str, x: Tuple) -> Tuple:
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ShapeError(Code.INVALID_ARGUMENT, f"interpolate {name}={tuple(value)} needs {n} values for the "
                                       f"spatial dims of {S.render_shape(x)}", arg=name)
        return tuple(value)
    return (value,) * n


def _scaled(d: Dimension, factor: object) -> Dimension:
    """⌊d · factor⌋, exact for a symbolic d only when factor is a small binary fraction."""
    if not _number(factor):
        return S.unknown("scale_factor")
    if S.is_int(d):
        return math.floor(float(d) * factor)
    if S.is_unknown(d):
        return d
    exact = Fraction(factor)
    if exact.denominator > 1024 or exact.numerator > 1 << 20 or exact <= 0:
        return S.unknown("scale_factor")
    return S.floordiv(S.mul(d, exact.numerator), exact.denominator)


def _attention_macs(out, query, key, value, *args, **kwargs) -> int:
    """The scores (L·S·E) and the weighted sum (L·S·Ev) for each of the output's leading positions."""
    return math.prod(out[:-1]) * key[-2] * (query[-1] + out[-1])


@register("F.scaled_dot_product_attention", macs=_attention_macs)
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """query (…, L, E), key (…, S, E), value (…, S, Ev) → (…, L, Ev); the leading dims of the three
    broadcast (with enable_gqa, the query's heads (dim -3) a multiple of the key's)."""
    q, k, v = _shape(query), _shape(key), _shape(value)
    if min(len(q), len(k), len(v)) < 2:
        raise ShapeError(Code.WRONG_RANK, f"scaled_dot_product_attention expects query, key and value of at least 2 "
                                          f"dims but receives {S.render_shape(q)}, {S.render_shape(k)}, {S.render_shape(v)}")
    if S.same(k[-2], v[-2]) is False and len(q) == 4:
        raise NotKnown("key and value lengths")  # torch's 4-D CPU kernel reads the key's length of value rows
    if S.same(q[-1], k[-1]) is False or S.same(k[-2], v[-2]) is False:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"scaled_dot_product_attention needs the query's and key's last "
                                                     f"dims equal and the key's and value's lengths equal, but receives "
                                                     f"{S.render_shape(q)}, {S.render_shape(k)}, {S.render_shape(v)}")
    if enable_gqa is not False or len({len(q), len(k), len(v)}) != 1:
        raise NotKnown("grouped or mixed-rank attention")
    lead = broadcast_shapes(broadcast_shapes(q[:-2], k[:-2], "attend"), v[:-2], "attend")
    if attn_mask is not None:
        mask, scores = _shape(attn_mask), lead + (q[-2], k[-2])
        if len(mask) > len(scores) or any(S.same(m, 1) is False and S.same(m, d) is False
                                          for m, d in zip(mask[::-1], scores[::-1])):
            raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"scaled_dot_product_attention's attn_mask "
                                                         f"{S.render_shape(mask)} does not broadcast to the scores "
                                                         f"{S.render_shape(scores)}")
    return Tensor(lead + (q[-2], v[-1]))


def _grid_sample_macs(out, input, grid, mode="bilinear", *args, **kwargs) -> int:
    """Per output element as interpolation: bilinear 4 (8 on a 5-D input), nearest 1, bicubic 16
    (fvcore's grid_sampler counts 4, bilinear assumed)."""
    mode = "trilinear" if mode == "bilinear" and len(out) == 5 else mode
    return math.prod(out) * INTERPOLATION[mode]


@register("F.grid_sample", macs=_grid_sample_macs)
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """input N×C×H×W sampled at grid N×H'×W'×2 gives N×C×H'×W'; 5-D with a grid's last dim of 3
    (bicubic only in 4-D)."""
    x, g = _shape(input), _shape(grid)
    if not isinstance(mode, str) or not isinstance(padding_mode, str):
        raise NotKnown("mode")
    if mode not in ("bilinear", "nearest", "bicubic") or padding_mode not in ("zeros", "border", "reflection"):
        raise ShapeError(Code.INVALID_ARGUMENT, f"grid_sample mode={mode!r}, padding_mode={padding_mode!r}: mode is "
                                                "bilinear, nearest or bicubic, padding_mode zeros, border or reflection")
    if len(x) not in (4, 5) or len(g) != len(x):
        raise ShapeError(Code.WRONG_RANK, f"grid_sample expects a 4-D or 5-D input and a grid of its rank but "
                                          f"receives {S.render_shape(x)} and {S.render_shape(g)}")
    if mode == "bicubic" and len(x) == 5:
        raise ShapeError(Code.INVALID_ARGUMENT, "grid_sample mode='bicubic' takes only 4-D input")
    n = len(x) - 2
    if S.same(g[-1], n) is False:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"grid_sample expects a grid whose last dim is {n} (the "
                                                     f"coordinates) but receives {S.render_shape(g)}")
    if S.same(x[0], g[0]) is False:
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"grid_sample receives an input of batch {S.render(x[0])} "
                                                     f"but a grid of batch {S.render(g[0])}")
    if any(S.is_int(d) and d < 1 for d in x[2:]):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"grid_sample expects a non-empty input but receives "
                                                 f"{S.render_shape(x)}")
    return Tensor(x[:2] + g[1:-1])


@register("F.pad")
def pad(input, pad, mode="constant", value=None):
    """The last dims grow by pad = (left, right, top, bottom, ...), last dim first: n + l + r.
    Constant padding crops for negative pads first, so n plus the negative pads must not be
    negative.  The other modes pad 1 to 3 dims of a (batched) input; reflect and replicate leave at
    least one of the padded dims non-empty (circular may leave none); reflect needs pads below n,
    circular at most n."""
    x = _shape(input)
    widths = _ints((pad,))
    if len(widths) % 2 or len(widths) > 2 * len(x):
        raise ShapeError(Code.INVALID_ARGUMENT, f"pad {widths} needs an even number of values, at most two per "
                                   f"dim of {S.render_shape(x)}", arg="pad")
    if mode != "constant":
        _check_pad_mode(x, widths, mode)
    out = list(x)
    for i in range(len(widths) // 2):
        d, (left, right) = len(x) - 1 - i, widths[2 * i:2 * i + 2]
        out[d] = S.add(x[d], left + right)
        cropped = S.add(x[d], min(left, 0) + min(right, 0)) if mode == "constant" else out[d]
        if S.is_int(out[d]) and out[d] < 0 or S.is_int(cropped) and cropped < 0:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"pad {widths} leaves dim {d} of {S.render_shape(x)} with "
                                       f"{S.render(out[d])} entries", arg="pad")
    padded = out[len(x) - len(widths) // 2:]
    if mode in ("reflect", "replicate") and all(S.is_int(n) and n < 1 for n in padded):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"pad {widths} in mode={mode!r} leaves {S.render_shape(x)} with "
                                   f"no entry in its padded dims ({S.render_shape(tuple(padded))})", arg="pad")
    return Tensor(tuple(out))


def _check_pad_mode(x: Tuple, widths: Tuple[int, ...], mode: str) -> None:
    k = len(widths) // 2
    if mode not in ("reflect", "replicate", "circular"):
        raise NotKnown("pad mode")
    if len(x) not in (k + 1, k + 2) or k not in (1, 2, 3):
        raise ShapeError(Code.WRONG_RANK, f"pad mode={mode!r} with {len(widths)} values expects a "
                                   f"{k + 1}-D or {k + 2}-D input but receives {S.render_shape(x)}")
    for i in range(k):
        n = x[len(x) - 1 - i]
        for w in widths[2 * i:2 * i + 2]:
            if S.is_int(n) and (mode == "reflect" and w >= n or mode == "circular" and w > n):
                raise ShapeError(Code.INVALID_ARGUMENT, f"pad {widths} in mode={mode!r} is too wide for dim "
                                           f"{len(x) - 1 - i} of {S.render_shape(x)}", arg="pad")


@register("F.pixel_shuffle torch.pixel_shuffle")
def pixel_shuffle(input, upscale_factor):
    """(…, C·r², H, W) → (…, C, H·r, W·r)."""
    x = _shape(input)
    r = _int(upscale_factor)
    _require_min_rank(x, 3, "pixel_shuffle")
    _require_positive(r, "pixel_shuffle", "upscale_factor")
    channels = S.divide_exact(x[-3], r * r)
    if channels is None:
        if S.is_int(x[-3]):
            raise ShapeError(Code.CHANNEL_MISMATCH, f"pixel_shuffle({r}) needs channels divisible by {r * r} but "
                                       f"receives {S.render_shape(x)}", arg="upscale_factor")
        channels = S.unknown("channels")
    return Tensor(x[:-3] + (channels, S.mul(x[-2], r), S.mul(x[-1], r)))


@register("F.pixel_unshuffle torch.pixel_unshuffle")
def pixel_unshuffle(input, downscale_factor):
    """(…, C, H·r, W·r) → (…, C·r², H, W)."""
    x = _shape(input)
    r = _int(downscale_factor)
    _require_min_rank(x, 3, "pixel_unshuffle")
    _require_positive(r, "pixel_unshuffle", "downscale_factor")
    spatial = [S.divide_exact(d, r) for d in x[-2:]]
    for d, s in zip(x[-2:], spatial):
        if s is None and S.is_int(d):
            raise ShapeError(Code.INVALID_ARGUMENT, f"pixel_unshuffle({r}) needs height and width divisible by "
                                       f"{r} but receives {S.render_shape(x)}", arg="downscale_factor")
    spatial = [S.unknown("spatial") if s is None else s for s in spatial]
    return Tensor(x[:-3] + (S.mul(x[-3], r * r),) + tuple(spatial))


def _require_positive(value: int, op: str, name: str) -> None:
    if value <= 0:
        raise ShapeError(Code.INVALID_ARGUMENT, f"{op}: {name}={value} must be positive", arg=name)


def _require_min_rank(x: Tuple, rank: int, op: str) -> None:
    if len(x) < rank:
        raise ShapeError(Code.WRONG_RANK, f"{op} expects at least {rank} dims but receives {len(x)}-D "
                                   f"{S.render_shape(x)}")


def _conv_macs(out, input, weight, *args, **kwargs) -> int:
    """Output elements × in_channels/groups × kernel elements: the weight's (out, in/groups, k…)."""
    return math.prod(out) * math.prod(weight[1:])


def _functional_conv(n: int, transposed: bool = False):
    name = f"conv_transpose{n}d" if transposed else f"conv{n}d"

    def rule(input, weight, bias=None, stride=1, padding=0, *rest, **options):
        """F.convNd(x, weight (out, in/groups, k…)): the ConvNd layer rule."""
        x, w = _shape(input), _shape(weight)
        if transposed or len(w) != n + 2 or not all(S.is_int(d) for d in w):
            raise NotKnown("weight")
        names = ("dilation", "groups")
        values = dict(zip(names, rest), **{k: v for k, v in options.items() if k in names})
        groups = values.get("groups", 1)
        layer_args = {"in_channels": w[1] * _int(groups), "out_channels": w[0], "kernel_size": w[2:],
                      "stride": stride, "padding": padding, "dilation": values.get("dilation", 1),
                      "groups": groups}
        return Tensor(apply_layer(f"Conv{n}d", x, layer_args, f"F.{name}"))

    rule.__name__ = name
    return rule


for _n in (1, 2, 3):
    register(f"F.conv{_n}d torch.conv{_n}d", macs=_conv_macs)(_functional_conv(_n))


@register("F.embedding")
def embedding(input, weight, *args, **options):
    """Indices (…) into a weight (num, dim) → (…, dim)."""
    w = _shape(weight)
    if len(w) != 2:
        raise NotKnown("weight")
    return Tensor(_shape(input) + (w[1],))


@register("F.one_hot")
def one_hot(tensor, num_classes=-1):
    """Indices (…) → (…, num_classes); -1 counts the classes from the data (unknown)."""
    x = _shape(tensor)
    classes = _size(num_classes)
    return Tensor(x + (S.unknown("classes") if classes == -1 else classes,))


_LOSSES = ("F.cross_entropy F.nll_loss F.mse_loss F.l1_loss F.smooth_l1_loss F.huber_loss "
           "F.binary_cross_entropy F.binary_cross_entropy_with_logits F.kl_div")


@register(_LOSSES)
def loss(input, target, *args, reduction="mean", **options):
    """A scalar under reduction 'mean' or 'sum' (the shapes a loss accepts are not modelled)."""
    _shape(input)
    if reduction in ("mean", "sum", "batchmean"):
        return Tensor(())
    raise NotKnown("reduction")


# --- constructors ---------------------------------------------------------------------------------


def _new_shape(sizes: Tuple, op: str) -> Tuple:
    for s in sizes:
        if S.is_int(s) and s < 0:
            raise ShapeError(Code.INVALID_ARGUMENT, f"{op}({_dims_text(sizes)}): a size cannot be negative")
    return sizes


@register("torch.randn torch.rand torch.zeros torch.ones torch.empty", tensor_result=True)
def filled(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False, generator=None, names=None, memory_format=None):
    """torch.zeros(2, 3) or torch.zeros((2, 3)): that shape."""
    return Tensor(_new_shape(_sizes(sizes if size is None else (size,)), "zeros"))


@register("torch.full")
def full(size, fill_value, **options):
    """torch.full(size, value): a size tuple."""
    if not isinstance(size, (tuple, list)):
        raise NotKnown("size")
    return Tensor(_new_shape(_sizes((size,)), "full"))


@register("torch.randint")
def randint(*args, size=None, **options):
    """randint(high, size) or randint(low, high, size): the size tuple."""
    size = args[-1] if size is None and args else size
    if not isinstance(size, (tuple, list)):
        raise NotKnown("size")
    return Tensor(_new_shape(_sizes((size,)), "randint"))


@register("torch.zeros_like torch.ones_like torch.empty_like torch.rand_like torch.randn_like "
          "torch.full_like torch.randint_like numpy.zeros_like numpy.ones_like numpy.empty_like "
          "numpy.full_like")
def like(input, *args, **options):
    """The input's shape."""
    return Tensor(_shape(input))


@register(methods="new_zeros new_ones new_empty new_full")
def new_filled(input, size, *args, **options):
    """x.new_zeros(size): that shape."""
    return Tensor(_new_shape(_sizes((size,)), "new_zeros"))


@register("torch.randperm")
def randperm(n, **options):
    """(n,)."""
    return Tensor(_new_shape((_size(n),), "randperm"))


@register("torch.arange")
def arange(*args, start=None, end=None, step=None, **options):
    """⌈(end − start) / step⌉ values; the step must point from start to end."""
    lo, hi, stride = _range_bounds(args, start, end, step)
    return Tensor((_range_length(lo, hi, stride, "torch.arange"),))


def _range_bounds(args: tuple, start, end, step) -> Tuple:
    """arange(end), arange(start, end), arange(start, end, step), or by keyword."""
    given = dict(zip(("end",) if len(args) == 1 else ("start", "end", "step"), args))
    return (given.get("start", 0) if start is None else start, given.get("end") if end is None else end,
            given.get("step", 1) if step is None else step)


def _range_length(lo, hi, step, op: str, empty_ok: bool = False) -> Dimension:
    if lo is None or hi is None:
        raise NotKnown("bounds")
    if _is_size(hi) and not S.is_int(hi) and lo == 0 and step == 1:
        return hi
    if not all(_number(v) for v in (lo, hi, step)):
        raise NotKnown("bounds")
    if step == 0 or not empty_ok and (step > 0 and hi < lo or step < 0 and hi > lo):
        raise ShapeError(Code.INVALID_ARGUMENT, f"{op}({lo}, {hi}, {step}): the step must lead from start to end")
    if all(S.is_int(v) for v in (lo, hi, step)):
        return max(0, -((lo - hi) // step))
    return max(0, math.ceil((hi - lo) / step))


@register("torch.linspace torch.logspace numpy.linspace numpy.logspace")
def linspace(start, end, steps=50, *args, **options):
    """(steps,)."""
    return Tensor(_new_shape((_size(steps),), "linspace"))


@register("torch.eye numpy.eye")
def eye(n, m=None, *args, **options):
    """(n, m), m defaulting to n."""
    return Tensor(_new_shape((_size(n), _size(n if m is None else m)), "eye"))


@register("numpy.array numpy.asarray numpy.ascontiguousarray numpy.float32 numpy.copy")
def data(data, *args, **options):
    """The shape of the data: a tensor's, a number's (scalar), nested lists' (rectangular).
    Data of unknown shape still makes a tensor (or array), of unknown shape."""
    try:
        return Tensor(_data_shape(data))
    except NotKnown:
        return Tensor(None)


@register("torch.tensor torch.as_tensor torch.asarray torch.from_numpy")
def torch_data(data, *args, **options):
    """As numpy's, but a torch tensor inside a list is taken as the number it holds
    (``torch.tensor([torch.exp(x), torch.exp(y)])`` is (2,) for one-element x and y)."""
    try:
        return Tensor(_data_shape(data, scalar_tensors=True))
    except NotKnown:
        return Tensor(None)


def _data_shape(value, scalar_tensors: bool = False, nested: bool = False) -> Tuple:
    if isinstance(value, Tensor):
        shape = _shape(value)
        if not (nested and scalar_tensors and not value.numpy):
            return shape
        if all(S.is_int(d) for d in shape) and math.prod(shape) == 1:
            return ()
        raise NotKnown("a tensor inside the data that may hold several numbers")  # torch raises for several
    if _number(value) or isinstance(value, (bool, S.Dim)):
        return ()
    if isinstance(value, (tuple, list)):
        inner = {_data_shape(v, scalar_tensors, nested=True) for v in value}
        if len(inner) > 1:
            raise NotKnown("ragged data")
        return (len(value),) + (inner.pop() if inner else ())
    raise NotKnown("data")


@register("torch.Tensor torch.FloatTensor torch.LongTensor torch.DoubleTensor torch.IntTensor "
          "torch.BoolTensor torch.ByteTensor")
def legacy_tensor(*args, **options):
    """torch.Tensor(2, 3) is a 2×3 tensor; torch.Tensor([2, 3]) holds the data [2, 3]."""
    if not args:
        raise NotKnown("an empty tensor")
    if len(args) == 1 and not _is_size(args[0]):
        return data(args[0])
    return Tensor(_new_shape(tuple(_size(a) for a in args), "torch.Tensor"))


@register("numpy.zeros numpy.ones numpy.empty numpy.full")
def np_filled(shape, *args, **options):
    """np.zeros(shape): shape is a size or a tuple of sizes."""
    return Tensor(_new_shape(_sizes((shape,)), "np.zeros"))


@register("numpy.random.randn numpy.random.rand")
def np_random(*dims):
    """np.random.randn(d0, d1, ...); no dims gives a float, not an array."""
    if not dims:
        raise NotKnown("a float")
    return Tensor(_new_shape(tuple(_size(d) for d in dims), "np.random.randn"))


def _np_sampler(*names: str):
    def rule(*args, size=None, **options):
        values = dict(zip(names, args), **options)
        size = values.get("size", size)
        if size is None:
            raise NotKnown("a single number")
        return Tensor(_new_shape(_sizes((size,)), "np.random"))

    rule.__doc__ = "The ``size`` argument's shape; without it a single number."
    return rule


for _qualname, _params in {"random": (), "random_sample": (), "standard_normal": (),
                           "normal": ("loc", "scale"), "uniform": ("low", "high"),
                           "randint": ("low", "high"), "choice": ("a",),
                           "binomial": ("n", "p"), "poisson": ("lam",)}.items():
    register(f"numpy.random.{_qualname}")(_np_sampler(*_params, "size"))


@register("numpy.arange")
def np_arange(*args, start=None, stop=None, step=None, dtype=None, **options):
    """⌈(stop − start) / step⌉ values, none when the step leads away from stop."""
    lo, hi, stride = _range_bounds(args, start, stop, step)
    return Tensor((_range_length(lo, hi, stride, "np.arange", True),))


def _np_reduction(a, axis=None, dtype=None, out=None, keepdims=False, **options):
    """numpy's reduction: a without ``axis`` (None: all; keepdims keeps them as 1).  Which axes
    a 0-d array accepts differs from one numpy function to the next: not modelled."""
    return Tensor(reduced(_np_shape(a, axis), axis, keepdims, "reduction"))


def _np_arg_reduction(a, axis=None, out=None, *, keepdims=False):
    """argmax/argmin: a without ``axis`` (None: a scalar)."""
    return Tensor(reduced(_np_shape(a, axis), axis, keepdims, "argmax"))


def _np_shape(a, axis) -> Tuple:
    x = _shape(a)
    if not x and axis is not None:
        raise NotKnown("the axes of a 0-d array")
    return x


_NP_REDUCTIONS = "sum mean std var max min prod all any amax amin nansum nanmean median"
register(" ".join(f"numpy.{n}" for n in _NP_REDUCTIONS.split()),
         numpy="sum mean std var max min prod all any")(_np_reduction)
register("numpy.argmax numpy.argmin", numpy="argmax argmin")(_np_arg_reduction)
register("numpy.clip numpy.abs numpy.exp numpy.log numpy.sqrt numpy.round")(elementwise)
