"""pylint's parseable lines, as ruff writes them: `path:line: [CODE] message`.  A notebook finding
is placed at its line in the .ipynb file, and its message says where in the notebook."""

from __future__ import annotations

from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult
from .paths import relative_path


def line(d: Diagnostic) -> str:
    if d.cell is None:
        return f"{relative_path(d.path)}:{d.span.line}: [{d.code}] {d.message}"
    where = f"cell {d.cell}, line {d.span.line}, column {d.span.column}"
    return f"{relative_path(d.path)}:{d.file_span.line if d.file_span else 1}: [{d.code}] {where}: {d.message}"


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    for result in results:
        for d in result.diagnostics:
            stream.write(line(d) + "\n")
