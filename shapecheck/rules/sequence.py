"""Shape rules of the layers that read sequences: the recurrent layers and their cells.

Registered in the table of ``layers`` like every other rule, and held against torch by
tests/test_layer_rules.py.  A recurrent layer returns a Python tuple (``Outputs``): an LSTM's
``(output, (h_n, c_n))``, an RNN's or GRU's ``(output, h_n)``, an LSTMCell's ``(h', c')``.
"""

from __future__ import annotations

from typing import Tuple

from . import shapes as S
from ..diagnostics import Code
from ..ir import NotKnown, ShapeError
from .layers import Given, LayerArgs, Outputs, _invalid, layer, require_rank
from .shapes import Dimension, Shape

_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, "RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}
_TAIL = "bias=True, batch_first=False, dropout=0.0, bidirectional=False"
_SIGNATURES = {
    "RNN": f"input_size, hidden_size, num_layers=1, nonlinearity='tanh', {_TAIL}, device=None, dtype=None",
    "GRU": f"input_size, hidden_size, num_layers=1, {_TAIL}, device=None, dtype=None",
    "LSTM": f"input_size, hidden_size, num_layers=1, {_TAIL}, proj_size=0, device=None, dtype=None",
}


def _directions(a: LayerArgs) -> int:
    return 2 if a["bidirectional"] else 1


def _real_hidden(a: LayerArgs) -> int:
    """The width of h and of the output: proj_size where an LSTM projects, else hidden_size."""
    return a.int("proj_size") if a.values.get("proj_size") else a.int("hidden_size")


def _recurrent_check(a: LayerArgs) -> None:
    """RNNBase.__init__'s checks, in its order."""
    dropout = a.values["dropout"]
    if isinstance(dropout, bool) or (isinstance(dropout, (int, float)) and not 0 <= dropout <= 1):
        raise _invalid(a, "dropout", "must be a probability between 0 and 1")
    for name in ("bias", "batch_first"):
        if a.known(name) and not isinstance(a[name], bool):
            raise _invalid(a, name, "must be True or False")
    for name in ("input_size", "hidden_size", "num_layers"):
        if a.known(name) and a.int(name) <= 0:
            raise _invalid(a, name, "must be greater than zero")
    if "nonlinearity" in a.values and a.known("nonlinearity") and a["nonlinearity"] not in ("tanh", "relu"):
        raise _invalid(a, "nonlinearity", "must be 'tanh' or 'relu'")
    if "proj_size" in a.values and a.known("proj_size"):
        proj = a.int("proj_size")
        if proj < 0:
            raise _invalid(a, "proj_size", "must not be negative")
        if proj and proj >= a.int("hidden_size"):
            raise _invalid(a, "proj_size", f"must be smaller than hidden_size={a.text('hidden_size')}")


def _recurrent_params(a: LayerArgs) -> int:
    """Per layer and direction: W_ih (gates·H × in), W_hh (gates·H × H_out), two biases of gates·H,
    and W_hr (proj × H) for a projecting LSTM; layers after the first read D·H_out features."""
    gates, hidden, out = _GATES[a.kind] * a.int("hidden_size"), a.int("hidden_size"), _real_hidden(a)
    d, total = _directions(a), 0
    for index in range(a.int("num_layers")):
        features = a.int("input_size") if index == 0 else d * out
        per_direction = gates * (features + out) + (2 * gates if a["bias"] else 0)
        per_direction += out * hidden if out != hidden else 0
        total += d * per_direction
    return total


def _recurrent_expects(a: LayerArgs) -> Shape:
    batch, length = S.sym(S.BATCH), S.sym("L")
    order = (batch, length) if a.flag("batch_first") else (length, batch)
    return order + (a.size("input_size"),)


def _width_error(a: LayerArgs, name: str, got: Dimension, x: Tuple) -> ShapeError:
    return ShapeError(Code.CHANNEL_MISMATCH, f"{a.kind} expects {name}={S.render(a.size(name))} features in the last dim "
                                f"but receives {S.render(got)} (input {S.render_shape(x)})",
                      arg=name, value=got if S.is_int(got) else None)


def _check_features(a: LayerArgs, x: Tuple) -> None:
    if a.known("input_size") and S.same(x[-1], a.size("input_size")) is False:
        raise _width_error(a, "input_size", x[-1], x)


def _check_state(a: LayerArgs, given, want: Tuple, what: str) -> None:
    """A hidden state passed to forward must have exactly the shape torch would have made."""
    if not isinstance(given, Given) or given.shape is None:
        return
    got = given.shape
    if len(got) != len(want) or any(S.same(g, w) is False for g, w in zip(got, want)):
        raise ShapeError(Code.WRONG_RANK, f"{a.kind} expects {what} of shape {S.render_shape(want)} but receives "
                                   f"{S.render_shape(got)}")


def recurrent(x: Tuple, a: LayerArgs, given) -> Outputs:
    """(L, B, in) → output (L, B, D·H_out) and h_n (D·num_layers, B, H_out), with c_n of hidden_size
    for an LSTM; (B, L, in) under batch_first; an unbatched (L, in) drops the B of all three."""
    require_rank(x, (2, 3), a.kind, "3-D (L×B×features, B×L×features under batch_first) or 2-D unbatched")
    _check_features(a, x)
    batched = len(x) == 3
    length = x[1] if batched and a["batch_first"] else x[0]
    if S.is_int(length) and length == 0:
        raise ShapeError(Code.SPATIAL_TOO_SMALL, f"{a.kind} needs a sequence of at least one step but receives "
                                   f"{S.render_shape(x)}")
    batch = (x[0] if a["batch_first"] else x[1],) if batched else ()
    layers, out = _directions(a) * a.int("num_layers"), _real_hidden(a)
    h = (layers,) + batch + (out,)
    output = x[:-1] + (_directions(a) * out,)
    if a.kind != "LSTM":
        _check_state(a, given["hx"], h, "hx")
        return Outputs((output, h))
    c = (layers,) + batch + (a.int("hidden_size"),)
    hx = given["hx"]
    if isinstance(hx, tuple) and len(hx) == 2:
        _check_state(a, hx[0], h, "hx[0] (h_0)")
        _check_state(a, hx[1], c, "hx[1] (c_0)")
    return Outputs((output, Outputs((h, c))))


for _kind, _signature in _SIGNATURES.items():
    layer(_kind, _signature, params=_recurrent_params, expects=_recurrent_expects, check=_recurrent_check,
          forward="hx=None")(recurrent)


def _cell_check(a: LayerArgs) -> None:
    for name in ("input_size", "hidden_size"):
        if a.known(name) and a.int(name) < 0:
            raise _invalid(a, name, "must not be negative")
    if a.kind == "RNNCell" and a.known("nonlinearity") and a["nonlinearity"] not in ("tanh", "relu"):
        raise _invalid(a, "nonlinearity", "must be 'tanh' or 'relu'")


def _cell_params(a: LayerArgs) -> int:
    gates = _GATES[a.kind] * a.int("hidden_size")
    return gates * (a.int("input_size") + a.int("hidden_size")) + (2 * gates if a["bias"] else 0)


@layer("RNNCell", "input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None",
       params=_cell_params, check=_cell_check, expects=lambda a: (S.sym(S.BATCH), a.size("input_size")),
       forward="hx=None")
def cell(x: Tuple, a: LayerArgs, given):
    """(B, in) → h' (B, hidden_size), with c' for an LSTMCell; an unbatched (in,) gives (hidden_size,)."""
    require_rank(x, (1, 2), a.kind, "2-D (B×features) or 1-D unbatched")
    _check_features(a, x)
    h = x[:-1] + (a.size("hidden_size"),)
    hx = given["hx"]
    if a.kind != "LSTMCell":
        _check_cell_state(a, hx, x, "hx")
        return h
    if isinstance(hx, tuple) and len(hx) == 2:
        _check_cell_state(a, hx[0], x, "hx[0] (h_0)")
        _check_cell_state(a, hx[1], x, "hx[1] (c_0)")
    return Outputs((h, h))


def _check_cell_state(a: LayerArgs, given, x: Tuple, what: str) -> None:
    """torch's own checks: a 1-D or 2-D state, given a batch dim where the input lacks one, whose
    dims 0 and 1 are the batch and hidden_size; a state that passes them with more dims is
    broadcast in ways left unknown."""
    if not isinstance(given, Given) or given.shape is None:
        return
    got = given.shape
    want = (x[0] if len(x) == 2 else 1, a.size("hidden_size"))
    state = got if len(x) == 2 else (1,) + got
    if len(got) not in (1, 2) or len(state) < 2 or any(S.same(g, w) is False for g, w in zip(state, want)):
        raise ShapeError(Code.WRONG_RANK, f"{a.kind} expects {what} of shape {S.render_shape(x[:-1] + want[1:])} "
                                   f"but receives {S.render_shape(got)}")
    if len(state) != 2:
        raise NotKnown(what)


for _kind in ("GRUCell", "LSTMCell"):
    layer(_kind, "input_size, hidden_size, bias=True, device=None, dtype=None", params=_cell_params,
          check=_cell_check, expects=lambda a: (S.sym(S.BATCH), a.size("input_size")), forward="hx=None")(cell)
