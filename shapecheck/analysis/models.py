"""Finding the models in a file, choosing their inputs, and checking them layer by layer.

The ``Checker`` is the interpreter's partner: the interpreter evaluates the code, the checker
applies each layer's shape rule to the tensor it receives, turns shape errors into findings at
the line to change, and records every layer's output shape for the model's report.  The hooks it
implements, and the interpreter methods it calls back, are declared in ``hooks.py``; discovery
reads the ``ModuleRun`` that the interpreter's ``run_module()`` returns.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from ..rules import shapes as S
from ..diagnostics import CATALOGUE
from ..diagnostics import Code, Diagnostic, Fix, Message, Span, internal_error_message, internal_errors_raise
from .arguments import ArgumentNotGiven, ConstructorArguments, constructor_arguments
from .hooks import InterpreterCalls, ModuleRun
from .interpreter import Interpreter
from . import pretrained
from ..rules import lazy
from . import rows as R
from ..inputs import InputSpec, comment_inputs
from ..ir import UNKNOWN, Arg, NotKnown, ShapeError
from ..rules.layers import NO_TENSOR, Given, Outputs, default_input, first_tensor
from ..results import (ARGUMENT_NOT_GIVEN, CONSTRUCT_NOT_FOLLOWED, LAYER_NOT_MODELLED, VALUE_NOT_KNOWN, LayerReport, ModelReport,
                       ShapeAt, StoppedAt)
from ..rules import tensor_ops
from ..rules.shapes import Tensor
from .blame import Blame, Width, blame, sites
from .geometry import described, one_change
from .provenance import Step, carried, spelled, value_of, with_width
from .values import Container, Function, Global, Instance, Layer, Opaque, Parameters, Partial, PendingInput, Unfollowed

@dataclass
class ModelPass:
    """One pass of one model over one input."""

    model: str
    root: object
    paths: Dict[int, str]
    input: object
    call_node: Optional[ast.AST] = None
    call_source: object = None  # the interpreter's Source of the file the call is in
    source: str = ""  # where the input comes from, as messages say it
    layers: List[LayerReport] = field(default_factory=list)
    rows: List[LayerReport] = field(default_factory=list)  # the summary's: layers, blocks, operations
    shapes: List[ShapeAt] = field(default_factory=list)  # what forward's statements saw, in order
    failed: bool = False
    findings: List[Tuple] = field(default_factory=list)  # keys of the findings this run reported
    constraints: List[Tuple[S.Constraint, str]] = field(default_factory=list)  # (constraint, why)
    consistent_inputs: str = ""
    bounds: set = field(default_factory=set)  # symbolic sizes a layer produced: each must be at least 1
    # what the layers say of the constructor arguments checked as symbols: (constraint, why)
    argument_constraints: List[Tuple[S.Constraint, str]] = field(default_factory=list)
    argument_values: Dict[str, int] = field(default_factory=dict)  # those the layers settle to one value
    stopped: Optional[ArgumentNotGiven] = None  # a symbol decided the structure in forward
    stopped_at: Optional[StoppedAt] = None  # the first place shapes stopped being known in this run
    training: bool = False  # the mode forward runs in: eval, as the runtime mode does, unless told
    read_training: bool = False  # forward asked self.training: train mode may take other branches
    stated_at: Tuple[str, int] = ("", 0)  # the file and line of a comment that gave the input
    rank_assumed: bool = False  # the input is B×F because the first layer takes (*, F): its rank is a guess


@dataclass
class ModelEntry:
    name: str
    value: object
    span: Span
    runs: List[Tuple[str, ModelPass, object]] = field(default_factory=list)  # (input source, run, output)
    factory: bool = False  # built by a top-level function of that name, which takes no arguments
    symbols: Tuple[str, ...] = ()  # constructor arguments no file gives, checked as symbols
    stopped: Optional[ArgumentNotGiven] = None  # a symbol decided the structure: nothing checked
    path: str = ""  # the file that defines it


class Checker:
    def __init__(self, path: str, source: str, tree: ast.Module, modules=None, figures: bool = True,
                 shapes: bool = True):
        self.path = path
        self.figures = figures  # the summary's rows of blocks and operations, each layer's MACs and memory
        self.shapes = shapes  # the shape each line gives (ShapeAt), for --annotate and the editor
        self.diagnostics: Dict[Tuple, Diagnostic] = {}
        self.interp = Interpreter(source, tree, self, path=path, modules=modules)
        self.stated_args: Dict[str, str] = {}  # model name -> constructor arguments stated by the user
        self.run: Optional[ModelPass] = None
        self.entries: Dict[int, ModelEntry] = {}
        self._call_cache: Dict[Tuple, object] = {}
        self.clean_spans: set = set()  # layer calls that fit what they received in some run
        self.unbuildable: set = set()  # layer calls torch refuses to build: reported once, where built
        self.script_shapes: List[ShapeAt] = []  # shapes the file's own top-level code saw
        self.module_stack: List[object] = []  # the submodules being run, outermost first
        # for call-site blame (blame.py): the widths of layers built through helper calls, and the
        # findings of such layers: finding key -> (the wrong width, the factors of what it receives)
        self.widths: Dict[Tuple[int, str], Width] = {}
        self.passed_wrong: Dict[Tuple, Tuple[Width, Tuple[int, ...]]] = {}
        self.moved_from: Dict[Tuple, Diagnostic] = {}  # key of a finding moved to a call -> where it was
        self.built_here: Dict[Tuple, set] = {}  # key of a finding where a block is built -> the keys it repeats
        self.feeds: Dict[Tuple, set] = {}  # (path, span) of an argument passed down -> the layer arguments it becomes

    # --- findings -------------------------------------------------------------------------------

    def report(self, code: str, span: Span, message: Union[str, Message], fix: Optional[Fix] = None,
               path: Optional[str] = None, not_fixed: str = "", layer: str = "") -> Optional[Tuple]:
        """A finding at ``span`` of ``path`` (by default the file being interpreted); a shape finding
        gives its message in parts.  Returns its key (None where it is not reported)."""
        model = self.run.model if self.run else None
        path = path or self.interp.source.path or self.path
        run = self.run
        parts = message if isinstance(message, Message) else Message(message)
        if run is not None and _input_place(run)[0] not in ("", path) and run.source \
                and isinstance(run.input, Tensor) and run.input.shape is not None:
            given = f"(model input {S.render_shape(run.input.shape)} from {run.source})"
            parts = replace(parts, context=f"{parts.context} {given}".lstrip())
        message = parts.text()
        if run is not None and run.training:
            if any(k[:4] == (path, span.line, span.column, code) for k in self.diagnostics):
                return None  # found in eval mode already: the same bug, not a train-mode one
        key = (path, span.line, span.column, code, message)
        if self.run is not None:
            self.run.findings.append(key)
        if key not in self.diagnostics:
            self.diagnostics[key] = Diagnostic.of(path, span, code, parts, model=model, fix=fix, not_fixed=not_fixed,
                                                  layer=layer)
        if path != self.path and self.run is not None:
            self._report_where_built(code, span, path, parts, model, key)
        return key

    def _report_where_built(self, code: str, span: Span, path: str, parts: Message, model, repeats: Tuple) -> None:
        """A finding in another project file's block (blocks.py's Head), in a run of a model this
        file defines, is reported here too: at the line of this file that builds that block, with
        the arguments that make it fail (``self.head = Head(64 * 4 * 4, n)``), naming where the
        failing line is.  The other file is context; it is not reported on its own."""
        root = self.run.root
        if not (isinstance(root, Instance) and root.cls.path == self.path) or CATALOGUE[code].severity != "error":
            return
        built = next((m for m in self.module_stack if isinstance(m, Instance) and m.built_in == self.path
                      and m.cls.path != self.path and m.span is not None), None)
        here = built.span if built is not None else self.entries.get(id(root), None)
        here = here.span if isinstance(here, ModelEntry) else here
        if here is None:
            return
        what = f"in the {built.cls.name} built here" if built is not None else "in a part of it"
        moved = replace(parts, context=f"{parts.context} (at {path}:{span.line}, {what})".lstrip())
        same_place = next((k for k in self.diagnostics if k[:4] == (self.path, here.line, here.column, code)), None)
        key = same_place or (self.path, here.line, here.column, code, moved.text())  # one finding per place
        self.run.findings.append(key)
        self.built_here.setdefault(key, set()).add(repeats)
        if key not in self.diagnostics:
            self.diagnostics[key] = Diagnostic.of(self.path, here, code, moved, model=model)

    def _where(self, layer_path: str) -> str:
        if not self.run:
            return ""
        where = f"{self.run.model}.{layer_path}" if layer_path else self.run.model
        return f"{where} (in train mode, where forward branches on self.training): " if self.run.training \
            else f"{where}: "

    # --- interpreter hooks (hooks.CheckerHooks: their contracts) --------------------------------

    def training_mode(self) -> object:
        """``self.training`` in forward: the mode of the run (eval first, as the runtime mode
        runs models); outside a run it is not known."""
        if self.run is None:
            return UNKNOWN
        self.run.read_training = True
        return self.run.training

    def running_model(self) -> bool:
        return self.run is not None

    @contextmanager
    def outside_run(self) -> Iterator[None]:
        """The model run in progress set aside, and its stack of submodules, while module code runs."""
        saved = self.run, self.module_stack
        if saved[0] is not None:
            self.run, self.module_stack = None, []
        try:
            yield
        finally:
            if saved[0] is not None:
                self.run, self.module_stack = saved

    def constructed(self, layer: Layer) -> None:
        for name, arg in (layer.args.written.items() if layer.args is not None else ()):
            for call in arg.passed:  # what each call's argument becomes, for call-site blame
                self.feeds.setdefault((call.path, call.arg.span), set()).add(name)
        try:
            layer.rule.check(layer.args)
        except ShapeError as e:
            self._layer_error(layer, e, None, "")
            self.unbuildable.add((layer.call.path, layer.call.span))
        except NotKnown:
            pass
        except Exception as e:
            self.internal_error(e, layer.call.span, f"the rule of {layer.call.kind}")

    def call_module(self, module, args: list, kwargs: dict, node):
        if self.run is None:
            return self.script_call(module, args, kwargs, node)
        if isinstance(module, Opaque):
            self._not_modelled(module, node)
        self.module_stack.append(module)
        opened = self._open_block(module)
        try:
            output = self.interp.run_forward(module, args, kwargs, node)
        finally:
            self.module_stack.pop()
        if opened is not None:
            self._close_block(opened, module, output)
        self._called(module, args[0] if args else None, output, node)
        return output

    def _open_block(self, module) -> Optional[int]:
        """A row for a block (a module of a user class, a Sequential) whose forward is about to run."""
        if not self.figures or not isinstance(module, (Instance, Container)):
            return None
        kind = module.cls.name if isinstance(module, Instance) else module.kind
        line = module.span.line if module.span else 0
        text = one_line(module.text)
        self.run.rows.append(R.block_row(self.run.paths.get(id(module), ""), kind, line,
                                         text if len(text) <= 48 else _abridged(text), len(self.module_stack)))
        return len(self.run.rows) - 1

    def _close_block(self, index: int, module, output) -> None:
        rows = self.run.rows
        rows[index] = R.close_block(rows[index], rows[index + 1:], output, model_params(module))

    def _not_modelled(self, module: Opaque, node) -> None:
        """A module without a rule, called in a model run: logged as a layer of unknown output."""
        line = module.span.line if module.span else getattr(node, "lineno", 0)
        path = self.run.paths.get(id(module), "")
        if module.not_followed:
            self.cannot_follow(CONSTRUCT_NOT_FOLLOWED, line, module.not_followed, path)
            if path:
                self._add_layer(LayerReport(path, module.kind, line, one_line(module.text), None, None,
                                            depth=len(self.module_stack)))
            return
        if module.unresolved:
            what = f"{_abridged(module.text)} is not analysed: {module.unresolved}"
        elif module.third_party:
            what = f"{_abridged(module.text)} is not analysed (third-party)"
        else:
            what = f"nn.{module.kind} is not modelled" if module.kind != "?" else f"`{one_line(module.text)}` is not modelled"
        self.cannot_follow(LAYER_NOT_MODELLED, line, what, path)
        if path:
            self._add_layer(LayerReport(path, module.kind, line, one_line(module.text), None, None,
                                        depth=len(self.module_stack)))

    def _add_layer(self, report: LayerReport) -> None:
        self.run.layers.append(report)
        if self.figures:
            self.run.rows.append(report)

    def internal_error(self, error: Exception, span: Span, what: str, layer: str = "") -> None:
        """A rule raised neither NotKnown nor ShapeError: a bug in shapecheck.  SHP999 at the
        statement, the model unknown from there on, every other finding of the file kept; re-raised
        where internal errors are to be loud (``internal_errors_raise``, on in the test suite)."""
        if internal_errors_raise():
            raise error
        self.report(Code.INTERNAL_ERROR, span, f"{self._where(layer)}{what}: {internal_error_message(error)}")
        self.cannot_follow(CONSTRUCT_NOT_FOLLOWED, span.line, f"shapecheck failed on {what} (SHP999)", layer)

    # --- shapes seen, for --annotate and the editor -------------------------------------------

    def assigned(self, target: Optional[ast.expr], before, value, statement: ast.stmt) -> None:
        """Interpreter hook: ``target`` (a name, or ``return`` for None) now holds ``value``."""
        if not self.shapes or not isinstance(value, Tensor) or value.shape is None or not self._in_this_file():
            return
        source = self.interp.source
        node = target if target is not None else statement.value
        what = target.id if isinstance(target, ast.Name) else "return"
        if target is None and isinstance(statement.value, ast.Name):
            return  # `return x`: the shape x was given where it was assigned
        changed = not isinstance(before, Tensor) or before.shape != value.shape
        self._seen(ShapeAt(source.span(node), what, S.render_shape(value.shape),
                           statement.end_lineno or statement.lineno, changed))

    def _called(self, module, x, output, node) -> None:
        """A module called in a model run, at ``node`` (``self.conv2(x)``) of this file."""
        if not self.shapes or not isinstance(node, ast.Call) or not isinstance(output, Tensor) \
                or output.shape is None or not self._in_this_file():
            return
        received = x.shape if isinstance(x, Tensor) else None
        params = _layer_params(module) if isinstance(module, Layer) else model_params(module)
        kind = module.call.kind if isinstance(module, Layer) else getattr(getattr(module, "cls", None), "name", "")
        self._seen(ShapeAt(self.interp.source.span(node.func), self.interp.source.text(node.func),
                           S.render_shape(output.shape), node.end_lineno or node.lineno, received != output.shape,
                           layer=self.run.paths.get(id(module), ""), kind=kind or getattr(module, "kind", ""),
                           params=params, received=S.render_shape(received)))

    def _in_this_file(self) -> bool:
        return self.interp.source.path == self.path

    def _seen(self, shape: ShapeAt) -> None:
        run = self.run
        if run is None:
            self.script_shapes.append(shape)
        else:
            run.shapes.append(replace(shape, model=run.model, input_source=run.source))

    def cannot_follow(self, reason: str, line: int, message: str, layer: str = "") -> None:
        """Interpreter hook: shapes stop being known here, for one of the reasons of results.py.
        The first such place in a model's run is where the model is said to stop; what follows
        from it is no new reason."""
        run = self.run
        if run is None or run.stopped_at is not None:
            return
        known = next((r for r in reversed(run.layers) if r.output_shape is not None), None)
        run.stopped_at = StoppedAt(line, layer, reason, message, known.name if known else "",
                                   known.line if known else 0)

    def script_call(self, module, args: list, kwargs: dict, node, source: str = ""):
        """The script calls a model: check the model on what it is given."""
        if isinstance(module, Opaque):
            if any(isinstance(a, Tensor) for a in args):
                module.used_as_model = True
                return Tensor(None)  # a loss, a library model
            return UNKNOWN
        if isinstance(module, Layer) and self._name_of(module) is None:
            return Tensor(None)  # a layer reached through a method such as model.decode(z): not a model
        x = args[0] if args else UNKNOWN
        if isinstance(x, Tensor) and x.numpy:
            return Tensor(None)  # torch would reject a numpy array outright
        if not isinstance(x, Tensor) or x.shape is None:
            return Tensor(None)
        key = (id(module), x.shape)
        if key in self._call_cache:
            return self._call_cache[key]
        entry = self.entry_for(module, self._name_of(module))
        entry.factory = entry.factory or self.factory_of(module) == entry.name
        line = node.lineno if node is not None else 0
        where = self.interp.at_line(line)
        if not source and x.origin and " at " in x.origin:
            source = f"call at {where}, data from {x.origin}"
        x = _generalize(x)
        output = self.check(entry, x, source or f"call at {where}", node, args[1:], kwargs)
        self._call_cache[key] = output
        return output

    def _name_of(self, module) -> Optional[str]:
        factory = self.factory_of(module)
        if factory:
            return factory
        if isinstance(module, Instance):
            return module.cls.name
        for name, value in self.interp.globals.items():
            if value is module:
                return name
        return None

    def apply_layer(self, layer: Layer, x, node, others: Sequence = (), options: Optional[dict] = None):
        """The layer's rule on input ``x`` (and forward's other arguments, ``others`` and ``options``)."""
        run = self.run
        path = run.paths.get(id(layer), "?")
        if isinstance(x, PendingInput):
            x = Tensor(self._default_input(layer, path))
            run.input = x
            run.rank_assumed = x.shape is not None and len(x.shape) == 2
        if (layer.call.path, layer.call.span) in self.unbuildable:  # reported where it is built; unknown from here on
            self._log(layer, path, None)
            run.failed = True
            return Tensor(None)
        if not isinstance(x, Tensor) or x.shape is None or layer.args is None:
            self._not_known_at(layer, x, path, node)
            self._log(layer, path, None)
            return Tensor(None)
        self._note_constraints(layer, x)
        self._observe_width(layer, x)
        if not self._arguments_fit(layer, x, path):
            self._log(layer, path, None)
            run.failed = True
            return Tensor(None)
        try:
            out = layer.rule.output(x.shape, layer.args, [_given(v) for v in others],
                                    {k: _given(v) for k, v in (options or {}).items()})
        except ShapeError as e:
            self._layer_error(layer, e, x, path)
            self._log(layer, path, None)
            run.failed = True
            return Tensor(None)
        except NotKnown:
            self.cannot_follow(VALUE_NOT_KNOWN, layer.call.span.line, _unknown_arguments(layer, x), path)
            self._log(layer, path, None)
            return Tensor(None)
        except Exception as e:
            self.internal_error(e, layer.call.span, f"the rule of {layer.call.kind}", path)
            self._log(layer, path, None)
            return Tensor(None)
        became = lazy.materialized(layer.args, x.shape) if layer.call.kind.startswith("Lazy") else None
        if became is not None:  # its first forward made its parameters: it is the plain layer from now on
            layer.rule, layer.args = became
        shown = first_tensor(out)
        self._log(layer, path, shown, x.shape, out, _forward_given(layer, others, options))
        self.clean_spans.add((layer.call.path, layer.call.span))
        run.bounds.update(d for d in (shown or ())[2:] if isinstance(d, S.Dim) and not S.is_unknown(d))
        step = Step(one_line(layer.call.text), layer.call.kind, layer.call.span.line, self._place(layer), layer)
        return _spelled_out(layer, _results(x, out, f"{layer.call.kind} at {self._place(layer)}", step))

    def _place(self, layer: Layer) -> str:
        """Where a layer is built, as messages say it: "line 12", or "blocks.py:12" in another file."""
        return f"line {layer.call.span.line}" if layer.call.path in ("", self.path) else \
            f"{layer.call.path}:{layer.call.span.line}"

    def _observe_width(self, layer: Layer, x: Tensor) -> None:
        """What a layer built through helper calls receives, for call-site blame."""
        width = _width_at(layer, x)
        if width is None:
            return
        got, _, name, axis = width
        arg = layer.args.written.get(name)
        if arg is not None and arg.passed and S.is_int(got):
            self.widths.setdefault((id(layer), name), Width(layer, name, got, x, axis))

    def _default_input(self, layer: Layer, path: str):
        """The symbolic input of a model that starts with ``layer``; None for a layer torch would not build."""
        if layer.args is None or (layer.call.path, layer.call.span) in self.unbuildable:
            return None
        try:
            return default_input(layer.rule, layer.args)
        except ShapeError as e:  # an argument check() could not reach: a float size behind an unknown one
            self._layer_error(layer, e, None, path)
            self.unbuildable.add((layer.call.path, layer.call.span))
            return None

    def _not_known_at(self, layer: Layer, x, path: str, node) -> None:
        """Why a layer cannot be checked, when nothing before it said so already."""
        line = layer.call.span.line
        if layer.args is None:
            self.cannot_follow(VALUE_NOT_KNOWN, line, f"the arguments of {one_line(layer.call.text)} are not known",
                               path)
            return
        args = getattr(node, "args", None)
        given = f"`{one_line(self.interp.source.text(args[0]))}`" if args and getattr(node, "lineno", 0) else "its input"
        self.cannot_follow(VALUE_NOT_KNOWN, line, f"the shape of {given}, the input of "
                                                  f"{one_line(layer.call.text)}, is not known", path)

    def _note_constraints(self, layer: Layer, x: Tensor) -> None:
        """A Linear fed a symbolic feature count fixes the input size: remember the equation."""
        if layer.call.kind != "Linear" or not x.shape or not layer.args.known("in_features"):
            return
        features, wanted = x.shape[-1], layer.args.values["in_features"]
        if isinstance(features, S.Dim) and not S.is_unknown(features) and S.is_int(wanted):
            why = f"{one_line(layer.call.text)} at {self._place(layer)} needs {S.render(features)} = {wanted}"
            self.run.constraints.append((S.Constraint(features, wanted), why))

    def _arguments_fit(self, layer: Layer, x: Tensor, path: str) -> bool:
        """A width that involves a constructor argument checked as a symbol (``Linear(4 * hidden,
        n_class)``, or channels that are ``in_dim``) says what the argument must be; False, with
        the finding, when no value fits this layer together with the layers before it."""
        width = _width(layer, x)
        if width is None:
            return True
        got, want, name = width
        if not (S.argument_symbols(got) | S.argument_symbols(want)):
            return True
        constraint = _equation(got, want)
        if S.solve([constraint]) == []:
            return True  # wrong whatever the value: the layer's own rule reports it
        why = f"{one_line(layer.call.text)} at {self._place(layer)} needs {S.render(want)} = {S.render(got)}"
        run = self.run
        earlier = list(run.argument_constraints)
        run.argument_constraints.append((constraint, why))
        values = S.solve_each([c for c, _ in run.argument_constraints])
        if any(not values.get(n, (0,)) for n in S.symbols(constraint.lhs)):
            run.argument_constraints.pop()
            names = ", ".join(sorted(S.argument_symbols(got) | S.argument_symbols(want)))
            others = "; ".join(w for c, w in earlier if S.symbols(c.lhs) & S.symbols(constraint.lhs))
            code = Code.LINEAR_IN_FEATURES if layer.call.kind == "Linear" else Code.CHANNEL_MISMATCH
            self.report(code, layer.call.span, Message(
                f"{layer.call.kind} expects {S.render(want)} ({name}) but receives {S.render(got)}",
                self._where(path), input=S.render_shape(x.shape),
                why=f"no value of {names} fits both this and the layers before it ({others})"))
            return False
        run.argument_values = {n: v[0] for n, v in values.items() if len(v) == 1 and n not in S.INPUT_SYMBOLS}
        return True

    def _log(self, layer: Layer, path: str, out, received=None, outputs=None, given=None) -> None:
        """The layer's row: ``out`` the shape shown, ``outputs`` all it gave and ``given`` forward's
        other arguments (for what it costs)."""
        params = None
        if layer.args is not None and (layer.call.path, layer.call.span) not in self.unbuildable:
            try:
                params = layer.rule.params(layer.args)
            except (NotKnown, ShapeError):
                params = None
        try:
            macs, activations = R.layer_figures(layer.rule, layer.args, received, outputs, given) \
                if self.figures else (None, None)
        except Exception as e:
            self.internal_error(e, layer.call.span, f"the cost of {layer.call.kind}", path)
            macs = activations = None
        self._add_layer(LayerReport(path, layer.call.kind, layer.call.span.line, one_line(layer.call.text),
                                    R.plain_shape(out), params, depth=max(1, len(self.module_stack)), macs=macs,
                                    activations=activations, arguments=_arguments(layer)))

    def _layer_error(self, layer: Layer, error: ShapeError, x: Optional[Tensor], path: str) -> None:
        layer = error.within or layer
        context, suggestion = "", ""
        after = x is not None and x.origin
        if after:  # the context says the input, with where it came from
            context = f"(after {x.origin}: {S.render_shape(x.flat_from or x.shape)})"
        quote_input = not (after and error.input == S.render_shape(x.shape))
        parts = error.parts(_factors(error, x), quote_input)
        context = _upstream(layer, x) or context
        fix, not_fixed = None, ""
        written = layer.args.written.get(error.arg) if layer.args and error.arg else None
        if error.value is not None and written is not None:
            replacement, certain = restyle(written.text, error.value, _factors(error, x))
            if not certain:
                replacement = _in_users_terms(layer, x, error.value, layer.scope) or replacement
            new_call = one_line(_replace_in_call(layer.call.text, layer.call.span, written, replacement))
            suggestion = f"use {new_call}" if certain or _names(replacement) else f"the right value is {replacement}"
            other = _one_change_upstream(layer, x)
            suggestion += f", or {other}" if other else ""
            if certain and written.span is not None:
                fix = Fix(replacement, written.span)
            elif not certain:
                not_fixed = _written_with_names(written.text, replacement)
        run = self.run
        if run is not None and x is run.input and run.call_node is not None:
            at_call = run.call_source.path
            if error.code == Code.WRONG_RANK:
                self.report(_input_code(layer, x), self._call_span(), self._rank_message(layer, x), path=at_call)
                return
            if error.code == Code.INPUT_SIZE:  # a model that takes one input size (a ViT): the call gives another
                self.report(error.code, self._call_span(), replace(parts, where=self._where(path)), path=at_call)
                return
            if error.code == Code.CHANNEL_MISMATCH and _looks_channels_last(layer, x):
                self.report(Code.HWC_INPUT, self._call_span(), self._layout_message(layer, x),
                            self._permute_fix(len(x.shape)), path=at_call)
                return
        span = layer.call.span
        if written is not None and written.span is not None and written.span.line != span.line:
            span = written.span  # a call written over several lines: the argument's own line
        parts = replace(parts, where=self._where(path), context=context, suggestion=suggestion)
        key = self.report(error.code, span, parts, fix, path=layer.call.path or None, not_fixed=not_fixed, layer=path)
        wrong = self.widths.get((id(layer), error.arg or ""))
        if key is not None and wrong is not None and wrong.needed == error.value and not _sequence_swapped(layer, x):
            self.passed_wrong[key] = (wrong, _factors(error, x))

    def _call_span(self) -> Span:
        return self.run.call_source.span(self.run.call_node)

    def _input_text(self) -> str:
        node = self.run.call_node
        args = getattr(node, "args", None)
        return self.run.call_source.text(args[0]) if args else "x"

    def _permute_fix(self, rank: int) -> Optional[Fix]:
        args = getattr(self.run.call_node, "args", None)
        if not args or isinstance(args[0], ast.Starred):
            return None
        order = "0, 2, 1" if rank == 3 else "0, 3, 1, 2"
        return Fix(f"{_receiver(self._input_text())}.permute({order})", self.run.call_source.span(args[0]))

    def _rank_message(self, layer: Layer, x: Tensor) -> str:
        message = f"{self.run.model} receives a {len(x.shape)}-D input {S.render_shape(x.shape)} but its first " \
                  f"layer {one_line(layer.call.text)} needs {_wanted_rank(layer)}"
        if _input_code(layer, x) == Code.FLAT_INPUT:
            hint = _square_reshape(layer, x)
            if hint:
                message += f"; reshape it first: {_receiver(self._input_text())}.reshape({hint})"
        return message

    def _layout_message(self, layer: Layer, x: Tensor) -> str:
        if len(x.shape) == 3:
            b, length, c = x.shape
            return (f"{self.run.model} receives {S.render_shape(x.shape)}, a batch of signals in channels-last "
                    f"(B×L×C) layout, but {one_line(layer.call.text)} wants channels first: "
                    f"{S.render_shape((b, c, length))}; permute it first: "
                    f"{_receiver(self._input_text())}.permute(0, 2, 1)")
        b, h, w, c = x.shape
        wanted = S.render_shape((b, c, h, w))
        return (f"{self.run.model} receives {S.render_shape(x.shape)}, an image batch in channels-last (HWC) "
                f"layout, but {one_line(layer.call.text)} wants channels first: {wanted}; permute it first: "
                f"{_receiver(self._input_text())}.permute(0, 3, 1, 2)")

    def tensor_op(self, thunk, node, name: str, inputs: Sequence = (), pending_passthrough: bool = False,
                  call=None):
        """An operation on tensors (``call``: its rule, arguments and keywords, for its cost)."""
        result = self._tensor_op(thunk, node, name, inputs, pending_passthrough)
        if self.run is not None and node is not None and self.figures:
            self._operation_row(node, name, inputs, result, call)
        return result

    def _operation_row(self, node, name: str, inputs: Sequence, result, call) -> None:
        """The summary's row of an operation in forward, where the reader needs one."""
        where = self.run.paths.get(id(self.module_stack[-1]), "") if self.module_stack else ""
        try:
            row = R.operation_row(self._op_kind(node, name), self._op_text(node, name), getattr(node, "lineno", 0),
                                  where, len(self.module_stack) + 1, inputs, result, call)
        except Exception as e:
            self.internal_error(e, self.interp.source.span(node), f"the cost of `{self._op_text(node, name)}`")
            return
        if row is not None:
            self.run.rows.append(row)

    def _op_kind(self, node, name: str) -> str:
        """The operation as a summary row names it: "torch.cat", "F.interpolate", "Tensor.view", "+"."""
        if isinstance(node, ast.Call):
            written = self.interp.source.text(node.func)
            if tensor_ops.expand_alias(written) in tensor_ops.FUNCTIONS or not isinstance(node.func, ast.Attribute):
                return written
            return f"Tensor.{name}"
        if isinstance(node, ast.Subscript):
            return "Tensor[]"
        return name

    def _tensor_op(self, thunk, node, name: str, inputs: Sequence, pending_passthrough: bool):
        if any(isinstance(v, PendingInput) for v in inputs):
            if pending_passthrough:
                return next(v for v in inputs if isinstance(v, PendingInput))
            return Tensor(None)
        try:
            result = thunk()
        except ShapeError as e:
            span = self.interp.source.span(node) if node is not None else Span(1, 1, 1, 1)
            message, fix, not_fixed = self._op_fix(e, node)
            steps = inputs[0].made.steps if e.code == Code.VIEW_MISMATCH and isinstance(inputs[0], Tensor) \
                and inputs[0].made is not None else ()
            if steps:  # the layers that set the size it receives
                message = self._view_upstream(e, node, inputs[0], steps, message)
            self.report(e.code, span, replace(message, where=self._where("")), fix, not_fixed=not_fixed)
            if self.run:
                self.run.failed = True
            return Tensor(None)
        except NotKnown:
            if any(isinstance(v, Tensor) for v in inputs):
                self.cannot_follow(VALUE_NOT_KNOWN, getattr(node, "lineno", 0),
                                   f"`{self._op_text(node, name)}` depends on a value that is not known")
                return Tensor(None)
            return UNKNOWN
        except Exception as e:
            span = self.interp.source.span(node) if node is not None else Span(1, 1, 1, 1)
            self.internal_error(e, span, f"`{self._op_text(node, name)}`")
            return Tensor(None) if any(isinstance(v, Tensor) for v in inputs) else UNKNOWN
        if isinstance(result, Tensor) and inputs and isinstance(inputs[0], Tensor) and result.shape is not None:
            origin = f"{name} at {self.interp.at_line(node.lineno)}" if node is not None else name
            if result.shape == inputs[0].shape and inputs[0].origin:
                origin = inputs[0].origin  # .to(device), .float(), relu: where the data came from still holds
            step = Step(self._op_shown(node), name, node.lineno, self.interp.at_line(node.lineno)) \
                if node is not None else None
            return _result(inputs[0], result.shape, origin, numpy=result.numpy, step=step)
        return result

    def _view_upstream(self, error: ShapeError, node, x: Tensor, steps, message: Message) -> Message:
        """A view's message with the layers that set the size it receives, and the one change
        upstream that makes the size as written right (``view(-1, 16 * 5 * 5)``)."""
        message = replace(message, context=f"{message.context} ({described(steps)})".lstrip())
        args = getattr(node, "args", None)
        position = int(error.arg) if error.arg and error.arg.isdigit() else -1
        if not args or not 0 <= position < len(args) or not message.suggestion or len(x.shape) < 3:
            return message
        wanted = value_of(self.interp.source.text(args[position]), {})
        change = one_change(steps, x.shape, wanted) if wanted is not None else ""
        return replace(message, suggestion=f"{message.suggestion}, or keep {wanted} and {change}") if change else message

    def _op_text(self, node, name: str) -> str:
        return one_line(self.interp.source.text(node)) if node is not None else name

    def _op_shown(self, node) -> str:
        """A function call on a tensor as a message names it: ``F.max_pool2d(…, 2)``."""
        text = self.interp.source.text
        if not isinstance(node, ast.Call) or not node.args:
            return one_line(text(node))
        written = ["…"] + [text(a) for a in node.args[1:]] + [f"{k.arg}={text(k.value)}" for k in node.keywords]
        return one_line(f"{text(node.func)}({', '.join(written)})")

    def _op_fix(self, error: ShapeError, node) -> Tuple[Message, Optional[Fix], str]:
        """For view(-1, N)-style errors: the call with the right size, written the author's way."""
        args = getattr(node, "args", None)
        stated = error.parts(error.factors)
        if error.value is None or error.arg is None or not error.arg.isdigit() or not args:
            return stated, None, ""
        position = int(error.arg)
        if position >= len(args) or isinstance(args[position], ast.Starred):
            return stated, None, ""
        source = self.interp.source
        arg = args[position]
        replacement, certain = restyle(source.text(arg), error.value, error.factors)
        if not certain:
            return replace(stated, suggestion=f"the right size is {replacement}"), None, \
                _written_with_names(source.text(arg), replacement)
        call_span, arg_span = source.span(node), source.span(arg)
        written = Arg(None, source.text(arg), arg_span)
        fixed = one_line(_replace_in_call(source.text(node), call_span, written, replacement))
        return replace(stated, suggestion=f"use {fixed}"), Fix(replacement, arg_span), ""

    def factory_of(self, module) -> Optional[str]:
        """The top-level function that built this model (`def ResNet18(): return ResNet(...)`)."""
        return getattr(module, "factory", None) or None

    # --- checking models --------------------------------------------------------------------------

    def entry_for(self, value, name: Optional[str], span: Optional[Span] = None) -> ModelEntry:
        entry = self.entries.get(id(value))
        if entry is None:
            name = name or _default_name(value)
            entry = ModelEntry(name, value, span or _span_of(value), path=_path_of(value) or self.interp.source.path)
            self.entries[id(value)] = entry
            stop = entry.stopped = getattr(value, "stopped", None)
            if stop is not None:  # an argument it was built with decides its structure
                self.report(Code.NOT_ANALYSED, Span(stop.line, stop.column, stop.line, stop.column), stop.reason(entry.name))
        return entry

    def check(self, entry: ModelEntry, x, source: str, node=None, extra_args=(), kwargs=None,
              stated: Optional[InputSpec] = None):
        """Run the model on x in eval mode and, where forward branches on self.training, once more
        in train mode; the eval run's output is what the caller gets.  ``stated``: the input as the
        user wrote it, when it is written somewhere (a comment)."""
        place = (stated.path, stated.line) if stated is not None else ("", 0)
        run, output = self._run(entry, x, source, node, extra_args, kwargs, training=False, place=place)
        entry.runs.append((source, run, output))
        if run.read_training:
            train_run, train_output = self._run(entry, x, source, node, extra_args, kwargs, training=True, place=place)
            entry.runs.append((f"{source} (train mode)", train_run, train_output))
        return output

    def _run(self, entry: ModelEntry, x, source: str, node, extra_args, kwargs, training: bool,
             place: Tuple[str, int] = ("", 0)):
        saved = self.run
        self.run = ModelPass(entry.name, entry.value, module_paths(entry.value), x, node,
                             self.interp.source if node is not None else None, source, training=training,
                             stated_at=place)
        try:
            output = self.interp.call_guarded(self.interp.run_forward, entry.value, [x] + list(extra_args),
                                              kwargs or {}, node)
        except ArgumentNotGiven as stop:
            self.run.stopped, output = stop, UNKNOWN
            self.cannot_follow(ARGUMENT_NOT_GIVEN, stop.line, stop.reason(entry.name))
            self.report(Code.NOT_ANALYSED, Span(stop.line, stop.column, stop.line, stop.column), stop.reason(entry.name))
        finally:
            run, self.run = self.run, saved
        self._withdraw_rank_guesses(run)
        return run, output

    def _withdraw_rank_guesses(self, run: ModelPass) -> None:
        """A model whose first layer takes any number of dimensions (a Linear takes (*, F)) runs on
        B×F when no input is known: a later error about the number of dimensions is that guess's,
        not the code's (the real input may well be B×L×F).  It is withdrawn, and the model is unknown
        from there on."""
        guesses = [k for k in run.findings if run.rank_assumed and k[3] in (Code.WRONG_RANK, Code.FLAT_INPUT)]
        if not guesses:
            return
        first = min(guesses, key=lambda k: k[1])
        for key in guesses:
            run.findings.remove(key)
            if not any(key in other.findings for entry in self.entries.values() for _, other, _ in entry.runs):
                self.diagnostics.pop(key, None)
        run.failed = any(key in self.diagnostics and self.diagnostics[key].severity == "error" for key in run.findings)
        if run.stopped_at is None or run.stopped_at.line >= first[1]:
            known = next((r for r in reversed(run.layers) if r.output_shape is not None), None)
            run.stopped_at = StoppedAt(first[1], "", VALUE_NOT_KNOWN,
                                       "what follows depends on how many dimensions the input has, which nothing "
                                       "gives (the first layer takes any number)", known.name if known else "",
                                       known.line if known else 0)


def _width(layer: Layer, x: Tensor) -> Optional[Tuple[S.Dimension, S.Dimension, str]]:
    """(what the layer receives, what it is built for, the argument) for the width a layer is
    built for: a Linear's features, a convolution's or a norm's channels."""
    width = _width_at(layer, x)
    return None if width is None else width[:3]


def _width_at(layer: Layer, x: Tensor) -> Optional[Tuple[S.Dimension, S.Dimension, str, int]]:
    """``_width`` and the axis of the input it is at."""
    kind, a = layer.call.kind, layer.args
    if kind == "Linear":
        name, axis = "in_features", -1
    elif kind.startswith("BatchNorm"):
        name, axis = "num_features", 1
        if len(x.shape) < 2:
            return None
    elif kind.startswith("Conv") and kind[-2:] in ("1d", "2d", "3d"):
        name, n = "in_channels", int(kind[-2])
        if len(x.shape) not in (n + 1, n + 2):
            return None
        axis = len(x.shape) - n - 1
    else:
        return None
    if not x.shape or name not in a.values or not a.known(name):
        return None
    want, got = a.values[name], x.shape[axis]
    if S.is_unknown(got) or not (S.is_int(want) or isinstance(want, S.Dim) and not S.is_unknown(want)):
        return None
    return got, want, name, axis


def _equation(got: S.Dimension, want: S.Dimension) -> S.Constraint:
    if S.is_int(want):
        return S.Constraint(got, want)
    if S.is_int(got):
        return S.Constraint(want, got)
    return S.Constraint(S.sub(got, want), 0)


def module_paths(root) -> Dict[int, str]:
    """id(module) -> its path as torch's named_modules() spells it ("features.0")."""
    paths: Dict[int, str] = {}
    stack: List[Tuple[str, object]] = [("", root)]
    while stack:
        prefix, module = stack.pop()
        if id(module) in paths:
            continue
        paths[id(module)] = prefix
        if isinstance(module, (Instance, Container)):
            for name, child in reversed(module.children()):
                stack.append((f"{prefix}.{name}" if prefix else name, child))
    return paths


def _default_name(value) -> str:
    if isinstance(value, Instance):
        return value.cls.name
    if isinstance(value, Layer):
        return value.call.kind
    return getattr(value, "kind", "model")


def _path_of(value) -> str:
    if isinstance(value, Instance):
        return pretrained.defined_in(value)
    if isinstance(value, Layer):
        return value.call.path
    return getattr(value, "path", "")


def _span_of(value) -> Span:
    span = getattr(value, "span", None) or (value.call.span if isinstance(value, Layer) else None)
    return span or Span(1, 1, 1, 1)


def _forward_given(layer: Layer, others: Sequence, options: Optional[dict]) -> Optional[dict]:
    """Forward's other arguments of a layer whose rule reads them, bound to its names."""
    if not layer.rule.forward:
        return None
    return layer.rule.forward_arguments([_given(v) for v in others], {k: _given(v) for k, v in (options or {}).items()})


def _given(value):
    """A forward argument as a rule sees it: a tensor as its shape (``Given``), a tuple item by item."""
    if isinstance(value, Tensor):
        return Given(value.shape)
    if isinstance(value, tuple):
        return tuple(_given(v) for v in value)
    return value


def _results(x: Tensor, out, origin: str, step: Optional[Step] = None):
    """A layer's output as values: a tensor, or a Python tuple of them for ``Outputs``."""
    if isinstance(out, Outputs):
        return tuple(_results(x, o, origin) if isinstance(o, Outputs) else None if o is NO_TENSOR else
                     Tensor(o, origin=origin) if o is not None else Tensor(None) for o in out)
    return _result(x, out, origin, step=step)


def _result(x: Tensor, out: tuple, origin: str, numpy: bool = False, step: Optional[Step] = None) -> Tensor:
    """The output tensor of an operation on x, remembering where it came from for messages.
    Flattening keeps the origin of what was flattened: "after MaxPool2d at line 8: B×64×4×4"."""
    flat_from = _flattened_from(x, out)
    if flat_from is not None and flat_from is x.shape and x.origin:
        origin = x.origin
    made = carried(x.made, x.shape, x.flat_from, out, flat_from, step) \
        if isinstance(x, Tensor) and x.shape is not None and out is not None else None
    return Tensor(out, origin=origin, flat_from=flat_from, numpy=numpy, made=made)


def _spelled_out(layer: Layer, y):
    """A layer's output, its new width remembered as the layer was built with it (out_channels
    ``ngf * 2``, out_features ``hidden``): what a later suggestion may be written in."""
    if not isinstance(y, Tensor) or not y.shape or layer.args is None:
        return y
    for name, axis in (("out_channels", 1), ("out_features", -1)):
        arg = layer.args.written.get(name)
        if arg is not None and len(y.shape) > 1 and S.is_int(y.shape[axis]) and arg.value == y.shape[axis]:
            spelling = ((arg.text, layer.scope),) + tuple((q.arg.text, q.scope) for q in arg.passed)
            return replace(y, made=with_width(y.made, len(y.shape), axis, spelling))
    return y


def _generalize(x: Tensor) -> Tensor:
    """A concrete batch size from the script becomes B, as in every message: batches vary.
    Sizes the script leaves unknown become the symbols H, W (L, D), so that what no input size
    could fix is still found."""
    shape = x.shape
    if shape is None:
        return x
    if len(shape) in (2, 4, 5) and (S.is_int(shape[0]) or S.is_unknown(shape[0])):
        shape = (S.sym(S.BATCH),) + shape[1:]
    names = {3: ("L",), 4: ("H", "W"), 5: ("D", "H", "W")}.get(len(shape), ())
    spatial = shape[len(shape) - len(names):] if names else ()
    if names and any(S.is_unknown(d) for d in spatial):
        shape = shape[:len(shape) - len(names)] + tuple(
            S.sym(n) if S.is_unknown(d) else d for n, d in zip(names, spatial))
    if shape == x.shape:
        return x
    return Tensor(shape, origin=x.origin, numpy=x.numpy)


def _flattened_from(x, out) -> Optional[tuple]:
    if not isinstance(x, Tensor) or x.shape is None or out is None:
        return None
    if len(out) == 2 and len(x.shape) > 2 and S.same(out[0], x.shape[0]) and S.is_int(out[1]):
        if all(S.is_int(d) for d in x.shape[1:]) and S.product(x.shape[1:]) == out[1]:
            return x.shape
    if len(out) == 2 and len(x.shape) > 2 and S.same(out[1], S.product(x.shape[1:])):
        return x.shape
    kept = x.flat_from is not None and x.shape and out and S.same(x.shape[-1], out[-1])
    return x.flat_from if kept else None


def _factors(error: ShapeError, x: Optional[Tensor]) -> Tuple[int, ...]:
    if error.factors:
        return error.factors
    if x is not None and x.flat_from is not None and error.value is not None:
        dims = x.flat_from[1:]
        if all(S.is_int(d) for d in dims) and S.product(dims) == error.value and len(dims) > 1:
            return tuple(dims)
    return ()


_PRODUCT = re.compile(r"^\s*\d+(\s*\*\s*\d+)+\s*$")


def restyle(written: str, value: int, factors: Tuple[int, ...]) -> Tuple[str, bool]:
    """The right value written the author's way: a product stays a product in the same order,
    a literal stays a literal.  ``certain`` is False where the author wrote a name or a call:
    those are not replaced by a number, the value is only suggested."""
    text = written.strip()
    if text.isdigit():
        return str(value), True
    if _PRODUCT.match(text):
        numbers = re.findall(r"\d+", text)
        if factors and len(numbers) == len(factors):
            pieces = iter(str(f) for f in factors)
            return re.sub(r"\d+", lambda m: next(pieces), text), True
        separator = re.search(r"\s*\*\s*", text).group(0)
        return (separator.join(map(str, factors)) if factors else str(value)), True
    return (" * ".join(map(str, factors)) if factors else str(value)), False


def _replace_in_call(call_text: str, call_span: Span, written, replacement: str) -> str:
    span = written.span
    if span is not None and span.line == span.end_line == call_span.line:
        start, end = span.column - call_span.column, span.end_column - call_span.column
        if call_text[start:end] == written.text:
            return call_text[:start] + replacement + call_text[end:]
    return call_text.replace(written.text, replacement, 1)


def _unknown_arguments(layer: Layer, x: Tensor) -> str:
    """'the value of `cfg["hidden"]` in nn.Linear(784, cfg["hidden"]) is not known'."""
    unknown = [a.text for name, a in layer.args.written.items()
               if name in layer.args.values and not layer.args.known(name) and a.text]
    call = one_line(layer.call.text)
    if unknown:
        values = ", ".join(f"`{one_line(t)}`" for t in unknown)
        return f"the value of {values} in {call} is not known"
    return f"{call} on {S.render_shape(x.shape)} depends on a value that is not known"


def _written_with_names(text: str, replacement: str) -> str:
    """Why a value is suggested, not written: 'the value is written as ngf * 4, with a name: change
    it to ngf * 2'."""
    return f"the value is written as {one_line(text)}, with a name: change it to {replacement}"


def _abridged(call_text: str) -> str:
    """'timm.create_model("resnet18", pretrained=True)' -> 'timm.create_model(...)'."""
    head = call_text.split("(", 1)[0]
    return f"{head}(...)" if "(" in call_text else call_text


def one_line(text: str) -> str:
    """A call written over several lines, as one line for a message or a table: without its
    comments, ``f(\n    a,\n    b,\n)`` as ``f(a, b)``."""
    if "\n" not in text:
        return text
    text = _BEFORE_CLOSE.sub(r"\1", _AFTER_OPEN.sub(r"\1", " ".join(_without_comments(text).split())))
    return text[:-2] + ")" if text.endswith(",)") else text  # the call's own trailing comma


_AFTER_OPEN = re.compile(r"([(\[{]) ")
_BEFORE_CLOSE = re.compile(r" ([)\]}])")


def _without_comments(text: str) -> str:
    """The text with each ``# comment`` removed (a ``#`` inside a string stays)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    lines = text.splitlines(keepends=True)
    for token in reversed([t for t in tokens if t.type == tokenize.COMMENT]):
        row, col = token.start
        lines[row - 1] = lines[row - 1][:col] + lines[row - 1][token.end[1]:]
    return "".join(lines)


def _receiver(text: str) -> str:
    return text if text.isidentifier() or text.endswith(")") and text.count("(") == 1 else f"({text})"


def _upstream(layer: Layer, x: Optional[Tensor]) -> str:
    """For a Linear fed a flattened map: the layers that set its size, "(B×64×4×4 after the three
    MaxPool2d(2) at lines 7, 9, 11)"; "" where none is known."""
    steps = _steps_to(layer, x)
    return f"({S.render_shape(x.flat_from)} {described(steps)})" if steps else ""


def _one_change_upstream(layer: Layer, x: Optional[Tensor]) -> str:
    """The one change before a Linear fed a flattened map that makes it right as built: "keep
    4096 and remove one MaxPool2d(2)"; "" where there is none."""
    steps = _steps_to(layer, x)
    wanted = layer.args.values.get("in_features") if steps else None
    change = one_change(steps, x.flat_from, wanted) if S.is_int(wanted) else ""
    return f"keep {wanted} and {change}" if change else ""


def _steps_to(layer: Layer, x: Optional[Tensor]) -> tuple:
    if layer.call.kind != "Linear" or not isinstance(x, Tensor) or x.flat_from is None or x.made is None:
        return ()
    return x.made.steps


def _in_users_terms(layer: Layer, x: Optional[Tensor], needed: int, scope) -> str:
    """``needed``, the width the layer receives, in an expression of the user's that is valid in
    ``scope`` (``ngf * 2``, as the layer before was built); "" where there is none."""
    width = _width_at(layer, x) if isinstance(x, Tensor) and x.shape else None
    if width is None:
        return ""
    return spelled(x.made, x.flat_from, x.shape, width[3], needed, scope)


def _names(text: str) -> bool:
    """Whether an expression uses a name."""
    return bool(re.search(r"[A-Za-z_]", text))


def _sequence_swapped(layer: Layer, x: Optional[Tensor]) -> bool:
    """A B×L×C sequence where B×C×L is wanted (a permute left out): the layout is wrong, not the
    value any call passed."""
    width = _width(layer, x) if x is not None else None
    return width is not None and len(x.shape) == 3 and S.same(x.shape[-1], width[1]) is True


def _looks_channels_last(layer: Layer, x: Tensor) -> bool:
    """B×H×W×C into a 2-D convolution, or B×L×C into a 1-D one (a waveform stacked as time × 1)."""
    channels = layer.args.values.get("in_channels") if layer.args else None
    rank = 3 if layer.call.kind in ("Conv1d", "ConvTranspose1d") else 4
    return (len(x.shape) == rank and S.is_int(channels) and S.same(x.shape[-1], channels) is True
            and S.same(x.shape[1], channels) is False)


def _input_code(layer: Layer, x: Tensor) -> str:
    if len(x.shape) == 2 and layer.rule.wants == "channels":
        return Code.FLAT_INPUT
    return Code.WRONG_RANK


def _wanted_rank(layer: Layer) -> str:
    from ..rules.layers import spatial_ndim

    n = spatial_ndim(layer.call.kind)
    return {1: "B×C×L", 2: "B×C×H×W", 3: "B×C×D×H×W"}.get(n, "another rank")


def _square_reshape(layer: Layer, x: Tensor) -> str:
    features = x.shape[-1]
    channels = layer.args.values.get("in_channels") if layer.args else None
    if not S.is_int(features) or not S.is_int(channels) or channels <= 0 or features <= 0 or features % channels:
        return ""
    side = int(round((features // channels) ** 0.5))
    if side * side * channels != features:
        return ""
    return f"-1, {channels}, {side}, {side}"


# --- discovery and reports ------------------------------------------------------------------------


def find_models(checker: Checker, module: ModuleRun) -> None:
    """Register every model of the file (``module``, as its top level ran): module-level models,
    models returned by top-level functions, and nn.Module classes not used inside another model."""
    interp = checker.interp
    note_third_party(checker, module)
    note_unseen_bases(checker, module)
    module_level = []
    for name, (first_value, stmt) in module.assignments.items():
        value = interp.globals.get(name, first_value)
        if isinstance(value, Container) and value.kind == "Sequential" or \
                isinstance(value, Instance) and value.cls.is_module:
            module_level.append((name, value, stmt))
    parts = {id(child) for _, value, _ in module_level for child in _descendants(value)}
    for name, value, stmt in module_level:
        if id(value) in parts and id(value) not in checker.entries:
            continue  # `features` inside `model = nn.Sequential(features, head)`: checked as part of it
        label = value.cls.name if isinstance(value, Instance) else name
        checker.entry_for(value, label, interp.source.span(stmt))
    module_classes = {cls.name for cls, _ in module.classes if cls.is_module}
    for function, node in module.functions:
        if _takes_arguments(node) or not _mentions_model(node, module_classes):
            continue  # a helper such as conv_bn(inp, oup, stride): a part of models, not one
        if interp.globals.get(function.name) is not function:
            continue  # a stub the file replaces later (`setattr(thismodule, name, partial(...))`)
        if id(function) in module.first_results:  # the script built it: the same model, not a copy
            result = module.first_results[id(function)]
        else:
            result = interp.call_guarded(interp.call_function, function, [], {})
        if isinstance(result, Container) and result.kind == "Sequential" or \
                isinstance(result, Instance) and result.cls.is_module:
            factory = checker.factory_of(result)
            if factory and any(checker.factory_of(e.value) == factory for e in checker.entries.values()):
                continue  # the script called the factory too: that model is this one
            entry = checker.entry_for(result, factory or function.name, interp.source.span(node))
            entry.factory = bool(factory) and entry.name == factory
    find_named_factories(checker)
    seen_classes = {id(e.value.cls) for e in checker.entries.values() if isinstance(e.value, Instance)}
    instances = {}
    for cls, node in module.classes:
        if cls.is_module and id(cls) not in seen_classes:  # a class with a model is not built again
            built = module.built_elsewhere.get(id(cls))
            if built:  # another file of the project builds it: in each configuration it does
                for i, inst in enumerate(_configurations(built)):
                    instances[(id(cls), i)] = (cls, node, inst, ConstructorArguments({}, ()), None)
                continue
            instances[id(cls)] = (cls, node) + build_unseen(interp, cls, stated_arguments(interp, cls,
                                                                                          checker.stated_args))
    nested = set()
    for tree in [e.value for e in checker.entries.values()] + [built[2] for built in instances.values()]:
        for child in _descendants(tree):
            if isinstance(child, Instance):
                nested.add(id(child.cls))
    for key, (cls, node, inst, arguments, stop) in instances.items():
        if id(cls) in nested or not isinstance(inst, Instance):
            continue
        entry = checker.entry_for(inst, cls.name, interp.source.span(node))
        entry.symbols, entry.stopped = arguments.symbols, stop
        if stop is not None:
            checker.report(Code.NOT_ANALYSED, Span(stop.line, stop.column, stop.line, stop.column), stop.reason(cls.name))
    for entry in checker.entries.values():
        if isinstance(entry.value, Instance) and entry.value.cls.span is not None \
                and entry.value.cls.path == pretrained.defined_in(entry.value):  # torchvision's: where built
            entry.span, entry.path = entry.value.cls.span, entry.value.cls.path


def build_unseen(interp: InterpreterCalls, cls, given: dict) -> Tuple[object, ConstructorArguments, Optional[ArgumentNotGiven]]:
    """A module class the file never builds, built as discovery sees it: with ``given``
    constructor arguments and symbols for the rest (arguments.constructor_arguments).  Where a
    symbol decides the structure, the model is an empty instance and the reason why."""
    init, _ = cls.lookup("__init__")
    function = init if isinstance(init, Function) else None
    arguments = constructor_arguments(function.node if function else None,
                                      function.defaults if function else {}, given)
    interp.with_symbols = interp.with_symbols or bool(arguments.symbols)
    try:
        return interp.call_guarded(interp.instantiate, cls, [], arguments.kwargs, None), arguments, None
    except ArgumentNotGiven as stop:
        return Instance(cls), arguments, stop


def note_third_party(checker: Checker, module: ModuleRun) -> None:
    """A model the script builds with another package's constructor and uses (calls on a tensor,
    moves, trains) is not analysed: one SHP904 note says so, where it is built."""
    for name, (value, stmt) in module.assignments.items():
        if isinstance(value, Opaque) and (value.third_party or value.unresolved) and value.used_as_model:
            span = checker.interp.source.span(stmt)
            why = f": {value.unresolved};" if value.unresolved else f" (third-party: {value.third_party});"
            checker.report(Code.NOT_ANALYSED, Span(span.line, span.column, span.line, span.column),
                           f"{name} = {_abridged(value.text)} is not analysed{why} "
                           f"its shapes and parameters are not checked")


def note_unseen_bases(checker: Checker, module: ModuleRun) -> None:
    """A class that builds layers (``self.fc = nn.Linear(...)``) on a base the analysis cannot see
    (a value it could not compute, another package's class) may well be a model: one SHP904 note
    where it is defined says it is not checked and why, rather than nothing."""
    for cls, node in module.classes:
        if cls.is_module or not _builds_torch_layers(node, checker.interp.globals):
            continue
        unseen = [(ast.unparse(written), why) for written, base in zip(node.bases, cls.bases)
                  for why in [_unseen_base(base)] if why]
        if unseen:
            written, why = unseen[0]
            span = Span(cls.span.line, cls.span.column, cls.span.line, cls.span.column) if cls.span else \
                Span(node.lineno, node.col_offset + 1, node.lineno, node.col_offset + 1)
            checker.report(Code.NOT_ANALYSED, span,
                           f"{cls.name} is not checked: its base {written} is not known to be an nn.Module "
                           f"({why}); its layers and shapes are not checked")


def _unseen_base(base) -> str:
    """Why a class's base may be an nn.Module the analysis cannot see ("" when it is known not to be)."""
    if isinstance(base, Unfollowed):
        return base.reason
    if isinstance(base, Global):
        root = base.qualname.split(".")[0]
        return "" if root in ("torch", "builtins", "typing", "abc", "collections", "enum", "object") else \
            f"a class of the package {root}, which shapecheck does not read"
    if base is UNKNOWN or isinstance(base, Opaque):
        return "its value is not known here"
    return ""


def _builds_torch_layers(node: ast.ClassDef, names: dict) -> bool:
    """The class body calls ``nn.Something(...)`` (a layer kind: a capitalised name) with ``nn``
    torch's (not flax's ``linen as nn``)."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr[:1].isupper():
            owner = call.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "nn" and isinstance(owner.value, ast.Name):
                owner = owner.value  # torch.nn.Linear: torch must be torch
            bound = names.get(owner.id) if isinstance(owner, ast.Name) else None
            if isinstance(bound, Global) and bound.qualname.split(".")[0] == "torch":
                return True
    return False


def find_named_factories(checker: Checker) -> None:
    """Factories the file names at run time: ``globals()[name] = partial(_resnet, ...)`` or
    ``setattr(sys.modules[__name__], name, partial(...))`` in a loop make ``cifar10_resnet20`` a
    model a user can name, built as that partial builds it."""
    interp = checker.interp
    for name, value in list(interp.globals.items()):
        function = value.func if isinstance(value, Partial) else value
        if not isinstance(function, Function) or (value is function and function.name == name):
            continue
        if value is function and _takes_arguments(function.node) or \
                any(checker.factory_of(e.value) == name for e in checker.entries.values()):
            continue  # needs arguments, or the script built it under that name already
        result = interp.call_guarded(interp.call, value, [], {}, None)
        if isinstance(result, Container) and result.kind == "Sequential" or \
                isinstance(result, Instance) and result.cls.is_module:
            result.factory = name
            entry = checker.entry_for(result, name, interp.source.span(function.node))
            entry.factory = True


_MODEL_WORDS = {"Sequential", "ModuleList", "ModuleDict", "Module"}


def stated_arguments(interp, cls, stated: Dict[str, str]) -> Dict[str, object]:
    """The constructor arguments the user stated for a class no file builds (``--args`` or
    ``[tool.shapecheck.args]``: Python source such as ``"BasicBlock, [2, 2, 2, 2]"``, evaluated in
    the module that defines the class), by parameter name, for ``arguments.constructor_arguments``;
    {} when none are stated or the text does not parse."""
    text = stated.get(cls.name)
    init, _ = cls.lookup("__init__")
    if text is None or not isinstance(init, Function):
        return {}
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return {}
    found = interp.call_guarded(interp.evaluate_arguments, call, interp.globals)  # the class is this file's
    if not isinstance(found, tuple):
        return {}
    args, kwargs = found
    names = [a.arg for a in init.node.args.posonlyargs + init.node.args.args][1:]
    return {**dict(zip(names, args)), **kwargs}


def _configurations(built: list) -> list:
    """One instance per distinct constructor call as written (Net(16) and Net(32), not Net(16) twice)."""
    seen, out = set(), []
    for inst in built:
        if inst.text not in seen:
            seen.add(inst.text)
            out.append(inst)
    return out


def _takes_arguments(node: ast.AST) -> bool:
    """A function with a parameter that has no default, which discovery has no value for."""
    args = node.args
    positional = args.posonlyargs + args.args
    return len(positional) > len(args.defaults) or any(d is None for d in args.kw_defaults)


def _mentions_model(node: ast.AST, classes: set) -> bool:
    """Worth evaluating: the function builds or uses a model (cheap syntactic test)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and (child.id in classes or child.id in _MODEL_WORDS):
            return True
        if isinstance(child, ast.Attribute) and child.attr in _MODEL_WORDS:
            return True
    return False


def _descendants(module) -> List[object]:
    out, stack = [], list(_children(module))
    seen = set()
    while stack:
        child = stack.pop()
        if id(child) in seen:
            continue
        seen.add(id(child))
        out.append(child)
        stack.extend(_children(child))
    return out


def _children(module) -> List[object]:
    if isinstance(module, (Instance, Container)):
        return [m for _, m in module.children()]
    return []


def check_entries(checker: Checker, cli_inputs: Dict[Optional[str], InputSpec], comments: Dict[int, InputSpec]) -> None:
    for entry in list(checker.entries.values()):
        if entry.stopped is not None:
            continue
        spec = cli_inputs.get(entry.name) or cli_inputs.get(None) or comments.get(entry.span.line) or \
            _comment_where_built(entry.value, comments)
        example = _example_input(entry.value)
        if spec is not None:
            checker.check(entry, spec.tensor(), spec.source, stated=spec)
        elif example is not None:
            checker.check(entry, _generalize(example), "example_input_array")
        elif not any(isinstance(r.input, Tensor) and r.input.shape is not None for _, r, _ in entry.runs):
            checker.check(entry, PendingInput(), "symbolic")
            solve_input_size(checker, entry)
    for entry in checker.entries.values():
        blame_the_input(checker, entry)
    blame_call_sites(checker)
    withdraw_shared_fixes(checker)


def _comment_where_built(model, comments: Dict[int, InputSpec]) -> Optional[InputSpec]:
    """The `# shapecheck: input=...` comment above the statement that builds the model, in the
    checked file or in the project file that builds it (train.py's ``net = Net(10)``)."""
    source = getattr(model, "built_by", None)
    if source is None:
        return comments.get(_built_at(model))
    return comment_inputs(source.lines, source.path, elsewhere=True).get(_built_at(model))


def _built_at(model) -> int:
    """The line of the statement that builds a model instance (`model = PlainNet()`), where a
    `# shapecheck: input=...` comment above it applies; 0 when not known."""
    span = getattr(model, "span", None)
    return span.line if isinstance(model, Instance) and span is not None else 0


def _example_input(model) -> Optional[Tensor]:
    """A LightningModule's ``self.example_input_array``: the input Lightning runs the model on for
    its summary, so the model must take it."""
    if not isinstance(model, Instance):
        return None
    example = model.attrs.get("example_input_array")
    return example if isinstance(example, Tensor) and example.shape is not None and not example.numpy else None


def blame_call_sites(checker: Checker) -> None:
    """A wrong width passed into a helper or a block: the finding moves to the call that passed it
    (blame.py), with what to pass written in that call's terms; several layers wrong through the
    same call are one finding there.  Moved into the checked file, it replaces the finding at the
    line that builds another file's block (the argument is the place to change)."""
    index = sites(checker.widths.values())
    moved: Dict[Tuple, Tuple[Tuple, List[str]]] = {}  # place -> (key of the finding there, other layers)
    into_this_file = set()
    for key, (wrong, factors) in checker.passed_wrong.items():
        d = checker.diagnostics.get(key)
        place = blame(wrong, index, checker.feeds) if d is not None else None
        if place is None or place.level == 0 and not place.name:
            continue
        del checker.diagnostics[key]
        new = _blamed(d, wrong, factors, place, checker.path)
        if new.path == checker.path:
            into_this_file.add(key)
        at = (new.path, new.span.line, new.span.column, new.code)
        if at in moved:
            first = checker.moved_from[moved[at][0]]
            other = d.layer if d.model == first.model else f"{d.model}.{d.layer}"
            if other not in moved[at][1] and (d.model, d.layer) != (first.model, first.layer):
                moved[at][1].append(other)
            continue
        moved[at] = ((*at, new.message), [])
        checker.diagnostics[moved[at][0]] = new
        checker.moved_from[moved[at][0]] = d
    for key, others in moved.values():
        if others:
            first = checker.diagnostics[key]
            shown = ", ".join(others[:4]) + (f" and {len(others) - 4} more" if len(others) > 4 else "")
            also = f"{first.parts.context} (also wrong for {shown})".lstrip()
            checker.diagnostics[key] = first.with_parts(replace(first.parts, context=also))
    for key, repeats in checker.built_here.items():
        if repeats <= into_this_file:
            checker.diagnostics.pop(key, None)


def _blamed(d: Diagnostic, wrong: Width, factors: Tuple[int, ...], place: Blame, checked: str) -> Diagnostic:
    """The finding at the place blame() chose, its suggestion in that place's terms."""
    layer, arg = wrong.layer, place.arg
    stated = replace(d.parts or Message(d.message), suggestion="")
    replacement, certain = (place.name, False) if place.name else restyle(arg.text, wrong.needed, factors)
    if not certain and not place.name:
        scope = place.via.scope if place.via is not None else layer.scope
        replacement = spelled(wrong.x.made, wrong.x.flat_from, wrong.x.shape, wrong.axis, wrong.needed, scope) \
            or replacement
    fix = Fix(replacement, arg.span) if certain else None
    not_fixed = "" if certain else _written_with_names(arg.text, replacement)
    if place.via is None:
        new_call = one_line(_replace_in_call(layer.call.text, layer.call.span, arg, replacement))
        return d.with_parts(replace(stated, suggestion=f"use {new_call}"), fix=None, not_fixed=not_fixed)
    via = place.via
    new_call = one_line(_replace_in_call(via.call_text, via.call_span, arg, replacement))
    built_at = layer.call.path or checked
    line = f"line {layer.call.span.line}" if built_at == place.path else f"{built_at}:{layer.call.span.line}"
    suggestion = (f"pass {replacement} as {via.parameter}: {new_call} ({via.parameter} becomes the {wrong.name} of "
                  f"the {layer.call.kind} at {line})")
    if not certain and place.name:
        not_fixed = f"the value is written as {one_line(arg.text)}: pass {place.name} instead"
    return d.with_parts(replace(stated, suggestion=suggestion), path=place.path, span=arg.span, fix=fix,
                        not_fixed=not_fixed)


def withdraw_shared_fixes(checker: Checker) -> None:
    """A layer that fits in one configuration of a class and not in another (Net(16) and Net(32))
    is not fixed by changing its own number: that would break the configuration that works."""
    for key, d in list(checker.diagnostics.items()):
        if d.fix is not None and (d.path, d.span) in checker.clean_spans:
            parts = replace(d.parts or Message(d.message), suggestion=(
                "the same layer fits in another configuration of this model, so change the argument that "
                "differs between them rather than this number"))
            checker.diagnostics[key] = d.with_parts(parts, fix=None, not_fixed=(
                "the same layer fits in another configuration of this model: change the argument that differs "
                "between them"))


def solve_input_size(checker: Checker, entry: ModelEntry) -> None:
    """With no input known, the sizes the model's fixed numbers allow: SHP204, or an error when
    none does."""
    run = next(r for _, r, _ in reversed(entry.runs) if not r.training)
    if not run.constraints or run.failed:
        return
    solutions = S.solve([c for c, _ in run.constraints] + [S.Constraint(d, 1, "ge") for d in run.bounds])
    if solutions is None:
        return
    reasons = "; ".join(why for _, why in run.constraints[:2])
    if not solutions:
        checker.report(Code.INPUT_SIZE, entry.span, f"{entry.name} fits no input size at all: {reasons}", path=entry.path)
        return
    run.consistent_inputs = S.describe_solutions(solutions)
    shown = "square sizes shown; " if any(s.get("H") == s.get("W") and "W" in s for s in solutions) else ""
    checker.report(Code.CONSISTENT_INPUTS, entry.span,
                   f"{entry.name} is consistent only for inputs of {run.consistent_inputs} ({shown}{reasons}); "
                   f"give --input-shape or a `# shapecheck: input=(B, C, H, W)` comment to check one exactly",
                   path=entry.path)


def blame_the_input(checker: Checker, entry: ModelEntry) -> None:
    """A model that runs clean on one stated input and fails on what a call gives it: the call's
    data is at fault (SHP203 at the call), not the layer that happened to fail."""
    clean = [(source, run) for source, run, _ in entry.runs
             if not run.failed and not run.training and isinstance(run.input, Tensor) and run.input.shape is not None
             and all(S.is_int(d) for d in run.input.shape[1:])]
    failing = [(source, run) for source, run, _ in entry.runs
               if run.failed and run.call_node is not None and not run.training]
    if not clean or not failing:
        return
    good_source, good = clean[0]
    for _, run in failing:
        first = [checker.diagnostics.get(key) for key in run.findings if key in checker.diagnostics]
        first = [d for d in first if d is not None and d.severity == "error"]
        if not first or first[0].code in (Code.HWC_INPUT, Code.FLAT_INPUT):
            continue
        for key in run.findings:
            if not any(key in other.findings for _, other, _ in entry.runs if other is not run):
                checker.diagnostics.pop(key, None)
        span = run.call_source.span(run.call_node)
        checker.run = run
        checker.report(Code.INPUT_SIZE, span,
                       f"{entry.name} takes {S.render_shape(good.input.shape)} ({good_source}) but this call "
                       f"gives it {S.render_shape(run.input.shape)}: {first[0].stated}",
                       path=run.call_source.path)
        checker.run = None


_SOURCE_RANK = {"--input-shape": 0, "pyproject.toml": 0, "comment": 1, "call": 2, "torchsummary.summary": 2,
                "torchinfo.summary": 2, "example_input_array": 2, "symbolic": 3}


def reports(checker: Checker) -> List[ModelReport]:
    out = []
    for entry in checker.entries.values():
        if entry.stopped is not None:
            stop = entry.stopped
            out.append(ModelReport(checker.path, entry.name, entry.span.line, "unknown", None, "", None, (), None,
                                   symbols=tuple((n, None) for n in stop.names),
                                   stopped_at=StoppedAt(stop.line, "", ARGUMENT_NOT_GIVEN, stop.reason(entry.name))))
            continue
        if not entry.runs:
            continue
        source, run, output = _reported_run(entry)
        x = run.input
        input_shape = R.plain_shape(x.shape) if isinstance(x, Tensor) else None
        output_shape = R.plain_shape(R.first_shape(output))
        failed = any(r.failed or _has_error(checker, r) for _, r, _ in entry.runs)
        used = _symbols_used(entry, run)
        status = "error" if failed else (("symbolic" if used else "ok") if _all_known(output) else "unknown")
        if input_shape is not None and source == "symbolic":
            source = "symbolic (from the first layer)"
        unreached = _unreached(entry, run) if status == "unknown" else ()
        layers = tuple(run.layers) + unreached
        out.append(ModelReport(entry.path or checker.path, entry.name, entry.span.line, status, input_shape, source,
                               output_shape, layers, model_params(entry.value),
                               consistent_inputs=run.consistent_inputs,
                               ctor_args="" if entry.factory else _ctor_args(entry.value),
                               symbols=tuple((n, run.argument_values.get(n)) for n in used),
                               stopped_at=_stopped_at(entry, run) if status == "unknown" else None,
                               input_path=_input_place(run)[0], input_line=_input_place(run)[1],
                               rows=tuple(run.rows) + unreached, outputs=R.whole(output)))
    return out


def _input_place(run: ModelPass) -> Tuple[str, int]:
    """The file and line where the run's input comes from: the call, or the comment that states it."""
    if run.call_source is not None:
        return run.call_source.path, getattr(run.call_node, "lineno", 0)
    return run.stated_at


def _reported_run(entry: ModelEntry):
    """The (input source, run, output) a model's report shows: the input the user gave first."""
    return min(entry.runs, key=lambda r: _SOURCE_RANK.get(r[0].split(" ")[0], 4))


def shapes_seen(checker: Checker) -> Tuple[ShapeAt, ...]:
    """The shapes of the file's script code and of each model's reported run, by place."""
    seen = list(checker.script_shapes)
    for entry in checker.entries.values():
        if entry.runs:
            seen.extend(_reported_run(entry)[1].shapes)
    unique = {(s.span, s.what, s.shape): s for s in seen}
    return tuple(sorted(unique.values(), key=lambda s: (s.span.line, s.span.column)))


def _stopped_at(entry: ModelEntry, run: ModelPass) -> StoppedAt:
    """Where the run stopped; a model whose forward gave no tensor the checker could follow, with no
    place recorded, stopped at its own output."""
    if run.stopped_at is not None:
        return run.stopped_at
    known = next((r for r in reversed(run.layers) if r.output_shape is not None), None)
    return StoppedAt(entry.span.line, "", VALUE_NOT_KNOWN, f"the output of {entry.name} is not known",
                     known.name if known else "", known.line if known else 0)


def _unreached(entry: ModelEntry, run: ModelPass) -> Tuple[LayerReport, ...]:
    """The model's layers that checking never got to, in the order the model registers them: shown
    with `?`, never dropped."""
    logged = {layer.name for layer in run.layers}
    out = []
    for module, path in ((m, run.paths.get(id(m))) for m in _descendants_in_order(entry.value)):
        if path is None or path in logged or not isinstance(module, (Layer, Opaque)):
            continue
        if isinstance(module, Layer):
            out.append(LayerReport(path, module.call.kind, module.call.span.line, one_line(module.call.text), None,
                                   _layer_params(module), reached=False, depth=path.count(".") + 1))
        else:
            out.append(LayerReport(path, module.kind, module.span.line if module.span else 0,
                                   one_line(module.text), None, None, reached=False, depth=path.count(".") + 1))
    return tuple(out)


def _descendants_in_order(module) -> List[object]:
    """Every submodule once, each before its own children, in the order they were registered."""
    out, seen, stack = [], set(), list(reversed(_children(module)))
    while stack:
        child = stack.pop()
        if id(child) in seen:
            continue
        seen.add(id(child))
        out.append(child)
        stack.extend(reversed(_children(child)))
    return out


def _layer_params(layer: Layer) -> Optional[int]:
    try:
        return layer.rule.params(layer.args) if layer.args is not None else None
    except (NotKnown, ShapeError):
        return None


def _symbols_used(entry: ModelEntry, run: ModelPass) -> Tuple[str, ...]:
    """The constructor arguments checked as symbols that the model's layers were built with."""
    symbols = entry.symbols or getattr(entry.value, "symbols", ())
    if not symbols:
        return ()
    found = set()
    for item in _descendants(entry.value):
        if isinstance(item, Layer) and item.args is not None:
            for value in item.args.values.values():
                found |= S.argument_symbols(value)
    if run.stopped is not None:
        found |= set(run.stopped.names)
    return tuple(n for n in symbols if n in found)


def _has_error(checker: Checker, run: ModelPass) -> bool:
    """A shape error found in the run; shapecheck's own failure (SHP999) leaves the model unknown."""
    return any(checker.diagnostics[k].severity == "error" and checker.diagnostics[k].code != Code.INTERNAL_ERROR
               for k in run.findings if k in checker.diagnostics)


def _all_known(output) -> bool:
    if isinstance(output, Tensor):
        return output.shape is not None and not any(S.is_unknown(d) for d in output.shape)
    items = list(output.values()) if isinstance(output, dict) else output if isinstance(output, (tuple, list)) else None
    return bool(items) and all(_all_known(v) if isinstance(v, Tensor) else v is not UNKNOWN for v in items)


def _ctor_args(value) -> str:
    text = value.text if isinstance(value, Instance) else ""
    if "(" not in text or not text.endswith(")"):
        return ""
    return text[text.index("(") + 1:-1].strip()


def _arguments(layer: Layer) -> Tuple[Tuple[str, str], ...]:
    """The layer's arguments as written, each with its value where it is known."""
    if layer.args is None:
        return ()
    return tuple((name, _argument_value(layer.args.values[name])) for name in layer.args.written
                 if name in layer.args.values and layer.args.known(name))


def _argument_value(value) -> str:
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_argument_value(v) for v in value) + ")"
    if isinstance(value, S.Dim):
        return S.render(value)
    return repr(value)


def model_params(module) -> Optional[int]:
    total = 0
    for item in [module] + _descendants(module):
        if isinstance(item, Layer):
            if item.args is None:
                return None
            try:
                total += item.rule.params(item.args)
            except (NotKnown, ShapeError):
                return None
        elif isinstance(item, Instance):
            if not item.params_known:
                return None
            total += item.params
        elif isinstance(item, Parameters):
            count = item.count()
            if count is None:
                return None
            total += count
        elif isinstance(item, Opaque):
            return None
    return total
