"""What the practice checks know about one value, and how two such facts meet where control flow joins.

Facts are must-facts: a tensor is ``cpu`` only when every path puts it there.  A device value is the
exception: it "may be an accelerator" when any path makes it one, because that is when the bug shows.
Whatever is not known is ``None``, and nothing is ever reported from ``None``.

None of the facts is changed once made (``Value.but`` and ``dataclasses.replace`` make new ones);
none is frozen, because a frozen dataclass is built several times slower, and the dataflow builds
them at nearly every call it follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from ..diagnostics import Span

# value kinds
UNKNOWN_KIND = "unknown"  # nothing is known about what the value is
TENSOR = "tensor"
MODULE = "module"      # an nn.Module: a model or a layer
LOSS = "loss"          # a loss module, or a functional loss
OPTIMIZER = "optimizer"
SCALER = "scaler"      # torch.amp.GradScaler
LOADER = "loader"      # a DataLoader: iterating it gives ``element``
DATASET = "dataset"
DEVICE = "device"
ARRAY = "array"        # numpy arrays and pandas frames: always in host memory
SCALAR = "scalar"      # Python numbers, bools, None
TEXT = "text"
TUPLE = "tuple"        # fixed positions: ``items``
SEQUENCE = "sequence"  # lists, dicts, batches: every element is ``element``
QUAL = "qual"          # a module or an object reached from an import: ``name`` is its dotted path
CLASS = "class"        # a class defined in the file: ``name``
FUNCTION = "function"  # a function defined in the file: ``name`` is its key
SELF = "self"          # ``self`` inside a method of the class ``name``

CPU, ACCELERATOR = "cpu", "accelerator"


@dataclass(unsafe_hash=True, slots=True)
class Placement:
    """Where a tensor or a module's parameters are: certainly on the CPU, or on a device that may be
    an accelerator.  ``device`` is how the code names that device, ``origin`` how the value got
    there, both for messages."""

    where: str
    device: str = ""
    origin: str = ""


@dataclass(unsafe_hash=True, slots=True)
class Ending:
    """The last step that made a tensor what it is: ``logits`` (a Linear or Conv), ``probabilities``
    (softmax, or sigmoid for one class), ``log-probabilities`` (log_softmax), or an ``activation``
    (ReLU, Tanh, ...) applied right after the logits.  ``op`` is the step as written, at ``span``."""

    kind: str
    op: str
    span: Span
    activation: str = ""


@dataclass(unsafe_hash=True, slots=True)
class AffineStep:
    """A Linear or Conv layer whose output has met no non-linearity since: ``family`` is Linear,
    Conv1d, Conv2d or Conv3d; ``sizes`` its (in, out) and ``kernel`` its kernel size as written
    (folded to a number where constant); ``factored`` when bias=False or groups make it look like a
    deliberate factorisation."""

    family: str
    text: str
    line: int
    sizes: Tuple[str, str] = ("", "")
    factored: bool = False
    kernel: str = ""


@dataclass(unsafe_hash=True, slots=True)
class ModelInfo:
    """What the file says about a module: its kind as torch names it (``Linear``, ``Sequential``) or
    its class, how its output ends, which layers behave differently under eval(), whether its
    forward moves its input itself, and for a single Linear or Conv the affine step it is."""

    kind: str
    line: int = 0
    ending: Optional[Ending] = None
    mode_layers: Tuple[str, ...] = ()
    moves_inputs: bool = False
    step: Optional[AffineStep] = None
    elements: Tuple["ModelInfo", ...] = ()
    span: Optional[Span] = None
    text: str = ""


@dataclass(unsafe_hash=True, slots=True)
class Value:
    """One value's facts (never changed once made: ``but`` makes a new one)."""

    kind: str = UNKNOWN_KIND
    placement: Optional[Placement] = None
    dims: Optional[str] = None          # tensors: "batch" (certainly ≥1-D data) or "scalar" (0-D)
    ending: Optional[Ending] = None
    affine: Optional[AffineStep] = None
    model: Optional[ModelInfo] = None
    mode: Optional[str] = None          # modules: "train" or "eval"
    name: str = ""
    items: Optional[Tuple["Value", ...]] = None
    element: Optional["Value"] = None
    span: Optional[Span] = None         # losses and optimizers: where they were made

    def but(self, **changes) -> "Value":
        fields = {"kind": self.kind, "placement": self.placement, "dims": self.dims, "ending": self.ending,
                  "affine": self.affine, "model": self.model, "mode": self.mode, "name": self.name,
                  "items": self.items, "element": self.element, "span": self.span}
        fields.update(changes)
        return Value(**fields)


NOTHING = Value()


def tensor(placement: Optional[Placement] = None, dims: Optional[str] = None, **facts) -> Value:
    return Value(TENSOR, placement=placement, dims=dims, **facts)


def join(a: Optional[Value], b: Optional[Value]) -> Optional[Value]:
    """The facts true of both: a value missing on one path (``None``) takes the other's facts."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if a.kind != b.kind or a.name != b.name:
        return NOTHING
    return Value(a.kind, placement=_join_placement(a, b), dims=_same(a.dims, b.dims),
                 ending=_same(a.ending, b.ending), affine=_same(a.affine, b.affine),
                 model=_same(a.model, b.model), mode=_same(a.mode, b.mode), name=a.name,
                 items=_join_items(a.items, b.items), element=_join_element(a.element, b.element),
                 span=_same(a.span, b.span))


def _same(a, b):
    return a if a == b else None


def _join_placement(a: Value, b: Value) -> Optional[Placement]:
    p, q = a.placement, b.placement
    if p is None or q is None:
        return None
    if p.where == q.where:
        return p if p == q else Placement(p.where, p.device if p.device == q.device else "the device")
    if a.kind == DEVICE:  # a device that is the accelerator on some path may be one
        return p if p.where == ACCELERATOR else q
    return None


def _join_items(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(join(x, y) for x, y in zip(a, b))


def _join_element(a, b):
    if a is None or b is None:
        return None
    return join(a, b)


def join_all(values) -> Optional[Value]:
    result = None
    for value in values:
        result = join(result, value)
    return result
