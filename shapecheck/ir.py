"""The model description that extraction hands to propagation and to the runtime mode.

Plain frozen data, no parser objects: a layer constructor call with its arguments as folded
constants and as written; containers of layers; user modules whose ``forward`` was traced into a
small graph of calls, in the manner of ``torch.fx``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple, Union

from .diagnostics import Span


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


@dataclass(frozen=True)
class Arg:
    """One argument of a call, as folded (``value``) and as written (``text``, ``span``)."""

    value: object
    text: str
    span: Optional[Span] = None


@dataclass(frozen=True)
class LayerCall:
    """A built-in layer constructed in user code: ``nn.Conv2d(3, 16, 3, padding=1)``."""

    kind: str
    args: Tuple[Arg, ...]
    kwargs: Tuple[Tuple[str, Arg], ...]
    span: Span
    text: str

    def arg(self, position: int, name: str) -> Optional[Arg]:
        for key, value in self.kwargs:
            if key == name:
                return value
        return self.args[position] if position < len(self.args) else None


@dataclass(frozen=True)
class OpaqueModule:
    """A module whose behaviour shapecheck does not model (another library's, an unknown kind)."""

    text: str
    span: Optional[Span]
    kind: str = "?"


@dataclass(frozen=True)
class Sequential:
    children: Tuple[Tuple[str, "Module"], ...]
    span: Span
    text: str = "nn.Sequential(...)"
    kind: str = "Sequential"


@dataclass(frozen=True)
class ModuleList:
    children: Tuple[Tuple[str, "Module"], ...]
    span: Span
    kind: str = "ModuleList"


@dataclass(frozen=True)
class Ref:
    """The value computed by node ``index`` of the enclosing graph (inputs come first)."""

    index: int


@dataclass(frozen=True)
class Node:
    """One step of a traced ``forward``.

    op: ``call_module`` (target: (path, Module)), ``call_function`` (target: qualified name such
    as ``torch.flatten``), ``call_method`` (target: method name, first arg the tensor),
    ``binop`` (target: operator symbol), ``getitem``, ``unknown`` (something not modelled).
    Arguments are folded constants, ``Ref``s, or tuples/lists of them.
    """

    op: str
    target: object
    args: Tuple = ()
    kwargs: Tuple[Tuple[str, object], ...] = ()
    span: Optional[Span] = None
    text: str = ""


@dataclass(frozen=True)
class Graph:
    inputs: Tuple[str, ...]
    nodes: Tuple[Node, ...]
    output: object  # a Ref, a tuple/dict of Refs, a constant, or UNKNOWN


@dataclass(frozen=True)
class UserModule:
    """An instance of a user ``nn.Module`` subclass, built with known constructor values."""

    class_name: str
    span: Span
    children: Tuple[Tuple[str, "Module"], ...]
    forward: Optional[Graph]
    text: str = ""
    own_params: int = 0  # nn.Parameter tensors assigned directly in __init__
    unknown_reason: str = ""
    kind: str = field(default="Module")


Module = Union[LayerCall, OpaqueModule, Sequential, ModuleList, UserModule]


@dataclass(frozen=True)
class InputEvidence:
    """Where a model's input shape came from, for messages and the JSON ``input_source``."""

    shape: Tuple  # dims: ints or symbol names such as "B"
    source: str  # "--input-shape", "comment", "call", "dataset", "solved"
    span: Optional[Span] = None
    text: str = ""


@dataclass(frozen=True)
class ModelDef:
    """A model found in a file: what to check and what it may be fed."""

    name: str
    module: Module
    span: Span
    inputs: Tuple[InputEvidence, ...] = ()
