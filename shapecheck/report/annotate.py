"""The shape after each shape-changing line, as a trailing comment (`--annotate`) or an editor's
inlay hint: the lines of each model's forward (and what it calls in the file) whose statement gives
a name a new shape, and the layer lines of a model with no forward of its own (a top-level
``nn.Sequential(...)``), in the style ``# → B×32×16×16``."""

from __future__ import annotations

import io
from typing import Dict, List

from ..results import FileResult

MOST_SHAPES = 3  # a block used with several configurations: its first shapes, then "…"


def shape_notes(result: FileResult) -> Dict[int, str]:
    """Line -> the shapes to show after it: "B×32×16×16", or "B×64×8×8 | B×128×4×4"."""
    shapes: Dict[int, List[str]] = {}
    traced = set()
    for seen in result.shapes:
        if seen.model and not seen.layer and seen.changed:
            shapes.setdefault(seen.statement_end, []).append(seen.shape)
            traced.add(seen.model)
    for model in result.models:
        if model.name in traced:
            continue
        before = model.input_shape
        for layer in model.layers:
            if layer.output_shape is not None and layer.output_shape != before:
                shapes.setdefault(layer.line, []).append(_dims(layer.output_shape))
            before = layer.output_shape if layer.output_shape is not None else before
    return {line: _shown(found) for line, found in shapes.items()}


def _dims(shape) -> str:
    return "×".join(str(d) for d in shape) if shape else "scalar"


def _shown(shapes: List[str]) -> str:
    distinct = list(dict.fromkeys(shapes))
    more = " | …" if len(distinct) > MOST_SHAPES else ""
    return " | ".join(distinct[:MOST_SHAPES]) + more


def annotate(source: str, result: FileResult) -> str:
    """``source`` with `  # → SHAPE` after each line that shape_notes names; nothing else changed."""
    notes = shape_notes(result)
    out = []
    for number, line in enumerate(io.StringIO(source, newline="").readlines(), start=1):
        note = notes.get(number)
        if note is None:
            out.append(line)
            continue
        body = line.rstrip("\r\n")
        out.append(f"{body}  # → {note}{line[len(body):]}")
    return "".join(out)
