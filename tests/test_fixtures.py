"""The static checker against the fixture corpus: it finds exactly the marked bugs, and nothing else.

A fixture marks the line of its expected finding with a trailing comment::

    self.fc1 = nn.Linear(64 * 8 * 8, 500)  # expect: SHP101 4096 1024

the code, then numbers that must appear in the message as whole numbers. Files without a marker are
correct models: no error or warning may be reported in them. Info findings count only where marked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest

from shapecheck.diagnostics import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FILES = sorted(FIXTURES.glob("*.py"))
MARKER = re.compile(r"#\s*expect:\s*(?P<code>SHP\d{3})(?P<numbers>(?:\s+\d+)*)\s*$")
REPORTED = ("error", "warning")

Key = Tuple[int, str]  # (line, code)


def markers(source: str) -> Dict[Key, Tuple[str, ...]]:
    found = {}
    for number, text in enumerate(source.splitlines(), start=1):
        match = MARKER.search(text)
        if match:
            found[(number, match["code"])] = tuple(match["numbers"].split())
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def describe(findings) -> str:
    return "\n".join(f"  {d.span.line}:{d.span.column} {d.code} [{d.severity}] {d.message}"
                     for d in findings) or "  (none)"


def assert_markers(result, expected) -> None:
    """The findings are exactly the markers: each marked (line, code) reported, with every number
    the marker names in its message, and nothing else of the reported severities."""
    counted = [d for d in result.diagnostics
               if d.severity in REPORTED or (d.span.line, d.code) in expected]
    found = {(d.span.line, d.code) for d in counted}
    assert found == set(expected), (
        f"expected (line, code) {sorted(expected)}, got {sorted(found)}; all findings:\n"
        + describe(result.diagnostics))
    for (line, code), numbers in expected.items():
        messages = [d.message for d in counted if (d.span.line, d.code) == (line, code)]
        missing = [n for n in numbers
                   if not any(re.search(rf"\b{n}\b", message) for message in messages)]
        assert not missing, f"line {line} {code}: {missing} not in {messages}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_findings_are_exactly_the_markers(path: Path) -> None:
    from shapecheck.api import check_source

    source = path.read_text(encoding="utf-8")
    expected = markers(source)
    result = check_source(source, relative(path))

    assert_markers(result, expected)


def test_corpus_is_balanced_and_marked_well() -> None:
    buggy = {path.name: markers(path.read_text(encoding="utf-8")) for path in FILES}
    with_bug = [name for name, found in buggy.items() if found]
    assert len(FILES) >= 44
    assert abs(2 * len(with_bug) - len(FILES)) <= 4, "about half the fixtures should be correct"
    for name, found in buggy.items():
        assert len(found) <= 1, f"{name}: one bug per buggy fixture, got {sorted(found)}"
        for line, code in found:
            assert code in CATALOGUE, f"{name}:{line}: unknown code {code}"
            assert CATALOGUE[code].severity in REPORTED, f"{name}:{line}: {code} is not a bug code"
    for path in FILES:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "expect:" in text:
                assert MARKER.search(text), f"{path.name}:{number}: malformed marker {text.strip()!r}"


def shapecheck_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["cifar_three_blocks.py", "lenet_blitz.py", "examples_mnist_net.py"])
def test_cli_passes_a_correct_file(name: str) -> None:
    run = shapecheck_cli(f"tests/fixtures/{name}")
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("name", ["cifar_net_fc_size.py", "lenet_view.py", "conv_stack_channels.py",
                                  "digits_flat_batch.py"])
def test_cli_reports_a_buggy_file(name: str) -> None:
    target = f"tests/fixtures/{name}"
    ((line, code),) = markers((ROOT / target).read_text(encoding="utf-8"))
    run = shapecheck_cli(target)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(rf"^{re.escape(target)}:{line}:\d+: {code}\b", run.stdout, re.M), run.stdout
