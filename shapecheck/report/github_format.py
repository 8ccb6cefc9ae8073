"""GitHub Actions workflow commands: one `::error file=...,line=...::message` line per finding, which
the runner turns into an annotation on the file. Escaping follows @actions/core."""

from __future__ import annotations

from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult
from .paths import relative_path

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(d: Diagnostic) -> str:
    """A notebook's lines are counted in its cells, not in the file GitHub shows: there the
    annotation names the file only, and the message says where in the notebook."""
    properties = {"file": relative_path(d.path)}
    message = d.message
    if d.cell is None:
        s = d.span
        properties.update(line=s.line, col=s.column, endLine=s.end_line, endColumn=s.end_column)
    else:
        message = f"cell {d.cell}, line {d.span.line}, column {d.span.column}: {message}"
    properties["title"] = d.code
    fields = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMAND.get(d.severity, 'error')} {fields}::{escape_data(message)}"


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    for result in results:
        for d in result.diagnostics:
            stream.write(command(d) + "\n")
