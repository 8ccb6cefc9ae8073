"""The command line's runtime mode and fixes, as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def shapecheck(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "shapecheck", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env)


def test_runtime_confirms_a_bug_at_the_static_line() -> None:
    pytest.importorskip("torch")
    run = shapecheck("--runtime", "--format", "json", "examples/buggy/cifar_wrong_linear.py")
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    (model,) = document["models"]
    assert model["runtime"]["status"] == "error" and model["runtime"]["device"] == "cpu"
    assert model["runtime"]["error_layer"] == "10"
    codes = [(d["code"], d["line"], d.get("confirmed_on")) for d in document["diagnostics"]]
    assert codes == [("SHP101", 9, "cpu")]  # one bug, one count: torch's confirmation is on the static finding


def test_runtime_on_correct_examples_shows_each_verdict() -> None:
    pytest.importorskip("torch")
    run = shapecheck("--runtime", "--device", "meta", "examples/cifar_cnn.py", "examples/simple_cnn.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "examples/cifar_cnn.py:8: model: static ok, runtime ok on meta (output 2×10)" in run.stdout


def test_a_missing_device_is_a_one_line_tool_error() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    run = shapecheck("--runtime", "--device", "cuda", "examples/cifar_cnn.py")
    assert run.returncode == 2
    assert run.stderr.strip() == "shapecheck: error: device 'cuda' is not available here; available: cpu, meta"


def test_torch_missing_asks_for_the_runtime_extra(tmp_path: Path) -> None:
    blocker = tmp_path / "torch.py"
    blocker.write_text("raise ImportError('No module named torch')\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = shapecheck("--runtime", "examples/cifar_cnn.py", env=env)
    assert run.returncode == 2
    assert "shapecheck[runtime]" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "cifar_wrong_linear.py"
    shutil.copy(ROOT / "examples" / "buggy" / "cifar_wrong_linear.py", target)
    before = target.read_bytes()
    run = shapecheck("--diff", target)
    assert run.returncode == 1
    assert "-    nn.Linear(64 * 8 * 8, 10),\n+    nn.Linear(64 * 4 * 4, 10),\n" in run.stdout
    assert "Would fix 1 finding." in run.stderr
    assert target.read_bytes() == before


def test_fix_rewrites_reports_what_is_left_and_is_idempotent(tmp_path: Path) -> None:
    for name in ("cifar_wrong_linear.py", "too_many_pools.py"):
        shutil.copy(ROOT / "examples" / "buggy" / name, tmp_path / name)
    run = shapecheck("--fix", tmp_path)
    assert "Fixed 1 finding in 1 file." in run.stderr
    assert run.returncode == 1  # too many poolings has no certain fix
    assert "SHP104" in run.stdout and "SHP101" not in run.stdout
    fixed = (tmp_path / "cifar_wrong_linear.py").read_text()
    assert "nn.Linear(64 * 4 * 4, 10)" in fixed
    again = shapecheck("--fix", tmp_path)
    assert "Fixed" not in again.stderr
    assert (tmp_path / "cifar_wrong_linear.py").read_text() == fixed
    assert shapecheck("--diff", tmp_path).returncode == 0
