"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run, the catalogue as the
driver's rules, one result per finding with its location and fix. File URIs are relative to the
current folder, named by the base id %SRCROOT%."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Dict, Optional, Sequence
from urllib.parse import quote

from .. import __version__
from ..diagnostics import CATALOGUE, Diagnostic, Fix, Rule, Span
from ..results import FileResult
from .paths import relative_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
ROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def document(results: Sequence[FileResult]) -> dict:
    index = {code: i for i, code in enumerate(CATALOGUE)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver()},
            "originalUriBaseIds": {ROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [result(d, index) for r in results for d in r.diagnostics],
        }],
    }


def driver() -> dict:
    out = {"name": "shapecheck", "version": __version__, "semanticVersion": __version__,
           "rules": [rule(r) for r in CATALOGUE.values()]}
    url = homepage()
    if url:
        out["informationUri"] = url
    return out


def homepage() -> Optional[str]:
    """The project's home page from the installed package's metadata, when it declares one."""
    from importlib import metadata

    try:
        urls = metadata.metadata("shapecheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    return None


def rule(r: Rule) -> dict:
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.explanation},
        "help": {"text": r.documentation(), "markdown": help_markdown(r)},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"tags": ["shape" if r.code < "SHP900" else "tool"]},
    }


def help_markdown(r: Rule) -> str:
    parts = [f"**{r.code} {r.name}**: {r.summary}", "", r.explanation]
    for label, example in (("Wrong", r.bad), ("Right", r.good)):
        if example.strip():
            parts += ["", f"{label}:", "", "```python", example.strip("\n"), "```"]
    return "\n".join(parts)


def result(d: Diagnostic, index: Dict[str, int]) -> dict:
    physical = {"artifactLocation": artifact(d.path)}
    if d.cell is None or d.file_span is not None:
        physical["region"] = region(d.span if d.cell is None else d.file_span)
    out = {"ruleId": d.code, "level": LEVEL.get(d.severity, "error"), "message": {"text": d.message},
           "locations": [{"physicalLocation": physical}]}
    if d.code in index:
        out["ruleIndex"] = index[d.code]
    edit = d.fix if d.cell is None else d.file_fix  # a notebook's: an edit inside the JSON string
    if edit is not None:
        out["fixes"] = [fix(d.path, edit)]
    properties = {}
    if d.model:
        properties["model"] = d.model
    if d.cell is not None:  # the region is in the .ipynb file's lines; where it is in the cell:
        properties.update(cell=d.cell, cellLine=d.span.line, cellColumn=d.span.column)
    if d.confirmed_on is not None:
        properties["confirmedOn"] = d.confirmed_on
    if properties:
        out["properties"] = properties
    return out


def artifact(path: str) -> dict:
    relative = relative_path(path)
    if Path(relative).is_absolute():
        return {"uri": Path(relative).as_uri()}
    return {"uri": quote(relative), "uriBaseId": ROOT}


def region(span: Span) -> dict:
    end_line = max(span.end_line, span.line)
    end_column = span.end_column if end_line > span.line else max(span.end_column, span.column)
    return {"startLine": span.line, "startColumn": span.column, "endLine": end_line, "endColumn": end_column}


def fix(path: str, edit: Fix) -> dict:
    replacement = {"deletedRegion": region(edit.span), "insertedContent": {"text": edit.replacement}}
    return {"description": {"text": f"Replace with {edit.replacement}"},
            "artifactChanges": [{"artifactLocation": artifact(path), "replacements": [replacement]}]}


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    json.dump(document(results), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
