"""One shape rule per layer kind: input shape and arguments in, output shape (or a ShapeError) out.

Each rule is a small pure function registered with ``@layer(kind, signature)``; the signature is
the PyTorch constructor's, so positional and keyword arguments bind exactly as they do in torch.
Formulas are the ones in the PyTorch documentation of each layer.  A rule that needs an argument
whose value is unknown raises ``NotKnown`` and the model is unknown from there on.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from math import prod
from typing import Callable, Dict, Optional, Sequence, Tuple

from . import shapes as S
from .ir import UNKNOWN, Arg
from .shapes import Dimension, Shape


class NotKnown(Exception):
    """An argument or dimension the rule needs is not known: the output is unknown."""


@dataclass
class ShapeError(Exception):
    """A definite shape bug.  ``arg`` names the argument to change and ``value`` its right value
    (with ``factors`` when the value is a product, e.g. (64, 4, 4) for 1024)."""

    code: str
    message: str
    arg: Optional[str] = None
    value: Optional[int] = None
    factors: Tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.message


class LayerArgs:
    """A layer's arguments bound to the constructor's parameter names, defaults filled in."""

    def __init__(self, kind: str, values: Dict[str, object], written: Dict[str, Arg]):
        self.kind = kind
        self.values = values
        self.written = written

    def __getitem__(self, name: str) -> object:
        value = self.values[name]
        if value is UNKNOWN:
            raise NotKnown(name)
        return value

    def known(self, name: str) -> bool:
        return self.values[name] is not UNKNOWN

    def int(self, name: str) -> int:
        value = self[name]
        if not S.is_int(value):
            raise NotKnown(name)
        return value

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


@dataclass(frozen=True)
class LayerRule:
    kind: str
    parameters: Tuple[Parameter, ...]
    shape: Callable[[Tuple[Dimension, ...], LayerArgs], Tuple[Dimension, ...]]
    params: Callable[[LayerArgs], int] = lambda a: 0
    expects: Callable[[LayerArgs], Shape] = lambda a: None
    check: Callable[[LayerArgs], None] = lambda a: None  # construction-time checks

    def bind(self, args: Sequence[Arg], kwargs: Sequence[Tuple[str, Arg]]) -> LayerArgs:
        values = {p.name: p.default for p in self.parameters}
        written: Dict[str, Arg] = {}
        for parameter, arg in zip(self.parameters, args):
            values[parameter.name], written[parameter.name] = arg.value, arg
        for name, arg in kwargs:
            if name in values:
                values[name], written[name] = arg.value, arg
        if len(args) > len(self.parameters):
            raise NotKnown("too many arguments")
        for p in self.parameters:
            if p.required and p.name not in written:
                raise NotKnown(f"missing {p.name}")
        return LayerArgs(self.kind, values, written)


RULES: Dict[str, LayerRule] = {}


def _parse_signature(signature: str) -> Tuple[Parameter, ...]:
    parameters = []
    for part in filter(None, (p.strip() for p in signature.split(","))):
        name, _, default = part.partition("=")
        if default:
            parameters.append(Parameter(name.strip(), ast.literal_eval(default.strip())))
        else:
            parameters.append(Parameter(name.strip(), None, required=True))
    return tuple(parameters)


def layer(kinds: str, signature: str, params=None, expects=None, check=None):
    """Register the decorated shape function for each kind in ``kinds`` (space-separated)."""

    def register(fn):
        for kind in kinds.split():
            RULES[kind] = LayerRule(kind, _parse_signature(signature), fn,
                                    params or (lambda a: 0), expects or (lambda a: None),
                                    check or (lambda a: None))
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
        raise ShapeError("SHP103", f"{kind} expects a {wants} input but receives "
                                   f"{len(x)}-D {S.render_shape(x)}")


def check_size(kind: str, dims: Sequence[Dimension], x: Tuple, n: int, what: str) -> None:
    for d in dims:
        if S.is_int(d) and d < 1:
            raise ShapeError("SHP104", f"{kind} output would be empty: {what} gives "
                                       f"{S.render(d)} from input {S.render_shape(x)}")


def _positive(a: LayerArgs, name: str, n: int) -> Tuple[int, ...]:
    values = a.tuple(name, n)
    if any(v <= 0 for v in values):
        raise ShapeError("SHP107", f"{a.kind} {name}={a.text(name)} must be positive", arg=name)
    return values


def _non_negative(a: LayerArgs, name: str, n: int) -> Tuple[int, ...]:
    values = a.tuple(name, n)
    if any(v < 0 for v in values):
        raise ShapeError("SHP107", f"{a.kind} {name}={a.text(name)} must not be negative", arg=name)
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


def _spatial_names(n: int) -> str:
    return {1: "L", 2: "H×W", 3: "D×H×W"}[n]


def channel_error(kind: str, name: str, a: LayerArgs, got: Dimension, x: Tuple) -> ShapeError:
    return ShapeError(
        "SHP102",
        f"{kind} expects {a.values[name]} input channels ({name}) but receives {S.render(got)} "
        f"(input {S.render_shape(x)})", arg=name, value=got if S.is_int(got) else None)


def check_channels(kind: str, name: str, a: LayerArgs, got: Dimension, x: Tuple) -> None:
    if a.known(name) and S.same(got, a.int(name)) is False:
        raise channel_error(kind, name, a, got, x)


# --- convolutions ------------------------------------------------------------------------------

_CONV_SIG = ("in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, "
             "bias=True, padding_mode='zeros', device=None, dtype=None")


def _conv_check(a: LayerArgs) -> None:
    g = a.int("groups")
    if g <= 0:
        raise ShapeError("SHP106", f"{a.kind} groups={a.text('groups')} must be positive", arg="groups")
    for name in ("in_channels", "out_channels"):
        if a.known(name) and a.int(name) % g:
            raise ShapeError("SHP106", f"{a.kind} {name}={a.int(name)} is not divisible by "
                                       f"groups={g}", arg="groups")
    n = spatial_ndim(a.kind)
    _positive(a, "kernel_size", n)
    _positive(a, "stride", n)
    _positive(a, "dilation", n)
    padding = a["padding"]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ShapeError("SHP107", f"{a.kind} padding={padding!r} must be 'same', 'valid' or a number",
                             arg="padding")
        if padding == "same" and any(s != 1 for s in a.tuple("stride", n)):
            raise ShapeError("SHP107", f"{a.kind} padding='same' is not supported for strided "
                                       f"convolutions (stride={a.text('stride')})", arg="stride")
    else:
        _non_negative(a, "padding", n)


def _conv_params(a: LayerArgs) -> int:
    n = spatial_ndim(a.kind)
    weight = a.int("out_channels") * (a.int("in_channels") // a.int("groups")) * prod(a.tuple("kernel_size", n))
    return weight + (a.int("out_channels") if a["bias"] else 0)


def _conv_expects(a: LayerArgs) -> Shape:
    n = spatial_ndim(a.kind)
    return (S.sym(S.BATCH), a.int("in_channels")) + tuple(S.sym(s) for s in _symbols_for(n))


def _symbols_for(n: int) -> Tuple[str, ...]:
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[n]


@layer("Conv1d Conv2d Conv3d", _CONV_SIG, params=_conv_params, expects=_conv_expects, check=_conv_check)
def conv(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.kind)
    check_channels(a.kind, "in_channels", a, x[c], x)
    k, s, d = a.tuple("kernel_size", n), a.tuple("stride", n), a.tuple("dilation", n)
    padding = a["padding"]
    if padding == "same":
        out = list(x[c + 1:])
    else:
        p = (0,) * n if padding == "valid" else a.tuple("padding", n)
        out = [window_out(size, k[i], s[i], p[i], d[i]) for i, size in enumerate(x[c + 1:])]
    _check_window_fits(a.kind, x, c, out, k, d, padding)
    return x[:c] + (a.int("out_channels"),) + tuple(out)


def _check_window_fits(kind, x, c, out, k, d, padding) -> None:
    for i, size in enumerate(out):
        if S.is_int(size) and size < 1:
            effective = d[i] * (k[i] - 1) + 1
            raise ShapeError("SHP104", f"{kind} kernel ({effective}) is larger than its padded input "
                                       f"{S.render_shape(x[c + 1:])} (input {S.render_shape(x)})")


@layer("ConvTranspose1d ConvTranspose2d ConvTranspose3d",
       "in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, "
       "bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None",
       params=_conv_params, expects=_conv_expects, check=_conv_check)
def conv_transpose(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.kind)
    check_channels(a.kind, "in_channels", a, x[c], x)
    k, s, d = a.tuple("kernel_size", n), a.tuple("stride", n), a.tuple("dilation", n)
    p, op = a.tuple("padding", n), a.tuple("output_padding", n)
    # (in − 1)·s − 2p + d(k − 1) + output_padding + 1
    out = [S.add(S.mul(S.add(size, -1), s[i]), -2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1)
           for i, size in enumerate(x[c + 1:])]
    check_size(a.kind, out, x, n, "the transposed convolution")
    return x[:c] + (a.int("out_channels"),) + tuple(out)


# --- pooling -----------------------------------------------------------------------------------


def _pool_check(a: LayerArgs) -> None:
    n = spatial_ndim(a.kind)
    k = _positive(a, "kernel_size", n)
    if a.values["stride"] is not None and a.values["stride"] is not UNKNOWN:
        _positive(a, "stride", n)
    p = _non_negative(a, "padding", n)
    d = a.tuple("dilation", n) if "dilation" in a.values else (1,) * n
    if any(pi * 2 > di * (ki - 1) + 1 for pi, ki, di in zip(p, k, d)) if a.kind.startswith("Max") \
            else any(pi * 2 > ki for pi, ki in zip(p, k)):
        raise ShapeError("SHP107", f"{a.kind} padding={a.text('padding')} should be at most half of "
                                   f"kernel_size={a.text('kernel_size')}", arg="padding")


def _pool_stride(a: LayerArgs, n: int) -> Tuple[int, ...]:
    stride = a.values["stride"]
    if stride is None or stride == () or stride == []:
        return a.tuple("kernel_size", n)
    return a.tuple("stride", n)


def _pool_expects(a: LayerArgs) -> Shape:
    n = spatial_ndim(a.kind)
    return (S.sym(S.BATCH), S.unknown("channels")) + tuple(S.sym(s) for s in _symbols_for(n))


def _pool(x: Tuple, a: LayerArgs, dilation: Tuple[int, ...]) -> Tuple:
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.kind)
    k, s, p = a.tuple("kernel_size", n), _pool_stride(a, n), a.tuple("padding", n)
    ceil = bool(a["ceil_mode"])
    out = [window_out(size, k[i], s[i], p[i], dilation[i], ceil) for i, size in enumerate(x[c + 1:])]
    for i, size in enumerate(out):
        if S.is_int(size) and size < 1:
            raise ShapeError("SHP104", f"{a.kind}({a.text('kernel_size')}) output would be empty: "
                                       f"input {S.render_shape(x)} is too small (spatial {S.render_shape(x[c + 1:])}"
                                       f" → {S.render_shape(tuple(out))})")
    return x[:c + 1] + tuple(out)


@layer("MaxPool1d MaxPool2d MaxPool3d",
       "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
       expects=_pool_expects, check=_pool_check)
def max_pool(x: Tuple, a: LayerArgs) -> Tuple:
    if a["return_indices"]:
        raise NotKnown("return_indices")
    return _pool(x, a, a.tuple("dilation", spatial_ndim(a.kind)))


@layer("AvgPool1d", "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True",
       expects=_pool_expects, check=_pool_check)
def avg_pool1d(x: Tuple, a: LayerArgs) -> Tuple:
    return _pool(x, a, (1,))


@layer("AvgPool2d AvgPool3d",
       "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None",
       expects=_pool_expects, check=_pool_check)
def avg_pool(x: Tuple, a: LayerArgs) -> Tuple:
    return _pool(x, a, (1,) * spatial_ndim(a.kind))


@layer("AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d "
       "AdaptiveMaxPool3d", "output_size, return_indices=False", expects=_pool_expects)
def adaptive_pool(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.kind)
    size = a["output_size"]
    sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * n
    if len(sizes) != n or any(s is not None and not S.is_int(s) for s in sizes):
        raise NotKnown("output_size")
    return x[:c + 1] + tuple(old if new is None else new for old, new in zip(x[c + 1:], sizes))


# --- normalisation -----------------------------------------------------------------------------

_BN_SIG = "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None"


def _affine_params(name: str):
    return lambda a: 2 * a.int(name) if a["affine" if "affine" in a.values else "elementwise_affine"] else 0


@layer("BatchNorm1d BatchNorm2d BatchNorm3d", _BN_SIG, params=_affine_params("num_features"),
       expects=lambda a: _norm_expects(a))
def batch_norm(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    ranks = {1: (2, 3), 2: (4,), 3: (5,)}[n]
    wants = {1: "2-D (B×C) or 3-D (B×C×L)", 2: "4-D (B×C×H×W)", 3: "5-D (B×C×D×H×W)"}[n]
    require_rank(x, ranks, a.kind, wants)
    check_channels(a.kind, "num_features", a, x[1], x)
    return x


def _norm_expects(a: LayerArgs) -> Shape:
    n = spatial_ndim(a.kind)
    return (S.sym(S.BATCH), a.int("num_features")) + tuple(S.sym(s) for s in _symbols_for(n))


@layer("InstanceNorm1d InstanceNorm2d InstanceNorm3d",
       "num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, device=None, dtype=None",
       params=_affine_params("num_features"), expects=lambda a: _norm_expects(a))
def instance_norm(x: Tuple, a: LayerArgs) -> Tuple:
    n = spatial_ndim(a.kind)
    c = _conv_channel_axis(x, n, a.kind)
    if a["affine"] or a["track_running_stats"]:
        check_channels(a.kind, "num_features", a, x[c], x)
    return x


def _group_norm_check(a: LayerArgs) -> None:
    if a.known("num_channels") and a.known("num_groups") and a.int("num_channels") % a.int("num_groups"):
        raise ShapeError("SHP106", f"GroupNorm num_channels={a.int('num_channels')} is not divisible by "
                                   f"num_groups={a.int('num_groups')}", arg="num_groups")


@layer("GroupNorm", "num_groups, num_channels, eps=1e-05, affine=True, device=None, dtype=None",
       params=_affine_params("num_channels"), check=_group_norm_check)
def group_norm(x: Tuple, a: LayerArgs) -> Tuple:
    if len(x) < 2:
        raise ShapeError("SHP103", f"GroupNorm expects at least 2-D (B×C×...) input but receives "
                                   f"{len(x)}-D {S.render_shape(x)}")
    check_channels(a.kind, "num_channels", a, x[1], x)
    return x


@layer("LayerNorm", "normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, device=None, dtype=None",
       params=lambda a: _layer_norm_params(a))
def layer_norm(x: Tuple, a: LayerArgs) -> Tuple:
    normalized = _normalized_shape(a)
    tail = x[len(x) - len(normalized):] if len(normalized) <= len(x) else None
    if tail is None or any(S.same(got, want) is False for got, want in zip(tail, normalized)):
        raise ShapeError("SHP102", f"LayerNorm expects the last dims {S.render_shape(normalized)} but "
                                   f"receives {S.render_shape(x)}", arg="normalized_shape")
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


# --- linear and reshaping ------------------------------------------------------------------------


def _linear_params(a: LayerArgs) -> int:
    return a.int("in_features") * a.int("out_features") + (a.int("out_features") if a["bias"] else 0)


@layer("Linear", "in_features, out_features, bias=True, device=None, dtype=None",
       params=_linear_params, expects=lambda a: (S.sym(S.BATCH), a.int("in_features")))
def linear(x: Tuple, a: LayerArgs) -> Tuple:
    if not x:
        raise ShapeError("SHP103", "Linear expects at least a 1-D input but receives a scalar")
    got, want = x[-1], a.int("in_features")
    if S.same(got, want) is False:
        raise _features_error(a, got, x)
    if not S.is_int(got) and not S.is_unknown(got):
        solutions = S.solve([S.Constraint(got, want)])
        if solutions == []:
            raise ShapeError("SHP101", f"Linear expects {want} input features but receives "
                                       f"{S.render(got)}, which is never {want} for any input size",
                             arg="in_features")
    return x[:-1] + (a.int("out_features"),)


def _features_error(a: LayerArgs, got: int, x: Tuple) -> ShapeError:
    want = a.int("in_features")
    return ShapeError("SHP101", f"Linear expects {want} input features but receives {got}",
                      arg="in_features", value=got)


@layer("Bilinear", "in1_features, in2_features, out_features, bias=True, device=None, dtype=None",
       params=lambda a: a.int("in1_features") * a.int("in2_features") * a.int("out_features")
       + (a.int("out_features") if a["bias"] else 0))
def bilinear(x: Tuple, a: LayerArgs) -> Tuple:
    raise NotKnown("Bilinear takes two inputs")


def flatten_shape(x: Tuple, start: int, end: int, kind: str = "Flatten") -> Tuple:
    if not x:
        return (1,)
    rank = len(x)
    s, e = start + rank if start < 0 else start, end + rank if end < 0 else end
    if not (0 <= s < rank and 0 <= e < rank) or s > e:
        raise ShapeError("SHP103", f"{kind}(start_dim={start}, end_dim={end}) does not fit a {rank}-D "
                                   f"input {S.render_shape(x)}")
    return x[:s] + (S.product(x[s:e + 1]),) + x[e + 1:]


@layer("Flatten", "start_dim=1, end_dim=-1")
def flatten(x: Tuple, a: LayerArgs) -> Tuple:
    return flatten_shape(x, a.int("start_dim"), a.int("end_dim"))


@layer("Unflatten", "dim, unflattened_size")
def unflatten(x: Tuple, a: LayerArgs) -> Tuple:
    dim, sizes = a.int("dim"), tuple(a["unflattened_size"])
    dim = dim + len(x) if dim < 0 else dim
    if not 0 <= dim < len(x) or not all(S.is_int(s) for s in sizes):
        raise NotKnown("unflattened_size")
    total = S.product(s for s in sizes if s != -1)
    if -1 in sizes:
        rest = S.divide_exact(x[dim], total)
        if rest is None:
            raise NotKnown("unflattened_size")
        sizes = tuple(rest if s == -1 else s for s in sizes)
    elif S.same(total, x[dim]) is False:
        raise ShapeError("SHP105", f"Unflatten({dim}, {tuple(sizes)}) needs dim {dim} of size {total} but "
                                   f"receives {S.render_shape(x)}")
    return x[:dim] + sizes + x[dim + 1:]


# --- element-wise layers -------------------------------------------------------------------------


def same_shape(x: Tuple, a: LayerArgs) -> Tuple:
    return x


for _kind, _sig in {
    "ReLU ReLU6 SELU CELU SiLU Mish Sigmoid Tanh Hardswish Hardsigmoid Tanhshrink Softsign": "inplace=False",
    "LeakyReLU": "negative_slope=0.01, inplace=False",
    "ELU": "alpha=1.0, inplace=False",
    "GELU": "approximate='none'",
    "Hardtanh": "min_val=-1.0, max_val=1.0, inplace=False",
    "Softplus": "beta=1.0, threshold=20.0",
    "Softmax LogSoftmax Softmin": "dim=None",
    "Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout": "p=0.5, inplace=False",
    "Identity": "*args",
}.items():
    layer(_kind, _sig.replace("*args", ""))(same_shape)


@layer("PReLU", "num_parameters=1, init=0.25, device=None, dtype=None", params=lambda a: a.int("num_parameters"))
def prelu(x: Tuple, a: LayerArgs) -> Tuple:
    n = a.int("num_parameters")
    if n != 1 and (len(x) < 2 or S.same(x[1], n) is False):
        raise ShapeError("SHP102", f"PReLU(num_parameters={n}) expects {n} channels but receives "
                                   f"{S.render_shape(x)}", arg="num_parameters")
    return x


def default_input(rule: LayerRule, a: LayerArgs) -> Shape:
    """The symbolic input a model starting with this layer takes (B×C×H×W for a Conv2d)."""
    try:
        return rule.expects(a)
    except NotKnown:
        return None
