"""One shape rule per layer kind: input shape and arguments in, output shape (or a ShapeError) out.

Each rule is a small pure function registered with ``@layer(kind, signature)``; the signature is
the PyTorch constructor's, so positional and keyword arguments bind exactly as they do in torch.
Formulas are the ones in the PyTorch documentation of each layer.  A rule that needs an argument
whose value is unknown raises ``NotKnown`` and the model is unknown from there on.  A rule raises
``ShapeError`` exactly where PyTorch raises, at construction (``check``) or in forward (``shape``):
tests/test_layer_rules.py holds every rule to that against real PyTorch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fractions import Fraction
from math import prod
from typing import Callable, Dict, Optional, Sequence, Tuple

from . import shapes as S
from .cost import INTERPOLATION, no_macs
from ..diagnostics import Code
from ..ir import UNKNOWN, Arg, NotKnown, ShapeError
from .shapes import Dimension, Shape


class Outputs(tuple):
    """What a layer returns when it is not one tensor: a Python tuple (LSTM's ``(out, (h, c))``)
    of shapes, of nested ``Outputs``, or of None for a tensor whose shape is not known."""


class _NoTensor:
    """None where a layer returns one in its tuple (attention's weights without need_weights)."""

    def __repr__(self) -> str:
        return "NO_TENSOR"


NO_TENSOR = _NoTensor()


@dataclass(frozen=True)
class Given:
    """A tensor handed to a layer's forward beside its input (an LSTM's ``hx``, attention's key):
    its shape, None where it is not known."""

    shape: Optional[Shape]


class LayerArgs:
    """A layer's arguments bound to the constructor's parameter names, defaults filled in; ``name``
    is what the rule's messages call the layer: its kind, or the function that runs its rule
    (``F.max_pool2d``)."""

    def __init__(self, kind: str, values: Dict[str, object], written: Dict[str, Arg], name: str = ""):
        self.kind = kind
        self.name = name or kind
        self.values = values
        self.written = written

    def __getitem__(self, name: str) -> object:
        value = self.values[name]
        if value is UNKNOWN:
            raise NotKnown(name)
        return value

    def known(self, name: str) -> bool:
        return self.values[name] is not UNKNOWN

    def flag(self, name: str) -> bool:
        """True only when the argument is known and set: an unknown flag never makes an error."""
        return self.known(name) and bool(self.values[name])

    def int(self, name: str) -> int:
        value = self[name]
        if isinstance(value, float):  # `planes / 4` in Python 3: torch refuses a float size
            raise ShapeError(Code.INVALID_ARGUMENT, f"{self.name} {name}={self.text(name)} is {value!r}, a float; PyTorch "
                                       f"needs an integer here (use // rather than /)", arg=name)
        if not S.is_int(value):
            raise NotKnown(name)
        return value

    def size(self, name: str) -> Dimension:
        """A width (features, channels): an int, or a symbol for a constructor argument no file
        settles (``n_class``), with the arithmetic the code applied (``4·hidden``)."""
        value = self[name]
        if isinstance(value, S.Dim) and not S.is_unknown(value):
            return value
        return self.int(name)

    def tuple(self, name: str, n: int) -> Tuple:
        value = self[name]
        if isinstance(value, (tuple, list)):
            if len(value) != n or not all(S.is_int(v) for v in value):
                raise NotKnown(name)
            return tuple(value)
        if not S.is_int(value):
            raise NotKnown(name)
        return (value,) * n

    def text(self, name: str) -> str:
        arg = self.written.get(name)
        return arg.text if arg else repr(self.values[name])


@dataclass(frozen=True)
class Parameter:
    name: str
    default: object = None
    required: bool = False

    @property
    def variadic(self) -> bool:
        return self.name.startswith("*")


@dataclass(frozen=True)
class LayerRule:
    kind: str
    parameters: Tuple[Parameter, ...]
    shape: Callable[[Tuple[Dimension, ...], LayerArgs], Tuple[Dimension, ...]]
    params: Callable[[LayerArgs], int] = lambda a: 0
    expects: Callable[[LayerArgs], Shape] = lambda a: None
    check: Callable[[LayerArgs], None] = lambda a: None  # construction-time checks
    forward: Tuple[Parameter, ...] = ()  # forward's arguments after the input, where the rule reads them
    # multiply-accumulates for a concrete input and output shape (rules/cost.py says the conventions),
    # with forward's other arguments where the rule declares them; None where the kind's cost is not
    # counted: the model's total is then not known
    macs: Optional[Callable[..., int]] = None
    # what the kind is, for the checks that reason about kinds rather than shapes (the practices,
    # the first layer's finding): "conv", "conv_transpose", "pool", "batch_norm", "dropout",
    # "activation", "softmax", "linear", "bilinear", "embedding"; "" for the others
    family: str = ""
    # the input it wants: "channels" (a channels-first batch, B×C×L…: a flat B×N given is SHP202),
    # "features" (B×…×F), "indices" (integers); "" where the rank alone says it
    wants: str = ""

    def __post_init__(self):  # the parameters sorted once, for bind (it runs for every layer built)
        named = tuple(p.name for p in self.parameters if not p.variadic)
        object.__setattr__(self, "_named", named)
        object.__setattr__(self, "_defaults", {p.name: p.default for p in self.parameters if not p.variadic})
        object.__setattr__(self, "_required", tuple(p.name for p in self.parameters if p.required and not p.variadic))

    def bind(self, args: Sequence[Arg], kwargs: Sequence[Tuple[str, Arg]], shown_as: str = "") -> LayerArgs:
        named = self._named
        values = dict(self._defaults)
        written: Dict[str, Arg] = {}
        for name, arg in zip(named, args):
            values[name], written[name] = arg.value, arg
        for name, arg in kwargs:
            if name in values:
                values[name], written[name] = arg.value, arg
        if len(args) > len(named) and len(named) == len(self.parameters):
            raise NotKnown("too many arguments")
        for name in self._required:
            if name not in written:
                raise NotKnown(f"missing {name}")
        return LayerArgs(self.kind, values, written, shown_as)

    def output(self, x: Shape, a: LayerArgs, args: Sequence = (), kwargs: Optional[Dict[str, object]] = None):
        """The shape (or ``Outputs``) of forward on input ``x``; ``args`` and ``kwargs`` are its
        other arguments (``Given`` for a tensor), bound to ``forward`` where the rule declares it."""
        if not self.forward:
            return self.shape(x, a)
        return self.shape(x, a, self.forward_arguments(args, kwargs))

    def forward_arguments(self, args: Sequence = (), kwargs: Optional[Dict[str, object]] = None) -> Dict[str, object]:
        """forward's other arguments bound to the names the rule declares, defaults filled in."""
        given = {p.name: p.default for p in self.forward}
        given.update(zip((p.name for p in self.forward), args))
        given.update((k, v) for k, v in (kwargs or {}).items() if k in given)
        if len(args) > len(self.forward) or set(kwargs or {}) - set(given):
            raise NotKnown("forward arguments")
        return given

    def count_macs(self, x: Tuple[int, ...], out, a: LayerArgs, given: Optional[Dict[str, object]] = None) -> int:
        """``macs`` on concrete shapes; ``given``: forward's other arguments, tensors as their shapes."""
        return self.macs(x, out, a, given or self.forward_arguments()) if self.forward else self.macs(x, out, a)


LAYER_RULES: Dict[str, LayerRule] = {}


def _parse_signature(signature: str) -> Tuple[Parameter, ...]:
    parameters = []
    for part in filter(None, (p.strip() for p in signature.split(","))):
        name, _, default = part.partition("=")
        if default:
            parameters.append(Parameter(name.strip(), ast.literal_eval(default.strip())))
        else:
            parameters.append(Parameter(name.strip(), None, required=not name.startswith("*")))
    return tuple(parameters)


def layer(kinds: str, signature: str, params=None, expects=None, check=None, forward: str = "", macs=None,
          family: str = "", wants: str = ""):
    """Register the decorated shape function for each kind in ``kinds`` (space-separated).  With
    ``forward`` (forward's signature after the input) the function also gets those arguments.
    ``macs(x, out, a)`` counts the kind's multiply-accumulates on concrete shapes (``no_macs`` for
    activations, pooling, reshaping); without it they are not counted, and a model's total that
    needs them is not known.  ``family`` and ``wants`` say what the kinds are (LayerRule)."""

    def register(fn):
        for kind in kinds.split():
            LAYER_RULES[kind] = LayerRule(kind, _parse_signature(signature), fn,
                                          params or (lambda a: 0), expects or (lambda a: None),
                                          check or (lambda a: None), _parse_signature(forward), macs,
                                          family, wants)
        return fn

    return register


# --- helpers -----------------------------------------------------------------------------------


def spatial_ndim(kind: str) -> int:
    """1, 2 or 3 from a kind such as Conv2d or MaxPool1d; 0 when the name has no digit."""
    for n in (1, 2, 3):
        if f"{n}d" in kind:
            return n
    return 0


def require_rank(x: Tuple, ranks: Sequence[int], kind: str, wants: str) -> None:
    if len(x) not in ranks:
        raise ShapeError(Code.WRONG_RANK, f"{kind} expects a {wants} input but receives "
                                   f"{len(x)}-D {S.render_shape(x)}")


def check_size(kind: str, dims: Sequence[Dimension], x: Tuple, n: int, what: str) -> None:
    for d in dims:
        if S.is_int(d) and d < 1:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{kind} output would be empty: {what} gives "
                                       f"{S.render(d)} from input {S.render_shape(x)}")


def _invalid(a: LayerArgs, name: str, should: str) -> ShapeError:
    return ShapeError(Code.INVALID_ARGUMENT, f"{a.name} {name}={a.text(name)} {should}", arg=name)


def _positive(a: LayerArgs, name: str, n: int) -> Tuple[int, ...]:
    values = a.tuple(name, n)
    if any(v <= 0 for v in values):
        raise _invalid(a, name, "must be positive")
    return values


def _non_negative(a: LayerArgs, name: str, n: int) -> Tuple[int, ...]:
    values = a.tuple(name, n)
    if any(v < 0 for v in values):
        raise _invalid(a, name, "must not be negative")
    return values


def window_out(size: Dimension, k: int, s: int, p: int, d: int = 1, ceil: bool = False) -> Dimension:
    """⌊(size + 2p − d(k−1) − 1) / s⌋ + 1, or with ⌈⌉ under ceil_mode (PyTorch's formula)."""
    span = S.add(size, 2 * p - d * (k - 1) - 1)
    out = S.add(S.ceildiv(span, s) if ceil else S.floordiv(span, s), 1)
    if ceil:
        # the last window must start inside the input or the left padding
        if S.is_int(out) and S.is_int(size):
            out = out - 1 if (out - 1) * s >= size + p else out
        elif not S.is_unknown(out):
            out = _CeilCorrected(size, out, s, p)
    return out


@dataclass(frozen=True)
class _CeilCorrected(S.Dim):
    size: Dimension
    out: Dimension
    s: int
    p: int

    def evaluate(self, env) -> int:
        size, out = S.evaluate(self.size, env), S.evaluate(self.out, env)
        return out - 1 if (out - 1) * self.s >= size + self.p else out

    def symbols(self) -> frozenset:
        return S.symbols(self.size)

    def render(self) -> str:
        return S.render(self.out)


def _conv_channel_axis(x: Tuple, n: int, kind: str) -> int:
    require_rank(x, (n + 1, n + 2), kind, f"{n + 2}-D (B×C×{_spatial_names(n)}) or {n + 1}-D unbatched")
    return len(x) - n - 1


def _check_batch_is_not_channels(x: Tuple, n: int, kind: str) -> None:
    """torch reads B×H×W as one C×H×W image: B channels, which a convolution's in_channels fits
    for one batch size only."""
    if len(x) == n + 1 and S.same(x[0], S.sym(S.BATCH)):
        raise ShapeError(Code.WRONG_RANK, f"{kind} receives {S.render_shape(x)}, a batch without its channel dim "
                                   f"(a {n + 1}-D input is one unbatched C×{_spatial_names(n)}); add it with "
                                   f".unsqueeze(1)")


def _spatial_names(n: int) -> str:
    return {1: "L", 2: "H×W", 3: "D×H×W"}[n]


def _symbols_for(n: int) -> Tuple[str, ...]:
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[n]


def _batched_input(n: int, channels: Dimension) -> Shape:
    return (S.sym(S.BATCH), channels) + tuple(S.sym(s) for s in _symbols_for(n))


def channel_error(kind: str, name: str, a: LayerArgs, got: Dimension, x: Tuple) -> ShapeError:
    want = a.values[name]
    never = "" if S.is_int(got) and S.is_int(want) else f", which {S.never_phrase(got, want)}"
    return ShapeError(
        Code.CHANNEL_MISMATCH,
        f"{kind} expects {S.render(want)} input channels ({name}) but receives {S.render(got)}", detail=never,
        arg=name, value=got if S.is_int(got) else None, input=S.render_shape(x))


def check_channels(kind: str, name: str, a: LayerArgs, got: Dimension, x: Tuple) -> None:
    if not a.known(name):
        return
    want = a.size(name)
    if S.same(got, want) is False or S.never_equal(got, want):
        raise channel_error(kind, name, a, got, x)


def _wrap_dim(kind: str, dim: int, x: Tuple, what: str = "dim") -> int:
    """``dim`` as a non-negative index into ``x``; a scalar takes dims 0 and -1, as in torch."""
    rank = max(len(x), 1)
    if not -rank <= dim < rank:
        raise ShapeError(Code.WRONG_RANK, f"{kind} {what}={dim} is out of range for a {len(x)}-D input "
                                   f"{S.render_shape(x)} (expected {-rank} to {rank - 1})")
    return dim + rank if dim < 0 else dim


# --- convolutions ------------------------------------------------------------------------------

_CONV_SIG = ("in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, "
             "bias=True, padding_mode='zeros', device=None, dtype=None")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _groups_check(a: LayerArgs) -> None:
    g = a.int("groups")
    if g <= 0:
        raise ShapeError(Code.GROUPS, f"{a.name} groups={a.text('groups')} must be positive", arg="groups")
    for name in ("in_channels", "out_channels"):
        if a.known(name) and a.int(name) % g:
            raise ShapeError(Code.GROUPS, f"{a.name} {name}={a.int(name)} is not divisible by "
                                       f"groups={g}", arg="groups")


def _conv_check(a: LayerArgs) -> None:
    _groups_check(a)
    n = spatial_ndim(a.kind)
    _positive(a, "kernel_size", n)
    _positive(a, "stride", n)
    _positive(a, "dilation", n)
    if a.known("padding_mode") and a["padding_mode"] not in _PADDING_MODES:
        raise _invalid(a, "padding_mode", "must be 'zeros', 'reflect', 'replicate' or 'circular'")
    padding = a["padding"]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise _invalid(a, "padding", "must be 'same', 'valid' or a number")
        if padding == "same" and any(s != 1 for s in a.tuple("stride", n)):
            raise ShapeError(Code.INVALID_ARGUMENT, f"{a.name} padding='same' is not supported for strided "
                                       f"convolutions (stride={a.text('stride')})", arg="stride")
    elif a.values["padding_mode"] in ("zeros", UNKNOWN):
        _non_negative(a, "padding", n)
    elif any(p < 0 for p in a.tuple("padding", n)):
        raise NotKnown("negative padding")  # F.pad crops, in ways that differ by padding_mode


def _conv_params(a: LayerArgs) -> int:
    _groups_check(a)
    n = spatial_ndim(a.kind)
    weight = a.int("out_channels") * (a.int("in_channels") // a.int("groups")) * prod(a.tuple("kernel_size", n))
    return weight + (a.int("out_channels") if a["bias"] else 0)


def _conv_expects(a: LayerArgs) -> Shape:
    return _batched_input(spatial_ndim(a.kind), a.size("in_channels"))


def _conv_padding(a: LayerArgs, n: int, k: Tuple[int, ...], d: Tuple[int, ...]) -> Tuple[Tuple[int, int], ...]:
    """(before, after) padding per spatial dim; 'same' pads d(k−1) in all, the odd one after."""
    padding = a["padding"]
    if padding == "same":
        return tuple((d[i] * (k[i] - 1) // 2, d[i] * (k[i] - 1) - d[i] * (k[i] - 1) // 2) for i in range(n))
    if padding == "valid":
        return ((0, 0),) * n
    return tuple((p, p) for p in a.tuple("padding", n))


def _check_padding_mode(a: LayerArgs, x: Tuple, spatial: Tuple, pads) -> None:
    """'reflect' pads must be smaller than the input, 'circular' ones at most its size."""
    mode = a.values["padding_mode"]
    if mode not in ("reflect", "circular"):
        return
    for size, pair in zip(spatial, pads):
        limit = max(pair) + (1 if mode == "reflect" else 0)
        if S.is_int(size) and size < limit:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} padding_mode={mode!r} needs padding "
                                       f"{'smaller than' if mode == 'reflect' else 'at most'} the input "
                                       f"size, but pads {max(pair)} on a side of size {size}", arg="padding",
                             input=S.render_shape(x))


def _conv_macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
    """Output elements × in_channels/groups × kernel elements (fvcore's, no bias)."""
    n = spatial_ndim(a.kind)
    return prod(out) * (a.int("in_channels") // a.int("groups")) * prod(a.tuple("kernel_size", n))


def _conv_transpose_macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
    """Input elements × out_channels/groups × kernel elements (fvcore's, no bias)."""
    n = spatial_ndim(a.kind)
    return prod(x) * (a.int("out_channels") // a.int("groups")) * prod(a.tuple("kernel_size", n))


@layer("Conv1d Conv2d Conv3d", _CONV_SIG, params=_conv_params, expects=_conv_expects, check=_conv_check,
       macs=_conv_macs, family="conv", wants="channels")
def conv(x: Tuple, a: LayerArgs) -> Tuple:
    """out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1; 'same' keeps in."""
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.name)
    _check_batch_is_not_channels(x, n, a.name)
    check_channels(a.name, "in_channels", a, x[c], x)
    k, s, d = a.tuple("kernel_size", n), a.tuple("stride", n), a.tuple("dilation", n)
    spatial, pads = x[c + 1:], _conv_padding(a, n, k, d)
    _check_padding_mode(a, x, spatial, pads)
    if a["padding"] == "same":
        out = list(spatial)
    else:
        out = [window_out(size, k[i], s[i], pads[i][0], d[i]) for i, size in enumerate(spatial)]
    _check_window_fits(a.name, x, c, out, k, d)
    return x[:c] + (a.size("out_channels"),) + tuple(out)


def _check_window_fits(kind, x, c, out, k, d) -> None:
    for i, size in enumerate(out):
        if S.is_int(size) and size < 1:
            effective = d[i] * (k[i] - 1) + 1
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{kind} kernel ({effective}) is larger than its padded input "
                                       f"{S.render_shape(x[c + 1:])}", input=S.render_shape(x))


def _conv_transpose_check(a: LayerArgs) -> None:
    _groups_check(a)
    n = spatial_ndim(a.kind)
    _positive(a, "kernel_size", n)
    s, d = _positive(a, "stride", n), _positive(a, "dilation", n)
    if a.known("padding_mode") and a["padding_mode"] != "zeros":
        raise _invalid(a, "padding_mode", "is not supported: transposed convolutions pad with zeros only")
    if isinstance(a["padding"], str):
        raise _invalid(a, "padding", "is not supported: give the padding as a number")
    _non_negative(a, "padding", n)
    for op, si, di in zip(_non_negative(a, "output_padding", n), s, d):
        if op >= si and op >= di:
            raise _invalid(a, "output_padding", f"must be smaller than stride ({si}) or dilation ({di})")


@layer("ConvTranspose1d ConvTranspose2d ConvTranspose3d",
       "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, "
       "bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None",
       params=_conv_params, expects=_conv_expects, check=_conv_transpose_check, macs=_conv_transpose_macs,
       family="conv_transpose", wants="channels")
def conv_transpose(x: Tuple, a: LayerArgs) -> Tuple:
    """out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1"""
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.name)
    _check_batch_is_not_channels(x, n, a.name)
    check_channels(a.name, "in_channels", a, x[c], x)
    k, s, d = a.tuple("kernel_size", n), a.tuple("stride", n), a.tuple("dilation", n)
    p, op = a.tuple("padding", n), a.tuple("output_padding", n)
    out = [S.add(S.mul(S.add(size, -1), s[i]), -2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1)
           for i, size in enumerate(x[c + 1:])]
    check_size(a.name, out, x, n, "the transposed convolution")
    return x[:c] + (a.size("out_channels"),) + tuple(out)


# --- pooling -----------------------------------------------------------------------------------


def _pool_check(a: LayerArgs) -> None:
    n = spatial_ndim(a.kind)
    k = _positive(a, "kernel_size", n)
    if a.values["stride"] not in (None, (), []):
        _positive(a, "stride", n)
    if "dilation" in a.values:
        _positive(a, "dilation", n)
    # torch checks padding ≤ kernel // 2, whatever the dilation
    if any(2 * p > ki for p, ki in zip(_non_negative(a, "padding", n), k)):
        raise _invalid(a, "padding", f"should be at most half of kernel_size={a.text('kernel_size')}")
    if S.is_int(a.values.get("divisor_override")) and a.values["divisor_override"] == 0:
        raise _invalid(a, "divisor_override", "must not be zero")


def _pool_stride(a: LayerArgs, n: int) -> Tuple[int, ...]:
    stride = a.values["stride"]
    if stride is None or stride == () or stride == []:
        return a.tuple("kernel_size", n)
    return a.tuple("stride", n)


def _pool_expects(a: LayerArgs) -> Shape:
    return _batched_input(spatial_ndim(a.kind), S.unknown("channels"))


def _pool(x: Tuple, a: LayerArgs, dilation: Tuple[int, ...]) -> Tuple:
    """out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (⌈⌉ under ceil_mode)."""
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.name)
    k, s, p = a.tuple("kernel_size", n), _pool_stride(a, n), a.tuple("padding", n)
    ceil = bool(a["ceil_mode"])
    out = [window_out(size, k[i], s[i], p[i], dilation[i], ceil) for i, size in enumerate(x[c + 1:])]
    for i, size in enumerate(out):
        if S.is_int(size) and size < 1:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name}({a.text('kernel_size')}) output would be empty: "
                                       f"input {S.render_shape(x)} is too small (spatial {S.render_shape(x[c + 1:])}"
                                       f" → {S.render_shape(tuple(out))})")
    return x[:c + 1] + tuple(out)


@layer("MaxPool1d MaxPool2d MaxPool3d",
       "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
       expects=_pool_expects, check=_pool_check, macs=no_macs, family="pool", wants="channels")
def max_pool(x: Tuple, a: LayerArgs) -> Tuple:
    """out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1; stride defaults to kernel."""
    if a["return_indices"]:
        raise NotKnown("return_indices")
    return _pool(x, a, a.tuple("dilation", spatial_ndim(a.kind)))


@layer("AvgPool1d", "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
       expects=_pool_expects, check=_pool_check, macs=no_macs, family="pool", wants="channels")
def avg_pool1d(x: Tuple, a: LayerArgs) -> Tuple:
    """out = ⌊(in + 2·padding − kernel) / stride⌋ + 1; stride defaults to kernel."""
    return _pool(x, a, (1,))


@layer("AvgPool2d AvgPool3d",
       "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None",
       expects=_pool_expects, check=_pool_check, macs=no_macs, family="pool", wants="channels")
def avg_pool(x: Tuple, a: LayerArgs) -> Tuple:
    """out = ⌊(in + 2·padding − kernel) / stride⌋ + 1; stride defaults to kernel."""
    out = _pool(x, a, (1,) * spatial_ndim(a.kind))
    if a.kind == "AvgPool3d":
        _input_holds_kernel(x, a)
    return out


def _input_holds_kernel(x: Tuple, a: LayerArgs) -> None:
    """torch's avg_pool3d also wants every input size, before padding, at least the kernel's."""
    k = a.tuple("kernel_size", 3)
    if any(S.is_int(size) and size < ki for size, ki in zip(x[-3:], k)):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name}({a.text('kernel_size')}) needs an input of at least the kernel "
                                   f"size in D×H×W, before padding, but receives {S.render_shape(x)}")


def _adaptive_sizes(a: LayerArgs, n: int) -> Tuple[Optional[int], ...]:
    size = a["output_size"]
    sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * n
    if any(s is not None and not S.is_int(s) for s in sizes):
        raise NotKnown("output_size")
    if len(sizes) != n:
        raise _invalid(a, "output_size", f"needs {n} sizes")
    if n == 1 and None in sizes:
        raise _invalid(a, "output_size", "must be a number: the 1-d adaptive pools take no None")
    if any(s is not None and s < 0 for s in sizes):
        raise _invalid(a, "output_size", "must not be negative")
    return sizes


def _adaptive_pool_macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
    """fvcore's: one per input element for an average, none for a maximum."""
    return prod(x) if a.kind.startswith("AdaptiveAvg") else 0


@layer("AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d "
       "AdaptiveMaxPool3d", "output_size, return_indices=False", expects=_pool_expects,
       check=lambda a: _adaptive_sizes(a, spatial_ndim(a.kind)), macs=_adaptive_pool_macs, family="pool",
       wants="channels")
def adaptive_pool(x: Tuple, a: LayerArgs) -> Tuple:
    """out = output_size; a None entry keeps that input size."""
    n = spatial_ndim(a.kind)
    if a.flag("return_indices"):
        raise NotKnown("return_indices")
    sizes = _adaptive_sizes(a, n)
    whole = not isinstance(a["output_size"], (tuple, list))
    if len(x) < n + (0 if whole else 1):
        raise ShapeError(Code.WRONG_RANK, f"{a.name} expects a {n + 2}-D (B×C×{_spatial_names(n)}) or {n + 1}-D "
                                   f"unbatched input but receives {len(x)}-D {S.render_shape(x)}")
    out = tuple(old if new is None else new for old, new in zip(x[-n:], sizes))
    if a.kind.startswith("AdaptiveAvg") and n > 1 and all(size == 1 for size in out):
        return x[:-n] + out  # torch takes the mean over the last n dims, whatever the rank
    _conv_channel_axis(x, n, a.name)
    return x[:-n] + out


# --- normalisation -----------------------------------------------------------------------------

_BN_SIG = "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None"


def _affine_params(name: str):
    return lambda a: 2 * a.int(name) if a["affine" if "affine" in a.values else "elementwise_affine"] else 0


def _norm_expects(a: LayerArgs) -> Shape:
    return _batched_input(spatial_ndim(a.kind), a.size("num_features"))


def _has_per_channel_state(a: LayerArgs) -> bool:
    """Only a weight or running statistics tie the layer to num_features channels."""
    return a.flag("affine") or a.flag("track_running_stats")


def _norm_macs(per_element: int):
    """fvcore's normalisation counts: ``per_element`` per input element, one more with affine."""
    def macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
        affine = a["affine" if "affine" in a.values else "elementwise_affine"]
        return prod(x) * (per_element + (1 if affine else 0))
    return macs


@layer("BatchNorm2d", _BN_SIG, params=_affine_params("num_features"), expects=_norm_expects, macs=_norm_macs(1),
       family="batch_norm", wants="channels")  # an image model's first layer, as often as a convolution
@layer("BatchNorm1d BatchNorm3d", _BN_SIG, params=_affine_params("num_features"), expects=_norm_expects,
       macs=_norm_macs(1), family="batch_norm")
def batch_norm(x: Tuple, a: LayerArgs) -> Tuple:
    """(B, C, *) unchanged; C = num_features where a weight or running statistics exist."""
    n = spatial_ndim(a.kind)
    ranks = {1: (2, 3), 2: (4,), 3: (5,)}[n]
    wants = {1: "2-D (B×C) or 3-D (B×C×L)", 2: "4-D (B×C×H×W)", 3: "5-D (B×C×D×H×W)"}[n]
    require_rank(x, ranks, a.name, wants)
    if _has_per_channel_state(a):
        check_channels(a.name, "num_features", a, x[1], x)
    # without running statistics even eval mode normalises by the batch's own
    if a.known("track_running_stats") and not a["track_running_stats"] and S.product(x[:1] + x[2:]) == 1:
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name}(track_running_stats=False) needs more than one value per "
                                   f"channel but receives {S.render_shape(x)}")
    return x


@layer("InstanceNorm1d InstanceNorm2d InstanceNorm3d",
       "num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, device=None, dtype=None",
       params=_affine_params("num_features"), expects=_norm_expects, macs=_norm_macs(4))
def instance_norm(x: Tuple, a: LayerArgs) -> Tuple:
    """((B,) C, *spatial) unchanged; C = num_features where a weight or running statistics exist."""
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.name)
    if _has_per_channel_state(a):
        check_channels(a.name, "num_features", a, x[c], x)
    # normalising over one element fails unless running statistics replace it in eval mode
    if a.known("track_running_stats") and not a["track_running_stats"] and S.product(x[c + 1:]) == 1:
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} needs more than one spatial element per channel but "
                                   f"receives {S.render_shape(x)}")
    return x


def _group_norm_check(a: LayerArgs) -> None:
    if a.known("num_groups") and a.int("num_groups") <= 0:
        raise ShapeError(Code.GROUPS, f"GroupNorm num_groups={a.text('num_groups')} must be positive",
                         arg="num_groups")
    if a.known("num_channels") and a.known("num_groups") and a.int("num_channels") % a.int("num_groups"):
        raise ShapeError(Code.GROUPS, f"GroupNorm num_channels={a.int('num_channels')} is not divisible by "
                                   f"num_groups={a.int('num_groups')}", arg="num_groups")


@layer("GroupNorm", "num_groups, num_channels, eps=1e-05, affine=True, device=None, dtype=None",
       params=_affine_params("num_channels"), check=_group_norm_check, macs=_norm_macs(4))
def group_norm(x: Tuple, a: LayerArgs) -> Tuple:
    """Statistics over each group of C / num_groups channels and all positions; shape unchanged."""
    if len(x) < 2:
        raise ShapeError(Code.WRONG_RANK, f"GroupNorm expects at least 2-D (B×C×...) input but receives "
                                   f"{len(x)}-D {S.render_shape(x)}")
    if a.flag("affine"):
        check_channels(a.name, "num_channels", a, x[1], x)
    elif a.known("num_groups") and S.is_int(x[1]) and x[1] % a.int("num_groups"):
        raise ShapeError(Code.GROUPS, f"GroupNorm(num_groups={a.int('num_groups')}) receives {x[1]} channels, "
                                   f"which do not divide into {a.int('num_groups')} groups", arg="num_groups",
                         input=S.render_shape(x))
    if a.known("num_groups") and _values_per_group(x, a.int("num_groups")) == 1:
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"GroupNorm needs more than one value per group but receives "
                                   f"{S.render_shape(x)} with num_groups={a.int('num_groups')}")
    return x


def _values_per_group(x: Tuple, groups: int) -> Dimension:
    return S.product((S.floordiv(S.mul(x[0], x[1]), groups),) + x[2:])


def _layer_norm_check(a: LayerArgs) -> None:
    if a.known("normalized_shape") and _normalized_shape(a) == ():
        raise _invalid(a, "normalized_shape", "must name at least one dimension")


@layer("LayerNorm", "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, device=None, dtype=None",
       params=lambda a: _layer_norm_params(a), check=_layer_norm_check, macs=_norm_macs(4))
def layer_norm(x: Tuple, a: LayerArgs) -> Tuple:
    """Normalises over the last len(normalized_shape) dims, which must equal normalized_shape."""
    normalized = _normalized_shape(a)
    tail = x[len(x) - len(normalized):] if len(normalized) <= len(x) else None
    if tail is None or any(S.same(got, want) is False for got, want in zip(tail, normalized)):
        single = not isinstance(a["normalized_shape"], (tuple, list)) and bool(x) and S.is_int(x[-1])
        raise ShapeError(Code.CHANNEL_MISMATCH, f"LayerNorm expects the last dims {S.render_shape(normalized)} but "
                                   f"receives {S.render_shape(x)}", arg="normalized_shape",
                         value=x[-1] if single else None)
    return x


def _normalized_shape(a: LayerArgs) -> Tuple[int, ...]:
    value = a["normalized_shape"]
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(S.is_int(v) for v in value):
        raise NotKnown("normalized_shape")
    return value


def _layer_norm_params(a: LayerArgs) -> int:
    if not a["elementwise_affine"]:
        return 0
    return prod(_normalized_shape(a)) * (2 if a["bias"] else 1)


@layer("LocalResponseNorm", "size, alpha=0.0001, beta=0.75, k=1.0",
       check=lambda a: _positive(a, "size", 1), macs=None)
def local_response_norm(x: Tuple, a: LayerArgs) -> Tuple:
    """Normalises each position over `size` neighbouring channels (dim 1); shape unchanged."""
    if len(x) < 3:
        raise ShapeError(Code.WRONG_RANK, f"LocalResponseNorm expects at least a 3-D (B×C×...) input but "
                                   f"receives {len(x)}-D {S.render_shape(x)}")
    return x


# --- sliding blocks ------------------------------------------------------------------------------


def _blocks(a: LayerArgs, spatial: Tuple, x: Tuple) -> Tuple:
    """The sliding blocks along each of the two spatial dims: ⌊(size + 2p − d(k−1) − 1)/s⌋ + 1."""
    k, d = _positive(a, "kernel_size", 2), _positive(a, "dilation", 2)
    s, p = _positive(a, "stride", 2), _non_negative(a, "padding", 2)
    blocks = tuple(window_out(size, k[i], s[i], p[i], d[i]) for i, size in enumerate(spatial))
    if any(S.is_int(b) and b < 1 for b in blocks):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} finds no {k[0]}×{k[1]} block in {S.render_shape(spatial)}",
                         input=S.render_shape(x))
    return blocks


_BLOCK_SIG = "kernel_size, dilation=1, padding=0, stride=1"


@layer("Unfold", _BLOCK_SIG, macs=no_macs)
def unfold(x: Tuple, a: LayerArgs) -> Tuple:
    """(N, C, H, W) → (N, C·∏kernel_size, L), L the number of blocks; (C, H, W) unbatched."""
    require_rank(x, (3, 4), a.name, "4-D (B×C×H×W) or 3-D unbatched")
    blocks = _blocks(a, x[-2:], x)
    return x[:-3] + (S.mul(x[-3], prod(a.tuple("kernel_size", 2))), S.product(blocks))


@layer("Fold", "output_size, " + _BLOCK_SIG, macs=no_macs)
def fold(x: Tuple, a: LayerArgs) -> Tuple:
    """(N, C·∏kernel_size, L) → (N, C, *output_size): the inverse of Unfold, L must be the number of
    blocks in output_size; (C·∏kernel_size, L) unbatched."""
    require_rank(x, (2, 3), a.name, "3-D (B×C·∏kernel_size×L) or 2-D unbatched")
    size, kernel = _positive(a, "output_size", 2), prod(_positive(a, "kernel_size", 2))
    channels = S.divide_exact(x[-2], kernel)
    if channels is None and S.is_int(x[-2]):
        raise ShapeError(Code.CHANNEL_MISMATCH, f"{a.name} expects a dim -2 divisible by the kernel's {kernel} "
                                                 f"elements but receives {x[-2]}", arg="kernel_size",
                         input=S.render_shape(x))
    blocks = S.product(_blocks(a, size, x))
    if S.same(x[-1], blocks) is False:
        raise ShapeError(Code.VIEW_MISMATCH, f"{a.name} expects {S.render(blocks)} blocks (dim -1) for "
                                              f"output_size={size} but receives {S.render(x[-1])}",
                         input=S.render_shape(x))
    if channels is None:
        raise NotKnown("channels")
    return x[:-2] + (channels,) + size


# --- linear, embedding and reshaping -----------------------------------------------------------


def _linear_params(a: LayerArgs) -> int:
    return a.int("in_features") * a.int("out_features") + (a.int("out_features") if a["bias"] else 0)


@layer("Linear", "in_features, out_features, bias=True, device=None, dtype=None",
       params=_linear_params, expects=lambda a: (S.sym(S.BATCH), a.size("in_features")),
       macs=lambda x, out, a: prod(out) * a.int("in_features"), family="linear", wants="features")
def linear(x: Tuple, a: LayerArgs) -> Tuple:
    """(*, in_features) → (*, out_features)"""
    if not x:
        raise ShapeError(Code.WRONG_RANK, "Linear expects at least a 1-D input but receives a scalar")
    got, want = x[-1], a.size("in_features")
    if S.same(got, want) is False:
        raise _features_error(a, got, x)
    if S.never_equal(got, want):
        raise ShapeError(Code.LINEAR_IN_FEATURES, f"Linear expects {S.render(want)} input features but receives "
                                   f"{S.render(got)}", detail=f", which {S.never_phrase(got, want)}",
                         arg="in_features", value=got if S.is_int(got) else None)
    return x[:-1] + (a.size("out_features"),)


def _features_error(a: LayerArgs, got: int, x: Tuple) -> ShapeError:
    want = a.int("in_features")
    return ShapeError(Code.LINEAR_IN_FEATURES, f"Linear expects {want} input features but receives {got}",
                      arg="in_features", value=got)


@layer("Bilinear", "in1_features, in2_features, out_features, bias=True, device=None, dtype=None",
       params=lambda a: a.int("in1_features") * a.int("in2_features") * a.int("out_features")
       + (a.int("out_features") if a["bias"] else 0),
       macs=lambda x, out, a: prod(out) * a.int("in1_features") * a.int("in2_features"), family="bilinear")
def bilinear(x: Tuple, a: LayerArgs) -> Tuple:
    raise NotKnown("Bilinear takes two inputs")


def _embedding_check(a: LayerArgs) -> None:
    num = _positive(a, "num_embeddings", 1)[0]
    _non_negative(a, "embedding_dim", 1)
    index = a.values["padding_idx"]
    if S.is_int(index) and not -num <= index < num:
        raise _invalid(a, "padding_idx", f"must be within num_embeddings ({-num} to {num - 1})")


@layer("Embedding", "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, "
       "scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None",
       params=lambda a: a.int("num_embeddings") * a.int("embedding_dim"),
       expects=lambda a: (S.sym(S.BATCH), S.sym("L")), check=_embedding_check, macs=no_macs, family="embedding",
       wants="indices")
def embedding(x: Tuple, a: LayerArgs) -> Tuple:
    """(*) integer indices → (*, embedding_dim)"""
    return x + (a.size("embedding_dim"),)


def flatten_shape(x: Tuple, start: int, end: int, kind: str = "Flatten") -> Tuple:
    """Dims start..end (inclusive) become their product; a scalar flattens to (1,)."""
    s, e = _wrap_dim(kind, start, x, "start_dim"), _wrap_dim(kind, end, x, "end_dim")
    if s > e:
        raise ShapeError(Code.WRONG_RANK, f"{kind}(start_dim={start}, end_dim={end}): start_dim comes after "
                                   f"end_dim for a {len(x)}-D input {S.render_shape(x)}")
    if not x:
        return (1,)
    return x[:s] + (S.product(x[s:e + 1]),) + x[e + 1:]


@layer("Flatten", "start_dim=1, end_dim=-1", macs=no_macs)
def flatten(x: Tuple, a: LayerArgs) -> Tuple:
    """(*, d_start, ..., d_end, *) → (*, d_start · ... · d_end, *)"""
    return flatten_shape(x, a.int("start_dim"), a.int("end_dim"))


def _unflatten_sizes(a: LayerArgs) -> Tuple[int, ...]:
    sizes = a["unflattened_size"]
    if not isinstance(sizes, (tuple, list)):
        if S.is_int(sizes):
            raise _invalid(a, "unflattened_size", "must be a tuple of sizes")
        raise NotKnown("unflattened_size")
    if not all(S.is_int(s) for s in sizes):
        raise NotKnown("unflattened_size")
    if not sizes:
        raise _invalid(a, "unflattened_size", "must not be empty")
    if list(sizes).count(-1) > 1 or any(s < -1 for s in sizes):
        raise _invalid(a, "unflattened_size", "may hold one -1 and otherwise sizes ≥ 0")
    return tuple(sizes)


@layer("Unflatten", "dim, unflattened_size", check=_unflatten_sizes, macs=no_macs)
def unflatten(x: Tuple, a: LayerArgs) -> Tuple:
    """Dim `dim` of size n becomes unflattened_size, whose product must be n (one -1 is inferred)."""
    sizes = _unflatten_sizes(a)
    if not x:
        raise ShapeError(Code.WRONG_RANK, f"{a.name} cannot split a scalar input")
    dim = _wrap_dim(a.name, a.int("dim"), x)
    total = prod(s for s in sizes if s != -1)
    if -1 in sizes:
        rest = _inferred_size(a, x, dim, sizes, total)
        sizes = tuple(rest if s == -1 else s for s in sizes)
    elif S.same(total, x[dim]) is False:
        raise _unflatten_error(a, x, dim, sizes, total)
    return x[:dim] + sizes + x[dim + 1:]


def _inferred_size(a: LayerArgs, x: Tuple, dim: int, sizes: Tuple, total: int) -> Dimension:
    rest = S.divide_exact(x[dim], total) if total else None
    if rest is not None:
        return rest
    if S.is_int(x[dim]) or total == 0:
        raise _unflatten_error(a, x, dim, sizes, total)
    return S.floordiv(x[dim], total)


def _unflatten_error(a: LayerArgs, x: Tuple, dim: int, sizes: Tuple, total: int) -> ShapeError:
    need = f"a multiple of {total}" if -1 in sizes else str(total)
    return ShapeError(Code.VIEW_MISMATCH, f"{a.name}({a.text('dim')}, {tuple(sizes)}) needs dim {dim} of size {need} "
                                f"but receives {S.render_shape(x)}")


# --- resampling: upsampling, padding, pixel and channel shuffles ----------------------------------

_UPSAMPLE_RANKS = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5),
                   "linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}
_ALIGNABLE = ("linear", "bilinear", "bicubic", "trilinear")


def _upsample_mode(a: LayerArgs) -> str:
    return {"UpsamplingNearest2d": "nearest", "UpsamplingBilinear2d": "bilinear"}.get(a.kind) or a["mode"]


def _scale_factor(a: LayerArgs) -> object:
    scale = a["scale_factor"]
    return scale if isinstance(scale, (tuple, list)) or scale else None  # nn.Upsample drops a 0


def _upsample_check(a: LayerArgs) -> None:
    size, scale = a["size"], _scale_factor(a)
    if (size is None) == (scale is None):
        raise ShapeError(Code.INVALID_ARGUMENT, f"{a.name} needs exactly one of size and scale_factor", arg="size")
    mode = _upsample_mode(a)
    if mode not in _UPSAMPLE_RANKS:
        raise _invalid(a, "mode", f"must be one of {', '.join(map(repr, _UPSAMPLE_RANKS))}")
    if a.values.get("align_corners") is not None and mode not in _ALIGNABLE and a.known("align_corners"):
        raise _invalid(a, "align_corners", f"can only be set for the interpolating modes {', '.join(_ALIGNABLE)}")
    if a.values.get("recompute_scale_factor") not in (None, UNKNOWN) and a.flag("recompute_scale_factor") \
            and size is not None:
        raise _invalid(a, "recompute_scale_factor", "is meaningless with an explicit size")


def _per_dim(a: LayerArgs, name: str, value: object, n: int) -> Tuple:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise _invalid(a, name, f"needs one value per spatial dim ({n})")
    return values


def _output_sizes(x: Tuple, a: LayerArgs, n: int) -> Tuple[Dimension, ...]:
    if a["size"] is not None:
        sizes = _per_dim(a, "size", a["size"], n)
        if any(s is None or isinstance(s, float) for s in sizes):
            raise _invalid(a, "size", "must hold whole numbers")
        if not all(S.is_int(s) for s in sizes):
            raise NotKnown("size")
        return sizes
    scales = _per_dim(a, "scale_factor", _scale_factor(a), n)
    if not all(isinstance(f, (int, float)) and not isinstance(f, bool) for f in scales):
        raise NotKnown("scale_factor")
    return tuple(_scaled(size, float(f)) for size, f in zip(x[2:], scales))


def _scaled(size: Dimension, scale: float) -> Dimension:
    """int(size · scale): torch multiplies in double precision and truncates."""
    if S.is_int(size):
        return int(size * scale)
    if scale.is_integer():
        return S.mul(size, int(scale))
    exact = Fraction(scale)
    dyadic = exact.denominator & (exact.denominator - 1) == 0 and exact.denominator <= 1 << 20
    if isinstance(size, S.Affine) and size.d == 1 and dyadic and scale > 0:
        return S.Affine(size.sym, size.a * exact.numerator, size.b * exact.numerator, exact.denominator)
    return S.unknown("scaled size") if S.is_unknown(size) else _Scaled(size, scale)


@dataclass(frozen=True)
class _Scaled(S.Dim):
    """⌊size · scale⌋ for a scale that is not a binary fraction (0.3, 1/3)."""

    size: Dimension
    scale: float

    def evaluate(self, env) -> int:
        return int(S.evaluate(self.size, env) * self.scale)

    def symbols(self) -> frozenset:
        return S.symbols(self.size)

    def render(self) -> str:
        return f"⌊{S.render(self.size)}·{self.scale:g}⌋"


_UPSAMPLE_SIG = "size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None"


def _upsample_expects(a: LayerArgs) -> Shape:
    """B×?×H×W for the 2-d modes and aliases; the rank a size or scale tuple gives, else unknown."""
    given = a["size"] if a["size"] is not None else a["scale_factor"]
    if isinstance(given, (tuple, list)):
        n = len(given)
    else:
        n = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(_upsample_mode(a), spatial_ndim(a.kind))
    return _batched_input(n, S.unknown("channels")) if n in (1, 2, 3) else None


def _upsample_macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
    """Per output element: 1 nearest, 2 linear, 4 bilinear, 8 trilinear, 16 bicubic; area averages
    each input element once."""
    mode = _upsample_mode(a)
    return prod(x) if mode == "area" else prod(out) * INTERPOLATION[mode]


@layer("Upsample", _UPSAMPLE_SIG, check=_upsample_check, expects=_upsample_expects, macs=_upsample_macs)
def upsample(x: Tuple, a: LayerArgs) -> Tuple:
    """(B, C, *in) → (B, C, *out): out = size, or ⌊in · scale_factor⌋."""
    mode = _upsample_mode(a)
    ranks = _UPSAMPLE_RANKS[mode]
    wants = " or ".join(f"{r}-D (B×C×{_spatial_names(r - 2)})" for r in ranks)
    require_rank(x, ranks, f"{a.name}(mode={mode!r})" if a.kind == "Upsample" else a.name, wants)
    out = _output_sizes(x, a, len(x) - 2)
    least = 0 if mode == "area" else 1  # area resamples by adaptive pooling, which allows 0
    for size in out:
        if S.is_int(size) and size < least:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} output would be empty: {S.render_shape(x)} resized to "
                                       f"{S.render_shape(tuple(out))}")
    return x[:2] + tuple(out)


@layer("UpsamplingNearest2d UpsamplingBilinear2d", "size=None, scale_factor=None",
       expects=_upsample_expects, check=_upsample_check, macs=_upsample_macs)
def upsampling2d(x: Tuple, a: LayerArgs) -> Tuple:
    """nn.Upsample with mode 'nearest', or 'bilinear' with align_corners=True."""
    return upsample(x, a)


def _padding_pairs(a: LayerArgs, n: int) -> Tuple[Tuple[int, int], ...]:
    """(before, after) per spatial dim from torch's order (left, right, top, bottom, front, back),
    which starts at the last dim."""
    p = a.tuple("padding", 2 * n)
    return tuple((p[2 * i], p[2 * i + 1]) for i in reversed(range(n)))


@layer("ZeroPad1d ZeroPad2d ZeroPad3d", "padding", macs=no_macs)
def zero_pad(x: Tuple, a: LayerArgs) -> Tuple:
    """Each of the last n dims grows by before + after; negative padding crops."""
    return _constant_pad(x, a)


@layer("ConstantPad1d ConstantPad2d ConstantPad3d", "padding, value", macs=no_macs)
def constant_pad(x: Tuple, a: LayerArgs) -> Tuple:
    """Each of the last n dims grows by before + after; negative padding crops."""
    return _constant_pad(x, a)


def _constant_pad(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    if len(x) < n:
        raise ShapeError(Code.WRONG_RANK, f"{a.name} pads the last {n} dims but receives a {len(x)}-D input "
                                   f"{S.render_shape(x)}")
    pairs = _padding_pairs(a, n)
    for size, (before, after) in zip(x[-n:], pairs):
        cropped = S.add(size, min(before, 0) + min(after, 0))
        if S.is_int(cropped) and cropped < 0:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} padding={a.text('padding')} crops more than the "
                                       f"input {S.render_shape(x)} holds", arg="padding")
    return x[:-n] + tuple(S.add(size, before + after) for size, (before, after) in zip(x[-n:], pairs))


@layer("ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d "
       "CircularPad1d CircularPad2d CircularPad3d", "padding",
       expects=lambda a: _batched_input(spatial_ndim(a.kind), S.unknown("channels")), macs=no_macs)
def edge_pad(x: Tuple, a: LayerArgs) -> Tuple:
    """out = in + before + after on each of the last n dims, with limits on the padding:
    reflection below the input size, circular at most the input size."""
    n = spatial_ndim(a.kind)
    _conv_channel_axis(x, n, a.name)
    pairs = _padding_pairs(a, n)
    if any(p < 0 for pair in pairs for p in pair):
        raise NotKnown("negative padding")  # torch's checks for cropping here are irregular
    limit = {"ReflectionPad": 1, "CircularPad": 0}.get(a.kind[:-2])
    spatial = x[-n:]
    for size, pair in zip(spatial, pairs):
        if limit is not None and S.is_int(size) and max(pair) + limit > size:
            raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.name} padding={a.text('padding')} must be "
                                       f"{'smaller than' if limit else 'at most'} each padded dim, but the "
                                       f"input is {S.render_shape(x)}", arg="padding")
    return x[:-n] + tuple(S.add(size, before + after) for size, (before, after) in zip(spatial, pairs))


def _at_least_3d(x: Tuple, a: LayerArgs) -> None:
    if len(x) < 3:
        raise ShapeError(Code.WRONG_RANK, f"{a.name} expects at least a 3-D (B×C×H×W or C×H×W) input but "
                                   f"receives {len(x)}-D {S.render_shape(x)}")


@layer("PixelShuffle", "upscale_factor", check=lambda a: _positive(a, "upscale_factor", 1),
       expects=lambda a: _batched_input(2, S.unknown("channels")), macs=no_macs)
def pixel_shuffle(x: Tuple, a: LayerArgs) -> Tuple:
    """(*, C·r², H, W) → (*, C, H·r, W·r)"""
    _at_least_3d(x, a)
    r = a.int("upscale_factor")
    c, h, w = x[-3:]
    if S.is_int(c) and c % (r * r):
        raise ShapeError(Code.CHANNEL_MISMATCH, f"PixelShuffle({r}) needs channels divisible by {r * r} but receives "
                                   f"{c}", arg="upscale_factor", input=S.render_shape(x))
    channels = S.divide_exact(c, r * r)
    return x[:-3] + (S.floordiv(c, r * r) if channels is None else channels, S.mul(h, r), S.mul(w, r))


@layer("PixelUnshuffle", "downscale_factor", check=lambda a: _positive(a, "downscale_factor", 1),
       expects=lambda a: _batched_input(2, S.unknown("channels")), macs=no_macs)
def pixel_unshuffle(x: Tuple, a: LayerArgs) -> Tuple:
    """(*, C, H·r, W·r) → (*, C·r², H, W)"""
    _at_least_3d(x, a)
    r = a.int("downscale_factor")
    c, h, w = x[-3:]
    if any(S.is_int(size) and size % r for size in (h, w)):
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"PixelUnshuffle({r}) needs height and width divisible by {r} but "
                                   f"receives {S.render_shape(x)}", arg="downscale_factor")
    return x[:-3] + (S.mul(c, r * r), S.floordiv(h, r), S.floordiv(w, r))


@layer("ChannelShuffle", "groups", check=lambda a: _positive(a, "groups", 1), macs=no_macs)
def channel_shuffle(x: Tuple, a: LayerArgs) -> Tuple:
    """Reorders the C channels (dim 1) in `groups` groups; shape unchanged."""
    _at_least_3d(x, a)
    g = a.int("groups")
    if S.is_int(x[1]) and x[1] % g:
        raise ShapeError(Code.GROUPS, f"ChannelShuffle(groups={g}) receives {x[1]} channels, which do not "
                                   f"divide into {g} groups", arg="groups", input=S.render_shape(x))
    return x


# --- element-wise layers -------------------------------------------------------------------------


def same_shape(x: Tuple, a: LayerArgs) -> Tuple:
    return x


for _kind, _sig in {
    "ReLU SELU SiLU Mish Sigmoid Tanh Hardswish Hardsigmoid Tanhshrink Softsign": "inplace=False",
    "ReLU6": "inplace=False",
    "LogSigmoid": "",
    "LeakyReLU": "negative_slope=0.01, inplace=False",
    "ELU": "alpha=1.0, inplace=False",
    "Hardshrink": "lambd=0.5",
    "Softplus": "beta=1.0, threshold=20.0",
    "Threshold": "threshold, value, inplace=False",
    "Identity": "*args, **kwargs",
}.items():
    layer(_kind, _sig, macs=no_macs, family="" if _kind == "Identity" else "activation")(same_shape)


# the torch.nn.functional forms of the layer kinds that are plain functions of their input: F.relu is ReLU
FUNCTIONAL_FORMS = {
    "relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU", "celu": "CELU",
    "gelu": "GELU", "silu": "SiLU", "mish": "Mish", "sigmoid": "Sigmoid", "tanh": "Tanh", "hardtanh": "Hardtanh",
    "hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid", "softplus": "Softplus", "softsign": "Softsign",
    "logsigmoid": "LogSigmoid", "prelu": "PReLU", "rrelu": "RReLU", "glu": "GLU", "softmin": "Softmin",
    "dropout": "Dropout", "dropout1d": "Dropout1d", "dropout2d": "Dropout2d", "dropout3d": "Dropout3d",
    "alpha_dropout": "AlphaDropout", "feature_alpha_dropout": "FeatureAlphaDropout"}


def _float_check(name: str, holds: Callable[[float], bool], should: str):
    def check(a: LayerArgs) -> None:
        value = a.values[name]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not holds(value):
            raise _invalid(a, name, should)
    return check


layer("CELU", "alpha=1.0, inplace=False", check=_float_check("alpha", lambda v: v != 0, "must not be 0"),
      macs=no_macs, family="activation")(same_shape)
layer("Softshrink", "lambd=0.5", check=_float_check("lambd", lambda v: v >= 0, "must not be negative"),
      macs=no_macs, family="activation")(same_shape)
layer("GELU", "approximate='none'", check=lambda a: _choice(a, "approximate", ("none", "tanh")),
      macs=no_macs, family="activation")(same_shape)


def _choice(a: LayerArgs, name: str, choices: Tuple[str, ...]) -> None:
    if a.known(name) and a[name] not in choices:
        raise _invalid(a, name, f"must be one of {', '.join(map(repr, choices))}")


def _ordered(low: str, high: str, strict: bool):
    def check(a: LayerArgs) -> None:
        lo, hi = a.values[low], a.values[high]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)) \
                and (lo >= hi if strict else lo > hi):
            raise ShapeError(Code.INVALID_ARGUMENT, f"{a.name} {high}={a.text(high)} must be "
                                       f"{'greater than' if strict else 'at least'} {low}={a.text(low)}", arg=high)
    return check


layer("Hardtanh", "min_val=-1.0, max_val=1.0, inplace=False", check=_ordered("min_val", "max_val", True),
      macs=no_macs, family="activation")(same_shape)
layer("RReLU", "lower=0.125, upper=0.3333333333333333, inplace=False",
      check=_ordered("lower", "upper", False), macs=no_macs, family="activation")(same_shape)


_DROPOUT_RANKS = {"Dropout1d": (2, 3), "Dropout2d": 2, "Dropout3d": 1, "FeatureAlphaDropout": 2}


def _drops_something(a: LayerArgs) -> bool:
    """0 < p < 1: torch returns the input, or zeros, at once for p = 0 and p = 1."""
    p = a.values["p"]
    return isinstance(p, (int, float)) and 0 < p < 1


@layer("Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout", "p=0.5, inplace=False",
       check=_float_check("p", lambda v: 0 <= v <= 1, "must be a probability between 0 and 1"),
       macs=no_macs, family="dropout")
def dropout(x: Tuple, a: LayerArgs) -> Tuple:
    """Shape unchanged.  Dropout1d takes (B×)C×L; the other channel-wise ones fail in training
    on inputs of too few dims (Dropout3d adds a batch dim to all but 5-D inputs first)."""
    ranks = _DROPOUT_RANKS.get(a.kind)
    if isinstance(ranks, tuple):
        require_rank(x, ranks, a.name, "2-D (C×L) or 3-D (B×C×L)")
    elif ranks and len(x) < ranks and _drops_something(a):
        raise ShapeError(Code.WRONG_RANK, f"{a.name} drops whole channels and expects at least a {ranks}-D input "
                                   f"but receives {len(x)}-D {S.render_shape(x)}")
    return x


@layer("Softmin", "dim=None", macs=no_macs, family="activation")  # the practices take it for one
@layer("Softmax LogSoftmax", "dim=None", macs=no_macs, family="softmax")
def softmax(x: Tuple, a: LayerArgs) -> Tuple:
    """Shape unchanged; dim must be one of the input's dims."""
    dim = a.values["dim"]
    if S.is_int(dim):
        _wrap_dim(a.name, dim, x)
    return x


@layer("Softmax2d", "", macs=no_macs, family="softmax")
def softmax2d(x: Tuple, a: LayerArgs) -> Tuple:
    """Softmax over the channels of a (B×)C×H×W input; shape unchanged."""
    require_rank(x, (3, 4), a.name, "4-D (B×C×H×W) or 3-D (C×H×W)")
    return x


@layer("GLU", "dim=-1", macs=no_macs, family="activation")
def glu(x: Tuple, a: LayerArgs) -> Tuple:
    """Halves dim: out = a ⊗ σ(b) for the two halves a, b of the input along dim."""
    if not x:
        raise ShapeError(Code.WRONG_RANK, "GLU needs at least a 1-D input to halve but receives a scalar")
    dim = _wrap_dim(a.name, a.int("dim"), x)
    if S.is_int(x[dim]) and x[dim] % 2:
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"GLU halves dim {dim}, which must be even but has size {x[dim]}",
                         arg="dim", input=S.render_shape(x))
    return x[:dim] + (S.floordiv(x[dim], 2),) + x[dim + 1:]


@layer("PReLU", "num_parameters=1, init=0.25, device=None, dtype=None", params=lambda a: a.int("num_parameters"),
       macs=no_macs, family="activation")
def prelu(x: Tuple, a: LayerArgs) -> Tuple:
    """One slope per channel (dim 1) unless num_parameters=1; shape unchanged."""
    n = a.int("num_parameters")
    if n != 1 and (len(x) < 2 or S.same(x[1], n) is False):
        got = x[1] if len(x) > 1 and S.is_int(x[1]) else None
        raise ShapeError(Code.CHANNEL_MISMATCH, f"PReLU(num_parameters={n}) expects {n} channels but receives "
                                   f"{S.render_shape(x)}", arg="num_parameters", value=got)
    return x


def first_tensor(out) -> Optional[Shape]:
    """The shape that stands for a layer's output in reports: its first tensor's."""
    while isinstance(out, Outputs):
        out = out[0] if out else None
    return out


def default_input(rule: LayerRule, a: LayerArgs) -> Shape:
    """The symbolic input a model starting with this layer takes (B×C×H×W for a Conv2d)."""
    try:
        return rule.expects(a)
    except NotKnown:
        return None
