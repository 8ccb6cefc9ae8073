"""A code lives in one place: the catalogue (diagnostics.CATALOGUE) names it, ``Code`` spells it, and
every emitter raises it through ``Code``, so finding the usages of a constant finds every place
that emits that code.  Each entry's wrong and right examples are programs these tests run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shapecheck.api import check_source
from shapecheck.diagnostics import CATALOGUE, Code

PACKAGE = Path(__file__).resolve().parent.parent / "shapecheck"


def emitters() -> dict:
    """Each module of the package but the catalogue, parsed."""
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
            if path.name != "diagnostics.py"}


def test_every_catalogued_code_has_its_constant_named_after_it():
    constants = {name: value for name, value in vars(Code).items() if name.isupper()}
    assert constants == {r.name.upper().replace("-", "_"): code for code, r in CATALOGUE.items()}


def test_every_catalogued_code_is_emitted_somewhere():
    used = {node.attr for tree in emitters().values() for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code"}
    constants = {name for name in vars(Code) if name.isupper()}
    assert constants - used == set()
    assert used - constants == set()


def test_no_code_is_written_as_a_string_outside_the_catalogue():
    written = [(path.relative_to(PACKAGE).as_posix(), node.lineno) for path, tree in emitters().items()
               for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in CATALOGUE]
    assert written == []


EXAMPLES = [rule for rule in CATALOGUE.values() if rule.bad]


def marked_lines(rule) -> list:
    return [n for n, line in enumerate(rule.bad.splitlines(), 1) if line.endswith(f"# {rule.code}")]


@pytest.mark.parametrize("rule", EXAMPLES, ids=lambda rule: rule.code)
def test_the_wrong_example_gives_exactly_its_code_at_the_marked_line(rule):
    assert len(marked_lines(rule)) == 1
    result = check_source(rule.bad, "example.py", unused_suppressions=True)
    assert [(d.code, d.span.line) for d in result.diagnostics] == [(rule.code, marked_lines(rule)[0])]


@pytest.mark.parametrize("rule", EXAMPLES, ids=lambda rule: rule.code)
def test_the_right_example_gives_nothing(rule):
    assert rule.good
    assert check_source(rule.good, "example.py", unused_suppressions=True).diagnostics == []


def test_only_codes_no_small_static_program_shows_go_without_examples():
    assert {code for code, rule in CATALOGUE.items() if not rule.bad} == {
        Code.INPUT_SIZE, Code.CONSISTENT_INPUTS, Code.RUNTIME_DISAGREES, Code.RUNTIME_ERROR, Code.NOT_ANALYSED,
        Code.INTERNAL_ERROR}


def test_a_shape_finding_keeps_its_message_in_parts():
    result = check_source((Path(__file__).parent.parent / "examples/buggy/cifar_wrong_linear.py").read_text())
    finding = next(d for d in result.diagnostics if d.code == Code.LINEAR_IN_FEATURES)
    assert finding.message == finding.parts.text()
    assert finding.parts.suggestion.startswith("use nn.Linear(")
    assert finding.parts.context.startswith("(B×64×4×4 after ")
    assert finding.stated == finding.message.split("; ")[0]
