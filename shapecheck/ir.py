"""The plain data every stage shares: the UNKNOWN value, a layer's constructor call with its
arguments both as folded constants and as written (text and span, for messages and fixes), and
the two outcomes of a rule besides a result: ``NotKnown`` (cannot know) and ``ShapeError`` (a bug
in the user's code).

shared/DESIGN.md planned a traced graph IR between extraction and propagation.  The interpreter
instead evaluates ``forward`` directly on abstract tensors, which also decides the branches that
depend on shapes (``if x.size(1) != self.in_ch``); the shape rules stay pure functions of plain
data (``layers.py``, ``tensor_ops.py``), testable with no parsing, which was the graph's purpose.

"Cannot know" is said in these ways, each for one kind of thing, and in no other:

==============================  =====================================================================
``UNKNOWN`` (here)              a Python value the interpreter cannot know; it is never true or false
``NotKnown(reason)`` (here)     raised by a rule or by dimension arithmetic that cannot know its
                                result: the value is ``UNKNOWN`` from there on, for that reason
``RankNotKnown`` (tensor_ops)   the ``NotKnown`` of a tensor whose rank is not known, which the op
                                rules that can still give a tensor catch to give ``Tensor(None)``
``Tensor(None)`` (shapes)       a tensor whose rank is not known
``shapes.Unknown`` (``?``)      one size not known (``shapes.unknown(reason)``), equal to nothing
``Opaque`` (analysis.values)    a module whose behaviour is not modelled: its output is ``UNKNOWN``
``Unfollowed`` (values)         a name a project import binds that could not be followed, and why
``ArgumentNotGiven`` (args)     raised where a constructor-argument symbol decides a model's structure
                                (a loop count, a branch): the model stops there (analysis.arguments)
``"unknown"`` (results)         a model whose shapes stop being known (``ModelReport.status``; and a
                                model ``--runtime`` could not run), with ``StoppedAt`` saying where
                                and why (``results.STOP_REASONS``, e.g. ``value-not-known``)
``None`` (practices.facts)      a fact the practice checks do not know (``UNKNOWN_KIND``, "unknown",
                                is the kind of a value nothing is known about)
==============================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from .diagnostics import Message, Span


class NotKnown(Exception):
    """The one way to say "cannot know": an argument or dimension a rule needs is not known, so the
    output is unknown.  Any other exception a rule raises is a bug in shapecheck (SHP999)."""


@dataclass
class ShapeError(Exception):
    """A definite shape bug.  ``arg`` names the argument to change and ``value`` its right value
    (with ``factors`` when the value is a product, e.g. (64, 4, 4) for 1024); ``within`` is the
    layer built elsewhere that the called one runs (a TransformerEncoder's encoder_layer) when the
    bug is in that layer's arguments.  The text is in parts, made a finding's ``Message`` by
    ``parts``: the ``problem`` (ending with the number received, where that is ``value``), that
    number's factors ("1024 = 64×4×4"), the ``detail`` after it (", which is never …") and the
    ``input`` shape the rule received ("(input B×1024)")."""

    code: str
    problem: str
    arg: Optional[str] = None
    value: Optional[int] = None
    factors: Tuple[int, ...] = ()
    within: object = None
    detail: str = ""
    input: str = ""  # the rule's input shape, rendered ("B×3×32×32"), where the text quotes it

    def parts(self, factors: Tuple[int, ...] = (), quote_input: bool = True) -> Message:
        """The finding's message: the problem with the received number spelled as ``factors``
        (where given), and the input shape unless ``quote_input`` is False (the finding shows it
        another way)."""
        spelled = f" = {'×'.join(map(str, factors))}" if factors and self.value is not None else ""
        return Message(f"{self.problem}{spelled}{self.detail}", input=self.input if quote_input else "")

    @property
    def message(self) -> str:
        return self.parts(self.factors).text()

    def __str__(self) -> str:
        return self.message


class UnknownValue:
    """A value the analysis cannot know (read from a file, computed at run time, ...)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # never silently taken as true or false
        raise TypeError("UNKNOWN has no truth value")


UNKNOWN = UnknownValue()


@dataclass(unsafe_hash=True, slots=True)
class Arg:
    """One argument of a call, as folded (``value``) and as written (``text``, ``span``).  Never
    changed once made (not frozen, for the speed of building one)."""

    value: object
    text: str
    span: Optional[Span] = None
    # the calls that passed it down, innermost first, where it is a parameter of a helper or a
    # block (``in_ch`` of ``double_conv``): the line to change may be one of them
    passed: Tuple["Passed", ...] = ()


@dataclass(frozen=True)
class Passed:
    """One call that gave a parameter its value: ``double_conv(128, 128)`` gave ``in_ch`` the 128
    that became a Conv2d's in_channels.  ``scope`` holds the integers named where the call is
    written, so that a suggestion can be put in that call's own terms."""

    path: str
    call_text: str
    call_span: Span
    parameter: str  # the parameter it was passed as: "in_ch"
    arg: Arg  # the argument as written at the call
    scope: Tuple[Tuple[str, int], ...] = ()


@dataclass(frozen=True)
class LayerCall:
    """A built-in layer constructed in user code: ``nn.Conv2d(3, 16, 3, padding=1)``."""

    kind: str
    args: Tuple[Arg, ...]
    kwargs: Tuple[Tuple[str, Arg], ...]
    span: Span
    text: str
    path: str = ""  # the file it is written in, as findings name it

    def arg(self, position: int, name: str) -> Optional[Arg]:
        for key, value in self.kwargs:
            if key == name:
                return value
        return self.args[position] if position < len(self.args) else None
