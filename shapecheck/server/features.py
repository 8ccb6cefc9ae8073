"""What the server shows, built from a file's finished result: each finding as an LSP diagnostic
at its range in the client's position units."""

from __future__ import annotations

from typing import List, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..diagnostics import Diagnostic, Span
from ..results import FileResult

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
