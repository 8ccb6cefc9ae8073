"""The command line: the run over files, exit codes (0 clean, 1 errors found, 2 tool error).

`main` checks a plain command line (paths and simple options, what a pre-commit hook passes) without
importing typer, which costs more than checking a file; everything else, --help included, goes
through the typer app in `commands`, which calls the same `check`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Tuple

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2


class ToolError(Exception):
    """What the user asked cannot be done; one line, exit 2."""


def fail(message: str) -> int:
    sys.stderr.write(f"shapecheck: error: {message}\n")
    return EXIT_TOOL


def parse_inputs(specs: List[str]):
    from ..inputs import parse_input_spec

    inputs: Dict[Optional[str], object] = {}
    for spec in specs:
        name, _, shape = spec.rpartition("=")
        try:
            inputs[name or None] = parse_input_spec(shape, "--input-shape")
        except ValueError as e:
            raise ToolError(f"--input-shape {spec!r}: {e}") from None
    return inputs


def parse_args(specs: List[str]) -> Dict[str, str]:
    """--args 'ResNet=BasicBlock, [2, 2, 2, 2]' -> {"ResNet": "BasicBlock, [2, 2, 2, 2]"}."""
    import ast

    stated: Dict[str, str] = {}
    for spec in specs:
        name, _, text = spec.partition("=")
        name = name.strip()
        if not name.isidentifier():
            raise ToolError(f"--args {spec!r}: expected NAME=ARGUMENTS, e.g. 'Net=num_classes=10'")
        try:
            ast.parse(f"f({text})", mode="eval")
        except SyntaxError:
            raise ToolError(f"--args {spec!r}: {text!r} are not Python call arguments") from None
        stated[name] = text.strip()
    return stated


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
    jobs: int = 1
    cache: object = None  # cache.ResultCache, or None with --no-cache
    args: Dict[str, str] = field(default_factory=dict)  # from --args
    figures: bool = True  # the summary's rows, MACs and memory: --summary and JSON show them, the others do not
    shapes: bool = True  # the shape of each line: --annotate and the editor show it, the other outputs do not
    stdin: dict = field(default_factory=dict, compare=False)  # name -> the source read from stdin

    def options(self, path: str) -> dict:
        """analyse_path's arguments for one file: the command line overriding the configuration."""
        from ..analysis.project_check import context_for

        return {"inputs": inputs_for(self.config.inputs_for(path), self.inputs),
                "project": context_for(path),
                "args": self.args_for(path), "figures": self.figures, "shapes": self.shapes}

    def args_for(self, path: str) -> Dict[str, str]:
        """Constructor arguments by model name: --args over [tool.shapecheck.args]."""
        return {**self.config.args_for(path), **self.args}

    def finish(self, result):
        """The one finishing stage for a file's findings from every producer (static, practices,
        runtime, fix): suppressions, the codes selected for that file, the order."""
        from ..finishing import finish

        return finish(result, self.config.selection(result.path, self.select, self.ignore), self.unused_suppressions)


def inputs_for(configured: Dict[Optional[str], object], given: Dict[Optional[str], object]) -> Dict:
    """A shape for every model on the command line replaces all configured shapes; a shape for one
    model replaces that model's."""
    merged = {} if None in given else dict(configured)
    merged.update(given)
    return merged


def check(paths: List[str], input_shape: Sequence[str] = (), output_format: Optional[str] = None, *,
          summary: bool = False, exit_zero: bool = False, quiet: bool = False, statistics: bool = False,
          select: Optional[str] = None, ignore: Optional[str] = None, force_exclude: bool = False,
          show_unused_suppressions: bool = False, fix: bool = False, diff: bool = False, runtime: bool = False,
          device: Optional[str] = None, dtype: str = "float32", runtime_timeout: Optional[float] = None,
          stdin_filename: Optional[str] = None, jobs: Optional[int] = None, no_cache: bool = False,
          args: Sequence[str] = (), annotate: bool = False, output_file: Optional[str] = None,
          batch: int = 1, depth: Optional[int] = None) -> int:
    """The check command (its options are documented in `commands.check`); returns the exit status."""
    from ..report import FORMATS
    from ..rules.cost import BYTES

    if output_format is not None and output_format not in FORMATS:
        return fail(f"unknown --format {output_format!r}; choose one of {', '.join(FORMATS)}")
    if dtype.removeprefix("torch.") not in BYTES:
        return fail(f"unknown --dtype {dtype!r}; choose one of {', '.join(BYTES)}")
    if output_file and (annotate or diff or fix and "-" in paths):
        warn("--output-file is not written with --annotate, --diff or --fix of stdin, which print to stdout")
    try:
        config = _load_config(paths, stdin_filename)
        run = Run(config, parse_inputs(list(input_shape)), parse_codes(select, "--select"),
                  parse_codes(ignore, "--ignore"), force_exclude, show_unused_suppressions,
                  jobs or default_jobs(), None if no_cache else _cache(config), parse_args(list(args)),
                  figures=summary or output_format == "json", shapes=annotate)
        results = _check_all(paths, run, stdin_filename)
        _warn_of_ignored(results, run, paths)
        if annotate:
            return _print_annotated(results, run)
        if diff:
            return _show_diffs(results, run)
        if fix and run.stdin:
            return _fix_stdin(results, run, output_format, exit_zero)
        if fix:
            results = _fix_all(results, run)
        if runtime:
            _run_models(results, run, device or run.config.device or "cpu", dtype,
                        run.config.runtime_timeout if runtime_timeout is None else runtime_timeout)
    except ToolError as e:
        return fail(str(e))
    results = [run.finish(r) for r in results]
    if quiet:
        results = [replace(r, diagnostics=[d for d in r.diagnostics if d.severity == "error"]) for r in results]
    try:
        _report(results, output_format, output_file, summary=summary, quiet=quiet, statistics=statistics,
                batch=batch, depth=depth, dtype=dtype)
    except ToolError as e:
        return fail(str(e))
    errors = any(d.severity == "error" for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN


def watch(arguments: dict) -> int:
    """--watch: `check(**arguments)`, then again after each change to a Python file, a notebook or a
    pyproject.toml under the folders of the paths, until Ctrl-C (exit 0)."""
    if "-" in arguments["paths"]:
        return fail("--watch checks files; it cannot read stdin")
    try:
        import watchfiles  # noqa: F401
    except ModuleNotFoundError:
        return fail("--watch needs watchfiles: pip install 'shapecheck[watch]'")
    folders = _watched_folders(arguments["paths"])
    if not folders:
        return check(**arguments)  # nothing there to watch: the check says why
    try:
        _check_on_changes(folders, arguments)
    except KeyboardInterrupt:
        pass
    return EXIT_CLEAN


def _check_on_changes(folders: List[str], arguments: dict) -> None:
    """The first check once the watcher runs (its first, empty, yield), so that no change made after
    the first report is missed; then a check after each batch of changes."""
    import signal
    import threading

    import watchfiles

    stop = threading.Event()  # Ctrl-C sets it: the watcher ends at its next tick (a second Ctrl-C at once)

    def interrupted(*_) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        _each_change(arguments, watchfiles.watch(
            *folders, watch_filter=SourceChange(), rust_timeout=WATCH_TICK_MS, yield_on_timeout=True,
            stop_event=stop, raise_interrupt=False), stop)
    finally:
        signal.signal(signal.SIGINT, previous)


def _each_change(arguments: dict, batches, stop) -> None:
    watching = False
    for changes in batches:
        if stop.is_set():
            return
        if watching and not changes:
            continue
        if watching:
            changed = sorted({os.path.relpath(path) for _, path in changes})
            sys.stderr.write(f"shapecheck: {', '.join(changed)} changed; checking again\n")
        check(**arguments)
        sys.stdout.flush()
        if not watching:
            sys.stderr.write("shapecheck: watching for changes (Ctrl-C stops)\n")
            watching = True


WATCH_TICK_MS = 200


def _watched_folders(paths: Sequence[str]) -> List[str]:
    """The folders named, and those of the files named, without those inside another."""
    folders = sorted({os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
                      for p in paths if os.path.exists(p)})
    return [f for f in folders if not any(f.startswith(other.rstrip(os.sep) + os.sep) for other in folders)]


class SourceChange:
    """What --watch checks again for: a Python file, a notebook or a pyproject.toml, outside the
    folders watchfiles ignores (.git, .venv, __pycache__, ...)."""

    def __init__(self) -> None:
        import watchfiles

        self.outside_ignored = watchfiles.DefaultFilter()

    def __call__(self, change, path: str) -> bool:
        relevant = path.endswith((".py", ".ipynb")) or os.path.basename(path) == "pyproject.toml"
        return relevant and self.outside_ignored(change, path)


def terminal_format() -> str:
    """The format for standard output when --format is not given: `full` (code frames) on a
    terminal, `text` elsewhere, so that pipes, files, CI logs and pre-commit see one line a finding."""
    try:
        return "full" if sys.stdout.isatty() else "text"
    except (AttributeError, ValueError):
        return "text"


def _report(results, output_format: Optional[str], output_file: Optional[str], **options) -> None:
    """The findings on standard output in ``output_format``; with --output-file, in that format
    (default text) to the file, and on standard output as text (full on a terminal) for whoever
    watches the run."""
    from pathlib import Path

    from ..report import render

    if output_file is None:
        render(output_format or terminal_format(), results, sys.stdout, **options)
        return
    path = Path(output_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            render(output_format or "text", results, stream, **options)
    except OSError as e:
        raise ToolError(f"--output-file {output_file}: cannot write it: {e.strerror or e}") from None
    render(terminal_format(), results, sys.stdout, **options)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cache(config):
    from .cache import ResultCache, default_directory

    return ResultCache.for_directory(default_directory(config.root))


def _fixable_files(results, run: Run):
    """(result, bytes read (None for stdin), fix outcome) for each checked file that has something to fix."""
    from pathlib import Path

    from ..api import analyse_text
    from ..report.fix import fix_source, fixable
    from ..source import SourceError, decode

    for result in results:
        if not result.path.endswith((".py", ".ipynb")) and result.path not in run.stdin \
                or not fixable(run.finish(result).diagnostics):
            continue
        try:
            if result.path in run.stdin:
                data, source = None, run.stdin[result.path]
            else:
                data = Path(result.path).read_bytes()
                source = decode(data)
        except (OSError, SourceError):
            continue
        check = lambda text, path: run.finish(analyse_text(text, path, **run.options(path)))  # noqa: E731
        outcome = fix_source(source, result.path, check, notebook=result.path.endswith(".ipynb"))
        if outcome.applied:
            yield result, data, outcome


def _print_annotated(results, run: Run) -> int:
    """--annotate: each file with the shape after each shape-changing line; nothing written."""
    from ..api import analyse_source
    from ..report.annotate import annotate

    for result in results:
        source = run.stdin.get(result.path) if result.path in run.stdin else _source_of(result.path)
        if source is None:
            continue
        if len(results) > 1:
            sys.stdout.write(f"==> {result.path} <==\n")
        sys.stdout.write(annotate(source, analyse_source(source, result.path, **run.options(result.path))))
    return EXIT_CLEAN


def _source_of(path: str) -> Optional[str]:
    """A .py file's text for --annotate (a notebook or an unreadable file: a warning, None)."""
    from pathlib import Path

    from ..source import SourceError, read_source

    if path.endswith(".ipynb"):
        warn(f"{path}: --annotate prints .py files; skipped")
        return None
    try:
        return read_source(Path(path))
    except SourceError as e:
        warn(f"{path}: {e}")
        return None


def _show_diffs(results, run: Run) -> int:
    count, outcomes = 0, {}
    for result, _, outcome in _fixable_files(results, run):
        sys.stdout.write(outcome.diff())
        count += len(outcome.applied)
        outcomes[result.path] = outcome
    _say_not_fixed(results, outcomes, run)
    sys.stderr.write(f"Would fix {count} finding{'s' * (count != 1)}.\n" if count else "Nothing to fix.\n")
    return EXIT_FINDINGS if count else EXIT_CLEAN


NO_CERTAIN_VALUE = "shapecheck knows no single right value to write here (the message says what is wrong)"


def _say_not_fixed(results, outcomes: dict, run: Run) -> None:
    """One line on stderr per error --diff/--fix leave as it is, and why."""
    from ..report.concise_format import location

    for result in results:
        left = outcomes[result.path].left if result.path in outcomes else run.finish(result).diagnostics
        for d in left:
            if d.severity == "error" and d.fix is None and not d.code.startswith("SHP9"):
                sys.stderr.write(f"{location(d)}: {d.code} not fixed: {d.not_fixed or NO_CERTAIN_VALUE}\n")


def _fix_stdin(results, run: Run, output_format: Optional[str], exit_zero: bool) -> int:
    """`shapecheck - --fix`, as editors call it (and as ruff does): the fixed source on stdout, the
    findings left on stderr; nothing is written."""
    from ..api import analyse_text
    from ..report import render

    fixed = {result.path: outcome for result, _, outcome in _fixable_files(results, run)}
    for name, text in run.stdin.items():
        sys.stdout.write(fixed[name].fixed if name in fixed else text)
    results = [run.finish(analyse_text(fixed[r.path].fixed, r.path, **run.options(r.path)) if r.path in fixed else r)
               for r in results]
    render(output_format or "text", results, sys.stderr)
    errors = any(d.severity == "error" for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN


def _fix_all(results, run: Run):
    """Write the fixes, then report what is left in the rewritten files (a file changed meanwhile
    is left as it is now, and checked as it is now)."""
    from pathlib import Path

    from ..api import analyse_path
    from ..report.fix import ChangedMeanwhile, NotWritten, write_fixed

    fixed, touched, count = {}, set(), 0
    for result, data, outcome in _fixable_files(results, run):
        try:
            write_fixed(Path(result.path), data, outcome.fixed)
        except ChangedMeanwhile as e:
            warn(f"{result.path}: {e}")
            touched.add(result.path)
            continue
        except NotWritten as e:
            raise ToolError(f"{result.path}: {e}") from None
        fixed[result.path] = outcome
        count += len(outcome.applied)
    _say_not_fixed(results, fixed, run)
    if count:
        sys.stderr.write(f"Fixed {count} finding{'s' * (count != 1)} in {len(fixed)} "
                         f"file{'s' * (len(fixed) != 1)}.\n")
    return [analyse_path(r.path, **run.options(r.path)) if r.path in fixed or r.path in touched else r
            for r in results]


def _run_models(results, run: Run, device: str, dtype: str, seconds: Optional[float]) -> None:
    from ..runtime import run as runtime
    from ..runtime.child import DEFAULT_SECONDS, Limits
    from ..runtime.compare import run_all

    try:
        runtime.load_torch()
        resolved = runtime.resolve_device(device)
        runtime.check_dtype(dtype)
    except runtime.RuntimeUnavailable as e:
        raise ToolError(str(e)) from None
    if seconds is not None and not 0 < seconds < float("inf"):
        raise ToolError(f"--runtime-timeout {seconds:g}: give a number of seconds above 0")
    run_all(results, resolved, dtype, run.args_for, Limits(DEFAULT_SECONDS if seconds is None else seconds))


def _warn_of_ignored(results, run: Run, paths: Sequence[str]) -> None:
    from . import ignored

    folders = any(os.path.isdir(p) for p in paths if p != "-")
    for warning in ignored.warnings(results, run.inputs, run.config, folders):
        warn(warning)


def warn(message: str) -> None:
    """One line on stderr for something the run ignores; the exit status does not change."""
    sys.stderr.write(f"shapecheck: warning: {message}\n")


def _load_config(paths: Sequence[str], stdin_filename: Optional[str]):
    from .config import ConfigError, from_paths

    try:
        config = from_paths(paths, stdin_filename)
    except ConfigError as e:
        raise ToolError(str(e)) from None
    for warning in config.warnings:
        warn(warning)
    return config


def _check_all(paths: List[str], run: Run, stdin_filename: Optional[str]):
    from ..analysis.project_check import forget
    from ..api import analyse_bytes
    from .batch import check_files
    from ..source import find_files, once

    forget()
    results = []
    named = [p for p in paths if p != "-"]
    try:
        each = find_files(named, run.config.is_excluded, run.force_exclude)
    except FileNotFoundError as e:
        raise ToolError(f"{e.args[0]}: no such file or folder") from None
    for name, found in each:
        if not found:
            warn(f"no Python files found under {name}")
    files = once(path for _, found in each for path in found)  # m.py and /abs/m.py are one file
    if "-" in paths:
        name = stdin_filename or "<stdin>"
        if not (stdin_filename and run.force_exclude and run.config.is_excluded(stdin_filename)):
            data = sys.stdin.buffer.read()
            results.append(analyse_bytes(data, name, **run.options(name)))  # binary: SHP901
            _keep_stdin(run, name, data)
    results.extend(check_files([str(path) for path in files], run.options, run.jobs, run.cache))
    return _with_calls_into_unchecked_files(results)


def _keep_stdin(run: Run, name: str, data: bytes) -> None:
    """The source read from stdin, for --diff and --fix, which have no file to read it again from."""
    from ..source import SourceError, decode

    try:
        run.stdin[name] = decode(data)
    except SourceError:
        pass


def _with_calls_into_unchecked_files(results):
    """A call that feeds another file's model the wrong input is reported at the call when that
    file is not checked in this run (when it is, its own result reports the error where it is)."""
    from ..diagnostics import Diagnostic  # noqa: F401  (the type of the findings added)

    checked = {os.path.abspath(r.path) for r in results}
    for result in results:
        added = [d for cause, d in result.elsewhere if os.path.abspath(cause) not in checked]
        if added:
            result.diagnostics = sorted(result.diagnostics + added, key=lambda d: d.sort_key)
    return results


# The plain command line, parsed as typer parses it

FLAGS = {"--summary": "summary", "-v": "summary", "--exit-zero": "exit_zero", "--quiet": "quiet", "-q": "quiet",
         "--statistics": "statistics", "--force-exclude": "force_exclude",
         "--show-unused-suppressions": "show_unused_suppressions", "--no-cache": "no_cache",
         "--annotate": "annotate", "--watch": "watch", "-w": "watch"}
VALUES = {"--format": "output_format", "-f": "output_format", "--select": "select", "--ignore": "ignore",
          "--stdin-filename": "stdin_filename", "--jobs": "jobs", "-j": "jobs",
          "--input-shape": "input_shape", "-i": "input_shape", "--args": "args",
          "--output-file": "output_file", "-o": "output_file"}
SUBCOMMANDS = ("rule", "rules", "clean", "server")


def plain_arguments(argv: Sequence[str]) -> Optional[dict]:
    """`check`'s arguments for a command line of paths, flags and `--option value` pairs, exactly
    as typer would pass them; None for anything else (--help, --version, --fix, --runtime, a
    subcommand, `--option=value`, a value that typer would reject), which typer then handles."""
    arguments: dict = {"paths": [], "input_shape": [], "args": []}
    words = iter(argv)
    for word in words:
        if word == "-" or not word.startswith("-"):
            arguments["paths"].append(word)
        elif word in FLAGS:
            arguments[FLAGS[word]] = True
        elif word in VALUES:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            if VALUES[word] in ("input_shape", "args"):
                arguments[VALUES[word]].append(value)
            else:
                arguments[VALUES[word]] = value
        else:
            return None
    if not arguments["paths"] or arguments["paths"][0] in SUBCOMMANDS:
        return None
    if "jobs" in arguments:
        if not (arguments["jobs"].isascii() and arguments["jobs"].isdigit() and int(arguments["jobs"]) >= 1):
            return None
        arguments["jobs"] = int(arguments["jobs"])
    return arguments


def _plain_check(arguments: dict) -> int:
    """`check` with what typer's runner does around a command: Ctrl-C is status 130, a closed pipe
    status 1 without a traceback."""
    try:
        return watch(arguments) if arguments.pop("watch", False) else check(**arguments)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        sys.stderr.write("\nshapecheck: aborted\n")
        return EXIT_TOOL
    except BrokenPipeError:
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        return 1


def main(argv: Optional[List[str]] = None) -> None:
    """The `shapecheck` command; exits with its status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["-V"], ["--version"]):
        from .. import __version__

        sys.stdout.write(f"shapecheck {__version__}\n")
        raise SystemExit(0)
    if argv[:1] == ["check"]:  # ruff's habit: `shapecheck check PATH` is the plain form
        argv = argv[1:]
    arguments = None if "_SHAPECHECK_COMPLETE" in os.environ else plain_arguments(argv)
    if arguments is not None:
        raise SystemExit(_plain_check(arguments))
    from .commands import run

    raise SystemExit(run(argv))
