"""Paths as the machine formats write them: relative to the current folder, with forward slashes."""

from __future__ import annotations

from pathlib import Path, PurePath


def relative_path(path: str) -> str:
    """'examples/./m.py' -> 'examples/m.py'; absolute paths under the current folder become relative;
    others stay absolute."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(Path.cwd().resolve())
        except (ValueError, OSError):
            return candidate.as_posix()
    return PurePath(candidate).as_posix()
