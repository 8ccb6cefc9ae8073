"""The runtime mode's verdicts as findings: run each statically checked model for real, then
compare its per-layer shapes with the static ones.

A disagreement is SHP902 (shapecheck's static rules are wrong somewhere); a model that raises is
SHP903 at the line of the layer that raised, with PyTorch's own message beside the static one.
"""

from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import Callable, Dict, List, Optional, Sequence

from ..diagnostics import Code, Diagnostic, Span
from ..results import FileResult, ModelReport

RUNTIME_BATCH = 2
_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


def concrete_input(model: ModelReport, batch: int = RUNTIME_BATCH) -> Optional[tuple]:
    """The static input with the batch made concrete; None when a size is still a symbol."""
    if model.input_shape is None:
        return None
    dims = tuple(batch if d == "B" else d for d in model.input_shape)
    return dims if all(isinstance(d, int) for d in dims) else None


def _input_dtype(model: ModelReport) -> str:
    return "long" if model.layers and model.layers[0].kind in ("Embedding", "EmbeddingBag") else "float"


def compare_file(result: FileResult, source: str, device: str, dtype: str,
                 ctor_args: Optional[Dict[str, str]] = None, program=None, limits=None) -> None:
    """Run every model of ``result`` on ``device``, in child processes under ``limits`` (a
    ``child.Limits``); record the verdicts in place.  For a notebook, ``source`` is its program
    (``notebook.Program``, also given) and the findings count lines in cells."""
    from . import child
    from . import run as runtime

    requests, runnable = [], []
    for model in result.models:
        shape = concrete_input(model)
        if shape is None:
            result.models[result.models.index(model)] = replace(model, runtime={
                "device": device, "status": "unknown",
                "message": "input size unknown: give --input-shape or an input comment"})
            continue
        args = (ctor_args or {}).get(model.name, model.ctor_args)
        requests.append(runtime.RuntimeRequest(model.name, shape, args, _input_dtype(model)))
        runnable.append(model)
    if not requests:
        return
    outcomes = child.run_file(result.path, source, requests, device, dtype, limits or child.Limits())
    for model, outcome in zip(runnable, outcomes):
        index = result.models.index(model)
        result.models[index] = replace(model, runtime=_verdict(outcome))
        result.diagnostics[:] = _confirmed(result.diagnostics, model, outcome, program)
        found = _findings(result, model, outcome, program)
        result.diagnostics.extend(found if program is None else [_in_cells(d, program) for d in found])


def _in_cells(d: Diagnostic, program) -> Diagnostic:
    from ..notebook import map_diagnostic

    return map_diagnostic(d, program)


def _verdict(outcome) -> dict:
    return {"device": outcome.device, "status": outcome.status, "output_shape": _listed(outcome.output_shape),
            "message": outcome.message, "error_layer": outcome.error_layer, "error_line": outcome.error_line,
            "layers": [{"name": layer.name, "kind": layer.kind, "line": layer.line,
                        "output_shape": _listed(layer.output_shape)} for layer in outcome.layers]}


def _listed(shape):
    return None if shape is None else list(shape)


def _confirmed(diagnostics: List[Diagnostic], model: ModelReport, outcome, program=None) -> List[Diagnostic]:
    """One bug, one count: where torch raised at the line of a static error of the same model (or in
    the layer a finding names, moved to the call that passed the wrong value), the static finding
    says torch raised too, and no SHP903 is added for it."""
    if outcome.status != "error" or not outcome.error_line or outcome.stopped:
        return diagnostics
    where = (None, outcome.error_line) if program is None else program.locate(outcome.error_line)
    same = next((d for d in diagnostics if _is_static_error(d, model) and (d.cell, d.span.line) == where), None) \
        or next((d for d in diagnostics if _is_static_error(d, model) and outcome.error_layer
                 and d.layer == outcome.error_layer), None)  # a finding moved to the call that passed the value
    if same is None:
        return diagnostics
    confirmed = replace(same, confirmed_on=outcome.device,
                        message=f"{same.message}; torch on {outcome.device} raised too: {_one_line(outcome.message)}")
    return [confirmed if d is same else d for d in diagnostics]


def _is_static_error(d: Diagnostic, model: ModelReport) -> bool:
    return d.model == model.name and d.severity == "error" and not d.code.startswith("SHP9")


def _findings(result: FileResult, model: ModelReport, outcome, program=None) -> List[Diagnostic]:
    found = _disagreements(result.path, model, outcome, program)
    carried = any(d.confirmed_on for d in result.diagnostics if d.model == model.name)  # by _confirmed
    model_line = model.line if program is None else program.line_of(model.cell, model.line)  # as the run counts
    if outcome.status == "error" and not carried:
        line = outcome.error_line or model_line
        static = [d for d in result.diagnostics if _is_static_error(d, model)]
        beside = f"; shapecheck's static pass found: {static[0].code} at line {static[0].span.line}" if static else ""
        where = f".{outcome.error_layer}" if outcome.error_layer else ""
        verb = "" if outcome.stopped else " raised"
        found.append(Diagnostic(result.path, Span(line, 1, line, 1), Code.RUNTIME_ERROR,
                                f"{model.name}{where}{verb} on {outcome.device} with input "
                                f"{'×'.join(map(str, concrete_input(model)))}: {_one_line(outcome.message)}{beside}",
                                model=model.name))
    elif outcome.status == "unknown":
        found.append(Diagnostic(result.path, Span(model_line, 1, model_line, 1), Code.NOT_ANALYSED,
                                f"{model.name} was not run: {_one_line(outcome.message)}", model=model.name))
    return found


def _disagreements(path: str, model: ModelReport, outcome, program=None) -> List[Diagnostic]:
    """Static and runtime per-layer shapes, compared in the order the layers ran."""
    found = []
    batch = concrete_input(model)[0]
    ran = [layer for layer in outcome.layers if layer.kind not in _CONTAINERS]  # an empty Sequential() is a leaf to torch
    for static, real in zip(model.layers, ran):
        if static.name != real.name:
            break  # the two walks diverged (a layer the static side could not follow): stop comparing
        if static.output_shape is None or real.output_shape is None:
            continue
        expected = tuple(dim_at_batch(d, batch) for d in static.output_shape)
        if expected != tuple(real.output_shape):
            line = static.line if program is None else program.line_of(static.cell, static.line)
            found.append(Diagnostic(
                path, Span(line, 1, line, 1), Code.RUNTIME_DISAGREES,
                f"{model.name}.{static.name}: static shape {'×'.join(map(str, expected))} but torch gives "
                f"{'×'.join(map(str, real.output_shape))} for {static.text}; please report this", model=model.name))
    return found


def dim_at_batch(dim, batch: int):
    """A static dim at the concrete batch size: B, or a product of B and numbers such as 26·B
    (what a view(t * b, h) leaves); any other symbolic dim as it is."""
    factors = dim.split("·") if isinstance(dim, str) else ()
    if not factors or not all(f == "B" or f.isdigit() for f in factors):
        return dim
    return prod(batch if f == "B" else int(f) for f in factors)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def run_all(results: Sequence[FileResult], device: str, dtype: str,
            args_for: Callable[[str], Dict[str, str]] = lambda path: {}, limits=None) -> None:
    """The runtime mode over checked files and notebooks (a notebook's code cells run as its program
    runs in the static check: imports, definitions, constants and the statements building models),
    each file's models in child processes under ``limits`` (a ``child.Limits``)."""
    from pathlib import Path

    from .. import notebook
    from ..source import SourceError, read_source

    for result in results:
        if not result.models or not result.path.endswith((".py", ".ipynb")):
            continue
        try:
            source = read_source(Path(result.path))
            program = notebook.read(source) if result.path.endswith(".ipynb") else None
        except (SourceError, notebook.NotebookError):
            continue
        compare_file(result, program.source if program else source, device, dtype, args_for(result.path), program,
                   limits)
