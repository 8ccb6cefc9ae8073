"""The JSON contract of shared/DESIGN.md: one object with diagnostics and models."""

from __future__ import annotations

import json
from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult, LayerReport, ModelReport, at_batch, models_once
from ..rules.cost import DEFAULT_BATCH, DEFAULT_DTYPE
from . import figures as F


def diagnostic(d: Diagnostic) -> dict:
    out = {"path": d.path, "line": d.span.line, "column": d.span.column, "end_line": d.span.end_line,
           "end_column": d.span.end_column, "code": d.code, "severity": d.severity, "message": d.message,
           "model": d.model, "fix": None}
    if d.cell is not None:
        out["cell"] = d.cell
    if d.confirmed_on is not None:
        out["confirmed_on"] = d.confirmed_on  # the runtime mode raised here too, on this device
    if d.fix is not None:
        s = d.fix.span
        out["fix"] = {"replacement": d.fix.replacement, "line": s.line, "column": s.column,
                      "end_line": s.end_line, "end_column": s.end_column}
    return out


def model(configurations: Sequence[ModelReport], batch: int = DEFAULT_BATCH, dtype: str = DEFAULT_DTYPE) -> dict:
    """A model once, as the first of its configurations shows it (its layers, and the summary's rows
    with blocks and operations), with every configuration and input it was checked with."""
    m = configurations[0]
    out = {"path": m.path, "name": m.name, "line": m.line, **_in_cell({}, m.cell), **_configuration(m),
           "macs": at_batch(m.macs(), batch), "memory": F.memory(m, batch, dtype),
           "layers": [_in_cell({"name": layer.name, "kind": layer.kind, "line": layer.line,
                                "output_shape": _shape(layer.output_shape), "params": layer.params,
                                "reached": layer.reached, **_figures(layer, batch, dtype)}, layer.cell)
                      for layer in m.layers],
           "rows": [_row(row, batch, dtype) for row in m.summary_rows()],
           "configurations": [_configuration(c) for c in configurations]}
    if m.outputs is not None:
        out["outputs"] = _whole(m.outputs)
    if m.consistent_inputs:
        out["consistent_inputs"] = m.consistent_inputs
    if m.symbols:
        out["symbols"] = dict(m.symbols)
    if m.stopped_at is not None:
        stop = m.stopped_at
        out["stopped_at"] = _in_cell({"line": stop.line, "layer": stop.layer, "reason": stop.reason,
                                      "message": stop.message, "checked_up_to": stop.checked_up_to or None}, stop.cell)
    return out


def _figures(row: LayerReport, batch: int, dtype: str) -> dict:
    return {"macs": at_batch(row.macs, batch), "memory": F.row_memory(row, batch, dtype)}


def _row(row: LayerReport, batch: int, dtype: str) -> dict:
    """A summary row: a layer, a block (with the totals of the rows under it) or an operation."""
    out = {"role": row.role, "depth": row.depth, "name": row.name, "kind": row.kind, "line": row.line,
           "text": row.text, "output_shape": _shape(row.output_shape), "params": row.params,
           **_figures(row, batch, dtype)}
    if row.outputs is not None:
        out["outputs"] = _whole(row.outputs)
    return out


def _whole(outputs):
    """A tuple output as a list of shapes, a dict one as an object of them."""
    if isinstance(outputs, dict):
        return {k: _whole(v) for k, v in outputs.items()}
    if isinstance(outputs, tuple):
        return [_whole(v) if isinstance(v, (tuple, dict)) else v for v in outputs]
    return outputs


def _configuration(m: ModelReport) -> dict:
    """What one configuration was checked with, and how it came out."""
    out = {"status": m.status, "arguments": m.ctor_args or None, "input_shape": _shape(m.input_shape),
           "input_source": _in_cell({"description": m.input_source, "path": m.input_path or None,
                                     "line": m.input_line or None}, m.input_cell),
           "output_shape": _shape(m.output_shape), "params": m.params}
    if m.runtime is not None:
        out["runtime"] = m.runtime
    return out


def _in_cell(out: dict, cell) -> dict:
    """In a notebook, lines are counted in cells: the object's ``line`` gets its ``cell``, as a finding's does."""
    if cell is not None:
        out["cell"] = cell
    return out


def _shape(shape):
    return None if shape is None else list(shape)


def document(results: Sequence[FileResult], batch: int = DEFAULT_BATCH, dtype: str = DEFAULT_DTYPE) -> dict:
    return {"version": 1, "batch": batch, "dtype": dtype,
            "diagnostics": [diagnostic(d) for r in results for d in r.diagnostics],
            "models": [model(group, batch, dtype) for r in results for group in models_once(r.models)]}


def render(results: Sequence[FileResult], stream: IO[str], batch: int = DEFAULT_BATCH, dtype: str = DEFAULT_DTYPE,
           **options) -> None:
    json.dump(document(results, batch, dtype), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
