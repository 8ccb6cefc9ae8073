"""A code frame under a finding, as ruff's `full` output draws one: the lines of the layers that set
the size the failing layer receives, each with the shape it passes on, then the finding's line with
carets under the argument to change (under the whole call where no argument is known).

The layers come from the model's report: the rows before the failing one whose output shape
changed, at most ``CHAIN`` lines, in the order the data last passed them; a row is shown only where
its line in this file holds the call it was built by (a block from another file is left out)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..diagnostics import Diagnostic
from ..results import FileResult, LayerReport, ModelReport
from .lines import SourceLines, line_at

CHAIN = 8
TAB = 4
GUTTER = "blue"


class CodeFrames:
    """The frames of one report, its files read once."""

    def __init__(self) -> None:
        self.sources = SourceLines()

    def of(self, d: Diagnostic, result: FileResult, style: str = "") -> List[tuple]:
        """The frame's lines (tuples of rich Text parts), then an empty line; none when the finding's
        line cannot be read (stdin, a file changed meanwhile)."""
        lines = self.sources.of(d)
        text = line_at(lines, d.span.line)
        if not text.strip():
            return []
        chain = [] if d.cell is not None else received_from(d, result.models, lines)
        width = len(str(max([d.span.line] + [number for number, _ in chain])))
        shown = max((len(_shown(line_at(lines, number))) for number, _ in chain), default=0)
        out = [((" " * width + " |", GUTTER),)]
        for number, shape in chain:
            out.append(_numbered(number, width, _shown(line_at(lines, number)).ljust(shown)) +
                       ((f"  # → {shape}", "dim"),))
        out.append(_numbered(d.span.line, width, _shown(text)))
        start, end = caret_columns(d, text)
        out.append(((" " * width + " | ", GUTTER), " " * start, ("^" * (end - start) + " " + _label(d), style)))
        return out + [""]


def received_from(d: Diagnostic, models: Sequence[ModelReport], lines: Tuple[str, ...]) -> List[Tuple[int, str]]:
    """(line, the shape it passes on) for the layers before the failing one that changed the shape."""
    found = _failing(d, models)
    if found is None:
        return []
    model, index = found
    picked: dict = {}
    previous = model.input_shape
    for layer in model.layers[:index]:
        shape = layer.output_shape
        if shape is not None and shape != previous and layer.line != d.span.line and _written_at(layer, lines):
            picked.pop(layer.line, None)  # a layer used again (one pool after each conv) shows at its last use
            picked[layer.line] = "×".join(str(dim) for dim in shape)
        previous = shape
    return list(picked.items())[-CHAIN:]


def _failing(d: Diagnostic, models: Sequence[ModelReport]) -> Optional[Tuple[ModelReport, int]]:
    """The model's report and the row of the layer built at the finding's line that got no output."""
    for m in models:
        if m.path != d.path or m.name != d.model:
            continue
        index = next((i for i, layer in enumerate(m.layers)
                      if layer.line == d.span.line and layer.output_shape is None and layer.reached), None)
        if index is not None:
            return m, index
    return None


def _written_at(layer: LayerReport, lines: Tuple[str, ...]) -> bool:
    head = layer.text.partition("(")[0]
    return bool(head) and f"{head}(" in line_at(lines, layer.line)


def caret_columns(d: Diagnostic, text: str) -> Tuple[int, int]:
    """0-based start and end of the carets in the line as shown (tabs expanded): the argument a fix
    replaces, else the finding's span, to the end of the line where it goes on."""
    span = d.fix.span if _fix_on_the_line(d) else d.span
    end = span.end_column if span.end_line == span.line else len(text.rstrip()) + 1
    start = len(text[:span.column - 1].expandtabs(TAB))
    return start, max(len(text[:end - 1].expandtabs(TAB)), start + 1)


def _fix_on_the_line(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.span.line == d.fix.span.end_line == d.span.line


def _label(d: Diagnostic) -> str:
    return f"should be {d.fix.replacement}" if _fix_on_the_line(d) else d.code


def _shown(text: str) -> str:
    return text.expandtabs(TAB).rstrip()


def _numbered(number: int, width: int, text: str) -> tuple:
    return (f"{number:>{width}} | ", GUTTER), text
