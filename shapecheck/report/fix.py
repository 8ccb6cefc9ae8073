"""Applying fixes: replace the wrong number, keep every other byte, and never damage a file.

A fix is a replacement for one expression's span (a notebook's, an edit inside one JSON string of
its file: see notebook_json).  Its span must be exactly one expression of the
parsed file and its replacement one expression; the replacement is then spliced into the text, so
every other character (line endings of any style included) stays as it was, and a statement that
would no longer parse keeps its old text.

Writing the fixed text (`write_fixed`): in the file's own encoding (and byte order mark), to the
file a symbolic link points at, in place for a file with several hard links (so that every name
sees the fix), otherwise atomically (a temporary file in the same folder, then a rename) with the
file's permissions.  A read-only file is refused, and so is a file whose content changed since it
was read: an edit saved during the run is never overwritten.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..diagnostics import Diagnostic, Fix


@dataclass(frozen=True)
class FixOutcome:
    path: str
    original: str
    fixed: str
    applied: Tuple[Diagnostic, ...]
    left: Tuple[Diagnostic, ...] = ()  # the findings of the fixed text

    def diff(self) -> str:
        return "".join(difflib.unified_diff(_lines(self.original), _lines(self.fixed),
                                            fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


def _lines(text: str) -> List[str]:
    """Lines as Python counts them (\\n, \\r\\n, \\r), endings kept."""
    return io.StringIO(text, newline="").readlines()


def fixable(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    return [d for d in diagnostics if d.fix is not None]


# --- the edit ------------------------------------------------------------------------------------


class _Text:
    """The source's lines and where each starts, to turn a span (1-based line, 1-based character
    column) into an offset, and an ast node's UTF-8 column into a character column."""

    def __init__(self, source: str):
        self.source = source
        self.lines = _lines(source)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, column: int) -> Optional[int]:
        if not 1 <= line <= len(self.lines) or not 1 <= column <= len(self.lines[line - 1]) + 1:
            return None
        return self.starts[line - 1] + column - 1

    def column(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def span(self, node: ast.expr) -> Tuple[int, int, int, int]:
        return (node.lineno, self.column(node.lineno, node.col_offset),
                node.end_lineno, self.column(node.end_lineno, node.end_col_offset))


def apply_fixes(source: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    """The source with every fix applied whose span is exactly one expression and whose
    replacement is one expression; and those fixes.  Nothing else of the text changes."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source, []
    text = _Text(source)
    wanted: Dict[Tuple[int, int, int, int], Fix] = {}
    for fix in fixes:
        s = fix.span
        wanted.setdefault((s.line, s.column, s.end_line, s.end_column), fix)
    pieces, applied, position = [], [], 0
    for first, last, statements in _blocks(tree):
        found = _edits_in(first, last, statements, text, wanted)
        if not found:
            continue
        start, end = text.starts[first - 1], text.starts[min(last, len(text.lines))]
        new_block = _splice(source, start, end, found)
        if new_block is None:
            continue
        pieces += [source[position:start], new_block]
        position = end
        applied.extend(fix for _, _, fix in found)
    pieces.append(source[position:])
    return "".join(pieces), applied


def _blocks(tree: ast.Module):
    """(first line, last line, statements) for the module's top-level statements, those that
    share a line grouped: each block parses on its own."""
    block: list = []
    first = last = 0
    for statement in tree.body:
        start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        if block and start > last:
            yield first, last, block
            block = []
        if not block:
            first = start
        block.append(statement)
        last = max(last, statement.end_lineno or statement.lineno)
    if block:
        yield first, last, block


def _edits_in(first: int, last: int, statements, text: _Text, wanted) -> List[Tuple[int, int, Fix]]:
    """(start offset, end offset, fix) of the wanted spans that are expressions of ``statements``
    (lines ``first`` to ``last``), in order and not overlapping."""
    if not any(first <= line <= last for line, _, _, _ in wanted):
        return []
    edits = []
    for statement in statements:
        for node in ast.walk(statement):
            if not isinstance(node, ast.expr) or node.end_lineno is None:
                continue
            span = text.span(node)
            fix = wanted.get(span)
            if fix is None or not _one_expression(fix.replacement):
                continue
            start, end = text.offset(span[0], span[1]), text.offset(span[2], span[3])
            if start is not None and end is not None:
                edits.append((start, end, fix))
    edits.sort(key=lambda e: (e[0], e[1]))
    kept: List[Tuple[int, int, Fix]] = []
    for edit in edits:
        if not kept or edit[0] >= kept[-1][1]:
            kept.append(edit)
    return kept


def _one_expression(replacement: str) -> bool:
    if "\n" in replacement or "\r" in replacement:
        return False
    try:
        ast.parse(replacement, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _splice(source: str, start: int, end: int, edits: List[Tuple[int, int, Fix]]) -> Optional[str]:
    """source[start:end] with the edits made; None when the block would no longer parse."""
    parts, position = [], start
    for edit_start, edit_end, fix in edits:
        parts += [source[position:edit_start], fix.replacement]
        position = edit_end
    parts.append(source[position:end])
    block = "".join(parts)
    try:
        ast.parse(block)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return block


MAX_ROUNDS = 5


def _notebook_edits(text: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    from ..notebook_json import apply_edits

    return apply_edits(text, list(fixes))


def fix_source(source: str, path: str, check, notebook: bool = False) -> FixOutcome:
    """Apply fixes and re-check until nothing is left to fix: a fix can change what the next layer
    receives.  ``check(source, path)`` returns a FileResult.  A notebook's fixes are edits of its
    JSON text (``Diagnostic.file_fix``), each inside one JSON string."""
    text, applied = source, []
    checked, result = None, None
    edit_of = (lambda d: d.file_fix) if notebook else (lambda d: d.fix)
    for _ in range(MAX_ROUNDS):
        checked, result = text, check(text, path)
        todo = [d for d in fixable(result.diagnostics) if edit_of(d) is not None]
        if not todo:
            break
        new_text, done = (_notebook_edits if notebook else apply_fixes)(text, [edit_of(d) for d in todo])
        if not done or new_text == text:
            break
        applied.extend(d for d in todo if edit_of(d) in done)
        text = new_text
    if checked != text:
        result = check(text, path)
    return FixOutcome(path, source, text, tuple(applied), tuple(result.diagnostics))


# --- writing it ----------------------------------------------------------------------------------


class NotWritten(Exception):
    """The fixed text was not written; the message says why, in one line."""


class ChangedMeanwhile(NotWritten):
    """The file's content is no longer what was read and fixed: someone saved an edit."""


def encode_like(text: str, original: bytes) -> bytes:
    """``text`` in the encoding ``original`` declares (UTF-8 by default), with its byte order mark."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    bom = original.startswith(b"\xef\xbb\xbf")
    data = text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    return b"\xef\xbb\xbf" + data if bom and not data.startswith(b"\xef\xbb\xbf") else data


def write_fixed(path: Path, original: bytes, text: str) -> None:
    """Replace the file's content ``original`` (as it was read) by ``text``; raises NotWritten
    when the file is read-only or its content is no longer ``original``."""
    target = Path(os.path.realpath(path))  # a symbolic link: the file it points at
    try:
        info = os.stat(target)
    except OSError as e:
        raise NotWritten(f"cannot write the fixes: {e.strerror or e}") from None
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise NotWritten("the file is read-only; not fixed")
    data = encode_like(text, original)
    try:
        if info.st_nlink > 1:
            _write_in_place(target, original, data)
        else:
            _write_atomically(target, original, data, stat.S_IMODE(info.st_mode))
    except OSError as e:
        raise NotWritten(f"cannot write the fixes: {e.strerror or e}") from None


_CHANGED = "the file changed while shapecheck was fixing it; not fixed (run shapecheck again)"


def _write_in_place(target: Path, original: bytes, data: bytes) -> None:
    """For a file with several hard links: every name keeps seeing the same file."""
    with open(target, "r+b") as handle:
        if handle.read() != original:
            raise ChangedMeanwhile(_CHANGED)
        handle.seek(0)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _write_atomically(target: Path, original: bytes, data: bytes, mode: int) -> None:
    handle, temporary = tempfile.mkstemp(dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if target.read_bytes() != original:  # an edit saved since the file was read wins
            raise ChangedMeanwhile(_CHANGED)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
