"""The language server's code actions as text edits (no server process): the fix that --fix makes,
and a noqa comment that the finishing stage then reads as suppressing the finding."""

from __future__ import annotations

from shapecheck.api import check_text
from shapecheck.diagnostics import Diagnostic, Span
from shapecheck.server.actions import changed_part, fix, noqa

WRONG = """import torch
import torch.nn as nn

net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 32 * 32, 10))
net(torch.randn(2, 3, 32, 32))
"""


def edited(source: str, edit) -> str:
    lines = source.splitlines(keepends=True)
    start = sum(map(len, lines[:edit.span.line - 1])) + edit.span.column - 1
    end = sum(map(len, lines[:edit.span.end_line - 1])) + edit.span.end_column - 1
    return source[:start] + edit.text + source[end:]


def finding(line: int, code: str = "SHP101") -> Diagnostic:
    return Diagnostic("m.py", Span(line, 5, line, 9), code, "a finding")


def test_noqa_joins_a_noqa_list_already_on_the_line_and_then_suppresses_the_finding():
    source = "import torch\nx = 1  # noqa: E501\ny = 2\n"
    action = noqa(finding(2), source)
    assert edited(source, action.edit) == "import torch\nx = 1  # noqa: E501, SHP101\ny = 2\n"
    assert edited(source, noqa(finding(3), source).edit) == "import torch\nx = 1  # noqa: E501\ny = 2  # noqa: SHP101\n"


def test_no_noqa_where_the_line_ends_inside_a_string():
    source = 'import torch\ndoc = """first\nsecond"""\n'
    assert noqa(finding(2), source) is None


def test_the_fix_action_is_the_findings_fix_when_fix_would_make_it(tmp_path):
    source = WRONG
    [found] = check_text(source, str(tmp_path / "m.py")).diagnostics
    action = fix(found, source)
    assert (action.title, action.edit.span, action.edit.text) == ("Fix SHP101: write 8 * 30 * 30", found.fix.span,
                                                                  "8 * 30 * 30")
    assert check_text(edited(source, action.edit), str(tmp_path / "m.py")).diagnostics == []
    broken = Diagnostic(found.path, found.span, found.code, found.message,
                        fix=type(found.fix)("8 *", found.fix.span))  # not one expression: --fix refuses it
    assert fix(broken, source) is None


def test_changed_part_is_the_one_edit_between_two_texts():
    before, after = "a = 1\r\nb = nn.Linear(4, 2)\r\n", "a = 1\r\nb = nn.Linear(8, 2)\r\n"
    edit = changed_part(before, after)
    assert (edit.span, edit.text) == (Span(2, 15, 2, 16), "8")
    assert edited(before, edit) == after
