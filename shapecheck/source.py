"""Reading source: finding the files to check, reading them as text, and, once parsed, the
positions and text of their nodes (``Source``) and the walkers' node dispatch (``node_handlers``)."""

from __future__ import annotations

import ast
import bisect
import io
import os
import tokenize
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Tuple

from .diagnostics import Span

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "env", "__pycache__", ".tox", ".nox", ".mypy_cache",
             ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist", ".eggs", "site-packages",
             ".ipynb_checkpoints"}
SUFFIXES = (".py", ".ipynb")


class SourceError(Exception):
    """The file cannot be read as Python source text; the message says why, in one line."""


def find_files(paths: Iterable[str], excluded: Callable[[str], bool] = lambda path: False,
               force_exclude: bool = False) -> List[Tuple[str, List[Path]]]:
    """The files to check, path by path: (the path as named, the files it gives).  A path that names
    a file gives it; a folder gives the .py/.ipynb files under it, in a stable order.  What
    ``excluded`` says is skipped under folders, and among named paths too with ``force_exclude``.
    Raises FileNotFoundError for a path that does not exist.  A symbolic link that leads nowhere
    (a loop, a missing target) is a file that cannot be read, not a missing path."""
    found: List[Tuple[str, List[Path]]] = []
    for name in paths:
        path = Path(name)
        if not path.exists() and not os.path.islink(name):
            raise FileNotFoundError(name)
        if force_exclude and excluded(name):
            continue
        found.append((name, list(_walk(path, excluded)) if path.is_dir() else [path]))
    return found


def once(paths: Iterable[Path]) -> List[Path]:
    """Each file once, as first named: `m.py` and `/abs/m.py` (or a link to it) are one file."""
    seen, kept = set(), []
    for path in paths:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            kept.append(path)
    return kept


def _walk(folder: Path, excluded: Callable[[str], bool]) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and not excluded(os.path.join(root, d)))
        yield from (Path(root) / f for f in sorted(files)
                    if f.endswith(SUFFIXES) and not excluded(os.path.join(root, f)))


def read_source(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read the file: {e.strerror or e}") from None
    return decode(data)


def decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SourceError("not a text file (it contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as e:
        reason = e.reason if isinstance(e, UnicodeDecodeError) else str(e)
        raise SourceError(f"cannot decode the file as UTF-8 (or its declared encoding): {reason}") from None
    return text[1:] if text.startswith("\ufeff") else text


class Source:
    """Positions and text of nodes; ``ast`` columns are UTF-8 byte offsets, ours are characters."""

    def __init__(self, text: str, path: str = ""):
        self.path = path  # the file, as findings name it
        self.file = None  # its resolved pathlib.Path, for the imports it makes (project checks only)
        # lines as Python counts them: \n, \r\n, \r (str.splitlines also splits at \f, \u2028...)
        self.lines = io.StringIO(text, newline="").readlines()
        self._encoded: Dict[int, bytes] = {}
        self._yield_lines = [n for n, line in enumerate(self.lines, start=1) if "yield" in line]

    def mentions_yield(self, node: ast.AST) -> bool:
        """Whether a line of the node says yield: walking the node for a Yield is slower."""
        first = bisect.bisect_left(self._yield_lines, node.lineno)
        return first < len(self._yield_lines) and self._yield_lines[first] <= (node.end_lineno or node.lineno)

    def _column(self, line: int, byte_offset: int) -> int:
        if line - 1 >= len(self.lines):
            return byte_offset + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(self._bytes(line)[:byte_offset].decode("utf-8", "replace")) + 1

    def _bytes(self, line: int) -> bytes:
        if line not in self._encoded:
            self._encoded[line] = self.lines[line - 1].encode("utf-8")
        return self._encoded[line]

    def span(self, node: ast.AST) -> Span:
        line, end_line = node.lineno, node.end_lineno or node.lineno
        return Span(line, self._column(line, node.col_offset), end_line,
                    self._column(end_line, node.end_col_offset or node.col_offset))

    def text(self, node: ast.AST) -> str:
        line, end_line = node.lineno, node.end_lineno or node.lineno
        if line - 1 >= len(self.lines) or end_line - 1 >= len(self.lines):
            return ""
        if line == end_line:
            text = self.lines[line - 1]
            if text.isascii():  # byte offsets are character offsets
                return text[node.col_offset:node.end_col_offset]
            return self._bytes(line)[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
        parts = [self._bytes(line)[node.col_offset:]]
        parts += [self._bytes(n) for n in range(line + 1, end_line)]
        parts.append(self._bytes(end_line)[:node.end_col_offset])
        return b"".join(parts).decode("utf-8", "replace")


def node_handlers(cls: type, prefix: str) -> dict:
    """A walker class's method for each node type (``exec_If`` for ast.If), looked up once rather
    than by name at every node: {node type: function}."""
    return {getattr(ast, name[len(prefix):]): method for name, method in vars(cls).items()
            if name.startswith(prefix) and hasattr(ast, name[len(prefix):])}
