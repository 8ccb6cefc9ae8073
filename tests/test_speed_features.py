"""What makes shapecheck fast must not change what it says: worker processes give the output of one
process, the cache gives back exactly what a check gives and never a result for other bytes or
options, the plain command line parses as typer parses it, and the plain text writer writes what
rich writes to a pipe.  (The speed itself is measured by benchmarks/bench.py, not here.)"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shapecheck import api
from shapecheck.cli import batch, commands
from shapecheck.cli import main as cli
from shapecheck.cli.cache import ResultCache, code_version, decode_result, encode_result
from shapecheck.diagnostics import Diagnostic, Span
from shapecheck.report import text_format
from shapecheck.results import FileResult
from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.py"))
WRONG_LINEAR = ROOT / "examples" / "buggy" / "cifar_wrong_linear.py"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)


# --- worker processes ---------------------------------------------------------------------------

@pytest.mark.parametrize("output_format", ["text", "json"])
def test_two_workers_print_what_one_process_prints(capsys, monkeypatch, output_format):
    pools, real = [], batch._in_pool
    monkeypatch.setattr(batch, "_in_pool", lambda *args: pools.append(len(args[0])) or real(*args))
    one = shapecheck(capsys, "tests/fixtures/", "--jobs", "1", "--no-cache", "-f", output_format)
    assert not pools
    two = shapecheck(capsys, "tests/fixtures/", "--jobs", "2", "--no-cache", "-f", output_format)
    assert pools, "tests/fixtures/ is enough files for a pool"
    assert two == one
    assert one[0] == 1 and one[1].count("SHP1") > 20


def test_the_files_of_a_package_and_the_scripts_that_import_it_go_to_one_worker(tmp_path):
    """The pool hands out a package with the scripts beside it that import it as one batch (its
    modules are read and run once, in one worker), a big file alone and first, and every file
    exactly once."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for package in ("nets", "other"):
        (tmp_path / package / "sub").mkdir(parents=True)
        for name in ("__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py"):
            (tmp_path / package / name).write_text("import torch.nn as nn\n")
    (tmp_path / "train.py").write_text("import torch\nfrom nets import a\n")
    (tmp_path / "evaluate.py").write_text("import torch\nimport other.sub.c\n")
    (tmp_path / "plot.py").write_text("import matplotlib\n")
    (tmp_path / "huge.py").write_text("x = 1\n" * 6000)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    batches = batch._batches(paths, most=8)
    assert sorted(i for b in batches for i in b) == list(range(len(paths)))
    named = [{Path(paths[i]).relative_to(tmp_path).as_posix() for i in b} for b in batches]
    assert named[0] == {"huge.py"}
    assert {"train.py", "nets/__init__.py", "nets/a.py", "nets/b.py", "nets/sub/__init__.py", "nets/sub/c.py"} in named
    assert {"evaluate.py", "other/__init__.py", "other/a.py", "other/b.py", "other/sub/__init__.py",
            "other/sub/c.py"} in named
    assert {"plot.py"} in named


def test_two_workers_print_what_one_process_prints_for_a_project(capsys, monkeypatch):
    pools, real = [], batch._in_pool
    monkeypatch.setattr(batch, "_in_pool", lambda *args: pools.append(len(args[0])) or real(*args))
    one = shapecheck(capsys, "tests/projects/", "--jobs", "1", "--no-cache", "-f", "json")
    two = shapecheck(capsys, "tests/projects/", "--jobs", "2", "--no-cache", "-f", "json")
    assert pools and two == one
    assert sum(d["severity"] == "error" for d in json.loads(one[1])["diagnostics"]) >= 5


def test_a_single_file_pays_for_no_pool(monkeypatch):
    monkeypatch.setattr(batch, "_in_pool", lambda *a: pytest.fail("a pool for one file"))
    results = batch.check_files([str(WRONG_LINEAR)], lambda path: {}, jobs=8)
    assert [d.code for d in results[0].diagnostics] == ["SHP101"]


# --- the cache ----------------------------------------------------------------------------------

def entries(tmp_path: Path) -> dict:
    """Key -> JSON document, as the cache holds them."""
    (database,) = (tmp_path / "cache").glob("results-*.sqlite")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return dict(connection.execute("SELECT key, document FROM results"))


def rewrite(tmp_path: Path, key: str, document: str) -> None:
    (database,) = (tmp_path / "cache").glob("results-*.sqlite")
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE results SET document = ? WHERE key = ?", (document, key))


def test_a_cached_result_is_the_result(capsys, monkeypatch, tmp_path):
    first = shapecheck(capsys, "tests/fixtures/", "-f", "json")
    assert len(entries(tmp_path)) == len(FIXTURES)
    monkeypatch.setattr(api, "analyse_bytes", lambda *a, **k: pytest.fail("checked again instead of cached"))
    assert shapecheck(capsys, "tests/fixtures/", "-f", "json") == first
    assert shapecheck(capsys, "tests/fixtures/", "-f", "json", "--jobs", "2") == first


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_this_process_writes_every_new_result_a_batch_at_a_time(capsys, monkeypatch, tmp_path, jobs):
    parent, real, batches = os.getpid(), ResultCache.put_many, []

    def put_many(cache, pending):
        assert os.getpid() == parent, "a worker wrote to the cache"
        batches.append(len(pending))
        return real(cache, pending)

    monkeypatch.setattr(ResultCache, "put_many", put_many)
    shapecheck(capsys, "tests/fixtures/", "--jobs", jobs)
    assert len(FIXTURES) > batch.WRITE_EVERY
    assert batches == [batch.WRITE_EVERY, len(FIXTURES) - batch.WRITE_EVERY]
    assert len(entries(tmp_path)) == len(FIXTURES)


def test_every_fixture_result_reads_back_equal():
    for path in FIXTURES:
        result = api.check_path(str(path))
        document = encode_result(result)
        assert document is not None, path.name
        assert decode_result(json.loads(document)) == result, path.name


def test_changing_the_file_or_the_options_is_a_new_check(capsys, tmp_path):
    model = tmp_path / "net.py"
    shutil.copy(WRONG_LINEAR, model)
    assert "SHP101" in shapecheck(capsys, str(model), "-f", "concise")[1]
    model.write_text(WRONG_LINEAR.read_text().replace("64 * 8 * 8", "64 * 4 * 4"))
    assert shapecheck(capsys, str(model), "-f", "concise") == (0, "", "")
    model.write_text(WRONG_LINEAR.read_text())
    assert shapecheck(capsys, str(model), "-f", "concise", "--ignore", "SHP101") == (0, "", "")
    assert "receives 1024" in shapecheck(capsys, str(model), "-f", "concise")[1]
    assert "B×3×64×64 (--input-shape" in shapecheck(capsys, str(model), "-f", "concise", "-i", "3,64,64")[1]
    # one per (bytes, input options): the fixed file, the shape; --ignore is applied after the
    # cache (the finishing stage), so it reuses the first entry
    assert len(entries(tmp_path)) == 3


def test_the_cache_is_read_and_no_cache_bypasses_it(capsys, tmp_path):
    target = "examples/buggy/cifar_wrong_linear.py"
    truth = shapecheck(capsys, target, "-f", "concise")
    ((key, document),) = entries(tmp_path).items()
    rewrite(tmp_path, key, document.replace("Linear expects", "TAMPERED"))
    assert "TAMPERED" in shapecheck(capsys, target, "-f", "concise")[1]
    assert shapecheck(capsys, target, "-f", "concise", "--no-cache") == truth
    rewrite(tmp_path, key, "{not json")
    assert shapecheck(capsys, target, "-f", "concise") == truth


def test_no_cache_writes_nothing(capsys, tmp_path):
    shapecheck(capsys, "examples/", "--no-cache")
    assert not (tmp_path / "cache").exists()


def test_another_version_of_shapecheck_does_not_read_the_entries(tmp_path):
    folder = tmp_path / "cache"
    old, new = ResultCache(folder, "0" * 32), ResultCache(folder, code_version())
    result = api.check_path(str(WRONG_LINEAR))
    key = old.key(str(WRONG_LINEAR), WRONG_LINEAR.read_bytes(), {})
    old.put(key, result)
    assert old.get(key) == result
    assert new.get(key) is None
    new.put(key, result)
    assert {p.name.split(".")[0] for p in folder.glob("results-*")} == {new.database.name.split(".")[0]}, \
        "a new version's database replaces the old version's"
    assert (folder / ".gitignore").read_text().endswith("*\n")


def test_a_cache_that_cannot_be_written_is_not_kept(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    cache = ResultCache(blocked, code_version())
    result = batch.check_file(str(WRONG_LINEAR), {}, cache)
    assert [d.code for d in result.diagnostics] == ["SHP101"]


def _write_and_read(folder: str, worker: int, start: float, rounds: int) -> int:
    cache = ResultCache(Path(folder), "1" * 32)
    results = [FileResult("m.py", [Diagnostic("m.py", Span(1, 1, 1, 2), "SHP101", str(n) * 20_000)])
               for n in range(3)]
    while time.time() < start:  # all open the new database at once
        pass
    complete = 0
    for round_ in range(rounds):
        cache.put("ab" * 20, results[(worker + round_) % 3])
        assert cache.get("ab" * 20) in results  # one writer's whole entry, never a mix or half of one
        complete += 1
    return complete


def test_parallel_writers_never_leave_half_an_entry(tmp_path):
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        start = time.time() + 2  # after the workers have started
        work = [(str(tmp_path), worker, start, 40) for worker in range(3)]
        assert pool.starmap(_write_and_read, work) == [40] * 3


# --- the plain command line ---------------------------------------------------------------------

PLAIN = [
    ["m.py"],
    ["a.py", "b/", "-"],
    ["m.py", "-f", "json", "--format", "concise", "-q", "-v", "--statistics"],
    ["--select", "SHP1,SHP2", "m.py", "--ignore", "SHP101", "--exit-zero", "--force-exclude"],
    ["-i", "3,32,32", "m.py", "--input-shape", "Net=B,1,28,28", "--show-unused-suppressions"],
    ["-", "--stdin-filename", "models/net.py", "--jobs", "3", "--no-cache", "-j", "02"],
    ["--quiet", "--summary", "m.py", "m.py"],
]
TO_TYPER = [[], ["--help"], ["-h"], ["--version"], ["m.py", "--fix"], ["m.py", "--diff"], ["m.py", "--runtime"],
            ["m.py", "--device", "meta"], ["m.py", "--format=json"], ["-qv", "m.py"], ["-fjson", "m.py"],
            ["rule", "SHP101"], ["rules"], ["m.py", "--jobs", "0"], ["m.py", "--jobs", "x"], ["m.py", "-j", "-1"],
            ["m.py", "--", "-x.py"], ["m.py", "--colour"], ["m.py", "-f"], ["m.py", "--select", "-x"],
            ["--no-cache"]]


CHECK = cli.check


def bound(*args, **kwargs) -> dict:
    """All of check's arguments, defaults included, sequences as lists."""
    arguments = inspect.signature(CHECK).bind(*args, **kwargs)
    arguments.apply_defaults()
    return {name: list(value) if isinstance(value, tuple) else value for name, value in arguments.arguments.items()}


def typer_arguments(monkeypatch, argv) -> dict:
    calls = []
    monkeypatch.setattr(cli, "check", lambda *args, **kwargs: calls.append((args, kwargs)) or 0)
    assert commands.run(argv) == 0
    ((args, kwargs),) = calls
    return bound(*args, **kwargs)


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_command_line_parses_as_typer_parses_it(monkeypatch, argv):
    assert bound(**cli.plain_arguments(argv)) == typer_arguments(monkeypatch, argv)


@pytest.mark.parametrize("argv", TO_TYPER, ids=lambda argv: " ".join(argv) or "nothing")
def test_anything_else_is_left_to_typer(argv):
    assert cli.plain_arguments(argv) is None


def test_the_plain_path_imports_no_cli_framework_and_no_torch():
    probe = textwrap.dedent(f"""
        import sys
        from shapecheck.cli.main import main
        try:
            main([{str(ROOT / 'examples')!r}, "--no-cache"])
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in
                       ("typer", "click", "pydantic", "rich", "torch", "numpy", "libcst"))
        print("IMPORTED:", heavy)
    """)
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "IMPORTED: []" in run.stdout, run.stdout[-2000:] + run.stderr
    assert "Found 4 errors" in run.stdout


# --- plain text without rich --------------------------------------------------------------------

TRICKY = ["[bold]not markup[/bold] :smile:", "a tab\there and\tthere", "bell\x07 cr\r backspace\x08 ff\x0c vt\x0b",
          "wide ⌊H/8⌋×32 日本語", "trailing spaces   ", "two\nlines", "\x1b[31mescape", "  leading"]


def tricky_results():
    return [FileResult("m.py", [Diagnostic("m.py", Span(i + 1, 2, i + 1, 3), code, message)
                                for i, message in enumerate(TRICKY) for code in ("SHP101", "SHP405", "SHP905")])]


@pytest.mark.parametrize("options", [{}, {"statistics": True}, {"quiet": True}])
def test_the_plain_writer_writes_what_rich_writes_to_a_pipe(monkeypatch, options):
    plain = io.StringIO()
    text_format.render(tricky_results(), plain, **options)
    monkeypatch.setattr(text_format, "_PlainConsole", lambda stream: pytest.fail("rich was asked for"))
    monkeypatch.setattr(text_format, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(text_format, "_isatty", lambda stream: False)
    with_rich = io.StringIO()
    text_format.render(tricky_results(), with_rich, **options)
    assert plain.getvalue() == with_rich.getvalue()
    assert "\x1b[1m" not in plain.getvalue()


def test_colours_still_go_where_rich_would_put_them(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = io.StringIO()
    text_format.render(tricky_results(), out)
    assert "\x1b[1m" in out.getvalue()


def test_macs_and_memory_are_counted_only_for_the_outputs_that_show_them(capsys, tmp_path):
    """Text checks leave each layer's MACs and memory uncounted (a tenth of the time on many small
    models); JSON and --summary count them, and a result cached by a text run is not theirs."""
    target = "examples/cifar_cnn.py"
    source = (ROOT / target).read_text()
    plain = api.analyse_source(source, target, figures=False)
    counted = api.analyse_source(source, target)
    assert [(m.name, m.status, m.output_shape) for m in plain.models] == \
        [(m.name, m.status, m.output_shape) for m in counted.models]
    assert all(layer.macs is None for m in plain.models for layer in m.layers)
    assert any(layer.macs for m in counted.models for layer in m.layers)
    shapecheck(capsys, target, "-f", "text")  # cached without the figures
    (model,) = json.loads(shapecheck(capsys, target, "-f", "json")[1])["models"]
    fixed, per_sample = counted.models[0].macs()
    assert model["macs"] == fixed + per_sample > 0  # at --batch 1
    assert "MACs" in shapecheck(capsys, target, "-v")[1]


RESIDUAL = '''import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x) + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.block = Block(16)
        self.fc = nn.Linear(16 * 32 * 32, 10)

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.fc(x.flatten(1))


model = Net()
out = model(torch.randn(8, 3, 32, 32))
'''


def test_rows_and_shapes_are_made_only_for_the_outputs_that_show_them(capsys, tmp_path, monkeypatch):
    """A plain text check makes neither the summary's rows of blocks and operations nor the shape
    of each line (only --summary and JSON show the one, only --annotate and the editor the other):
    the same findings and models, the layers kept; and a result cached by such a run is not the
    one --annotate or JSON reads."""
    target = tmp_path / "net.py"
    target.write_text(RESIDUAL)
    monkeypatch.chdir(tmp_path)
    plain = api.analyse_source(RESIDUAL, "net.py", figures=False, shapes=False)
    full = api.analyse_source(RESIDUAL, "net.py")
    assert plain.diagnostics == full.diagnostics
    assert [(m.name, m.status, m.output_shape, m.params, [layer.name for layer in m.layers]) for m in plain.models] \
        == [(m.name, m.status, m.output_shape, m.params, [layer.name for layer in m.layers]) for m in full.models] \
        == [("Net", "ok", ("B", 10), 166_618, ["stem", "block.conv", "fc"])]
    assert plain.shapes == () and plain.models[0].rows == ()
    (model,) = full.models
    assert [(row.role, row.name, row.kind) for row in model.rows] == \
        [("layer", "stem", "Conv2d"), ("block", "block", "Block"), ("layer", "block.conv", "Conv2d"),
         ("operation", "block", "+"), ("operation", "", "Tensor.flatten"), ("layer", "fc", "Linear")]
    assert ("out", "B×10") in [(s.what, s.shape) for s in full.shapes]
    shapecheck(capsys, "net.py", "-f", "text")  # cached without rows or shapes
    assert "return self.fc(x.flatten(1))  # → B×10" in shapecheck(capsys, "net.py", "--annotate")[1]
    (reported,) = json.loads(shapecheck(capsys, "net.py", "-f", "json")[1])["models"]
    assert [row["role"] for row in reported["rows"]] == ["layer", "block", "layer", "operation", "operation", "layer"]
