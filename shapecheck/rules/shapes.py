"""Dimensions, shapes and the solver for unknown input sizes and constructor arguments.

A dimension is an ``int`` or a ``Dim`` expression over named symbols: the batch ``B``, the
input's spatial sizes ``H`` and ``W`` (``L``, ``D`` for 1-D and 3-D inputs), and the integer
constructor arguments no file settles, by their parameter names (``n_class``, ``hidden``), built
by the arithmetic that layers and the code apply: add, floor-divide, multiply.  ``Unknown`` stands for a value the
analysis cannot know; any arithmetic with it stays unknown.  A shape is a tuple of
dimensions, or ``None`` when even its rank is unknown.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from math import prod
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

from ..ir import NotKnown

BATCH = "B"
SPATIAL_SYMBOLS = ("D", "H", "W", "L")
INPUT_SYMBOLS = frozenset((BATCH,) + SPATIAL_SYMBOLS)


class Dim:
    """A symbolic dimension; subclasses are immutable values."""

    def evaluate(self, env: Mapping[str, int]) -> int:
        raise NotImplementedError

    def symbols(self) -> frozenset:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        raise NotImplementedError


Dimension = Union[int, Dim]
Shape = Optional[Tuple[Dimension, ...]]


@dataclass(frozen=True)
class Affine(Dim):
    """floor((a * sym + b) / d): what a chain of convolutions and poolings makes of one size."""

    sym: str
    a: int = 1
    b: int = 0
    d: int = 1

    def evaluate(self, env: Mapping[str, int]) -> int:
        return (self.a * env[self.sym] + self.b) // self.d

    def symbols(self) -> frozenset:
        return frozenset((self.sym,))

    def render(self) -> str:
        inner = self.sym if self.a == 1 else f"{self.a}{self.sym}"
        if self.b:
            inner += f"+{self.b}" if self.b > 0 else f"−{-self.b}"
        if self.d == 1:
            return inner
        if self.b:
            inner = f"({inner})"
        return f"⌊{inner}/{self.d}⌋"


@dataclass(frozen=True)
class Product(Dim):
    """coeff × factor × factor ...: a flattened feature count."""

    coeff: int
    factors: Tuple[Dim, ...]

    def evaluate(self, env: Mapping[str, int]) -> int:
        return self.coeff * prod(f.evaluate(env) for f in self.factors)

    def symbols(self) -> frozenset:
        return frozenset().union(*(f.symbols() for f in self.factors))

    def render(self) -> str:
        parts = [] if self.coeff == 1 else [str(self.coeff)]
        return "·".join(parts + [render_grouped(f) for f in self.factors])


def render_grouped(x: "Dimension") -> str:
    """A sum inside a product or a shape gets parentheses: 8·(H−2), B×8×(H−2)."""
    text = render(x)
    if isinstance(x, Affine) and x.d == 1 and x.b:
        return f"({text})"
    return text


@dataclass(frozen=True)
class Formula(Dim):
    """Any other arithmetic: ``op`` applied to ``args`` (``+``, ``-``, ``*``, ``//``, ``ceil``)."""

    op: str
    args: Tuple[Dimension, ...]

    def evaluate(self, env: Mapping[str, int]) -> int:
        values = [evaluate(arg, env) for arg in self.args]
        return _OPS[self.op](*values)

    def symbols(self) -> frozenset:
        return frozenset().union(*(symbols(arg) for arg in self.args))

    def render(self) -> str:
        a, b = (render(arg) for arg in self.args)
        if self.op == "ceil":
            return f"⌈{a}/{b}⌉"
        if self.op == "//":
            return f"⌊{a}/{b}⌋"
        return f"({a}{self.op}{b})"


_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b,
    "ceil": lambda a, b: -(-a // b),
}


@dataclass(frozen=True, eq=False)
class Unknown(Dim):
    """A size the analysis cannot know; never equal to anything, not even another unknown."""

    reason: str = field(default="", compare=False)

    def evaluate(self, env: Mapping[str, int]) -> int:
        raise NotKnown(self.reason or "an unknown size")

    def symbols(self) -> frozenset:
        return frozenset(("?",))

    def render(self) -> str:
        return "?"


def sym(name: str) -> Dim:
    return Affine(name)


def unknown(reason: str = "") -> Unknown:
    return Unknown(reason)


def is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def is_unknown(x: Dimension) -> bool:
    return isinstance(x, Dim) and "?" in x.symbols()


def symbols(x: Dimension) -> frozenset:
    return frozenset() if is_int(x) else x.symbols()


def argument_symbols(x: object) -> frozenset:
    """The constructor-argument symbols in a dimension (none in an int or another value)."""
    if not isinstance(x, Dim) or is_unknown(x):
        return frozenset()
    return x.symbols() - INPUT_SYMBOLS


def never_equal(x: Dimension, y: Dimension) -> bool:
    """True when x == y holds for no value of the symbols (each at least 1): a bug whatever the
    input size or constructor arguments; False when some value fits or the solver cannot tell."""
    if is_unknown(x) or is_unknown(y) or (is_int(x) and is_int(y)):
        return False
    if is_int(y):
        return solve([Constraint(x, y)]) == []
    if is_int(x):
        return solve([Constraint(y, x)]) == []
    return solve([Constraint(Formula("-", (x, y)), 0)]) == []


def never_phrase(x: Dimension, y: Dimension) -> str:
    """How never_equal's finding reads: 'is never 120 for any input size', 'is never 4·hidden
    for any value of hidden'."""
    names = sorted(argument_symbols(x) | argument_symbols(y))
    if not names:
        return f"is never {render(y)} for any input size"
    what = "any value of " + ", ".join(names)
    if (symbols(x) | symbols(y)) & set(SPATIAL_SYMBOLS):
        what = "any input size and " + what
    return f"is never {render(y)} for {what}"


def evaluate(x: Dimension, env: Mapping[str, int]) -> int:
    return x if is_int(x) else x.evaluate(env)


def render(x: Dimension) -> str:
    return str(x) if is_int(x) else x.render()


def render_shape(shape: Shape) -> str:
    if shape is None:
        return "?"
    if not shape:
        return "scalar"
    return "×".join(f"({render(d)})" if isinstance(d, (Product, Formula)) else render_grouped(d) for d in shape)


# --- arithmetic -------------------------------------------------------------------------------


def add(x: Dimension, y: Dimension) -> Dimension:
    if is_int(x) and is_int(y):
        return x + y
    if is_unknown(x) or is_unknown(y):
        return unknown()
    if is_int(x):
        x, y = y, x
    if is_int(y):
        if y == 0:
            return x
        if isinstance(x, Affine):
            return Affine(x.sym, x.a, x.b + y * x.d, x.d)
    if isinstance(x, Affine) and isinstance(y, Affine) and x.sym == y.sym and x.d == y.d == 1:
        return Affine(x.sym, x.a + y.a, x.b + y.b, 1)
    return Formula("+", (x, y))


def sub(x: Dimension, y: Dimension) -> Dimension:
    if is_int(y):
        return add(x, -y)
    if x == y:
        return 0
    if is_unknown(x) or is_unknown(y):
        return unknown()
    return Formula("-", (x, y))


def floordiv(x: Dimension, s: Dimension) -> Dimension:
    if is_int(x) and is_int(s):
        return x // s
    if is_unknown(x) or is_unknown(s):
        return unknown()
    if is_int(s) and s > 0:
        if s == 1:
            return x
        if isinstance(x, Affine):
            return Affine(x.sym, x.a, x.b, x.d * s)
        if isinstance(x, Product) and x.coeff % s == 0:
            return mul(x.coeff // s, Product(1, x.factors))
    return Formula("//", (x, s))


def ceildiv(x: Dimension, s: Dimension) -> Dimension:
    if is_int(s) and s > 0:
        return floordiv(add(x, s - 1), s)
    if is_int(x) and is_int(s):
        return -(-x // s)
    if is_unknown(x) or is_unknown(s):
        return unknown()
    return Formula("ceil", (x, s))


def _factors(x: Dimension) -> Tuple[int, Tuple[Dim, ...]]:
    if is_int(x):
        return x, ()
    if isinstance(x, Product):
        return x.coeff, x.factors
    if isinstance(x, Affine) and x.d == 1 and x.b == 0 and x.a != 1:
        return x.a, (Affine(x.sym),)
    return 1, (x,)


def mul(x: Dimension, y: Dimension) -> Dimension:
    if is_int(x) and is_int(y):
        return x * y
    if x == 0 or y == 0:
        return 0
    if is_unknown(x) or is_unknown(y):
        return unknown()
    cx, fx = _factors(x)
    cy, fy = _factors(y)
    coeff, factors = cx * cy, tuple(sorted(fx + fy, key=render))
    if len(factors) == 1 and coeff == 1:
        return factors[0]
    return Product(coeff, factors)


def product(dims: Iterable[Dimension]) -> Dimension:
    result: Dimension = 1
    for d in dims:
        result = mul(result, d)
    return result


def divide_exact(x: Dimension, y: Dimension) -> Optional[Dimension]:
    """x / y when it is certainly a whole number, else None (concrete ints that do not divide
    give None as well; callers check ``is_int`` on both to tell an error from not knowing)."""
    if is_int(x) and is_int(y):
        return x // y if y and x % y == 0 else None
    if is_unknown(x) or is_unknown(y):
        return None
    cx, fx = _factors(x)
    cy, fy = _factors(y)
    if cy == 0 or cx % cy:
        return None
    rest = list(fx)
    for f in fy:
        if f not in rest:
            return None
        rest.remove(f)
    return mul(cx // cy, Product(1, tuple(rest))) if rest else cx // cy


def same(x: Dimension, y: Dimension) -> Optional[bool]:
    """True if x and y are certainly equal, False if certainly not, None if it depends."""
    if is_int(x) and is_int(y):
        return x == y
    if is_unknown(x) or is_unknown(y):
        return None
    if x == y:
        return True
    return None


# --- solving for the input size ----------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """``lhs == rhs`` (kind "eq") or ``lhs >= rhs`` (kind "ge") over the input's symbols."""

    lhs: Dimension
    rhs: int
    kind: str = "eq"

    def holds(self, env: Mapping[str, int]) -> bool:
        value = evaluate(self.lhs, env)
        return value == self.rhs if self.kind == "eq" else value >= self.rhs


SEARCH_LIMIT = 4096


def _domain(name: str, constraints: Sequence[Constraint], limit: int) -> list:
    own = [c for c in constraints if symbols(c.lhs) == {name}]
    start = max([1] + [_lower_bound(c) for c in own])
    rest = [c for c in own if _lower_bound(c) == 0]
    return [v for v in range(start, limit + 1) if all(c.holds({name: v}) for c in rest)]


def _lower_bound(c: Constraint) -> int:
    """For ⌊(a·X + b)/d⌋ ≥ r with a > 0: the least X, worked out (0: not of that form)."""
    if c.kind != "ge" or not isinstance(c.lhs, Affine) or c.lhs.a <= 0:
        return 0
    need = c.rhs * c.lhs.d - c.lhs.b  # a·X ≥ r·d − b
    return max(1, -(-need // c.lhs.a))


def solve(constraints: Sequence[Constraint], limit: int = SEARCH_LIMIT) -> Optional[list]:
    """All assignments of the spatial and constructor-argument symbols (1..limit each) that
    satisfy every constraint.

    Returns a list of dicts, or None when the constraints are beyond this solver (unknowns,
    the batch symbol, more than two symbols, too many candidates): then nothing is claimed.
    The same constraints recur (a block in every network of a project): each is solved once.
    """
    try:
        solutions = _solve_once(tuple(constraints), limit)
    except TypeError:  # a dimension that cannot be hashed: solved without the cache
        solutions = _solve_once.__wrapped__(tuple(constraints), limit)
    return None if solutions is None else list(solutions)


@functools.lru_cache(maxsize=4096)
def _solve_once(constraints: Tuple[Constraint, ...], limit: int) -> Optional[list]:
    constraints = [c for c in constraints if not is_int(c.lhs)]
    names = sorted(frozenset().union(*(symbols(c.lhs) for c in constraints)))
    if not names:
        return [{}] if all(c.holds({}) for c in constraints) else []
    if len(names) > 2 or "?" in names or BATCH in names:
        return None
    domains = [_domain(n, constraints, limit) for n in names]
    if prod(len(d) for d in domains) > 4_000_000:
        domains = [d[:2000] for d in domains]
    joint = [c for c in constraints if len(symbols(c.lhs)) > 1]
    if len(names) == 2 and joint:
        return _solve_pair(names, domains, joint)
    return [dict(zip(names, values)) for values in itertools.product(*domains)]


def solve_each(constraints: Sequence[Constraint]) -> Dict[str, Tuple[int, ...]]:
    """The values each symbol may take, solving each group of constraints that share symbols
    on its own.  A symbol with no values: its group has no solution; a symbol missing: its group
    is beyond the solver."""
    groups: list = []  # [(symbols, constraints)]
    for c in constraints:
        names, members = set(symbols(c.lhs)), [c]
        for group in [g for g in groups if g[0] & names]:
            groups.remove(group)
            names |= group[0]
            members += group[1]
        groups.append((names, members))
    values: Dict[str, Tuple[int, ...]] = {}
    for names, members in groups:
        solutions = solve(members)
        if solutions is not None:
            for name in names:
                values[name] = tuple(sorted({s[name] for s in solutions}))
    return values


def _solve_pair(names, domains, joint) -> Optional[list]:
    first = joint[0]
    if first.kind != "eq" or not isinstance(first.lhs, Product):
        return None
    by_symbol = {n: [f for f in first.lhs.factors if symbols(f) == {n}] for n in names}
    if sum(len(v) for v in by_symbol.values()) != len(first.lhs.factors):
        return None
    (hn, hs), (wn, ws) = zip(names, domains)
    h_value = {h: prod(f.evaluate({hn: h}) for f in by_symbol[hn]) for h in hs}
    w_by_value: dict = {}
    for w in ws:
        w_by_value.setdefault(prod(f.evaluate({wn: w}) for f in by_symbol[wn]), []).append(w)
    found = []
    for h, hv in h_value.items():
        denominator = first.lhs.coeff * hv
        if denominator and first.rhs % denominator == 0:
            for w in w_by_value.get(first.rhs // denominator, ()):
                env = {hn: h, wn: w}
                if all(c.holds(env) for c in joint[1:]):
                    found.append(env)
    return found


def describe_solutions(solutions: Sequence[Mapping[str, int]]) -> str:
    """'32×32 to 35×35' style summary of the square solutions, or the sizes when not square."""
    square = sorted({s["H"] for s in solutions if "H" in s and s.get("W", s["H"]) == s["H"]})
    if square:
        return _ranges(square, lambda v: f"{v}×{v}")
    if solutions and len(solutions[0]) == 1:
        ((name, _),) = solutions[0].items()
        return f"{name} in " + _ranges(sorted(s[name] for s in solutions), str)
    return ", ".join("×".join(str(v) for v in s.values()) for s in solutions[:5]) + (
        " ..." if len(solutions) > 5 else ""
    )


def _ranges(values: Sequence[int], show) -> str:
    runs, start = [], values[0]
    for prev, cur in zip(values, values[1:] + [None]):
        if cur != prev + 1 if cur is not None else True:
            runs.append(show(start) if start == prev else f"{show(start)} to {show(prev)}")
            start = cur
    text = ", ".join(runs[:4])
    return text + (" ..." if len(runs) > 4 else "")


@dataclass(frozen=True)
class Tensor:
    """A tensor as the analysis sees it: its shape (``None`` when even the rank is unknown)."""

    shape: Shape
    # where it came from, for messages: "MaxPool2d at line 8"; and the shape it was flattened from
    origin: str = field(default="", compare=False)
    flat_from: Shape = field(default=None, compare=False)
    numpy: bool = field(default=False, compare=False)  # a numpy array rather than a torch tensor
    made: object = field(default=None, compare=False)  # how its sizes were made (analysis.provenance.Made)

    def render(self) -> str:
        return render_shape(self.shape)
