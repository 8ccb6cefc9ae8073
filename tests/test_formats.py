"""The output formats as CI systems and terminals read them: GitHub workflow commands, SARIF that
the official schema accepts, plain text on a pipe and colours only where asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from shapecheck.diagnostics import CATALOGUE, Diagnostic, Span
from shapecheck.report.github_format import command, escape_data, escape_property
from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
WRONG_LINEAR = "examples/buggy/cifar_wrong_linear.py"
NOTEBOOK = "tests/fixtures_notebooks/cifar10_cnn_kaggle.ipynb"


@pytest.fixture(autouse=True)
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)


# --- github -------------------------------------------------------------------------------------

def test_github_escapes_as_actions_core_does():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotation_for_the_wrong_linear(capsys):
    status, out, _ = shapecheck(capsys, WRONG_LINEAR, "-f", "github")
    assert status == 1
    assert out.startswith(f"::error file={WRONG_LINEAR},line=9,col=5,endLine=9,endColumn=30,title=SHP101::"
                          "model.10: Linear expects 4096 input features but receives 1024")
    assert out.count("\n") == 1


def test_github_severities_and_properties_are_escaped():
    note = Diagnostic("dir,1/a:b.py", Span(3, 1, 3, 4), "SHP204", "fits 32×32\nonly")
    assert command(note) == ("::notice file=dir%2C1/a%3Ab.py,line=3,col=1,endLine=3,endColumn=4,title=SHP204::"
                             "fits 32×32%0Aonly")


def test_github_names_the_cell_of_a_notebook_finding(capsys):
    out = shapecheck(capsys, NOTEBOOK, "-f", "github")[1]
    assert out.startswith(f"::error file={NOTEBOOK},title=SHP101::cell 4, line 8, column 20: Net.fc1: ")


# --- sarif --------------------------------------------------------------------------------------

def sarif(capsys, *paths: str) -> dict:
    out = shapecheck(capsys, *paths, "-f", "sarif")[1]
    document = json.loads(out)
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(document)]
    assert errors == []
    return document


def test_sarif_is_valid_and_places_each_finding(capsys):
    document = sarif(capsys, "examples", NOTEBOOK, "tests/fixtures_notebooks/truncated.ipynb")
    [run] = document["runs"]
    assert document["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    linear = next(r for r in run["results"] if r["ruleId"] == "SHP101" and "cifar_wrong" in str(r))
    location = linear["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": WRONG_LINEAR, "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 9, "startColumn": 5, "endLine": 9, "endColumn": 30}
    assert linear["level"] == "error"
    assert run["tool"]["driver"]["rules"][linear["ruleIndex"]]["id"] == "SHP101"


def test_sarif_carries_the_fix(capsys):
    [result] = sarif(capsys, WRONG_LINEAR)["runs"][0]["results"]
    [change] = result["fixes"][0]["artifactChanges"]
    [replacement] = change["replacements"]
    assert replacement["insertedContent"] == {"text": "64 * 4 * 4"}
    region = replacement["deletedRegion"]
    line = (ROOT / WRONG_LINEAR).read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "64 * 8 * 8"


def test_sarif_places_a_notebook_finding_in_the_notebook_files_own_lines(capsys):
    [result] = sarif(capsys, NOTEBOOK)["runs"][0]["results"]
    assert (result["properties"]["cell"], result["properties"]["cellLine"], result["properties"]["cellColumn"]) \
        == (4, 8, 20)
    region = result["locations"][0]["physicalLocation"]["region"]
    line = (ROOT / NOTEBOOK).read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "nn.Linear(64 * 8 * 8, 512)"
    [change] = result["fixes"][0]["artifactChanges"]
    [replacement] = change["replacements"]
    deleted = replacement["deletedRegion"]
    assert line[deleted["startColumn"] - 1:deleted["endColumn"] - 1] == "64 * 8 * 8"
    assert replacement["insertedContent"] == {"text": "64 * 4 * 4"}


def test_sarif_rules_are_the_catalogue_with_examples(capsys):
    rules = sarif(capsys, WRONG_LINEAR)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CATALOGUE)
    linear = rules[0]
    assert linear["name"] == "linear-in-features"
    assert linear["defaultConfiguration"] == {"level": "error"}
    assert "```python\nimport torch\n" in linear["help"]["markdown"]
    assert "    nn.Linear(64 * 4 * 4, 10),\n)\nmodel(torch.randn(8, 3, 32, 32))\n```" in linear["help"]["markdown"]
    assert {r["defaultConfiguration"]["level"] for r in rules} <= {"error", "warning", "note"}
    assert next(r for r in rules if r["id"] == "SHP204")["defaultConfiguration"]["level"] == "note"


def test_an_empty_sarif_run_is_valid(capsys):
    assert sarif(capsys, "examples/cifar_cnn.py")["runs"][0]["results"] == []


# --- text on terminals and pipes ----------------------------------------------------------------

def run_text(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TERM", "COLUMNS")}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_piped_text_is_plain_and_not_wrapped():
    out = run_text(WRONG_LINEAR).stdout
    assert "\x1b[" not in out
    first = out.splitlines()[0]
    assert len(first) > 120 and first.endswith("use nn.Linear(64 * 4 * 4, 10), or keep 4096 and remove one MaxPool2d(2)")


def test_piped_summary_tables_keep_each_layer_on_one_row():
    out = run_text("examples/simple_cnn.py", "--summary").stdout
    assert "│ nn.Conv2d(3, 16, kernel_size=3, padding=1)  │" in out
    assert "│ nn.Conv2d(16, 32, kernel_size=3, padding=1) │" in out


def test_force_color_colours_the_text_and_no_color_removes_colours():
    coloured = run_text(WRONG_LINEAR, FORCE_COLOR="1").stdout
    assert "\x1b[1;31mSHP101\x1b[0m" in coloured
    assert len(coloured.splitlines()[0]) > 120  # still one line per finding
    without_colour = run_text(WRONG_LINEAR, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "31m" not in without_colour  # NO_COLOR drops colours; bold is not a colour


def test_unknown_format_is_exit_2(capsys):
    status, out, err = shapecheck(capsys, WRONG_LINEAR, "-f", "xml")
    assert (status, out) == (2, "")
    assert err == "shapecheck: error: unknown --format 'xml'; choose one of full, text, concise, json, json-lines, junit, gitlab, pylint, rdjson, github, sarif\n"
