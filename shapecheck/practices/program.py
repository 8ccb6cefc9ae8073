"""The file read as a whole, syntactically: its functions and classes, which classes are models or
datasets, and what a call to one of its functions does to the modules it is given (train/eval mode,
moving them).  Nothing here follows values; ``flow`` does that."""

from __future__ import annotations

import ast
import re
from functools import cached_property
from typing import Dict, Iterator, List, Optional, Set, Tuple

from . import vocabulary as V

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
EVAL_NAME = re.compile(r"^(_*)(evaluate|evaluation|eval|validate|validation|val|valid|test|testing)"
                       r"(_(loop|epoch|one_epoch|step|model|fn))?$|_(evaluate|eval|validate|validation|val|test)$")
COMPOUND = tuple(getattr(ast, n) for n in ("If", "For", "AsyncFor", "While", "Try", "TryStar", "Match")
                 if hasattr(ast, n))
GRAD_SWITCHES = {"no_grad", "inference_mode", "set_grad_enabled"}
MOVES = {"to", "cuda", "cpu", "xpu", "mps", "to_empty"}


_FIELDS: Dict[type, Tuple[str, ...]] = {}
# fields that never hold a node: the ctx and op markers (Load, Add, ...), which nothing here looks
# at, and the names and flags stored as plain values
_NOT_NODES = {"ctx", "op", "id", "attr", "arg", "name", "asname", "module", "level", "type_comment", "kind",
              "conversion", "is_async", "simple"}
_LEAVES = (ast.Name, ast.Constant)


def _fields(cls: type) -> Tuple[str, ...]:
    fields = _FIELDS[cls] = () if cls in _LEAVES else tuple(f for f in cls._fields if f not in _NOT_NODES)
    return fields


def children(node: ast.AST) -> List[ast.AST]:
    """The child nodes of ``node``, as ast.iter_child_nodes gives them less the ctx and op markers;
    a list, built without a generator."""
    fields = _FIELDS.get(node.__class__)
    if fields is None:  # not `or`: a leaf's fields, (), are known too
        fields = _fields(node.__class__)
    found = []
    for field in fields:
        value = getattr(node, field, None)
        if value.__class__ is list:
            found.extend([item for item in value if isinstance(item, ast.AST)])
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def walk(node: ast.AST) -> List[ast.AST]:
    """``node`` and every node under it (ast.walk, less the ``ctx`` and ``op`` markers)."""
    found = [node]
    index = 0
    while index < len(found):
        found.extend(children(found[index]))
        index += 1
    return found


def walk_here(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes under ``node`` that run when it runs: not the bodies of functions or classes it defines."""
    stack = children(node)
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, SCOPES):
            stack.extend(children(child))


def called_name(call: ast.Call) -> str:
    """``zero_grad`` for ``opt.zero_grad()``, ``train`` for ``train(...)``."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def receiver_name(call: ast.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def last_name(expr: ast.AST) -> str:
    return expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else ""


class ProgramIndex:
    """The file's functions, classes and calls, indexed in one walk, and the scans over them."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.functions: Dict[str, ast.FunctionDef] = {}
        self.owner: Dict[ast.AST, ast.ClassDef] = {}
        self.classes: Dict[str, ast.ClassDef] = {}
        self.calls: List[ast.Call] = []  # every call of the file, for the scans of the whole file
        self._yielding: Set[ast.AST] = set()  # the scopes (functions, classes, lambdas) a yield is in
        self._inside: Dict[ast.AST, List[ast.AST]] = {}  # per scope, the nodes the scan met in it
        names, withs, self._assigns = self._index(tree)
        self.by_name: Dict[str, List[ast.FunctionDef]] = {}
        for function in self.functions.values():
            if function not in self.owner:
                self.by_name.setdefault(function.name, []).append(function)
        self.escaping = self._functions_used_as_values(names)
        self._effects: Dict[str, Dict[str, Optional[str]]] = {}
        self._scans: Dict[tuple, object] = {}  # what the scans found, by scan and node
        self._under_no_grad = _called_under_no_grad(withs)

    @cached_property
    def grad_switched_off(self) -> bool:
        """Some call or assignment of the file turns requires_grad off (asked only of an evaluation
        that may record the graph, so not scanned for before)."""
        return any(_turns_off_requires_grad(n) for n in self.calls) or any(
            _turns_off_requires_grad(n) for n in self._assigns)

    def _index(self, tree: ast.Module):
        """One walk of the file, in source order: its functions (and the class each method is
        in), classes, calls, the scopes that yield; and the names, with-blocks and assignments the
        other scans need."""
        found = ([], [], [])  # names, withs, assigns
        self._scan(tree, None, None, found)
        return found

    def _scan(self, root: ast.AST, owner: Optional[ast.ClassDef], scope: Optional[ast.AST], found) -> None:
        """The nodes under ``root``, depth first; each function, class or lambda is scanned whole,
        as its own scope, before the nodes after it."""
        names, withs, assigns = found
        calls = self.calls
        inside = self._inside[root] = []
        stack = children(root)
        stack.reverse()
        while stack:
            node = stack.pop()
            inside.append(node)
            kind = node.__class__
            if kind is ast.Call:
                calls.append(node)
            elif kind is ast.Name:
                names.append(node)
                continue
            elif kind is ast.Constant:
                continue
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.functions[self.key(node)] = node
                if owner is not None:
                    self.owner[node] = owner
                self._scan(node, None, node, found)
                continue
            elif kind is ast.ClassDef:
                self.classes[node.name] = node
                self._scan(node, node, node, found)
                continue
            elif kind is ast.Lambda:
                self._scan(node, owner, node, found)
                continue
            elif kind is ast.With or kind is ast.AsyncWith:
                withs.append(node)
            elif kind is ast.Assign:
                assigns.append(node)
            elif (kind is ast.Yield or kind is ast.YieldFrom) and scope is not None:
                self._yielding.add(scope)
            below = children(node)
            if below:
                below.reverse()
                stack.extend(below)

    def walk(self, node: ast.AST) -> List[ast.AST]:
        """``node`` and every node under it, as walk(node) gives them but not in its order; for a
        function or class, from what the scan met in it and in the scopes it defines, not walked again."""
        key = ("walk", id(node))
        if key not in self._scans:
            if node in self._inside:
                found = [node]
                for inner in self._inside[node]:
                    found.extend(self.walk(inner) if inner in self._inside else (inner,))
            else:
                found = walk(node)
            self._scans[key] = found
        return self._scans[key]

    @staticmethod
    def key(function: ast.AST) -> str:
        return f"{function.name}@{function.lineno}"

    def _functions_used_as_values(self, names: List[ast.Name]) -> Set[str]:
        """Names of functions that are passed around rather than called: their callers are unknown."""
        functions = {f.name for f in self.functions.values()}
        read = [n for n in names if n.id in functions and isinstance(n.ctx, ast.Load)]
        if not read:
            return set()
        called = {id(n.func) for n in self.calls}
        return {n.id for n in read if id(n) not in called}

    # -- classes ------------------------------------------------------------------------------

    def bases(self, cls: ast.ClassDef) -> List[str]:
        return [last_name(b) for b in cls.bases]

    def is_model_class(self, name: str, seen=()) -> bool:
        cls = self.classes.get(name)
        if cls is None or name in seen:
            return False
        return any(b in ("Module", "LightningModule") or self.is_model_class(b, seen + (name,))
                   for b in self.bases(cls))

    def is_dataset_class(self, name: str, seen=()) -> bool:
        cls = self.classes.get(name)
        if cls is None or name in seen:
            return False
        return any(b in ("Dataset", "IterableDataset") or self.is_dataset_class(b, seen + (name,))
                   for b in self.bases(cls))

    def base_classes(self, cls: ast.ClassDef) -> List[ast.ClassDef]:
        return [self.classes[b] for b in self.bases(cls) if b in self.classes and self.classes[b] is not cls]

    def method(self, cls: ast.ClassDef, name: str, seen=()) -> Optional[ast.FunctionDef]:
        for item in cls.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                return item
        for base in self.base_classes(cls):
            if base.name not in seen:
                found = self.method(base, name, seen + (cls.name,))
                if found is not None:
                    return found
        return None

    def mode_layers(self, name: str, seen=()) -> tuple:
        """Dropout and BatchNorm layers the class builds (or builds through other classes of the
        file): the layers that behave differently after model.eval()."""
        if not seen:
            key = ("mode_layers", name)
            if key not in self._scans:
                self._scans[key] = self._mode_layers(name, seen)
            return self._scans[key]
        return self._mode_layers(name, seen)

    def _mode_layers(self, name: str, seen) -> tuple:
        cls = self.classes.get(name)
        if cls is None or name in seen:
            return ()
        found = set()
        for node in self.walk(cls):
            if isinstance(node, ast.Call):
                called = called_name(node)
                if V.MODE_LAYER.match(called) or _dropout_following_mode(node):
                    found.add(called)
                elif called in self.classes and called != name:
                    found.update(self.mode_layers(called, seen + (name,)))
        for base in self.base_classes(cls):
            found.update(self.mode_layers(base.name, seen + (name,)))
        return tuple(sorted(found))

    def stored_parameters(self, init: ast.FunctionDef) -> Set[str]:
        """Parameters of ``__init__`` it keeps as they are: ``self.backbone = backbone``."""
        key = ("stored", id(init))
        if key not in self._scans:
            names = {a.arg for a in init.args.args + init.args.kwonlyargs} | (
                {init.args.vararg.arg} if init.args.vararg else set())
            self._scans[key] = {n.value.id for n in self.walk(init) if isinstance(n, ast.Assign)
                                and isinstance(n.value, ast.Name) and n.value.id in names
                                and any(isinstance(t, ast.Attribute) for t in n.targets)}
        return self._scans[key]

    def moves_inputs(self, name: str) -> bool:
        """The model may move tensors itself outside __init__ (``x.to(self.device)``,
        ``to_device(x)``): where its input comes from does not matter."""
        cls = self.classes.get(name)
        if cls is None:
            return False
        methods = [item for item in cls.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and item.name != "__init__"]
        return any((isinstance(n, ast.Call) and called_name(n) in MOVES)
                   or (isinstance(n, (ast.Name, ast.Attribute)) and re.search("device|cuda", last_name(n).lower()))
                   for item in methods for n in self.walk(item))

    def mentions_devices(self, name: str) -> bool:
        cls = self.classes.get(name)
        return cls is None or any(
            (isinstance(n, ast.Call) and called_name(n) in MOVES) or (isinstance(n, ast.keyword) and n.arg == "device")
            or (isinstance(n, (ast.Name, ast.Attribute)) and "device" in last_name(n).lower())
            for n in self.walk(cls))

    # -- functions ----------------------------------------------------------------------------

    def resolve(self, call: ast.Call, context: Optional[ast.AST]) -> Optional[ast.FunctionDef]:
        """The function of this file that ``call`` runs, when the call names one: ``f(...)`` or,
        in a method, ``self.f(...)``."""
        func = call.func
        if isinstance(func, ast.Name):
            candidates = self.by_name.get(func.id)
            return candidates[-1] if candidates else None
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"
                and context in self.owner):
            return self.method(self.owner[context], func.attr)
        return None

    def reaches(self, node: ast.AST, context: Optional[ast.AST], test) -> bool:
        """Whether running ``node`` may run a node for which ``test`` holds, here or in a function of
        the file it calls."""
        for child in walk_here(node):
            if test(child):
                return True
            if isinstance(child, ast.Call):
                target = self.resolve(child, context)
                if target is not None and self._function_reaches(target, test):
                    return True
        return False

    def _function_reaches(self, function: ast.AST, test) -> bool:
        key = (test.__name__, id(function))
        if key not in self._scans:
            self._scans[key] = False  # a recursive call adds nothing new
            self._scans[key] = self.reaches(function, function, test)
        return self._scans[key]

    def has_backward(self, node: ast.AST, context: Optional[ast.AST]) -> bool:
        key = ("backward-in", id(node))
        if key not in self._scans:
            self._scans[key] = self.reaches(node, context, _is_backward)
        return self._scans[key]

    def zeroes_grad_through(self, function: ast.AST) -> bool:
        return self._function_reaches(function, _zeroes_grad)

    def called_under_no_grad(self, name: str) -> bool:
        """Some call of a function with this name sits in a ``with torch.no_grad():`` block."""
        return name in self._under_no_grad

    def is_generator(self, function: ast.AST) -> bool:
        """The function yields: a yield in its own body, not in a function or lambda it defines."""
        return function in self._yielding

    def is_eval_function(self, function: Optional[ast.AST]) -> bool:
        return (isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                and EVAL_NAME.search(function.name.lower()) is not None
                and not (function.name.startswith("test_") and function.name not in ("test_loop", "test_epoch"))
                and not self.has_backward(function, function))

    def effects(self, function: ast.FunctionDef, seen=()) -> Dict[str, Optional[str]]:
        """What a call does to the modules named in ``function`` (its parameters and the globals it
        uses): "train" or "eval" when it certainly leaves them in that mode, None when it may
        change their mode or move them, absent when it does neither."""
        key = self.key(function)
        if key not in self._effects:
            self._effects[key] = {}
            if function not in seen:
                self._effects[key] = self._block_effects(function.body, function, seen + (function,))
        return self._effects[key]

    def _block_effects(self, body, function, seen) -> Dict[str, Optional[str]]:
        effects: Dict[str, Optional[str]] = {}
        for statement in body:
            if isinstance(statement, (ast.With, ast.AsyncWith)):
                effects.update(self._block_effects(statement.body, function, seen))
            elif isinstance(statement, SCOPES):
                continue
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                    and _mode_set(statement.value) is not None:
                effects[receiver_name(statement.value)] = _mode_set(statement.value)
            else:
                uncertain = isinstance(statement, COMPOUND)
                for name, mode in self._statement_effects(statement, function, seen).items():
                    effects[name] = None if uncertain else mode
        return effects

    def _statement_effects(self, statement, function, seen) -> Dict[str, Optional[str]]:
        found: Dict[str, Optional[str]] = {}
        for node in walk_here(statement):
            if not isinstance(node, ast.Call):
                continue
            receiver = receiver_name(node)
            if receiver and called_name(node) in MOVES | {"train", "eval"}:
                found[receiver] = None
            target = self.resolve(node, function)
            if target is not None:
                found.update(self.call_effects(node, target, seen))
            elif called_name(node) not in V.INERT_BUILTINS:
                found.update({a.id: None for a in _name_arguments(node)})
        return found

    def local_names(self, function: ast.AST) -> Set[str]:
        """Names a function binds itself (unless declared global): its effects on them stay inside."""
        key = ("locals", id(function))
        if key not in self._scans:
            nodes = list(walk_here(function))
            declared = {n for node in nodes if isinstance(node, ast.Global) for n in node.names}
            stored = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
            self._scans[key] = stored - declared
        return self._scans[key]

    def call_effects(self, call: ast.Call, target: ast.FunctionDef, seen=()) -> Dict[str, Optional[str]]:
        """The callee's effects, renamed to the caller's names for the arguments it passed."""
        if seen:
            return self._call_effects(call, target, seen)
        key = ("call", id(call), id(target))
        if key not in self._scans:
            self._scans[key] = self._call_effects(call, target, seen)
        return self._scans[key]

    def _call_effects(self, call: ast.Call, target: ast.FunctionDef, seen) -> Dict[str, Optional[str]]:
        parameters = [a.arg for a in target.args.posonlyargs + target.args.args]
        if target in self.owner and parameters:
            parameters = parameters[1:]
        passed = dict(zip(parameters, call.args))
        passed.update({k.arg: k.value for k in call.keywords if k.arg})
        renamed: Dict[str, Optional[str]] = {}
        for name, mode in self.effects(target, seen).items():
            if name in passed:
                if isinstance(passed[name], ast.Name):
                    renamed[passed[name].id] = mode
            elif name not in parameters and name not in self.local_names(target):
                renamed[name] = mode
        for argument in _name_arguments(call):
            if argument.id not in renamed and any(isinstance(s, ast.Starred) for s in call.args):
                renamed[argument.id] = None
        return renamed


def _name_arguments(call: ast.Call) -> List[ast.Name]:
    values = list(call.args) + [k.value for k in call.keywords]
    values = [v.value if isinstance(v, ast.Starred) else v for v in values]
    return [v for v in values if isinstance(v, ast.Name)]


def _mode_set(call: ast.Call) -> Optional[str]:
    """"eval" for ``m.eval()`` and ``m.train(False)``, "train" for ``m.train()``, else None."""
    if receiver_name(call) is None:
        return None
    if called_name(call) == "eval" and not call.args:
        return "eval"
    if called_name(call) == "train":
        return train_flag(call)
    return None


def train_flag(call: ast.Call) -> Optional[str]:
    """The mode ``m.train(...)`` sets: "train", "eval" for ``train(False)``, None when not constant."""
    flag = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "mode"), None)
    if flag is None:
        return "train"
    if isinstance(flag, ast.Constant) and isinstance(flag.value, bool):
        return "train" if flag.value else "eval"
    return None


def _dropout_following_mode(call: ast.Call) -> bool:
    """F.dropout(x, training=self.training) is switched off by eval(); F.dropout(x) is not."""
    return called_name(call) in ("dropout", "dropout2d", "alpha_dropout") and any(
        k.arg == "training" and isinstance(k.value, ast.Attribute) and k.value.attr == "training"
        for k in call.keywords)


def _is_backward(node: ast.AST) -> bool:
    """``loss.backward()`` or ``torch.autograd.grad(...)``: the loop needs gradients."""
    return isinstance(node, ast.Call) and called_name(node) in ("backward", "grad")


def _zeroes_grad(node: ast.AST) -> bool:
    """``.zero_grad()``, ``.grad.zero_()`` or ``p.grad = None``."""
    if isinstance(node, ast.Call):
        return called_name(node) in ("zero_grad", "zero_")
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in targets)
    return False


def _turns_off_requires_grad(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and called_name(node) == "requires_grad_":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value is False
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets)
    return False


def _called_under_no_grad(withs: List[ast.AST]) -> Set[str]:
    names: Set[str] = set()
    for node in withs:
        if any(
                isinstance(i.context_expr, ast.Call) and called_name(i.context_expr) in GRAD_SWITCHES
                for i in node.items):
            names.update(called_name(c) for s in node.body for c in walk(s) if isinstance(c, ast.Call))
    return names
