"""The pre-commit hook as a project meets it: `pre-commit try-repo` installs this repository into a
fresh environment (from PyPI, as pre-commit does) and runs the `shapecheck` hook on the files of a
project: it fails on a wrong Linear in a script and a notebook, and passes on correct code and on
files the project's configuration excludes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
           "Name or service not known")

pytestmark = pytest.mark.skipif(not (shutil.which("git") and shutil.which("pre-commit")),
                                reason="needs git and pre-commit on PATH")


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=folder, check=True, capture_output=True, env=_environment())


def _environment() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "FORCE_COLOR"))}


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> Path:
    """This working tree's package as a git repository of its own, committed as pre-commit clones it."""
    repo = tmp_path_factory.mktemp("hooks") / "shapecheck"
    shutil.copytree(ROOT / "shapecheck", repo / "shapecheck", ignore=shutil.ignore_patterns("__pycache__"))
    for name in PACKAGE_FILES:
        shutil.copy(ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "shapecheck")
    return repo


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "examples" / "buggy" / "cifar_wrong_linear.py", folder / "train.py")
    shutil.copy(ROOT / "tests" / "fixtures_notebooks" / "cifar10_cnn_kaggle.ipynb", folder / "explore.ipynb")
    shutil.copy(ROOT / "examples" / "cifar_cnn.py", folder / "model.py")
    (folder / "legacy").mkdir()
    shutil.copy(ROOT / "examples" / "buggy" / "channel_mismatch.py", folder / "legacy" / "old.py")
    (folder / "pyproject.toml").write_text('[tool.shapecheck]\nexclude = ["legacy"]\n')
    git(folder, "init", "-q")
    git(folder, "add", ".")
    return folder


def try_repo(hook_repository: Path, project: Path, *files: str, verbose: bool = False,
             environment: dict = None) -> subprocess.CompletedProcess:
    """`pre-commit try-repo` of the hook on ``files`` (none: --all-files)."""
    selection = ["--files", *files] if files else ["--all-files"]
    done = subprocess.run(["pre-commit", "try-repo", str(hook_repository), "shapecheck", "--color", "never",
                           *(["--verbose"] if verbose else []), *selection], cwd=project,
                          capture_output=True, text=True, timeout=180, env={**_environment(), **(environment or {})})
    if done.returncode != 0 and any(sign in done.stdout + done.stderr for sign in OFFLINE):
        pytest.skip("pre-commit could not reach the package index to build the hook's environment")
    return done


def test_the_hook_fails_on_a_wrong_linear_in_a_script_and_a_notebook(hook_repository, project):
    done = try_repo(hook_repository, project, "train.py", "explore.ipynb")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "shapecheck..." in output and "Failed" in output
    assert "train.py:9:5: SHP101 model.10: Linear expects 4096 input features but receives 1024" in output
    assert "explore.ipynb:cell 4:8:20: SHP101" in output


def test_the_hook_passes_on_correct_code_and_skips_excluded_files(hook_repository, project):
    done = try_repo(hook_repository, project, "model.py", "legacy/old.py")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "shapecheck..." in output and "Passed" in output


PARTLY_CHECKED = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.pool = nn.FractionalMaxPool2d(3, output_ratio=0.5)
        self.fc = nn.Linear(16 * 16 * 16, 10)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))


Net()(torch.randn(8, 3, 32, 32))
"""


def test_the_hook_says_where_a_partly_checked_model_stopped(hook_repository, project):
    (project / "partial.py").write_text(PARTLY_CHECKED)
    git(project, "add", "partial.py")
    done = try_repo(hook_repository, project, "partial.py", "model.py", verbose=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output  # nothing wrong was found: the hook passes, and says what it skipped
    assert ("partial.py:5: Net: checked up to Net.conv (line 8); stopped at Net.pool (line 9): "
            "nn.FractionalMaxPool2d is not modelled") in output
    assert "No shape errors: 2 models in 2 files checked, 1 of them only in part" in output


@pytest.fixture(scope="module")
def split_project(tmp_path_factory) -> Path:
    """A model in model.py, built and fed 64×64 images by train.py (tests/projects/changed_train),
    committed: pre-commit names only the file a commit changes."""
    folder = tmp_path_factory.mktemp("split") / "changed_train"
    shutil.copytree(ROOT / "tests" / "projects" / "changed_train", folder)
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "a CIFAR model and its training script")
    return folder


def test_the_hook_on_a_changed_model_file_uses_the_input_the_unchanged_script_gives(hook_repository, split_project):
    done = try_repo(hook_repository, split_project, "model.py")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert ("model.py:14:27: SHP101 CifarCNN.classifier: Linear expects 1024 input features but receives 4096 = 64×8×8"
            in output)
    assert "(model input B×3×64×64 from call at train.py:16, data from CIFAR10 at train.py:8)" in output
    assert "train.py:" not in output.replace("at train.py:", "")  # train.py is context, not checked


def test_the_hook_on_a_changed_script_reports_the_input_it_gives_an_unchanged_model(hook_repository, split_project):
    done = try_repo(hook_repository, split_project, "train.py")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "train.py:16:50: SHP203 CifarCNN (model.py:4) does not take the B×3×64×64 this call gives it" in output
    assert "model.py:14: CifarCNN.classifier: Linear expects 1024 input features but receives 4096" in output


@pytest.fixture(scope="module")
def many_files(tmp_path_factory) -> Path:
    """A project of 24 files, more than pre-commit gives one process of a parallel hook."""
    folder = tmp_path_factory.mktemp("many")
    for i in range(12):
        shutil.copy(ROOT / "examples" / "cifar_cnn.py", folder / f"model_{i:02}.py")
        shutil.copy(ROOT / "examples" / "buggy" / "cifar_wrong_linear.py", folder / f"wrong_{i:02}.py")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    return folder


def test_the_hook_prints_one_summary_for_all_files(hook_repository, many_files):
    """pre-commit splits the files of a hook that is not serial among processes, one per CPU, each
    printing its own summary; the hook is serial (shapecheck shares the files among its own
    processes), so the run has one summary for every file.  TRAVIS makes pre-commit split a
    parallel hook's files in two whatever the machine's CPUs, so the test tells here too."""
    done = try_repo(hook_repository, many_files, verbose=True, environment={"TRAVIS": "true"})
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    summaries = [line for line in output.splitlines() if line.startswith(("Found ", "No shape errors"))]
    assert summaries == ["Found 12 errors in 12 files: 24 models in 24 files checked."]
    assert output.count(": SHP101 model.10: Linear expects 4096 input features but receives 1024") == 12
