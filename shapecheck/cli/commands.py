"""The typer app: the commands, their options and help.  `cli.main` comes here for everything but a
plain check (paths and simple options), which it runs without building the app."""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from .. import __version__
from . import main as cli
from ..diagnostics import CATALOGUE


class Command(typer.core.TyperCommand):
    """A command whose help shows its arguments as written for people (`PATH...`, `[FOLDER]`), not
    as typer shows them (`{paths}...`, `<list[str]>`)."""

    def collect_usage_pieces(self, ctx) -> List[str]:
        return [self.options_metavar] + [_shown(p) for p in self._arguments(ctx)]

    def format_options(self, ctx, formatter) -> None:
        arguments = [(_shown(p), p.help or "") for p in self._arguments(ctx)]
        options = [r for p in self.get_params(ctx) if p.param_type_name == "option"
                   for r in [p.get_help_record(ctx)] if r is not None]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def _arguments(self, ctx) -> list:
        return [p for p in self.get_params(ctx) if p.param_type_name == "argument"]


def _shown(argument) -> str:
    name = argument.metavar or argument.name.upper()
    return name if argument.required else f"[{name}]"


app = typer.Typer(add_completion=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})
rules_app = typer.Typer(add_completion=False, rich_markup_mode=None,
                        context_settings={"help_option_names": ["-h", "--help"]})


def fail(message: str) -> None:
    raise typer.Exit(cli.fail(message))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"shapecheck {__version__}\n")
        raise typer.Exit()


@app.command(cls=Command)
def check(
    paths: List[str] = typer.Argument(..., metavar="PATH...",
                                      help="Files or folders to check (.py, .ipynb); - reads stdin."),
    input_shape: List[str] = typer.Option(
        [], "--input-shape", "-i", metavar="[NAME=]SHAPE",
        help="Input shape, e.g. 3,32,32 or B,3,32,32; NAME=3,32,32 for one model. Repeatable."),
    args: List[str] = typer.Option(
        [], "--args", metavar='NAME="ARGS"',
        help='Constructor arguments for a model no file builds, as Python: --args \'ResNet=BasicBlock, [2, 2, 2, 2]\'. '
             'Repeatable; replaces that model\'s [tool.shapecheck.args].'),
    output_format: Optional[str] = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help="full (the default on a terminal: a code frame under each finding), text (the default "
             "elsewhere), concise, json, json-lines, junit, gitlab, pylint, rdjson, github or sarif."),
    output_file: Optional[str] = typer.Option(
        None, "--output-file", "-o", metavar="FILE",
        help="Write the report in --format (default text) to FILE; stdout still shows the findings as text."),
    summary: bool = typer.Option(False, "--summary", "-v", help="Show a table per model: layers, blocks and the "
                                                                "operations that change shapes, with parameters, "
                                                                "MACs and memory."),
    batch: int = typer.Option(1, "--batch", metavar="N", min=1,
                              help="The batch size of the summary's MACs and memory (default 1)."),
    depth: Optional[int] = typer.Option(None, "--depth", metavar="N", min=1,
                                        help="Fold the summary's blocks below depth N (default: all rows)."),
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
    annotate: bool = typer.Option(False, "--annotate", help="Print each file with the shape after each "
                                                            "shape-changing line as a `# → B×32×16×16` comment "
                                                            "(nothing is written)."),
    runtime: bool = typer.Option(False, "--runtime", help="Also build each model with torch and run a dummy "
                                                          "input through it (needs shapecheck[runtime])."),
    device: Optional[str] = typer.Option(None, "--device", metavar="DEVICE",
                                         help="Runtime device: cpu, cuda, cuda:N, mps, meta or auto "
                                              "(default: the configured device, else cpu)."),
    dtype: str = typer.Option("float32", "--dtype", metavar="DTYPE",
                              help="Runtime dtype, and the summary's bytes per element: float32, float16 or "
                                   "bfloat16."),
    runtime_timeout: Optional[float] = typer.Option(
        None, "--runtime-timeout", metavar="SECONDS",
        help="Runtime: the seconds a model may take to be built, and to run its input (default: the "
             "configured runtime-timeout, else 30)."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", metavar="PATH",
                                                 help="Name for source read from stdin, in messages and "
                                                      "for the configuration."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", min=1,
                                       help="Check files in N processes (default: one per CPU; "
                                            "used when there are enough files to share)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache of results "
                                                            "(.shapecheck_cache/; `shapecheck clean` removes it)."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Check again whenever a Python file, notebook or "
                                                            "pyproject.toml under the paths' folders changes "
                                                            "(Ctrl-C stops)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Find tensor-shape bugs in PyTorch model code, without running it.

    \b
    Commands (`shapecheck check PATH...` is the same as `shapecheck PATH...`):
      shapecheck rules [--format json]   list the finding codes
      shapecheck rule SHP101             explain one code, with a wrong and a right example
      shapecheck clean [FOLDER]          remove the caches of results under FOLDER
      shapecheck server                  the language server for editors (LSP over stdio)

    \b
    Exit codes:
      0  no error found (or --exit-zero)
      1  errors found
      2  shapecheck could not do what was asked (a bad option, path or configuration)
    """
    arguments = dict(
        paths=paths, input_shape=input_shape, output_format=output_format, summary=summary, exit_zero=exit_zero,
        quiet=quiet, statistics=statistics, select=select, ignore=ignore, force_exclude=force_exclude,
        show_unused_suppressions=show_unused_suppressions, fix=fix, diff=diff, runtime=runtime, device=device,
        dtype=dtype, runtime_timeout=runtime_timeout, stdin_filename=stdin_filename, jobs=jobs, no_cache=no_cache,
        args=args, annotate=annotate, output_file=output_file, batch=batch, depth=depth)
    raise typer.Exit(cli.watch(arguments) if watch else cli.check(**arguments))


@rules_app.command("rule", cls=Command)
def rule(code: str = typer.Argument(..., metavar="CODE", help="A finding code such as SHP101."),
         output_format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json.")) -> None:
    """Print the documentation of one finding code."""
    found = CATALOGUE.get(code.upper())
    if found is None:
        fail(f"unknown code {code!r}; `shapecheck rules` lists them")
    if _catalogue_format(output_format) == "json":
        _write_json(_rule_object(found))
    else:
        sys.stdout.write(found.documentation() + "\n")


@rules_app.command("rules", cls=Command)
def rules(output_format: str = typer.Option("text", "--format", "-f", metavar="FORMAT",
                                            help="text (a line per code) or json (every field of each).")) -> None:
    """List every finding code with its summary."""
    if _catalogue_format(output_format) == "json":
        _write_json([_rule_object(r) for r in CATALOGUE.values()])
        return
    for r in CATALOGUE.values():
        sys.stdout.write(f"{r.code}  {r.severity:<7}  {r.name:<22} {r.summary}\n")


def _catalogue_format(output_format: str) -> str:
    if output_format not in ("text", "json"):
        fail(f"unknown --format {output_format!r}; choose text or json")
    return output_format


def _rule_object(r) -> dict:
    """A catalogue entry as JSON: code, name, severity, summary, explanation, the wrong (``bad``)
    and right (``good``) examples, and whether --fix can fix it."""
    from dataclasses import asdict

    return {**asdict(r), "bad": r.bad.lstrip("\n"), "good": r.good.lstrip("\n")}


def _write_json(value) -> None:
    import json

    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


@rules_app.command("clean", cls=Command)
def clean(folder: str = typer.Argument(".", metavar="FOLDER",
                                       help="The folder to clean (default: the current folder).")) -> None:
    """Remove shapecheck's caches (.shapecheck_cache/) under a folder, and $SHAPECHECK_CACHE_DIR."""
    from pathlib import Path

    from .cache import ENVIRONMENT, remove_caches

    if not Path(folder).is_dir():
        fail(f"{folder}: no such folder")
    removed = remove_caches(Path(folder))
    configured = os.environ.get(ENVIRONMENT)
    if configured and Path(configured).is_dir():
        removed += remove_caches(Path(configured))
    for path in removed:
        sys.stdout.write(f"removed {path}\n")
    if not removed:
        sys.stdout.write("no cache to remove\n")


@rules_app.command("server", cls=Command)
def server(stdio: bool = typer.Option(True, "--stdio", help="Speak over stdin and stdout (the only way; "
                                                            "accepted because clients pass it).")) -> None:
    """Run the language server (LSP over stdio) for editors: findings as you type, shapes on hover."""
    try:
        from ..server.app import serve
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        fail("shapecheck server needs pygls: pip install 'shapecheck[server]'")
    serve()


# click's own usage errors (an unknown option, a missing argument) share one base class
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def run(argv: List[str]) -> int:
    """The command line through typer: its exit status."""
    from pathlib import Path

    command = rules_app if argv and argv[0] in cli.SUBCOMMANDS and not Path(argv[0]).exists() else app
    try:
        status = command(args=argv, prog_name="shapecheck", standalone_mode=False)
    except _USAGE_ERROR as e:
        where = getattr(getattr(e, "ctx", None), "command_path", None) or "shapecheck"
        sys.stderr.write(f"shapecheck: error: {e.format_message()} (see {where} --help)\n")
        status = cli.EXIT_TOOL
    except typer.Abort:
        sys.stderr.write("shapecheck: aborted\n")
        status = cli.EXIT_TOOL
    return status or 0
