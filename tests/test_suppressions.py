"""Inline suppressions as users write them next to a finding: `# noqa`, `# noqa: SHP101`,
`# shapecheck: ignore[...]`; comments of other linters and `#` inside strings change nothing;
--show-unused-suppressions points at the ones left behind."""

from __future__ import annotations

import pytest

from shapecheck.api import check_source
from shapecheck.cli.main import main
from shapecheck.cli.config import Selection

NET = """\
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 32 * 32, 10){comment}
)
model(torch.randn(8, 3, 32, 32))
"""
LINEAR_LINE = 7
SHAPE_ERRORS = Selection(select=("SHP1", "SHP9"))


def findings(comment: str) -> list:
    result = check_source(NET.format(comment=comment), "net.py", selection=SHAPE_ERRORS)
    return [(d.code, d.span.line) for d in result.diagnostics]


def test_the_finding_is_there_without_a_comment():
    assert findings("") == [("SHP101", LINEAR_LINE)]


@pytest.mark.parametrize("comment", [
    ",  # noqa: SHP101",
    ",  # noqa:SHP101",
    ",  # NOQA: E501, SHP101",
    ",  # noqa: SHP1",
    ",  # noqa",
    ",  # shapecheck: ignore[SHP101]",
    ",  # shapecheck: ignore[SHP102, SHP101]",
    ",  # shapecheck: ignore",
    ",  # type: ignore  # shapecheck: ignore[SHP101] -- the dataset is resized in the loader",
])
def test_a_suppression_on_the_line_hides_the_finding(comment):
    assert findings(comment) == []


@pytest.mark.parametrize("comment", [
    ",  # noqa: E501",
    ",  # noqa: SHP102",
    ",  # shapecheck: ignore[SHP102]",
    ",  # no qa here",
])
def test_other_codes_do_not_hide_it(comment):
    assert findings(comment) == [("SHP101", LINEAR_LINE)]


def test_a_hash_inside_a_string_is_not_a_comment():
    source = 'import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 8, 3)); tag = "# noqa"\n'
    assert [d.code for d in check_source(source, "net.py", selection=SHAPE_ERRORS).diagnostics] == ["SHP102"]


def test_a_suppression_on_another_line_does_nothing():
    source = NET.format(comment="").replace("nn.Flatten(),", "nn.Flatten(),  # noqa: SHP101")
    assert [d.code for d in check_source(source, "net.py", selection=SHAPE_ERRORS).diagnostics] == ["SHP101"]


def test_unused_suppressions_are_reported_on_request():
    source = NET.format(comment=",  # noqa: SHP101, SHP102").replace(
        "nn.Flatten(),", "nn.Flatten(),  # shapecheck: ignore").replace(
        "nn.ReLU(), nn.MaxPool2d(2),", "nn.ReLU(), nn.MaxPool2d(2),  # noqa")
    assert check_source(source, "net.py", selection=SHAPE_ERRORS).diagnostics == []
    notes = check_source(source, "net.py", unused_suppressions=True,
                         selection=Selection(select=("SHP905",))).diagnostics
    assert [(d.code, d.severity, d.span.line) for d in notes] == [("SHP905", "info", 6), ("SHP905", "info", 7)]
    assert notes[0].message == "unused suppression: no finding on this line"
    assert notes[1].message == "unused suppression of SHP102: no such finding on this line"
    line = source.splitlines()[LINEAR_LINE - 1]
    assert line[notes[1].span.column - 1:notes[1].span.end_column - 1] == "# noqa: SHP101, SHP102"


def test_the_command_line_reports_unused_suppressions(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(NET.format(comment=",  # shapecheck: ignore[SHP102]").replace(
        "32 * 32 * 32", "32 * 16 * 16"))
    with pytest.raises(SystemExit) as exit:
        main(["net.py", "--show-unused-suppressions", "-f", "concise", "--select", "SHP1,SHP9"])
    out = capsys.readouterr().out
    assert exit.value.code == 0
    assert out == "net.py:7:35: SHP905 unused suppression of SHP102: no such finding on this line\n"


def test_a_file_that_does_not_tokenize_keeps_its_syntax_error():
    result = check_source('x = """never closed  # noqa\n', "broken.py")
    assert [d.code for d in result.diagnostics] == ["SHP901"]
