"""The command line: options, the run over files, exit codes (0 clean, 1 errors found, 2 tool error)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Tuple

import typer

from . import __version__
from .diagnostics import RULES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2

app = typer.Typer(add_completion=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})
rules_app = typer.Typer(add_completion=False, rich_markup_mode=None)


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


def parse_codes(text: Optional[str], option: str) -> Optional[Tuple[str, ...]]:
    """'SHP101,SHP2' -> ('SHP101', 'SHP2'); None when the option was not given."""
    from .config import code_problem

    if text is None:
        return None
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        problem = code_problem(code)
        if problem:
            raise ToolError(f"{option}: {problem}")
    return codes


@dataclass(frozen=True)
class Run:
    """What the command line asked for, with the project's configuration."""

    config: object  # config.Config
    inputs: Dict[Optional[str], object]  # from --input-shape
    select: Optional[Tuple[str, ...]]
    ignore: Optional[Tuple[str, ...]]
    force_exclude: bool
    unused_suppressions: bool

    def options(self, path: str) -> dict:
        """check_path's arguments for one file: the command line overriding the configuration."""
        return {"inputs": inputs_for(self.config.inputs_for(path), self.inputs),
                "selection": self.config.selection(path, self.select, self.ignore),
                "unused_suppressions": self.unused_suppressions}


def inputs_for(configured: Dict[Optional[str], object], given: Dict[Optional[str], object]) -> Dict:
    """A shape for every model on the command line replaces all configured shapes; a shape for one
    model replaces that model's."""
    merged = {} if None in given else dict(configured)
    merged.update(given)
    return merged


@app.command()
def check(
    paths: List[str] = typer.Argument(..., help="Files or folders to check (.py, .ipynb); - reads stdin."),
    input_shape: List[str] = typer.Option(
        [], "--input-shape", "-i", metavar="[NAME=]SHAPE",
        help="Input shape, e.g. 3,32,32 or B,3,32,32; NAME=3,32,32 for one model. Repeatable."),
    output_format: str = typer.Option("text", "--format", "-f", metavar="FORMAT",
                                      help="text, concise, json, github or sarif."),
    summary: bool = typer.Option(False, "--summary", "-v", help="Show a table of layer shapes per model."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when errors are found."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only error findings."),
    statistics: bool = typer.Option(False, "--statistics", help="Print the number of findings per code."),
    select: Optional[str] = typer.Option(
        None, "--select", metavar="CODES", help="Report only these codes or prefixes (SHP101,SHP2); "
                                                "replaces the configured select."),
    ignore: Optional[str] = typer.Option(
        None, "--ignore", metavar="CODES", help="Do not report these codes or prefixes; replaces the "
                                                "configured ignore."),
    force_exclude: bool = typer.Option(
        False, "--force-exclude", help="Skip files the configuration excludes even when named on the "
                                       "command line (for pre-commit)."),
    show_unused_suppressions: bool = typer.Option(
        False, "--show-unused-suppressions", help="Report suppression comments that suppress nothing (SHP905)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite the wrong numbers in place where the right value is "
                                                  "certain, then report what is left."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff and change nothing "
                                                    "(exit 1 when there is something to fix)."),
    runtime: bool = typer.Option(False, "--runtime", help="Also build each model with torch and run a dummy "
                                                          "input through it (needs shapecheck[runtime])."),
    device: Optional[str] = typer.Option(None, "--device", metavar="DEVICE",
                                         help="Runtime device: cpu, cuda, cuda:N, mps, meta or auto "
                                              "(default: the configured device, else cpu)."),
    dtype: str = typer.Option("float32", "--dtype", metavar="DTYPE",
                              help="Runtime dtype: float32, float16 or bfloat16."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", metavar="PATH",
                                                 help="Name for source read from stdin, in messages and "
                                                      "for the configuration."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Find tensor-shape bugs in PyTorch model code, without running it.

    `shapecheck rules` lists the finding codes; `shapecheck rule SHP101` explains one.
    """
    from .report import FORMATS, render

    if output_format not in FORMATS:
        fail(f"unknown --format {output_format!r}; choose one of {', '.join(FORMATS)}")
    try:
        run = Run(_load_config(paths, stdin_filename), parse_inputs(input_shape),
                  parse_codes(select, "--select"), parse_codes(ignore, "--ignore"),
                  force_exclude, show_unused_suppressions)
        results = _check_all(paths, run, stdin_filename)
        if diff:
            raise typer.Exit(_show_diffs(results, run))
        if fix:
            results = _fix_all(results, run)
        if runtime:
            _run_models(results, run, device or run.config.device or "cpu", dtype)
    except ToolError as e:
        fail(str(e))
    if quiet:
        results = [replace(r, diagnostics=[d for d in r.diagnostics if d.severity == "error"]) for r in results]
    render(output_format, results, sys.stdout, summary=summary, quiet=quiet, statistics=statistics)
    errors = any(d.severity == "error" for r in results for d in r.diagnostics)
    raise typer.Exit(EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN)


def _fixable_files(results, run: Run):
    """(result, source, fix outcome) for each checked .py file that has something to fix."""
    from pathlib import Path

    from .api import check_source
    from .fix import fix_source, fixable
    from .source import SourceError, read_source

    for result in results:
        if not result.path.endswith(".py") or not fixable(result.diagnostics):
            continue
        try:
            source = read_source(Path(result.path))
        except SourceError:
            continue
        check = lambda text, path: check_source(text, path, **run.options(path))  # noqa: E731
        outcome = fix_source(source, result.path, check)
        if outcome.applied:
            yield result, source, outcome


def _show_diffs(results, run: Run) -> int:
    count = 0
    for _, _, outcome in _fixable_files(results, run):
        sys.stdout.write(outcome.diff())
        count += len(outcome.applied)
    sys.stderr.write(f"Would fix {count} finding{'s' * (count != 1)}.\n" if count else "Nothing to fix.\n")
    return EXIT_FINDINGS if count else EXIT_CLEAN


def _fix_all(results, run: Run):
    """Write the fixes, then report what is left in the rewritten files."""
    from pathlib import Path

    from .api import check_path
    from .fix import write_atomically

    fixed_paths, count = {}, 0
    for result, _, outcome in _fixable_files(results, run):
        try:
            write_atomically(Path(result.path), outcome.fixed, Path(result.path))
        except OSError as e:
            raise ToolError(f"{result.path}: cannot write the fixes: {e.strerror or e}") from None
        fixed_paths[result.path] = outcome
        count += len(outcome.applied)
    if count:
        sys.stderr.write(f"Fixed {count} finding{'s' * (count != 1)} in {len(fixed_paths)} "
                         f"file{'s' * (len(fixed_paths) != 1)}.\n")
    return [check_path(r.path, **run.options(r.path)) if r.path in fixed_paths else r for r in results]


def _run_models(results, run: Run, device: str, dtype: str) -> None:
    from . import runtime
    from .runtime_check import run_all

    try:
        runtime.load_torch()
        resolved = runtime.resolve_device(device)
        runtime.check_dtype(dtype)
    except runtime.RuntimeUnavailable as e:
        raise ToolError(str(e)) from None
    run_all(results, resolved, dtype, run.config.args_for)


def _load_config(paths: Sequence[str], stdin_filename: Optional[str]):
    from .config import ConfigError, from_paths

    try:
        config = from_paths(paths, stdin_filename)
    except ConfigError as e:
        raise ToolError(str(e)) from None
    for warning in config.warnings:
        sys.stderr.write(f"shapecheck: warning: {warning}\n")
    return config


def _check_all(paths: List[str], run: Run, stdin_filename: Optional[str]):
    from .api import check_path, check_text
    from .source import SourceError, decode, discover

    results = []
    named = [p for p in paths if p != "-"]
    try:
        files = discover(named, run.config.is_excluded, run.force_exclude)
    except FileNotFoundError as e:
        raise ToolError(f"{e.args[0]}: no such file or folder") from None
    if "-" in paths:
        name = stdin_filename or "<stdin>"
        try:
            source = decode(sys.stdin.buffer.read())
        except SourceError as e:
            raise ToolError(f"stdin: {e}") from None
        if not (stdin_filename and run.force_exclude and run.config.is_excluded(stdin_filename)):
            results.append(check_text(source, name, **run.options(name)))
    for path in files:
        results.append(check_path(str(path), **run.options(str(path))))
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


# click's own usage errors (an unknown option, a missing argument) share one base class
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: Optional[List[str]] = None) -> None:
    """The `shapecheck` command; exits with its status."""
    from pathlib import Path

    argv = list(sys.argv[1:] if argv is None else argv)
    command = rules_app if argv and argv[0] in ("rule", "rules") and not Path(argv[0]).exists() else app
    try:
        status = command(args=argv, prog_name="shapecheck", standalone_mode=False)
    except _USAGE_ERROR as e:
        where = getattr(getattr(e, "ctx", None), "command_path", None) or "shapecheck"
        sys.stderr.write(f"shapecheck: error: {e.format_message()} (see {where} --help)\n")
        status = EXIT_TOOL
    except typer.Abort:
        sys.stderr.write("shapecheck: aborted\n")
        status = EXIT_TOOL
    raise SystemExit(status or 0)
