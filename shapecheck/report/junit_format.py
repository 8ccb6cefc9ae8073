"""JUnit XML, for CI test reports (GitLab, Jenkins, Azure, CircleCI): one testsuite, one testcase
per checked file, passing when the file has no finding, with a <failure> per finding (its code as
the type).  Counts follow the report parsers: ``failures`` is the number of <failure> elements."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import IO, Sequence

from ..diagnostics import Diagnostic
from ..results import FileResult
from .concise_format import line
from .paths import relative_path

SUITE = "shapecheck"


def document(results: Sequence[FileResult]) -> ET.Element:
    cases = [testcase(r) for r in results]
    counts = {"tests": str(len(cases)), "failures": str(sum(len(r.diagnostics) for r in results)),
              "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", name=SUITE, tests=counts["tests"], failures=counts["failures"],
                        errors="0")
    suite = ET.SubElement(suites, "testsuite", name=SUITE, **counts)
    suite.extend(cases)
    return suites


def testcase(result: FileResult) -> ET.Element:
    path = relative_path(result.path)
    case = ET.Element("testcase", name=path, classname=classname(path))
    for d in result.diagnostics:
        failure = ET.SubElement(case, "failure", type=d.code, message=f"{where(d)}: {d.code} {d.message}")
        failure.text = line(d)
    return case


def classname(path: str) -> str:
    """'examples/buggy/cifar.py' -> 'examples.buggy.cifar': report viewers group the files by folder."""
    pure = PurePosixPath(path)
    return ".".join(part for part in pure.with_suffix("").parts if part not in ("/", "..", "."))


def where(d: Diagnostic) -> str:
    place = f"line {d.span.line}, column {d.span.column}"
    return place if d.cell is None else f"cell {d.cell}, {place}"


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    tree = document(results)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(tree, encoding="unicode") + "\n")
