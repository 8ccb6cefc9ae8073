"""What the server shows, built from a file's finished result, in the client's position units:
each finding as a diagnostic at its range, the hover at a place (`hover`), and the shape after each
shape-changing line as an inlay hint at its end (`report.annotate.shape_notes`, as --annotate
writes them)."""

from __future__ import annotations

from typing import List, Optional, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..diagnostics import Diagnostic, Span
from ..report.annotate import shape_notes
from ..results import FileResult
from .hover import hover as hover_text

SOURCE = "shapecheck"
SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}


def diagnostics(result: FileResult, lines: Sequence[str], codec: PositionCodec) -> List[types.Diagnostic]:
    """The findings of a .py document (a notebook opened as JSON text: at their place in that text)."""
    return [diagnostic(d, d.file_span or d.span, lines, codec) for d in result.diagnostics]


def diagnostic(d: Diagnostic, span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Diagnostic:
    return types.Diagnostic(range=text_range(span, lines, codec), message=d.message,
                            severity=SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
                            code=d.code, source=SOURCE)


def text_range(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """A span (1-based lines and character columns, the end exclusive) in the client's units."""
    start = types.Position(line=max(span.line - 1, 0), character=max(span.column - 1, 0))
    end = types.Position(line=max(span.end_line - 1, 0), character=max(span.end_column - 1, 0))
    return codec.range_to_client_units(lines, types.Range(start=start, end=end))


def hover(result: FileResult, source: str, lines: Sequence[str], codec: PositionCodec,
          position: types.Position) -> Optional[types.Hover]:
    place = codec.position_from_client_units(lines, position)
    found = hover_text(result, source, place.line + 1, place.character + 1)
    if found is None:
        return None
    span, text = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=text_range(span, lines, codec))


def inlay_hints(result: FileResult, lines: Sequence[str], codec: PositionCodec,
                shown: types.Range) -> List[types.InlayHint]:
    """``→ B×32×16×16`` at the end of each shape-changing line within ``shown``."""
    hints = []
    for line, shapes in sorted(shape_notes(result).items()):
        if not shown.start.line <= line - 1 <= shown.end.line or line > len(lines):
            continue
        end = len(lines[line - 1].rstrip("\r\n"))
        at = codec.position_to_client_units(lines, types.Position(line=line - 1, character=end))
        hints.append(types.InlayHint(position=at, label=f"→ {shapes}", kind=types.InlayHintKind.Type,
                                     padding_left=True))
    return hints
