"""One line per finding, nothing else: path:line:col: CODE message."""

from __future__ import annotations

from collections import Counter
from typing import IO, List, Sequence

from ..diagnostics import CATALOGUE, Diagnostic
from ..results import FileResult


def location(d: Diagnostic) -> str:
    if d.cell is not None:
        return f"{d.path}:cell {d.cell}:{d.span.line}:{d.span.column}"
    return f"{d.path}:{d.span.line}:{d.span.column}"


def line(d: Diagnostic) -> str:
    return f"{location(d)}: {d.code} {d.message}"


def statistics_lines(results: Sequence[FileResult]) -> List[str]:
    """'     3  SHP101  linear-in-features' per code found, most frequent first."""
    counts = Counter(d.code for r in results for d in r.diagnostics)
    return [f"{count:6d}  {code}  {CATALOGUE[code].name if code in CATALOGUE else ''}".rstrip()
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(results: Sequence[FileResult], stream: IO[str], statistics: bool = False, **options) -> None:
    for result in results:
        for d in result.diagnostics:
            stream.write(line(d) + "\n")
    if statistics:
        stream.write("".join(s + "\n" for s in statistics_lines(results)))
