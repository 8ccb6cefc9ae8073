"""`[tool.shapecheck]` in pyproject.toml: finding it, checking it, and answering per-file questions
(is this file excluded, is this code enabled here, which input shapes and constructor arguments).

A bad table is a ConfigError whose one-line message names the file, the key and what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePath
from typing import Dict, Optional, Sequence, Tuple

from ..diagnostics import CATALOGUE

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

TABLE = "[tool.shapecheck]"
KEYS = ("select", "ignore", "exclude", "per-file-ignores", "inputs", "args", "device", "runtime-timeout")
_CODE_PREFIX = re.compile(r"^SHP\d{0,3}$")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Selection:
    """Which codes are reported: the most specific matching prefix decides, ignore winning ties;
    with an empty ``select`` every code not ignored is reported."""

    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()

    def allows(self, code: str) -> bool:
        chosen = max((p for p in self.select if code.startswith(p)), key=len, default="")
        dropped = max((p for p in self.ignore if code.startswith(p)), key=len, default="")
        if dropped and len(dropped) >= len(chosen):
            return False
        return bool(chosen) or not self.select

    def ignoring(self, codes: Sequence[str]) -> "Selection":
        return Selection(self.select, self.ignore + tuple(codes))


@dataclass(frozen=True)
class Config:
    """The settings of one project; an empty Config when there is no [tool.shapecheck]."""

    path: Optional[Path] = None  # the pyproject.toml it came from
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    inputs: Tuple[Tuple[Optional[str], str, object], ...] = ()  # (path pattern or None, model, InputSpec)
    args: Tuple[Tuple[Optional[str], str, str], ...] = ()  # (path pattern or None, model, "BasicBlock, [2, 2]")
    device: Optional[str] = None
    runtime_timeout: Optional[float] = None  # seconds
    warnings: Tuple[str, ...] = field(default=(), compare=False)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def relative(self, path: str) -> str:
        """The file's path from the project root, with forward slashes (as written when outside it)."""
        absolute = _resolved(Path(path))
        try:
            return absolute.relative_to(_resolved(self.root)).as_posix()
        except ValueError:
            return PurePath(path).as_posix()

    def is_excluded(self, path: str) -> bool:
        if not self.exclude:
            return False  # without resolving the path, for every file of a tree
        rel = self.relative(path)
        parts = PurePath(rel).parts
        return any(fnmatch(rel, p) or any(fnmatch(part, p) for part in parts) for p in self.exclude)

    def selection(self, path: str, select: Optional[Sequence[str]] = None,
                  ignore: Optional[Sequence[str]] = None) -> Selection:
        """The codes reported for this file; ``select``/``ignore`` from the command line replace the
        configured lists, per-file-ignores still apply."""
        base = Selection(tuple(self.select if select is None else select),
                         tuple(self.ignore if ignore is None else ignore))
        if not self.per_file_ignores:
            return base
        rel = self.relative(path)
        for pattern, codes in self.per_file_ignores:
            if _matches(rel, pattern):
                base = base.ignoring(codes)
        return base

    def matches(self, path: str, pattern: str) -> bool:
        """Whether a "path.py::Model" key's path pattern covers this file."""
        return _matches(self.relative(path), pattern)

    def inputs_for(self, path: str) -> Dict[Optional[str], object]:
        """Model name -> InputSpec for the models of this file."""
        if not self.inputs:
            return {}
        rel = self.relative(path)
        return {model: spec for pattern, model, spec in self.inputs if pattern is None or _matches(rel, pattern)}

    def args_for(self, path: str) -> Dict[str, str]:
        """Model name -> constructor arguments as Python source, for the runtime mode."""
        if not self.args:
            return {}
        rel = self.relative(path)
        return {model: text for pattern, model, text in self.args if pattern is None or _matches(rel, pattern)}


def _matches(rel: str, pattern: str) -> bool:
    return fnmatch(rel, pattern) or fnmatch(PurePath(rel).name, pattern)


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml at or above ``start`` that has a [tool.shapecheck] table."""
    folder = _resolved(start)
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file() and _has_table(path):
            return path
        if path.is_file():
            _must_parse(path)
    return None


def _resolved(path: Path) -> Path:
    """The absolute path with links followed; a link that loops is taken as written."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return path.absolute()


def _must_parse(path: Path) -> None:
    """A pyproject.toml on the way up that is not TOML stops the run, as it stops ruff: whatever it
    meant to configure would be silently ignored otherwise."""
    if tomllib is None:
        return
    try:
        with path.open("rb") as f:
            tomllib.load(f)
    except OSError:
        return
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{display(path)}: not valid TOML: {e}") from None


def _has_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*shapecheck\b", text, re.M) is not None


def load(start: Path) -> Config:
    """The configuration that applies to files at ``start``; raises ConfigError."""
    path = find_pyproject(start)
    if path is None:
        return Config()
    if tomllib is None:
        return Config(warnings=(f"{display(path)}: {TABLE} ignored: reading it needs Python 3.11 or "
                                "the tomli package",))
    try:
        with path.open("rb") as f:
            document = tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{display(path)}: cannot read the file: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{display(path)}: not valid TOML: {e}") from None
    table = document.get("tool", {}).get("shapecheck", {})
    return parse(table, path)


def display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def parse(table: object, path: Path) -> Config:
    """A Config from the [tool.shapecheck] table read from ``path``."""
    where = f"{display(path)}: {TABLE}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where} {_key(key)}: unknown key; the keys are {', '.join(KEYS)}")
    return Config(
        path=path,
        select=_codes(table, "select", where),
        ignore=_codes(table, "ignore", where),
        exclude=_strings(table, "exclude", where),
        per_file_ignores=_per_file_ignores(table.get("per-file-ignores", {}), where),
        inputs=_inputs(table.get("inputs", {}), where),
        args=_args(table.get("args", {}), where),
        device=_device(table.get("device"), where),
        runtime_timeout=_seconds(table.get("runtime-timeout"), where),
    )


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def _strings(table: dict, key: str, where: str) -> Tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} {key}: expected a list of strings, got {_shown(value)}")
    return tuple(value)


def _codes(table: dict, key: str, where: str) -> Tuple[str, ...]:
    codes = _strings(table, key, where)
    for code in codes:
        problem = code_problem(code)
        if problem:
            raise ConfigError(f"{where} {key}: {problem}")
    return codes


def code_problem(code: str) -> str:
    """Why ``code`` is not a code or a prefix of codes ("SHP101", "SHP1"); empty when it is one."""
    if not _CODE_PREFIX.match(code):
        return f"{code!r} is not a code like SHP101 or a prefix like SHP1"
    if not any(c.startswith(code) for c in CATALOGUE):
        return f"{code!r} matches no code; `shapecheck rules` lists them"
    return ""


def _per_file_ignores(value: object, where: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} per-file-ignores: expected a table of pattern = [codes], got {_shown(value)}")
    out = []
    for pattern, codes in value.items():
        name = f"per-file-ignores.{_key(pattern)}"
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where} {name}: expected a list of codes, got {_shown(codes)}")
        for code in codes:
            problem = code_problem(code)
            if problem:
                raise ConfigError(f"{where} {name}: {problem}")
        out.append((pattern, tuple(codes)))
    return tuple(out)


def _split_target(target: str) -> Tuple[Optional[str], str]:
    """'models.py::SimpleCNN' -> ('models.py', 'SimpleCNN'); 'SimpleCNN' -> (None, 'SimpleCNN')."""
    path, sep, model = target.rpartition("::")
    return (path or None, model) if sep else (None, target)


def _target(key: str, name: str, where: str) -> Tuple[Optional[str], str]:
    path, model = _split_target(key)
    if not model.isidentifier() or (path is not None and not path.strip()):
        raise ConfigError(f"{where} {name}: the key must be a model name or \"path.py::Model\"")
    return path, model


def _inputs(value: object, where: str) -> Tuple[Tuple[Optional[str], str, object], ...]:
    from ..inputs import parse_input_spec

    if not isinstance(value, dict):
        raise ConfigError(f"{where} inputs: expected a table of \"path.py::Model\" = [3, 32, 32], "
                          f"got {_shown(value)}")
    out = []
    for key, shape in value.items():
        name = f"inputs.{_key(key)}"
        path, model = _target(key, name, where)
        if not _is_shape(shape):
            raise ConfigError(f"{where} {name}: expected a list of sizes like [3, 32, 32] or "
                              f"[\"B\", 3, 32, 32], got {_shown(shape)}")
        try:
            spec = parse_input_spec(",".join(str(d) for d in shape), "pyproject.toml")
        except ValueError as e:
            raise ConfigError(f"{where} {name}: {e}") from None
        out.append((path, model, spec))
    return tuple(out)


def _is_shape(shape: object) -> bool:
    if not isinstance(shape, list) or not shape:
        return False
    head = isinstance(shape[0], str) and shape[0].isidentifier()
    sizes = shape[1:] if head else shape
    return bool(sizes) and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in sizes)


def _args(value: object, where: str) -> Tuple[Tuple[Optional[str], str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} args: expected a table of \"path.py::Model\" = \"arguments\", got {_shown(value)}")
    out = []
    for key, text in value.items():
        name = f"args.{_key(key)}"
        path, model = _target(key, name, where)
        if not isinstance(text, str):
            raise ConfigError(f"{where} {name}: expected the arguments as a string of Python, "
                              f"e.g. \"BasicBlock, [2, 2, 2, 2]\", got {_shown(text)}")
        problem = _arguments_problem(text)
        if problem:
            raise ConfigError(f"{where} {name}: {problem}")
        out.append((path, model, text))
    return tuple(out)


def _arguments_problem(text: str) -> str:
    import ast

    try:
        ast.parse(f"f({text})", mode="eval")
    except SyntaxError as e:
        return f"{text!r} is not a list of Python arguments ({e.msg})"
    return ""


def _device(value: object, where: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} device: expected a device name such as \"cpu\" or \"cuda\", got {_shown(value)}")
    return value


def _seconds(value: object, where: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ConfigError(f"{where} runtime-timeout: expected a number of seconds above 0, got {_shown(value)}")
    return float(value)


def _shown(value: object) -> str:
    """A TOML value as the user wrote it, roughly: strings in double quotes, lists in brackets."""
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def from_paths(paths: Sequence[str], stdin_filename: Optional[str] = None) -> Config:
    """The configuration for a run: found from the first named path (or the stdin filename), else
    from the current folder."""
    named = [p for p in paths if p != "-"]
    start = named[0] if named else stdin_filename
    return load(Path(start) if start else Path.cwd())
