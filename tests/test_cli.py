"""The command line as a user types it: the code documentation, stdin, exit codes and the options
that shape the output; and the README's table of codes, generated from the same catalogue."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from shapecheck.cli.main import main
from shapecheck.diagnostics import CATALOGUE, TABLE_END, TABLE_START, markdown_table, with_table

ROOT = Path(__file__).resolve().parent.parent
WRONG_LINEAR = "examples/buggy/cifar_wrong_linear.py"
SOURCE = (ROOT / WRONG_LINEAR).read_text()


def shapecheck(capsys, *argv: str, stdin: str = None):
    """Run the command line in this process: (exit code, stdout, stderr); ``stdin`` is what it reads
    for ``-``."""
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    with pytest.raises(SystemExit) as exit:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit.value.code, out, err


@pytest.fixture(autouse=True)
def plain(monkeypatch):
    monkeypatch.chdir(ROOT)
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    return feed


def test_rule_prints_the_documentation_with_examples(capsys):
    status, out, _ = shapecheck(capsys, "rule", "SHP101")
    assert status == 0
    assert out.startswith("SHP101 linear-in-features (error)\n\nLinear's in_features differs")
    assert "Wrong:\n    import torch\n    import torch.nn as nn\n\n    model = nn.Sequential(\n" in out
    assert "        nn.Linear(64 * 8 * 8, 10),  # SHP101\n" in out and "Right:\n" in out
    assert shapecheck(capsys, "rule", "shp101")[1] == out


def test_rule_with_an_unknown_code_is_exit_2(capsys):
    assert shapecheck(capsys, "rule", "SHP000") == (
        2, "", "shapecheck: error: unknown code 'SHP000'; `shapecheck rules` lists them\n")


def test_rules_lists_every_code(capsys):
    status, out, _ = shapecheck(capsys, "rules")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CATALOGUE)
    assert "SHP905  info     unused-suppression" in out


def test_stdin_is_checked_under_the_given_name(capsys, stdin):
    stdin(SOURCE)
    status, out, _ = shapecheck(capsys, "-", "--stdin-filename", "models/net.py", "-f", "concise")
    assert status == 1 and out.startswith("models/net.py:9:5: SHP101 ")
    stdin(SOURCE)
    assert shapecheck(capsys, "-", "-f", "concise")[1].startswith("<stdin>:9:5: SHP101 ")


def test_stdin_can_be_a_notebook(capsys, stdin):
    stdin((ROOT / "tests/fixtures_notebooks/cifar10_cnn_kaggle.ipynb").read_text())
    out = shapecheck(capsys, "-", "--stdin-filename", "train.ipynb", "-f", "concise")[1]
    assert out.startswith("train.ipynb:cell 4:8:20: SHP101 ")


def test_exit_codes(capsys):
    assert shapecheck(capsys, "examples/cifar_cnn.py")[0] == 0
    assert shapecheck(capsys, WRONG_LINEAR)[0] == 1
    status, out, _ = shapecheck(capsys, WRONG_LINEAR, "--exit-zero")
    assert status == 0 and "SHP101" in out
    assert shapecheck(capsys, "no/such/file.py") == (
        2, "", "shapecheck: error: no/such/file.py: no such file or folder\n")


def test_a_bad_option_is_one_line_and_exit_2(capsys):
    status, out, err = shapecheck(capsys, WRONG_LINEAR, "--colour")
    assert (status, out) == (2, "")
    assert err == "shapecheck: error: No such option: --colour (see shapecheck --help)\n"
    assert shapecheck(capsys, WRONG_LINEAR, "-i", "3,x,32")[2] == (
        "shapecheck: error: --input-shape '3,x,32': 'x' is not a positive size (write e.g. 3,32,32 or B,3,32,32)\n")


def test_help_and_version(capsys):
    status, out, _ = shapecheck(capsys, "--help")
    assert status == 0 and "--force-exclude" in out and "--show-unused-suppressions" in out
    assert shapecheck(capsys, "--version")[:2] == (0, "shapecheck 0.1.0\n")


def test_quiet_prints_errors_only_and_no_summary(capsys):
    out = shapecheck(capsys, "examples/")[1]
    assert "Found 4 errors" in out
    quiet = shapecheck(capsys, "examples/", "--quiet")[1]
    assert quiet.count("\n") == 4 and "Found" not in quiet
    assert shapecheck(capsys, "examples/cifar_cnn.py", "-q") == (0, "", "")


def test_statistics_counts_findings_per_code(capsys):
    out = shapecheck(capsys, "examples/buggy", WRONG_LINEAR, "--statistics", "-f", "concise")[1]
    # WRONG_LINEAR is in examples/buggy too: one file, counted once
    assert out.splitlines()[-4:] == ["     1  SHP101  linear-in-features", "     1  SHP102  channel-mismatch",
                                     "     1  SHP104  spatial-too-small", "     1  SHP105  view-mismatch"]


def test_the_readme_table_of_codes_is_the_catalogue():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TABLE_START in readme and TABLE_END in readme
    assert with_table(readme) == readme, (
        "README.md's table of codes differs from the catalogue in shapecheck/diagnostics.py; "
        "regenerate it with: python -m shapecheck.diagnostics README.md")


def test_the_table_has_a_row_per_code():
    rows = markdown_table().splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == list(CATALOGUE)
