"""Shape rules of the layers that read sequences: the recurrent layers and their cells, attention
and the transformer layers.

Registered in the table of ``layers`` like every other rule, and held against torch by
tests/test_layer_rules.py.  A recurrent layer returns a Python tuple (``Outputs``): an LSTM's
``(output, (h_n, c_n))``, an RNN's or GRU's ``(output, h_n)``, an LSTMCell's ``(h', c')``;
MultiheadAttention its ``(output, weights)``.  A TransformerEncoder or Decoder runs the layer it
was given (a value of the interpreter's, with its rule and arguments), and a bug in that layer is
reported where it was built.
"""

from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import Optional, Tuple

from . import shapes as S
from ..diagnostics import Code
from ..ir import NotKnown, ShapeError
from .layers import NO_TENSOR, Given, LayerArgs, Outputs, _invalid, layer, require_rank
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


def _recurrent_macs(x: Tuple, out: Outputs, a: LayerArgs, given=None) -> int:
    """Per step and row: for each layer and direction the products with W_ih, W_hh (and W_hr),
    gates·H × (features + H_out) + H × proj; the gate arithmetic is not counted."""
    steps_and_rows = prod(x[:-1])
    gates, hidden, real = _GATES[a.kind] * a.int("hidden_size"), a.int("hidden_size"), _real_hidden(a)
    d, per_row = _directions(a), 0
    for index in range(a.int("num_layers")):
        features = a.int("input_size") if index == 0 else d * real
        per_row += d * (gates * (features + real) + (real * hidden if real != hidden else 0))
    return steps_and_rows * per_row


def _recurrent_expects(a: LayerArgs) -> Shape:
    return _sequence_input(a, a.size("input_size"))


def _sequence_input(a: LayerArgs, features: Dimension) -> Shape:
    """L×B×features, or B×L×features under batch_first: what a sequence layer is fed."""
    batch, length = S.sym(S.BATCH), S.sym("L")
    return ((batch, length) if a.flag("batch_first") else (length, batch)) + (features,)


def _width_error(a: LayerArgs, name: str, got: Dimension, x: Tuple) -> ShapeError:
    return ShapeError(Code.CHANNEL_MISMATCH, f"{a.kind} expects {name}={S.render(a.size(name))} features in the last dim "
                                f"but receives {S.render(got)}", input=S.render_shape(x),
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
          forward="hx=None", macs=_recurrent_macs)(recurrent)


def _cell_check(a: LayerArgs) -> None:
    for name in ("input_size", "hidden_size"):
        if a.known(name) and a.int(name) < 0:
            raise _invalid(a, name, "must not be negative")
    if a.kind == "RNNCell" and a.known("nonlinearity") and a["nonlinearity"] not in ("tanh", "relu"):
        raise _invalid(a, "nonlinearity", "must be 'tanh' or 'relu'")


def _cell_macs(x: Tuple, out, a: LayerArgs, given=None) -> int:
    """Per row: gates·H × (input + H), the products with W_ih and W_hh."""
    return prod(x[:-1]) * _GATES[a.kind] * a.int("hidden_size") * (a.int("input_size") + a.int("hidden_size"))


def _cell_params(a: LayerArgs) -> int:
    gates = _GATES[a.kind] * a.int("hidden_size")
    return gates * (a.int("input_size") + a.int("hidden_size")) + (2 * gates if a["bias"] else 0)


@layer("RNNCell", "input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None",
       params=_cell_params, check=_cell_check, expects=lambda a: (S.sym(S.BATCH), a.size("input_size")),
       forward="hx=None", macs=_cell_macs)
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
          check=_cell_check, expects=lambda a: (S.sym(S.BATCH), a.size("input_size")), forward="hx=None",
          macs=_cell_macs)(cell)


# --- attention and transformers -------------------------------------------------------------------

_ATTENTION_SIG = ("embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, "
                  "kdim=None, vdim=None, batch_first=False, device=None, dtype=None")
_ATTENTION_FORWARD = ("key, value, key_padding_mask=None, need_weights=True, attn_mask=None, "
                      "average_attn_weights=True, is_causal=False")


def _key_value_dims(a: LayerArgs) -> Tuple[int, int]:
    e = a.int("embed_dim")
    return tuple(e if a.values[n] is None else a.int(n) for n in ("kdim", "vdim"))


def _check_heads(a: LayerArgs, width: str, heads: str) -> None:
    """Both sizes positive, the width a multiple of the heads: what MultiheadAttention.__init__
    asserts (a transformer layer's d_model and nhead are its attention's)."""
    for name in (width, heads):
        if a.known(name) and a.int(name) <= 0:
            raise _invalid(a, name, "must be greater than zero")
    if a.known(width) and a.known(heads) and a.int(width) % a.int(heads):
        raise ShapeError(Code.GROUPS, f"{a.kind} {width}={a.int(width)} is not divisible by "
                                      f"{heads}={a.int(heads)}", arg=heads)


def _attention_check(a: LayerArgs) -> None:
    _check_heads(a, "embed_dim", "num_heads")


def _attention_params(a: LayerArgs) -> int:
    """The q, k, v projections (one 3E × E matrix where kdim = vdim = E), out_proj, bias_k and bias_v."""
    e, (k, v) = a.int("embed_dim"), _key_value_dims(a)
    bias = 3 * e + e if a["bias"] else 0
    return e * (e + k + v) + e * e + bias + (2 * e if a["add_bias_kv"] else 0)


def _tensor(given, what: str, kind: str) -> Tuple:
    if not isinstance(given, Given):
        raise NotKnown(what)
    if given.shape is None:
        raise NotKnown(what)
    return given.shape


def _to_sequence_first(a: LayerArgs, shapes: Tuple[Tuple, ...]) -> Tuple[Tuple, ...]:
    """(L, N, E) from (N, L, E) under batch_first; an unbatched (L, E) as (L, 1, E)."""
    if len(shapes[0]) == 2:
        return tuple((s[0], 1) + s[1:] for s in shapes)
    if a.flag("batch_first"):
        return tuple((s[1], s[0]) + s[2:] for s in shapes)
    return shapes


def _feature_error(a: LayerArgs, name: str, want: Dimension, got: Dimension, what: str, x: Tuple) -> ShapeError:
    return ShapeError(Code.CHANNEL_MISMATCH, f"{a.kind} expects {what} of {name}={S.render(want)} features "
                                             f"but receives {S.render(got)} ({what} {S.render_shape(x)})",
                      arg=name, value=got if S.is_int(got) and a.written.get(name) else None)


def _differ(x: Dimension, y: Dimension) -> bool:
    return S.same(x, y) is False


def _attention_macs(query: Tuple, out, a: LayerArgs, given) -> int:
    """The q, k and v projections, the scores and the weighted sum (L·S·E each), out_proj."""
    (length, batch, e), k, v = _to_sequence_first(a, (query, given["key"], given["value"]))
    keys = k[0] + int(bool(a["add_bias_kv"])) + int(bool(a["add_zero_attn"]))
    return batch * (2 * length * e * e + k[0] * e * k[2] + v[0] * e * v[2] + 2 * length * keys * e)


@layer("MultiheadAttention", _ATTENTION_SIG, params=_attention_params, check=_attention_check,
       expects=lambda a: _sequence_input(a, a.size("embed_dim")), forward=_ATTENTION_FORWARD, macs=_attention_macs)
def attention(query: Tuple, a: LayerArgs, given) -> Outputs:
    """query (L, N, E), key (S, N, kdim), value (S, N, vdim) → (output like query, weights (N, L, S)
    averaged over heads, (N, heads, L, S) if not, None without need_weights); (N, L, E) under
    batch_first; unbatched (L, E) drops N.  add_bias_kv and add_zero_attn add one key each."""
    key, value = _tensor(given["key"], "key", a.kind), _tensor(given["value"], "value", a.kind)
    require_rank(query, (2, 3), a.kind, "3-D (L×B×E, B×L×E under batch_first) or 2-D unbatched query")
    if len(key) != len(query) or len(value) != len(query):
        raise ShapeError(Code.WRONG_RANK, f"{a.kind} expects key and value of the query's {len(query)} dims but "
                                          f"receives {S.render_shape(key)} and {S.render_shape(value)}")
    q, k, v = _to_sequence_first(a, (query, key, value))
    e, (kdim, vdim) = a.size("embed_dim"), _key_value_dims(a)
    if _differ(q[2], e):
        raise _feature_error(a, "embed_dim", e, q[2], "a query", query)
    separate = kdim != a.int("embed_dim") or vdim != a.int("embed_dim")
    if any(_differ(x, y) for x, y in zip(k if not separate else k[:2], v if not separate else v[:2])):
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{a.kind} receives a key {S.render_shape(key)} whose "
                                                     f"{'shape' if not separate else 'length and batch'} "
                                                     f"differ from the value's {S.render_shape(value)}")
    if _differ(k[2], kdim):
        raise _feature_error(a, "kdim", kdim, k[2], "a key", key)
    if _differ(v[2], vdim):
        raise _feature_error(a, "vdim", vdim, v[2], "a value", value)
    if _differ(k[1], q[1]):
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{a.kind} receives a query of batch {S.render(q[1])} but a "
                                                     f"key of batch {S.render(k[1])}")
    if given["is_causal"] is True and given["attn_mask"] is None:
        raise ShapeError(Code.INVALID_ARGUMENT, f"{a.kind} is_causal=True needs an attn_mask")
    return Outputs((query, _attention_weights(a, given, q, k, len(query) == 3)))


def _attention_weights(a: LayerArgs, given, q: Tuple, k: Tuple, batched: bool):
    need, average = given["need_weights"], given["average_attn_weights"]
    if not isinstance(need, bool) or not isinstance(average, bool):
        raise NotKnown("need_weights")
    if not need:
        return NO_TENSOR
    keys = S.add(k[0], int(bool(a["add_bias_kv"])) + int(bool(a["add_zero_attn"])))
    heads = () if average else (a.int("num_heads"),)
    return ((q[1],) if batched else ()) + heads + (q[0], keys)



_ENCODER_SIG = ("d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-05, "
                "batch_first=False, norm_first=False, bias=True, device=None, dtype=None")


def _block_params(d: int, heads: int, feedforward: int, bias: bool, attentions: int) -> int:
    """``attentions`` MultiheadAttention(d), linear1 d → ff, linear2 ff → d, and one LayerNorm(d)
    per attention plus one: what an encoder layer (1) or decoder layer (2) holds."""
    attention = 4 * d * d + (4 * d if bias else 0)
    linears = 2 * d * feedforward + (feedforward + d if bias else 0)
    return attentions * attention + linears + (attentions + 1) * (2 * d if bias else d)


def _transformer_check(a: LayerArgs) -> None:
    _check_heads(a, "d_model", "nhead")
    if a.known("activation") and isinstance(a["activation"], str) and a["activation"] not in ("relu", "gelu"):
        raise _invalid(a, "activation", "must be 'relu' or 'gelu' (or a function)")


def _layer_params(a: LayerArgs, attentions: int) -> int:
    return _block_params(a.int("d_model"), a.int("nhead"), a.int("dim_feedforward"), bool(a["bias"]), attentions)


def _check_model_width(a: LayerArgs, x: Tuple, what: str) -> None:
    require_rank(x, (2, 3), a.kind, f"3-D (L×B×d_model, B×L×d_model under batch_first) or 2-D unbatched {what}")
    if _differ(x[-1], a.size("d_model")):
        raise _feature_error(a, "d_model", a.size("d_model"), x[-1], what, x)


def _block_macs(a: LayerArgs, x: Tuple, memory: Optional[Tuple] = None) -> int:
    """An encoder layer on x (L, N, d), or with ``memory`` (S, N, d) a decoder layer: its
    attentions (projections 4·d² per query, scores and weighted sum 2·L·S·d), the feed-forward
    block (2·d·ff per position) and a LayerNorm per attention plus one (5 per element)."""
    (length, batch, d), ff = _to_sequence_first(a, (x,))[0], a.int("dim_feedforward")
    positions = length * batch
    macs = positions * (4 * d * d + 2 * d * ff + 10 * d) + 2 * batch * length * length * d
    if memory is not None:
        keys = _to_sequence_first(a, (memory,))[0][0]
        macs += batch * (2 * length * d * d + 2 * keys * d * d + 2 * length * keys * d) + 5 * positions * d
    return macs


@layer("TransformerEncoderLayer", _ENCODER_SIG, params=lambda a: _layer_params(a, 1), check=_transformer_check,
       expects=lambda a: _sequence_input(a, a.size("d_model")),
       forward="src_mask=None, src_key_padding_mask=None, is_causal=False",
       macs=lambda x, out, a, given: _block_macs(a, x))
def encoder_layer(src: Tuple, a: LayerArgs, given) -> Tuple:
    """Self-attention and a feed-forward block: (L, B, d_model) unchanged (B first under batch_first)."""
    _check_model_width(a, src, "src")
    return src


def _check_memory(a: LayerArgs, tgt: Tuple, memory) -> None:
    """Cross-attention reads memory as key and value: the tgt's rank and batch, d_model features."""
    memory = _tensor(memory, "memory", a.kind)
    if len(memory) != len(tgt):
        raise ShapeError(Code.WRONG_RANK, f"{a.kind} expects memory of the tgt's {len(tgt)} dims but receives "
                                          f"{S.render_shape(memory)}")
    _check_model_width(a, memory, "memory")
    batch = 0 if a.flag("batch_first") else 1
    if len(tgt) == 3 and _differ(tgt[batch], memory[batch]):
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{a.kind} receives a tgt of batch {S.render(tgt[batch])} "
                                                     f"but a memory of batch {S.render(memory[batch])}")


_DECODER_FORWARD = ("memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, "
                    "memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False")


@layer("TransformerDecoderLayer", _ENCODER_SIG, params=lambda a: _layer_params(a, 2), check=_transformer_check,
       forward=_DECODER_FORWARD, macs=lambda x, out, a, given: _block_macs(a, x, given["memory"]))
def decoder_layer(tgt: Tuple, a: LayerArgs, given) -> Tuple:
    """Self-attention on tgt, attention over memory, feed-forward: tgt's shape unchanged."""
    _check_model_width(a, tgt, "tgt")
    _check_memory(a, tgt, given["memory"])
    return tgt


def _stacked(a: LayerArgs, name: str, kind: str):
    """The layer an encoder or decoder copies num_layers times (``encoder_layer``), as the
    interpreter built it: a value with its ``rule`` and bound ``args``."""
    inner = a[name]
    if getattr(getattr(inner, "rule", None), "kind", None) != kind or getattr(inner, "args", None) is None:
        raise NotKnown(name)
    return inner


def _norm(a: LayerArgs):
    norm = a["norm"]
    if norm is not None and (getattr(norm, "rule", None) is None or getattr(norm, "args", None) is None):
        raise NotKnown("norm")
    return norm


def _stack_params(a: LayerArgs, name: str, kind: str) -> int:
    inner, norm = _stacked(a, name, kind), _norm(a)
    return a.int("num_layers") * inner.rule.params(inner.args) + (norm.rule.params(norm.args) if norm else 0)


def _stack(x: Tuple, a: LayerArgs, name: str, kind: str, others: Tuple) -> Tuple:
    inner, norm = _stacked(a, name, kind), _norm(a)
    _at_least_one_layer(a, "num_layers")
    x = _run_within(inner, x, others)
    return _run_within(norm, x, ()) if norm else x


def _stack_macs(x: Tuple, a: LayerArgs, name: str, kind: str, given: dict) -> int:
    """num_layers times the layer the stack was given, then its norm."""
    inner, norm = _stacked(a, name, kind), _norm(a)
    macs = a.int("num_layers") * inner.rule.count_macs(x, x, inner.args, given)
    return macs + (norm.rule.count_macs(x, x, norm.args) if norm else 0)


def _run_within(inner, x: Tuple, others: Tuple) -> Tuple:
    """A layer the stack was given, run on x: its bug is reported at the line that built it."""
    try:
        return inner.rule.output(x, inner.args, others)
    except ShapeError as error:
        raise replace(error, within=error.within or inner) from None


def _at_least_one_layer(a: LayerArgs, name: str) -> None:
    """torch builds a stack of no layers and fails on its first forward (it reads layers[0])."""
    if a.int(name) < 1:
        raise _invalid(a, name, "must be at least 1: torch's forward reads the first layer")


@layer("TransformerEncoder", "encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True",
       params=lambda a: _stack_params(a, "encoder_layer", "TransformerEncoderLayer"),
       forward="mask=None, src_key_padding_mask=None, is_causal=None",
       macs=lambda x, out, a, given: _stack_macs(x, a, "encoder_layer", "TransformerEncoderLayer", {}))
def encoder(src: Tuple, a: LayerArgs, given) -> Tuple:
    """num_layers copies of encoder_layer, then norm: src's shape unchanged."""
    return _stack(src, a, "encoder_layer", "TransformerEncoderLayer", ())


@layer("TransformerDecoder", "decoder_layer, num_layers, norm=None",
       params=lambda a: _stack_params(a, "decoder_layer", "TransformerDecoderLayer"), forward=_DECODER_FORWARD,
       macs=lambda x, out, a, given: _stack_macs(x, a, "decoder_layer", "TransformerDecoderLayer",
                                                 {"memory": given["memory"]}))
def decoder(tgt: Tuple, a: LayerArgs, given) -> Tuple:
    """num_layers copies of decoder_layer over memory, then norm: tgt's shape unchanged."""
    return _stack(tgt, a, "decoder_layer", "TransformerDecoderLayer", (given["memory"],))


def _transformer_macs(src: Tuple, a: LayerArgs, tgt: Tuple) -> int:
    """The encoder's layers on src and its final LayerNorm, the decoder's on tgt over that memory
    and its final LayerNorm."""
    encoder = a.int("num_encoder_layers") * _block_macs(a, src) + 5 * prod(src)
    return encoder + a.int("num_decoder_layers") * _block_macs(a, tgt, src) + 5 * prod(tgt)


def _whole_transformer_params(a: LayerArgs) -> int:
    if a["custom_encoder"] is not None or a["custom_decoder"] is not None:
        raise NotKnown("custom_encoder")
    d, norm = a.int("d_model"), 2 * a.int("d_model") if a["bias"] else a.int("d_model")
    return (a.int("num_encoder_layers") * _layer_params(a, 1) + norm
            + a.int("num_decoder_layers") * _layer_params(a, 2) + norm) if d else 0


@layer("Transformer", "d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, "
       "dropout=0.1, activation='relu', custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-05, "
       "batch_first=False, norm_first=False, bias=True, device=None, dtype=None",
       params=_whole_transformer_params, check=_transformer_check,
       macs=lambda x, out, a, given: _transformer_macs(x, a, given["tgt"]),
       forward="tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None, "
               "tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, "
               "tgt_is_causal=None, memory_is_causal=False")
def transformer(src: Tuple, a: LayerArgs, given) -> Tuple:
    """The encoder on src, the decoder on tgt over its memory: tgt's shape.  src and tgt need the
    same batch and d_model features."""
    if a["custom_encoder"] is not None or a["custom_decoder"] is not None:
        raise NotKnown("custom_encoder")
    tgt = _tensor(given["tgt"], "tgt", a.kind)
    _at_least_one_layer(a, "num_encoder_layers")
    _at_least_one_layer(a, "num_decoder_layers")
    batch = 0 if a.flag("batch_first") else 1
    if len(src) == 3 and len(tgt) > batch and _differ(src[batch], tgt[batch]):
        hint = "" if a.flag("batch_first") or _differ(src[0], tgt[0]) else \
            " (it reads L×B×d_model: batches given B×L×d_model need batch_first=True)"
        raise ShapeError(Code.INCOMPATIBLE_OPERANDS, f"{a.kind} receives a src of batch {S.render(src[batch])} "
                                                     f"but a tgt of batch {S.render(tgt[batch])}{hint}")
    for what, x in (("src", src), ("tgt", tgt)):
        if x and _differ(x[-1], a.size("d_model")):
            raise _feature_error(a, "d_model", a.size("d_model"), x[-1], what, x)
    _check_model_width(a, src, "src")
    _check_model_width(a, tgt, "tgt")
    _check_memory(a, tgt, Given(src))
    return tgt
