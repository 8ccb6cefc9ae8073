"""GitLab Code Quality (a subset of Code Climate's issue format): a JSON array, one issue per finding.

The fingerprint, by which GitLab tells a new finding from one it already knows, is stable across
runs and edits elsewhere in the file: a hash of the path, the code, the text of the finding's line
(not its number) and how many equal findings came before it."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult
from .lines import SourceLines
from .paths import relative_path

SEVERITY = {"error": "critical", "warning": "minor", "info": "info"}


def document(results: Sequence[FileResult]) -> list:
    seen: Counter = Counter()
    sources = SourceLines()
    issues = []
    for result in results:
        for d in result.diagnostics:
            path = project_path(d.path)
            key = (path, d.code, sources.line(d, d.span.line).strip() or d.message)
            issues.append(issue(d, path, fingerprint(*key, seen[key])))
            seen[key] += 1
    return issues


def issue(d: Diagnostic, path: str, fingerprint: str) -> dict:
    span = d.span if d.cell is None else d.file_span
    description = d.message if d.cell is None else \
        f"cell {d.cell}, line {d.span.line}, column {d.span.column}: {d.message}"
    lines = {"begin": span.line, "end": max(span.end_line, span.line)} if span else {"begin": 1}
    return {"type": "issue", "check_name": d.code, "description": f"{d.code} {description}",
            "categories": ["Bug Risk"], "severity": SEVERITY.get(d.severity, "major"),
            "fingerprint": fingerprint, "location": {"path": path, "lines": lines}}


def fingerprint(path: str, code: str, text: str, occurrence: int) -> str:
    return hashlib.sha256("\0".join((path, code, text, str(occurrence))).encode("utf-8")).hexdigest()[:32]


def project_path(path: str) -> str:
    """The path from the project's root: $CI_PROJECT_DIR in a GitLab job, else the current folder."""
    root = os.environ.get("CI_PROJECT_DIR")
    if root:
        try:
            return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        except ValueError:  # another drive, on Windows
            pass
    return relative_path(path)


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    json.dump(document(results), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
