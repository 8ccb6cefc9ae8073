"""An abstract interpreter for the Python that model code is written in.

It walks the standard library's ``ast`` (never importing or executing the analysed code) with
abstract values: constants are folded, lists and dicts are real containers, layers are
``values.Layer`` objects, tensors are ``shapes.Tensor`` shapes.  ``__init__`` methods run with
constant arguments to build module trees; ``forward`` methods run on abstract tensors, and each
layer call goes to the ``Checker`` (``models.py``), which applies the shape rule and records it,
through the hooks that ``hooks.CheckerHooks`` declares; ``run_module`` returns a ``hooks.ModuleRun``.
Whatever it cannot know becomes ``UNKNOWN``; it never guesses.  A step budget bounds the work on
any file.  What builtins and standard-library names mean lives in ``stdlib.py``.
"""

from __future__ import annotations

import ast
import math
from types import MappingProxyType
from typing import Dict, List, Optional, Sequence, Tuple

from . import data_api, pretrained
from .hooks import CheckerHooks, ModuleLoading, ModuleRun
from .arguments import ArgumentNotGiven, given_symbols
from ..rules import shapes as S
from ..rules import tensor_ops
from ..diagnostics import Code, Span
from ..ir import UNKNOWN, Arg, LayerCall, NotKnown, Passed
from ..rules.layers import FUNCTIONAL_FORMS, LAYER_RULES, same_shape
from ..results import CONSTRUCT_NOT_FOLLOWED, VALUE_NOT_KNOWN
from ..rules.shapes import Tensor
from ..source import Source, node_handlers
from .stdlib import (BINOP_SYMBOLS, BUILTINS, GLOBAL_CALLS, LIBRARY_CONSTANTS, MAX_SEQUENCE, compare, dim_arith,
                     format_field, hashable, length, module_of, plain, python_binop, python_method)
from .values import (SOURCE_KEY, AbstractObject, Builtin, BoundMethod, ClassValue, Container, Function, Global,
                     Instance, LazyImport, Layer, Opaque, Parameters, Partial, PendingInput, Super, Unfollowed,
                     UserMethod,
                     is_module)

MAX_DEPTH = 40
_EINOPS_LAYERS = {"einops.layers.torch.Rearrange": "Rearrange", "einops.layers.torch.Reduce": "Reduce"}
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}
# library classes that are nn.Module subclasses: a class built on one is a module
MODULE_BASES = {"torch.jit.ScriptModule", "pytorch_lightning.LightningModule", "pytorch_lightning.core.LightningModule",
                "lightning.LightningModule", "lightning.pytorch.LightningModule",
                "lightning.pytorch.core.LightningModule"}
# d2l's Module and Classifier are nn.Modules whose forward is self.net(X), and whose
# layer_summary(X_shape) runs self.net layer by layer on a tensor of that shape
D2L_MODULES = {"d2l.torch.Module", "d2l.torch.Classifier"}
MODULE_BASES |= D2L_MODULES


class Abort(Exception):
    """The step budget or the call depth ran out: what was being evaluated is unknown."""


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Frame:
    __slots__ = ("locals", "globals", "closure", "function", "uncertain_return", "declared_global")

    def __init__(self, globals_: dict, locals_: Optional[dict] = None, closure=(), function=None):
        self.globals = globals_
        self.locals = globals_ if locals_ is None else locals_
        self.closure = closure
        self.function = function
        self.uncertain_return = False
        self.declared_global: set = set()


class CallSite:
    """A call of a user function or class being run, as written: what ``Passed`` is made from."""

    __slots__ = ("function", "node", "source", "caller", "args", "kwargs", "implicit")

    def __init__(self, function, node: ast.Call, source, caller: Frame, args: list, kwargs: dict, implicit: int):
        self.function, self.node, self.source, self.caller = function, node, source, caller
        self.args, self.kwargs, self.implicit = args, kwargs, implicit  # implicit: self, not written

    def given(self, parameter: str) -> Optional[Tuple[ast.expr, object]]:
        """The argument written for ``parameter`` and its value; None where the call does not write
        it (a default, ``*args``, a ``functools.partial``'s own arguments)."""
        node, spec = self.node, self.function.node.args
        for kw in node.keywords:
            if kw.arg == parameter:
                return kw.value, self.kwargs.get(parameter)
        positional = [a.arg for a in spec.posonlyargs + spec.args]
        index = positional.index(parameter) - self.implicit if parameter in positional else -1
        if not 0 <= index < len(node.args) or len(node.args) + self.implicit != len(self.args) or \
                any(isinstance(a, ast.Starred) for a in node.args):
            return None
        return node.args[index], self.args[index + self.implicit]


def integers(frame: Optional[Frame], call: Optional[ast.Call] = None) -> Tuple[Tuple[str, int], ...]:
    """The names bound to integers in a frame, and those the arguments of ``call`` use from
    enclosing scopes (a module's ``ngf``), and the integer attributes of ``self``
    (``self.in_planes``): what a suggestion may be written in."""
    if frame is None:
        return ()
    named = {k: v for k, v in frame.locals.items() if type(v) is int}
    attributes = getattr(frame.locals.get("self"), "attrs", None) if frame.locals is not frame.globals else None
    if isinstance(attributes, dict):
        named.update((f"self.{k}", v) for k, v in attributes.items() if type(v) is int)
    for name in _names_in_arguments(call):
        if name not in named:
            value = next((scope[name] for scope in (*frame.closure, frame.globals) if name in scope), None)
            if type(value) is int:
                named[name] = value
    return tuple(named.items())


def _names_in_arguments(call: Optional[ast.Call]) -> Tuple[str, ...]:
    """The names the arguments of ``call`` read, in the order ast.walk meets them; kept on the
    node, which is walked once however often the call runs (a block built in a loop, in every
    check of the project)."""
    if call is None:
        return ()
    known = getattr(call, "_shapecheck_names", None)
    if known is None:
        written = list(call.args) + [k.value for k in call.keywords]
        known = tuple(n.id for expr in written for n in ast.walk(expr) if isinstance(n, ast.Name))
        call._shapecheck_names = known
    return known


def public_torch_name(qualname: str) -> str:
    """torch.nn.modules.conv.Conv2d -> torch.nn.Conv2d; torch.nn.functional stays."""
    if qualname.startswith("torch.nn.modules."):
        return "torch.nn." + qualname.rsplit(".", 1)[1]
    return qualname


def truth(value) -> object:
    """True, False or UNKNOWN."""
    if value is UNKNOWN or isinstance(value, (Tensor, S.Dim, PendingInput)):
        return UNKNOWN
    if isinstance(value, (list, tuple)) and any(v is UNKNOWN for v in value):
        return bool(value) if value else False
    try:
        return bool(value)
    except Exception:
        return UNKNOWN


class Interpreter:
    def __init__(self, source: str, tree: ast.Module, checker: CheckerHooks, budget: int = 100_000,
                 file_budget: int = 1_000_000, path: str = "", modules: Optional[ModuleLoading] = None):
        self.source = Source(source, path)
        self.path = path
        self.modules = modules  # imports.ModuleLoader: the project's other files, or None for one file alone
        self.tree = tree
        self.checker = checker  # the hooks it calls at each layer built and called, each tensor operation (hooks.py)
        self.budget = budget
        self.steps = 0
        self.file_budget = file_budget  # all units together: past it, the rest of the file is unknown
        self.total_steps = 0
        self.depth = 0
        self.globals: Dict[str, object] = {"__name__": "__main__", "__file__": UNKNOWN, SOURCE_KEY: self.source}
        self.with_symbols = False  # building or running a model whose constructor arguments are symbols
        self._assignments: Dict[str, Tuple[object, ast.stmt]] = {}
        self._classes: List[Tuple[ClassValue, ast.ClassDef]] = []
        self._super_context: Optional[Tuple[ClassValue, object]] = None
        self._functions: List[Tuple[Function, ast.FunctionDef]] = []
        # id(top-level function) -> what its first call returned: discovery reuses the model the
        # script built rather than building (and reporting) a second copy
        self._first_results: Dict[int, object] = {}
        self._generators: Dict[int, bool] = {}  # id(function node) -> has a yield of its own
        # id(class of this file) -> its instances built by another file of the project (train.py's Net(10))
        self._built_elsewhere: Dict[int, List[Instance]] = {}
        self.torchvision_stub: Optional[dict] = None  # pretrained.STUB's globals, once a file builds one
        self.torchvision_models: List[Instance] = []  # the torchvision models built, as the script has them
        self.calls: List[Optional[CallSite]] = []  # the user calls being run, innermost last
        self._calling: Tuple = (None, None)  # (the call node being evaluated, the frame it is in)
        self.ran_files: Optional[set] = None  # while tracing a script: the files whose code ran (as findings name them)

    # --- running ------------------------------------------------------------------------------

    def run_module(self) -> ModuleRun:
        """The checked file's top level, each statement with a fresh step budget: what it defines,
        assigns and calls."""
        self._run_top_level()
        return ModuleRun(tuple(self._functions), tuple(self._classes), MappingProxyType(dict(self._assignments)),
                         MappingProxyType(self._first_results), MappingProxyType(self._built_elsewhere))

    def _run_top_level(self) -> None:
        frame = Frame(self.globals)
        for stmt in self.tree.body:
            if self.exhausted:
                self._not_analysed(stmt, f"the file is too long to analyse to the end (over {self.file_budget} "
                                         f"steps): nothing from line {stmt.lineno} on is checked")
                return
            try:
                self.exec(stmt, frame)
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and frame.locals is self.globals:
                    for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                        if isinstance(target, ast.Name):
                            self._assignments.setdefault(target.id, (self.globals.get(target.id), stmt))
            except Abort as stop:  # too long: this statement is unknown
                if not self.exhausted and self._builds_layers(stmt):
                    self._not_analysed(stmt, f"this statement {self._too_much(stop)}: the layers it builds are "
                                             f"not checked")
                self.steps = 0  # the next statement gets a fresh budget
            except RecursionError:
                if self._builds_layers(stmt):
                    self._not_analysed(stmt, "this statement nests too deeply to analyse: "
                                             "the layers it builds are not checked")
                self.steps = 0
            except (_Return, _Break, _Continue):
                pass

    def at_line(self, line: int) -> str:
        """A place in the file being interpreted, as messages say it: "line 12" in the checked
        file, "train.py:12" in another file of the project."""
        if self.source.path == pretrained.SHOWN_AS:
            return "torchvision's forward"
        return f"line {line}" if self.source.path == self.path else f"{self.source.path}:{line}"

    def new_source(self, text: str, shown: str, file) -> Source:
        source = Source(text, shown)
        source.file = file
        return source

    def run_imported(self, tree: ast.Module, globals_: dict, source: Source, budget: int) -> int:
        """Another file's top level, on its own globals (an imported module, or a script that
        imports the checked file), each statement with a fresh step budget, all of them together
        within ``budget``: the steps it took.  What runs out is unknown, as in the checked file."""
        saved = (self.source, self.steps, self.total_steps, self.file_budget)
        self.source, self.total_steps, self.file_budget = source, 0, max(budget, 0)
        frame = Frame(globals_)
        try:
            for stmt in tree.body:
                if self.exhausted:
                    break
                self.steps = 0
                try:
                    self.exec(stmt, frame)
                except (Abort, RecursionError, _Return, _Break, _Continue):
                    pass
            return self.total_steps
        finally:
            self.source, self.steps, self.total_steps, self.file_budget = saved

    def _builds_layers(self, stmt: ast.stmt) -> bool:
        """The statement calls ``nn.Something(...)`` or a module class of the file: what it
        leaves unknown is a model or a part of one."""
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and (isinstance(func.value, ast.Name) and func.value.id == "nn" or
                                                    isinstance(func.value, ast.Attribute) and func.value.attr == "nn"):
                return True
            if isinstance(func, ast.Name):
                value = self.globals.get(func.id)
                if isinstance(value, ClassValue) and value.is_module:
                    return True
        return False

    def _too_much(self, stop: Abort) -> str:
        if stop.args and stop.args[0] == "depth":
            return f"calls functions or builds modules more than {MAX_DEPTH} deep (recursion?)"
        if stop.args and stop.args[0] == "loop":
            return "loops more than 10000 times"
        return f"is too long to analyse (over {self.budget} steps)"

    def _not_analysed(self, stmt: ast.stmt, message: str) -> None:
        line = stmt.lineno
        self.checker.report(Code.NOT_ANALYSED, Span(line, stmt.col_offset + 1, line, stmt.col_offset + 1), message)

    def tick(self, n: int = 1) -> None:
        self.steps += n
        self.total_steps += n
        if self.steps > self.budget or self.total_steps > self.file_budget:
            raise Abort("step budget")

    @property
    def exhausted(self) -> bool:
        return self.total_steps > self.file_budget

    def call_guarded(self, fn, *args):
        """Run ``fn`` with a fresh budget; Abort (or code nested deeper than Python's stack
        allows) means unknown."""
        if self.exhausted:
            return UNKNOWN
        saved = self.steps
        self.steps = 0
        try:
            return fn(*args)
        except (Abort, RecursionError):
            return UNKNOWN
        finally:
            self.steps = saved

    # --- statements -----------------------------------------------------------------------------

    def exec(self, stmt: ast.stmt, frame: Frame) -> None:
        self.tick()
        handler = _STATEMENTS.get(type(stmt))
        if handler is not None:
            handler(self, stmt, frame)

    def exec_block(self, stmts: Sequence[ast.stmt], frame: Frame) -> None:
        for stmt in stmts:
            self.exec(stmt, frame)

    def exec_Expr(self, stmt: ast.Expr, frame: Frame) -> None:
        self.eval(stmt.value, frame)

    def exec_Assign(self, stmt: ast.Assign, frame: Frame) -> None:
        value = self.eval(stmt.value, frame)
        if value is UNKNOWN and isinstance(stmt.value, ast.Call):
            value = self._third_party(stmt.value, frame)
        for target in stmt.targets:
            before = frame.locals.get(target.id) if isinstance(target, ast.Name) else None
            self.assign(target, value, frame)
            if isinstance(target, ast.Name):
                self.checker.assigned(target, before, value, stmt)

    def _third_party(self, call: ast.Call, frame: Frame):
        """``timm.create_model(...)``: what a constructor of another package builds is not analysed;
        kept as a module shapecheck does not model (its parameters and shapes are not known), which
        the reports name, rather than as a value nothing says anything about."""
        func = call.func
        while isinstance(func, ast.Attribute):
            func = func.value
        if not isinstance(func, ast.Name):
            return UNKNOWN
        called = self._try_eval(call.func, frame)
        if isinstance(called, Unfollowed):
            return Opaque(self.source.text(call), self.source.span(call), kind=called.qualname, unresolved=called.reason)
        package = third_party_package(called.qualname, self.path) \
            if isinstance(called, Global) else ""
        if not package:
            return UNKNOWN
        return Opaque(self.source.text(call), self.source.span(call), kind=called.qualname, third_party=package)

    def exec_AnnAssign(self, stmt: ast.AnnAssign, frame: Frame) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, frame), frame)

    def exec_AugAssign(self, stmt: ast.AugAssign, frame: Frame) -> None:
        current = self.eval(_load(stmt.target), frame)
        value = self.eval(stmt.value, frame)
        if isinstance(current, list) and isinstance(stmt.op, ast.Add):
            if isinstance(value, (list, tuple)) and len(current) + len(value) <= MAX_SEQUENCE:
                current.extend(value)
                return
            if value is UNKNOWN or isinstance(value, (list, tuple)):
                current.append(UNKNOWN)  # the list's contents are unknown from here on
                return
        if isinstance(current, Container) and isinstance(stmt.op, ast.Add):
            current.items.extend((str(len(current.items) + i), m) for i, m in enumerate(_modules_of(value)))
            return
        self.assign(stmt.target, self.binop(stmt.op, current, value, stmt), frame)

    def exec_Return(self, stmt: ast.Return, frame: Frame) -> None:
        value = self.eval(stmt.value, frame) if stmt.value is not None else None
        if stmt.value is not None:
            self.checker.assigned(None, None, value, stmt)
        raise _Return(value)

    def exec_Pass(self, stmt, frame) -> None:
        pass

    def exec_Break(self, stmt, frame) -> None:
        raise _Break()

    def exec_Continue(self, stmt, frame) -> None:
        raise _Continue()

    def exec_Global(self, stmt: ast.Global, frame: Frame) -> None:
        frame.declared_global.update(stmt.names)

    def exec_Delete(self, stmt: ast.Delete, frame: Frame) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                frame.locals.pop(target.id, None)

    def exec_Import(self, stmt: ast.Import, frame: Frame) -> None:
        if self.modules is not None:
            self.modules.exec_import(self, stmt, frame)
            return
        for alias in stmt.names:
            if alias.asname:
                frame.locals[alias.asname] = Global(alias.name)
            else:
                top = alias.name.split(".")[0]
                frame.locals[top] = Global(top)

    def exec_ImportFrom(self, stmt: ast.ImportFrom, frame: Frame) -> None:
        if self.modules is not None and self.modules.exec_import_from(self, stmt, frame):
            return
        for alias in stmt.names:
            if alias.name == "*":
                continue
            name = alias.asname or alias.name
            if stmt.level or not stmt.module:
                frame.locals[name] = UNKNOWN
            else:
                frame.locals[name] = Global(public_torch_name(f"{stmt.module}.{alias.name}"))

    def exec_FunctionDef(self, stmt: ast.FunctionDef, frame: Frame, owner=None) -> None:
        function = Function(stmt, frame.globals, self._closure(frame), owner)
        function.defaults = self._defaults(stmt.args, frame)
        frame.locals[stmt.name] = function
        if frame.locals is self.globals:
            self._functions.append((function, stmt))
            function.top_level = True

    exec_AsyncFunctionDef = exec_FunctionDef

    def _closure(self, frame: Frame) -> tuple:
        if frame.locals is frame.globals:
            return frame.closure
        return (frame.locals,) + tuple(frame.closure)

    def _defaults(self, args: ast.arguments, frame: Frame) -> dict:
        positional = args.posonlyargs + args.args
        defaults = {}
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            defaults[arg.arg] = self.eval(default, frame)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                defaults[arg.arg] = self.eval(default, frame)
        return defaults

    def exec_ClassDef(self, stmt: ast.ClassDef, frame: Frame) -> None:
        bases = [self.eval(b, frame) for b in stmt.bases]
        is_module = any(self._is_module_base(b) for b in bases)
        container = next((kind for kind in map(self._container_base, bases) if kind), None)
        cls = ClassValue(stmt.name, stmt, bases, {}, is_module, container, self.source.path, self.source.span(stmt))
        class_frame = Frame(frame.globals, {}, self._closure(frame))
        for item in stmt.body:
            try:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.exec_FunctionDef(item, class_frame, owner=cls)
                else:
                    self.exec(item, class_frame)
            except (Abort, _Return, _Break, _Continue):
                pass
        cls.attrs = class_frame.locals
        frame.locals[stmt.name] = cls
        if frame.locals is self.globals:
            self._classes.append((cls, stmt))

    def _is_module_base(self, base) -> bool:
        if isinstance(base, Global):
            return base.qualname in MODULE_BASES or base.qualname.startswith("torch.nn.") and \
                base.qualname.rsplit(".", 1)[1] in ({"Module"} | CONTAINERS)
        return isinstance(base, ClassValue) and base.is_module

    def _container_base(self, base) -> Optional[str]:
        if isinstance(base, Global):
            kind = base.qualname.rsplit(".", 1)[1]
            return kind if base.qualname == f"torch.nn.{kind}" and kind in CONTAINERS else None
        return base.container_base if isinstance(base, ClassValue) else None

    def exec_If(self, stmt: ast.If, frame: Frame) -> None:
        condition = truth(self.eval(stmt.test, frame))
        if condition is UNKNOWN:
            self.undecided(stmt.test, frame, "the branch")
            self.exec_uncertain([stmt.body, stmt.orelse], frame)
        elif condition:
            self.exec_block(stmt.body, frame)
        else:
            self.exec_block(stmt.orelse, frame)

    def undecided(self, node: ast.expr, frame: Frame, what: str) -> None:
        """A decision the analysis cannot make: where a constructor argument checked as a symbol
        is what it reads, the model stops here (ArgumentNotGiven) rather than going on unknown."""
        if not self.with_symbols:
            return
        names = set()
        for read in ast.walk(node):
            if isinstance(read, (ast.Name, ast.Attribute)) and isinstance(read.ctx, ast.Load):
                names |= S.argument_symbols(self._try_eval(read, frame))
        if names:
            raise ArgumentNotGiven(tuple(sorted(names)), node.lineno, node.col_offset + 1, what)

    def exec_uncertain(self, branches: Sequence[Sequence[ast.stmt]], frame: Frame) -> None:
        """Branches of which we cannot tell which runs.  Branches that only rebind local names
        run each on a copy of the locals, and names that end up different become unknown;
        branches that change objects (append, attribute assignment) are not run, and what
        they change becomes unknown."""
        if any(_mutates(branch) for branch in branches) or frame.locals is frame.globals:
            for branch in branches:
                self.taint(branch, frame)
            return
        results, returned = [], []
        for branch in branches:
            local = dict(frame.locals)
            branch_frame = Frame(frame.globals, local, frame.closure, frame.function)
            try:
                self.exec_block(branch, branch_frame)
            except _Return as ret:
                returned.append(ret.value)
                continue
            except (_Break, _Continue):
                pass
            results.append(local)
        if len(returned) == len(branches):
            raise _Return(returned[0] if all(_same(returned[0], v) for v in returned[1:]) else _widen(returned))
        if returned:
            frame.uncertain_return = True
        for name in set().union(*results) if results else ():
            values = [r.get(name, UNKNOWN) for r in results]
            frame.locals[name] = values[0] if all(_same(values[0], v) for v in values[1:]) else _widen(values)

    def taint(self, stmts: Sequence[ast.stmt], frame: Frame) -> None:
        kept = self._same_module_after(stmts, frame)
        for node in ast.walk(ast.Module(body=list(stmts), type_ignores=[])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if node.id not in kept:
                    frame.locals[node.id] = UNKNOWN
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                owner = self._try_eval(node.value, frame)
                if isinstance(owner, Instance):
                    owner.attrs[node.attr] = Opaque(self.source.text(node), self.source.span(node))
            elif isinstance(node, ast.Call) and _registers_child(node):
                self._taint_registration(node, frame)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                if isinstance(receiver, ast.Name) and receiver.id in frame.locals and receiver.id not in kept and \
                        not isinstance(frame.locals[receiver.id], Global):  # pickle.dump(...) leaves pickle be
                    frame.locals[receiver.id] = UNKNOWN
            elif isinstance(node, ast.Return):
                frame.uncertain_return = True

    def _same_module_after(self, stmts: Sequence[ast.stmt], frame: Frame) -> set:
        """Names of modules that a branch which may or may not run leaves the same module, whichever
        way it goes: ``if use_cuda: model.cuda()``, ``net = net.to(device)``, ``net =
        torch.nn.DataParallel(net)`` (moving or wrapping a model changes no shape)."""
        kept, changed = set(), set()
        for stmt in stmts:
            name = self._moves_a_module(stmt, frame)
            if name is not None:
                kept.add(name)
            else:
                changed.update(_names_changed(stmt))
        return kept - changed

    def _moves_a_module(self, stmt: ast.stmt, frame: Frame) -> Optional[str]:
        call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        name = _moved_module(call)
        if name is None or not is_module(frame.locals.get(name)):
            return None
        if isinstance(stmt, ast.Assign) and not all(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return None
        moved = isinstance(call.func, ast.Attribute) and call.func.attr in _MOVES and \
            isinstance(call.func.value, ast.Name) and call.func.value.id == name
        return name if moved or getattr(self._try_eval(call.func, frame), "qualname", "") in _WRAPPERS else None

    def _taint_registration(self, call: ast.Call, frame: Frame) -> None:
        """``add_module``/``setattr`` in a branch that may or may not run: the child may exist, so
        the module holds an opaque one under that name."""
        is_builtin = isinstance(call.func, ast.Name)
        owner_node = call.args[0] if is_builtin else call.func.value
        name_node = call.args[1] if is_builtin else call.args[0]
        owner = self._try_eval(owner_node, frame)
        if isinstance(owner, Container) or isinstance(owner, Instance) and owner.cls.is_module:
            name = self._try_eval(name_node, frame)
            text = " ".join(self.source.text(call).split())
            maybe = Opaque(text, self.source.span(call), kind="Module",
                           not_followed=f"`{text}` registers a child in a branch shapecheck cannot decide")
            self._add_child(owner, name, maybe, call)

    def _try_eval(self, node, frame):
        try:
            return self.eval(node, frame)
        except (Abort, _Return, _Break, _Continue):
            return UNKNOWN

    def exec_For(self, stmt: ast.For, frame: Frame) -> None:
        value = self.eval(stmt.iter, frame)
        if self._layer_by_layer(stmt, value, frame):
            return
        iterable = self.iterate(value)
        if iterable is UNKNOWN:
            self.undecided(stmt.iter, frame, "the loop")
            self.assign(stmt.target, UNKNOWN, frame)
            self._run_once_then_taint(stmt.body, frame)
            return
        for item in iterable:
            self.tick()
            self.assign(stmt.target, item, frame)
            try:
                self.exec_block(stmt.body, frame)
            except _Break:
                return
            except _Continue:
                continue
        self.exec_block(stmt.orelse, frame)

    exec_AsyncFor = exec_For

    def _layer_by_layer(self, stmt: ast.For, net, frame: Frame) -> bool:
        """d2l's ``for layer in net: X = layer(X)`` outside a model run: the Sequential is checked
        on X as one model (each layer in turn, the findings at its layers), X is what it returns,
        and what else the body binds is unknown (a print of each shape changes nothing)."""
        step = _applied_in_turn(stmt)
        if step is None or self.checker.running_model() or not _is_sequential(net):
            return False
        x = self.eval(ast.Name(id=step.targets[0].id, ctx=ast.Load()), frame)
        if not isinstance(x, Tensor) or x.shape is None:
            return False
        source = f"each layer of {self.source.text(stmt.iter)} in turn at {self.at_line(step.lineno)}"
        if x.origin and " at " in x.origin:
            source += f", data from {x.origin}"
        output = self.checker.script_call(net, [x], {}, step.value, source=source)
        self.taint(stmt.body, frame)
        self.assign(stmt.target, (self.iterate(net) or [UNKNOWN])[-1], frame)
        self.assign(step.targets[0], output, frame)
        return True

    def _run_once_then_taint(self, body, frame: Frame) -> None:
        try:
            self.exec_block(body, frame)
        except (_Break, _Continue):
            pass
        self.taint(body, frame)

    def exec_While(self, stmt: ast.While, frame: Frame) -> None:
        for _ in range(10_000):
            condition = truth(self.eval(stmt.test, frame))
            if condition is UNKNOWN:
                self.undecided(stmt.test, frame, "the loop")
                self._run_once_then_taint(stmt.body, frame)
                return
            if not condition:
                self.exec_block(stmt.orelse, frame)
                return
            try:
                self.exec_block(stmt.body, frame)
            except _Break:
                return
            except _Continue:
                continue
        raise Abort("loop")

    def exec_With(self, stmt: ast.With, frame: Frame) -> None:
        for item in stmt.items:
            value = self.eval(item.context_expr, frame)
            if item.optional_vars is not None:
                entered = value if getattr(value, "entered_as_itself", False) else UNKNOWN
                self.assign(item.optional_vars, entered, frame)
        self.exec_block(stmt.body, frame)

    exec_AsyncWith = exec_With

    def exec_Try(self, stmt: ast.Try, frame: Frame) -> None:
        try:
            self.exec_block(stmt.body, frame)
            self.exec_block(stmt.orelse, frame)
        finally:
            self.exec_block(stmt.finalbody, frame)

    exec_TryStar = exec_Try

    def exec_Assert(self, stmt, frame) -> None:
        pass

    def exec_Raise(self, stmt, frame) -> None:
        raise _Return(UNKNOWN)  # the rest of the function does not run; its result is unknown

    # --- assignment -----------------------------------------------------------------------------

    def assign(self, target: ast.expr, value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            if target.id in frame.declared_global:
                frame.globals[target.id] = value
            else:
                frame.locals[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target.elts, value, frame)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(self.eval(target.value, frame), target.attr, value)
        elif isinstance(target, ast.Subscript):
            self.set_item(self.eval(target.value, frame), self.eval(target.slice, frame), value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN, frame)

    def _unpack(self, targets: List[ast.expr], value, frame: Frame) -> None:
        if isinstance(value, Tensor) and value.shape is not None and value.shape and S.is_int(value.shape[0]):
            value = [self.getitem(value, i, None) for i in range(min(value.shape[0], 64))]
        items = list(value) if isinstance(value, (list, tuple)) else None
        starred = [i for i, t in enumerate(targets) if isinstance(t, ast.Starred)]
        if items is None or (not starred and len(items) != len(targets)):
            for t in targets:
                self.assign(t, UNKNOWN, frame)
            return
        if starred:
            k = starred[0]
            tail = len(targets) - k - 1
            items = items[:k] + [list(items[k:len(items) - tail])] + items[len(items) - tail:]
        for t, v in zip(targets, items):
            self.assign(t.value if isinstance(t, ast.Starred) else t, v, frame)

    def set_attribute(self, owner, name: str, value) -> None:
        if isinstance(owner, AbstractObject):
            owner.call_method(self, "__setattr__", [name, value], {}, None)
            return
        if isinstance(owner, Instance) and name not in owner.attrs and pretrained.built(self, owner):
            # model.layer4 = ...: inside the trunk
            pretrained.open_trunk(self, owner, f"`{name}` is replaced")
        if isinstance(owner, Instance):
            if isinstance(value, Tensor) and value.origin == "parameter":
                count = _numel(value.shape)
                owner.params += count or 0
                owner.params_known &= count is not None
            owner.attrs[name] = value
        elif isinstance(owner, Container) and is_module(value):
            _replace_child(owner, name, value)

    def setattr_builtin(self, args: list, node) -> None:
        """``setattr(self, f"layer{i}", block)``; with a name that cannot be computed, a module
        value is still registered (opaque), never dropped."""
        if len(args) != 3:
            return None
        owner, name, value = args
        if isinstance(name, str):
            self.set_attribute(owner, name, value)
        elif isinstance(owner, Instance) and owner.cls.is_module and (is_module(value) or value is UNKNOWN):
            self._add_child(owner, name, value, node)
        return None

    def set_item(self, owner, key, value) -> None:
        if pretrained.is_trunk(owner):  # model.features[0] = nn.Conv2d(1, 64, 3)
            pretrained.open_trunk(self, owner, f"an item of {owner.call.kind} is replaced")
        if isinstance(owner, AbstractObject):
            owner.call_method(self, "__setitem__", [key, value], {}, None)
            return
        if isinstance(owner, (list, dict)) and key is not UNKNOWN:
            try:
                owner[key] = value
            except Exception:
                pass
        elif isinstance(owner, Container) and owner.kind == "ModuleDict" and isinstance(key, str):
            owner.items = [(k, v) for k, v in owner.items if k != key] + [(key, value)]
        elif isinstance(owner, Container) and isinstance(key, int) and -len(owner.items) <= key < len(owner.items):
            _replace_child(owner, owner.items[key][0], value)  # model.classifier[1] = nn.Linear(...)

    # --- expressions ----------------------------------------------------------------------------

    def eval(self, node: ast.expr, frame: Frame):
        handler = _EXPRESSIONS.get(type(node))
        if handler is None:
            return UNKNOWN
        return handler(self, node, frame)

    def eval_Constant(self, node: ast.Constant, frame):
        return node.value

    def eval_Name(self, node: ast.Name, frame: Frame):
        name = node.id
        if name in frame.locals:
            return self.concrete(frame.locals[name])
        for scope in frame.closure:
            if name in scope:
                return self.concrete(scope[name])
        if name in frame.globals:
            return self.concrete(frame.globals[name])
        return BUILTINS.get(name, UNKNOWN)

    def concrete(self, value):
        """A project import's name, run when first used (imports.ModuleLoader.force)."""
        if isinstance(value, LazyImport):
            return self.modules.force(self, value) if self.modules is not None else UNKNOWN
        return value

    def eval_Tuple(self, node: ast.Tuple, frame):
        return tuple(self._elements(node.elts, frame))

    def eval_List(self, node: ast.List, frame):
        return list(self._elements(node.elts, frame))

    def eval_Set(self, node, frame):
        return UNKNOWN

    def _elements(self, elts, frame) -> list:
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                value = self.iterate(self.eval(e.value, frame))
                if value is UNKNOWN:
                    out.append(UNKNOWN)
                else:
                    out.extend(value)
            else:
                out.append(self.eval(e, frame))
        return out

    def eval_Dict(self, node: ast.Dict, frame):
        result = {}
        for k, v in zip(node.keys, node.values):
            value = self.eval(v, frame)
            if k is None:
                if isinstance(value, dict):
                    result.update(value)
                continue
            key = self.eval(k, frame)
            if hashable(key):
                result[key] = value
        return result

    def eval_JoinedStr(self, node: ast.JoinedStr, frame):
        """``f"layer{i}"``: a name built from known values is known."""
        pieces = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                pieces.append(str(part.value))
                continue
            spec = self.eval(part.format_spec, frame) if part.format_spec is not None else ""
            piece = format_field(self.eval(part.value, frame), part.conversion, spec)
            if piece is UNKNOWN:
                return UNKNOWN
            pieces.append(piece)
        return "".join(pieces)

    def eval_IfExp(self, node: ast.IfExp, frame):
        condition = truth(self.eval(node.test, frame))
        if condition is UNKNOWN:
            self.undecided(node.test, frame, "the choice")
            a, b = self.eval(node.body, frame), self.eval(node.orelse, frame)
            return a if _same(a, b) else _device_twin(a, b) or _widen([a, b])
        return self.eval(node.body if condition else node.orelse, frame)

    def eval_BoolOp(self, node: ast.BoolOp, frame):
        is_and = isinstance(node.op, ast.And)
        result = None
        for index, value_node in enumerate(node.values):
            value = self.eval(value_node, frame)
            t = truth(value)
            if t is UNKNOWN:
                return self._decided_later(node.values[index + 1:], is_and, frame)
            result = value
            if is_and and not t or not is_and and t:
                return value
        return result

    def _decided_later(self, rest: Sequence[ast.expr], is_and: bool, frame: Frame):
        """``x.is_cuda and self.ngpu > 1`` is false whatever x is: a later operand that is known
        to decide decides.  Operands with calls are not evaluated: they might not run."""
        if any(isinstance(n, ast.Call) for operand in rest for n in ast.walk(operand)):
            return UNKNOWN
        for value_node in rest:
            value = self.eval(value_node, frame)
            if truth(value) is (not is_and):
                return value
        return UNKNOWN

    def eval_UnaryOp(self, node: ast.UnaryOp, frame):
        value = self.eval(node.operand, frame)
        if isinstance(node.op, ast.Not):
            t = truth(value)
            return UNKNOWN if t is UNKNOWN else not t
        if isinstance(value, Tensor):
            return value
        if isinstance(node.op, ast.USub):
            if isinstance(value, (int, float)) and not isinstance(value, bool) or isinstance(value, bool):
                return -value
            return S.mul(value, -1) if isinstance(value, S.Dim) else UNKNOWN
        if isinstance(node.op, ast.UAdd) and isinstance(value, (int, float)):
            return value
        if isinstance(node.op, ast.Invert) and isinstance(value, int):
            return ~value
        return UNKNOWN

    def eval_BinOp(self, node: ast.BinOp, frame):
        return self.binop(node.op, self.eval(node.left, frame), self.eval(node.right, frame), node)

    def binop(self, op: ast.operator, left, right, node):
        symbol = BINOP_SYMBOLS.get(type(op))
        if isinstance(left, (Tensor, PendingInput)) or isinstance(right, (Tensor, PendingInput)):
            return self.tensor_binary(symbol, left, right, node)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if isinstance(left, S.Dim) or isinstance(right, S.Dim):
            return dim_arith(symbol, left, right)
        return python_binop(op, left, right)

    def tensor_binary(self, symbol, left, right, node):
        if isinstance(left, PendingInput) or isinstance(right, PendingInput):
            return Tensor(None)
        return self.checker.tensor_op(lambda: tensor_ops.binary(symbol, left, right), node,
                                      f"{symbol}", inputs=(left, right),
                                      call=(tensor_ops.binary_rule(symbol), (left, right), {}))

    def eval_Compare(self, node: ast.Compare, frame):
        left = self.eval(node.left, frame)
        result = True
        for op, comparator_node in zip(node.ops, node.comparators):
            right = self.eval(comparator_node, frame)
            outcome = compare(op, left, right)
            if outcome is UNKNOWN:
                return UNKNOWN
            if not outcome:
                return False
            left = right
        return result

    def eval_Attribute(self, node: ast.Attribute, frame):
        return self.get_attribute(self.eval(node.value, frame), node.attr, node)

    def get_attribute(self, owner, name: str, node=None):
        if isinstance(owner, AbstractObject):
            return owner.attribute(self, name)
        if isinstance(owner, Global):
            qualname = public_torch_name(f"{owner.qualname}.{name}")
            return LIBRARY_CONSTANTS[qualname] if qualname in LIBRARY_CONSTANTS else Global(qualname)
        if isinstance(owner, Unfollowed):
            return Unfollowed(f"{owner.qualname}.{name}", owner.reason)
        if isinstance(owner, Instance):
            return self._instance_attribute(owner, name)
        if name == "__name__" and isinstance(owner, (ClassValue, Function)):
            return owner.name
        if isinstance(owner, ClassValue):
            value, _ = owner.lookup(name)
            return UNKNOWN if value is None else value
        if isinstance(owner, Super):
            return self._super_attribute(owner, name)
        if isinstance(owner, Tensor):
            return self._tensor_attribute(owner, name, node)
        if isinstance(owner, Layer):
            if pretrained.is_trunk(owner) and pretrained.looks_inside(name):
                pretrained.open_trunk(self, owner, f"`{name}` of {owner.call.kind} is read")
                return UNKNOWN
            if owner.args is not None and name in owner.args.values:
                return owner.args.values[name]
            if name in _MODULE_METHODS:
                return BoundMethod(owner, name)
            return UNKNOWN
        if isinstance(owner, Container) and any(k == name for k, _ in owner.items):
            return next(v for k, v in owner.items if k == name)  # a named child: model.heads.head
        if isinstance(owner, (Container, Opaque, PendingInput, Parameters)) or owner is UNKNOWN:
            return BoundMethod(owner, name) if owner is not UNKNOWN else UNKNOWN
        if isinstance(owner, (list, dict, str, tuple, int, float)):
            return BoundMethod(owner, name)
        if isinstance(owner, Partial):
            return {"func": owner.func, "args": owner.args, "keywords": owner.kwargs}.get(name, UNKNOWN)
        return UNKNOWN

    def _instance_attribute(self, inst: Instance, name: str):
        if name in inst.attrs:
            return inst.attrs[name]
        if name == "forward" and inst.cls.is_module:
            return BoundMethod(inst, name)  # model.forward(x) is a model call, as model(x) is
        value, _ = inst.cls.lookup(name)
        if isinstance(value, Function):
            if _is_decorated(value.node, "staticmethod"):
                return value
            if _is_decorated(value.node, "property"):
                return self.call(value, [inst], {}, None)
            return UserMethod(value, inst)
        if value is not None:
            return value
        if name == "training" and inst.cls.is_module:
            return self.checker.training_mode()
        if name not in _MODULE_METHODS and pretrained.built(self, inst):  # model.layer4: inside the trunk
            pretrained.open_trunk(self, inst, f"`{name}` is read")
            return UNKNOWN
        if inst.cls.is_module or name in _MODULE_METHODS:
            return BoundMethod(inst, name)
        return UNKNOWN

    def _super_attribute(self, sup: Super, name: str):
        bases = sup.cls.bases
        for base in bases:
            if isinstance(base, ClassValue):
                value, _ = base.lookup(name)
                if isinstance(value, Function):
                    return UserMethod(value, sup.receiver)
        if name == "__init__":
            return Builtin("super.__init__", lambda interp, args, kwargs, node: interp._base_init(sup, args))
        if name == "forward" and sup.cls.sequential_base and isinstance(sup.receiver, Instance):
            return Builtin("Sequential.forward",
                           lambda interp, args, kwargs, node: interp._chain(_sequential_items(sup.receiver),
                                                                            args[0] if args else UNKNOWN, node))
        return UNKNOWN

    def _base_init(self, sup: Super, args) -> None:
        receiver = sup.receiver
        if isinstance(receiver, Instance) and sup.cls.container_base:
            receiver.attrs.update(_container_children(sup.cls.container_base, args))
        return None

    def _tensor_attribute(self, tensor: Tensor, name: str, node):
        if name == "shape":
            return self.checker.tensor_op(lambda: tensor_ops.call_method("size", tensor, (), {}), node, "shape")
        if name == "ndim":
            return UNKNOWN if tensor.shape is None else len(tensor.shape)
        if name == "T":
            return self.checker.tensor_op(lambda: tensor_ops.call_method("T", tensor, (), {}), node, "T")
        if name in ("device", "dtype", "grad", "data", "is_cuda", "requires_grad"):
            return tensor if name == "data" else UNKNOWN
        return BoundMethod(tensor, name)

    def eval_Subscript(self, node: ast.Subscript, frame):
        return self.getitem(self.eval(node.value, frame), self.eval(node.slice, frame), node)

    def eval_Slice(self, node: ast.Slice, frame):
        parts = [None if p is None else self.eval(p, frame) for p in (node.lower, node.upper, node.step)]
        if any(p is UNKNOWN or isinstance(p, S.Dim) for p in parts):
            return UNKNOWN_SLICE
        return slice(*parts)

    def eval_Index(self, node, frame):  # Python < 3.9 compatibility
        return self.eval(node.value, frame)

    def getitem(self, owner, key, node):
        if isinstance(owner, AbstractObject):
            return owner.call_method(self, "__getitem__", [key], {}, node)
        if isinstance(owner, Tensor):
            index = UNKNOWN if key is UNKNOWN_SLICE else key
            return self.checker.tensor_op(lambda: tensor_ops.getitem(owner, index), node, "index",
                                          call=(None, (owner,), {}))
        if isinstance(owner, Global):
            return module_of(self, owner, key)
        if isinstance(owner, Container):
            return self._container_item(owner, key, node)
        if isinstance(owner, Parameters):
            return _parameter_item(owner, key)
        if pretrained.is_trunk(owner):  # model.features[0]
            pretrained.open_trunk(self, owner, f"{owner.call.kind} is indexed")
            return UNKNOWN
        if isinstance(owner, Instance) and owner.cls.container_base:
            return self._container_item(container_view(owner), key, node)
        if owner is UNKNOWN or key is UNKNOWN or key is UNKNOWN_SLICE:
            return UNKNOWN
        if isinstance(owner, (list, tuple, str, dict)):
            try:
                return owner[key]
            except Exception:
                return UNKNOWN
        return UNKNOWN

    def _container_item(self, owner: Container, key, node):
        if owner.kind == "ModuleDict":
            return dict(owner.items).get(key, UNKNOWN)
        if isinstance(key, slice):
            items = owner.items[key]
            return Container(owner.kind, list(items), owner.span, owner.text)
        if isinstance(key, int) and -len(owner.items) <= key < len(owner.items):
            return owner.items[key][1]
        return UNKNOWN

    def eval_Starred(self, node, frame):
        return UNKNOWN

    def eval_NamedExpr(self, node: ast.NamedExpr, frame):
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def eval_Lambda(self, node: ast.Lambda, frame):
        function = Function(node, frame.globals, self._closure(frame))
        function.defaults = self._defaults(node.args, frame)
        return function

    def eval_ListComp(self, node, frame):
        return self._comprehension(node, frame, list)

    def eval_GeneratorExp(self, node, frame):
        return self._comprehension(node, frame, list)

    def eval_SetComp(self, node, frame):
        return UNKNOWN

    def eval_DictComp(self, node: ast.DictComp, frame):
        pairs = self._comprehension(node, frame, list,
                                    element=lambda f: (self.eval(node.key, f), self.eval(node.value, f)))
        if pairs is UNKNOWN or not all(hashable(k) for k, _ in pairs):
            return UNKNOWN
        return dict(pairs)

    def _comprehension(self, node, frame, kind, element=None):
        local = dict(frame.locals) if frame.locals is not frame.globals else {}
        inner = Frame(frame.globals, local, self._closure(frame) if local is not frame.locals else frame.closure,
                      frame.function)
        if frame.locals is frame.globals:
            inner.closure = (frame.globals,)
        out: list = []
        element = element or (lambda f: self.eval(node.elt, f))
        if not self._generate(node.generators, 0, inner, out, element):
            return UNKNOWN
        return kind(out)

    def _generate(self, generators, index, frame, out, element) -> bool:
        if index == len(generators):
            out.append(element(frame))
            return True
        generator = generators[index]
        iterable = self.iterate(self.eval(generator.iter, frame))
        if iterable is UNKNOWN:
            self.undecided(generator.iter, frame, "the comprehension")
            return False
        for item in iterable:
            self.tick()
            self.assign(generator.target, item, frame)
            conditions = [truth(self.eval(c, frame)) for c in generator.ifs]
            if any(c is UNKNOWN for c in conditions):
                return False
            if all(conditions) and not self._generate(generators, index + 1, frame, out, element):
                return False
        return True

    def eval_Await(self, node, frame):
        return UNKNOWN

    def eval_Yield(self, node, frame):
        return UNKNOWN

    # --- iteration ------------------------------------------------------------------------------

    def iterate(self, value):
        """A Python list of the items, or UNKNOWN."""
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, AbstractObject):
            return value.items(self)
        if isinstance(value, dict):
            return list(value.keys())
        if isinstance(value, range):
            return list(value) if length(value) <= MAX_SEQUENCE else UNKNOWN
        if isinstance(value, Parameters):
            if ("?", UNKNOWN) in value.items:
                return UNKNOWN
            return [k if value.kind == "ParameterDict" else v for k, v in value.items]
        if isinstance(value, Container):
            if value.kind == "ModuleDict":
                return [k for k, _ in value.items]
            return [m for _, m in value.items]
        if isinstance(value, Instance) and value.cls.container_base:
            return self.iterate(container_view(value))
        if isinstance(value, Tensor) and value.shape and S.is_int(value.shape[0]) and value.shape[0] <= 64:
            return [self.getitem(value, i, None) for i in range(value.shape[0])]
        return UNKNOWN

    # --- calls ----------------------------------------------------------------------------------

    def eval_Call(self, node: ast.Call, frame):
        func = self.eval(node.func, frame)
        args: list = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                items = self.iterate(self.eval(a.value, frame))
                if items is UNKNOWN:
                    self._eval_all(node, frame)
                    return UNKNOWN
                args.extend(items)
            else:
                args.append(self.eval(a, frame))
        kwargs: dict = {}
        for kw in node.keywords:
            value = self.eval(kw.value, frame)
            if kw.arg is None:
                if not isinstance(value, dict):
                    return UNKNOWN
                kwargs.update(value)
            else:
                kwargs[kw.arg] = value
        self._calling = (node, frame)
        result = self.call(func, args, kwargs, node)
        if _in_place_on_a_name(node, func):  # x.resize_(64, 784), x.unsqueeze_(0): x is what it returns
            self.assign(node.func.value, result if isinstance(result, Tensor) else Tensor(None), frame)
        if isinstance(func, Partial) and not args and not kwargs and isinstance(node.func, ast.Name) \
                and frame.globals.get(node.func.id) is func:
            _tag_named(result, node.func.id)  # `net = wrn16_2()`, a factory the file named at run time
        return result

    def _eval_all(self, node: ast.Call, frame) -> None:
        for kw in node.keywords:
            self.eval(kw.value, frame)

    def call(self, func, args: list, kwargs: dict, node: Optional[ast.Call]):
        self.tick()
        if isinstance(func, Global):
            return self.call_global(func.qualname, args, kwargs, node)
        if isinstance(func, Function):
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, UserMethod):
            return self.call_function(func.function, [func.receiver] + list(args), kwargs, node, implicit=1)
        if isinstance(func, ClassValue):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, Builtin):
            return func.fn(self, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self.call_method(func.receiver, func.name, args, kwargs, node)
        if isinstance(func, Partial):
            return self.call(func.func, list(func.args) + list(args), {**func.kwargs, **kwargs}, node)
        if is_module(func):
            return self.call_module(func, args, kwargs, node)
        if isinstance(func, AbstractObject):
            return func.call_method(self, "__call__", args, kwargs, node)
        if func is UNKNOWN and node is not None and any(isinstance(v, Tensor) for v in args):
            self.checker.cannot_follow(VALUE_NOT_KNOWN, node.lineno,
                                       f"what `{self.source.text(node.func)}` is, called here, is not known")
        return UNKNOWN

    def call_function(self, function: Function, args: list, kwargs: dict, node: Optional[ast.Call] = None,
                      implicit: int = 0):
        if self.depth >= MAX_DEPTH:
            raise Abort("depth")
        fn_node = function.node
        local = self._bind(fn_node.args, function, args, kwargs)
        frame = Frame(function.globals, local, function.closure, function)
        self.depth += 1
        caller = self._calling[1] if node is not None and self._calling[0] is node else None
        self.calls.append(CallSite(function, node, self.source, caller, args, kwargs, implicit)
                          if caller is not None else None)
        saved_super, saved_source = self._super_context, self.source
        self.source = function.globals.get(SOURCE_KEY, saved_source)  # the function's own file
        if self.ran_files is not None:
            self.ran_files.add(self.source.path)
        if function.owner is not None and args:
            self._super_context = (function.owner, args[0])
        try:
            if isinstance(fn_node, ast.Lambda):
                return self.eval(fn_node.body, frame)
            if self._is_generator(fn_node):
                return UNKNOWN
            try:
                self.exec_block(fn_node.body, frame)
                result = None
            except _Return as ret:
                result = ret.value
            except (_Break, _Continue):
                result = UNKNOWN
            result = UNKNOWN if frame.uncertain_return else result
            if function.top_level:
                self._first_results.setdefault(id(function), result)
                if not args and not kwargs:  # built as the factory alone builds it
                    _tag_factory(result, function)
            return result
        finally:
            self.depth -= 1
            self.calls.pop()
            self._super_context, self.source = saved_super, saved_source

    def _is_generator(self, fn_node) -> bool:
        known = self._generators.get(id(fn_node))
        if known is None:
            known = self.source.mentions_yield(fn_node) and _is_generator(fn_node)
            self._generators[id(fn_node)] = known
        return known

    def current_super(self, args):
        """super() inside a method: the class that defined the running method, and self."""
        if len(args) == 2 and isinstance(args[0], ClassValue):
            return Super(args[0], args[1])
        return Super(*self._super_context) if self._super_context else UNKNOWN

    def _bind(self, spec: ast.arguments, function: Function, args: list, kwargs: dict) -> dict:
        defaults = function.defaults
        positional = [a.arg for a in spec.posonlyargs + spec.args]
        local: Dict[str, object] = {}
        for name, value in zip(positional, args):
            local[name] = value
        if spec.vararg is not None:
            local[spec.vararg.arg] = tuple(args[len(positional):])
        extra_kwargs = {}
        for name, value in kwargs.items():
            if name in positional or any(a.arg == name for a in spec.kwonlyargs):
                local[name] = value
            else:
                extra_kwargs[name] = value
        if spec.kwarg is not None:
            local[spec.kwarg.arg] = extra_kwargs
        for name in positional + [a.arg for a in spec.kwonlyargs]:
            if name not in local:
                local[name] = defaults.get(name, UNKNOWN)
        return local

    def evaluate_arguments(self, call: ast.Call, globals_: dict) -> Tuple[list, dict]:
        """A call's arguments evaluated in a module's globals: (args, kwargs)."""
        frame = Frame(globals_)
        args = [self.eval(a, frame) for a in call.args if not isinstance(a, ast.Starred)]
        return args, {k.arg: self.eval(k.value, frame) for k in call.keywords if k.arg}

    def instantiate(self, cls: ClassValue, args: list, kwargs: dict, node):
        inst = Instance(cls, span=self.source.span(node) if node is not None else None,
                        text=self.source.text(node) if node is not None else "", built_in=self.source.path)
        if self.ran_files is not None:
            self.ran_files.add(cls.path)
        if node is not None and cls.is_module and cls.path == self.path and self.source.path != self.path:
            inst.built_by = self.source
            self._built_elsewhere.setdefault(id(cls), []).append(inst)
        init, _ = cls.lookup("__init__")
        if isinstance(init, Function) and cls.is_module and isinstance(init.node, ast.FunctionDef):
            self._build_given_symbols(inst, init, args, kwargs, node)
        elif isinstance(init, Function):
            self.call_function(init, [inst] + list(args), kwargs, node, implicit=1)
        elif cls.container_base:
            inst.attrs.update(_container_children(cls.container_base, args))
        return inst

    def _build_given_symbols(self, inst: Instance, init: Function, args: list, kwargs: dict, node) -> None:
        """A module built with an argument whose value is not known (``Net(3, len(classes))``)
        is built with that argument as a symbol (arguments.given_symbols).  Where the symbol
        decides the structure, the module is built again as before, the argument unknown, and
        the model stops there with the reason (its report names the argument)."""
        symbolic_args, symbolic_kwargs, symbolic = given_symbols(init.node, init.defaults, args, kwargs, UNKNOWN)
        if not symbolic:
            self.call_function(init, [inst] + list(args), kwargs, node, implicit=1)
            return
        saved, attrs = self.with_symbols, dict(inst.attrs)
        self.with_symbols = True
        try:
            self.call_function(init, [inst] + symbolic_args, symbolic_kwargs, node, implicit=1)
            inst.symbols = symbolic
        except ArgumentNotGiven as stop:
            inst.attrs.clear()
            inst.attrs.update(attrs)
            self.with_symbols = saved
            self.call_function(init, [inst] + list(args), kwargs, node, implicit=1)
            inst.stopped = stop

    def call_global(self, qualname: str, args: list, kwargs: dict, node):
        if qualname.startswith("torch.nn.") and not qualname.startswith("torch.nn.functional."):
            name = qualname.rsplit(".", 1)[1]
            if name in LAYER_RULES or name in CONTAINERS:
                return self.build_module(name, args, kwargs, node)
            if name in ("ParameterList", "ParameterDict"):
                return self.build_parameters(name, args[0] if args else kwargs.get("values", ()), node)
            if name == "Parameter":
                tensor = args[0] if args else kwargs.get("data", UNKNOWN)
                return Tensor(tensor.shape if isinstance(tensor, Tensor) else None, origin="parameter")
            if qualname.startswith("torch.nn.init."):
                return UNKNOWN
            if name in ("DataParallel", "DistributedDataParallel"):  # the batch split, run, gathered: the same shapes
                wrapped = args[0] if args else kwargs.get("module", UNKNOWN)
                return wrapped if is_module(wrapped) else UNKNOWN
            if name[:1].isupper():
                return Opaque(self.source.text(node) if node else name,
                              self.source.span(node) if node else None, kind=name)
        handler = GLOBAL_CALLS.get(qualname) or data_api.CALLS.get(qualname)
        if handler is not None:
            return handler(self, args, kwargs, node)
        if qualname in _EINOPS_LAYERS:  # Rearrange(pattern, **axes_lengths): the lengths as one argument
            kind = _EINOPS_LAYERS[qualname]
            named = ("pattern", "reduction") if kind == "Reduce" else ("pattern",)
            lengths = {k: v for k, v in kwargs.items() if k not in named}
            given = {k: v for k, v in kwargs.items() if k in named}
            return self.build_module(kind, args, {**given, "axes_lengths": lengths}, node)
        torchvision_model = pretrained.constructor(qualname) or pretrained.from_hub(qualname, args)
        if torchvision_model:
            return pretrained.build(self, torchvision_model, kwargs, node)
        qualname = tensor_ops.expand_alias(qualname)
        if qualname in tensor_ops.FUNCTIONS:
            return self.checker.tensor_op(lambda: tensor_ops.call_function(qualname, tuple(args), kwargs),
                                          node, qualname.rsplit(".", 1)[1], inputs=args,
                                          pending_passthrough=qualname in _ELEMENTWISE,
                                          call=(tensor_ops.FUNCTIONS[qualname], args, kwargs))
        self._not_followed(qualname, args, kwargs, node)
        return UNKNOWN

    def _not_followed(self, name: str, args: list, kwargs: dict, node) -> None:
        """A call that is not modelled, given a tensor: the shapes that follow are not known."""
        if any(isinstance(v, Tensor) for v in list(args) + list(kwargs.values())):
            library = "" if name.split(".")[0] in ("torch", "Tensor") else " (third-party)"
            self.checker.cannot_follow(CONSTRUCT_NOT_FOLLOWED, getattr(node, "lineno", 0),
                                       f"{name} is not modelled{library}")

    def build_module(self, name: str, args: list, kwargs: dict, node):
        span = self.source.span(node) if node is not None else Span(1, 1, 1, 1)
        text = self.source.text(node) if node is not None else name
        if name in CONTAINERS:
            if name == "Sequential":
                items = _children_from_args(args)
            elif args and isinstance(args[0], (list, tuple)):
                items = [(str(i), m) for i, m in enumerate(args[0])]
            elif args and isinstance(args[0], dict):
                items = list(args[0].items())
            elif not args:
                items = []
            else:
                items = [("0", Opaque(text, span))]
            return Container(name, items, span, text, path=self.source.path)
        frame = self._calling[1] if node is not None and self._calling[0] is node else None
        written_args = tuple(Arg(v, self.source.text(a), self.source.span(a), self.passed(a, frame))
                             for v, a in zip(args, node.args if node else ()))
        written_kwargs = tuple((k.arg, Arg(kwargs[k.arg], self.source.text(k.value), self.source.span(k.value),
                                           self.passed(k.value, frame)))
                               for k in (node.keywords if node else ()) if k.arg in kwargs)
        if node is None or any(isinstance(a, ast.Starred) for a in node.args) or len(written_args) != len(args):
            written_args = tuple(Arg(v, repr(v)) for v in args)
            written_kwargs = ()
        # keywords not written at the call: from **options or a functools.partial
        written = {k for k, _ in written_kwargs}
        written_kwargs += tuple((k, Arg(v, repr(v))) for k, v in kwargs.items() if k not in written)
        call = LayerCall(name, written_args, written_kwargs, span, text, self.source.path)
        rule = LAYER_RULES[name]
        try:
            bound = rule.bind(written_args, written_kwargs)
        except NotKnown:
            return Layer(call, rule, None)
        layer = Layer(call, rule, bound, integers(frame, node))
        self.checker.constructed(layer)
        return layer

    def passed(self, expr: ast.expr, frame: Optional[Frame]) -> Tuple[Passed, ...]:
        """The calls that passed ``expr``'s value down to where it is used, innermost first: a
        parameter of a helper, given by its caller's argument, which may be a parameter of the
        caller in turn (a factory, a block, a helper)."""
        chain = []
        depth = len(self.calls) - 1
        while isinstance(expr, ast.Name) and frame is not None and depth >= 0:
            site = self.calls[depth]
            given = site.given(expr.id) if site is not None and frame.function is site.function else None
            if given is None or frame.locals.get(expr.id) is not given[1]:
                break
            written, source = given[0], site.source
            chain.append(Passed(source.path, source.text(site.node), source.span(site.node), expr.id,
                                Arg(given[1], source.text(written), source.span(written)),
                                integers(site.caller, site.node)))
            expr, frame, depth = written, site.caller, depth - 1
        return tuple(chain)

    def build_parameters(self, kind: str, values, node) -> Parameters:
        """nn.ParameterList([...]) / nn.ParameterDict({...}); contents that cannot be listed are one
        parameter of unknown shape, so the count is unknown rather than short."""
        if kind == "ParameterDict" and isinstance(values, dict):
            items = [(str(k), v) for k, v in values.items()]
        elif kind == "ParameterList" and isinstance(values, (list, tuple)):
            items = [(str(i), v) for i, v in enumerate(values)]
        elif values is None:
            items = []
        else:
            items = [("?", UNKNOWN)]
        return Parameters(kind, items, self.source.span(node) if node is not None else None,
                          self.source.text(node) if node is not None else kind)

    def _parameters_method(self, params: Parameters, name: str, args: list):
        if name == "append" and len(args) == 1 and params.kind == "ParameterList":
            params.items.append((str(len(params.items)), args[0]))
            return params
        if name == "extend" and args and params.kind == "ParameterList":
            values = self.iterate(args[0])
            params.items.extend((str(len(params.items) + i), v) for i, v in
                                enumerate(values if values is not UNKNOWN else [UNKNOWN]))
            return params
        if params.kind == "ParameterDict" and name in ("items", "values", "keys"):
            return {"items": list(params.items), "values": [v for _, v in params.items],
                    "keys": [k for k, _ in params.items]}[name]
        return UNKNOWN

    def call_method(self, receiver, name: str, args: list, kwargs: dict, node):
        if isinstance(receiver, AbstractObject):
            return receiver.call_method(self, name, args, kwargs, node)
        if isinstance(receiver, Tensor):
            if name in (tensor_ops.NUMPY_METHODS if receiver.numpy else tensor_ops.METHODS):
                return self.checker.tensor_op(
                    lambda: tensor_ops.call_method(name, receiver, tuple(args), kwargs, numpy=receiver.numpy),
                    node, name, inputs=[receiver], pending_passthrough=name in _ELEMENTWISE_METHODS,
                    call=((tensor_ops.NUMPY_METHODS if receiver.numpy else tensor_ops.METHODS)[name],
                          [receiver] + list(args), kwargs))
            self._not_followed(f"Tensor.{name}", [receiver], kwargs, node)
            return UNKNOWN
        if isinstance(receiver, PendingInput):
            return receiver if name in _ELEMENTWISE_METHODS else Tensor(None)
        if is_module(receiver):
            return self.module_method(receiver, name, args, kwargs, node)
        if isinstance(receiver, (list, dict, str, tuple)) or S.is_int(receiver) or isinstance(receiver, float):
            return python_method(receiver, name, args, kwargs)
        return UNKNOWN

    def module_method(self, module, name: str, args: list, kwargs: dict, node):
        if isinstance(module, Opaque) and name in _MODEL_USE:
            module.used_as_model = True
        if name in ("to", "cuda", "cpu", "eval", "train", "float", "double", "half", "requires_grad_",
                    "apply", "type", "share_memory", "bfloat16"):
            return module
        if name == "forward":
            return self.call_module(module, args, kwargs, node)
        if name in ("__getattr__", "get_submodule") and len(args) == 1 and isinstance(args[0], str):
            return self.get_attribute(module, args[0], node) if "." not in args[0] else UNKNOWN
        if name in ("register_buffer", "register_parameter") and len(args) >= 2 and isinstance(args[0], str):
            self.set_attribute(module, args[0], args[1])  # self.register_buffer("pe", pe): self.pe is pe
            return None
        if name in ("add_module", "register_module", "__setattr__") and len(args) == 2:
            if name == "__setattr__" and isinstance(args[0], str):
                self.set_attribute(module, args[0], args[1])
            elif is_module(args[1]) or name != "__setattr__":
                self._add_child(module, args[0], args[1], node)
            return None
        if isinstance(module, Container):
            return self._container_method(module, name, args)
        if isinstance(module, Parameters):
            return self._parameters_method(module, name, args)
        if isinstance(module, Instance) and module.cls.container_base:
            return self._container_subclass_method(module, name, args)
        if name == "layer_summary" and isinstance(module, Instance) and _d2l_based(module.cls):
            return self._layer_summary(module, args[0] if args else kwargs.get("X_shape"), node)
        if name in ("children", "modules"):
            return [m for _, m in _module_children(module)] if name == "children" else UNKNOWN
        return UNKNOWN

    def _layer_summary(self, model: Instance, shape, node) -> None:
        """d2l's ``model.layer_summary((1, 1, 224, 224))``: the model is checked on that input."""
        if isinstance(shape, (tuple, list)) and shape and all(S.is_int(v) and v > 0 for v in shape):
            where = f"layer_summary at {self.at_line(node.lineno)}" if node is not None else "layer_summary"
            self.checker.script_call(model, [Tensor(tuple(shape))], {}, node, source=where)
        return None

    def _container_subclass_method(self, inst: Instance, name: str, args: list):
        """``self.items()`` in an nn.ModuleDict subclass, ``self.append(m)`` in an nn.ModuleList one:
        the container's methods over the instance's children."""
        view = container_view(inst)
        result = self._container_method(view, name, args)
        if view.items != inst.children():
            for key, _ in inst.children():
                del inst.attrs[key]
            inst.attrs.update(view.items)
        return inst if result is view else result

    def _add_child(self, module, name, child, node=None) -> None:
        """``add_module(name, child)``: registered under its name, in place if the name exists, as
        torch does.  A name that cannot be computed still registers a child: an opaque one, so the
        model is unknown from there rather than silently shorter."""
        if not isinstance(name, str):
            name, child = self._unnamed_child(child, node)
        if isinstance(module, Instance):
            module.attrs[name] = child
        elif isinstance(module, Container):
            if any(k == name for k, _ in module.items):
                module.items = [(k, child if k == name else v) for k, v in module.items]
            else:
                module.items.append((name, child))

    def _unnamed_child(self, child, node) -> Tuple[str, object]:
        line = node.lineno if node is not None else 0
        text = " ".join(self.source.text(node).split()) if node is not None else "add_module(...)"
        reason = f"`{text}` registers a child under a name shapecheck cannot compute"
        return f"<name set at line {line}>", Opaque(text, self.source.span(node) if node is not None else None,
                                                     kind="Module", not_followed=reason)

    def _container_method(self, container: Container, name: str, args: list):
        if name == "append" and len(args) == 1:
            container.items.append((str(len(container.items)), args[0]))
            return container
        if name == "extend" and args:
            for m in _modules_of(args[0]):
                container.items.append((str(len(container.items)), m))
            return container
        if name == "insert" and len(args) == 2 and isinstance(args[0], int):
            modules = [m for _, m in container.items]
            modules.insert(args[0], args[1])
            container.items = [(str(i), m) for i, m in enumerate(modules)]
            return None
        if container.kind == "ModuleDict" and name in ("items", "values", "keys"):
            return {"items": list(container.items), "values": [m for _, m in container.items],
                    "keys": [k for k, _ in container.items]}[name]
        return UNKNOWN

    def call_module(self, module, args: list, kwargs: dict, node):
        return self.checker.call_module(module, args, kwargs, node)

    def run_forward(self, module, args: list, kwargs: dict, node):
        """The module's own behaviour, called by the Checker inside a model run."""
        if isinstance(module, Layer):
            return self.checker.apply_layer(module, args[0] if args else UNKNOWN, node, args[1:], kwargs)
        if isinstance(module, Container):
            if module.kind != "Sequential":
                return UNKNOWN
            return self._chain(module.items, args[0] if args else UNKNOWN, node)
        if isinstance(module, Instance):
            forward, _ = module.cls.lookup("forward")
            if isinstance(forward, Function):
                return self.call_function(forward, [module] + list(args), kwargs)
            if module.cls.sequential_base:
                return self._chain(_sequential_items(module), args[0] if args else UNKNOWN, node)
            if _d2l_based(module.cls) and is_module(module.attrs.get("net")):
                return self.call_module(module.attrs["net"], list(args[:1]), {}, node)
            return UNKNOWN
        return Tensor(None)

    def _chain(self, items, x, node):
        for _, child in items:
            x = self.call_module(child, [x], {}, node)
        return x


# --- helpers ------------------------------------------------------------------------------------

_STATEMENTS = node_handlers(Interpreter, "exec_")
_EXPRESSIONS = node_handlers(Interpreter, "eval_")
UNKNOWN_SLICE = object()

_MODEL_USE = {"to", "cuda", "eval", "train", "parameters", "named_parameters", "state_dict", "load_state_dict"}


def third_party_package(qualname: str, path: str) -> str:
    """The package of an imported name that is neither torch, nor the standard library, nor a module
    beside the analysed file (those are the project's own); "" for those."""
    import sys
    from pathlib import Path

    root = qualname.split(".")[0]
    if root in ("torch", "__main__") or root in getattr(sys, "stdlib_module_names", ()):
        return ""
    folder = Path(path).parent if path and not path.startswith("<") else None
    if folder is not None and ((folder / f"{root}.py").exists() or (folder / root).is_dir()):
        return ""
    return root


_MODULE_METHODS = {"to", "cuda", "cpu", "eval", "train", "float", "double", "half", "forward", "parameters",
                   "named_parameters", "modules", "children", "named_modules", "state_dict", "zero_grad",
                   "load_state_dict", "add_module", "register_module", "register_buffer", "apply", "type",
                   "requires_grad_", "bfloat16"}

# the functional forms that keep their input's shape (an activation, a dropout): an input still to
# be found passes through them to the first layer
_ELEMENTWISE = {f"torch.nn.functional.{name}" for name, kind in FUNCTIONAL_FORMS.items()
                if LAYER_RULES[kind].shape is same_shape or LAYER_RULES[kind].family == "dropout"} | {
    "torch.relu", "torch.sigmoid", "torch.tanh"}
_ELEMENTWISE_METHODS = {"relu", "sigmoid", "tanh", "float", "double", "half", "to", "cuda", "cpu", "contiguous",
                        "clone", "detach", "requires_grad_", "type", "long", "int", "relu_", "bfloat16"}


def _replace_child(container: Container, name: str, module) -> None:
    """``seq.name = module`` / ``seq[i] = module``: torch keeps the child's place in the order, or
    appends a new name at the end (where a Sequential runs it last)."""
    if any(k == name for k, _ in container.items):
        container.items = [(k, module if k == name else v) for k, v in container.items]
    else:
        container.items.append((name, module))


def _same(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape is not None and a.shape == b.shape
    if type(a) is type(b) and plain(a):
        try:
            return bool(a == b) and UNKNOWN not in (a if isinstance(a, (list, tuple)) else ())
        except Exception:
            return False
    return False


def _device_twin(a, b) -> Optional[Global]:
    """Of ``torch.cuda.FloatTensor if cuda else torch.FloatTensor``, the CPU type: the two make
    tensors of the same shapes."""
    if isinstance(a, Global) and isinstance(b, Global) and \
            a.qualname.replace("torch.cuda.", "torch.") == b.qualname.replace("torch.cuda.", "torch."):
        return a if not a.qualname.startswith("torch.cuda.") else b
    return None


def _widen(values: list):
    """What is known of several possible values: tensors of unknown shape stay tensors."""
    if all(isinstance(v, Tensor) for v in values):
        shapes_ = [v.shape for v in values]
        if all(s is not None for s in shapes_) and len({len(s) for s in shapes_}) == 1:
            dims = tuple(d[0] if all(S.same(d[0], e) for e in d[1:]) else S.unknown() for d in zip(*shapes_))
            return Tensor(dims)
        return Tensor(None)
    return UNKNOWN


def _load(target: ast.expr) -> ast.expr:
    clone = ast.fix_missing_locations(ast.copy_location(type(target)(**{
        f: getattr(target, f) for f in target._fields}), target))
    clone.ctx = ast.Load()
    return clone


_MOVES = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "eval", "train", "share_memory"})
_WRAPPERS = frozenset({"torch.nn.DataParallel", "torch.nn.parallel.DataParallel", "torch.compile",
                       "torch.nn.parallel.DistributedDataParallel", "torch.nn.DistributedDataParallel",
                       "torch.jit.script"})


def _moved_module(call) -> Optional[str]:
    """The name in ``name.cuda()`` / ``name.to(device)`` / ``Wrapper(name)``, else None."""
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _MOVES and isinstance(func.value, ast.Name):
        return func.value.id
    if call.args and isinstance(call.args[0], ast.Name) and isinstance(func, (ast.Attribute, ast.Name)):
        return call.args[0].id
    return None


def _applied_in_turn(stmt: ast.For) -> Optional[ast.Assign]:
    """The ``X = layer(X)`` of a loop ``for layer in ...`` whose body applies each item to X."""
    if not isinstance(stmt.target, ast.Name) or stmt.orelse:
        return None
    for node in stmt.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id == stmt.target.id and len(node.value.args) == 1 and not node.value.keywords \
                and isinstance(node.value.args[0], ast.Name) and node.value.args[0].id == node.targets[0].id:
            return node
    return None


def _in_place_on_a_name(node: ast.Call, func) -> bool:
    """A tensor's in-place method (its name ends in one ``_``) called on a name: it changes the
    tensor the name holds, its shape too (``resize_``, ``unsqueeze_``, ``t_``)."""
    return isinstance(func, BoundMethod) and isinstance(func.receiver, Tensor) and \
        isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and \
        func.name.endswith("_") and not func.name.endswith("__")


def _d2l_based(cls: ClassValue) -> bool:
    return any(isinstance(b, Global) and b.qualname in D2L_MODULES or isinstance(b, ClassValue) and _d2l_based(b)
               for b in cls.bases)


def _is_sequential(value) -> bool:
    return (isinstance(value, Container) and value.kind == "Sequential") or \
        (isinstance(value, Instance) and value.cls.sequential_base and not value.cls.lookup("forward")[0])


def _names_changed(stmt: ast.stmt) -> set:
    """Names a statement rebinds, or calls a method of (which may change the object)."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            names.add(node.func.value.id)
    return names


def _mutates(stmts: Sequence[ast.stmt]) -> bool:
    for node in ast.walk(ast.Module(body=list(stmts), type_ignores=[])):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.AugAssign):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "append", "extend", "insert", "add_module", "register_module", "update", "pop", "setdefault",
                "register_buffer", "__setitem__", "__setattr__"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            return True
    return False


def _registers_child(call: ast.Call) -> bool:
    """``m.add_module(name, child)``, ``m.register_module(...)``, ``setattr(m, name, child)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id == "setattr" and len(call.args) == 3
    return isinstance(call.func, ast.Attribute) and call.func.attr in (
        "add_module", "register_module", "__setattr__") and len(call.args) == 2


def _parameter_item(params: Parameters, key):
    """``self.scales[i]`` of a ParameterList, ``self.bias["age"]`` of a ParameterDict."""
    if ("?", UNKNOWN) in params.items:
        return UNKNOWN
    if params.kind == "ParameterList" and isinstance(key, int) and -len(params.items) <= key < len(params.items):
        return params.items[key][1]
    if params.kind == "ParameterDict" and isinstance(key, str):
        return dict(params.items).get(key, UNKNOWN)
    return UNKNOWN


def _is_decorated(node, name: str) -> bool:
    for d in getattr(node, "decorator_list", ()):
        if isinstance(d, ast.Name) and d.id == name or isinstance(d, ast.Attribute) and d.attr == name:
            return True
    return False


def _is_generator(node) -> bool:
    """A yield in the function's own body, not in a function nested in it."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(child))
    return False


def _numel(shape) -> Optional[int]:
    if shape is None or not all(S.is_int(d) for d in shape):
        return None
    return math.prod(shape)


def _modules_of(value) -> list:
    if isinstance(value, Container):
        return [m for _, m in value.items]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _children_from_args(args) -> List[Tuple[str, object]]:
    if len(args) == 1 and isinstance(args[0], dict):
        return [(str(k), v) for k, v in args[0].items()]
    return [(str(i), m if is_module(m) else Opaque(repr(m))) for i, m in enumerate(args)]


def _container_children(kind: str, args) -> Dict[str, object]:
    """The children that ``nn.<kind>.__init__(*args)`` registers."""
    if kind == "Sequential":
        return dict(_children_from_args(args))
    if not args:
        return {}
    if isinstance(args[0], dict) and kind == "ModuleDict":
        return {str(k): v for k, v in args[0].items()}
    if isinstance(args[0], (list, tuple)) and kind == "ModuleList":
        return {str(i): m for i, m in enumerate(args[0])}
    return {"0": Opaque(repr(args[0]))}


def container_view(inst: Instance) -> Container:
    """A user subclass of a container, seen as the container it is."""
    return Container(inst.cls.container_base, inst.children(), inst.span, inst.text)


def _sequential_items(inst: Instance) -> List[Tuple[str, object]]:
    return inst.children()


def _module_children(module) -> List[Tuple[str, object]]:
    if isinstance(module, (Instance, Container)):
        return module.children()
    return []


def _tag_named(result, name: str) -> None:
    if isinstance(result, (Instance, Container)) and not getattr(result, "factory", ""):
        result.factory = name


def _tag_factory(result, function: Function) -> None:
    """A model returned by a top-level function callable without arguments is named after it
    (`def ResNet18(): return ResNet(...)`), and the runtime mode can build it the same way."""
    node = function.node
    required = len(node.args.posonlyargs + node.args.args) - len(node.args.defaults)
    if isinstance(result, (Instance, Container)) and not getattr(result, "factory", "") and required == 0 \
            and all(d is not None for d in node.args.kw_defaults):
        result.factory = function.name
