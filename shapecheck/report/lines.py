"""The source lines findings point at, for the formats that quote them (code frames, GitLab's
fingerprints) or count in bytes (reviewdog's columns): each file read once per report, as it is
when the report is written; nothing for a file that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Tuple

from ..diagnostics import Diagnostic


class SourceLines:
    """The lines of the files of one report."""

    def __init__(self) -> None:
        self._files: Dict[str, Tuple[str, ...]] = {}
        self._cells: Dict[Tuple[str, int], Tuple[str, ...]] = {}

    def of_file(self, path: str) -> Tuple[str, ...]:
        """The file's lines as written (a notebook's: its JSON text)."""
        if path not in self._files:
            self._files[path] = _read(path)
        return self._files[path]

    def of_cell(self, path: str, cell: int) -> Tuple[str, ...]:
        """The Python lines of a notebook's code cell (1-based), as findings count them."""
        if (path, cell) not in self._cells:
            self._cells[path, cell] = _cell(self.of_file(path), cell)
        return self._cells[path, cell]

    def of(self, d: Diagnostic) -> Tuple[str, ...]:
        """The lines ``d.span`` counts in: its file's, or its notebook cell's."""
        return self.of_file(d.path) if d.cell is None else self.of_cell(d.path, d.cell)

    def line(self, d: Diagnostic, number: int) -> str:
        """Line ``number`` where ``d`` counts lines; "" past the end."""
        return line_at(self.of(d), number)

    def utf8_column(self, path: str, line: int, column: int) -> int:
        """A 1-based column of the file counted in code points, counted in UTF-8 bytes."""
        text = line_at(self.of_file(path), line)
        return len(text[:column - 1].encode("utf-8")) + 1 + max(0, column - 1 - len(text))


def line_at(lines: Tuple[str, ...], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _read(path: str) -> Tuple[str, ...]:
    from ..source import SourceError, read_source

    try:
        return tuple(read_source(Path(path)).splitlines())
    except (SourceError, OSError):
        return ()


def _cell(notebook: Tuple[str, ...], cell: int) -> Tuple[str, ...]:
    from ..notebook import NotebookError, code_lines

    try:
        return tuple(code_lines(json.loads("\n".join(notebook))["cells"][cell - 1], cell))
    except (NotebookError, ValueError, KeyError, IndexError, TypeError):
        return ()
