"""Inline suppressions read from comments: `# noqa`, `# noqa: SHP101`, `# shapecheck: ignore`,
`# shapecheck: ignore[SHP101, SHP102]`, each acting on findings that start on its own line (in a
notebook: on its own line of its own cell).  They are read with the file and kept in its result;
the finishing stage (`finishing.py`) applies them to every finding, whatever produced it."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from .diagnostics import Code, Diagnostic, Span

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
_IGNORE = re.compile(r"#\s*shapecheck\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?")
_ANY = re.compile(r"#\s*(?:noqa|shapecheck\s*:\s*ignore)", re.I)  # in the text, before tokenizing it


@dataclass(frozen=True)
class Suppression:
    span: Span  # the directive inside the comment
    codes: Optional[Tuple[str, ...]]  # None: every code; else codes or prefixes ("SHP1")
    shared: bool  # a bare `# noqa`, which other linters read too
    cell: Optional[int] = None  # the notebook cell its line is counted in

    def covers(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


def read(source: str) -> Tuple[Suppression, ...]:
    """The suppressions in the source's comments, in order (strings and docstrings are not comments)."""
    if not _ANY.search(source):
        return ()  # no comment can hold a directive the text does not
    return tuple(s for line, column, comment in _comments(source) for s in _directives(line, column, comment))


def _comments(source: str) -> Iterator[Tuple[int, int, str]]:
    """(line, 0-based column, text) of each comment, as far as the source tokenizes."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError):
        return


def _directives(line: int, column: int, comment: str) -> Iterator[Suppression]:
    for match in _NOQA.finditer(comment):
        listed = _split(match["codes"])
        codes = tuple(c for c in listed if c.startswith("SHP"))
        if listed and not codes:
            continue  # `# noqa: E501` belongs to another linter
        yield Suppression(_span(line, column, match), codes or None, shared=not listed)
    for match in _IGNORE.finditer(comment):
        codes = _split(match["codes"])
        yield Suppression(_span(line, column, match), codes or None, shared=False)


def _split(codes: Optional[str]) -> Tuple[str, ...]:
    return tuple(c.upper() for c in re.split(r"[\s,]+", codes or "") if c)


def _span(line: int, column: int, match: re.Match) -> Span:
    return Span(line, column + match.start() + 1, line, column + match.end() + 1)


def apply(diagnostics: Sequence[Diagnostic], suppressions: Sequence[Suppression], path: str,
          report_unused: bool = False) -> List[Diagnostic]:
    """The findings no suppression covers, then (with ``report_unused``) an SHP905 note for each
    suppression, or listed code, that covered nothing."""
    by_line: Dict[Tuple[Optional[int], int], List[Suppression]] = {}
    for s in suppressions:
        by_line.setdefault((s.cell, s.span.line), []).append(s)
    used: Dict[int, set] = {}  # id of a suppression -> the codes it covered
    kept = []
    for d in diagnostics:
        covering = [s for s in by_line.get((d.cell, d.span.line), ()) if s.covers(d.code)]
        for s in covering:
            used.setdefault(id(s), set()).add(d.code)
        if not covering:
            kept.append(d)
    if report_unused:
        kept += [note for s in suppressions for note in _unused(s, used.get(id(s), set()), path)]
    return kept


def _unused(s: Suppression, covered: set, path: str) -> List[Diagnostic]:
    if s.shared:
        return []  # a bare `# noqa` may be there for flake8 or ruff
    if s.codes is None:
        return [] if covered else [Diagnostic(path, s.span, Code.UNUSED_SUPPRESSION, "unused suppression: no finding on this line",
                                              cell=s.cell)]
    idle = [c for c in s.codes if not any(code.startswith(c) for code in covered)]
    if not idle:
        return []
    return [Diagnostic(path, s.span, Code.UNUSED_SUPPRESSION, f"unused suppression of {', '.join(idle)}: "
                                               f"no such finding on this line", cell=s.cell)]
