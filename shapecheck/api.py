"""Checking one source text or one file: the whole static pipeline, and never a traceback.

``analyse_*`` give everything the static pass found, with the file's suppression comments beside
it (the command line adds the runtime mode's findings, then finishes all of them at once);
``check_*`` are the same, finished (`finishing.finish`): what a user of the library sees."""

from __future__ import annotations

import ast
import re
import traceback
from pathlib import Path
from typing import Dict, Optional

from . import notebook, suppressions
from .diagnostics import Diagnostic, Span
from .analysis.models import Checker, InputSpec, check_entries, comment_inputs, discover, reports
from .finishing import CodeSelection, finish
from .practices import check_practices
from .results import FileResult
from .source import SourceError, decode, read_source

Inputs = Optional[Dict[Optional[str], InputSpec]]


def check_source(source: str, path: str = "<stdin>", inputs: Inputs = None, *,
                 selection: Optional[CodeSelection] = None, unused_suppressions: bool = False) -> FileResult:
    """Findings and model reports for Python source text.  ``inputs`` maps a model name (or None
    for every model) to an input shape given by the user.  Findings covered by a suppression
    comment, or by ``selection``, are left out; ``unused_suppressions`` adds an SHP905 note for
    each suppression that covered nothing."""
    return finish(analyse_source(source, path, inputs), selection, unused_suppressions)


def check_path(path: str, inputs: Inputs = None, *, selection: Optional[CodeSelection] = None,
               unused_suppressions: bool = False) -> FileResult:
    """check_source for a .py file or a notebook."""
    return finish(analyse_path(path, inputs), selection, unused_suppressions)


def check_text(text: str, path: str, inputs: Inputs = None, *, selection: Optional[CodeSelection] = None,
               unused_suppressions: bool = False) -> FileResult:
    """check_source for Python source, or a notebook's JSON when ``path`` ends in .ipynb."""
    return finish(analyse_text(text, path, inputs), selection, unused_suppressions)


def analyse_source(source: str, path: str = "<stdin>", inputs: Inputs = None) -> FileResult:
    """Everything the static pass finds in Python source, unfiltered, and its suppression comments."""
    result = _analyse(source, path, inputs)
    result.suppressions = suppressions.read(source)
    return result


def _analyse(source: str, path: str, inputs: Inputs) -> FileResult:
    result = FileResult(path)
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as e:
        line = e.lineno or 1
        column = e.offset or 1
        result.diagnostics.append(Diagnostic(path, Span(line, column, line, column), "SHP901",
                                             f"syntax error: {e.msg}"))
        return result
    except (ValueError, RecursionError, MemoryError) as e:
        result.diagnostics.append(Diagnostic(path, Span(1, 1, 1, 1), "SHP901", f"cannot parse: {e}"))
        return result
    if not _mentions_torch(source):
        return result
    try:
        checker = Checker(path, source, tree)
        checker.interp.run_module()
        discover(checker)
        check_entries(checker, inputs or {}, comment_inputs(checker.interp.source.lines))
        result.models = reports(checker)
        findings = list(checker.diagnostics.values()) + check_practices(tree, source, path)
        result.diagnostics = sorted(findings, key=lambda d: d.sort_key)
    except RecursionError:
        result.diagnostics = [Diagnostic(path, Span(1, 1, 1, 1), "SHP904",
                                         "the file nests too deeply to analyse; nothing was checked")]
    except Exception as e:  # a bug in shapecheck: one finding, never a traceback
        where = traceback.extract_tb(e.__traceback__)[-1]
        result.diagnostics = [Diagnostic(path, Span(1, 1, 1, 1), "SHP999",
                                         f"internal error {type(e).__name__}: {e} "
                                         f"(at {Path(where.filename).name}:{where.lineno})")]
    return result


_TORCH_WORDS = re.compile(r"\btorch\b|\bnn\.")


def _mentions_torch(source: str) -> bool:
    """Files that never name torch or nn hold no model: parsing them is all there is to do."""
    return _TORCH_WORDS.search(source) is not None



def analyse_path(path: str, inputs: Inputs = None) -> FileResult:
    """analyse_text for a file on disk (one that cannot be read is an SHP901 finding)."""
    try:
        source = read_source(Path(path))
    except SourceError as e:
        return _unreadable(path, str(e))
    return analyse_text(source, path, inputs)


def analyse_bytes(data: bytes, path: str, inputs: Inputs = None) -> FileResult:
    """analyse_path for the bytes of a file already read."""
    try:
        source = decode(data)
    except SourceError as e:
        return _unreadable(path, str(e))
    return analyse_text(source, path, inputs)


def analyse_text(text: str, path: str, inputs: Inputs = None) -> FileResult:
    """analyse_source for Python source, or a notebook's JSON when ``path`` ends in .ipynb (lines
    then counted in cells)."""
    if not path.endswith(".ipynb"):
        return analyse_source(text, path, inputs)
    try:
        program = notebook.read(text)
    except notebook.NotebookError as e:
        return _unreadable(path, str(e))
    result = analyse_source(program.source, path, inputs)
    result.diagnostics = [notebook.map_diagnostic(d, program) for d in result.diagnostics]
    result.suppressions = tuple(notebook.map_suppression(s, program) for s in result.suppressions)
    return result


def _unreadable(path: str, reason: str) -> FileResult:
    return FileResult(path, diagnostics=[Diagnostic(path, Span(1, 1, 1, 1), "SHP901", reason)])
