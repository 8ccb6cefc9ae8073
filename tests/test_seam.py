"""The seam between the interpreter and the checker (analysis/hooks.py) is the whole of their
contact: every hook the interpreter side calls is declared in ``CheckerHooks`` and implemented by
the ``Checker`` with the declared parameters; discovery and the checker use only the interpreter
methods of ``InterpreterCalls``; what the interpreter calls on its module loader is
``ModuleLoading``, as ``imports.ModuleLoader`` implements it; and ``run_module()`` gives what the
module defines, assigns and calls."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

from shapecheck.analysis.hooks import CheckerHooks, InterpreterCalls, ModuleLoading, ModuleRun
from shapecheck.analysis.imports import ModuleLoader
from shapecheck.analysis.interpreter import Interpreter
from shapecheck.analysis.models import Checker

ANALYSIS = Path(__file__).resolve().parent.parent / "shapecheck" / "analysis"
INTERPRETER_SIDE = ["interpreter.py", "data_api.py", "pretrained.py", "imports.py", "stdlib.py", "values.py"]
CHECKER_SIDE = ["models.py", "project_check.py"]


def _methods(protocol: type) -> set:
    return {name for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")}


def _attributes_read_off(files, owner: str, as_name: bool = True) -> set:
    """The attribute names read off ``owner`` (the attribute of that name, ``self.checker``, and
    where ``as_name``, a variable of that name, ``checker``) in the analysis modules ``files``."""
    names = set()
    for file in files:
        for node in ast.walk(ast.parse((ANALYSIS / file).read_text())):
            if isinstance(node, ast.Attribute):
                value = node.value
                if as_name and isinstance(value, ast.Name) and value.id == owner or \
                        isinstance(value, ast.Attribute) and value.attr == owner:
                    names.add(node.attr)
    return names


def _parameters(function) -> list:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_every_hook_the_interpreter_calls_is_declared_and_every_declared_hook_is_called() -> None:
    assert _attributes_read_off(INTERPRETER_SIDE, "checker") == _methods(CheckerHooks)


@pytest.mark.parametrize("hook", sorted(_methods(CheckerHooks)))
def test_the_checker_implements_each_hook_as_declared(hook: str) -> None:
    assert _parameters(getattr(Checker, hook)) == _parameters(getattr(CheckerHooks, hook))


def test_the_checker_calls_back_only_what_the_interpreter_declares() -> None:
    declared = _methods(InterpreterCalls) | set(InterpreterCalls.__annotations__)
    assert _attributes_read_off(CHECKER_SIDE, "interp") <= declared


@pytest.mark.parametrize("call", sorted(_methods(InterpreterCalls)))
def test_the_interpreter_implements_each_call_back_as_declared(call: str) -> None:
    assert _parameters(getattr(Interpreter, call)) == _parameters(getattr(InterpreterCalls, call))


def test_what_the_interpreter_calls_on_its_loader_is_declared_and_implemented() -> None:
    called = _attributes_read_off(INTERPRETER_SIDE, "modules", as_name=False) | \
        _attributes_read_off(["values.py"], "loader")  # ModuleNamespace: loader = interp.modules
    assert called == _methods(ModuleLoading)
    for method in called:
        assert _parameters(getattr(ModuleLoader, method)) == _parameters(getattr(ModuleLoading, method)), method


SCRIPT = """\
import torch
import torch.nn as nn

WIDTH = 8


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(WIDTH, 2)

    def forward(self, x):
        return self.fc(x)


def make():
    return Net()


model = make()
WIDTH = 16
"""


def test_run_module_gives_what_the_module_defines_assigns_and_calls() -> None:
    checker = Checker("m.py", SCRIPT, ast.parse(SCRIPT))
    run = checker.interp.run_module()
    assert isinstance(run, ModuleRun)
    assert [(f.name, node.lineno) for f, node in run.functions] == [("make", 16)]
    assert [(cls.name, node.lineno) for cls, node in run.classes] == [("Net", 7)]
    assert {name: (value, stmt.lineno) for name, (value, stmt) in run.assignments.items()
            if name != "model"} == {"WIDTH": (8, 4)}  # the first value bound, where it is bound
    model, stmt = run.assignments["model"]
    assert stmt.lineno == 20 and model.cls.name == "Net"
    assert run.first_results == {id(run.functions[0][0]): model}  # the script's call of make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.functions = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        run.assignments["WIDTH"] = (0, stmt)  # type: ignore[index]
