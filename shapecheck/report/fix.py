"""Applying fixes: replace the wrong number, keep every other byte.

A fix is a replacement for one expression's span.  The file is parsed with libcst, which keeps
every byte of the source; the expression at each span is swapped for the parsed replacement and
the module is written back as code.  A fix whose span does not match an expression exactly is
not applied.  Files are written atomically (a temporary file in the same folder, then a rename),
keeping their encoding, line endings and permissions.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from ..diagnostics import Diagnostic, Fix


@dataclass(frozen=True)
class FixOutcome:
    path: str
    original: str
    fixed: str
    applied: Tuple[Diagnostic, ...]
    left: Tuple[Diagnostic, ...] = ()  # the findings of the fixed text

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True),
                                            self.fixed.splitlines(keepends=True),
                                            fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


def fixable(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    return [d for d in diagnostics if d.fix is not None]


def apply_fixes(source: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    """The source with every fix applied whose span is exactly one expression; and those fixes."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    wanted: Dict[Tuple[int, int, int, int], Fix] = {}
    for fix in fixes:
        s = fix.span
        wanted.setdefault((s.line, s.column - 1, s.end_line, s.end_column - 1), fix)
    applied: List[Fix] = []

    class Replace(cst.CSTTransformer):
        def on_leave(self, original, updated):
            if not isinstance(original, cst.BaseExpression):
                return updated
            position = positions.get(original)
            if position is None:
                return updated
            key = (position.start.line, position.start.column, position.end.line, position.end.column)
            fix = wanted.pop(key, None)
            if fix is None:
                return updated
            try:
                replacement = cst.parse_expression(fix.replacement)
            except cst.ParserSyntaxError:
                return updated
            applied.append(fix)
            return replacement.with_changes(lpar=updated.lpar, rpar=updated.rpar) \
                if hasattr(updated, "lpar") and hasattr(replacement, "lpar") and updated.lpar else replacement

    fixed = wrapper.module.visit(Replace())
    return fixed.code, applied


def write_atomically(path: Path, text: str, like: Path) -> None:
    """Write ``text`` in the encoding and line endings ``like`` had, then rename over ``path``."""
    import io
    import tokenize

    raw = like.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    newline = "\r\n" if b"\r\n" in raw else "\n"
    data = text.replace("\r\n", "\n").replace("\n", newline).encode(encoding)
    if raw.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    mode = stat.S_IMODE(os.stat(path).st_mode)
    handle, temporary = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


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
