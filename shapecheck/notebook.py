"""Jupyter notebooks as one Python program: the code cells in order, IPython syntax (magics, shell
escapes, help) turned into `pass` so every line keeps its number, and the map from a line of that
program back to (cell, line in the cell). Cells are numbered from 1, markdown cells included, as
they appear in the notebook.

A line is IPython syntax only where a statement could start: the tokenizer decides whether the
statement before it is finished, so a `%` or `!` that begins a line inside brackets, a string or
after a backslash (d2l's ``print('loss %.3f'\\n      % loss)``) stays Python."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import List, Sequence, Tuple

from .diagnostics import Diagnostic, Fix, Span
from .results import LayerReport, ModelReport, ShapeAt, StoppedAt
from .suppressions import Suppression

# cell magics whose body is Python; the body of any other (%%bash, %%writefile, ...) is not
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "skip"}
_LINE_MAGIC = re.compile(r"^\s*[%!]")
_HELP = re.compile(r"^\s*(?:\?{1,2}\s*[\w.]+|[\w.\[\]()]+\s*\?{1,2})\s*$")
_ASSIGNED_MAGIC = re.compile(r"^\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]")
_LINE_REFERENCE = re.compile(r"\b(at|in) line (\d+)\b")


class NotebookError(Exception):
    """The file is not a notebook that can be read; the message says why, in one line."""


@dataclass(frozen=True)
class Program:
    source: str
    lines: Tuple[Tuple[int, int], ...]  # index: program line - 1; value: (cell, line in the cell)

    def locate(self, line: int) -> Tuple[int, int]:
        """(cell, line in the cell) of a program line; lines past the end belong to the last cell."""
        if not self.lines:
            return 1, line
        return self.lines[min(max(line, 1), len(self.lines)) - 1]

    def cell_source(self, cell: int) -> str:
        """The cell as the program has it (IPython syntax as `pass`), its lines numbered as in the cell."""
        program = self.source.split("\n")
        return "".join(program[i] + "\n" for i, (number, _) in enumerate(self.lines) if number == cell)

    def line_of(self, cell: int, line: int) -> int:
        """The program line of a line in a cell (``locate`` undone); 0 when the cell has no such line."""
        return next((number for number, place in enumerate(self.lines, start=1) if place == (cell, line)), 0)


def read(text: str) -> Program:
    """The program of a notebook's JSON text; raises NotebookError."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"not a valid notebook: bad JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no \"cells\" list (nbformat 4 is expected)")
    return program_of(cells)


def program_of(cells: Sequence[object]) -> Program:
    """The program of a notebook's cells, as nbformat writes them (``{"cell_type": "code", "source":
    "..."}``); raises NotebookError."""
    source: List[str] = []
    lines: List[Tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        for line_in_cell, line in enumerate(code_lines(cell, number), start=1):
            source.append(line)
            lines.append((number, line_in_cell))
    return Program("\n".join(source) + "\n", tuple(lines))


def code_lines(cell: object, number: int) -> List[str]:
    """The lines of a code cell as Python (no lines for other cells)."""
    if not isinstance(cell, dict):
        raise NotebookError(f"not a valid notebook: cell {number} is not an object")
    if cell.get("cell_type") != "code":
        return []
    text = cell.get("source", "")
    if isinstance(text, list) and all(isinstance(part, str) for part in text):
        text = "".join(text)
    if not isinstance(text, str):
        raise NotebookError(f"not a valid notebook: the source of cell {number} is not text")
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return python_lines(lines)


def python_lines(lines: List[str]) -> List[str]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        if _cell_magic(lines[first]) not in PYTHON_CELL_MAGICS:
            return ["" for _ in lines]
        lines = lines[:first] + [""] + lines[first + 1:]
    out: List[str] = []
    since: List[str] = []  # the Python lines since the cell's start or its last IPython line
    for line in lines:
        if _is_ipython(line) and _finished(since):
            out.append(line[:len(line) - len(line.lstrip())] + "pass")
            since = []
        else:
            out.append(line)
            since.append(line)
    return out


def _cell_magic(line: str) -> str:
    words = line.lstrip()[2:].split(maxsplit=1)
    return words[0] if words else ""


def _is_ipython(line: str) -> bool:
    return bool(_LINE_MAGIC.match(line) or _HELP.match(line) or _ASSIGNED_MAGIC.match(line))


def _finished(statement: List[str]) -> bool:
    """Whether the tokenizer sees these lines end where a statement could start (no open
    bracket, string or backslash continuation); lines it cannot read at all end where they are."""
    if not statement:
        return True
    try:
        for _ in tokenize.generate_tokens(io.StringIO("\n".join(statement) + "\n").readline):
            pass
    except tokenize.TokenError as error:
        return not str(error.args[0]).startswith(("EOF in multi-line", "unterminated triple-quoted"))
    except SyntaxError:
        return True
    return True


def map_diagnostic(d: Diagnostic, program: Program) -> Diagnostic:
    """The finding with its lines counted in its cell and ``cell`` set; a fix that would reach
    into another cell is dropped."""
    cell, span = _map_span(d.span, program)
    fix = None
    if d.fix is not None:
        fix_cell, fix_span = _map_span(d.fix.span, program)
        fix = Fix(d.fix.replacement, fix_span) if fix_cell == cell else None
    return dataclasses.replace(d, span=span, fix=fix, cell=cell, message=map_message(d.message, program))


def map_suppression(s: Suppression, program: Program) -> Suppression:
    """The suppression with its line counted in its cell, as the findings it acts on are."""
    cell, span = _map_span(s.span, program)
    return dataclasses.replace(s, span=span, cell=cell)


def _map_span(span: Span, program: Program) -> Tuple[int, Span]:
    cell, line = program.locate(span.line)
    end_cell, end_line = program.locate(span.end_line)
    if end_cell != cell:
        end_line, end_column = line, span.column
    else:
        end_column = span.end_column
    return cell, Span(line, span.column, end_line, end_column)


def map_model(m: ModelReport, program: Program) -> ModelReport:
    """The model's report with its lines counted in cells, as its findings are: the class, each
    layer, where checking stopped, and the call that gave its input when that call is in the
    notebook."""
    cell, line = program.locate(m.line)
    own_input = m.input_line and m.input_path in ("", m.path)
    input_cell, input_line = program.locate(m.input_line) if own_input else (None, m.input_line)
    return dataclasses.replace(
        m, cell=cell, line=line, input_cell=input_cell, input_line=input_line,
        input_source=map_message(m.input_source, program),
        layers=tuple(_map_layer(layer, program) for layer in m.layers),
        rows=tuple(_map_layer(row, program) for row in m.rows),
        stopped_at=None if m.stopped_at is None else _map_stop(m.stopped_at, program))


def _map_layer(layer: LayerReport, program: Program) -> LayerReport:
    if not layer.line:
        return layer
    cell, line = program.locate(layer.line)
    return dataclasses.replace(layer, cell=cell, line=line)


def _map_stop(stop: StoppedAt, program: Program) -> StoppedAt:
    cell, line = program.locate(stop.line)
    checked_cell, checked_line = program.locate(stop.checked_up_to_line) if stop.checked_up_to else (None, 0)
    return dataclasses.replace(stop, cell=cell, line=line, checked_up_to_cell=checked_cell,
                               checked_up_to_line=checked_line, message=map_message(stop.message, program))


def map_shape(shape: ShapeAt, program: Program) -> ShapeAt:
    """A shape seen in the notebook, at its place in its cell (a statement that would reach into
    the next cell ends with its first line)."""
    cell, span = _map_span(shape.span, program)
    end_cell, end = program.locate(shape.statement_end)
    return dataclasses.replace(shape, cell=cell, span=span, statement_end=end if end_cell == cell else span.line,
                               input_source=map_message(shape.input_source, program))


def map_message(message: str, program: Program) -> str:
    """'after MaxPool2d at line 23' -> 'after MaxPool2d at line 7 of cell 4'."""
    def cell_line(match: re.Match) -> str:
        cell, line = program.locate(int(match[2]))
        return f"{match[1]} line {line} of cell {cell}"

    return _LINE_REFERENCE.sub(cell_line, message)
