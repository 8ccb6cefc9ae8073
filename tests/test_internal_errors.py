"""A bug in a shape rule is never silence: the statement where it happened gives SHP999, the
model is unknown from there on, and every other finding of the file is still reported.  The
suite itself runs with ``SHAPECHECK_RAISE_INTERNAL_ERRORS=1`` (conftest.py), where the same bug
is raised instead."""

from __future__ import annotations

import dataclasses
import json

import pytest

from shapecheck.cli.main import main
from shapecheck.diagnostics import RAISE_INTERNAL_ERRORS
from shapecheck.rules import layers

TWO_MODELS = """\
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


class Normalised(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return self.bn(self.conv(x))


Classifier()(torch.randn(4, 3, 32, 32))
Normalised()(torch.randn(4, 3, 32, 32))
"""


def broken_rule(x, a):
    raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")


@pytest.fixture
def buggy_batchnorm(monkeypatch):
    """BatchNorm2d's shape rule with a bug in it, as a user would meet one."""
    monkeypatch.setitem(layers.LAYER_RULES, "BatchNorm2d", dataclasses.replace(layers.LAYER_RULES["BatchNorm2d"],
                                                                        shape=broken_rule))


def run_cli(capsys, path) -> tuple:
    with pytest.raises(SystemExit) as exit:
        main([str(path), "--format", "json", "--no-cache", "--jobs", "1"])
    return exit.value.code, json.loads(capsys.readouterr().out)


def test_a_bug_in_a_rule_is_shp999_at_its_statement_and_the_other_findings_stay(tmp_path, capsys, monkeypatch,
                                                                                buggy_batchnorm):
    monkeypatch.delenv(RAISE_INTERNAL_ERRORS)
    path = tmp_path / "models.py"
    path.write_text(TWO_MODELS)
    code, document = run_cli(capsys, path)
    found = {(d["code"], d["line"], d["column"]): d for d in document["diagnostics"]}
    assert code == 1
    assert sorted(found) == [("SHP101", 9, 19), ("SHP999", 19, 19)]
    assert "Linear expects 1024 input features but receives 16384" in found[("SHP101", 9, 19)]["message"]
    bug = found[("SHP999", 19, 19)]
    assert bug["model"] == "Normalised" and bug["severity"] == "error"
    assert bug["message"].startswith("Normalised.bn: the rule of BatchNorm2d: internal error TypeError: "
                                     "unsupported operand type(s) for +: 'int' and 'NoneType' "
                                     "(at test_internal_errors.py:")
    models = {m["name"]: m for m in document["models"]}
    assert models["Classifier"]["status"] == "error"
    assert models["Normalised"]["status"] == "unknown"
    assert models["Normalised"]["stopped_at"]["line"] == 19
    assert models["Normalised"]["stopped_at"]["reason"] == "construct-not-followed"


def test_the_test_switch_raises_the_bug_itself(tmp_path, capsys, buggy_batchnorm):
    path = tmp_path / "models.py"
    path.write_text(TWO_MODELS)
    with pytest.raises(TypeError, match="unsupported operand"):
        main([str(path), "--no-cache", "--jobs", "1"])
