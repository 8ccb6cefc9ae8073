"""The cache never prints a traceback and heals: an entry that is not ours is a miss, a damaged
database is set aside (renamed, one line on stderr) and rebuilt, and `shapecheck clean` removes
the caches under a folder."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from pathlib import Path

import pytest

from test_cli import shapecheck
from test_speed_features import entries, isolated, rewrite  # noqa: F401  (isolated: the cache in tmp_path)

TARGET = "examples/buggy/cifar_wrong_linear.py"


def truth(capsys):
    return shapecheck(capsys, TARGET, "-f", "concise", "--no-cache")


def test_a_deeply_nested_entry_is_a_miss_not_a_traceback(capsys, tmp_path: Path) -> None:
    expected = truth(capsys)
    shapecheck(capsys, TARGET, "-f", "concise")
    ((key, _),) = entries(tmp_path).items()
    rewrite(tmp_path, key, "[" * 100_000 + "]" * 100_000)
    assert shapecheck(capsys, TARGET, "-f", "concise") == expected
    assert entries(tmp_path)[key].startswith("{")  # the miss wrote the entry again


def database(tmp_path: Path) -> Path:
    (found,) = (tmp_path / "cache").glob("results-*.sqlite")
    return found


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def foreign_table(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DROP TABLE results")
        connection.execute("CREATE TABLE results (name TEXT)")


def folder_in_its_place(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("damage", [garbage, truncated, foreign_table, folder_in_its_place],
                         ids=lambda f: f.__name__)
def test_a_damaged_cache_is_set_aside_and_rebuilt(capsys, tmp_path: Path, damage) -> None:
    expected = truth(capsys)
    shapecheck(capsys, TARGET, "-f", "concise")
    gc.collect()  # the first run's connection, closed as it is when a run's process ends
    path = database(tmp_path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    damage(path)
    code, out, err = shapecheck(capsys, TARGET, "-f", "concise")
    assert (code, out) == expected[:2]
    (line,) = err.splitlines()
    assert line.startswith(f"shapecheck: warning: the cache {path} could not be read (")
    assert line.endswith(f"set aside as {path.name}.corrupt-" + line.rsplit(".corrupt-", 1)[1])
    assert len(entries(tmp_path)) == 1  # rebuilt, and holding this run's result
    assert shapecheck(capsys, TARGET, "-f", "concise") == expected  # healed: no more warnings


def test_clean_removes_the_caches_under_a_folder(capsys, tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.shapecheck]\n")
    (project / "sub" / "m.py").write_text((Path(TARGET)).read_text())
    monkeypatch.delenv("SHAPECHECK_CACHE_DIR")
    monkeypatch.chdir(project)
    shapecheck(capsys, "sub")
    assert (project / ".shapecheck_cache").is_dir()
    assert shapecheck(capsys, "clean", str(project)) == (0, f"removed {project / '.shapecheck_cache'}\n", "")
    assert not (project / ".shapecheck_cache").exists() and (project / "sub" / "m.py").exists()
    assert shapecheck(capsys, "clean") == (0, "no cache to remove\n", "")
    assert shapecheck(capsys, "clean", "missing")[0] == 2
