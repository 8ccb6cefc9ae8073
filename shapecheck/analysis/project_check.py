"""Checking one file as a part of its project: the imports it makes are followed, the project's
files that import it are run as the programs that build and feed its models, and of all that, only
the findings and models of the checked file itself are kept (the other files are context; they are
reported when they are checked themselves).

A model of another file that fails on what this file gives it is reported at this file's call, as
SHP203, for the run in which that other file is not checked too (``FileResult.elsewhere``, which
the command line keeps or drops once it knows every checked file).
"""

from __future__ import annotations

import ast
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..diagnostics import Code, Diagnostic, Message
from . import pretrained
from .hooks import ModuleRun
from .imports import ModuleLoader
from .project import Project, find_root
from .values import Instance


@dataclass(frozen=True)
class ProjectContext:
    """What a check needs to read a file's project: its root (plain data, for the workers and the
    cache key)."""

    root: str


_PROJECTS: Dict[str, Project] = {}
_ROOTS: Dict[str, str] = {}
IMPORTERS = "<importers>"  # the dependency that stands for the set of files that may import the checked one


def context_for(path: str) -> Optional[ProjectContext]:
    """The project of a file named on the command line (None for stdin)."""
    if path.startswith("<"):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    root = _ROOTS.get(folder)
    if root is None:
        root = _ROOTS[folder] = str(find_root(Path(folder)))
    return ProjectContext(root)


def forget() -> None:
    """A new run: files may have changed since the last one in this process."""
    _PROJECTS.clear()
    _ROOTS.clear()


def project_for(context: ProjectContext) -> Project:
    """One Project per root and process: each file read and parsed once per process (and again
    only when it changed on disk)."""
    project = _PROJECTS.get(context.root)
    if project is None:
        project = _PROJECTS[context.root] = Project(Path(context.root))
    return project


def parse_checked(context: Optional[ProjectContext], path: str, source: str) -> ast.Module:
    """The checked file's syntax tree: shared with the project's view of the file, so that a file
    is parsed once per run, whether checked or read as another file's context."""
    if context is None or path.startswith("<"):
        return ast.parse(source, filename=path)
    try:
        return project_for(context).tree_for(Path(path), source)
    except OSError:
        return ast.parse(source, filename=path)


def loader_for(context: Optional[ProjectContext], path: str) -> Optional[ModuleLoader]:
    if context is None or path.startswith("<") or not Path(path).is_file():
        return None
    return ModuleLoader(project_for(context), Path(path))


def run_importers(checker, loader: ModuleLoader, module: ModuleRun) -> bool:
    """Run the project's files that import the checked one (``module``, as its top level ran), as
    programs: their instantiations and calls of its models are evidence.  False when the file
    defines nothing they could build (then they are not even looked for)."""
    from .models import _mentions_model

    classes = {cls.name for cls, _ in module.classes if cls.is_module}
    if not classes and not any(_mentions_model(node, classes) for _, node in module.functions):
        return False
    checked = frozenset({checker.path, loader.project.shown(loader.main)})
    for path in loader.project.importers(loader.main):
        if loader.project.runs_code(path):  # a file of definitions only builds nothing
            loader.run_evidence(checker.interp, path, checked)
    return True


def own_findings(checker, path: str) -> Tuple[List[Diagnostic], List[Tuple[str, Diagnostic]]]:
    """The checked file's findings, and for each error that a call of this file causes in another
    file, (that file, the same error reported at the call).  A finding in this file's block that
    only models of other files run into (nets.py builds blocks.py's Head with the wrong width) is
    (that file, the finding): that file reports it where it builds the block, when it is checked;
    so is a finding of this file moved to the call in another file that passed the wrong value."""
    own, elsewhere = [], []
    for key, d in checker.diagnostics.items():
        if d.path != path:
            if key in checker.moved_from and checker.moved_from[key].path == path:
                elsewhere.append((d.path, checker.moved_from[key]))  # here unless the file with the call is checked
            continue
        model_files = _model_files_running_into(checker, key)
        if model_files and path not in model_files:
            elsewhere.append((model_files[0], d))
        else:
            own.append(d)
    for entry in checker.entries.values():
        if entry.path == path:
            continue  # this file's own model: what fails in it is reported here (where it builds a block)
        for _, run, _ in entry.runs:
            if run.call_source is None or run.call_source.path != path or not run.failed:
                continue
            foreign = [checker.diagnostics[k] for k in run.findings
                       if k in checker.diagnostics and checker.diagnostics[k].path != path
                       and checker.diagnostics[k].severity == "error"]
            if foreign:
                elsewhere.append((foreign[0].path, _at_call(run, entry, foreign[0], path)))
    return own, elsewhere


def _model_files_running_into(checker, key) -> List[str]:
    """The files defining the models whose runs reported the finding ``key`` ("" for a model that
    is not a class of the project)."""
    files = []
    for entry in checker.entries.values():
        for _, run, _ in entry.runs:
            if key in run.findings:
                root = run.root
                files.append(pretrained.defined_in(root) if isinstance(root, Instance) else "")
    return files if all(files) else []


def _at_call(run, entry, cause: Diagnostic, path: str) -> Diagnostic:
    from ..rules import shapes as S

    given = S.render_shape(run.input.shape) if getattr(run.input, "shape", None) is not None else "?"
    parts = cause.parts or Message(cause.message)
    reason = parts.where + parts.problem if parts.input else parts.stated()  # the input is the call's now
    return Diagnostic(path, run.call_source.span(run.call_node), Code.INPUT_SIZE,
                      f"{entry.name} ({cause.path}:{entry.span.line}) does not take the {given} this call gives it: "
                      f"{cause.path}:{cause.span.line}: {reason}", model=entry.name)


def dependencies(loader: ModuleLoader, importers: bool) -> Tuple[Tuple[str, str], ...]:
    """(file, hash of its bytes) for every project file the check read besides the checked one,
    and, when ``importers`` were looked for, the set of files that may import it: a cached result
    is reused only while all of them are the same."""
    project = loader.project
    read = sorted({p for p in set(loader.namespaces) | loader.reused_reads if project.is_file(p) and p != loader.main} |
                  set(project.importers(loader.main) if importers else ()))
    found = [(str(p), project.digest(p)) for p in read]
    if importers:
        found.append((IMPORTERS, _digest_of(_candidates(project, loader.main))))
    return tuple(found)


def _candidates(project: Project, path: Path) -> List[Path]:
    """The files that may import ``path`` or one of the files that import it."""
    found = set(project.importer_candidates(path))
    for importer in project.importers(path):
        found.update(project.importer_candidates(importer))
    return sorted(found)


def _digest_of(paths) -> str:
    return hashlib.sha256("\0".join(sorted(map(str, paths))).encode()).hexdigest()[:24]


def still_valid(context: ProjectContext, path: str, recorded: Tuple[Tuple[str, str], ...]) -> bool:
    """Whether a cached result's project files are as they were: the same bytes, and the same
    files that may import the checked one."""
    project = project_for(context)
    for name, digest in recorded:
        if name == IMPORTERS:
            now = _digest_of(_candidates(project, Path(path).resolve()))
        else:
            now = project.digest(Path(name))
        if now != digest:
            return False
    return True
