"""Following the project's own imports while interpreting: ``import models``, ``import models as M``,
``from .blocks import BasicBlock``, ``from nets import LeNet`` through a package's ``__init__``,
``from config import *``.

Each module's file is found as Python would find it (``project.py``), interpreted once per check on
globals of its own (its code's spans and findings stay in its own file), and its names are bound
where they are imported.  A name that is not the project's stays the library name it was
(``Global``, as for one file alone); one that cannot be followed (a module found in two folders,
past the limits, beside a ``sys.path`` change it cannot compute) is ``Unfollowed``: what is built from
it is not analysed, and the report says why.  Work is bounded: at most
``MAX_MODULES`` modules and ``IMPORT_BUDGET`` interpreter steps for all imports of one check, and a
cycle sees the partly run module, as Python does.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from ..ir import UNKNOWN
from .project import PathChanges, Project, Resolved, path_changes
from .values import SOURCE_KEY, Global, LazyImport, ModuleNamespace, Unfollowed

MAX_MODULES = 200
CONTEXT_BYTES = 300_000  # source of other files one check runs: a model's own modules are a fraction of it
IMPORT_BUDGET = 400_000  # interpreter steps for all imported modules of one check together
MAX_IMPORT_DEPTH = 24


def _size(path: Optional[Path]) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


class KeptModule(NamedTuple):
    """A module of definitions only, as a check ran it, and every project file that run read."""

    module: ModuleNamespace
    reads: FrozenSet[Path]


class ModuleLoader:
    """The project's modules for one check: found, read once, run once."""

    def __init__(self, project: Project, main: Path):
        self.project = project
        self.main = main.resolve()
        self.namespaces: Dict[Path, ModuleNamespace] = {}
        self.problems: List[Tuple[str, int, str]] = []  # (file, line, why an import is not followed)
        self.steps = 0
        self.depth = 0
        self.added_roots: List[Path] = []  # folders the program's sys.path changes add
        self.path_changes: Dict[Path, PathChanges] = {}
        self._reading: List[set] = []  # for each module being run, the project files it has imported
        self.reused_reads: set = set()  # files read by the modules reused from an earlier check
        self._forced: Dict[int, Tuple[LazyImport, object]] = {}  # id(LazyImport) -> (it, its value), in this check
        self.context_bytes = 0  # source of the modules this check has run

    # --- the interpreter's import statements ------------------------------------------------------

    def register_main(self, interp) -> None:
        """The checked file is a module too: a file that imports it gets this run of it."""
        self.namespaces[self.main] = ModuleNamespace(self.project.module_name(self.main), interp.globals,
                                                     self.main.parent if self.main.name == "__init__.py" else None)
        interp.source.file = self.main
        self._read_path_changes(interp.tree, self.main, "".join(interp.source.lines))

    def exec_import(self, interp, stmt: ast.Import, frame) -> None:
        for alias in stmt.names:
            chain = self._resolve_chain(interp, alias.name)
            name = alias.name if alias.asname else alias.name.split(".")[0]
            if chain:
                frame.locals[alias.asname or name] = LazyImport(tuple(chain), -1 if alias.asname else 0,
                                                                line=stmt.lineno)
                continue
            why = self._why_not_followed(interp, self.resolve(interp, name), stmt)
            frame.locals[alias.asname or name] = Unfollowed(name, why) if why else Global(name)

    def exec_import_from(self, interp, stmt: ast.ImportFrom, frame) -> bool:
        """Binds the names when ``stmt.module`` is the project's (each run when first used); False
        to leave it to the interpreter's library imports."""
        resolved = self.resolve(interp, stmt.module or "", stmt.level)
        if not resolved.found:
            why = resolved.reason if stmt.level else self._why_not_followed(interp, resolved, stmt)
            if not why:
                return False
            self._bind_unfollowed(interp, stmt, frame, why)
            return True
        parents = self._resolve_chain(interp, stmt.module)[:-1] if stmt.level == 0 else []
        chain = tuple(parents) + (resolved,)  # parent packages run first, as in Python
        for alias in stmt.names:
            if alias.name == "*":
                module = self.force(interp, LazyImport(chain, line=stmt.lineno))
                if not isinstance(module, ModuleNamespace):
                    self._bind_unfollowed(interp, stmt, frame, self._over_limits(resolved))
                    return True
                frame.locals.update(module.public_names())
            else:
                frame.locals[alias.asname or alias.name] = LazyImport(chain, attribute=alias.name, line=stmt.lineno)
        return True

    def force(self, interp, lazy: LazyImport):
        """The value a lazily bound import name stands for: its modules run (once per check), then
        the name looked up; UNKNOWN past the limits.  A model run in progress is set aside while
        module code runs, so nothing that code reports is taken for the model's."""
        known = self._forced.get(id(lazy))
        if known is not None and known[0] is lazy:
            return known[1]
        with interp.checker.outside_run():
            value = self._force(interp, lazy)
        self._forced[id(lazy)] = (lazy, value)  # holding it: its id is not reused by another in this check
        return value

    def _force(self, interp, lazy: LazyImport):
        modules: List[ModuleNamespace] = []
        for resolved in lazy.chain:
            module = self.load(interp, resolved, None)
            if module is None:
                return Unfollowed(resolved.name, self._over_limits(resolved))
            if modules:
                modules[-1].globals.setdefault(resolved.name.rsplit(".", 1)[-1], module)
            modules.append(module)
        module = modules[lazy.pick]
        if lazy.attribute is None:
            return module
        value = module.attribute(interp, lazy.attribute)
        return self.force(interp, value) if isinstance(value, LazyImport) else value

    def resolve(self, interp, name: str, level: int = 0) -> Resolved:
        return self.project.resolve(name, self._importer(interp), level, self.added_roots)

    def _why_not_followed(self, interp, resolved: Resolved, stmt) -> str:
        """For a top-level name that is not the project's: why it is not followed when that is
        shapecheck's limit rather than a library (a name in two folders, a sys.path change it
        cannot compute); "" for a library or a name nothing in the project holds."""
        if resolved.reason and " is both " in resolved.reason:
            return resolved.reason
        if "is a library" in resolved.reason:
            return ""
        changes = self.path_changes.get(self._importer(interp))
        if changes is None or not changes.unknown_lines:
            return ""
        return (f"{resolved.name} is not a module of the project, or lives in the folder that the sys.path change at "
                f"line {changes.unknown_lines[0]} adds, which shapecheck cannot compute")

    def _bind_unfollowed(self, interp, stmt: ast.ImportFrom, frame, why: str) -> None:
        self._problem(interp, stmt, why)
        for alias in stmt.names:
            if alias.name != "*":
                frame.locals[alias.asname or alias.name] = Unfollowed(f"{stmt.module or ''}.{alias.name}".lstrip("."),
                                                                      why)

    def _over_limits(self, resolved: Resolved) -> str:
        return (f"{resolved.name} is not followed: the check imports more of the project than it follows at once "
                f"({MAX_MODULES} modules, {CONTEXT_BYTES // 1000:,} KB of source, {IMPORT_BUDGET:,} steps, "
                f"{MAX_IMPORT_DEPTH} levels)")

    def _read_path_changes(self, tree: ast.Module, path: Path, text: Optional[str] = None) -> None:
        changes = self.path_changes[self.project.real(path)] = path_changes(tree, path, text)
        self.added_roots.extend(f for f in changes.folders if f.is_dir() and f not in self.added_roots)

    def _resolve_chain(self, interp, dotted: str) -> List[Resolved]:
        """``import a.b.c``: where a, a.b and a.b.c are, as far as they are the project's ([] when
        ``a`` is not)."""
        parts = dotted.split(".")
        chain: List[Resolved] = []
        for i in range(1, len(parts) + 1):
            resolved = self.resolve(interp, ".".join(parts[:i]))
            if not resolved.found:
                break
            chain.append(resolved)
        return chain

    # --- modules -----------------------------------------------------------------------------------

    def submodule(self, interp, package: ModuleNamespace, name: str) -> Optional[ModuleNamespace]:
        """``package.name`` or ``from package import name`` for a submodule not imported yet."""
        if package.folder is None:
            return None
        from .project import _locate

        found = _locate(package.folder, [name])
        if found is None:
            return None
        module = self.load(interp, Resolved(f"{package.name}.{name}", True, found.path, found.package,
                                            found.folder), None)
        if module is not None:
            package.globals.setdefault(name, module)
        return module

    def load(self, interp, resolved: Resolved, stmt) -> Optional[ModuleNamespace]:
        key = self.project.real(resolved.path or resolved.folder)
        for reads in self._reading:
            reads.add(key)
        known = self.namespaces.get(key)
        if known is not None:
            return known  # run already, or running (an import cycle): as far as it got
        size = _size(resolved.path)
        if len(self.namespaces) >= MAX_MODULES or self.steps >= IMPORT_BUDGET or self.depth >= MAX_IMPORT_DEPTH or \
                self.context_bytes + size > CONTEXT_BYTES:
            self._problem(interp, stmt, self._over_limits(resolved))
            return None
        self.context_bytes += size
        reused = self._reuse(key)
        if reused is not None:
            return reused
        folder = resolved.folder if resolved.package else None
        module = ModuleNamespace(resolved.name, {"__name__": resolved.name, "__file__": UNKNOWN}, folder)
        self.namespaces[key] = module
        if resolved.path is not None:
            self._run_and_keep(interp, module, resolved.path, key)
        return module

    def _reuse(self, key: Path) -> Optional[ModuleNamespace]:
        """A module of definitions only that an earlier check of this run has run, on the same
        files, none of them the checked one: its names as that run left them (a copy of its
        globals, so that nothing this check adds is seen by the next)."""
        kept = self.project.modules_run.get(key)
        if kept is None or self.main in kept.reads:
            return None
        module, reads = kept
        self.namespaces[key] = copy = ModuleNamespace(module.name, dict(module.globals), module.folder, module.problem)
        self.reused_reads.update(reads)
        for reads_now in self._reading:
            reads_now.update(reads)
        for path in reads:
            changes = self.project.path_changes_of(path)
            self.added_roots.extend(f for f in changes.folders if f.is_dir() and f not in self.added_roots)
        return copy

    def _run_and_keep(self, interp, module: ModuleNamespace, path: Path, key: Path) -> None:
        reads: set = {key}
        problems = len(self.problems)
        self._reading.append(reads)
        try:
            self._run(interp, module, path)
        finally:
            self._reading.pop()
        if self.main not in reads and len(self.problems) == problems and self.project.defines_only(path):
            self.project.modules_run[key] = KeptModule(module, frozenset(reads))

    def _run(self, interp, module: ModuleNamespace, path: Path) -> None:
        parsed = self.project.parsed(path)
        if parsed.tree is None:
            module.problem = f"{self.project.shown(path)}: {parsed.problem}"
            return
        source = interp.new_source(parsed.text, self.project.shown(path), self.project.real(path))
        module.globals[SOURCE_KEY] = source
        self._read_path_changes(parsed.tree, path, parsed.text)
        self.depth += 1
        try:
            self.steps += interp.run_imported(parsed.tree, module.globals, source, IMPORT_BUDGET - self.steps)
        finally:
            self.depth -= 1

    def run_script(self, interp, path: Path) -> Optional[dict]:
        """Another file of the project run as the program (``__name__ == "__main__"``): a
        ``train.py`` whose calls are evidence for the checked file's models.  Its globals, or None
        when it does not parse."""
        parsed = self.project.parsed(path)
        if parsed.tree is None:
            return None
        source = interp.new_source(parsed.text, self.project.shown(path), self.project.real(path))
        self._read_path_changes(parsed.tree, path, parsed.text)
        globals_ = {"__name__": "__main__", "__file__": UNKNOWN, SOURCE_KEY: source}
        steps = interp.run_imported(parsed.tree, globals_, source, IMPORT_BUDGET)
        self.steps += steps
        return globals_ if steps <= IMPORT_BUDGET else None

    def run_evidence(self, interp, path: Path, checked: FrozenSet[str]) -> None:
        """Run the script ``path`` as evidence for the checked file (named ``checked``), unless an
        earlier check of this run ran it to the end without running any code of that file: the
        run is the same in every check (the checked file is one of the project's modules in
        each), so it would build and call none of its models again.  What the skipped run
        imports is still what the result depends on."""
        ran = self.project.scripts_ran.get(path)
        if ran is not None and not ran & checked and self.project.defines_only(self.main):
            self.reused_reads.update(self.project.import_closure(path))
            return
        saved, interp.ran_files = interp.ran_files, set()
        try:
            finished = self.run_script(interp, path) is not None
            if finished and saved is None:
                self.project.scripts_ran[path] = frozenset(interp.ran_files)
        finally:
            if saved is not None:
                saved.update(interp.ran_files)
            interp.ran_files = saved

    def named(self, name: str) -> Optional[ModuleNamespace]:
        """The project's module ``name``, imported in this check (run, or running: its names so far)."""
        return next((m for m in self.namespaces.values() if m.name == name), None)

    def files_read(self) -> List[Path]:
        return self.project.files_read()

    def _importer(self, interp) -> Optional[Path]:
        return getattr(interp.source, "file", None) or self.main

    def _problem(self, interp, stmt, reason: str) -> None:
        line = getattr(stmt, "lineno", 0)
        entry = (interp.source.path, line, reason)
        if reason and entry not in self.problems:
            self.problems.append(entry)
