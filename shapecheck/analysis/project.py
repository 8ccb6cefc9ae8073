"""The project a checked file belongs to, read as Python would import it, without importing anything.

It owns: the project root (the nearest folder above the paths holding a ``pyproject.toml``,
``setup.cfg``, ``setup.py`` or a VCS folder), the roots a module name is looked up in (the
importing file's folder, the project root, its ``src/``), resolving ``import a.b`` and
``from ..c import d`` to the project's own files, reading and parsing each file at most once, and
finding the files that import a given one (their calls are a model's evidence).  Everything is
bounded: a name that is not the project's (an installed package, a typo), a name found in two
folders, too many files: the answer says so, with the reason, and nothing is guessed.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from ..source import SKIP_DIRS, SourceError, decode

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git", ".hg")
MAX_INDEXED_FILES = 5000  # project files scanned for the imports of a checked file
MAX_IMPORTERS = 8  # files read as evidence for one checked file
MAX_IMPORT_HOPS = 3  # how far up the imports evidence is looked for (train.py -> nets/__init__ -> nets/lenet)
MAX_FILE_BYTES = 2_000_000  # larger files are not read as context
KEPT_TREES = 8_000_000  # characters of checked files whose syntax trees are kept for the files importing them
SYS_PATH = "<sys.path>"  # the index entry of the files that change sys.path
KEPT_BYTES = 64_000_000  # bytes of scanned files kept for their parse, so that no file is read twice
# names whose meaning the interpreter knows itself: never taken for the project's own modules
LIBRARIES = frozenset({"torch", "torchvision", "numpy", "einops", "torchsummary", "torchinfo", "typing",
                       "typing_extensions", "__future__"}) | frozenset(getattr(sys, "stdlib_module_names", ()))


@dataclass(frozen=True)
class Resolved:
    """Where an imported name lives: ``path`` is its file (a package's ``__init__.py``), or None
    for a namespace package (a folder without one); ``reason`` says why it is not the project's
    when ``found`` is False."""

    name: str
    found: bool
    path: Optional[Path] = None
    package: bool = False  # a package: its submodules may be imported from it
    folder: Optional[Path] = None  # the package's folder
    reason: str = ""


@dataclass
class ParsedFile:
    path: Path
    text: str
    tree: Optional[ast.Module]  # None when the file does not parse
    problem: str = ""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with a project marker; when there is none, the
    current folder if ``start`` is inside it (where `python train.py` is run from), else
    ``start``'s folder."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    here = Path.cwd().resolve()
    return here if here == folder or here in folder.parents else folder


class Project:
    """One run's view of a project: resolution and a parse of each file, each done once."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._parsed: Dict[Path, ParsedFile] = {}
        self._index: Optional[Dict[str, List[str]]] = None  # module word -> files whose imports name it
        self._kept: Dict[Path, bytes] = {}  # read by the index scan, not parsed yet
        self._kept_size = 0
        self.index_complete = True
        self._imported: Dict[Path, List[Path]] = {}  # file -> the project files its imports name
        self._importers: Dict[Tuple[Path, int], List[Path]] = {}
        self._candidates: Dict[Path, List[Path]] = {}
        self._real: Dict[Path, Path] = {}
        self._shown: Dict[Path, str] = {}
        self.modules_run: Dict[Path, object] = {}  # imports.KeptModule: modules of definitions only, run once
        self.scripts_ran: Dict[Path, FrozenSet[str]] = {}  # script -> the files whose code its evidence run ran
        self._direct: Dict[Path, List[Path]] = {}  # file -> the files that import it themselves
        self._digests: Dict[Path, str] = {}  # file -> a hash of its bytes, as this run read them
        self._resolved: Dict[tuple, Resolved] = {}  # (name, importing folder, level, added roots) -> where
        self._kept_trees = 0  # characters of the checked files whose trees are kept as context
        self._facts: Dict[Tuple[str, Path], tuple] = {}  # (what, file) -> (the parse it is of, the value)
        self._is_file: Dict[Path, bool] = {}
        self._module_names: Dict[Path, str] = {}
        self._closures: Dict[Path, List[Path]] = {}  # file -> the project files it imports, directly or not

    @classmethod
    def for_paths(cls, paths: Sequence[str]) -> "Project":
        first = Path(paths[0]) if paths else Path.cwd()
        return cls(find_root(first if first.exists() else Path.cwd()))

    # --- looking names up -----------------------------------------------------------------------

    def real(self, path: Path) -> Path:
        """``path.resolve()``, once per path and run (resolving walks every link of the path)."""
        known = self._real.get(path)
        if known is None:
            known = self._real[path] = path.resolve()
        return known

    def roots_for(self, importer: Optional[Path], added: Sequence[Path] = ()) -> List[Path]:
        """The folders a top-level name is looked up in, first first (sys.path as running from the
        project root gives it, with the importing script's folder in front, and the folders the
        program's ``sys.path`` changes add)."""
        roots = [self.real(importer).parent] if importer is not None else []
        roots += [self.root, self.root / "src", *added]
        seen: List[Path] = []
        for root in roots:
            if root not in seen and root.is_dir():
                seen.append(root)
        return seen

    def resolve(self, name: str, importer: Optional[Path], level: int = 0, added: Sequence[Path] = ()) -> Resolved:
        """The file of module ``name`` (dotted, without the leading dots of a relative import)
        imported from ``importer``; ``level`` counts those dots; ``added``: folders put on
        ``sys.path`` by the program."""
        key = (name, importer.parent if importer is not None else None, level, tuple(added))
        known = self._resolved.get(key)
        if known is None:
            known = self._resolved[key] = self._resolve(name, importer, level, added)
        return known

    def _resolve(self, name: str, importer: Optional[Path], level: int, added: Sequence[Path]) -> Resolved:
        if level:
            return self._resolve_relative(name, importer, level)
        top = name.split(".")[0]
        if not top or top in LIBRARIES:
            return Resolved(name, False, reason=f"{top or name} is a library, not part of the project")
        hits = []
        for root in self.roots_for(importer, added):
            found = _locate(root, name.split("."))
            if found is not None and all(found.path != h.path or found.folder != h.folder for h in hits):
                hits.append(found)
        if not hits:
            return Resolved(name, False, reason=f"{name} is not a module of the project (an installed package, "
                                                f"or missing)")
        if len(hits) > 1 and not _same_place(hits):
            places = " and ".join(self.shown(h.path or h.folder) for h in hits[:2])
            return Resolved(name, False, reason=f"{name} is both {places}: which one runs depends on how the "
                                                f"program is started")
        return hits[0]

    def _resolve_relative(self, name: str, importer: Optional[Path], level: int) -> Resolved:
        if importer is None:
            return Resolved(name, False, reason="a relative import outside a package")
        package = self.real(importer).parent
        for _ in range(level - 1):
            package = package.parent
        if not package.is_dir() or (self.root not in package.parents and package != self.root):
            return Resolved(name, False, reason=f"{'.' * level}{name} reaches above the project")
        if not name:
            init = package / "__init__.py"
            return Resolved(package.name, True, init if init.is_file() else None, True, package)
        found = _locate(package, name.split("."))
        if found is None:
            return Resolved(name, False, reason=f"{'.' * level}{name} is not a module next to "
                                                f"{self.shown(importer)}")
        return found

    def module_name(self, path: Path) -> str:
        """The dotted name a file is imported by from the project root (or its src/)."""
        path = self.real(path)
        known = self._module_names.get(path)
        if known is None:
            known = self._module_names[path] = self._module_name(path)
        return known

    def _module_name(self, path: Path) -> str:
        for root in (self.root / "src", self.root):
            if root in path.parents:
                parts = list(path.relative_to(root).with_suffix("").parts)
                if parts and parts[-1] == "__init__":
                    parts.pop()
                return ".".join(parts)
        return path.stem

    def shown(self, path: Optional[Path]) -> str:
        """A path as messages show it: relative to the current folder when below it."""
        if path is None:
            return "?"
        known = self._shown.get(path)
        if known is None:
            here = Path.cwd()
            known = self._shown[path] = str(path.relative_to(here)) if path.is_absolute() and here in path.parents \
                else str(path)
        return known

    # --- reading --------------------------------------------------------------------------------

    def parsed(self, path: Path) -> ParsedFile:
        """The file's text and syntax tree, read and parsed once per run."""
        path = self.real(path)
        known = self._parsed.get(path)
        if known is None:
            known = self._parsed[path] = _parse(path, self._kept.pop(path, None))
        return known

    def tree_for(self, path: Path, text: str) -> ast.Module:
        """The syntax tree of a file being checked, whose ``text`` the caller has read: the one
        parsed as another file's context when that text is the same, else parsed now and kept for
        the files that import it (a SyntaxError is the caller's to report)."""
        path = self.real(path)
        known = self._parsed.get(path)
        if known is not None and known.tree is not None and known.text == text:
            return known.tree
        tree = ast.parse(text, filename=str(path))
        if self._kept_trees + len(text) <= KEPT_TREES:
            self._kept_trees += len(text)
            self._parsed[path] = ParsedFile(path, text, tree)
            self._kept.pop(path, None)
        return tree

    def defines_only(self, path: Path) -> bool:
        """Whether running the file only defines names: no call outside a function body (a class
        body, a decorator, a default or a constant that calls something does more)."""
        return self._of_tree(path, "defines only", lambda parsed: parsed.tree is not None and not any(
            isinstance(node, ast.Call) for node in _outside_functions(parsed.tree)))

    def path_changes_of(self, path: Path) -> PathChanges:
        return self._of_tree(path, "path changes", lambda parsed: PathChanges() if parsed.tree is None else
                             path_changes(parsed.tree, path, parsed.text))

    def runs_code(self, path: Path) -> bool:
        """Whether running the file does more than define names: a call or a loop at its top level
        (or under ``if __name__ == "__main__":``), which may build and feed a model."""
        return self._of_tree(path, "runs code", lambda parsed: parsed.tree is not None and any(
            _runs_code(stmt) for stmt in parsed.tree.body))

    def _of_tree(self, path: Path, fact: str, work):
        """``work(parsed file)``, once per file and parse (the checked file's text may replace the
        tree read from disk)."""
        parsed = self.parsed(path)
        known = self._facts.get((fact, parsed.path))
        if known is None or known[0] is not parsed:
            known = self._facts[(fact, parsed.path)] = (parsed, work(parsed))
        return known[1]

    def is_file(self, path: Path) -> bool:
        """``path.is_file()``, once per path and run."""
        known = self._is_file.get(path)
        if known is None:
            known = self._is_file[path] = path.is_file()
        return known

    def digest(self, path: Path) -> str:
        """A hash of the file's bytes ("missing" when it cannot be read), once per run: what a
        cached result that read the file records, and compares."""
        known = self._digests.get(path)
        if known is None:
            try:
                known = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
            except OSError:
                known = "missing"
            self._digests[path] = known
        return known

    def files_read(self) -> List[Path]:
        return list(self._parsed)

    # --- who imports whom -----------------------------------------------------------------------

    def importers(self, path: Path, limit: int = MAX_IMPORTERS) -> List[Path]:
        """Project files that import ``path``, directly or through the modules that import it (a
        package's ``__init__`` that re-exports it, a network built of its blocks), nearest first,
        at most ``limit``."""
        target = self.real(path)
        known = self._importers.get((target, limit))
        if known is None:
            known = self._importers[(target, limit)] = self._find_importers(target, limit)
        return known

    def _find_importers(self, target: Path, limit: int) -> List[Path]:
        found: List[Path] = []
        frontier = [target]
        for _ in range(MAX_IMPORT_HOPS):
            following: List[Path] = []
            for module in frontier:
                for importer in self.direct_importers(module):
                    if importer != target and importer not in found:
                        found.append(importer)
                        following.append(importer)
            if not following or len(found) >= limit:
                break
            frontier = following
        return found[:limit]

    def direct_importers(self, target: Path) -> List[Path]:
        known = self._direct.get(target)
        if known is None:
            candidates = self.importer_candidates(target)
            known = self._direct[target] = [p for p in sorted(candidates, key=lambda p: (_distance(p, target), str(p)))
                                            if target in self.imported_by(p)]
        return known

    def importer_candidates(self, target: Path) -> List[Path]:
        """The files whose import lines name one of ``target``'s module names (a superset of its
        importers, found without parsing)."""
        known = self._candidates.get(target)
        if known is None:
            known = self._candidates[target] = self._find_candidates(target)
        return known

    def _find_candidates(self, target: Path) -> List[Path]:
        index = self._import_index()
        words = _module_words(self, target)
        others = [set(index.get(word, ())) for word in words[1:]]
        below = str(target.parent.parent if target.name == "__init__.py" else target.parent) + os.sep
        changes_path = set(index.get(SYS_PATH, ()))  # its names may be found in folders it adds
        itself = str(target)
        # an absolute import names every part of the dotted name; a relative one (or a script beside
        # the module) lives below the module's package
        return [Path(p) for p in index.get(words[0], ()) if p != itself and
                (all(p in named for named in others) or p.startswith(below) or p in changes_path)]

    def imported_by(self, path: Path) -> List[Path]:
        """The project files that ``path``'s import statements name (the modules themselves, and
        for ``from pkg import name`` the submodule ``pkg/name.py`` when there is one)."""
        path = self.real(path)
        known = self._imported.get(path)
        if known is None:
            known = self._imported[path] = self._imports_of_file(path)
        return known

    def _imports_of_file(self, path: Path) -> List[Path]:
        parsed = self.parsed(path)
        if parsed.tree is None:
            return []
        out: List[Path] = []
        added = path_changes(parsed.tree, path, parsed.text).folders
        for module, level, names in imports_of(parsed.tree):
            resolved = self.resolve(module, path, level, added)
            if not resolved.found:
                continue
            if resolved.path is not None:
                out.append(self.real(resolved.path))
            for name in names if resolved.package and resolved.folder else ():
                sub = _locate(resolved.folder, [name])
                if sub is not None and sub.path is not None:
                    out.append(self.real(sub.path))
        return out

    def import_closure(self, path: Path) -> List[Path]:
        """The project files ``path`` imports, directly or through the files it imports."""
        path = self.real(path)
        known = self._closures.get(path)
        if known is None:
            known = self._closures[path] = self._import_closure(path)
        return known

    def _import_closure(self, path: Path) -> List[Path]:
        found: Dict[Path, None] = {}
        frontier = [path]
        while frontier and len(found) < MAX_INDEXED_FILES:
            frontier = [p for module in frontier for p in self.imported_by(module) if p not in found]
            found.update(dict.fromkeys(frontier))
        return list(found)

    def _import_index(self) -> Dict[str, List[str]]:
        """Module word -> the files (resolved, as strings) whose import lines name it."""
        if self._index is None:
            self._index = {}
            for count, path in enumerate(_python_files(self.root)):
                if count >= MAX_INDEXED_FILES:
                    self.index_complete = False
                    break
                data = _read_small(path)
                if data is None:
                    continue
                resolved = self.real(path)
                if self._kept_size + len(data) <= KEPT_BYTES and resolved not in self._parsed:
                    self._kept[resolved] = data
                    self._kept_size += len(data)
                for word in _imported_words(data) + ([SYS_PATH] if b"sys.path" in data else []):
                    self._index.setdefault(word, []).append(str(resolved))
        return self._index


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass,
                ast.Global, ast.Nonlocal)


def _outside_functions(tree: ast.AST) -> Iterable[ast.AST]:
    """Every node of the tree but the bodies of functions and lambdas (their decorators, defaults
    and annotations included)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d])
        elif not isinstance(node, ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _runs_code(stmt: ast.stmt) -> bool:
    if isinstance(stmt, _DEFINITIONS):
        return False
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
        return stmt.value is not None and any(isinstance(node, ast.Call) for node in ast.walk(stmt.value))
    return True


def _locate(root: Path, parts: List[str]) -> Optional[Resolved]:
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    target = root.joinpath(*parts)
    name = ".".join(parts)
    if target.with_suffix(".py").is_file():
        return Resolved(name, True, target.with_suffix(".py"))
    if (target / "__init__.py").is_file():
        return Resolved(name, True, target / "__init__.py", True, target)
    if target.is_dir() and any(target.glob("*.py")):
        return Resolved(name, True, None, True, target)  # a namespace package
    return None


def _same_place(hits: List[Resolved]) -> bool:
    first = hits[0]
    return all((h.path and first.path and h.path.resolve() == first.path.resolve()) or
               (h.folder and first.folder and h.folder.resolve() == first.folder.resolve()) for h in hits)


def _parse(path: Path, data: Optional[bytes] = None) -> ParsedFile:
    try:
        if data is None and path.stat().st_size > MAX_FILE_BYTES:
            return ParsedFile(path, "", None, "the file is too large to read as context")
        text = decode(path.read_bytes() if data is None else data)
    except OSError as e:
        return ParsedFile(path, "", None, f"cannot read it: {e.strerror or e}")
    except SourceError as e:
        return ParsedFile(path, "", None, str(e))
    if path.suffix == ".ipynb":
        from .. import notebook

        try:
            text = notebook.read(text).source
        except notebook.NotebookError as e:
            return ParsedFile(path, "", None, str(e))
    try:
        return ParsedFile(path, text, ast.parse(text, filename=str(path)))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        return ParsedFile(path, text, None, f"it does not parse: {e}")


@dataclass(frozen=True)
class PathChanges:
    """What a file does to ``sys.path``: the folders it adds that follow from its own location
    (``os.path.join(os.path.dirname(__file__), "lib")``, ``Path(__file__).parent.parent``), and the
    lines of the changes that do not (a folder read from a variable, a path relative to wherever the
    program is started)."""

    folders: Tuple[Path, ...] = ()
    unknown_lines: Tuple[int, ...] = ()


def path_changes(tree: ast.Module, path: Path, text: Optional[str] = None) -> PathChanges:
    """What the file does to sys.path (``text``, when given, spares the walk of a file that never
    names it)."""
    if text is not None and "sys.path" not in text:
        return PathChanges()
    folders: List[Path] = []
    unknown: List[int] = []
    for node in ast.walk(tree):
        added = _sys_path_argument(node)
        if added is None:
            continue
        folder = _folder_value(added, path.resolve()) if isinstance(added, ast.expr) else None
        if folder is None:
            unknown.append(node.lineno)
        elif folder not in folders:
            folders.append(folder)
    return PathChanges(tuple(folders), tuple(sorted(unknown)))


def _is_sys_path(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name) \
        and node.value.id == "sys"


def _sys_path_argument(node: ast.AST):
    """For a change of sys.path: the expression of the folder it adds (``True`` when that is not one
    expression: ``sys.path = [...]``, ``sys.path.extend(...)``); None for anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_sys_path(node.func.value):
        position = {"insert": 1, "append": 0}.get(node.func.attr)
        if position is None:
            return True if node.func.attr == "extend" else None
        return node.args[position] if len(node.args) > position else True
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return True if any(_is_sys_path(t) for t in targets) else None
    return None


_PATH_FUNCTIONS = {"dirname", "abspath", "realpath", "normpath", "join", "expanduser"}


def _folder_value(node: ast.expr, file: Path) -> Optional[Path]:
    """The absolute folder an expression built from ``__file__`` names, or None."""
    value = _path_value(node, file)
    return value.resolve() if isinstance(value, Path) and value.is_absolute() else None


def _path_value(node: ast.expr, file: Path):
    """A Path for expressions of the file's own location, a str for a constant, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id == "__file__":
        return file
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _path_value(node.value, file)
        return inner.parent if isinstance(inner, Path) else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        inner = _path_value(node.value.value, file)
        index = node.slice.value if isinstance(node.slice, ast.Constant) else None
        return inner.parents[index] if isinstance(inner, Path) and isinstance(index, int) \
            and 0 <= index < len(inner.parents) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _joined([_path_value(node.left, file), _path_value(node.right, file)])
    if isinstance(node, ast.Call):
        return _called_path_value(node, file)
    return None


def _called_path_value(node: ast.Call, file: Path):
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = [_path_value(a, file) for a in node.args]
    if isinstance(func, ast.Attribute) and name in ("resolve", "absolute") and not node.args:
        inner = _path_value(func.value, file)
        return inner if isinstance(inner, Path) else None
    if name in ("str", "Path", "PurePath", "fspath") and len(args) == 1:
        return Path(args[0]) if isinstance(args[0], Path) else None
    if name not in _PATH_FUNCTIONS or not args or any(a is None for a in args):
        return None
    if name == "join":
        return _joined(args)
    if name == "dirname" and isinstance(args[0], Path):
        return args[0].parent
    return args[0] if isinstance(args[0], Path) and name != "expanduser" else None


def _joined(parts: List[object]):
    if not parts or not isinstance(parts[0], Path) or not all(isinstance(p, str) for p in parts[1:]):
        return None
    return parts[0].joinpath(*parts[1:])


def imports_of(tree: ast.Module) -> Iterable[Tuple[str, int, Tuple[str, ...]]]:
    """(module, level, imported names) for every import statement, at any depth (statements are
    walked, not expressions: an import is a statement)."""
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0, ()
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level, tuple(a.name for a in node.names)


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(tree: ast.AST) -> Iterable[ast.AST]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for field in _BLOCKS:
            stack.extend(reversed(getattr(node, field, ()) or ()))


_IMPORT_LINE = re.compile(rb"^[ \t]*\"?[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([^#\n]*)|import[ \t]+([^#\n]+))",
                          re.MULTILINE)


def _read_small(path: Path) -> Optional[bytes]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def home_of(path: str) -> str:
    """Where a file lives in its project, as far as its path and import lines tell (no parse):
    the folder of the outermost package it is in; for a file in a plain folder, a package beside
    it that it imports (``train.py`` beside ``nets/``), else that folder (``train.py`` beside
    ``models.py``).  Files with the same home share the modules a check of them runs."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isfile(os.path.join(folder, "__init__.py")):
        while os.path.isfile(os.path.join(os.path.dirname(folder), "__init__.py")) and \
                os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        return folder
    data = _read_small(Path(path))
    for word in _imported_words(data) if data else ():
        beside = os.path.join(folder, word)
        if os.path.isfile(os.path.join(beside, "__init__.py")):
            return beside
    return folder


def _imported_words(data: bytes) -> List[str]:
    """The names a file's import lines mention (a cheap scan of its bytes, not a parse): the
    candidates for ``importers``, confirmed by parsing only the files that may import."""
    words = set()
    for match in _IMPORT_LINE.finditer(data):
        text = b" ".join(g for g in match.groups() if g).decode("utf-8", "replace")
        words.update(w for w in re.split(r"[\s.,()\\]+", text) if w.isidentifier())
    return sorted(words)


def _module_words(project: Project, path: Path) -> List[str]:
    name = project.module_name(path)
    words = [w for w in name.split(".") if w]
    return words[-1:] + words[:-1] or [path.stem]


def _python_files(root: Path) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".ipynb")):
                yield Path(folder) / name


def _distance(path: Path, target: Path) -> int:
    common = os.path.commonpath([str(path), str(target)])
    return len(path.relative_to(common).parts) + len(target.relative_to(common).parts)
