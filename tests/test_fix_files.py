"""--fix never damages a file nor loses an edit: every byte outside the fixed expression as it
was, whatever the line endings; a read-only file refused in one line; a symbolic link written
through and hard links kept; a file named twice fixed once; an edit saved during the run kept;
and --diff on a big file costs a few checks of it, not a minute."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_cli import shapecheck
from shapecheck.api import check_source
from shapecheck.diagnostics import Fix, Span
from shapecheck.report import fix as fixes

ROOT = Path(__file__).resolve().parent.parent
BUGGY = (ROOT / "examples" / "buggy" / "cifar_wrong_linear.py").read_text(encoding="utf-8")
WRONG, RIGHT = "64 * 8 * 8", "64 * 4 * 4"


def with_endings(text: str, endings) -> str:
    lines = text.split("\n")
    return "".join(line + endings[i % len(endings)] for i, line in enumerate(lines[:-1])) + lines[-1]


ENDINGS = {"lf": ["\n"], "crlf": ["\r\n"], "cr": ["\r"], "mixed": ["\r\n", "\n", "\r"], "mixed-lf-first": ["\n", "\r\n"]}


@pytest.mark.parametrize("last", ["", "\n"], ids=["no-final-newline", "final-newline"])
@pytest.mark.parametrize("style", ENDINGS)
def test_every_byte_outside_the_fix_stays_for_every_line_ending(capsys, tmp_path: Path, style: str, last: str):
    original = with_endings(BUGGY.rstrip("\n") + last, ENDINGS[style]).encode("utf-8")
    path = tmp_path / "m.py"
    path.write_bytes(original)
    code, out, err = shapecheck(capsys, "--fix", "--no-cache", str(path))
    assert "Fixed 1 finding in 1 file." in err
    assert path.read_bytes() == original.replace(WRONG.encode(), RIGHT.encode())
    assert code == 0, out


def test_a_byte_order_mark_and_a_declared_encoding_are_kept(capsys, tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    original = b"\xef\xbb\xbf# caf\xc3\xa9\r" + BUGGY.encode()
    path.write_bytes(original)
    shapecheck(capsys, "--fix", "--no-cache", str(path))
    assert path.read_bytes() == original.replace(WRONG.encode(), RIGHT.encode())


def test_a_read_only_file_is_refused_in_one_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(BUGGY)
    os.chmod(path, 0o444)
    code, out, err = shapecheck(capsys, "--fix", "--no-cache", str(path))
    assert (code, err) == (2, f"shapecheck: error: {path}: the file is read-only; not fixed\n")
    assert path.read_text() == BUGGY and os.stat(path).st_mode & 0o777 == 0o444


def test_a_symbolic_link_is_written_through_to_its_target(capsys, tmp_path: Path) -> None:
    target, link = tmp_path / "real.py", tmp_path / "link.py"
    target.write_text(BUGGY)
    link.symlink_to(target)
    code, _, err = shapecheck(capsys, "--fix", "--no-cache", str(link))
    assert code == 0 and "Fixed 1 finding" in err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == BUGGY.replace(WRONG, RIGHT)


def test_a_file_with_several_hard_links_stays_one_file(capsys, tmp_path: Path) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text(BUGGY)
    os.link(first, second)
    code, _, err = shapecheck(capsys, "--fix", "--no-cache", str(first))
    assert code == 0 and "Fixed 1 finding" in err
    assert os.path.samefile(first, second) and first.stat().st_nlink == 2
    assert second.read_text() == BUGGY.replace(WRONG, RIGHT)


def test_the_same_file_named_twice_is_checked_and_fixed_once(capsys, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "m.py").write_text(BUGGY)
    monkeypatch.chdir(tmp_path)
    code, out, err = shapecheck(capsys, "--fix", "--no-cache", "m.py", str(tmp_path / "m.py"))
    assert (code, err) == (0, "Fixed 1 finding in 1 file.\n")
    assert "SHP" not in out and "1 model in 1 file" in out
    assert (tmp_path / "m.py").read_text() == BUGGY.replace(WRONG, RIGHT)
    (tmp_path / "m.py").write_text(BUGGY)
    code, out, _ = shapecheck(capsys, "--no-cache", "m.py", str(tmp_path / "m.py"), "./m.py")
    assert code == 1 and out.count("SHP101") == 1 and out.startswith("m.py:9:5: SHP101")


EDIT = "# an edit saved while shapecheck ran\n"


def edit_while_fixing(monkeypatch, path: Path, when: str) -> None:
    """Save an edit to ``path`` after shapecheck read it: while it computes the fix, or while it
    writes the temporary file."""
    if when == "while-computing":
        computed = fixes.fix_source

        def computing(*args, **kwargs):
            outcome = computed(*args, **kwargs)
            path.write_text(EDIT + BUGGY)
            return outcome
        monkeypatch.setattr(fixes, "fix_source", computing)
    else:
        synced = os.fsync

        def syncing(fd):
            synced(fd)
            path.write_text(EDIT + BUGGY)
        monkeypatch.setattr(fixes.os, "fsync", syncing)


@pytest.mark.parametrize("when", ["while-computing", "while-writing"])
def test_an_edit_saved_during_the_run_is_never_lost(capsys, tmp_path: Path, monkeypatch, when: str) -> None:
    path = tmp_path / "m.py"
    path.write_text(BUGGY)
    edit_while_fixing(monkeypatch, path, when)
    code, out, err = shapecheck(capsys, "--fix", "--no-cache", str(path))
    assert path.read_text() == EDIT + BUGGY
    assert err == (f"shapecheck: warning: {path}: the file changed while shapecheck was fixing it; not fixed "
                   "(run shapecheck again)\n")
    assert code == 1 and f"{path}:10:5: SHP101" in out  # the file as it is now, one line lower
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


@pytest.mark.parametrize("replacement", ["a, b", "x = 1", "1\n2"])
def test_a_fix_that_would_break_the_file_is_not_applied(replacement: str) -> None:
    source = "def f(x=3):\r    return x\r"
    fixed, applied = fixes.apply_fixes(source, [Fix(replacement, Span(1, 9, 1, 10))])
    assert (fixed, applied) == (source, [])


def test_two_fixes_in_one_statement_and_one_in_another_are_all_applied() -> None:
    source = "a = [1,  2]  # one\r\nb = 3\n"
    wanted = [Fix("10", Span(1, 6, 1, 7)), Fix("20", Span(1, 10, 1, 11)), Fix("30", Span(2, 5, 2, 6))]
    fixed, applied = fixes.apply_fixes(source, wanted)
    assert fixed == "a = [10,  20]  # one\r\nb = 30\n" and applied == wanted


def big_file(models: int) -> str:
    correct = (ROOT / "examples" / "cifar_cnn.py").read_text(encoding="utf-8")
    return "\n".join([BUGGY] + [correct.replace("model", f"model{i}") for i in range(models)])


def test_diff_on_a_big_file_costs_a_few_checks_of_it(capsys, monkeypatch, tmp_path: Path) -> None:
    """Counted, not timed (speed is measured by benchmarks/bench.py's diff row): the command checks
    the file, fixes it, and checks the fixed text once; it never re-checks per edit or per model."""
    from shapecheck import api

    path = tmp_path / "big.py"
    path.write_text(big_file(120))  # about 70 KB
    checks, analyse = [], api.analyse_source
    monkeypatch.setattr(api, "analyse_source", lambda text, *a, **k: checks.append(len(text)) or analyse(text, *a, **k))
    code, out, err = shapecheck(capsys, "--diff", "--no-cache", str(path))
    assert (code, err) == (1, "Would fix 1 finding.\n")
    assert out.count("\n-") == 1 and f"+    nn.Linear({RIGHT}, 10),\n" in out
    assert len(checks) <= 3 and all(size > 60_000 for size in checks), checks
