"""Nothing the user asked for is ignored in silence, and no odd input gives a wrong answer: a model
name that matches nothing, a folder with no Python in it, a device --runtime would refuse are each
one warning on stderr (the exit status unchanged); a symlink loop, binary stdin and a pyproject.toml
that is not TOML are answered as ruff answers them; `-` with --diff and --fix works on what stdin
gave.  Run as a user runs the command line."""

from __future__ import annotations

import io
import os
import sys
import textwrap
from pathlib import Path

from test_cli import ROOT, SOURCE, WRONG_LINEAR, shapecheck

FIXED_SOURCE = SOURCE.replace("64 * 8 * 8", "64 * 4 * 4")


def project(folder: Path, pyproject: str = "", source: str = FIXED_SOURCE) -> Path:
    (folder / "net.py").write_text(source)
    if pyproject:
        (folder / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    return folder / "net.py"


def test_an_input_shape_for_no_model_names_the_closest(capsys, tmp_path):
    path = project(tmp_path)
    status, out, err = shapecheck(capsys, "--no-cache", "-i", "modle=3,32,32", str(path))
    assert status == 0
    assert err == ("shapecheck: warning: --input-shape modle=...: no model named modle in the files checked "
                   "(did you mean model?); it is ignored\n")


def test_configured_keys_for_no_model_warn_and_matching_ones_do_not(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project(tmp_path, """\
        [tool.shapecheck]
        device = "gpu"

        [tool.shapecheck.inputs]
        "net.py::model" = [3, 32, 32]
        "net.py::modl" = [3, 32, 32]
        "Resnet" = [3, 224, 224]

        [tool.shapecheck.args]
        "other.py::Foo" = "1, 2"
        """)
    status, out, err = shapecheck(capsys, "--no-cache", ".")
    assert status == 0
    assert err.splitlines() == [
        'shapecheck: warning: pyproject.toml: [tool.shapecheck] inputs."net.py::modl": no model named modl in '
        'net.py (did you mean model?); it is ignored',
        "shapecheck: warning: pyproject.toml: [tool.shapecheck] inputs.Resnet: no model named Resnet in the files "
        "checked; it is ignored",
        "shapecheck: warning: pyproject.toml: [tool.shapecheck] device = \"gpu\": --runtime would refuse it; use "
        "cpu, cuda, cuda:N, mps, meta or auto",
    ]
    # a file named alone (pre-commit) does not make the project's bare model names suspicious
    status, out, err = shapecheck(capsys, "--no-cache", "net.py")
    assert "Resnet" not in err and "modl" in err


def test_a_folder_with_no_python_files_says_so(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    status, out, err = shapecheck(capsys, "--no-cache", str(tmp_path))
    assert status == 0
    assert err == f"shapecheck: warning: no Python files found under {tmp_path}\n"
    assert out == "No shape errors: 0 files checked, no model in them.\n"


def test_a_symlink_loop_on_the_command_line_is_an_unreadable_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink("b.py", "a.py")
    os.symlink("a.py", "b.py")
    status, out, err = shapecheck(capsys, "--no-cache", "a.py")
    assert (status, err) == (1, "")
    assert out.splitlines()[0] == "a.py:1:1: SHP901 cannot read the file: Too many levels of symbolic links"


def test_binary_stdin_is_a_finding_like_a_binary_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"import torch\x00\x01")))
    status, out, err = shapecheck(capsys, "--no-cache", "-", "-f", "concise")
    (tmp_path / "bin.py").write_bytes(b"import torch\x00\x01")
    from_disk = shapecheck(capsys, "--no-cache", str(tmp_path / "bin.py"), "-f", "concise")
    assert (status, err) == (1, "") == (from_disk[0], from_disk[2])
    assert out == "<stdin>:1:1: SHP901 not a text file (it contains NUL bytes)\n"
    assert from_disk[1] == f"{tmp_path}/bin.py:1:1: SHP901 not a text file (it contains NUL bytes)\n"


def test_a_pyproject_that_is_not_toml_stops_the_run_as_in_ruff(capsys, tmp_path):
    path = project(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")  # no [tool.shapecheck] in it
    status, out, err = shapecheck(capsys, "--no-cache", str(path))
    assert status == 2 and out == ""
    assert err.startswith("shapecheck: error: ") and "pyproject.toml: not valid TOML: " in err
    assert len(err.splitlines()) == 1


def test_stdin_diff_shows_the_fix_of_what_stdin_gave(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("net.py").write_text(FIXED_SOURCE)  # the copy on disk is already right: the diff is stdin's
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SOURCE.encode())))
    status, out, err = shapecheck(capsys, "--no-cache", "-", "--diff", "--stdin-filename", "net.py")
    assert status == 1
    assert "-    nn.Linear(64 * 8 * 8, 10),\n+    nn.Linear(64 * 4 * 4, 10),\n" in out
    assert out.startswith("--- a/net.py\n+++ b/net.py\n")
    assert err.splitlines()[-1] == "Would fix 1 finding."


def test_stdin_fix_prints_the_fixed_source_and_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SOURCE.encode())))
    status, out, err = shapecheck(capsys, "--no-cache", "-", "--fix", "--stdin-filename", "net.py")
    assert (status, out) == (0, FIXED_SOURCE)
    assert err.splitlines()[-1] == "No shape errors: 1 model in 1 file checked."
    assert not Path("net.py").exists()
    # with nothing to fix, the source comes back as it was
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FIXED_SOURCE.encode())))
    assert shapecheck(capsys, "--no-cache", "-", "--fix")[:2] == (0, FIXED_SOURCE)
