"""Fixes: every fixable buggy fixture is rewritten to the expected file byte for byte, the result
is clean, fixing again changes nothing, and the fixed model really runs under torch."""

from __future__ import annotations

import os
import runpy
import stat
import sys
from pathlib import Path

import pytest

from shapecheck.api import check_source
from shapecheck.diagnostics import Fix, Span
from shapecheck.report.fix import apply_fixes, fix_source, write_fixed

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXPECTED = ROOT / "tests" / "fixes"
BUGGY = [p for p in sorted(FIXTURES.glob("*.py")) if "# expect:" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_fix_gives_the_expected_file(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    outcome = fix_source(source, f"tests/fixtures/{path.name}", check_source)
    expected = EXPECTED / path.name
    if not outcome.applied:
        assert not expected.exists(), "nothing is fixable here any more: remove the expected file"
        return
    assert expected.exists(), f"new fix: review it and save it as {expected}:\n{outcome.diff()}"
    assert outcome.fixed == expected.read_text(encoding="utf-8")
    errors = [d for d in check_source(outcome.fixed, path.name).diagnostics if d.severity == "error"]
    assert errors == []
    assert fix_source(outcome.fixed, path.name, check_source).applied == ()


@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.py")), ids=lambda p: p.name)
def test_fixed_model_runs_under_torch(path: Path, monkeypatch, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    monkeypatch.setattr(sys, "argv", [str(path)])
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(path), run_name="__main__")


def test_a_named_constant_is_only_suggested() -> None:
    source = (FIXTURES / "constants_mnist.py").read_text(encoding="utf-8")
    (finding,) = [d for d in check_source(source, "m.py").diagnostics if d.code == "SHP101"]
    assert finding.fix is None
    assert "the right value is 64 * 7 * 7" in finding.message


def test_only_the_fixed_span_changes() -> None:
    source = "import torch.nn as nn\r\nhead = nn.Linear( 64*8*8 ,10)  # keep   me\r\n"
    fixed, applied = apply_fixes(source, [Fix("64*4*4", Span(2, 19, 2, 25))])
    assert applied and fixed == source.replace("64*8*8", "64*4*4")


def test_a_span_that_is_not_an_expression_is_left_alone() -> None:
    source = "x = foo(1, 2)\n"
    fixed, applied = apply_fixes(source, [Fix("3", Span(1, 9, 1, 13))])
    assert fixed == source and applied == []


def test_writes_keep_encoding_line_endings_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    original = "# -*- coding: latin-1 -*-\r\nname = 'café'\r\n".encode("latin-1")
    path.write_bytes(original)
    os.chmod(path, 0o750)
    write_fixed(path, original, "# -*- coding: latin-1 -*-\r\nname = 'crème'\r\n")
    assert path.read_bytes() == "# -*- coding: latin-1 -*-\r\nname = 'crème'\r\n".encode("latin-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]
