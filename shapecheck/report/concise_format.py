"""One line per finding, nothing else: path:line:col: CODE message."""

from __future__ import annotations

from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult


def location(d: Diagnostic) -> str:
    if d.cell is not None:
        return f"{d.path}:cell {d.cell}:{d.span.line}:{d.span.column}"
    return f"{d.path}:{d.span.line}:{d.span.column}"


def line(d: Diagnostic) -> str:
    return f"{location(d)}: {d.code} {d.message}"


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    for result in results:
        for d in result.diagnostics:
            stream.write(line(d) + "\n")
