"""What a hover says, from a file's result and its text (no protocol here): the shape of the tensor
under the cursor at that point, where the model's input came from, and for a layer its kind, what
it receives and gives, its arguments and its parameter count.

The place under the cursor is the innermost name, attribute (``self.conv2``) or layer constructor
(``nn.Linear(...)``).  A name that is assigned there has the shape it is given; a name that is
read has the shape of its last assignment before that line in the same function (a parameter of
``forward``: the model's input); an attribute is the layer its class's ``forward`` calls."""

from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..source import Source
from ..diagnostics import Span
from ..results import FileResult, LayerReport, ModelReport, ShapeAt

MOST_LAYERS = 4  # layers described in one hover (a block's attribute, built in many blocks)
Hovered = Tuple[Span, str]  # the span the text is about, and the text (Markdown)


def hover(result: FileResult, source: str, line: int, column: int) -> Optional[Hovered]:
    """What to show for the 1-based line and character column, or None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _at_shape(result, line, column)
    places = Source(source)
    node = _innermost(tree, places, line, column)
    if node is None:
        return _at_shape(result, line, column)
    span = places.span(node)
    found = _constructor(result, node, span) if isinstance(node, ast.Call) else None
    found = found or _at_shape(result, line, column)
    if found is not None or isinstance(node, ast.Call):
        return found
    if isinstance(node, (ast.Name, ast.arg)):
        return _name_read(result, _dotted(node), span, _enclosing(tree, line), tree)
    return _attribute(result, _dotted(node), span, _class_around(tree, line))


def _innermost(tree: ast.Module, places: Source, line: int, column: int) -> Optional[ast.AST]:
    """The smallest name (or parameter), ``self.x`` attribute or call whose span holds the place; the part of a
    call's function that is not itself a ``self.x`` attribute stands for the call (``nn`` of
    ``nn.Linear(...)``), and ``self`` for its attribute."""
    best, best_size, standing = None, None, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            standing.update((id(part), node) for part in ast.walk(node.func))
        elif isinstance(node, ast.Attribute) and _hoverable(node):
            standing[id(node.value)] = node
        if not _hoverable(node):
            continue
        span = places.span(node)
        if not _holds(span, line, column):
            continue
        size = (span.end_line - span.line, span.end_column - span.column if span.end_line == span.line else 0)
        if best_size is None or size < best_size:
            best, best_size = node, size
    while best is not None and id(best) in standing and not (_hoverable(best) and isinstance(best, ast.Attribute)):
        best = standing[id(best)]
    return best


def _hoverable(node: ast.AST) -> bool:
    if isinstance(node, (ast.Name, ast.arg)):
        return True
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "self"
    return isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))


def _holds(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) < (span.end_line, span.end_column)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


# --- shapes recorded at a place -----------------------------------------------------------------


def _at_shape(result: FileResult, line: int, column: int) -> Optional[Hovered]:
    """The shapes recorded exactly there: a name assigned, a module called."""
    holding = [s for s in result.shapes if _holds(s.span, line, column)]
    if not holding:
        return None
    smallest = min(holding, key=lambda s: (s.span.end_line - s.span.line, s.span.end_column - s.span.column))
    seen = [s for s in holding if s.span == smallest.span]
    return smallest.span, (_layer_call(result, seen) if seen[0].layer else _tensor(result, seen[0].what, seen))


def _tensor(result: FileResult, name: str, seen: Sequence[ShapeAt]) -> str:
    lines = [f"**{name}**: `{_shapes(s.shape for s in seen)}`"]
    lines += _inputs(result, seen)
    return "\n\n".join(lines)


def _layer_call(result: FileResult, seen: Sequence[ShapeAt]) -> str:
    """One part per layer called there (a block's attribute is a layer of each block built); of a
    container and the layers it calls at the same place, the container."""
    paths = {s.layer for s in seen}
    outer = [s for s in seen if not any(s.layer.startswith(p + ".") for p in paths)]
    layers: Dict[Tuple[str, str], List[ShapeAt]] = {}
    for s in outer:
        layers.setdefault((s.model, s.layer), []).append(s)
    parts = [_one_layer_call(result, calls) for calls in list(layers.values())[:MOST_LAYERS]]
    if len(layers) > MOST_LAYERS:
        parts.append(f"and {len(layers) - MOST_LAYERS} more")
    inputs = _inputs(result, seen)
    return "\n\n---\n\n".join(parts + (["\n\n".join(inputs)] if inputs else []))


def _one_layer_call(result: FileResult, calls: Sequence[ShapeAt]) -> str:
    first = calls[0]
    layer = _layer_report(result, first.model, first.layer)
    written = f"`{layer.text}`" if layer is not None else first.kind
    lines = [f"**{first.what}** {written} ({first.model}.{first.layer})",
             f"`{_shapes(s.received for s in calls)}` → `{_shapes(s.shape for s in calls)}`"]
    if layer is not None and layer.arguments:
        lines.append(_arguments(layer))
    if first.params is not None:
        lines.append(_params(first.params))
    return "\n\n".join(lines)


def _inputs(result: FileResult, seen: Iterable[ShapeAt]) -> List[str]:
    """Where each run's input came from: "LeNet's input `B×3×32×32`: call at line 35"."""
    out = []
    for model, source in dict.fromkeys((s.model, s.input_source) for s in seen):
        if not model:
            continue
        report = _model_report(result, model, source)
        shape = f" `{_dims(report.input_shape)}`" if report is not None and report.input_shape else ""
        out.append(f"{model}'s input{shape}: {source or 'not known'}")
    return out


# --- names read, attributes, constructors -------------------------------------------------------


def _name_read(result: FileResult, name: str, span: Span, scope: Optional[ast.AST],
               tree: ast.Module) -> Optional[Hovered]:
    """A name read: the shapes of its last assignment above, in the same function; a parameter of a
    model's forward: the model's input."""
    first, last = (scope.lineno, scope.end_lineno) if scope is not None else (1, span.line)
    before = [s for s in result.shapes if s.what == name and not s.layer and first <= s.span.line
              and s.statement_end < span.line and s.span.line <= last]
    if before:
        place = max(before, key=lambda s: (s.statement_end, s.span.line, s.span.column)).span
        return span, _tensor(result, name, [s for s in before if s.span == place])
    if isinstance(scope, ast.FunctionDef) and name in _positional(scope)[1:2]:
        return _model_input(result, name, span, _class_around(tree, scope.lineno))
    return None


def _model_input(result: FileResult, name: str, span: Span, cls: Optional[ast.ClassDef]) -> Optional[Hovered]:
    models = [m for m in result.models if cls is not None and m.name == cls.name and m.input_shape]
    if not models:
        return None
    shapes = _shapes(_dims(m.input_shape) for m in models)
    return span, "\n\n".join([f"**{name}**: `{shapes}`"] +
                             [f"{m.name}'s input: {m.input_source}" for m in models])


def _attribute(result: FileResult, dotted: str, span: Span, cls: Optional[ast.ClassDef]) -> Optional[Hovered]:
    """``self.conv2`` anywhere in its class (its definition in __init__ too): the layer as forward calls it."""
    if cls is None:
        return None
    calls = [s for s in result.shapes if s.what == dotted and s.layer and cls.lineno <= s.span.line <= cls.end_lineno]
    if calls:
        return span, _layer_call(result, calls)
    name = dotted.split(".", 1)[1]
    layers = [(m, layer) for m in result.models if m.name == cls.name for layer in m.layers if layer.name == name]
    return (span, _constructed(result, layers)) if layers else None


def _constructor(result: FileResult, node: ast.Call, span: Span) -> Optional[Hovered]:
    """``nn.Linear(...)``: the layer built there, in each model that has it."""
    kind = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
    layers = [(m, layer) for m in result.models for layer in m.layers if layer.line == span.line and layer.kind == kind]
    return (span, _constructed(result, layers)) if layers else None


def _constructed(result: FileResult, layers: Sequence[Tuple[ModelReport, LayerReport]]) -> str:
    model, layer = layers[0]
    lines = [f"`{layer.text}` ({', '.join(dict.fromkeys(f'{m.name}.{lr.name}' for m, lr in layers))})"]
    if layer.arguments:
        lines.append(_arguments(layer))
    received = _shapes(_received(result, m, lr) for m, lr in layers)
    lines.append(f"receives `{received}` → `{_shapes(_dims(lr.output_shape) for _, lr in layers)}`")
    if layer.params is not None:
        lines.append(_params(layer.params))
    lines += [f"{m.name}'s input `{_dims(m.input_shape)}`: {m.input_source}"
              for m in dict.fromkeys(m for m, _ in layers) if m.input_shape]
    return "\n\n".join(lines)


def _received(result: FileResult, model: ModelReport, layer: LayerReport) -> str:
    """What the layer is given: as its call in forward saw it, else the output of the layer before it
    in the same container (the model's input for its first layer)."""
    called = [s.received for s in result.shapes if s.model == model.name and s.layer == layer.name]
    if called:
        return called[0]
    index = model.layers.index(layer)
    parent = layer.name.rpartition(".")[0]
    if index > 0 and model.layers[index - 1].name.rpartition(".")[0] == parent:
        return _dims(model.layers[index - 1].output_shape)
    return _dims(model.input_shape) if index == 0 else "?"


# --- the text -----------------------------------------------------------------------------------


def _arguments(layer: LayerReport) -> str:
    return ", ".join(f"{name} {value}" for name, value in layer.arguments)


def _params(count: int) -> str:
    return f"{count:,} parameter{'s' * (count != 1)}"


def _dims(shape) -> str:
    if shape is None:
        return "?"
    return "×".join(str(d) for d in shape) if shape else "scalar"


def _shapes(shapes: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(shapes)) or "?"


def _layer_report(result: FileResult, model: str, layer: str) -> Optional[LayerReport]:
    return next((lr for m in result.models if m.name == model for lr in m.layers if lr.name == layer), None)


def _model_report(result: FileResult, model: str, source: str) -> Optional[ModelReport]:
    named = [m for m in result.models if m.name == model]
    return next((m for m in named if m.input_source == source), named[0] if named else None)


def _positional(function: ast.FunctionDef) -> List[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def _enclosing(tree: ast.Module, line: int) -> Optional[ast.AST]:
    """The innermost function around the line."""
    return _innermost_of(tree, line, (ast.FunctionDef, ast.AsyncFunctionDef))


def _class_around(tree: ast.Module, line: int) -> Optional[ast.ClassDef]:
    return _innermost_of(tree, line, (ast.ClassDef,))


def _innermost_of(tree: ast.Module, line: int, kinds) -> Optional[ast.AST]:
    found: Dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, kinds) and node.lineno <= line <= (node.end_lineno or node.lineno):
            found[node.lineno] = node
    return found[max(found)] if found else None
