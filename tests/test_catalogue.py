"""A code lives in one place: the catalogue (diagnostics.RULES) names it, ``Code`` spells it, and
every emitter raises it through ``Code``, so finding the usages of a constant finds every place
that emits that code."""

from __future__ import annotations

import ast
from pathlib import Path

from shapecheck.diagnostics import RULES, Code

PACKAGE = Path(__file__).resolve().parent.parent / "shapecheck"


def emitters() -> dict:
    """Each module of the package but the catalogue, parsed."""
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
            if path.name != "diagnostics.py"}


def test_every_catalogued_code_has_its_constant_named_after_it():
    constants = {name: value for name, value in vars(Code).items() if name.isupper()}
    assert constants == {r.name.upper().replace("-", "_"): code for code, r in RULES.items()}


def test_every_catalogued_code_is_emitted_somewhere():
    used = {node.attr for tree in emitters().values() for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code"}
    constants = {name for name in vars(Code) if name.isupper()}
    assert constants - used == set()
    assert used - constants == set()


def test_no_code_is_written_as_a_string_outside_the_catalogue():
    written = [(path.relative_to(PACKAGE).as_posix(), node.lineno) for path, tree in emitters().items()
               for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in RULES]
    assert written == []
