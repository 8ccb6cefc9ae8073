"""What the server shows, built from a file's finished result, in the client's position units:
each finding as a diagnostic at its range, the hover at a place (`hover`), and the shape after each
shape-changing line as an inlay hint at its end (`report.annotate.shape_notes`, as --annotate
writes them), and the code actions of `actions` as workspace edits."""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..diagnostics import Diagnostic, Span
from ..report.annotate import shape_notes
from ..results import FileResult
from . import actions
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


FIX_ALL = types.CodeActionKind.SourceFixAll + ".shapecheck"


def code_actions(result: FileResult, document, asked: types.CodeActionParams,
                 check: Optional[Callable[[str, str], FileResult]]) -> List[types.CodeAction]:
    """For each finding on the asked lines: its fix, and a noqa comment; and, given the re-check of a
    fixed text, the file's fixes together."""
    source, lines, codec = document.source, document.lines, document.position_codec
    first, last = asked.range.start.line + 1, asked.range.end.line + 1
    found = []
    for d in result.diagnostics:
        if d.span.line <= last and d.span.end_line >= first:
            found += [a for a in (actions.fix(d, source), actions.noqa(d, source)) if a is not None]
    every = actions.fix_all(result, source, check) if check is not None else None
    found += [every] if every is not None else []
    wanted = asked.context.only
    return [_code_action(a, document, lines, codec) for a in found
            if not wanted or any(_kind(a).startswith(kind) for kind in wanted)]


def _kind(action: actions.Action) -> str:
    return types.CodeActionKind.QuickFix if action.kind == "quickfix" else FIX_ALL


def _code_action(action: actions.Action, document, lines: Sequence[str], codec: PositionCodec) -> types.CodeAction:
    edit = types.TextEdit(range=text_range(action.edit.span, lines, codec), new_text=action.edit.text)
    change = types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version),
        edits=[edit])
    found = [diagnostic(action.diagnostic, action.diagnostic.span, lines, codec)] if action.diagnostic else None
    return types.CodeAction(title=action.title, kind=_kind(action), diagnostics=found,
                            is_preferred=action.preferred or None,
                            edit=types.WorkspaceEdit(document_changes=[change]))
