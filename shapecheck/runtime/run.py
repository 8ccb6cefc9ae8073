"""Runtime mode: build the user's model for real and run a dummy tensor through it.

This is the only module of shapecheck that imports torch, and it does so lazily: `load_torch()`
imports it on first use and caches the module for the life of the process, so checking a folder
of models pays the import once and the static path never pays it.

A model is built without running the user's script. Of the file's top-level statements only
these are executed, each on its own, in a fresh namespace, compiled with the file's real path so
that line numbers refer to the analysed file:

- imports (one that fails is remembered; a model that needs it is `unknown`, not a crash);
- function and class definitions;
- assignments of constant expressions (literals, arithmetic, containers, earlier constants and
  attributes of imported names), unless a statement that is not run rebinds the same name;
- `try:` blocks made only of imports and literal assignments (the optional-import idiom);
- the assignment that builds a requested module-level model (`model = nn.Sequential(...)`),
  when its value uses only imported, defined and constant names and builtins.

Everything else (data loading, training loops, `if __name__ == "__main__":`) never runs.
Construction happens under `with torch.device(...)` (for `meta` this costs no memory); forward
pre-hooks and hooks on every submodule record which layer runs and what it returns; a patched
`torch.nn.Module.__init__` records the line where each module object was constructed. All of it
is undone in `finally` blocks, and the default dtype and device are restored. Output the user's
code prints is swallowed, and no exception but `RuntimeUnavailable` reaches the caller.
"""

from __future__ import annotations

import __future__
import ast
import builtins
import contextlib
import functools
import inspect
import io
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ..rules.layers import LAYER_RULES

DTYPE_NAMES = {"float32": "float32", "float": "float32", "fp32": "float32",
               "float16": "float16", "half": "float16", "fp16": "float16",
               "bfloat16": "bfloat16", "bf16": "bfloat16"}
INPUT_DTYPES = ("float", "long")
_BUILTIN_NAMES = frozenset(dir(builtins))
_CONSTANT_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.BinOp,
                   ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple, ast.List, ast.Set,
                   ast.Dict, ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


@dataclass(frozen=True)
class RuntimeRequest:
    model: str  # a class name, or the variable/function name of a module-level model
    input_shape: tuple  # concrete ints, batch included; or a tuple of shapes for several inputs
    ctor_args: str = ""  # source text of the constructor call's arguments ("" = none)
    input_dtype: str = "float"  # "long" for models that take indices (Embedding first)


@dataclass
class RuntimeLayer:
    name: str  # module path as in model.named_modules(): "features.0", "conv1"
    kind: str  # type(module).__name__
    output_shape: Optional[tuple]  # None when the layer did not finish or returned no tensor
    line: Optional[int]  # line in the analysed file where the module was constructed


@dataclass
class RuntimeResult:
    model: str
    device: str
    status: str  # "ok", "error" or "unknown"
    layers: List[RuntimeLayer]  # leaf modules in the order they ran
    output_shape: Optional[tuple]
    message: str = ""  # PyTorch's message on error; on unknown, what is missing and how to give it
    error_layer: Optional[str] = None  # module path of the layer that raised (None: the model's own code)
    error_line: Optional[int] = None  # line of that layer's constructor, or of the code that raised
    stopped: bool = False  # cut short by a limit or by the process ending; the message says how and when


class RuntimeUnavailable(Exception):
    """The runtime mode cannot run here: torch is not installed, or the device is missing."""


class _Unbuildable(Exception):
    """The model cannot be built with what is known; the message says what to give."""


_torch = None


def load_torch():
    """Import torch once per process and return it; RuntimeUnavailable when it is not installed."""
    global _torch
    if _torch is None:
        try:
            import torch
        except ImportError as exc:
            raise RuntimeUnavailable(
                "the runtime mode needs PyTorch: pip install 'shapecheck[runtime]'") from exc
        _torch = torch
    return _torch


# Devices and dtypes

def available_devices() -> List[str]:
    torch = load_torch()
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += ["cuda"] + [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    if _mps_available(torch):
        devices.append("mps")
    return devices + ["meta"]


def _mps_available(torch) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps and mps.is_available())


def resolve_device(name: str) -> str:
    """"auto" → cuda, then mps, then cpu; a device this machine lacks raises RuntimeUnavailable."""
    available = available_devices()
    choice = name.strip().lower()
    if choice == "auto":
        return next(device for device in ("cuda", "mps", "cpu") if device in available)
    if choice in available:
        return choice
    raise RuntimeUnavailable(
        f"device {name!r} is not available here; available: {', '.join(available)}")


def check_dtype(name: str) -> str:
    """The canonical dtype name; an unsupported one raises RuntimeUnavailable (a bad option)."""
    canonical = DTYPE_NAMES.get(name.strip().lower())
    if canonical is None:
        raise RuntimeUnavailable(f"dtype {name!r} is not supported; use float32, float16 or bfloat16")
    return canonical


def _torch_dtype(torch, name: str):
    canonical = DTYPE_NAMES.get(name.strip().lower())
    if canonical is None:
        raise RuntimeUnavailable(f"dtype {name!r} is not supported; use float32, float16 or bfloat16")
    return getattr(torch, canonical)


# Which top-level statements run

@dataclass
class ModelScript:
    """The statements of a file that are safe to run, and the assignments that build models."""

    statements: List[ast.stmt] = field(default_factory=list)
    compile_flags: int = 0  # the file's `from __future__` imports, for each statement compiled alone
    model_assigns: Dict[str, ast.stmt] = field(default_factory=dict)
    rejected: Dict[str, str] = field(default_factory=dict)  # model name → why its assignment is not run
    skipped_names: Set[str] = field(default_factory=set)  # names bound by statements not run


class _StatementFilter:
    def __init__(self, model_names: Set[str]):
        self.model_names = model_names
        self.known: Set[str] = set()
        self.star_import = False
        self.script = ModelScript()

    def select(self, tree: ast.Module) -> ModelScript:
        constants = [stmt for stmt in tree.body if self._keep(stmt)]
        self.script.statements = [stmt for stmt in constants if not self._rebound(stmt)]
        self.script.compile_flags = _future_flags(tree)
        return self.script

    def _keep(self, stmt: ast.stmt) -> bool:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            self._bind(stmt)
            return True
        if self._is_constant_assign(stmt) or self._is_import_try(stmt):
            self._bind(stmt)
            return True
        if self._is_model_assign(stmt):
            self.script.model_assigns[_assigned_names(stmt)[0]] = stmt
            return False
        self.script.skipped_names |= _bound_names(stmt)
        return False

    def _bind(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.ImportFrom) and any(alias.name == "*" for alias in stmt.names):
            self.star_import = True
        self.known |= _bound_names(stmt)

    def _rebound(self, stmt: ast.stmt) -> bool:
        assigned = isinstance(stmt, (ast.Assign, ast.AnnAssign))
        return assigned and bool(set(_assigned_names(stmt)) & self.script.skipped_names)

    def _is_constant_assign(self, stmt: ast.stmt) -> bool:
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or value is None:
            return False
        if not _assigned_names(stmt):
            return False
        nodes_ok = all(isinstance(node, _CONSTANT_NODES) for node in ast.walk(value))
        return nodes_ok and not self._unknown_names(value, frozenset())

    def _is_import_try(self, stmt: ast.stmt) -> bool:
        if not isinstance(stmt, ast.Try):
            return False
        blocks = [stmt.body, stmt.orelse, stmt.finalbody] + [h.body for h in stmt.handlers]
        return all(_is_import_or_literal(inner) for block in blocks for inner in block)

    def _is_model_assign(self, stmt: ast.stmt) -> bool:
        names = _assigned_names(stmt)
        if len(names) != 1 or names[0] not in self.model_names or getattr(stmt, "value", None) is None:
            return False
        unknown = sorted(self._unknown_names(stmt.value, _BUILTIN_NAMES))
        if unknown:
            self.script.rejected[names[0]] = (
                f"`{names[0]} = ...` in line {stmt.lineno} uses {', '.join(unknown)}, set by "
                f"statements shapecheck does not run (it runs only imports, constants, "
                f"functions and classes)")
            return False
        return True

    def _unknown_names(self, value: ast.expr, also_known: frozenset) -> Set[str]:
        unknown = _free_names(value) - self.known - also_known
        # After `from x import *` any name may come from x, unless a skipped statement set it.
        return unknown & self.script.skipped_names if self.star_import else unknown


def select_statements(tree: ast.Module, model_names: Set[str]) -> ModelScript:
    """The top-level statements of `tree` that may run to build the named models."""
    return _StatementFilter(set(model_names)).select(tree)


def _future_flags(tree: ast.Module) -> int:
    flags = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                flags |= feature.compiler_flag if feature else 0
    return flags


def _compile(stmt: ast.stmt, path: str, flags: int):
    return compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec", flags=flags,
                   dont_inherit=True)


def _assigned_names(stmt: ast.stmt) -> List[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    names: List[str] = []
    for target in targets:
        elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(element, ast.Name) for element in elements):
            return []
        names += [element.id for element in elements]
    return names


def _bound_names(stmt: ast.stmt) -> Set[str]:
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in stmt.names if alias.name != "*"}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    names = {node.id for node in ast.walk(stmt)
             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
            names |= _bound_names(node) if node is not stmt else set()
    return names


def _free_names(value: ast.expr) -> Set[str]:
    loaded, local = set(), set()
    for node in ast.walk(value):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else local).add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
    return loaded - local


def _is_import_or_literal(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    value = getattr(stmt, "value", None)
    return isinstance(stmt, ast.Assign) and bool(_assigned_names(stmt)) and isinstance(value, ast.Constant)


# Running the kept statements

@dataclass
class _FileContext:
    torch: object
    path: str
    device: str
    dtype: object
    script: ModelScript
    namespace: Dict[str, object]
    failures: Dict[str, str]  # name → why the statement binding it failed
    progress: Callable[[str], None]  # told "built" when a model is built, before its input runs


def _define(path: str, script: ModelScript) -> Tuple[Dict[str, object], Dict[str, str]]:
    namespace: Dict[str, object] = {"__name__": "__shapecheck_model__", "__file__": path,
                                    "__builtins__": builtins}
    failures: Dict[str, str] = {}
    for stmt in script.statements:
        try:
            exec(_compile(stmt, path, script.compile_flags), namespace)
        except (Exception, SystemExit) as exc:
            reason = _statement_failure(stmt, exc)
            failures.update({name: reason for name in _bound_names(stmt)})
    return namespace, failures


def _statement_failure(stmt: ast.stmt, exc: BaseException) -> str:
    text = ast.unparse(stmt).splitlines()[0]
    if isinstance(exc, ImportError):
        return f"`{text}` in line {stmt.lineno} failed ({exc}); install it to run this model"
    return f"`{text}` in line {stmt.lineno} failed: {type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _isolated(torch):
    """Swallow the user's prints and warnings; restore torch's default dtype and device."""
    dtype = torch.get_default_dtype()
    device = _default_device(torch)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_default_dtype(dtype)
        if _default_device(torch) != device:
            torch.set_default_device(None if device is None or device.type == "cpu" else device)


def _default_device(torch):
    get = getattr(torch, "get_default_device", None)
    return get() if get else None


# Building the model

@contextlib.contextmanager
def _construction_lines(torch, path: str, lines: Dict[int, Tuple[object, int]]):
    """Record, for each module built inside, the line of the analysed file that constructed it."""
    module_class = torch.nn.Module
    original = vars(module_class)["__init__"]

    def traced_init(module, *args, **kwargs):
        original(module, *args, **kwargs)
        line = _constructor_line(module, path)
        if line is not None:
            lines[id(module)] = (module, line)

    module_class.__init__ = traced_init
    try:
        yield
    finally:
        module_class.__init__ = original


def _constructor_line(module, path: str) -> Optional[int]:
    frame = sys._getframe(2)
    while frame is not None and _is_init_of(frame, module):
        frame = frame.f_back
    while frame is not None and frame.f_code.co_filename != path:
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


def _is_init_of(frame, module) -> bool:
    code = frame.f_code
    if code.co_name != "__init__" or code.co_argcount == 0:
        return False
    return frame.f_locals.get(code.co_varnames[0]) is module


def _device_scope(ctx: _FileContext):
    return contextlib.nullcontext() if ctx.device == "cpu" else ctx.torch.device(ctx.device)


def _build(ctx: _FileContext, request: RuntimeRequest):
    namespace = dict(ctx.namespace)
    assign = ctx.script.model_assigns.get(request.model)
    with _device_scope(ctx):
        if assign is not None:
            exec(_compile(assign, ctx.path, ctx.script.compile_flags), namespace)
            model = namespace[request.model]
        else:
            factory = _factory(ctx, namespace, request)
            args, kwargs = _constructor_arguments(ctx, namespace, request, factory)
            model = factory(*args, **kwargs)
        if not isinstance(model, ctx.torch.nn.Module):
            raise _Unbuildable(f"{request.model} gave a {type(model).__name__}, not a torch.nn.Module")
        return model.to(device=ctx.device, dtype=ctx.dtype)


def _factory(ctx: _FileContext, namespace: Dict[str, object], request: RuntimeRequest):
    name = request.model
    if name in ctx.failures:
        raise _Unbuildable(ctx.failures[name])
    if name in ctx.script.rejected:
        raise _Unbuildable(ctx.script.rejected[name])
    factory = namespace.get(name)
    if factory is None:
        raise _Unbuildable(f"{name} is not defined by an import, class, function or constant "
                           f"assignment at the top level of the file")
    if isinstance(factory, type) and not issubclass(factory, ctx.torch.nn.Module):
        raise _Unbuildable(f"{name} is not a torch.nn.Module subclass")
    if not callable(factory):
        raise _Unbuildable(f"{name} is not a torch.nn.Module class or a function that builds one")
    return factory


def _constructor_arguments(ctx: _FileContext, namespace, request: RuntimeRequest, factory):
    args, kwargs = (), {}
    if request.ctor_args.strip():
        args, kwargs = _evaluate_arguments(namespace, request.ctor_args)
    missing = _missing_parameters(factory, args, kwargs)
    if missing:
        raise _Unbuildable(_missing_message(ctx.path, request, missing))
    mismatch = _signature_mismatch(factory, args, kwargs)
    if mismatch:
        raise _Unbuildable(f"{request.model}({request.ctor_args.strip()}): {mismatch}")
    return args, kwargs


def _evaluate_arguments(namespace, text: str):
    try:
        code = compile(f"__shapecheck_arguments__({text})", "<ctor_args>", "eval")
    except SyntaxError as exc:
        raise _Unbuildable(f"could not read the constructor arguments {text!r}: {exc.msg}") from exc
    scope = dict(namespace, __shapecheck_arguments__=lambda *args, **kwargs: (args, kwargs))
    return eval(code, scope)


def _signature_mismatch(factory, args: tuple, kwargs: dict) -> Optional[str]:
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        return str(exc) if isinstance(exc, TypeError) else None
    return None


def _missing_parameters(factory, args: tuple, kwargs: dict) -> List[str]:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return []
    missing = []
    positional = [p for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for index, parameter in enumerate(positional):
        if parameter.default is parameter.empty and index >= len(args) and parameter.name not in kwargs:
            missing.append(parameter.name)
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.KEYWORD_ONLY and parameter.default is parameter.empty \
                and parameter.name not in kwargs:
            missing.append(parameter.name)
    return missing


def _missing_message(path: str, request: RuntimeRequest, missing: List[str]) -> str:
    given = request.ctor_args.strip()
    example = ", ".join([given] * bool(given) + [f"{name}=..." for name in missing])
    return (f"{request.model}({given}) needs {', '.join(missing)}: instantiate it in the file, "
            f"or set [tool.shapecheck] args = {{ \"{path}::{request.model}\" = \"{example}\" }}")


# Running it

class _LayerRecorder:
    """Forward pre-hooks and hooks on every submodule: which layer runs, what each leaf returns."""

    def __init__(self, torch, lines: Dict[int, Tuple[object, int]]):
        self.torch = torch
        self.lines = lines
        self.layers: List[RuntimeLayer] = []
        self.running: List[Tuple[str, object, Optional[int]]] = []
        self.handles: list = []

    def attach(self, model) -> None:
        whole: List[str] = []  # layers shapecheck models whole (MultiheadAttention): their children are theirs
        for name, module in model.named_modules():
            if any(name.startswith(w + ".") for w in whole):
                continue
            leaf = next(module.children(), None) is None or _modelled_whole(module)
            if leaf and next(module.children(), None) is not None:
                whole.append(name)
            self.handles.append(module.register_forward_pre_hook(
                functools.partial(self._started, name, leaf)))
            self.handles.append(module.register_forward_hook(self._finished))

    def detach(self) -> None:
        while self.handles:
            self.handles.pop().remove()

    def line_of(self, module) -> Optional[int]:
        module_and_line = self.lines.get(id(module))
        return module_and_line[1] if module_and_line and module_and_line[0] is module else None

    def _started(self, name: str, leaf: bool, module, args) -> None:
        index = None
        if leaf:
            self.layers.append(RuntimeLayer(name, type(module).__name__, None, self.line_of(module)))
            index = len(self.layers) - 1
        self.running.append((name, module, index))

    def _finished(self, module, args, output) -> None:
        index = self._pop(module)
        if index is not None:
            self.layers[index].output_shape = _shape_of(self.torch, output)

    def _pop(self, module) -> Optional[int]:
        while self.running:
            _, running_module, index = self.running.pop()
            if running_module is module:
                return index
        return None


def _modelled_whole(module) -> bool:
    """A built-in layer torch builds of child modules that shapecheck's rules take as one layer
    (MultiheadAttention and its out_proj, a TransformerEncoder and its layers)."""
    return type(module).__module__.startswith("torch.nn.") and type(module).__name__ in LAYER_RULES


def _shape_of(torch, value) -> Optional[tuple]:
    tensor = _first_tensor(torch, value)
    return tuple(int(size) for size in tensor.shape) if tensor is not None else None


def _first_tensor(torch, value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        for item in value:
            tensor = _first_tensor(torch, item)
            if tensor is not None:
                return tensor
    return None


def _input_shapes(shape) -> Optional[List[Tuple[int, ...]]]:
    if not isinstance(shape, (tuple, list)) or not shape:
        return None
    shapes = list(shape) if all(isinstance(s, (tuple, list)) for s in shape) else [shape]
    valid = all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for s in shapes for d in s)
    return [tuple(s) for s in shapes] if valid else None


def _dummy_input(ctx: _FileContext, shape: Tuple[int, ...], input_dtype: str):
    torch = ctx.torch
    if input_dtype == "long":
        return torch.randint(0, 2, shape, device=ctx.device)
    if ctx.device == "meta":
        return torch.empty(shape, device=ctx.device, dtype=ctx.dtype)
    return torch.randn(shape, device=ctx.device, dtype=ctx.dtype)


def _forward_mismatch(model, inputs: list) -> Optional[str]:
    try:
        signature = inspect.signature(model.forward)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*inputs)
    except TypeError as exc:
        return (f"{type(model).__name__}.forward{signature} does not take {len(inputs)} "
                f"input(s) ({exc}); give one input shape per argument")
    return None


def _check(ctx: _FileContext, request: RuntimeRequest) -> RuntimeResult:
    shapes = _input_shapes(request.input_shape)
    if shapes is None:
        return _unknown(ctx, request, f"the input shape {request.input_shape!r} is not a shape of "
                                      f"concrete sizes such as (2, 3, 32, 32)")
    if request.input_dtype not in INPUT_DTYPES:
        return _unknown(ctx, request, f"input dtype {request.input_dtype!r} is not one of "
                                      f"{', '.join(INPUT_DTYPES)}")
    lines: Dict[int, Tuple[object, int]] = {}
    try:
        with _construction_lines(ctx.torch, ctx.path, lines):
            model = _build(ctx, request)
        inputs = [_dummy_input(ctx, shape, request.input_dtype) for shape in shapes]
    except _Unbuildable as exc:
        return _unknown(ctx, request, str(exc))
    except (Exception, SystemExit) as exc:
        return _failure(ctx, request, exc, [], None, _traceback_line(exc, ctx.path))
    ctx.progress("built")
    mismatch = _forward_mismatch(model, inputs) or _unhookable(ctx.torch, model)
    if mismatch:
        return _unknown(ctx, request, mismatch)
    return _forward(ctx, request, model.eval(), inputs, lines)


def _unhookable(torch, model) -> Optional[str]:
    """TorchScript modules refuse forward hooks, so their layers cannot be recorded."""
    scripted = next((name for name, m in model.named_modules() if isinstance(m, torch.jit.ScriptModule)), None)
    if scripted is None:
        return None
    return (f"{scripted or type(model).__name__} is a torch.jit.ScriptModule, which takes no forward hooks: "
            f"the runtime mode cannot record its layers")


def _no_autograd(ctx: _FileContext):
    # Lazy modules (LazyLinear) cannot materialize meta parameters under inference_mode.
    return ctx.torch.no_grad() if ctx.device == "meta" else ctx.torch.inference_mode()


def _forward(ctx: _FileContext, request, model, inputs, lines) -> RuntimeResult:
    recorder = _LayerRecorder(ctx.torch, lines)
    try:
        recorder.attach(model)
        with _no_autograd(ctx):
            output = model(*inputs)
    except (Exception, SystemExit) as exc:
        return _forward_failure(ctx, request, exc, recorder)
    finally:
        recorder.detach()
    return RuntimeResult(request.model, ctx.device, "ok", recorder.layers,
                         _shape_of(ctx.torch, output))


def _forward_failure(ctx: _FileContext, request, exc: BaseException, recorder: _LayerRecorder):
    if not recorder.running:
        return _failure(ctx, request, exc, recorder.layers, None, _traceback_line(exc, ctx.path))
    name, module, index = recorder.running[-1]
    line = _traceback_line(exc, ctx.path) if index is None else None
    line = line or recorder.line_of(module)
    return _failure(ctx, request, exc, recorder.layers, name or None, line)


def _failure(ctx: _FileContext, request, exc: BaseException, layers, layer, line) -> RuntimeResult:
    status, message = _classify(ctx, request, exc)
    return RuntimeResult(request.model, ctx.device, status, layers, None, message, layer, line)


def _classify(ctx: _FileContext, request, exc: BaseException) -> Tuple[str, str]:
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, NameError) and exc.name in ctx.failures:
        return "unknown", ctx.failures[exc.name]
    if isinstance(exc, NameError) and exc.name in ctx.script.skipped_names:
        return "unknown", (f"{request.model} uses `{exc.name}`, which the file sets in a statement "
                           f"shapecheck does not run (it runs only imports, constants, functions "
                           f"and classes); make it a constant or a constructor argument")
    if isinstance(exc, ImportError):
        return "unknown", f"{message}; install it to run this model"
    if ctx.device == "meta" and (isinstance(exc, NotImplementedError) or "meta" in message.lower()):
        return "unknown", f"the meta device cannot run this model ({message}); use --device cpu"
    return "error", message


def _traceback_line(exc: BaseException, path: str) -> Optional[int]:
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == path]
    return frames[-1].lineno if frames else None


def _unknown(ctx: _FileContext, request: RuntimeRequest, message: str) -> RuntimeResult:
    return RuntimeResult(request.model, ctx.device, "unknown", [], None, message)


def _is_out_of_memory(ctx: _FileContext, result: RuntimeResult) -> bool:
    return result.status == "error" and "out of memory" in result.message.lower()


def run_file(path: str, source: str, requests: Sequence[RuntimeRequest], device: str = "cpu",
             dtype: str = "float32") -> List[RuntimeResult]:
    """Build each requested model of one file and run a dummy input through it on `device`, in this
    process (`child.run_file` does it in a child process, under limits)."""
    return list(each_result(path, source, requests, device, dtype))


def each_result(path: str, source: str, requests: Sequence[RuntimeRequest], device: str = "cpu",
                dtype: str = "float32", progress: Callable[[str], None] = lambda step: None
                ) -> Iterator[RuntimeResult]:
    """`run_file`'s results one model at a time, as each finishes; ``progress`` is told "defined"
    once the file's statements have run and "built" when each model is built."""
    torch = load_torch()
    device = resolve_device(device)
    torch_dtype = _torch_dtype(torch, dtype)
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        yield from [RuntimeResult(r.model, device, "unknown", [], None, f"{path} does not parse: {exc}")
                    for r in requests]
        return
    script = select_statements(tree, {request.model for request in requests})
    with _isolated(torch):
        namespace, failures = _define(path, script)
        progress("defined")
        ctx = _FileContext(torch, path, device, torch_dtype, script, namespace, failures, progress)
        for request in requests:
            yield _check_guarded(ctx, request)


def _check_guarded(ctx: _FileContext, request: RuntimeRequest) -> RuntimeResult:
    try:
        result = _check(ctx, request)
    except Exception as exc:  # a bug of shapecheck's own must not hide the other models' results
        result = _unknown(ctx, request, f"shapecheck's runtime mode failed: {type(exc).__name__}: {exc}")
    if _is_out_of_memory(ctx, result) and ctx.device.startswith("cuda"):
        ctx.torch.cuda.empty_cache()
    return result
