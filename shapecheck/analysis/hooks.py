"""The seam between the interpreter and the model checker, written down.

The interpreter (``interpreter.py``, with its helpers ``data_api.py``, ``pretrained.py`` and
``imports.py``) evaluates a file's code; at each event that matters to shapes it calls a hook of
its ``checker`` (``CheckerHooks``, implemented by ``models.Checker``).
The checker applies the rules, records what it saw, and calls back the few interpreter methods of
``InterpreterCalls`` to run models.  ``Interpreter.run_module()`` returns a ``ModuleRun``: what the
module's top level defines, assigns and calls, the one value that model discovery and the project
check read of it (rather than the interpreter's own records).  A loader of modules (``ModuleLoading``: the
project's imports in ``imports.ModuleLoader`` today, whole-project analysis tomorrow) plugs in
here: it runs a module's top level through the same interpreter, so the same hooks see its layers
and calls, and it takes the module's definitions from what that run gives.

Every hook follows the error channel of CONTRIBUTING.md: the rules a hook applies raise
``ShapeError`` (a bug in the user's code: the hook turns it into a finding) or ``NotKnown`` (the
hook answers unknown, ``Tensor(None)`` or ``UNKNOWN``); any other exception from a rule is SHP999
(``Checker.internal_error``, re-raised where ``internal_errors_raise()`` is on).  So a hook passes
neither on to the interpreter; what the interpreter itself raises while a hook calls back
into it (``Abort`` when the step budget runs out, ``RecursionError``, ``ArgumentNotGiven`` for a
symbol that decides a model's structure) passes through the hook unchanged.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import (TYPE_CHECKING, Callable, ContextManager, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple,
                    Union)

if TYPE_CHECKING:
    from ..diagnostics import Fix, Message, Span
    from ..source import Source
    from .values import ClassValue, Function, Instance, Layer, LazyImport, ModuleNamespace


@dataclass(frozen=True)
class ModuleRun:
    """What running a module's top level gave (``Interpreter.run_module``).

    ``functions``, ``classes`` and ``assignments`` are final when the run ends.  ``first_results``
    and ``built_elsewhere`` are read-only views of records the interpreter keeps for the whole
    check: code run after the module (the project's files that import it, discovery's own calls of
    its factories) adds to them, and a reader sees what was added before it reads."""

    functions: Tuple[Tuple["Function", ast.FunctionDef], ...]  # the top-level functions, in order
    classes: Tuple[Tuple["ClassValue", ast.ClassDef], ...]  # the top-level classes, in order
    # name -> (the first value a top-level assignment bound to it, that statement)
    assignments: Mapping[str, Tuple[object, ast.stmt]]
    # id(top-level function) -> what its first call returned: a model the script built is reused, not built again
    first_results: Mapping[int, object]
    # id(module class of this file) -> its instances another file of the project built (train.py's Net(10))
    built_elsewhere: Mapping[int, List["Instance"]]


class CheckerHooks(Protocol):
    """What the interpreter calls on its ``checker``: one method per event that matters to shapes."""

    def report(self, code: str, span: "Span", message: Union[str, "Message"], fix: Optional["Fix"] = None,
               path: Optional[str] = None, not_fixed: str = "", layer: str = "") -> Optional[Tuple]:
        """A finding: ``code`` at ``span`` of ``path`` (by default the file being interpreted).  The
        interpreter reports SHP904 notes with it (a statement past the step budget, a pretrained
        model's argument).  Returns the finding's key, None where it is not reported (the same
        finding in a train-mode run); raises nothing."""

    def constructed(self, layer: "Layer") -> None:
        """A layer was built (``nn.Conv2d(3, 16, 3)``, or a pretrained model's layer), its arguments
        bound, before the code that built it goes on.  The checker applies torch's constructor
        checks: an argument torch refuses is a finding here (and the layer is unknown in every run);
        NotKnown is silence.  Raises nothing."""

    def call_module(self, module: object, args: list, kwargs: dict, node: Optional[ast.AST]) -> object:
        """A module is called (``self.conv1(x)``, ``model(x)``, ``m.forward(x)``): inside a model run
        the checker records the block and calls back ``InterpreterCalls.run_forward``; outside one,
        it is ``script_call``.  Returns what the call gives (a ``Tensor``, ``Tensor(None)`` for an
        unknown tensor, ``UNKNOWN``).  What ``run_forward`` raises passes through."""

    def apply_layer(self, layer: "Layer", x: object, node: Optional[ast.AST], others: Sequence = (),
                    options: Optional[dict] = None) -> object:
        """A layer's forward on ``x`` (and forward's other arguments ``others`` and keywords
        ``options``), called by ``run_forward`` inside a model run only.  The checker applies the
        layer's rule: its output, or ``Tensor(None)`` after a finding (ShapeError), an unknown input
        or argument (NotKnown) or SHP999.  Raises nothing."""

    def tensor_op(self, thunk: Callable[[], object], node: Optional[ast.AST], name: str, inputs: Sequence = (),
                  pending_passthrough: bool = False, call: Optional[tuple] = None) -> object:
        """An operation on tensors, inside a model run or not: ``thunk()`` applies its rule
        (``rules/tensor_ops.py``); ``name`` is how messages name it, ``inputs`` the tensors it
        takes, ``pending_passthrough`` whether a not yet chosen model input passes through it
        unchanged, ``call`` its (rule, arguments, keywords) for its cost.  Returns the result;
        after a ShapeError (a finding at ``node``) ``Tensor(None)``; after NotKnown ``Tensor(None)``
        when it had a tensor, else ``UNKNOWN``.  Raises nothing."""

    def script_call(self, module: object, args: list, kwargs: dict, node: Optional[ast.AST],
                    source: str = "") -> object:
        """The code outside any model run calls a model on a tensor (``model(x)`` in a script, a
        d2l ``layer_summary``, a DataLoader's batch): the checker checks the model on it
        (``source``: where the input comes from, as messages say it).  Returns the model's output,
        ``Tensor(None)`` when it is not known, ``UNKNOWN`` for a call that is not of a model."""

    def assigned(self, target: Optional[ast.expr], before: object, value: object, statement: ast.stmt) -> None:
        """``target`` (a name; None for a ``return``) now holds ``value``, and held ``before``: the
        shapes seen, for ``--annotate`` and the editor.  Raises nothing."""

    def cannot_follow(self, reason: str, line: int, message: str, layer: str = "") -> None:
        """Shapes stop being known at ``line`` for ``reason`` (one of ``results.py``'s), said in
        ``message``: the first such place of a model run is where its report says it stops; outside
        a run, nothing.  Raises nothing."""

    def training_mode(self) -> object:
        """``self.training`` read in forward: True or False, the mode of the model run, or
        ``UNKNOWN`` outside one."""

    def running_model(self) -> bool:
        """Whether a model run is in progress (a loop over a Sequential's layers is checked as a
        model call only outside one)."""

    def outside_run(self) -> ContextManager[None]:
        """A context in which module code runs (an import first used inside forward): what that
        code reports and builds is not taken for the model run in progress."""


class InterpreterCalls(Protocol):
    """What the checker and model discovery may call back on the interpreter."""

    source: "Source"  # the file whose code is running now: spans, text, path, lines
    globals: Dict[str, object]  # the checked module's names, as its code has left them so far
    with_symbols: bool  # set while a model is built or run with constructor arguments that are symbols

    def at_line(self, line: int) -> str:
        """A line of the file running now, as messages say it ("line 12", "train.py:12")."""

    def run_forward(self, module: object, args: list, kwargs: dict, node: Optional[ast.AST]) -> object:
        """A module's own forward (a layer's rule through ``apply_layer``, a Sequential's chain, a
        class's ``forward``), for the checker inside a model run."""

    def call_guarded(self, fn: Callable[..., object], *args: object) -> object:
        """``fn(*args)`` with a fresh step budget: ``UNKNOWN`` where the budget or the stack runs out."""

    def call(self, func: object, args: list, kwargs: dict, node: Optional[ast.Call]) -> object:
        """Any callable value called with these arguments."""

    def call_function(self, function: "Function", args: list, kwargs: dict, node: Optional[ast.Call] = None,
                      implicit: int = 0) -> object:
        """A user function run with these arguments (``implicit`` of them not written: ``self``)."""

    def instantiate(self, cls: "ClassValue", args: list, kwargs: dict, node: Optional[ast.AST]) -> object:
        """A user class built with these arguments (its ``__init__`` run)."""

    def evaluate_arguments(self, call: ast.Call, globals_: dict) -> Tuple[list, dict]:
        """A call's arguments evaluated in a module's globals: (args, kwargs)."""


class ModuleLoading(Protocol):
    """What the interpreter calls on its ``modules`` (None for a file checked alone, where every
    import is a library name): the imports of the project's own modules.  A loader runs a
    module's code with ``Interpreter.run_imported`` on globals of its own and a ``Source`` from
    ``Interpreter.new_source``, and sets a model run aside meanwhile (``CheckerHooks.outside_run``)."""

    def exec_import(self, interp: object, stmt: ast.Import, frame: object) -> None:
        """``import a.b``: binds the name in ``frame`` (a module that runs when first used, or
        ``Unfollowed`` with the reason, or the library name it was)."""

    def exec_import_from(self, interp: object, stmt: ast.ImportFrom, frame: object) -> bool:
        """``from a import b``: binds the names when ``a`` is the project's; False to leave the
        statement to the interpreter's library imports."""

    def force(self, interp: object, lazy: "LazyImport") -> object:
        """The value an import name stands for, its module run once per check; ``UNKNOWN`` or
        ``Unfollowed`` past the limits."""

    def submodule(self, interp: object, package: "ModuleNamespace", name: str) -> Optional["ModuleNamespace"]:
        """``package.name`` for a submodule not imported yet; None where there is none."""

    def named(self, name: str) -> Optional["ModuleNamespace"]:
        """The project's module of that dotted name, imported in this check (run, or running: its
        names so far), for ``sys.modules[__name__]`` in one of its files; None when there is none."""
