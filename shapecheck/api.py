"""Checking one source text or one file: the whole static pipeline, and never a traceback.

``analyse_*`` give everything the static pass found, with the file's suppression comments beside
it (the command line adds the runtime mode's findings, then finishes all of them at once);
``check_*`` are the same, finished (`finishing.finish`): what a user of the library sees."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional

from . import notebook, suppressions
from .diagnostics import Code, Diagnostic, Span, internal_error_message, internal_errors_raise
from .analysis.models import Checker, check_entries, find_models, reports, shapes_seen
from .analysis.project_check import (ProjectContext, dependencies, loader_for, own_findings, parse_checked,
                                      run_importers)
from .finishing import CodeSelection, finish
from .inputs import InputSpec, comment_inputs
from .practices import check_practices
from .results import FileResult
from .source import SourceError, decode, read_source

Inputs = Optional[Dict[Optional[str], InputSpec]]


def check_source(source: str, path: str = "<stdin>", inputs: Inputs = None, *,
                 selection: Optional[CodeSelection] = None, unused_suppressions: bool = False,
                 **context) -> FileResult:
    """Findings and model reports for Python source text.  ``inputs`` maps a model name (or None
    for every model) to an input shape given by the user; ``context`` is analyse_source's
    ``project`` and ``args``.  Findings covered by a suppression comment, or by ``selection``, are
    left out; ``unused_suppressions`` adds an SHP905 note for each suppression that covered nothing."""
    return finish(analyse_source(source, path, inputs, **context), selection, unused_suppressions)


def check_path(path: str, inputs: Inputs = None, *, selection: Optional[CodeSelection] = None,
               unused_suppressions: bool = False, **context) -> FileResult:
    """check_source for a .py file or a notebook."""
    return finish(analyse_path(path, inputs, **context), selection, unused_suppressions)


def check_text(text: str, path: str, inputs: Inputs = None, *, selection: Optional[CodeSelection] = None,
               unused_suppressions: bool = False, **context) -> FileResult:
    """check_source for Python source, or a notebook's JSON when ``path`` ends in .ipynb."""
    return finish(analyse_text(text, path, inputs, **context), selection, unused_suppressions)


def analyse_source(source: str, path: str = "<stdin>", inputs: Inputs = None, *,
                   project: Optional[ProjectContext] = None, args: Optional[Dict[str, str]] = None,
                   figures: bool = True, shapes: bool = True) -> FileResult:
    """Everything the static pass finds in Python source, unfiltered, and its suppression comments.
    ``args`` maps a model name to constructor arguments (Python source) for a model no file builds.
    ``figures=False`` leaves out what only the summary shows: each layer's MACs and memory (None)
    and the rows of blocks and operations (a model's ``rows`` are empty, its ``layers`` stand for
    them); ``shapes=False`` leaves out the shape of each line (``shapes``), which only
    ``--annotate`` and the editor show.
    With ``project``, the file's imports of the project's own modules are followed and the
    project's files that import it are read as evidence; only the file's own findings and models
    are kept (``FileResult.elsewhere`` holds the errors its calls cause in other files)."""
    result = _analyse(source, path, inputs, project, args or {}, figures, shapes)
    result.suppressions = suppressions.read(source)
    return result


def _analyse(source: str, path: str, inputs: Inputs, project: Optional[ProjectContext],
             args: Dict[str, str], figures: bool, shapes: bool) -> FileResult:
    result = FileResult(path)
    try:
        tree = parse_checked(project, path, source)
    except SyntaxError as e:
        line = e.lineno or 1
        column = e.offset or 1
        result.diagnostics.append(Diagnostic(path, Span(line, column, line, column), Code.SYNTAX_ERROR,
                                             f"syntax error: {e.msg}"))
        return result
    except (ValueError, RecursionError, MemoryError) as e:
        result.diagnostics.append(Diagnostic(path, Span(1, 1, 1, 1), Code.SYNTAX_ERROR, f"cannot parse: {e}"))
        return result
    if not _mentions_torch(source):
        return result
    try:
        loader = loader_for(project, path)
        checker = Checker(path, source, tree, modules=loader, figures=figures, shapes=shapes)
        checker.stated_args = args
        if loader is not None:
            loader.register_main(checker.interp)
        module = checker.interp.run_module()
        importers = loader is not None and run_importers(checker, loader, module)
        find_models(checker, module)
        check_entries(checker, inputs or {}, comment_inputs(checker.interp.source.lines, path))
        result.models = [m for m in reports(checker) if m.path == path]
        result.shapes = shapes_seen(checker)
        own, result.elsewhere = own_findings(checker, path)
        findings = own + check_practices(tree, source, path)
        result.diagnostics = sorted(findings, key=lambda d: d.sort_key)
        if loader is not None:
            result.depends = dependencies(loader, importers)
    except RecursionError:
        result.diagnostics = [Diagnostic(path, Span(1, 1, 1, 1), Code.NOT_ANALYSED,
                                         "the file nests too deeply to analyse; nothing was checked")]
    except Exception as e:  # a bug in shapecheck: one finding, never a traceback
        if internal_errors_raise():
            raise
        result.diagnostics = [Diagnostic(path, Span(1, 1, 1, 1), Code.INTERNAL_ERROR, internal_error_message(e))]
    return result


_TORCH_WORDS = re.compile(r"\btorch(?:vision)?\b|\bnn\.")


def _mentions_torch(source: str) -> bool:
    """Files that never name torch, torchvision or nn hold no model: parsing them is all there is to do."""
    return _TORCH_WORDS.search(source) is not None



def analyse_path(path: str, inputs: Inputs = None, **context) -> FileResult:
    """analyse_text for a file on disk (one that cannot be read is an SHP901 finding)."""
    try:
        source = read_source(Path(path))
    except SourceError as e:
        return _unreadable(path, str(e))
    return analyse_text(source, path, inputs, **context)


def analyse_bytes(data: bytes, path: str, inputs: Inputs = None, **context) -> FileResult:
    """analyse_path for the bytes of a file already read."""
    try:
        source = decode(data)
    except SourceError as e:
        return _unreadable(path, str(e))
    return analyse_text(source, path, inputs, **context)


def analyse_text(text: str, path: str, inputs: Inputs = None, **context) -> FileResult:
    """analyse_source for Python source, or a notebook's JSON when ``path`` ends in .ipynb (lines
    then counted in cells)."""
    if not path.endswith(".ipynb"):
        return analyse_source(text, path, inputs, **context)
    try:
        program = notebook.read(text)
    except notebook.NotebookError as e:
        return _unreadable(path, str(e))
    result = analyse_notebook(program, path, inputs, **context)
    if result.diagnostics:
        result.diagnostics = _in_the_file(result.diagnostics, text)
    return result


def analyse_notebook(program: notebook.Program, path: str, inputs: Inputs = None, **context) -> FileResult:
    """analyse_source for a notebook's cells as one program, everything then placed in its cell."""
    result = analyse_source(program.source, path, inputs, **context)
    result.diagnostics = [notebook.map_diagnostic(d, program) for d in result.diagnostics]
    result.elsewhere = [(cause, notebook.map_diagnostic(d, program)) for cause, d in result.elsewhere]
    result.suppressions = tuple(notebook.map_suppression(s, program) for s in result.suppressions)
    result.models = [notebook.map_model(m, program) for m in result.models]
    result.shapes = tuple(notebook.map_shape(s, program) for s in result.shapes)
    return result


def _in_the_file(diagnostics, text: str):
    """A notebook's findings with their place and fix in the .ipynb file's own lines as well."""
    from dataclasses import replace

    from .notebook_json import SourceMap

    try:
        where = SourceMap(text)
    except (ValueError, IndexError, RecursionError):
        return diagnostics
    return [replace(d, file_span=where.span(d.cell, d.span), file_fix=where.fix(d.cell, d.fix) if d.fix else None)
            if d.cell is not None else d for d in diagnostics]


def _unreadable(path: str, reason: str) -> FileResult:
    return FileResult(path, diagnostics=[Diagnostic(path, Span(1, 1, 1, 1), Code.SYNTAX_ERROR, reason)])
