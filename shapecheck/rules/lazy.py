"""The lazy layers: ``nn.LazyLinear``, ``nn.LazyConv1d/2d/3d``, ``nn.LazyConvTranspose1d/2d/3d``.

A lazy layer becomes its plain layer at its first forward, taking ``in_features`` (the input's
last dim) or ``in_channels`` (its channel dim) from that input: so it fits any width, and the rule
is the plain layer's with that width.  Its parameters exist only once it has seen an input, so
the rule cannot count them; ``materialized`` gives the plain layer it has become once a model run
gives it a known width (as torch's first forward does: another width after that is an error).
Registered in ``layers.LAYER_RULES``; tests/test_layer_rules.py holds the rules against torch.
"""

from __future__ import annotations

from typing import Tuple

from ..ir import UNKNOWN, NotKnown
from .layers import LAYER_RULES, LayerArgs, _conv_channel_axis, layer, require_rank, spatial_ndim

_LINEAR_SIG = "out_features, bias=True, device=None, dtype=None"
_CONV_SIG = ("out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, "
             "padding_mode='zeros', device=None, dtype=None")
_TRANSPOSE_SIG = ("out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, "
                  "dilation=1, padding_mode='zeros', device=None, dtype=None")


def _plain(a: LayerArgs):
    """The rule of the layer it becomes."""
    return LAYER_RULES[a.kind[len("Lazy"):]]


def _as_plain(a: LayerArgs, width) -> LayerArgs:
    """Its arguments as the layer it becomes, ``width`` where torch fills it in at the first forward.
    A transposed one without bias makes its weight in × out // groups: (out // groups) · groups
    channels come out (torch never checks out_channels against groups for it; a bias of out_channels
    then fails)."""
    name = "in_features" if a.kind == "LazyLinear" else "in_channels"
    values = {name: width, **a.values}
    if "Transpose" in a.kind and a.known("out_channels") and a.known("groups") and a.int("groups") > 0 \
            and a.known("bias") and not a["bias"]:
        values["out_channels"] = a.int("out_channels") // a.int("groups") * a.int("groups")
    return LayerArgs(a.kind, values, a.written)


def _check(a: LayerArgs) -> None:
    _plain(a).check(_as_plain(a, UNKNOWN))


def _params(a: LayerArgs) -> int:
    raise NotKnown("a lazy layer's parameters, made at its first forward")


def _width(x: Tuple, a: LayerArgs):
    if a.kind == "LazyLinear":
        require_rank(x, range(1, 64), a.kind, "at least 1-D")
        return x[-1]
    return x[_conv_channel_axis(x, spatial_ndim(a.kind), a.kind)]


def _macs(x: Tuple, out: Tuple, a: LayerArgs) -> int:
    """The plain layer's count with the width it takes from its input."""
    return _plain(a).macs(x, out, _as_plain(a, _width(x, a)))


@layer("LazyLinear", _LINEAR_SIG, params=_params, check=_check, macs=_macs, family="linear", wants="features")
@layer("LazyConv1d LazyConv2d LazyConv3d", _CONV_SIG, params=_params, check=_check, macs=_macs, family="conv",
       wants="channels")
@layer("LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d", _TRANSPOSE_SIG, params=_params, check=_check,
       macs=_macs, family="conv_transpose", wants="channels")
def lazy(x: Tuple, a: LayerArgs) -> Tuple:
    """The plain layer's shape, its in_features / in_channels the input's."""
    return _plain(a).shape(x, _as_plain(a, _width(x, a)))


def materialized(a: LayerArgs, x: Tuple):
    """(rule, arguments) of the plain layer a lazy one becomes on input x; None for a layer that is
    not lazy or a width that is not a known number."""
    if not a.kind.startswith("Lazy") or a.kind not in LAYER_RULES:
        return None
    width = _width(x, a)
    if not isinstance(width, int):
        return None
    return _plain(a), _as_plain(a, width)
