"""reviewdog's Diagnostic Format (rdjson, `reviewdog -f=rdjson`): one DiagnosticResult with a
diagnostic per finding, its fix as a suggestion.  reviewdog counts columns in UTF-8 bytes; a
notebook finding is placed in the .ipynb file's own lines, as SARIF places it."""

from __future__ import annotations

import json
from typing import IO, Sequence

from ..diagnostics import Diagnostic, Span
from ..results import FileResult
from .lines import SourceLines
from .paths import relative_path
from .sarif_format import homepage

SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def document(results: Sequence[FileResult]) -> dict:
    source = {"name": "shapecheck"}
    url = homepage()
    if url:
        source["url"] = url
    sources = SourceLines()
    return {"source": source, "diagnostics": [diagnostic(d, sources) for r in results for d in r.diagnostics]}


def diagnostic(d: Diagnostic, sources: SourceLines) -> dict:
    span, edit = (d.span, d.fix) if d.cell is None else (d.file_span, d.file_fix)
    message = d.message if d.cell is None else f"cell {d.cell}, line {d.span.line}, column {d.span.column}: {d.message}"
    location = {"path": relative_path(d.path)}
    if span is not None:
        location["range"] = byte_range(sources, d.path, span)
    out = {"message": message, "location": location, "severity": SEVERITY.get(d.severity, "ERROR"),
           "code": {"value": d.code}}
    if edit is not None:
        out["suggestions"] = [{"range": byte_range(sources, d.path, edit.span), "text": edit.replacement}]
    return out


def byte_range(sources: SourceLines, path: str, span: Span) -> dict:
    return {"start": {"line": span.line, "column": sources.utf8_column(path, span.line, span.column)},
            "end": {"line": span.end_line, "column": sources.utf8_column(path, span.end_line, span.end_column)}}


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    json.dump(document(results), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
