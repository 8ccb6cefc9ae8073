"""One file's analysis: the module's dataflow, then each function's, bound to what its callers in
the file pass it; repeated until a round reads the bindings it leaves (its findings are then those
of the fixed point, and stand).  Also what a class of the file is: the layers its ``__init__``
builds and how its ``forward`` ends."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional

from ..diagnostics import Diagnostic, Span
from ..source import Source
from . import vocabulary as V
from .facts import (ARRAY, CPU, DATASET, DEVICE, FUNCTION, MODULE, NOTHING, SCALAR, SELF, SEQUENCE, ModelInfo,
                    Placement, TEXT, Value, join, tensor)
from .flow import Env, Flow, join_env
from .library import Library
from .program import ProgramIndex, called_name
from .rules import Rules

MAX_ROUNDS = 5


@dataclass(frozen=True)
class Calls:
    """What the file's call sites pass a function, joined: arguments by parameter, the globals the
    callers see, and whether gradients are on ("on", "off" or "unknown")."""

    params: Dict[str, Value]
    globals: Env
    grad: str

    def joined(self, other: "Calls") -> "Calls":
        names = self.params.keys() | other.params.keys()
        return Calls({n: join(self.params.get(n, NOTHING), other.params.get(n, NOTHING)) for n in names},
                     join_env(self.globals, other.globals), self.grad if self.grad == other.grad else "unknown")


class Analysis:
    def __init__(self, tree: ast.Module, source: str, path: str):
        self.tree = tree
        self.program = ProgramIndex(tree)
        self.source = Source(source)
        self.rules = Rules(path, self.program, device_rules=not _sets_default_device(self.program.calls))
        self.library = Library(self)
        self.steps = 0  # expressions evaluated, all passes together (Flow.expr counts them)
        self.calls: Dict[str, Calls] = {}
        self.returns: Dict[str, Value] = {}
        self._calls_now: Dict[str, Calls] = {}
        self._returns_now: Dict[str, Value] = {}
        self._returns_read: set = set()
        self._defaults: Dict[int, Env] = {}
        self._models: Dict[str, Optional[ModelInfo]] = {}
        self._attrs: Dict[str, Env] = {}
        self._texts: Dict[ast.AST, str] = {}
        self._spans: Dict[ast.AST, Span] = {}
        self.static: Env = {}
        self.static = self._definitions()
        self.module_env: Env = dict(self.static)

    def text(self, node: ast.AST) -> str:
        """The node's source text, kept: the passes and the rules ask for the same nodes' again."""
        text = self._texts.get(node)
        if text is None:
            text = self._texts[node] = self.source.text(node)
        return text

    def span(self, node: ast.AST) -> Span:
        span = self._spans.get(node)
        if span is None:
            span = self._spans[node] = self.source.span(node)
        return span

    def findings(self) -> List[Diagnostic]:
        """Every round reports; a round whose inputs (what the file's calls pass each function, and
        the returns it read) equal what it leaves is the fixed point, so its findings stand.  A file
        that calls none of its own functions settles in one round."""
        for _ in range(MAX_ROUNDS):
            self.rules.found = {}
            if self._round():
                break
        return self.rules.findings()

    def _definitions(self) -> Env:
        """The imports, classes and functions the module defines at its top level."""
        flow = Flow(self)
        kinds = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Try)
        flow.block([s for s in self.tree.body if isinstance(s, kinds) and not _runs_code(s)])
        return flow.env

    def _round(self) -> bool:
        """One reporting pass over the module and every function; whether it was the fixed point."""
        self._calls_now, self._returns_now, self._returns_read, self._defaults = {}, {}, set(), {}
        flow = Flow(self, globals_=None, reporting=True)
        flow.env = dict(self.static)
        flow.block(self.tree.body)
        self.module_env = flow.env
        self._uncalled = self._uncalled_globals()
        for function in self.program.functions.values():
            self._run_function(function)
        settled = self._calls_now == self.calls and all(
            self._returns_now.get(key, NOTHING) == self.returns.get(key, NOTHING) for key in self._returns_read)
        self.calls, self.returns = self._calls_now, self._returns_now
        return settled

    # -- functions -----------------------------------------------------------------------------

    def _run_function(self, function: ast.FunctionDef) -> None:
        key = self.program.key(function)
        owner = self.program.owner.get(function)
        calls = self.calls.get(key)
        known = calls is not None and owner is None and function.name not in self.program.escaping
        globals_ = calls.globals if known else self._uncalled
        escaping = function.name in self.program.escaping
        grad = self._grad(function, calls.grad if known else ("unknown" if escaping else "on"))
        flow = Flow(self, function, globals_, grad, True, owner.name if owner is not None else None)
        self._bind_parameters(flow, function, calls.params if known else {}, owner)
        flow.block(function.body)
        returned = flow.returns if flow.returns is not None else Value(SCALAR)
        if self.program.is_generator(function):
            returned = NOTHING
        self._returns_now[key] = returned

    def _uncalled_globals(self) -> Env:
        """What a function that no call in the file reaches can see: the module's end state, with
        modes forgotten (it may run at any time)."""
        return {n: v.but(mode=None) if v.kind == MODULE else v for n, v in self.module_env.items()}

    def _grad(self, function: ast.FunctionDef, grad: str) -> str:
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            qual = Flow(self, globals_=self.static).qual(target)
            if qual in V.NO_GRAD:
                return "off"
            if qual not in V.HARMLESS_DECORATORS and _text_name(target) not in V.HARMLESS_DECORATORS:
                grad = "unknown"
        if grad == "on" and self.program.called_under_no_grad(function.name):
            return "unknown"
        return grad

    def _bind_parameters(self, flow: Flow, function: ast.FunctionDef, passed: Dict[str, Value], owner) -> None:
        arguments = function.args
        positional = arguments.posonlyargs + arguments.args
        is_method = owner is not None and not _is_static(function)
        forward = is_method and function.name == "forward" and self.program.is_model_class(owner.name)
        defaults = {} if passed else self._default_values(function)
        for index, parameter in enumerate(positional + arguments.kwonlyargs):
            name = parameter.arg
            if is_method and index == 0:
                flow.env[name] = Value(SELF, name=owner.name)
            elif forward:
                flow.env[name] = tensor()
            elif name in passed:
                flow.env[name] = passed[name]
            else:
                flow.env[name] = defaults.get(name, NOTHING)
        for extra in (arguments.vararg, arguments.kwarg):
            if extra is not None:
                flow.env[extra.arg] = NOTHING

    def call_function(self, flow: Flow, node: ast.Call, key: str, args, keywords) -> Value:
        function = self.program.functions.get(key)
        if function is None:
            return NOTHING
        self._record_call(flow, node, function, args, keywords)
        for name, mode in self.program.call_effects(node, function).items():
            value = flow.lookup(name)
            if value.kind == MODULE:
                flow.env[name] = value.but(mode=mode) if mode else value.but(mode=None, placement=None)
        if self.program.zeroes_grad_through(function):
            flow.mark_loops(zeroes=True)
        self._returns_read.add(key)
        return self.returns.get(key, NOTHING)

    def _record_call(self, flow: Flow, node: ast.Call, function, args, keywords) -> None:
        parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
        if function in self.program.owner:
            parameters = parameters[1:]
        starred = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        passed = {} if starred else dict(zip(parameters, args))
        if not starred:
            passed.update({k: v for k, v in keywords.items()})
        defaults = self._default_values(function)
        params = {name: passed.get(name, defaults.get(name, NOTHING))
                  for name in parameters + [a.arg for a in function.args.kwonlyargs]}
        visible = dict(flow.env) if flow.function is None else dict(flow.globals)
        calls = Calls(params, visible, flow.grad)
        key = self.program.key(function)
        self._calls_now[key] = self._calls_now[key].joined(calls) if key in self._calls_now else calls

    def _default_values(self, function) -> Env:
        """The values of a function's defaults (evaluated once a round: evaluating one may call a
        function of the file, which that round must see)."""
        key = id(function)
        if key not in self._defaults:
            self._defaults[key] = self._evaluate_defaults(function)
        return self._defaults[key]

    def _evaluate_defaults(self, function) -> Env:
        arguments = function.args
        positional = arguments.posonlyargs + arguments.args
        pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
        pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
        evaluator = Flow(self, globals_=self.static)
        return {a.arg: evaluator.expr(d) for a, d in pairs}

    # -- classes -------------------------------------------------------------------------------

    def instantiate(self, flow: Flow, node: ast.Call, name: str, args, keywords) -> Value:
        if self.program.is_model_class(name):
            placement = Placement(CPU, "", f"`{name}()` at line {node.lineno}, never moved")
            if self._may_adopt_modules(name, list(args) + list(keywords.values())):
                placement = None
            return Value(MODULE, placement=placement, model=self.model_info(name), mode="train")
        if self.program.is_dataset_class(name):
            element = None if self.program.mentions_devices(name) else Value(SEQUENCE, element=Value(ARRAY))
            return Value(DATASET, element=element)
        flow.forget_arguments(node)
        return NOTHING

    def _may_adopt_modules(self, name: str, given) -> bool:
        """The constructor may keep a module it is given (``self.backbone = backbone``): then the
        new model's parameters are partly where that module is."""
        init = self.program.method(self.program.classes[name], "__init__")
        if init is None or not self.program.stored_parameters(init):
            return False
        return any(v.kind not in (SCALAR, TEXT, DEVICE) for v in given)

    def model_info(self, name: str) -> Optional[ModelInfo]:
        if name in self._models:
            return self._models[name]
        self._models[name] = None
        cls = self.program.classes[name]
        forward = self.program.method(cls, "forward")
        ending = None
        if forward is not None:
            flow = Flow(self, forward, dict(self.static), "unknown", False, name)
            self._bind_parameters(flow, forward, {}, cls)
            flow.block(forward.body)
            returned = flow.returns
            ending = returned.ending if returned is not None else None
        info = ModelInfo(name, cls.lineno, ending=ending, mode_layers=self.program.mode_layers(name),
                         moves_inputs=self.program.moves_inputs(name))
        self._models[name] = info
        return info

    def self_attribute(self, class_name: str, attr: str) -> Value:
        """``self.<attr>`` in a method: the layer __init__ built (where it lives and its mode are
        the model's business, so both are left unknown), or the method of that name."""
        cls = self.program.classes.get(class_name)
        if cls is None:
            return NOTHING
        attrs = self._class_attrs(cls)
        if attr in attrs:
            value = attrs[attr]
            return value.but(placement=None, mode=None) if value.kind == MODULE else value
        method = self.program.method(cls, attr)
        if method is not None:
            return Value(FUNCTION, name=self.program.key(method))
        return NOTHING

    def _class_attrs(self, cls: ast.ClassDef) -> Env:
        if cls.name in self._attrs:
            return self._attrs[cls.name]
        self._attrs[cls.name] = {}
        attrs: Env = {}
        for base in self.program.base_classes(cls):
            attrs.update(self._class_attrs(base))
        init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        if init is not None:
            flow = Flow(self, init, dict(self.static), "unknown", False, cls.name)
            self._bind_parameters(flow, init, {}, cls)
            flow.block(init.body)
            attrs.update(flow.attrs)
        for name in _assigned_outside_init(cls, self.program):
            attrs[name] = NOTHING
        self._attrs[cls.name] = attrs
        return attrs


def _assigned_outside_init(cls: ast.ClassDef, program: ProgramIndex) -> set:
    names = set()
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name != "__init__":
            for node in program.walk(item):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                        and isinstance(node.value, ast.Name) and node.value.id == "self":
                    names.add(node.attr)
    return names


_SETS_DEFAULT_DEVICE = {q.rsplit(".", 1)[1] for q in V.DEFAULT_DEVICE} - {"set_default_dtype"}


def _sets_default_device(calls: List[ast.Call]) -> bool:
    return any(called_name(n) in _SETS_DEFAULT_DEVICE for n in calls)


def _runs_code(statement: ast.stmt) -> bool:
    """A top-level try that does more than import."""
    if not isinstance(statement, ast.Try):
        return False
    return not all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) for s in statement.body)


def _is_static(function: ast.FunctionDef) -> bool:
    return any(_text_name(d) in ("staticmethod",) for d in function.decorator_list)


def _text_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _text_name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""
