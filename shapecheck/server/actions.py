"""The code actions on a file's findings, as text edits (no protocol here): the finding's own fix,
spliced in exactly as `--fix` splices it (`report.fix.apply_fixes`: one expression's span, the
statement still parsing); every fix of the file to a fixed point, as `--fix` does
(`report.fix.fix_source`); and a `# noqa: SHPnnn` comment on the finding's line."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import Callable, Optional

from .. import suppressions
from ..diagnostics import Diagnostic, Span
from ..report.fix import apply_fixes, fix_source
from ..results import FileResult


@dataclass(frozen=True)
class Edit:
    """Replace the text of ``span`` (1-based lines and character columns, the end exclusive)."""

    span: Span
    text: str


@dataclass(frozen=True)
class Action:
    title: str
    edit: Edit
    diagnostic: Optional[Diagnostic]  # the finding it acts on; None for the file's fixes together
    kind: str  # "quickfix" or "fix-all"
    preferred: bool = False  # the action an editor applies on its own "fix" command


def fix(d: Diagnostic, source: str) -> Optional[Action]:
    """The finding's fix, when --fix would make it."""
    if d.fix is None:
        return None
    _, applied = apply_fixes(source, [d.fix])
    if not applied:
        return None
    return Action(f"Fix {d.code}: write {d.fix.replacement}", Edit(d.fix.span, d.fix.replacement), d, "quickfix",
                  preferred=True)


def fix_all(result: FileResult, source: str, check: Callable[[str, str], FileResult]) -> Optional[Action]:
    """Every fix of the file, re-checked until nothing is left to fix, as one edit."""
    if not any(d.fix is not None for d in result.diagnostics):
        return None
    outcome = fix_source(source, result.path, check)
    if not outcome.applied:
        return None
    count = len(outcome.applied)
    return Action(f"Fix {count} shapecheck finding{'s' * (count != 1)}", changed_part(source, outcome.fixed),
                  None, "fix-all")


_NOQA_CODES = re.compile(r"#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*", re.I)


def noqa(d: Diagnostic, source: str) -> Optional[Action]:
    """`# noqa: SHP101` at the end of the finding's line (its code added to a `# noqa:` list already
    there); None where the comment would not suppress it (the line ends inside a string)."""
    lines = io.StringIO(source, newline="").readlines()
    if not 1 <= d.span.line <= len(lines):
        return None
    line = lines[d.span.line - 1].rstrip("\r\n")
    listed = _NOQA_CODES.search(line)
    if listed:
        at, text = listed.end(), f", {d.code}"
    else:
        at, text = len(line), f"  # noqa: {d.code}"
    edit = Edit(Span(d.span.line, at + 1, d.span.line, at + 1), text)
    edited = "".join(lines[:d.span.line - 1]) + line[:at] + text + lines[d.span.line - 1][at:] + \
        "".join(lines[d.span.line:])
    if not any(s.span.line == d.span.line and s.covers(d.code) for s in suppressions.read(edited)):
        return None
    return Action(f"Suppress {d.code} on this line (# noqa: {d.code})", edit, d, "quickfix")


def changed_part(before: str, after: str) -> Edit:
    """The one edit that turns ``before`` into ``after``: the text between their common start and end."""
    start = len(os.path.commonprefix([before, after]))
    end = len(os.path.commonprefix([before[start:][::-1], after[start:][::-1]]))
    return Edit(Span(*_place(before, start), *_place(before, len(before) - end)), after[start:len(after) - end])


def _place(text: str, offset: int):
    """(1-based line, 1-based character column) of an offset, lines as Python counts them."""
    line, column = 1, 1
    for piece in io.StringIO(text[:offset], newline="").readlines():
        if piece.endswith(("\n", "\r")):
            line, column = line + 1, 1
        else:
            column = len(piece) + 1
    return line, column
