"""The dataflow over one scope (the module, or one function): statements in order, with a map from
each variable to its facts (``facts.Value``); branches and loop iterations join.  Calls are where
facts are made (``torch.randn``, ``model.to(device)``, ``DataLoader(...)``) and where the rules
look (``rules.Rules``), but only in the reporting pass: of a loop's passes, only the one that
starts from what its iterations carry from one to the next reports.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import replace
from typing import Dict, List, Optional, Tuple

from ..source import node_handlers
from . import vocabulary as V
from .program import children, last_name, train_flag, walk_here
from .facts import (ACCELERATOR, ARRAY, CLASS, CPU, DATASET, DEVICE, FUNCTION, LOADER, LOSS, MODULE, NOTHING,
                    OPTIMIZER, QUAL, SCALAR, SCALER, SELF, SEQUENCE, TENSOR, TEXT, TUPLE, Ending,
                    ModelInfo, Placement, Value, join, join_all, tensor)

Env = Dict[str, Value]
BUILTIN_NAMES = set(dir(builtins))
ACCELERATOR_TEXT = re.compile(r"^(cuda|mps|xpu|hpu|npu)(:|$)")
MAX_LOOP_DEPTH = 3  # deeper loops are walked once, from a state that forgets what they change
MAX_PASSES = 3
MUTATORS = {"append", "extend", "insert", "update", "add", "setdefault", "remove", "clear", "__setitem__"}
MAX_STEPS = 3_000_000  # expressions evaluated per file, all passes together: a few seconds


class OutOfSteps(Exception):
    """The file is too large or too loopy to follow within the budget: nothing is reported."""


class LoopFrame:
    """One loop being walked: what its body does to gradients, for the zero_grad rule."""

    def __init__(self, node: ast.AST, iterable: str):
        self.node = node
        self.iterable = iterable
        self.zeroes = False
        self.touched = False  # an unknown function got the optimizer or the model: it may zero them
        self.steps: List[Tuple[ast.Call, Value]] = []


class Flow:
    def __init__(self, analysis, function: Optional[ast.AST] = None, globals_: Optional[Env] = None,
                 grad: str = "on", reporting: bool = False, self_class: Optional[str] = None):
        self.analysis = analysis
        self.program = analysis.program
        self.rules = analysis.rules
        self.function = function
        self.env: Env = {}
        self.globals: Env = globals_ if globals_ is not None else {}
        self.grad = grad
        self.grad_off_at = (0, 0)  # loops and comprehensions already open when grad went off
        self.reporting = reporting
        self.self_class = self_class
        self.loops: List[LoopFrame] = []
        self.comprehensions = 0
        self.repeats: List[Optional[set]] = []  # per open loop: its target names when it counts a range()
        self.returns: Optional[Value] = None
        self.attrs: Env = {}  # self.X = ... in __init__

    # -- names ---------------------------------------------------------------------------------

    def lookup(self, name: str) -> Value:
        if name in self.env:
            return self.env[name]
        if name in self.globals:
            return self.globals[name]
        if name in BUILTIN_NAMES:
            return Value(QUAL, name=name)
        return NOTHING

    def text(self, node: ast.AST) -> str:
        return self.analysis.text(node)

    def span(self, node: ast.AST):
        return self.analysis.span(node)

    # -- statements ----------------------------------------------------------------------------

    def block(self, statements) -> None:
        for statement in statements:
            handler = _STATEMENTS.get(type(statement))
            if handler is not None:
                handler(self, statement)
            else:
                self.generic(statement)

    def generic(self, node: ast.AST) -> None:
        for child in children(node):
            if isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, ast.stmt):
                self.block([child])

    def stmt_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.env[alias.asname] = Value(QUAL, name=alias.name)
            else:
                root = alias.name.split(".")[0]
                self.env[root] = Value(QUAL, name=root)

    def stmt_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            if alias.name != "*":
                self.env[alias.asname or alias.name] = Value(QUAL, name=f"{node.module}.{alias.name}")

    def stmt_FunctionDef(self, node) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator)
        self.env[node.name] = Value(FUNCTION, name=self.program.key(node))

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node: ast.ClassDef) -> None:
        self.env[node.name] = Value(CLASS, name=node.name)

    def stmt_Assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self.bind(target, value)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, self.expr(node.value))

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        value = self.binary(node, self.expr(node.target), self.expr(node.value), node.target, node.value)
        self.bind(node.target, value)

    def stmt_Expr(self, node: ast.Expr) -> None:
        self.expr(node.value)
        self.note_dropped_move(node.value)

    def note_dropped_move(self, call: ast.AST) -> None:
        """``xb.to(device)`` as a statement moves nothing: say so where ``xb`` is reported."""
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in ("to", "cuda")
                and isinstance(call.func.value, ast.Name)):
            return
        name = call.func.value.id
        value = self.lookup(name)
        if value.kind == TENSOR and value.placement is not None and value.placement.where == CPU:
            dropped = f"`{self.text(call)}` at line {call.lineno} returns a moved copy, and it is dropped"
            origin = f"{value.placement.origin}; {dropped}" if value.placement.origin else dropped
            self.env[name] = value.but(placement=replace(value.placement, origin=origin))

    def stmt_Return(self, node: ast.Return) -> None:
        value = self.expr(node.value) if node.value is not None else Value(SCALAR)
        self.returns = join(self.returns, value)

    def stmt_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.env.pop(target.id, None)

    def stmt_If(self, node: ast.If) -> None:
        self.expr(node.test)
        if _is_main_guard(node.test):
            self.block(node.body)
            return
        entry = dict(self.env)
        self.block(node.body)
        after_body, self.env = self.env, entry
        self.block(node.orelse)
        self.env = join_env(after_body, self.env)

    def stmt_For(self, node) -> None:
        iterable = self.expr(node.iter)
        element = element_of(iterable)
        self.repeats.append(_counted(node.iter, node.target))
        self.loop(node, lambda: self.bind(node.target, element), node.body, _loop_name(node.iter))
        self.repeats.pop()
        self.block(node.orelse)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, node: ast.While) -> None:
        self.loop(node, lambda: self.expr(node.test), node.body, "")
        self.block(node.orelse)

    def loop(self, node, start, body, iterable: str) -> None:
        """Passes until what an iteration leaves for the next stops changing: the pass that starts
        from the state it leaves is the fixed point, and when the dataflow reports, its findings
        are the loop's (those of the passes before are dropped).  Past a few passes or a few nested
        loops, one pass from a state that forgets what the body assigns."""
        reporting = self.reporting
        self.loops.append(LoopFrame(node, iterable))
        state = dict(self.env)
        settled = False
        if len(self.loops) <= MAX_LOOP_DEPTH:
            for _ in range(MAX_PASSES):
                found = dict(self.rules.found) if reporting else None
                self.loops[-1] = LoopFrame(node, iterable)
                again = self.iteration(state, start, body)
                if again == state:
                    settled = True
                    break
                if reporting:
                    self.rules.found = found
                state = again
        if not settled:
            state = havoc(state, node)
            if reporting or len(self.loops) > MAX_LOOP_DEPTH:
                self.loops[-1] = LoopFrame(node, iterable)
                self.iteration(state, start, body)
        frame = self.loops.pop()
        self.env = state
        if reporting:
            self.rules.on_loop_end(self, frame)

    def iteration(self, state: Env, start, body) -> Env:
        self.env = dict(state)
        start()
        self.block(body)
        return join_env(state, self.env)

    def stmt_With(self, node) -> None:
        grad, off_at = self.grad, self.grad_off_at
        for item in node.items:
            switch = self.grad_switch(item.context_expr)
            value = self.expr(item.context_expr)
            if switch is not None:
                self.set_grad(switch)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, NOTHING if switch else value)
        self.block(node.body)
        self.grad, self.grad_off_at = grad, off_at

    stmt_AsyncWith = stmt_With

    def set_grad(self, state: str) -> None:
        if state == "off" and self.grad != "off":
            self.grad_off_at = (len(self.loops), self.comprehensions)
        self.grad = state

    def grad_switch(self, expr: ast.AST) -> Optional[str]:
        if not isinstance(expr, ast.Call):
            return None
        qual = self.qual(expr.func)
        if qual in V.NO_GRAD:
            return "off"
        if qual in V.ENABLE_GRAD:
            return "on"
        if qual in V.SET_GRAD:
            flag = expr.args[0] if expr.args else None
            if isinstance(flag, ast.Constant) and isinstance(flag.value, bool):
                return "on" if flag.value else "off"
            return "unknown"
        return None

    def stmt_Try(self, node) -> None:
        entry = dict(self.env)
        self.block(node.body)
        self.block(node.orelse)
        after = join_env(entry, self.env)
        ends = [self.env]
        for handler in node.handlers:
            self.env = dict(after)
            if handler.name:
                self.env[handler.name] = NOTHING
            self.block(handler.body)
            ends.append(self.env)
        self.env = ends[0]
        for end in ends[1:]:
            self.env = join_env(self.env, end)
        self.block(node.finalbody)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, node) -> None:
        self.expr(node.subject)
        entry, ends = dict(self.env), []
        for case in node.cases:
            self.env = dict(entry)
            self.block(case.body)
            ends.append(self.env)
        self.env = entry
        for end in ends:
            self.env = join_env(self.env, end)

    def stmt_Global(self, node) -> None:
        pass

    stmt_Nonlocal = stmt_Global

    # -- binding -------------------------------------------------------------------------------

    def bind(self, target: ast.AST, value: Value) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target.elts, value)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, Value(SEQUENCE, element=element_of(value)))
        elif isinstance(target, ast.Attribute):
            self.bind_attribute(target, value)
        elif isinstance(target, ast.Subscript):
            self.expr(target.slice)
            base = target.value
            if isinstance(base, ast.Name) and self.lookup(base.id).kind not in (TENSOR, ARRAY):
                self.env[base.id] = NOTHING

    def unpack(self, targets, value: Value) -> None:
        starred = any(isinstance(t, ast.Starred) for t in targets)
        if value.kind == TUPLE and value.items is not None and len(value.items) == len(targets) and not starred:
            for target, item in zip(targets, value.items):
                self.bind(target, item)
            return
        for target in targets:
            self.bind(target, element_of(value))

    def bind_attribute(self, target: ast.Attribute, value: Value) -> None:
        if isinstance(target.value, ast.Name):
            name = target.value.id
            if name == "self" and self.self_class is not None:
                self.attrs[target.attr] = join(self.attrs.get(target.attr), value)
            elif self.lookup(name).kind == MODULE:
                self.env[name] = self.lookup(name).but(model=None, placement=None)
            if target.attr == "grad":
                self.mark_loops(zeroes=True)
        else:
            self.expr(target.value)

    # -- expressions ---------------------------------------------------------------------------

    def expr(self, node: Optional[ast.AST]) -> Value:
        if node is None:
            return NOTHING
        analysis = self.analysis
        analysis.steps += 1
        if analysis.steps > MAX_STEPS:
            raise OutOfSteps()
        handler = _EXPRESSIONS.get(type(node))
        if handler is not None:
            return handler(self, node)
        for child in children(node):
            if isinstance(child, ast.expr):
                self.expr(child)
        return NOTHING

    def qual(self, node: ast.AST) -> str:
        """The dotted path an expression names through the imports (``torch.nn.functional.softmax``
        for ``F.softmax``), without evaluating anything; "" when it names something else."""
        if isinstance(node, ast.Name):
            value = self.lookup(node.id)
            return value.name if value.kind == QUAL else ""
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value)
            return f"{base}.{node.attr}" if base else ""
        return ""

    def expr_Constant(self, node: ast.Constant) -> Value:
        if isinstance(node.value, str):
            where = V.device_where(node.value)
            if where is not None:
                return Value(DEVICE, placement=Placement(where, repr(node.value)))
            return Value(TEXT, name=node.value[:40])
        return Value(SCALAR)

    def expr_JoinedStr(self, node: ast.JoinedStr) -> Value:
        for part in node.values:
            self.expr(part)
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and ACCELERATOR_TEXT.match(first.value):
            return Value(DEVICE, placement=Placement(ACCELERATOR, self.text(node)))
        return Value(TEXT)

    def expr_Name(self, node: ast.Name) -> Value:
        return self.lookup(node.id)

    def expr_Attribute(self, node: ast.Attribute) -> Value:
        return self.attribute(self.expr(node.value), node.attr)

    def attribute(self, base: Value, attr: str) -> Value:
        if base.kind == QUAL:
            return Value(QUAL, name=f"{base.name}.{attr}")
        if base.kind == SELF:
            return self.analysis.self_attribute(base.name, attr)
        if base.kind == TENSOR:
            return tensor_attribute(base, attr)
        if base.kind == DEVICE and attr == "type":
            return base
        if base.kind == ARRAY:
            return base
        return NOTHING

    def expr_Subscript(self, node: ast.Subscript) -> Value:
        base = self.expr(node.value)
        self.expr(node.slice)
        if base.kind == TUPLE and base.items is not None and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, int) and -len(base.items) <= node.slice.value < len(base.items):
            return base.items[node.slice.value]
        if base.kind in (SEQUENCE, TUPLE):
            return element_of(base)
        if base.kind == TENSOR:
            return tensor(base.placement)
        if base.kind == ARRAY:
            return base
        return NOTHING

    def expr_BinOp(self, node: ast.BinOp) -> Value:
        return self.binary(node, self.expr(node.left), self.expr(node.right), node.left, node.right)

    def expr_Compare(self, node: ast.Compare) -> Value:
        left = self.expr(node.left)
        values = [self.expr(c) for c in node.comparators]
        if len(values) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            return self.binary(node, left, values[0], node.left, node.comparators[0])
        return Value(SCALAR)

    def binary(self, node, left: Value, right: Value, left_node, right_node) -> Value:
        if TENSOR in (left.kind, right.kind):
            if self.reporting and left.kind == right.kind == TENSOR:
                self.rules.on_mixed(self, node, (left, left_node), (right, right_node))
            return combine_tensors(left, right)
        if ARRAY in (left.kind, right.kind):
            return Value(ARRAY)
        if left.kind == right.kind and left.kind in (SCALAR, TEXT):
            return Value(left.kind)
        return NOTHING

    def expr_BoolOp(self, node: ast.BoolOp) -> Value:
        return join_all(self.expr(v) for v in node.values) or NOTHING

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Value:
        operand = self.expr(node.operand)
        return tensor(operand.placement, operand.dims) if operand.kind == TENSOR else Value(SCALAR)

    def expr_IfExp(self, node: ast.IfExp) -> Value:
        self.expr(node.test)
        return join(self.expr(node.body), self.expr(node.orelse))

    def expr_Tuple(self, node) -> Value:
        return Value(TUPLE, items=tuple(self.expr(e) for e in node.elts))

    expr_List = expr_Tuple

    def expr_Set(self, node: ast.Set) -> Value:
        return Value(SEQUENCE, element=join_all(self.expr(e) for e in node.elts))

    def expr_Dict(self, node: ast.Dict) -> Value:
        for key in node.keys:
            self.expr(key)
        return Value(SEQUENCE, element=join_all(self.expr(v) for v in node.values))

    def expr_ListComp(self, node) -> Value:
        return Value(SEQUENCE, element=self.comprehension(node.generators, node.elt))

    expr_SetComp = expr_GeneratorExp = expr_ListComp

    def expr_DictComp(self, node: ast.DictComp) -> Value:
        return Value(SEQUENCE, element=self.comprehension(node.generators, node.value, node.key))

    def comprehension(self, generators, element: ast.AST, key: Optional[ast.AST] = None) -> Value:
        outer = dict(self.env)
        self.comprehensions += 1
        for generator in generators:
            self.bind(generator.target, element_of(self.expr(generator.iter)))
            self.repeats.append(_counted(generator.iter, generator.target))
            for condition in generator.ifs:
                self.expr(condition)
        if key is not None:
            self.expr(key)
        value = self.expr(element)
        del self.repeats[len(self.repeats) - len(generators):]
        self.comprehensions -= 1
        self.env = outer
        return value

    def expr_NamedExpr(self, node: ast.NamedExpr) -> Value:
        value = self.expr(node.value)
        self.bind(node.target, value)
        return value

    def expr_Starred(self, node: ast.Starred) -> Value:
        return self.expr(node.value)

    def expr_Lambda(self, node: ast.Lambda) -> Value:
        return NOTHING

    # -- calls ---------------------------------------------------------------------------------

    def expr_Call(self, node: ast.Call) -> Value:
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = self.expr(func.value)
            args, keywords = self.arguments(node)
            if receiver.kind in (QUAL, SELF):
                return self.call(node, self.attribute(receiver, func.attr), args, keywords)
            return self.method(node, receiver, func.attr, args, keywords)
        callee = self.expr(func)
        args, keywords = self.arguments(node)
        return self.call(node, callee, args, keywords)

    def arguments(self, node: ast.Call) -> Tuple[List[Value], Dict[str, Value]]:
        args = [self.expr(a) for a in node.args]
        keywords = {k.arg: self.expr(k.value) for k in node.keywords if k.arg}
        for k in node.keywords:
            if not k.arg:
                self.expr(k.value)
        return args, keywords

    def call(self, node: ast.Call, callee: Value, args, keywords) -> Value:
        if callee.kind == QUAL:
            return self.analysis.library.call(self, node, callee.name, args, keywords)
        if callee.kind == CLASS:
            return self.analysis.instantiate(self, node, callee.name, args, keywords)
        if callee.kind == FUNCTION:
            return self.analysis.call_function(self, node, callee.name, args, keywords)
        if callee.kind == MODULE:
            return self.module_call(node, callee, args)
        if callee.kind == SELF:
            info = self.analysis.model_info(callee.name)
            return self.module_call(node, Value(MODULE, model=info), args) if info else NOTHING
        if callee.kind == LOSS:
            return self.loss_call(node, callee.name, callee, args, keywords)
        return self.unknown_call(node, args, keywords)

    def unknown_call(self, node: ast.Call, args, keywords) -> Value:
        """A function shapecheck does not know may move the modules it is given, switch their mode,
        or zero their gradients."""
        if any(v.kind in (MODULE, OPTIMIZER) for v in list(args) + list(keywords.values())):
            self.mark_loops(touched=True)
        self.forget_arguments(node)
        if self.reporting and args and _names_a_model(node.func):
            self.rules.on_model_call(self, node, None, args)
        return NOTHING

    def forget_arguments(self, node: ast.Call) -> None:
        for argument in node.args + [k.value for k in node.keywords]:
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Name) and self.lookup(argument.id).kind == MODULE:
                self.env[argument.id] = self.lookup(argument.id).but(mode=None, placement=None)

    def mark_loops(self, zeroes: bool = False, touched: bool = False) -> None:
        for frame in self.loops:
            frame.zeroes |= zeroes
            frame.touched |= touched

    def method(self, node: ast.Call, receiver: Value, name: str, args, keywords) -> Value:
        if name in ("zero_grad", "zero_"):
            self.mark_loops(zeroes=True)
        handler = _METHODS.get(receiver.kind)
        if handler is not None:
            return handler(self, node, receiver, name, args, keywords)
        if receiver.kind in (LOADER, DATASET, DEVICE, TEXT, SCALAR, LOSS):
            return NOTHING
        return self.unknown_call(node, args, keywords)

    def tensor_method(self, node, receiver: Value, name: str, args, keywords) -> Value:
        if name in ("to", "cuda", "cpu"):
            return receiver.but(placement=self.moved(node, receiver.placement, name, args, keywords), affine=None)
        if name == "numpy":
            if self.reporting:
                self.rules.on_numpy(self, node, receiver)
            return Value(ARRAY)
        if name in ("item", "tolist", "size", "dim", "numel", "nelement", "ndimension", "backward",
                    "is_contiguous", "data_ptr", "element_size", "get_device"):
            return Value(SCALAR)
        if name in ("softmax", "log_softmax") or name.rstrip("_") in V.FUNCTIONAL_ACTIVATIONS:
            return self.normalised(node, receiver, name.rstrip("_"))
        keep = name in V.RESHAPES or name in ("detach", "clone")
        return tensor(receiver.placement, receiver.dims if name in V.KEEPS_DIMS else None,
                      ending=receiver.ending if keep else None, affine=receiver.affine if name in V.RESHAPES else None)

    def moved(self, node: ast.Call, current: Optional[Placement], name: str, args, keywords) -> Optional[Placement]:
        """Where ``.to(...)``, ``.cuda()`` or ``.cpu()`` puts a tensor or a module."""
        line = node.func.end_lineno if isinstance(node.func, ast.Attribute) else node.lineno
        if name == "cuda":
            return Placement(ACCELERATOR, "'cuda'", f".cuda() at line {line}")
        if name == "cpu":
            return Placement(CPU, "'cpu'", f".cpu() at line {line}")
        targets = list(zip(args, node.args)) + [(keywords[k.arg], k.value) for k in node.keywords if k.arg == "device"]
        for value, argument in targets:
            if value.kind == TENSOR:
                return value.placement
            if value.kind == DEVICE and value.placement is not None:
                text = self.text(argument)
                return Placement(value.placement.where, text, f"moved with .to({text}) at line {line}")
            if isinstance(argument, ast.Constant) and type(argument.value) is int:
                device = repr(f"cuda:{argument.value}")
                return Placement(ACCELERATOR, device, f"moved with .to({argument.value}) at line {line}")
            if value.kind not in (QUAL, TEXT):
                return None
        return current

    def normalised(self, node: ast.Call, value: Value, function: str) -> Value:
        """softmax, log_softmax and activations: what the tensor now holds, for the loss rules."""
        ending = None
        op = self.text(node)
        if function == "softmax":
            ending = Ending("probabilities", op, self.span(node))
        elif function == "log_softmax":
            ending = Ending("log-probabilities", op, self.span(node))
        elif function in V.FUNCTIONAL_ACTIVATIONS and value.ending is not None and value.ending.kind == "logits":
            ending = Ending("activation", op, self.span(node), V.FUNCTIONAL_ACTIVATIONS[function])
        return tensor(value.placement, value.dims, ending=ending)

    def module_method(self, node, module: Value, name: str, args, keywords) -> Value:
        if name in ("to", "cuda", "cpu"):
            updated = module.but(placement=self.moved(node, module.placement, name, args, keywords))
        elif name == "eval" and not args:
            updated = module.but(mode="eval")
        elif name == "train":
            updated = module.but(mode=train_flag(node))
        elif name in ("forward", "__call__"):
            return self.module_call(node, module, args)
        elif name in ("half", "float", "double", "bfloat16", "requires_grad_", "share_memory", "apply"):
            return module
        elif name in V.MODULE_QUERIES:
            return NOTHING
        else:  # a method of the model's own class may move it or switch its mode
            updated = module.but(placement=None, mode=None)
        receiver = node.func.value
        if isinstance(receiver, ast.Name):
            self.env[receiver.id] = updated
        return updated

    def optimizer_method(self, node, optimizer: Value, name: str, args, keywords) -> Value:
        if name == "step" and not args and not keywords and self.loops:
            self.loops[-1].steps.append((node, optimizer))
        return NOTHING

    def scaler_method(self, node, scaler: Value, name: str, args, keywords) -> Value:
        if name == "step" and args and args[0].kind == OPTIMIZER and self.loops:
            self.loops[-1].steps.append((node, args[0]))
        if name == "scale" and args:
            return args[0]
        return NOTHING

    def container_method(self, node, container: Value, name: str, args, keywords) -> Value:
        if name == "items":
            return Value(SEQUENCE, element=Value(TUPLE, items=(NOTHING, element_of(container))))
        if name == "values":
            return Value(SEQUENCE, element=element_of(container))
        if name in ("get", "pop", "__getitem__"):
            return element_of(container)
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and name in MUTATORS:
            self.env[receiver.id] = NOTHING
        return NOTHING

    def array_method(self, node, array: Value, name: str, args, keywords) -> Value:
        return Value(SCALAR) if name in ("item", "tolist") else Value(ARRAY)

    def module_call(self, node: ast.Call, module: Value, args) -> Value:
        if self.reporting:
            self.rules.on_model_call(self, node, module, args)
        given = args[0] if args else NOTHING
        ending, affine = self.through(module.model, given, self.text(node.func), self.span(node), node.lineno)
        info = module.model
        placement = module.placement
        if info is not None and info.moves_inputs or placement is None:
            placement = None
        else:
            origin = f"the output of `{self.text(node.func)}`, " + placement.origin.replace("`", "")
            placement = Placement(placement.where, placement.device, origin)
        return tensor(placement, ending=ending, affine=affine)

    def through(self, info: Optional[ModelInfo], given: Value, op: str, span, line: int):
        """The ending and the open affine step of a module's output, given its input's."""
        if info is None:
            return None, None
        if info.step is not None:
            step = replace(info.step, text=op, line=line)
            if self.reporting and given.affine is not None:
                self.rules.on_collapse(self, given.affine, step, span)
            return Ending("logits", op, span), step
        return layer_ending(info, given, op, span), (given.affine if info.kind in V.TRANSPARENT else None)

    def loss_call(self, node: ast.Call, kind: str, loss: Optional[Value], args, keywords) -> Value:
        pairs = list(zip(args, node.args))
        for name in ("input", "target")[len(pairs):]:
            argument = next((k.value for k in node.keywords if k.arg == name), None)
            if argument is not None:
                pairs.append((keywords[name], argument))
        if self.reporting and len(pairs) >= 2:
            self.rules.on_loss(self, node, kind, loss, pairs[0], pairs[1])
        first = pairs[0][0] if pairs else NOTHING
        return tensor(first.placement if first.kind == TENSOR else None, "scalar")


_STATEMENTS = node_handlers(Flow, "stmt_")
_EXPRESSIONS = node_handlers(Flow, "expr_")
# the methods of a receiver of each kind
_METHODS = {TENSOR: Flow.tensor_method, MODULE: Flow.module_method, OPTIMIZER: Flow.optimizer_method,
            SCALER: Flow.scaler_method, SEQUENCE: Flow.container_method, TUPLE: Flow.container_method,
            ARRAY: Flow.array_method}


def havoc(state: Env, loop: ast.AST) -> Env:
    """``state`` without what the loop may change: the names it assigns, and those it calls
    methods on or passes to functions."""
    changed = set()
    for node in walk_here(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            changed.add(node.id)
        elif isinstance(node, ast.Call):
            changed.update(n.id for n in [node.func.value if isinstance(node.func, ast.Attribute) else None]
                           + list(node.args) + [k.value for k in node.keywords] if isinstance(n, ast.Name))
    return {name: NOTHING if name in changed else value for name, value in state.items()}


def join_env(a: Env, b: Env) -> Env:
    joined = dict(a)
    for name, value in b.items():
        mine = a.get(name)
        if mine is not value:
            joined[name] = join(mine, value)
    return joined


def element_of(value: Value) -> Value:
    """What iterating, unpacking or indexing ``value`` gives."""
    if value.kind in (LOADER, DATASET, SEQUENCE):
        return value.element or NOTHING
    if value.kind == TUPLE:
        return (join_all(value.items) if value.items else None) or NOTHING
    if value.kind == TENSOR:
        return tensor(value.placement)
    if value.kind == ARRAY:
        return value
    return NOTHING


def tensor_attribute(base: Value, attr: str) -> Value:
    if attr in ("data", "T", "mT", "H", "real", "imag"):
        return base.but(affine=None)
    if attr in ("grad", "values", "indices"):
        return tensor(base.placement)
    if attr == "device":
        return Value(DEVICE, placement=base.placement) if base.placement is not None else NOTHING
    if attr in ("shape", "ndim", "is_cuda", "requires_grad"):
        return Value(SCALAR)
    return NOTHING


def combine_tensors(left: Value, right: Value) -> Value:
    """An elementwise result lives where its tensor operands do; Python numbers do not count."""
    tensors = [v for v in (left, right) if v.kind == TENSOR]
    others = [v for v in (left, right) if v.kind != TENSOR]
    if any(v.kind not in (SCALAR,) for v in others):
        return tensor(None)
    placements = {v.placement for v in tensors}
    placement = tensors[0].placement if len(placements) == 1 else None
    if placement is None and all(p is not None for p in placements) and len({p.where for p in placements}) == 1:
        placement = Placement(tensors[0].placement.where, tensors[0].placement.device)
    dims = "batch" if any(v.dims == "batch" for v in tensors) else None
    return tensor(placement, dims)


def layer_ending(info: ModelInfo, given: Value, op: str, span) -> Optional[Ending]:
    kind = info.kind
    if kind in V.LOGIT_LAYERS:
        return Ending("logits", op, span)
    if kind == "Softmax":
        return Ending("probabilities", op, span)
    if kind == "LogSoftmax":
        return Ending("log-probabilities", op, span)
    if kind in V.ACTIVATIONS:
        opened = given.ending is not None and given.ending.kind == "logits"
        return Ending("activation", op, span, kind) if opened else None
    if kind in V.TRANSPARENT:
        return given.ending
    return info.ending


def _loop_name(iterable: ast.AST) -> str:
    """The name of what a loop iterates, through enumerate(...) and tqdm(...)."""
    while isinstance(iterable, ast.Call) and iterable.args:
        iterable = iterable.args[0]
    if isinstance(iterable, ast.Subscript) and isinstance(iterable.slice, ast.Constant):
        return str(iterable.slice.value)
    return last_name(iterable)


def _counted(iterable: ast.AST, target: ast.AST) -> Optional[set]:
    """The names a ``for ... in range(...)`` binds; None for a loop over anything else."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range":
        return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return None


def _is_main_guard(test: ast.AST) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


MODEL_NAME = re.compile(r"^(model|net|network|classifier|cnn|mlp)$|_(model|net)$", re.I)


def _names_a_model(func: ast.AST) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return MODEL_NAME.search(name) is not None
