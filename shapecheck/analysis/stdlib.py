"""Python's builtins and standard library as the interpreter knows them.

Operators, comparisons and methods on constants (ints, strings, lists, dicts) are computed for
real, within bounds; builtins (``len``, ``range``, ``isinstance``, ``zip``...) and well-known
globals (``math.floor``, ``collections.OrderedDict``, ``typing.cast``, ``torch.no_grad``) are
table entries ``fn(interp, args, kwargs, node)``.  Whatever cannot be known is ``UNKNOWN``.
Nothing here imports the interpreter: it is handed in as ``interp``.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Dict

from ..rules import shapes as S
from ..ir import UNKNOWN
from ..rules.shapes import Tensor
from .values import AbstractObject, Builtin, ClassValue, Container, Global, Instance, Layer, Parameters, Partial

MAX_SEQUENCE = 100_000
MAX_BITS = 10_000  # about 3,000 decimal digits


# --- operators and methods on constants -----------------------------------------------------------

BINOP_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
                 ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
                 ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}
_PY_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
              ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
              ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift}


def python_binop(op, left, right):
    fn = _PY_BINOPS.get(type(op))
    if fn is None or not plain(left) or not plain(right) or not _fits(op, left, right):
        return UNKNOWN
    if isinstance(op, ast.Mod) and isinstance(left, str) and not _formats_small(left, right):
        return UNKNOWN
    try:
        return fn(left, right)
    except Exception:
        return UNKNOWN


def _fits(op, left, right) -> bool:
    """Whether the result stays small: model code computes with small numbers and short
    sequences, and a file that does not (``x = x * x`` in a loop, ``s + s``) must not take the
    checker's time or memory."""
    if isinstance(op, ast.Pow) and _is_int(left) and _is_int(right):
        return abs(right) <= 256 and max(left.bit_length(), 1) * abs(right) <= MAX_BITS
    if isinstance(op, ast.LShift) and _is_int(left) and _is_int(right):
        return right <= 256 and left.bit_length() + right <= MAX_BITS
    if isinstance(op, ast.Mult) and _is_int(left) and _is_int(right):
        return left.bit_length() + right.bit_length() <= MAX_BITS
    if isinstance(op, ast.Mult) and (_is_sequence(left) or _is_sequence(right)):
        count, seq = (right, left) if _is_sequence(left) else (left, right)
        return _is_int(count) and count * len(seq) <= MAX_SEQUENCE
    if isinstance(op, ast.Add) and _is_sequence(left) and _is_sequence(right):
        return len(left) + len(right) <= MAX_SEQUENCE
    return True


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, str))


def small(value) -> bool:
    """A value a builtin may work on without a bound of its own: no huge number or sequence."""
    if _is_int(value):
        return value.bit_length() <= MAX_BITS
    if isinstance(value, (list, tuple, str, dict, range)):
        return length(value) <= MAX_SEQUENCE
    return True


def length(value) -> int:
    """len(value), also for a range too long for len() (``range(10**30)``)."""
    try:
        return len(value)
    except OverflowError:
        return (value[-1] - value[0]) // value.step + 1


# a field as wide as a number says (%9999d, {:>9999}), or as an argument says (%*d, {:>{w}})
_WIDE_FIELD = re.compile(r"%[-+ #0]*(\d{3,}|\*)|%[-+ #0]*\d*\.(\d{3,}|\*)|\{[^}]*(\d{3,}|\{)")


def _formats_small(template: str, values) -> bool:
    """``"denselayer%d" % (i + 1)``: a template without huge field widths, filled with numbers
    and strings, gives a string of about its own size."""
    items = values if isinstance(values, tuple) else (values,)
    return not _WIDE_FIELD.search(template) and all(isinstance(v, (int, float, str)) for v in items)


def format_field(value, conversion: int, spec) -> object:
    """One ``{value!r:spec}`` of an f-string, for numbers and strings; UNKNOWN otherwise."""
    if not isinstance(value, (int, float, str)) or not isinstance(spec, str) or _WIDE_FIELD.search("{:" + spec + "}"):
        return UNKNOWN
    if not small(value):
        return UNKNOWN
    if conversion == ord("r"):
        value = repr(value)
    elif conversion in (ord("s"), ord("a")):
        value = str(value) if conversion == ord("s") else ascii(value)
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        return UNKNOWN


def plain(value) -> bool:
    if isinstance(value, (int, float, str, bool, complex)) or value is None:
        return True
    if isinstance(value, (list, tuple)):
        return True
    return False


def dim_arith(symbol, left, right):
    if not all(S.is_int(v) or isinstance(v, S.Dim) for v in (left, right)):
        return UNKNOWN
    if symbol == "+":
        return S.add(left, right)
    if symbol == "-":
        return S.sub(left, right)
    if symbol == "*":
        return S.mul(left, right)
    if symbol == "//":
        return S.floordiv(left, right)
    return UNKNOWN


_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}


def compare(op, left, right):
    if isinstance(op, (ast.Is, ast.IsNot)):
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
            same = left is right
            return same if isinstance(op, ast.Is) else not same
        return UNKNOWN
    if left is UNKNOWN or right is UNKNOWN or isinstance(left, (S.Dim, Tensor)) or isinstance(right, (S.Dim, Tensor)):
        return UNKNOWN
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(right, (list, tuple, str, dict)) or (isinstance(right, (list, tuple)) and UNKNOWN in right):
            return UNKNOWN
        try:
            found = left in right
        except Exception:
            return UNKNOWN
        return found if isinstance(op, ast.In) else not found
    if isinstance(left, Global) or isinstance(right, Global):
        return _compare_globals(op, left, right)
    if not plain(left) or not plain(right):
        if isinstance(op, (ast.Eq, ast.NotEq)):
            same = left is right
            return same if isinstance(op, ast.Eq) else not same
        return UNKNOWN
    try:
        return bool(_COMPARE[type(op)](left, right))
    except Exception:
        return UNKNOWN


def _compare_globals(op, left, right):
    """``norm_layer == nn.InstanceNorm2d``: library names are equal when they are the same name;
    a name imported from elsewhere may hold any value."""
    if not isinstance(op, (ast.Eq, ast.NotEq)):
        return UNKNOWN
    if isinstance(left, Global) and isinstance(right, Global):
        if left.qualname == right.qualname:
            same = True
        elif left.qualname.startswith(_LIBRARIES) and right.qualname.startswith(_LIBRARIES):
            same = False
        else:
            return UNKNOWN
    elif isinstance(left, (Instance, Layer, Container, Partial, ClassValue)) or \
            isinstance(right, (Instance, Layer, Container, Partial, ClassValue)):
        same = False
    else:
        return UNKNOWN
    return same if isinstance(op, ast.Eq) else not same


_LIBRARIES = ("torch.", "functools.", "numpy.", "collections.", "typing.", "math.")


def python_method(receiver, name: str, args: list, kwargs: dict):
    if name.startswith("_") or any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()):
        if isinstance(receiver, list) and name in ("append", "extend", "insert"):
            receiver.append(UNKNOWN)
        return UNKNOWN
    allowed = _SAFE_METHODS.get(type(receiver))
    if allowed is None or name not in allowed:
        return UNKNOWN
    if not _method_fits(receiver, name, args, kwargs):
        if isinstance(receiver, list) and name in ("append", "extend", "insert"):
            receiver.append(UNKNOWN)
        return UNKNOWN
    try:
        result = getattr(receiver, name)(*args, **kwargs)
    except Exception:
        return UNKNOWN
    if isinstance(result, (type({}.items()), type({}.keys()), type({}.values()))):
        return list(result)
    return result


def _method_fits(receiver, name: str, args: list, kwargs: dict) -> bool:
    """Whether the method's result stays small (see _fits)."""
    if not all(small(v) for v in list(args) + list(kwargs.values())):
        return False
    if name == "format":
        return not _WIDE_FIELD.search(receiver) and len(receiver) <= MAX_SEQUENCE
    if name == "join":
        items = args[0] if args and isinstance(args[0], (list, tuple)) else ()
        return sum(len(v) if isinstance(v, str) else 1 for v in items) + len(receiver) * len(items) <= MAX_SEQUENCE
    if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        return len(receiver) * (len(args[1]) + 1) <= MAX_SEQUENCE
    if name == "extend" and args and isinstance(args[0], (list, tuple, str, dict)):
        return len(receiver) + len(args[0]) <= MAX_SEQUENCE
    if name in ("append", "insert"):
        return len(receiver) < MAX_SEQUENCE
    return True


_SAFE_METHODS = {
    list: {"append", "extend", "insert", "pop", "index", "count", "copy", "reverse", "remove"},
    tuple: {"index", "count"},
    dict: {"items", "keys", "values", "get", "copy", "update", "setdefault", "pop"},
    str: {"format", "join", "split", "upper", "lower", "startswith", "endswith", "replace", "strip", "isdigit"},
    int: {"bit_length"},
    float: {"is_integer"},
}


def hashable(value) -> bool:
    try:
        hash(value)
        return value is not UNKNOWN
    except TypeError:
        return False


# --- builtins and well-known globals --------------------------------------------------------------


def _builtin(fn):
    return Builtin(fn.__name__, lambda interp, args, kwargs, node: fn(*args, **kwargs)
                   if not any(a is UNKNOWN or not small(a) for a in args) else UNKNOWN)


def _safe(fn):
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            return UNKNOWN
    call.__name__ = fn.__name__
    return call


def _pow(base, exponent, modulus=None):
    if modulus is None:
        return python_binop(ast.Pow(), base, exponent)
    return pow(base, exponent, modulus)


def _range(*args):
    if not all(S.is_int(a) for a in args):
        return UNKNOWN
    return range(*args)


def _len(value):
    if isinstance(value, (list, tuple, str, dict, range)):
        return length(value)
    if isinstance(value, (Container, Parameters)):
        return len(value.items) if ("?", UNKNOWN) not in value.items else UNKNOWN
    if isinstance(value, Instance) and value.cls.container_base:
        return len(value.children())
    if isinstance(value, Tensor) and value.shape:
        return value.shape[0]
    return UNKNOWN


def _isinstance(value, kinds):
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    results = set()
    for kind in kinds:
        if isinstance(kind, Builtin) and kind.name in ("int", "float", "str", "list", "tuple", "dict", "bool"):
            py = {"int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict,
                  "bool": bool}[kind.name]
            if plain(value):
                results.add(isinstance(value, py))
            else:
                results.add(False if isinstance(value, (Tensor, Layer, Container, Instance)) else UNKNOWN)
        elif isinstance(kind, ClassValue):
            results.add(isinstance(value, Instance) and subclass(value.cls, kind) or
                        (UNKNOWN if value is UNKNOWN else False))
        elif isinstance(kind, Global) and kind.qualname == "torch.Tensor":
            results.add(True if isinstance(value, Tensor) else
                        False if plain(value) or isinstance(value, (Layer, Container, Instance)) else UNKNOWN)
        else:
            results.add(UNKNOWN)
    if True in results:
        return True
    return UNKNOWN if UNKNOWN in results else False


def _type(value):
    """``type(norm_layer) == functools.partial``: the type as the code would name it."""
    if isinstance(value, Partial):
        return Global("functools.partial")
    if isinstance(value, Instance):
        return value.cls
    if isinstance(value, Layer):
        return Global(f"torch.nn.{value.call.kind}")
    if isinstance(value, Tensor):
        return Global("torch.Tensor")
    if plain(value) and value is not None:
        return BUILTINS.get(type(value).__name__, UNKNOWN)
    return UNKNOWN


def subclass(cls: ClassValue, other: ClassValue) -> bool:
    return cls is other or any(isinstance(b, ClassValue) and subclass(b, other) for b in cls.bases)


def _enumerate(interp, args, kwargs, node):
    items = interp.iterate(args[0]) if args else UNKNOWN
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return UNKNOWN if items is UNKNOWN or not isinstance(start, int) else list(enumerate(items, start))


def _zip(interp, args, kwargs, node):
    items = [interp.iterate(a) for a in args]
    return UNKNOWN if any(i is UNKNOWN for i in items) or kwargs else list(zip(*items))


def _iterated(kind):
    def convert(interp, args, kwargs, node):
        if not args:
            return kind()
        items = interp.iterate(args[0])
        return UNKNOWN if items is UNKNOWN else kind(items)
    return convert


class Iterator(AbstractObject):
    """``iter(loader)``: the items still to come; ``next`` takes the first (``next(iter(loader))``
    is a batch, as the course notebooks show one)."""

    def __init__(self, items: list):
        self.rest = items

    def items(self, interp):
        return self.rest

    def call_method(self, interp, name, args, kwargs, node):
        if name in ("__next__", "next") and self.rest:
            first, self.rest = self.rest[0], self.rest[1:]
            return first
        return UNKNOWN


def _iter(interp, args, kwargs, node):
    items = interp.iterate(args[0]) if len(args) == 1 else UNKNOWN
    return UNKNOWN if items is UNKNOWN else Iterator(list(items))


def _next(interp, args, kwargs, node):
    if not args or not isinstance(args[0], Iterator):
        return UNKNOWN
    return args[0].call_method(interp, "__next__", [], {}, node) if args[0].rest else \
        (args[1] if len(args) > 1 else UNKNOWN)


def _minmax(fn):
    def call(*args, **kwargs):
        values = args[0] if len(args) == 1 else args
        if kwargs or not isinstance(values, (list, tuple, range)) or not all(plain(v) for v in values):
            return UNKNOWN
        try:
            return fn(values)
        except Exception:
            return UNKNOWN
    call.__name__ = fn.__name__
    return call


# library names that are plain values: np.newaxis is None (x[:, np.newaxis] adds a dim)
LIBRARY_CONSTANTS: Dict[str, object] = {"numpy.newaxis": None}

BUILTINS: Dict[str, object] = {
    name: _builtin(_safe(fn)) for name, fn in {
        "range": _range, "len": _len, "dict": dict,
        "int": int, "float": float, "str": str, "bool": bool, "abs": abs, "round": round,
        "sum": sum, "min": _minmax(min), "max": _minmax(max),
        "sorted": sorted, "divmod": divmod, "pow": _pow,
        "print": lambda *a, **k: None, "any": any, "all": all,
    }.items()
}
BUILTINS.update({name: Builtin(name, fn) for name, fn in {
    "enumerate": _enumerate, "zip": _zip, "list": _iterated(list), "tuple": _iterated(tuple),
    "reversed": _iterated(lambda items: list(reversed(items))), "iter": _iter, "next": _next,
}.items()})
_MODULE_ATTRIBUTES = {"training", "forward", "parameters", "modules", "children", "named_modules", "to", "eval",
                      "train", "state_dict", "register_buffer", "add_module", "zero_grad", "apply"}


def _hasattr(interp, args, kwargs, node):
    """hasattr(self, "shortcut"): an nn.Module's attributes are all set by its __init__, so a name
    it never set is known to be missing."""
    if len(args) != 2 or not isinstance(args[1], str) or not isinstance(args[0], Instance):
        return UNKNOWN
    obj, name = args
    if name in obj.attrs or obj.cls.lookup(name)[1] is not None or name in _MODULE_ATTRIBUTES:
        return True
    return False if obj.cls.is_module else UNKNOWN


BUILTINS["hasattr"] = Builtin("hasattr", _hasattr)
BUILTINS["isinstance"] = Builtin("isinstance", lambda interp, args, kwargs, node: _isinstance(*args)
                                 if len(args) == 2 else UNKNOWN)
BUILTINS["super"] = Builtin("super", lambda interp, args, kwargs, node: interp.current_super(args))
BUILTINS["getattr"] = Builtin("getattr", lambda interp, args, kwargs, node: (
    interp.get_attribute(args[0], args[1]) if len(args) >= 2 and isinstance(args[1], str) else UNKNOWN))
BUILTINS["setattr"] = Builtin("setattr", lambda interp, args, kwargs, node: interp.setattr_builtin(args, node))
BUILTINS["globals"] = Builtin("globals", lambda interp, args, kwargs, node: interp.globals)
BUILTINS["type"] = Builtin("type", lambda interp, args, kwargs, node: _type(args[0]) if len(args) == 1 else UNKNOWN)
for _name in ("Exception", "ValueError", "TypeError", "RuntimeError", "NotImplementedError", "KeyError",
              "object", "open", "map", "filter", "vars", "id", "input", "set",
              "frozenset", "callable", "repr", "hash", "format", "ord", "chr", "slice", "property",
              "staticmethod", "classmethod"):
    BUILTINS.setdefault(_name, UNKNOWN)


def _ordered_dict(interp, args, kwargs, node):
    if not args:
        return dict(kwargs)
    pairs = args[0]
    if isinstance(pairs, dict):
        return dict(pairs)
    if isinstance(pairs, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs):
        return {k: v for k, v in pairs if hashable(k)}
    return UNKNOWN


def _math(fn):
    def call(interp, args, kwargs, node):
        if not args or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            return UNKNOWN
        try:
            return fn(*args)
        except (ValueError, ArithmeticError):  # floor(nan), ceil(inf), sqrt(-1), log(0): Python raises too
            return UNKNOWN
    return call


def _no_grad(interp, args, kwargs, node):
    return UNKNOWN


GLOBAL_CALLS = {
    "collections.OrderedDict": _ordered_dict,
    "math.floor": _math(math.floor), "math.ceil": _math(math.ceil), "math.sqrt": _math(math.sqrt),
    "math.prod": lambda interp, args, kwargs, node: (math.prod(args[0]) if args and isinstance(args[0], (list, tuple))
                                                     and all(S.is_int(v) for v in args[0]) else UNKNOWN),
    "math.log2": _math(math.log2), "math.log": _math(math.log), "math.pow": _math(math.pow),
    "torch.no_grad": _no_grad, "torch.inference_mode": _no_grad, "torch.enable_grad": _no_grad,
    "torch.jit.is_scripting": lambda interp, args, kwargs, node: False,
    # torch.jit.script(model) / trace(model, example) / torch.compile(model): the same module
    "torch.jit.script": lambda interp, args, kwargs, node: args[0] if args else UNKNOWN,
    "torch.jit.trace": lambda interp, args, kwargs, node: args[0] if args else UNKNOWN,
    "torch.compile": lambda interp, args, kwargs, node: args[0] if args else UNKNOWN,
    "torch.jit.is_tracing": lambda interp, args, kwargs, node: False,
    "torch.device": lambda interp, args, kwargs, node: UNKNOWN,
    # Variable(x) wraps x for autograd (a no-op since torch 0.4): the same tensor
    "torch.autograd.Variable": lambda interp, args, kwargs, node: args[0] if args else UNKNOWN,
    "torch.autograd.variable.Variable": lambda interp, args, kwargs, node: args[0] if args else UNKNOWN,
    "typing.cast": lambda interp, args, kwargs, node: args[1] if len(args) == 2 else UNKNOWN,
    "functools.partial": lambda interp, args, kwargs, node: (Partial(args[0], tuple(args[1:]), dict(kwargs))
                                                             if args else UNKNOWN),
}


class OwnModule(AbstractObject):
    """``sys.modules[__name__]``: the analysed file's own module, whose attributes are its globals
    (``setattr(thismodule, name, partial(_resnet, ...))`` defines a model factory)."""

    def __init__(self, names: dict):
        self.names = names

    def attribute(self, interp, name: str):
        return self.names.get(name, UNKNOWN)

    def call_method(self, interp, name: str, args: list, kwargs: dict, node):
        if name == "__setattr__" and len(args) == 2 and isinstance(args[0], str):
            self.names[args[0]] = args[1]
        return UNKNOWN


def module_of(interp, modules: Global, key):
    """``sys.modules[__name__]`` is the file's own module, or the project's module of that name
    (d2l's ``d2l = sys.modules[__name__]`` in its own torch.py); any other module is unknown."""
    if modules.qualname != "sys.modules" or not isinstance(key, str):
        return UNKNOWN
    if key == interp.globals.get("__name__"):
        return OwnModule(interp.globals)
    found = interp.modules.named(key) if interp.modules is not None else None
    return UNKNOWN if found is None else found
