"""The default output: a line per finding, then a short summary; per-model tables with --summary."""

from __future__ import annotations

import os
from collections import Counter
from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult, ModelReport
from .concise_format import location, statistics_lines


UNWRAPPED = 10_000  # the width given to a pipe: tables take their natural width, never 80 columns


def _console(stream: IO[str]):
    from rich.console import Console

    piped = not _isatty(stream) and "COLUMNS" not in os.environ
    return Console(file=stream, highlight=False, markup=False, soft_wrap=True, emoji=False,
                   width=UNWRAPPED if piped else None)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(results: Sequence[FileResult], stream: IO[str], summary: bool = False, quiet: bool = False,
           statistics: bool = False, **options) -> None:
    console = _console(stream)
    for result in results:
        for d in result.diagnostics:
            console.print(_finding(d))
    if summary:
        for result in results:
            for m in result.models:
                _model_table(console, m)
    if statistics:
        for row in statistics_lines(results):
            console.print(row)
    if not quiet:
        console.print(_summary_line(results), style="bold")


def _finding(d: Diagnostic):
    """The concise line, with the location bold and the code in its severity's colour."""
    from rich.text import Text

    return Text.assemble((location(d), "bold"), ": ", (d.code, SEVERITY_STYLE.get(d.severity, "")), " ", d.message)


def _summary_line(results: Sequence[FileResult]) -> str:
    counts = Counter(d.severity for r in results for d in r.diagnostics)
    models = sum(len(r.models) for r in results)
    files = len(results)
    with_errors = sum(1 for r in results if any(d.severity == "error" for d in r.diagnostics))
    checked = f"{models} model{'s' * (models != 1)} in {files} file{'s' * (files != 1)}"
    if counts["error"]:
        return (f"Found {counts['error']} error{'s' * (counts['error'] != 1)} in {with_errors} "
                f"file{'s' * (with_errors != 1)} ({checked} checked).")
    extra = f" ({counts['info']} note{'s' * (counts['info'] != 1)})" if counts["info"] else ""
    return f"No shape errors: {checked} checked{extra}."


def _dims(shape) -> str:
    return "?" if shape is None else "×".join(str(d) for d in shape)


def _model_table(console, m: ModelReport) -> None:
    from rich.table import Table

    title = f"{m.name} ({m.path}:{m.line}) — input {_dims(m.input_shape)} from {m.input_source}; {m.status}"
    table = Table(title=title, title_justify="left", show_lines=False)
    for column, justify in (("layer", "left"), ("line", "right"), ("as written", "left"),
                            ("output shape", "left"), ("params", "right")):
        table.add_column(column, justify=justify)
    for layer in m.layers:
        table.add_row(layer.name or "(model)", str(layer.line), layer.text, _dims(layer.output_shape),
                      "?" if layer.params is None else f"{layer.params:,}")
    table.add_row("total", "", "", _dims(m.output_shape), "?" if m.params is None else f"{m.params:,}",
                  style="bold")
    console.print(table)
    if m.consistent_inputs:
        console.print(f"consistent only for inputs of {m.consistent_inputs}")
