"""The command line: options, the run over files, exit codes (0 clean, 1 errors found, 2 tool error)."""

from __future__ import annotations

import sys
from typing import Dict, List, Optional

import typer

from . import __version__
from .diagnostics import RULES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2

app = typer.Typer(add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})
rules_app = typer.Typer(add_completion=False)


class ToolError(Exception):
    """What the user asked cannot be done; one line, exit 2."""


def fail(message: str) -> None:
    sys.stderr.write(f"shapecheck: error: {message}\n")
    raise typer.Exit(EXIT_TOOL)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"shapecheck {__version__}\n")
        raise typer.Exit()


def parse_inputs(specs: List[str]):
    from .models import parse_input_spec

    inputs: Dict[Optional[str], object] = {}
    for spec in specs:
        name, _, shape = spec.rpartition("=")
        try:
            inputs[name or None] = parse_input_spec(shape, "--input-shape")
        except ValueError as e:
            raise ToolError(f"--input-shape {spec!r}: {e}") from None
    return inputs


@app.command()
def check(
    paths: List[str] = typer.Argument(..., help="Files or folders to check (.py, .ipynb); - reads stdin."),
    input_shape: List[str] = typer.Option(
        [], "--input-shape", "-i", metavar="[NAME=]SHAPE",
        help="Input shape, e.g. 3,32,32 or B,3,32,32; NAME=3,32,32 for one model. Repeatable."),
    output_format: str = typer.Option("text", "--format", "-f", help="text, concise, json, github or sarif."),
    summary: bool = typer.Option(False, "--summary", "-v", help="Show a table of layer shapes per model."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when errors are found."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only error findings."),
    statistics: bool = typer.Option(False, "--statistics", help="Print the number of findings per code."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="Name for source read from stdin."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Find tensor-shape bugs in PyTorch model code, without running it."""
    from .report import FORMATS

    if output_format not in FORMATS:
        fail(f"unknown --format {output_format!r}; choose one of {', '.join(FORMATS)}")
    try:
        inputs = parse_inputs(input_shape)
        results = _check_all(paths, inputs, stdin_filename)
    except ToolError as e:
        fail(str(e))
    from .report import render

    render(output_format, results, sys.stdout, summary=summary, quiet=quiet, statistics=statistics)
    errors = any(d.severity == "error" for r in results for d in r.diagnostics)
    raise typer.Exit(EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN)


def _check_all(paths: List[str], inputs, stdin_filename: Optional[str]):
    from .api import check_path, check_source
    from .source import SourceError, decode, discover

    results = []
    named = [p for p in paths if p != "-"]
    try:
        files = discover(named)
    except FileNotFoundError as e:
        raise ToolError(f"{e.args[0]}: no such file or folder") from None
    if "-" in paths:
        try:
            source = decode(sys.stdin.buffer.read())
        except SourceError as e:
            raise ToolError(f"stdin: {e}") from None
        results.append(check_source(source, stdin_filename or "<stdin>", inputs))
    for path in files:
        results.append(check_path(str(path), inputs))
    return results


@rules_app.command("rule")
def rule(code: str = typer.Argument(..., help="A finding code such as SHP101.")) -> None:
    """Print the documentation of one finding code."""
    found = RULES.get(code.upper())
    if found is None:
        fail(f"unknown code {code!r}; `shapecheck rules` lists them")
    sys.stdout.write(found.documentation() + "\n")


@rules_app.command("rules")
def rules() -> None:
    """List every finding code with its summary."""
    for r in RULES.values():
        sys.stdout.write(f"{r.code}  {r.severity:<7}  {r.name:<22} {r.summary}\n")


def main(argv: Optional[List[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    from pathlib import Path

    if argv and argv[0] in ("rule", "rules") and not Path(argv[0]).exists():
        rules_app(args=argv, prog_name="shapecheck")
    else:
        app(args=argv, prog_name="shapecheck")
