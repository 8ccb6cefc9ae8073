"""The abstract values the interpreter computes with.

Python constants (ints, strings, tuples, lists, dicts) are themselves; a tensor is a
``shapes.Tensor``; everything else the analysed code can hold is one of the classes below.
``UNKNOWN`` stands for a value the analysis cannot know.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from ..diagnostics import Span
from ..ir import UNKNOWN, LayerCall  # noqa: F401  (re-exported for the interpreter)
from ..rules.layers import LayerArgs, LayerRule


SOURCE_KEY = "<source>"  # a module's globals hold their file's Source under this name, which no code can spell


@dataclass(frozen=True)
class Global:
    """A name imported from outside the file, by its qualified name: ``torch.nn.Conv2d``."""

    qualname: str


@dataclass(frozen=True)
class Unfollowed:
    """A name the project's own imports bind but that shapecheck could not follow (a module found
    in two folders, past the limits, beside a ``sys.path`` change it cannot compute): what is built
    from it is not analysed, and ``reason`` says why."""

    qualname: str
    reason: str


@dataclass(frozen=True, eq=False)
class LazyImport:
    """A name a project import binds, found but not run yet: the modules to run first (``chain``:
    ``a`` then ``a.b`` for ``import a.b``, each a ``project.Resolved``), the one it names (``pick``,
    an index into ``chain``) and, for ``from a import name``, the name.  The interpreter runs them
    when the name is first used (imports.ModuleLoader.force), so a file pays only for what it uses."""

    chain: Tuple[object, ...]
    pick: int = -1
    attribute: Optional[str] = None
    line: int = 0


@dataclass(eq=False)
class Function:
    node: ast.AST  # FunctionDef, AsyncFunctionDef or Lambda
    globals: Dict[str, object]
    closure: Tuple[Dict[str, object], ...] = ()
    owner: Optional["ClassValue"] = None  # the class whose body defined it, for super()
    defaults: Dict[str, object] = field(default_factory=dict)
    top_level: bool = False  # defined at module level: a candidate model factory

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")


@dataclass(eq=False)
class ClassValue:
    name: str
    node: ast.ClassDef
    bases: List[object]
    attrs: Dict[str, object]
    is_module: bool  # an nn.Module subclass
    container_base: Optional[str] = None  # "Sequential", "ModuleList" or "ModuleDict" for their subclasses
    path: str = ""  # the file that defines it, as findings name it
    span: Optional[Span] = None  # its `class` statement

    @property
    def sequential_base(self) -> bool:
        return self.container_base == "Sequential"

    def lookup(self, name: str):
        if name in self.attrs:
            return self.attrs[name], self
        for base in self.bases:
            if isinstance(base, ClassValue):
                found = base.lookup(name)
                if found[1] is not None:
                    return found
        return None, None


@dataclass(eq=False)
class Instance:
    """An object of a user class; for nn.Module subclasses, a module with named children."""

    cls: ClassValue
    attrs: Dict[str, object] = field(default_factory=dict)
    span: Optional[Span] = None
    text: str = ""
    params: int = 0  # nn.Parameter elements assigned directly
    params_known: bool = True
    built_by: object = None  # the interpreter's Source of another project file whose code built it
    built_in: str = ""  # the file whose code built it, as findings name it
    symbols: Tuple[str, ...] = ()  # arguments given but not known, checked as symbols (arguments.given_symbols)
    stopped: object = None  # the ArgumentNotGiven where such a symbol decided the structure

    def children(self) -> List[Tuple[str, object]]:
        return [(k, v) for k, v in self.attrs.items() if is_module(v)]


@dataclass(eq=False)
class Layer:
    """One built-in layer object: ``nn.Conv2d(3, 16, 3)`` as constructed at one place."""

    call: LayerCall
    rule: Optional[LayerRule]
    args: Optional[LayerArgs]  # None when the arguments could not be bound (unknown)
    scope: Tuple[Tuple[str, int], ...] = ()  # the integers named where it is built, for suggestions


@dataclass(eq=False)
class Container:
    """nn.Sequential, nn.ModuleList or nn.ModuleDict, possibly still being filled."""

    kind: str
    items: List[Tuple[str, object]]
    span: Optional[Span] = None
    text: str = ""
    path: str = ""  # the file it is built in

    def children(self) -> List[Tuple[str, object]]:
        return list(self.items)


@dataclass(eq=False)
class Parameters:
    """nn.ParameterList or nn.ParameterDict: a module holding parameters, no layers.  ``items`` are
    (key, tensor) pairs; a tensor of unknown shape makes the parameter count unknown."""

    kind: str
    items: List[Tuple[str, object]]
    span: Optional[Span] = None
    text: str = ""

    def children(self) -> List[Tuple[str, object]]:
        return []

    def count(self) -> Optional[int]:
        total = 0
        for _, tensor in self.items:
            shape = getattr(tensor, "shape", None)
            if shape is None or not all(isinstance(d, int) for d in shape):
                return None
            total += math.prod(shape)
        return total


@dataclass(eq=False)
class Opaque:
    """A module whose behaviour is not modelled: its output is unknown."""

    text: str
    span: Optional[Span] = None
    kind: str = "?"
    third_party: str = ""  # the package of a third-party constructor it came from ("timm"), not analysed
    used_as_model: bool = False  # the script called it on a tensor or moved it like a model
    not_followed: str = ""  # why the code that registered it could not be followed, when it is that
    unresolved: str = ""  # why the project import its constructor came from was not followed


@dataclass(eq=False)
class PendingInput:
    """A model's input when no shape is known: the first layer decides (B×C×H×W for Conv2d)."""


@dataclass(eq=False)
class Builtin:
    name: str
    fn: Callable


@dataclass(eq=False)
class Partial:
    """``functools.partial(nn.InstanceNorm2d, affine=False)``: a callable with arguments bound."""

    func: object
    args: tuple
    kwargs: Dict[str, object]


@dataclass(eq=False)
class BoundMethod:
    """``receiver.name`` for a receiver that is not a user instance (tensor, list, module...)."""

    receiver: object
    name: str


@dataclass(eq=False)
class UserMethod:
    function: Function
    receiver: object


@dataclass(eq=False)
class Super:
    cls: ClassValue
    receiver: object


def is_module(value: object) -> bool:
    if isinstance(value, Instance):
        return value.cls.is_module
    return isinstance(value, (Layer, Container, Opaque, Parameters))


class AbstractObject:
    """A library object the interpreter knows by its behaviour (a DataLoader, a dataset):
    it answers iteration, method calls and attributes itself, UNKNOWN where it cannot know."""

    def items(self, interp):
        return UNKNOWN

    def call_method(self, interp, name: str, args: list, kwargs: dict, node):
        return UNKNOWN

    def attribute(self, interp, name: str):
        return BoundMethod(self, name)


@dataclass(eq=False)
class ModuleNamespace(AbstractObject):
    """One of the project's own modules, imported: its globals as its code left them, and the
    submodules imported from it."""

    name: str
    globals: Dict[str, object]
    folder: Optional[object] = None  # a package's folder (a pathlib.Path), where its submodules are
    problem: str = ""  # why its code could not be read, when it could not

    def attribute(self, interp, name: str):
        if name in self.globals:
            return interp.concrete(self.globals[name])
        if name == "__dict__":  # resnet.__dict__[args.arch]: the module's names
            return {k: interp.concrete(v) for k, v in self.globals.items() if not k.startswith("<")}
        loader = interp.modules
        found = loader.submodule(interp, self, name) if loader is not None else None
        return UNKNOWN if found is None else found

    def public_names(self) -> Dict[str, object]:
        """What ``from module import *`` binds: ``__all__``'s names, else those without a leading _."""
        names = self.globals.get("__all__")
        if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
            return {n: self.globals.get(n, UNKNOWN) for n in names}
        return {k: v for k, v in self.globals.items() if not k.startswith(("_", "<"))}
