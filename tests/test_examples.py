"""The examples a user tries first: the checker flags every file in examples/buggy/ and nothing else,
and PyTorch agrees (each buggy example crashes, each correct one runs)."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from shapecheck.diagnostics import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BUGGY = sorted((EXAMPLES / "buggy").glob("*.py"))
CORRECT = sorted(p for p in EXAMPLES.rglob("*.py") if p not in BUGGY)
FINDING = re.compile(r"^(?P<path>\S+?\.py):(?P<line>\d+):(?P<column>\d+): (?P<code>SHP\d{3})\b(?P<message>.*)$",
                     re.M)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(scope="module")
def check_examples() -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shapecheck", "examples/"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def error_paths(stdout: str) -> set:
    return {Path(m["path"]).as_posix().removeprefix("./") for m in FINDING.finditer(stdout)
            if CATALOGUE.get(m["code"]) is None or CATALOGUE[m["code"]].severity == "error"}


def test_examples_are_the_layout_the_docs_promise() -> None:
    assert {p.name for p in BUGGY} >= {"cifar_wrong_linear.py", "channel_mismatch.py",
                                        "lenet_wrong_view.py", "too_many_pools.py"}
    assert {relative(p) for p in CORRECT} >= {"examples/mnist_mlp.py", "examples/cifar_cnn.py",
                                              "examples/simple_cnn.py"}


def test_shapecheck_flags_exactly_the_buggy_examples(check_examples) -> None:
    assert check_examples.returncode == 1, check_examples.stdout + check_examples.stderr
    assert error_paths(check_examples.stdout) == {relative(p) for p in BUGGY}, check_examples.stdout


def test_the_classic_wrong_linear_is_reported_where_the_readme_says(check_examples) -> None:
    pattern = r"^examples/buggy/cifar_wrong_linear\.py:9:\d+: SHP101 .*\b4096\b.*\b1024\b"
    assert re.search(pattern, check_examples.stdout, re.M), check_examples.stdout


# the one line a user has to change in each buggy example
LINE_TO_CHANGE = {
    "cifar_wrong_linear.py": (9, "SHP101"),      # nn.Linear(64 * 8 * 8, 10)
    "channel_mismatch.py": (11, "SHP102"),       # self.conv2 = nn.Conv2d(64, 64, ...)
    "lenet_wrong_view.py": (20, "SHP105"),       # x = x.view(-1, 16 * 4 * 4)
    "too_many_pools.py": (11, "SHP104"),         # the fifth nn.MaxPool2d(2)
}


@pytest.mark.parametrize("name", sorted(LINE_TO_CHANGE))
def test_each_buggy_example_is_reported_once_at_the_line_to_change(check_examples, name) -> None:
    reported = [(int(m["line"]), m["code"]) for m in FINDING.finditer(check_examples.stdout)
                if m["path"].removeprefix("./") == f"examples/buggy/{name}"]
    assert reported == [LINE_TO_CHANGE[name]], check_examples.stdout


def run_example(path: Path, monkeypatch) -> None:
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    monkeypatch.setattr(sys, "argv", [str(path)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runpy.run_path(str(path), run_name="__main__")
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_buggy_example_really_fails_under_torch(path: Path, monkeypatch) -> None:
    pytest.importorskip("torch")
    with pytest.raises((RuntimeError, ValueError)):
        run_example(path, monkeypatch)


@pytest.mark.parametrize("path", CORRECT, ids=relative)
def test_correct_example_runs_under_torch(path: Path, monkeypatch) -> None:
    run_example(path, monkeypatch)
