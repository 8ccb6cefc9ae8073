"""[tool.shapecheck] in pyproject.toml, as a project would write it: codes selected and ignored,
files excluded, input shapes per model; the command line overriding it; a bad table as one line."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from shapecheck.cli.config import Selection, load
from test_cli import shapecheck

MODEL = """\
import torch
import torch.nn as nn


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(16 * 16 * 16, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))
"""
FC_LINE = 9

WRONG_LINEAR = """\
import torch.nn as nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(16, 8, 3))
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with models.py and a pyproject.toml; the current folder is its root."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", sys.stdin)
    (tmp_path / "models.py").write_text(MODEL)

    def configure(table: str) -> Path:
        text = "[project]\nname = \"demo\"\n\n[tool.shapecheck]\n" + textwrap.dedent(table)
        (tmp_path / "pyproject.toml").write_text(text)
        return tmp_path

    return configure


def codes(out: str) -> list:
    return [line.split(": ")[1].split()[0] for line in out.splitlines() if ": SHP" in line]


def test_an_input_shape_from_pyproject_is_checked(project, capsys):
    project('inputs = {"models.py::SimpleCNN" = [3, 28, 28]}\n')
    status, out, _ = shapecheck(capsys, "models.py", "-f", "concise")
    assert status == 1
    assert out.startswith(f"models.py:{FC_LINE}:")
    assert "SHP101" in out and "3136" in out


def test_a_model_name_alone_and_a_leading_batch_symbol_work(project, capsys):
    project('inputs = {SimpleCNN = ["B", 3, 28, 28]}\n')
    status, out, _ = shapecheck(capsys, "models.py", "-f", "concise")
    assert status == 1 and "SHP101" in out


def test_an_input_for_another_file_does_not_apply(project, capsys):
    project('inputs = {"other.py::SimpleCNN" = [3, 28, 28]}\n')
    status, out, _ = shapecheck(capsys, "models.py", "-f", "concise")
    assert status == 0 and "SHP101" not in out


def test_the_command_line_input_shape_overrides_the_configured_one(project, capsys):
    project('inputs = {"models.py::SimpleCNN" = [3, 28, 28]}\n')
    assert shapecheck(capsys, "models.py", "-i", "3,32,32", "-f", "concise")[0] == 0
    assert shapecheck(capsys, "models.py", "-i", "SimpleCNN=3,32,32", "-f", "concise")[0] == 0


def test_config_is_found_from_a_subfolder_and_paths_are_relative_to_it(project, capsys, monkeypatch):
    root = project('inputs = {"models.py::SimpleCNN" = [3, 28, 28]}\n')
    (root / "notebooks").mkdir()
    monkeypatch.chdir(root / "notebooks")
    status, out, _ = shapecheck(capsys, "../models.py", "-f", "concise")
    assert status == 1 and "SHP101" in out


def test_ignore_and_select_take_codes_and_prefixes(project, capsys):
    root = project('ignore = ["SHP1"]\n')
    (root / "bad.py").write_text(WRONG_LINEAR)
    assert shapecheck(capsys, "bad.py", "-f", "concise")[:2] == (0, "")
    project('select = ["SHP2"]\n')
    assert shapecheck(capsys, "bad.py", "-f", "concise")[:2] == (0, "")
    project('select = ["SHP102"]\n')
    assert codes(shapecheck(capsys, "bad.py", "-f", "concise")[1]) == ["SHP102"]


def test_command_line_select_and_ignore_replace_the_configured_lists(project, capsys):
    root = project('ignore = ["SHP102"]\n')
    (root / "bad.py").write_text(WRONG_LINEAR)
    assert shapecheck(capsys, "bad.py", "-f", "concise")[0] == 0
    status, out, _ = shapecheck(capsys, "bad.py", "-f", "concise", "--ignore", "SHP2")
    assert status == 1 and codes(out) == ["SHP102"]
    assert shapecheck(capsys, "bad.py", "-f", "concise", "--ignore", "", "--select", "SHP9")[0] == 0


def test_the_most_specific_prefix_decides():
    assert not Selection(select=("SHP1",), ignore=("SHP101",)).allows("SHP101")
    assert Selection(select=("SHP1",), ignore=("SHP101",)).allows("SHP102")
    assert Selection(select=("SHP101",), ignore=("SHP1",)).allows("SHP101")
    assert not Selection(select=("SHP101",), ignore=("SHP1",)).allows("SHP102")
    assert not Selection(select=("SHP2",)).allows("SHP101")


def test_per_file_ignores(project, capsys):
    root = project('per-file-ignores = {"legacy/*" = ["SHP102"], "scratch_*.py" = ["SHP"]}\n')
    for name in ("legacy/old.py", "deep/scratch_1.py", "current.py"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(WRONG_LINEAR)
    status, out, _ = shapecheck(capsys, ".", "-f", "concise", "--quiet")
    assert status == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["current.py"]


def test_exclude_skips_files_under_folders_but_not_files_named_on_the_command_line(project, capsys):
    root = project('exclude = ["generated", "*_draft.py"]\n')
    for name in ("generated/net.py", "net_draft.py", "net.py"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(WRONG_LINEAR)
    out = shapecheck(capsys, ".", "-f", "concise", "--quiet")[1]
    assert [line.split(":")[0] for line in out.splitlines()] == ["net.py"]
    assert shapecheck(capsys, "net_draft.py", "generated/net.py", "-f", "concise")[0] == 1
    assert shapecheck(capsys, "net_draft.py", "generated/net.py", "-f", "concise", "--force-exclude")[:2] == (0, "")


def test_stdin_filename_is_matched_against_the_configuration(project, capsys):
    project('per-file-ignores = {"legacy/*" = ["SHP102"]}\nexclude = ["generated"]\n')
    status, out, _ = shapecheck(capsys, "-", "--stdin-filename", "legacy/old.py", "-f", "concise", stdin=WRONG_LINEAR)
    assert (status, out) == (0, "")
    status, out, _ = shapecheck(capsys, "-", "--stdin-filename", "src/new.py", "-f", "concise", stdin=WRONG_LINEAR)
    assert status == 1 and out.startswith("src/new.py:3:")
    status, out, _ = shapecheck(capsys, "-", "--stdin-filename", "generated/x.py", "--force-exclude",
                                "-f", "concise", stdin=WRONG_LINEAR)
    assert (status, out) == (0, "")


def test_args_device_and_timeout_are_kept_for_the_runtime_mode(project):
    root = project('device = "cuda"\nruntime-timeout = 5\n'
                   'args = {"models.py::ResNet" = "BasicBlock, [2, 2, 2, 2]", Net = "10"}\n')
    config = load(root)
    assert config.device == "cuda" and config.runtime_timeout == 5.0
    assert config.args_for(str(root / "models.py")) == {"ResNet": "BasicBlock, [2, 2, 2, 2]", "Net": "10"}
    assert config.args_for("other.py") == {"Net": "10"}


def test_a_pyproject_without_the_table_is_passed_by(project, tmp_path):
    project('device = "cpu"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert load(tmp_path / "sub").device == "cpu"


@pytest.mark.parametrize("table, message", [
    ('inputs = {"x.py::Net" = "3x32"}\n',
     'pyproject.toml: [tool.shapecheck] inputs."x.py::Net": expected a list of sizes like [3, 32, 32] '
     'or ["B", 3, 32, 32], got "3x32"'),
    ('inputs = {"x.py::Net" = [3, 0, 32]}\n', 'inputs."x.py::Net": expected a list of sizes'),
    ('colour = true\n', "pyproject.toml: [tool.shapecheck] colour: unknown key; the keys are select, ignore"),
    ('ignore = "SHP101"\n', 'ignore: expected a list of strings, got "SHP101"'),
    ('select = ["E501"]\n', "select: 'E501' is not a code like SHP101 or a prefix like SHP1"),
    ('ignore = ["SHP777"]\n', "ignore: 'SHP777' matches no code"),
    ('per-file-ignores = {"tests/*" = "SHP101"}\n', 'per-file-ignores."tests/*": expected a list of codes'),
    ('args = {"m.py::ResNet" = "BasicBlock, [2, 2"}\n', 'args."m.py::ResNet": \'BasicBlock, [2, 2\' is not a list'),
    ('device = 0\n', "device: expected a device name"),
    ('runtime-timeout = 0\n', "runtime-timeout: expected a number of seconds above 0, got 0"),
    ('runtime-timeout = "30s"\n', 'runtime-timeout: expected a number of seconds above 0, got "30s"'),
    ('runtime-timeout = inf\n', "runtime-timeout: expected a number of seconds above 0, got inf"),
    ('select = [\n', "pyproject.toml: not valid TOML: "),
])
def test_a_bad_configuration_is_one_line_and_exit_2(project, capsys, table, message):
    project(table)
    status, out, err = shapecheck(capsys, "models.py")
    assert status == 2 and out == ""
    assert err.startswith("shapecheck: error: ") and message in err, err
    assert err.count("\n") == 1


def test_bad_codes_on_the_command_line_are_exit_2(project, capsys):
    status, _, err = shapecheck(capsys, "models.py", "--ignore", "F401")
    assert status == 2
    assert err == "shapecheck: error: --ignore: 'F401' is not a code like SHP101 or a prefix like SHP1\n"


def test_without_a_toml_reader_the_table_is_ignored_with_a_warning(project, capsys, monkeypatch):
    from shapecheck.cli import config

    project('inputs = {"models.py::SimpleCNN" = [3, 28, 28]}\n')
    monkeypatch.setattr(config, "tomllib", None)  # Python 3.10 without tomli
    status, _, err = shapecheck(capsys, "models.py", "-f", "concise")
    assert status == 0
    assert err == ("shapecheck: warning: pyproject.toml: [tool.shapecheck] ignored: reading it needs "
                   "Python 3.11 or the tomli package\n")
