"""The source distribution `python -m build --sdist` makes can run its tests: it holds every file of
the project (the tests with their fixtures and data, the examples, the hook definitions, the docs
the tests read), and a test module run from the unpacked sdist, against the package in it, passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = (".ci/", ".gitignore")  # this repository's CI and git, not the project's


def project_files() -> set:
    """The project's files: what git tracks, or (in an unpacked sdist) what is there."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return {name for name in listed.splitlines() if (ROOT / name).exists()}
    return {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()
            and not {"__pycache__", ".shapecheck_cache", ".pytest_cache", ".hypothesis"} & set(p.parts)
            and not p.relative_to(ROOT).parts[0].endswith(".egg-info") and p.name not in ("PKG-INFO", "setup.cfg")}


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    """The sdist built from a copy of the project (the build writes its egg-info beside the sources)."""
    work = tmp_path_factory.mktemp("sdist")
    source = work / "source"
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(work / "dist"),
                           str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [archive] = (work / "dist").glob("shapecheck-*.tar.gz")
    return archive


def test_the_sdist_holds_every_file_of_the_project(sdist):
    with tarfile.open(sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    missing = {name for name in project_files() if not name.startswith(LEFT_OUT)} - names
    assert missing == set()
    assert {"tests/conftest.py", "tests/data/junit-10.xsd", "examples/buggy/cifar_wrong_linear.py",
            ".pre-commit-hooks.yaml", "LICENSE"} <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_tests_run_from_the_unpacked_sdist(sdist, tmp_path):
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    [unpacked] = tmp_path.glob("shapecheck-*")
    environment = {**os.environ, "PYTHONPATH": str(unpacked)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_ci_formats.py",
                           "tests/test_catalogue.py"], cwd=unpacked, env=environment, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout.splitlines()[-1] and "failed" not in done.stdout.splitlines()[-1]
    probe = subprocess.run([sys.executable, "-c", "import shapecheck; print(shapecheck.__file__)"], cwd=tmp_path,
                           env=environment, capture_output=True, text=True, timeout=60)
    assert probe.stdout.startswith(str(unpacked))  # the tests ran the sdist's package
