"""The summary line under the findings reads as a sentence in every combination of errors,
warnings, notes, models, files and models checked only in part or with symbols."""

from __future__ import annotations

import itertools
import re

import pytest

from shapecheck.diagnostics import Diagnostic, Span
from shapecheck.report.text_format import _summary_line
from shapecheck.results import FileResult, ModelReport, StoppedAt

CODES = {"error": "SHP101", "warning": "SHP301", "info": "SHP204"}


def finding(severity: str) -> Diagnostic:
    return Diagnostic("a.py", Span(1, 1, 1, 1), CODES[severity], "m")


def model(status: str, number: int = 0) -> ModelReport:
    stop = StoppedAt(3, "fc", "layer-not-modelled", "x") if status == "unknown" else None
    return ModelReport("a.py", f"Net{number}", 1 + number, status, None, "", None, (), None, stopped_at=stop)


def results(errors, warnings, notes, statuses, files):
    first = FileResult("a.py", [finding("error")] * errors + [finding("warning")] * warnings
                       + [finding("info")] * notes, [model(s, i) for i, s in enumerate(statuses)])
    return [first] + [FileResult(f"b{i}.py") for i in range(files - 1)]


STATUSES = [(), ("ok",), ("unknown",), ("ok", "ok"), ("ok", "unknown"), ("unknown", "unknown"),
            ("symbolic", "unknown"), ("symbolic", "symbolic", "ok")]
COMBINATIONS = list(itertools.product((0, 1, 2), (0, 1, 2), (0, 1, 2), STATUSES, (1, 2), (False, True)))


@pytest.mark.parametrize("errors, warnings, notes, statuses, files, tables", COMBINATIONS)
def test_every_combination_reads_as_a_sentence(errors, warnings, notes, statuses, files, tables):
    line = _summary_line(results(errors, warnings, notes, statuses, files), tables=tables)
    assert line.endswith(".") and not line.endswith("..")
    assert re.search(r"\b1 (errors|warnings|notes|models|files)\b", line) is None  # singular after 1
    assert re.search(r"\b([02-9]|\d\d+) (error|warning|note|model|file)\b(?!s)", line) is None  # plural after others
    assert ") checked" not in line and ";;" not in line and ", ," not in line and ": :" not in line
    assert line.startswith(f"Found {errors} error" if errors else "No shape errors")
    for count, word in ((warnings, "warning"), (notes, "note")):
        assert (f"{count} {word}" in line) == bool(count)
    partly = statuses.count("unknown")
    assert ("only in part" in line) == bool(partly)
    if partly:
        where = "the tables above say" if tables else "the line above says" if partly == 1 else "the lines above say"
        assert f"({where} where {'it' if partly == 1 else 'they'} stopped)" in line


@pytest.mark.parametrize("counts, statuses, files, expected", [
    ((0, 0, 0), ("ok",), 1, "No shape errors: 1 model in 1 file checked."),
    ((0, 4, 0), ("ok",), 1, "No shape errors; 4 warnings: 1 model in 1 file checked."),
    ((2, 1, 3), ("ok", "unknown", "ok", "ok"), 2,
     "Found 2 errors in 1 file; 1 warning, 3 notes: 4 models in 2 files checked, 1 of them only in part "
     "(the line above says where it stopped)."),
    ((0, 0, 1), (), 3, "No shape errors; 1 note: 3 files checked, no model in them."),
    ((0, 0, 0), ("unknown", "unknown"), 1,
     "No shape errors: 2 models in 1 file checked, all of them only in part (the lines above say where they stopped)."),
    ((1, 0, 0), ("symbolic",), 1, "Found 1 error in 1 file: 1 model in 1 file checked, with constructor arguments "
                                  "as symbols."),
])
def test_the_sentences_as_written(counts, statuses, files, expected):
    assert _summary_line(results(*counts, statuses, files)) == expected
