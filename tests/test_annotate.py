"""`shapecheck --annotate`: the file as written, with the shape after each shape-changing line of
forward (and of a top-level nn.Sequential) as a trailing comment; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecheck.cli.main import main

EDITOR = Path(__file__).resolve().parent / "editor"


def annotated(capsys, *argv: str):
    with pytest.raises(SystemExit) as exit:
        main(["--annotate", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return exit.value.code, out, err


def changed_lines(path: Path, out: str) -> dict:
    """Line number -> the comment --annotate added; every other line must be as written."""
    added = {}
    for number, (written, shown) in enumerate(zip(path.read_text().splitlines(), out.splitlines()), start=1):
        if written != shown:
            assert shown.startswith(written + "  # → "), (number, shown)
            added[number] = shown[len(written) + len("  # → "):]
    assert len(out.splitlines()) == len(path.read_text().splitlines())
    return added


def test_lenet_forward_and_a_top_level_sequential(capsys):
    path = EDITOR / "lenet.py"
    before = path.read_bytes()
    status, out, err = annotated(capsys, str(path))
    assert (status, err) == (0, "")
    assert changed_lines(path, out) == {
        17: "B×6×14×14", 18: "B×16×5×5", 19: "B×400", 20: "B×120", 21: "B×84", 22: "B×10",
        27: "B×8×H×W", 29: "B×8×⌊H/2⌋×⌊W/2⌋", 30: "B×8·⌊H/2⌋·⌊W/2⌋"}
    assert path.read_bytes() == before


def test_a_block_used_twice_shows_both_shapes_and_return_lines_their_own(capsys):
    path = EDITOR / "residual.py"
    status, out, _ = annotated(capsys, str(path))
    assert status == 0
    assert changed_lines(path, out) == {12: "B×32×16×16 | B×64×8×8", 25: "B×16×32×32", 26: "B×64×8×8",
                                        27: "B×64", 28: "B×10"}


def test_shapes_stop_at_the_error_and_the_file_is_still_printed(capsys, tmp_path):
    path = tmp_path / "wrong.py"
    path.write_text((EDITOR / "lenet.py").read_text().replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)"))
    status, out, _ = annotated(capsys, str(path))
    assert status == 0
    assert changed_lines(path, out) == {17: "B×6×14×14", 18: "B×16×5×5", 19: "B×400",
                                        27: "B×8×H×W", 29: "B×8×⌊H/2⌋×⌊W/2⌋", 30: "B×8·⌊H/2⌋·⌊W/2⌋"}


def test_stdin_and_a_syntax_error(capsys, monkeypatch, tmp_path):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"import torch\nx = (\n")))
    status, out, _ = annotated(capsys, "-")
    assert (status, out) == (0, "import torch\nx = (\n")
