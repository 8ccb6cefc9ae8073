"""Notebooks get what scripts get: --diff and --fix edit the cell's source inside the notebook's
JSON and leave every other byte (formatting, outputs, metadata) as it was; a SARIF fix applied to
the file gives a valid notebook with the cell fixed; --runtime runs a notebook's models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shapecheck.notebook_json import apply_edits
from shapecheck.diagnostics import Fix, Span
from test_cli import ROOT, shapecheck

NOTEBOOK = ROOT / "tests" / "fixtures_notebooks" / "cifar10_cnn_kaggle.ipynb"
WRONG, RIGHT = "nn.Linear(64 * 8 * 8, 512)", "nn.Linear(64 * 4 * 4, 512)"


@pytest.fixture
def notebook(tmp_path) -> Path:
    path = tmp_path / "cifar.ipynb"
    shutil.copy(NOTEBOOK, path)
    return path


def test_diff_on_a_notebook_shows_the_json_line_and_writes_nothing(capsys, notebook):
    before = notebook.read_bytes()
    status, out, err = shapecheck(capsys, "--no-cache", "--diff", str(notebook))
    assert status == 1 and notebook.read_bytes() == before
    removed = [line for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1
    assert removed[0].replace(WRONG, RIGHT)[1:] == added[0][1:]
    assert err.splitlines()[-1] == "Would fix 1 finding."


def test_fix_on_a_notebook_changes_the_cell_and_nothing_else(capsys, notebook):
    before = notebook.read_text()
    status, out, err = shapecheck(capsys, "--no-cache", "--fix", str(notebook))
    assert status == 0, out + err
    assert notebook.read_text() == before.replace(WRONG, RIGHT, 1)  # every other byte as it was
    cell = json.loads(notebook.read_text())["cells"][3]
    assert "        self.fc1 = nn.Linear(64 * 4 * 4, 512)  # 32 -> 16 -> 8 after the pools\n" in cell["source"]
    assert json.loads(notebook.read_text())["metadata"] == json.loads(before)["metadata"]
    assert shapecheck(capsys, "--no-cache", "--fix", str(notebook))[0] == 0 and notebook.read_text() == \
        before.replace(WRONG, RIGHT, 1)  # fixing again changes nothing


def test_a_fix_in_an_escaped_one_string_source_keeps_the_escapes(capsys, tmp_path):
    cell = ("import torch\nimport torch.nn as nn\n\nmodel = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), "
            "nn.Flatten(), nn.Linear(8 * 16 * 16, 10))  # \"é\"\tx\nmodel(torch.randn(2, 3, 32, 32))\n")
    document = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": cell}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "one.ipynb"
    path.write_text(json.dumps(document))  # ASCII escapes, a single string with \\n in it
    status, out, err = shapecheck(capsys, "--no-cache", "--fix", str(path))
    assert status == 0, out + err
    fixed = json.loads(path.read_text())
    assert fixed["cells"][0]["source"] == cell.replace("8 * 16 * 16", "8 * 32 * 32")
    assert path.read_text() == json.dumps(document).replace("8 * 16 * 16", "8 * 32 * 32")


def test_the_sarif_fix_applied_to_the_file_gives_the_fixed_notebook(capsys, notebook, monkeypatch):
    monkeypatch.chdir(notebook.parent)
    status, out, _ = shapecheck(capsys, "--no-cache", "-f", "sarif", notebook.name)
    [result] = json.loads(out)["runs"][0]["results"]
    [replacement] = result["fixes"][0]["artifactChanges"][0]["replacements"]
    region = replacement["deletedRegion"]
    edit = Fix(replacement["insertedContent"]["text"],
               Span(region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]))
    text, applied = apply_edits(notebook.read_text(), [edit])
    assert applied == [edit]
    assert text == notebook.read_text().replace(WRONG, RIGHT, 1)
    json.loads(text)  # still a notebook


def test_runtime_runs_a_notebooks_models(capsys, notebook):
    pytest.importorskip("torch")
    status, out, err = shapecheck(capsys, "--no-cache", "--runtime", "-f", "json", str(notebook))
    document = json.loads(out)
    [model] = document["models"]
    assert model["runtime"]["status"] == "error"  # torch ran the notebook's Net and it failed at fc1
    [finding] = document["diagnostics"]  # counted once, at the cell line of the static finding
    assert (finding["code"], finding["cell"], finding["line"], finding["confirmed_on"]) == ("SHP101", 4, 8, "cpu")
    fixed = NOTEBOOK.read_text().replace(WRONG, RIGHT, 1)
    notebook.write_text(fixed)
    status, out, err = shapecheck(capsys, "--no-cache", "--runtime", str(notebook))
    assert status == 0, out
    assert "static ok, runtime ok on cpu (output 2×10)" in out
