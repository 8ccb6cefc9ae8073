"""Call-site blame: a wrong value passed into a helper or a block is reported at the call that
passed it, in the user's own terms, and each such bug is real under torch.

A fixture under tests/fixtures_blame/ marks each expected finding on the line it must be reported
at, with its column and the start of its suggestion::

    self.dec2 = double_conv(128, 128)  # expect: SHP102 128 256 @33 pass 256 as in_ch: double_conv(256, 128)

the code, numbers that must appear in the message, ``@`` the column, then the text the suggestion
(what follows "; " in the message) starts with.  Files without a marker are correct models: nothing
may be reported in them.  Where a finding has a fix, tests/fixes_blame/ holds the fixed file.
"""

from __future__ import annotations

import re
import runpy
import sys
import warnings
from pathlib import Path
from typing import Dict, Tuple

import pytest

from shapecheck.api import check_source
from shapecheck.report.fix import fix_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures_blame"
FIXED = ROOT / "tests" / "fixes_blame"
FILES = sorted(FIXTURES.glob("*.py"))
MARKER = re.compile(r"#\s*expect:\s*(?P<code>SHP\d{3})(?P<numbers>(?:\s+\d+)*)\s+@(?P<column>\d+)\s+(?P<text>.+?)\s*$")
BATCH = 2

Marker = Tuple[str, Tuple[str, ...], int, str]  # code, numbers, column, suggestion


def markers(source: str) -> Dict[int, Marker]:
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            found[number] = (match["code"], tuple(match["numbers"].split()), int(match["column"]), match["text"])
    return found


def reported(result):
    return [d for d in result.diagnostics if d.severity in ("error", "warning")]


def describe(findings) -> str:
    return "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in findings) or "  (none)"


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_finding_is_at_its_marked_line_column_and_suggestion(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    expected = markers(source)
    found = reported(check_source(source, relative(path)))
    assert {d.span.line for d in found} == set(expected), describe(found)
    for d in found:
        code, numbers, column, text = expected[d.span.line]
        assert (d.code, d.span.column) == (code, column), describe([d])
        missing = [n for n in numbers if not re.search(rf"\b{n}\b", d.message)]
        assert not missing, f"{missing} not in {d.message!r}"
        assert d.parts is not None and d.parts.suggestion.startswith(text), d.message


@pytest.fixture
def run_as_script(monkeypatch):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)

    def run(path: Path) -> None:
        monkeypatch.setattr(sys, "argv", [str(path)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runpy.run_path(str(path), run_name="__main__")
    return run


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_marked_bugs_crash_under_torch_and_correct_models_run(path: Path, run_as_script) -> None:
    if markers(path.read_text(encoding="utf-8")):
        with pytest.raises(RuntimeError, match=r"to have \d+ channels|running_mean should contain|mat1 and mat2|is invalid for input of size"):
            run_as_script(path)
    else:
        run_as_script(path)


@pytest.mark.parametrize("path", [p for p in FILES if markers(p.read_text(encoding="utf-8"))], ids=lambda p: p.name)
def test_torch_fails_in_the_layer_the_moved_finding_names(path: Path) -> None:
    """The finding is at the call, but names the layer inside the helper that torch fails in."""
    pytest.importorskip("torch")
    from shapecheck.runtime.run import RuntimeRequest, run_file

    source = path.read_text(encoding="utf-8")
    result = check_source(source, relative(path))
    failing = {d.model: d for d in reported(result)}
    requests = [RuntimeRequest(m.name, tuple(BATCH if d == "B" else d for d in m.input_shape), m.ctor_args)
                for m in result.models if m.name in failing]
    assert requests, describe(result.diagnostics)
    for ran in run_file(str(path), source, requests):
        finding = failing[ran.model]
        assert ran.status == "error", f"{ran.model} runs under torch: the marked bug is not real"
        assert ran.error_layer == finding.layer or ran.error_line == finding.span.line, ran.message


FIXABLE = [p for p in FILES if (FIXED / p.name).exists()]


@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: p.name)
def test_fix_rewrites_the_literal_at_the_call(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    outcome = fix_source(source, relative(path), check_source)
    assert outcome.fixed == (FIXED / path.name).read_text(encoding="utf-8")
    # the marked findings first; a fix can show the next layer wrong, fixed in the next round
    assert [d.span.line for d in outcome.applied][:len(markers(source))] == list(markers(source))
    assert fix_source(outcome.fixed, relative(path), check_source).applied == ()  # fixing again changes nothing
    assert reported(check_source(outcome.fixed, relative(path))) == []


@pytest.mark.parametrize("path", FIXABLE[:1], ids=lambda p: p.name)
def test_fix_at_the_call_keeps_every_other_byte(path: Path) -> None:
    source = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    outcome = fix_source(source, relative(path), check_source)
    assert outcome.fixed == (FIXED / path.name).read_text(encoding="utf-8").replace("\n", "\r\n")


@pytest.mark.parametrize("path", sorted(FIXED.glob("*.py")), ids=lambda p: p.name)
def test_fixed_model_runs_under_torch(path: Path, run_as_script) -> None:
    run_as_script(path)


def test_a_name_at_the_call_is_suggested_not_written() -> None:
    """conv3x3(inplanes, planes): ``planes`` is the name to pass; a name is not replaced for the user."""
    source = (FIXTURES / "resnet_conv3x3_helpers.py").read_text(encoding="utf-8")
    (finding,) = reported(check_source(source, "resnet.py"))
    assert finding.fix is None
    assert finding.layer == "layer2.0.conv2" and finding.model == "resnet14"
    assert finding.not_fixed == "the value is written as inplanes: pass planes instead"


def test_several_layers_wrong_through_one_call_are_one_finding_there() -> None:
    source = (FIXTURES / "googlenet_inception.py").read_text(encoding="utf-8")
    (finding,) = reported(check_source(source, "googlenet.py"))
    assert "(also wrong for inception4a.branch2.0.conv, inception4a.branch3.0.conv, inception4a.branch4.1.conv)" \
        in finding.message


# --- geometry named upstream: what set the size a Linear or a view receives ----------------------

@pytest.mark.parametrize("name, context", [
    ("cifar_extra_pool_linear.py", "(B×64×4×4 after the three MaxPool2d(2) at lines 12, 14, 16)"),
    ("padding_changed_linear.py",
     "(B×64×7×7 after the two MaxPool2d(2) at lines 9, 12 and Conv2d(32, 64, kernel_size=3) at line 10)"),
    ("stride_changed_linear.py", "(B×64×7×7 after Conv2d(32, 64, 3, 2, 1) at line 12 and F.max_pool2d(…, 2) at line 19)"),
    ("kernel_changed_linear.py",
     "(B×16×6×6 after Conv2d(3, 6, 5) at line 11, the two MaxPool2d(2, 2) at line 12 and Conv2d(6, 16, 3) at line 13)"),
])
def test_a_linear_names_the_layers_that_set_what_it_receives(name: str, context: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    (finding,) = reported(check_source(source, name))
    assert finding.parts.context == context


def test_a_second_option_only_where_one_change_upstream_makes_the_layer_right() -> None:
    """A kernel changed from 5 to 3: no one padding, stride or pooling gives 5×5 back, so only the
    Linear's own number is offered; the fix stays the Linear's."""
    source = (FIXTURES / "kernel_changed_linear.py").read_text(encoding="utf-8")
    (finding,) = reported(check_source(source, "lenet.py"))
    assert finding.parts.suggestion == "use nn.Linear(16 * 6 * 6, 120)"
    assert finding.fix.replacement == "16 * 6 * 6"


def test_a_view_names_the_layers_that_set_what_it_receives() -> None:
    source = (ROOT / "examples" / "buggy" / "lenet_wrong_view.py").read_text(encoding="utf-8")
    (finding,) = reported(check_source(source, "lenet.py"))
    assert finding.code == "SHP105"
    assert "(after Conv2d(3, 6, 5) at line 10, the two MaxPool2d(2, 2) at line 11 and Conv2d(6, 16, 5) at line 12)" \
        in finding.message
