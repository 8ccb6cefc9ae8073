"""einops' string patterns as shape rules: ``rearrange``, ``repeat`` and ``reduce`` and the layers
``einops.layers.torch.Rearrange`` / ``Reduce``.

A pattern such as ``'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'`` names each input dim (or a group of
axes whose sizes multiply to it, one of them found by division), then says what the output is made
of.  The rules raise ``ShapeError`` where einops raises ``EinopsError``: a pattern that does not
fit the input's rank, a group whose known sizes do not divide the dim, a length given for an axis
that differs from the dim, axes that appear on one side only (rearrange), a new axis with no length
(repeat), an axis on the right that is not on the left (reduce).  einops is never imported here;
tests/test_einops.py holds the rules against it.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

from . import shapes as S
from ..diagnostics import Code
from ..ir import NotKnown, ShapeError
from .shapes import Dimension, Tensor
from .cost import no_macs
from .layers import LayerArgs, layer
from .tensor_ops import register

ELLIPSIS = "..."
REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")
Element = Union[str, int, Tuple[Union[str, int], ...]]  # an axis, an anonymous size, a group
_TOKEN = re.compile(r"\(|\)|\.\.\.|[^\s()]+")
_AXIS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _error(operation: str, pattern: str, why: str, shape: Optional[Tuple] = None) -> ShapeError:
    """The pattern's finding; ``shape``, the tensor's, where the text quotes it."""
    return ShapeError(Code.INVALID_ARGUMENT, f"einops.{operation}('{pattern}') {why}",
                      input=S.render_shape(shape) if shape is not None else "")


def parse_side(text: str, operation: str, pattern: str) -> List[Element]:
    """One side of a pattern: axes, anonymous sizes, '...' and parenthesised groups of them."""
    elements: List[Element] = []
    group: Optional[List] = None
    for token in _TOKEN.findall(text):
        if token == "(":
            if group is not None:
                raise _error(operation, pattern, "nests parentheses")
            group = []
        elif token == ")":
            if group is None:
                raise _error(operation, pattern, "closes a parenthesis it did not open")
            elements.append(tuple(group))
            group = None
        else:
            item = _item(token, operation, pattern)
            (group if group is not None else elements).append(item)
    if group is not None:
        raise _error(operation, pattern, "leaves a parenthesis open")
    return elements


def _item(token: str, operation: str, pattern: str) -> Union[str, int]:
    if token == ELLIPSIS or _AXIS.match(token) and not token.startswith("_"):
        return token
    if token.isdigit():
        return int(token)
    raise _error(operation, pattern, f"has {token!r}, which is not an axis name")


def _names(side: Sequence[Element]) -> List[str]:
    names = []
    for element in side:
        for item in element if isinstance(element, tuple) else (element,):
            if isinstance(item, str) and item != ELLIPSIS:
                names.append(item)
    return names


def _ellipses(side: Sequence[Element]) -> int:
    return sum(item == ELLIPSIS for e in side for item in (e if isinstance(e, tuple) else (e,)))


def _check_pattern(operation: str, pattern: str, left, right, lengths: Dict[str, object]) -> None:
    for side in (left, right):
        names = _names(side)
        if len(names) != len(set(names)):
            raise _error(operation, pattern, "names an axis twice on one side")
        if _ellipses(side) > 1:
            raise _error(operation, pattern, "has more than one '...' on a side")
    if any(isinstance(e, tuple) and ELLIPSIS in e for e in left):
        raise _error(operation, pattern, "puts '...' in parentheses on the left")
    if _ellipses(right) > _ellipses(left) or (operation != "reduce" and _ellipses(left) != _ellipses(right)):
        raise _error(operation, pattern, "has '...' on one side only")
    lhs, rhs = set(_names(left)), set(_names(right))
    extra = {"rearrange": (lhs ^ rhs), "repeat": (lhs - rhs), "reduce": (rhs - lhs)}[operation]
    if extra:
        raise _error(operation, pattern, f"has {', '.join(sorted(extra))} on one side only")
    if operation == "repeat":
        missing = sorted(n for n in rhs - lhs if n not in lengths)
        if missing:
            raise _error(operation, pattern, f"needs the length of the new axis {', '.join(missing)}")
    if operation != "repeat" and any(isinstance(i, int) and i != 1 for e in right
                                     for i in (e if isinstance(e, tuple) else (e,))):
        raise _error(operation, pattern, "has an anonymous axis of size other than 1 on the right")
    unused = sorted(set(lengths) - lhs - rhs)
    if unused:
        raise _error(operation, pattern, f"is given the length of {', '.join(unused)}, which it does not use")


def _bind(operation: str, pattern: str, left, shape: Tuple, lengths: Dict[str, object]):
    """The size of each left axis, and the dims '...' stands for."""
    has_ellipsis = _ellipses(left) == 1
    fixed = len(left) - has_ellipsis
    if (len(shape) < fixed) if has_ellipsis else (len(shape) != fixed):
        raise _error(operation, pattern, f"expects {fixed}{'+' if has_ellipsis else ''} dims but receives "
                                         f"{len(shape)}-D {S.render_shape(shape)}")
    sizes: Dict[str, Dimension] = {}
    dims = list(shape)
    ellipsis: Tuple = ()
    for element in left:
        if element == ELLIPSIS:
            count = len(shape) - fixed
            ellipsis, dims = tuple(dims[:count]), dims[count:]
            continue
        dim = dims.pop(0)
        _bind_element(operation, pattern, element if isinstance(element, tuple) else (element,), dim, shape,
                      lengths, sizes, grouped=isinstance(element, tuple))
    return sizes, ellipsis


def _bind_element(operation, pattern, items, dim, shape, lengths, sizes, grouped: bool) -> None:
    known, unknown = 1, []
    for item in items:
        value = item if isinstance(item, int) else lengths.get(item)
        if value is None:
            unknown.append(item)
        else:
            known = S.mul(known, value)
    if not unknown and not grouped and len(items) == 1 and S.same(known, dim) is False:
        raise _error(operation, pattern, f"expects {items[0]}={S.render(known)} but the dim is {S.render(dim)}", shape)
    if len(unknown) > 1:
        raise _error(operation, pattern, f"cannot infer the sizes of {', '.join(unknown)} from one dim")
    if not unknown:
        if S.same(known, dim) is False:
            raise _error(operation, pattern, f"groups {S.render(known)} from a dim of {S.render(dim)}", shape)
    else:
        value = S.divide_exact(dim, known)
        if value is None:
            if S.is_int(dim) and S.is_int(known):
                raise _error(operation, pattern, f"cannot split a dim of {dim} by {known}", shape)
            raise NotKnown("a group's size")
        sizes[unknown[0]] = value
    for item in items:
        if isinstance(item, str) and item not in sizes:
            sizes[item] = lengths[item] if item in lengths else dim


def _compose(right, sizes: Dict[str, Dimension], lengths: Dict[str, object], ellipsis: Tuple) -> Tuple:
    out: List[Dimension] = []
    for element in right:
        if element == ELLIPSIS:
            out.extend(ellipsis)
            continue
        items = element if isinstance(element, tuple) else (element,)
        dims: List[Dimension] = []
        for item in items:
            if item == ELLIPSIS:
                dims.extend(ellipsis)
            else:
                dims.append(item if isinstance(item, int) else sizes.get(item, lengths.get(item)))
        out.append(S.product(dims) if isinstance(element, tuple) else dims[0])
    return tuple(out)


def transform(operation: str, shape: Tuple, pattern: object, lengths: Dict[str, object]) -> Tuple:
    """The output shape of einops.<operation>(x of ``shape``, pattern, **lengths)."""
    if not isinstance(pattern, str):
        raise NotKnown("pattern")
    for name, value in lengths.items():
        if not S.is_int(value) and not isinstance(value, S.Dim):
            raise NotKnown(f"the length of {name}")
    if pattern.count("->") != 1:
        raise _error(operation, pattern, "needs exactly one '->'")
    left, right = (parse_side(side, operation, pattern) for side in pattern.split("->"))
    _check_pattern(operation, pattern, left, right, lengths)
    sizes, ellipsis = _bind(operation, pattern, left, shape, lengths)
    return _compose(right, sizes, lengths, ellipsis)


def _apply(operation: str, tensor, pattern, lengths) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise NotKnown("tensor")
    if tensor.shape is None:
        return Tensor(None)
    return Tensor(transform(operation, tensor.shape, pattern, lengths))


@register("einops.rearrange")
def rearrange(tensor, pattern, **axes_lengths):
    return _apply("rearrange", tensor, pattern, axes_lengths)


@register("einops.repeat")
def repeat(tensor, pattern, **axes_lengths):
    return _apply("repeat", tensor, pattern, axes_lengths)


def _check_reduction(reduction, what: str) -> None:
    if isinstance(reduction, str) and reduction not in REDUCTIONS:
        raise ShapeError(Code.INVALID_ARGUMENT, f"{what} reduction={reduction!r} is not one of {', '.join(REDUCTIONS)}")


@register("einops.reduce")
def reduce(tensor, pattern, reduction, **axes_lengths):
    _check_reduction(reduction, "einops.reduce")
    return _apply("reduce", tensor, pattern, axes_lengths)


@layer("Rearrange", "pattern, axes_lengths=None", macs=no_macs)
def rearrange_layer(x: Tuple, a: LayerArgs) -> Tuple:
    """einops.layers.torch.Rearrange(pattern, **axes_lengths): no parameters."""
    return transform("rearrange", x, a["pattern"], a["axes_lengths"] or {})


@layer("Reduce", "pattern, reduction, axes_lengths=None", check=lambda a: _check_reduction(a.values["reduction"], a.kind),
       macs=no_macs)  # a reduction: none, as in fvcore
def reduce_layer(x: Tuple, a: LayerArgs) -> Tuple:
    """einops.layers.torch.Reduce(pattern, reduction, **axes_lengths): no parameters."""
    return transform("reduce", x, a["pattern"], a["axes_lengths"] or {})
