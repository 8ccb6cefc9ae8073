"""The README's advice for ruff users, run through ruff itself: its RUF100 fix deletes a bare
`# noqa` that shapecheck relies on, and without `lint.external = ["SHP"]` it deletes a whole
`# noqa: E501, SHP101`; with it, `# noqa: SHP101` stays and shapecheck stays quiet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")  # the venv's, when not activated
WRONG_LINE = "    nn.Linear(64 * 8 * 8, 10),"

pytestmark = pytest.mark.skipif(not Path(RUFF).exists(), reason="needs ruff")


def suppressed(tmp_path: Path, comment: str, external: bool) -> str:
    """The wrong Linear's line after `ruff check --fix` with RUF100, with ``comment`` on it."""
    source = (ROOT / "examples/buggy/cifar_wrong_linear.py").read_text()
    assert WRONG_LINE in source
    (tmp_path / "model.py").write_text(source.replace(WRONG_LINE, f"{WRONG_LINE}  {comment}"))
    (tmp_path / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["F", "RUF100"]\n'
                                             + ('external = ["SHP"]\n' if external else ""))
    subprocess.run([RUFF, "check", "--no-cache", "--fix", "--quiet", "--exit-zero", "model.py"], cwd=tmp_path,
                   check=True, timeout=60)
    return next(line for line in (tmp_path / "model.py").read_text().splitlines() if "nn.Linear" in line)


def codes_found(capsys, tmp_path: Path) -> list:
    out = shapecheck(capsys, str(tmp_path / "model.py"), "-f", "concise", "--no-cache")[1]
    return [line.split(" ")[1] for line in out.splitlines()]


def test_ruff_deletes_a_bare_noqa_and_the_finding_comes_back(capsys, tmp_path):
    assert suppressed(tmp_path, "# noqa", external=True) == WRONG_LINE
    assert codes_found(capsys, tmp_path) == ["SHP101"]


def test_without_external_ruff_drops_shp101_with_a_code_it_does_not_use(capsys, tmp_path):
    assert suppressed(tmp_path, "# noqa: E501, SHP101", external=False) == WRONG_LINE
    assert codes_found(capsys, tmp_path) == ["SHP101"]


def test_with_external_the_shapecheck_code_stays_and_so_does_the_silence(capsys, tmp_path):
    assert suppressed(tmp_path, "# noqa: E501, SHP101", external=True) == f"{WRONG_LINE}  # noqa: SHP101"
    assert codes_found(capsys, tmp_path) == []
