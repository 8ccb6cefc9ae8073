"""Where a notebook cell's source sits in the notebook file's own JSON text: a finding's place in
the file (for SARIF, whose viewers show the .ipynb file itself) and a fix as an edit of the file's
bytes (for --fix and --diff), which changes the characters inside one JSON string and nothing
else, so the notebook's formatting, outputs and metadata stay byte for byte.

Only what is needed is decoded: the structure down to each code cell's ``source`` strings; every
other string (outputs can be megabytes of base64) is skipped by a regular expression."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .diagnostics import Fix, Span

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_SPACE = re.compile(r"[ \t\r\n]*")
_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Skipped:
    """A long JSON string (an output's image, say), whose value is not needed: only where it is."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start, self.end = start, end


class _Str(str):
    """A JSON string's value, and where it is in the text (from its opening quote to past its closing one)."""

    start: int
    end: int


_DECODED = 4096  # longer strings are only located


@dataclass(frozen=True)
class _Segment:
    """One JSON string of a cell's source: where its characters start in the file, its decoded
    text, and for each decoded character (and the end) its offset in the raw text."""

    start: int
    text: str
    offsets: Tuple[int, ...]


class SourceMap:
    """The code cells' source strings of one notebook's JSON text, by cell number (from 1)."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.cells: Dict[int, List[_Segment]] = {}
        document, _ = _Parser(text).value(0)
        for number, cell in enumerate(document.get("cells", []) if isinstance(document, dict) else [], start=1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source")
                strings = source if isinstance(source, list) else [source]
                if all(isinstance(s, (_Str, _Skipped)) for s in strings):
                    self.cells[number] = [_segment(text, s) for s in strings]

    def offset(self, cell: int, line: int, column: int, end: bool = False) -> Optional[Tuple[int, int]]:
        """(segment index, offset in the file) of a cell's line and 1-based column; None outside."""
        segments = self.cells.get(cell)
        if not segments:
            return None
        whole = "".join(s.text for s in segments)
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(whole)]
        if not 1 <= line <= len(starts):
            return None
        at = starts[line - 1] + column - 1
        if at > len(whole):
            return None
        before = 0
        for index, segment in enumerate(segments):
            size = len(segment.text)
            if at < before + size or (end and at == before + size) or index == len(segments) - 1 and at == before + size:
                return index, segment.start + segment.offsets[at - before]
            before += size
        return None

    def position(self, offset: int) -> Tuple[int, int]:
        """1-based line and column of a file offset, the file's lines split at newlines."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def span(self, cell: int, span: Span) -> Optional[Span]:
        """A cell-relative span as a span of the file's own lines."""
        start = self.offset(cell, span.line, span.column)
        end = self.offset(cell, span.end_line, span.end_column, end=True)
        if start is None or end is None:
            return None
        return Span(*self.position(start[1]), *self.position(end[1]))

    def fix(self, cell: int, fix: Fix) -> Optional[Fix]:
        """The fix as an edit of the file's text: inside one JSON string, the replacement escaped as
        JSON; None where the fixed range crosses strings (then no edit is safe)."""
        start = self.offset(cell, fix.span.line, fix.span.column)
        end = self.offset(cell, fix.span.end_line, fix.span.end_column, end=True)
        if start is None or end is None or start[0] != end[0]:
            return None
        replacement = json.dumps(fix.replacement, ensure_ascii=False)[1:-1]
        return Fix(replacement, Span(*self.position(start[1]), *self.position(end[1])))


def apply_edits(text: str, fixes: List[Fix]) -> Tuple[str, List[Fix]]:
    """The text with each fix's span (in the text's own lines) replaced, none overlapping another;
    and the fixes applied."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    applied, last = [], len(text) + 1
    for fix in sorted(fixes, key=lambda f: (f.span.line, f.span.column), reverse=True):
        s = fix.span
        if not (1 <= s.line <= len(starts) and 1 <= s.end_line <= len(starts)):
            continue
        begin, end = offset(s.line, s.column), offset(s.end_line, s.end_column)
        if end > last or begin > end:
            continue
        text = text[:begin] + fix.replacement + text[end:]
        applied.append(fix)
        last = begin
    return text, applied


def _segment(text: str, string) -> _Segment:
    raw = text[string.start + 1:string.end - 1]
    decoded, offsets, position = [], [], 0
    for match in _ESCAPE.finditer(raw):
        for i in range(position, match.start()):
            decoded.append(raw[i])
            offsets.append(i)
        decoded.append(json.loads(f'"{match.group(0)}"'))
        offsets.append(match.start())
        position = match.end()
    for i in range(position, len(raw)):
        decoded.append(raw[i])
        offsets.append(i)
    offsets.append(len(raw))
    return _Segment(string.start + 1, "".join(decoded), tuple(offsets))


class _Parser:
    """JSON values with positions: objects and arrays as Python dicts and lists, scalars decoded,
    strings as _Str (short) or _Skipped (long), both with their positions."""

    def __init__(self, text: str):
        self.text = text

    def value(self, at: int):
        at = _SPACE.match(self.text, at).end()
        char = self.text[at:at + 1]
        if char == "{":
            return self._object(at + 1)
        if char == "[":
            return self._array(at + 1)
        if char == '"':
            match = _STRING.match(self.text, at)
            if match is None:
                raise ValueError(f"bad string at {at}")
            if match.end() - at > _DECODED:
                return _Skipped(at, match.end()), match.end()
            value = _Str(json.loads(match.group(0)))
            value.start, value.end = at, match.end()
            return value, match.end()
        match = _SCALAR.match(self.text, at)
        if match is None:
            raise ValueError(f"bad value at {at}")
        return json.loads(match.group(0)), match.end()

    def _object(self, at: int):
        out: dict = {}
        at = _SPACE.match(self.text, at).end()
        if self.text.startswith("}", at):
            return out, at + 1
        while True:
            key, at = self.value(at)
            key = str(key) if isinstance(key, str) else json.loads(self.text[key.start:key.end])
            at = _SPACE.match(self.text, at).end() + 1  # the colon
            out[key], at = self.value(at)
            at = _SPACE.match(self.text, at).end()
            if self.text.startswith("}", at):
                return out, at + 1
            at += 1  # the comma

    def _array(self, at: int):
        out: list = []
        at = _SPACE.match(self.text, at).end()
        if self.text.startswith("]", at):
            return out, at + 1
        while True:
            item, at = self.value(at)
            out.append(item)
            at = _SPACE.match(self.text, at).end()
            if self.text.startswith("]", at):
                return out, at + 1
            at += 1
