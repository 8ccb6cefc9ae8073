"""Finding the files to check and reading them as text."""

from __future__ import annotations

import io
import os
import tokenize
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Tuple

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
