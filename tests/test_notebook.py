"""Jupyter notebooks: the code cells checked as one program, IPython lines skipped, findings placed
by cell and line in the cell, a broken notebook reported as SHP901 and never as a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shapecheck.api import check_path, check_text
from shapecheck.cli.config import Selection
from shapecheck.notebook import python_lines, read
from test_cli import shapecheck

NOTEBOOKS = Path(__file__).resolve().parent / "fixtures_notebooks"
BUGGY = NOTEBOOKS / "cifar10_cnn_kaggle.ipynb"
CORRECT = NOTEBOOKS / "mnist_cnn_kaggle.ipynb"


def cell_source(notebook: Path, cell: int) -> list:
    return "".join(json.loads(notebook.read_text())["cells"][cell - 1]["source"]).splitlines()


def test_the_wrong_linear_in_cell_4_is_reported_at_its_line_in_the_cell():
    [finding] = check_path(str(BUGGY)).diagnostics
    assert (finding.code, finding.cell, finding.span.line) == ("SHP101", 4, 8)
    line = cell_source(BUGGY, 4)[finding.span.line - 1]
    assert line[finding.span.column - 1:].startswith("nn.Linear(64 * 8 * 8, 512)")
    assert "(B×64×4×4 after the three MaxPool2d(2, 2) at line 7 of cell 4)" in finding.message
    assert line[finding.fix.span.column - 1:finding.fix.span.end_column - 1] == "64 * 8 * 8"


def test_the_command_line_prints_cell_and_line(capsys):
    status, out, _ = shapecheck(capsys, str(BUGGY), "-f", "concise")
    assert status == 1
    assert out.startswith(f"{BUGGY}:cell 4:8:20: SHP101 Net.fc1: Linear expects 4096 input features")


def test_the_correct_notebook_is_clean_and_its_model_checked_with_the_mnist_shape():
    result = check_path(str(CORRECT))
    assert result.diagnostics == []
    [model] = result.models
    assert (model.status, model.input_shape, model.output_shape) == ("ok", ("B", 1, 28, 28), ("B", 10))


def test_folders_include_notebooks(capsys):
    status, out, _ = shapecheck(capsys, str(NOTEBOOKS), "-f", "concise", "--select", "SHP1")
    assert status == 1 and out.count("SHP101") == 1 and "cifar10_cnn_kaggle.ipynb:cell 4:8:" in out


def test_json_gives_the_cell(capsys):
    out = shapecheck(capsys, str(BUGGY), "-f", "json")[1]
    [finding] = json.loads(out)["diagnostics"]
    assert (finding["cell"], finding["line"], finding["fix"]["line"]) == (4, 8, 8)


@pytest.mark.parametrize("name, message", [
    ("truncated.ipynb", "not a valid notebook: bad JSON at line 1 column "),
    ("no_cells.ipynb", 'not a valid notebook: no "cells" list (nbformat 4 is expected)'),
])
def test_a_broken_notebook_is_one_finding(capsys, name, message):
    status, out, err = shapecheck(capsys, str(NOTEBOOKS / name), "-f", "concise")
    assert status == 1 and err == ""
    assert out.startswith(f"{NOTEBOOKS / name}:1:1: SHP901 {message}")


@pytest.mark.parametrize("cells", [
    [1, 2],
    [{"cell_type": "code", "source": 3}],
    [{"cell_type": "code", "source": ["x = 1\n", None]}],
])
def test_cells_of_the_wrong_kind_are_a_finding(cells):
    [finding] = check_text(json.dumps({"cells": cells}), "odd.ipynb").diagnostics
    assert finding.code == "SHP901" and finding.message.startswith("not a valid notebook: ")


def test_ipython_lines_become_pass_and_keep_their_numbers():
    lines = ["!pip install -q torchsummary", "%matplotlib inline", "files = !ls data", "model?",
             "??torch.nn.Conv2d", "for i in range(3):", "    %time step()", "x = a % b", "ok = a != b",
             "print('why?')  # really?"]
    assert python_lines(lines) == ["pass", "pass", "pass", "pass", "pass", "for i in range(3):", "    pass",
                                   "x = a % b", "ok = a != b", "print('why?')  # really?"]


def test_cell_magics_keep_python_bodies_only():
    assert python_lines(["%%time", "x = train()"]) == ["", "x = train()"]
    assert python_lines(["", "%%bash", "ls $HOME"]) == ["", "", ""]
    assert python_lines(["%%writefile model.py", "import torch"]) == ["", ""]


def test_program_lines_map_back_to_cells():
    notebook = {"cells": [{"cell_type": "markdown", "source": "# Title"},
                          {"cell_type": "code", "source": ["a = 1\n", "b = 2\n"]},
                          {"cell_type": "raw", "source": "x"},
                          {"cell_type": "code", "source": "c = 3"}]}
    program = read(json.dumps(notebook))
    assert program.source == "a = 1\nb = 2\nc = 3\n"
    assert [program.locate(line) for line in (1, 2, 3)] == [(2, 1), (2, 2), (4, 1)]


def test_suppressions_and_syntax_errors_in_cells(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["import torch.nn as nn\n"]},
                          {"cell_type": "code", "source": [
                              "model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 8, 3))  # noqa: SHP102"]},
                          {"cell_type": "markdown", "source": ["Then a typo:"]},
                          {"cell_type": "code", "source": ["\n", "def broken(:\n"]}]}
    [finding] = check_text(json.dumps(notebook), "typo.ipynb").diagnostics
    assert (finding.code, finding.cell, finding.span.line) == ("SHP901", 4, 2)
    del notebook["cells"][3]
    shape_errors = Selection(select=("SHP1", "SHP9"))
    assert check_text(json.dumps(notebook), "fine.ipynb", selection=shape_errors).diagnostics == []


# Each IPython form where a statement starts becomes `pass`; the same characters where no statement
# can start (inside brackets, a string, after a backslash) are Python and stay.
IPYTHON_AT_STATEMENT_START = [
    ["%matplotlib inline"],
    ["  %time train()"],
    ["!pip install -q d2l==1.0.3"],
    ["files = !ls data"],
    ["t = %timeit -o step()"],
    ["net?"],
    ["net??"],
    ["?torch.nn.Conv2d"],
    ["??torch.nn.Conv2d"],
    ["model.conv1?"],
    ["layers[0]?"],
]


@pytest.mark.parametrize("lines", IPYTHON_AT_STATEMENT_START, ids=lambda lines: lines[0])
def test_each_ipython_form_at_a_statement_start_becomes_pass(lines):
    before = ["x = (1,", "     2)"]  # a finished bracketed statement before it
    indent = lines[0][:len(lines[0]) - len(lines[0].lstrip())]
    assert python_lines(before + lines) == before + [f"{indent}pass"]


PYTHON_THAT_LOOKS_LIKE_IPYTHON = [
    # d2l: the % operator of a format string, on the continuation line of print(
    ["print('epoch %d, loss %.3f'", "      % (epoch + 1, l.mean()))"],
    ["msg = ('%d images'", "       %", "       n)"],
    ["flags = [x", "         !=0 for x in xs]"],
    ["ask = f'''", "net?", "??net", "'''"],
    ["total = a + \\", "    % b"],
    ["doc = '''", "%matplotlib inline", "!ls", "net?", "'''"],
    ['doc = """usage:', "    x = !ls", '"""'],
    ["rows = {'a': 1,", "        'b': 2", "        % 3}"],
    ["doc = '''", "%%time", "%%bash", "'''"],
    ["x = (1,", "%%time", ")"],
    ["print('a',", "  !ls)"],
]


@pytest.mark.parametrize("lines", PYTHON_THAT_LOOKS_LIKE_IPYTHON, ids=lambda lines: lines[1].strip())
def test_the_same_characters_inside_brackets_strings_and_continuations_stay_python(lines):
    assert python_lines(lines) == lines


def test_a_magic_after_a_finished_multiline_statement_is_still_a_magic():
    lines = ["print('loss %.3f'", "      % loss)", "%time train()", "x = 1"]
    assert python_lines(lines) == ["print('loss %.3f'", "      % loss)", "pass", "x = 1"]


def test_a_cell_magic_with_a_python_body_keeps_its_line_magics_decided_the_same_way():
    assert python_lines(["%%time", "print('%d'", "  % 3)", "!nvidia-smi"]) == \
        ["", "print('%d'", "  % 3)", "pass"]


# A notebook's models are located as its findings are: lines counted in cells, in every output.

def test_summary_places_the_model_its_layers_and_its_input_in_cells(capsys):
    status, out, _ = shapecheck(capsys, "--no-cache", "--summary", str(BUGGY))
    title = next(line for line in out.splitlines() if line.startswith("Net ("))
    assert title == (f"Net ({BUGGY}:cell 4:1) — input B×3×32×32 from call at line 9 of cell 6, "
                     "data from CIFAR10 at line 10 of cell 3; error")
    assert cell_source(BUGGY, 4)[0].startswith("class Net(nn.Module)")
    assert "model(inputs)" in cell_source(BUGGY, 6)[8]
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in out.splitlines()
            if line.startswith("│") and line.split("│")[2].strip()}
    assert (rows["conv1"], rows["conv3"], rows["fc1"]) == ("4", "6", "8")
    assert cell_source(BUGGY, 4)[5].strip().startswith("self.conv3 = nn.Conv2d(64, 64, 3, padding=1)")


def test_json_gives_each_model_line_its_cell(capsys):
    [model] = json.loads(shapecheck(capsys, "--no-cache", "-f", "json", str(BUGGY))[1])["models"]
    assert (model["cell"], model["line"]) == (4, 1)
    assert [(layer["name"], layer["cell"], layer["line"]) for layer in model["layers"]][:3] == [
        ("conv1", 4, 4), ("pool", 4, 7), ("conv2", 4, 5)]
    source = model["input_source"]
    assert (source["cell"], source["line"]) == (6, 9)
    assert source["description"] == "call at line 9 of cell 6, data from CIFAR10 at line 10 of cell 3"


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "markdown", "source": "# A model"}]
                       + [{"cell_type": "code", "source": cell} for cell in cells]})


STOPS = _notebook(
    "import torch\nimport torch.nn as nn",
    "class Spectral(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.conv = nn.Conv2d(3, 8, 3)\n"
    "        self.fc = nn.Linear(8, 2)\n"
    "\n"
    "    def forward(self, x):\n"
    "        x = self.conv(x)\n"
    "        x = torch.fft.rfft2(x).real\n"
    "        return self.fc(x.mean((2, 3)))",
    "model = Spectral()\nout = model(torch.randn(4, 3, 32, 32))")


def test_where_checking_stopped_is_in_cell_terms_in_text_and_json(tmp_path, capsys):
    path = tmp_path / "spectral.ipynb"
    path.write_text(STOPS)
    status, out, _ = shapecheck(capsys, "--no-cache", "-f", "text", str(path))
    assert status == 0
    assert (f"{path}:cell 3:1: Spectral: checked up to Spectral.conv (line 4 of cell 3); "
            "stopped at line 9 of cell 3: torch.fft.rfft2 is not modelled") in out
    [model] = json.loads(shapecheck(capsys, "--no-cache", "-f", "json", str(path))[1])["models"]
    assert model["status"] == "unknown"
    assert {key: model["stopped_at"][key] for key in ("cell", "line", "checked_up_to")} == {
        "cell": 3, "line": 9, "checked_up_to": "conv"}
    assert (model["input_source"]["cell"], model["input_source"]["line"]) == (4, 2)


def test_a_layer_built_in_another_cell_names_its_cell_in_the_table(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # a pipe: the table at its natural width
    path = tmp_path / "split.ipynb"
    path.write_text(_notebook("import torch\nimport torch.nn as nn\nstem = nn.Conv2d(3, 8, 3)",
                              "model = nn.Sequential(\n    stem,\n    nn.ReLU(),\n)\nmodel(torch.randn(2, 3, 16, 16))"))
    out = shapecheck(capsys, "--no-cache", "--summary", str(path))[1]
    rows = [[part.strip() for part in line.split("│")[1:4]] for line in out.splitlines() if line.startswith("│")]
    assert ["0", "cell 2:3", "nn.Conv2d(3, 8, 3)"] in rows and ["1", "3", "nn.ReLU()"] in rows
