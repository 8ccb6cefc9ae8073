"""The commands around the check: --help as a new user reads it, the catalogue as JSON for tools,
and --watch, which checks again when a file changes (run for real, in a subprocess)."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shapecheck.diagnostics import CATALOGUE
from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
WRONG_LINEAR = ROOT / "examples/buggy/cifar_wrong_linear.py"


@pytest.fixture(autouse=True)
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)


# --- help ---------------------------------------------------------------------------------------

def test_help_shows_path_the_commands_and_the_exit_codes(capsys):
    status, out, _ = shapecheck(capsys, "--help")
    assert status == 0
    assert out.startswith("Usage: shapecheck [OPTIONS] PATH...\n")
    assert "{paths}" not in out and "<list[str]>" not in out
    assert "\n  PATH...  Files or folders to check (.py, .ipynb); - reads stdin.\n" in out
    for command in ("shapecheck rules [--format json]", "shapecheck rule SHP101", "shapecheck clean [FOLDER]",
                    "shapecheck server", "shapecheck check PATH..."):
        assert command in out
    assert "\n    0  no error found (or --exit-zero)\n    1  errors found\n    2  shapecheck could not do" in out
    assert "--output-file FILE" in out and "--watch" in out


def test_subcommand_help_names_its_argument(capsys):
    assert shapecheck(capsys, "clean", "--help")[1].startswith("Usage: shapecheck clean [OPTIONS] [FOLDER]\n")
    assert shapecheck(capsys, "rule", "-h")[1].startswith("Usage: shapecheck rule [OPTIONS] CODE\n")
    assert shapecheck(capsys, "rule")[2] == "shapecheck: error: Missing argument 'CODE'. (see shapecheck rule --help)\n"


# --- the catalogue as JSON ----------------------------------------------------------------------

def test_rules_as_json_is_the_whole_catalogue(capsys):
    status, out, _ = shapecheck(capsys, "rules", "--format", "json")
    entries = json.loads(out)
    assert status == 0 and [e["code"] for e in entries] == list(CATALOGUE)
    linear = entries[0]
    assert (linear["name"], linear["severity"], linear["fixable"]) == ("linear-in-features", "error", True)
    assert linear["bad"].startswith("import torch\n") and "nn.Linear(64 * 8 * 8, 10),  # SHP101" in linear["bad"]
    assert "nn.Linear(64 * 4 * 4, 10)," in linear["good"]
    assert linear["summary"] == CATALOGUE["SHP101"].summary and linear["explanation"] == CATALOGUE["SHP101"].explanation
    assert json.loads(shapecheck(capsys, "rule", "shp204", "-f", "json")[1]) == entries[list(CATALOGUE).index("SHP204")]


def test_rules_in_an_unknown_format_is_exit_2(capsys):
    assert shapecheck(capsys, "rules", "--format", "xml") == (
        2, "", "shapecheck: error: unknown --format 'xml'; choose text or json\n")


# --- --watch ------------------------------------------------------------------------------------

class Watching:
    """`shapecheck --watch` in a subprocess, its output lines read as they come."""

    def __init__(self, *args: str, cwd: Path):
        # a test worker may ignore SIGINT, and a child inherits that: Python then installs no
        # KeyboardInterrupt handler and Ctrl-C (stop) never ends the watcher; give it the default
        self.process = subprocess.Popen([sys.executable, "-m", "shapecheck", "--watch", "--no-cache", *args],
                                        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, predicate, timeout: float = 30) -> list:
        """The lines up to and including the first one for which ``predicate`` holds."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                break
            if predicate(seen[-1]):
                return seen
        raise AssertionError(f"not seen within {timeout} s; got {seen}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)  # generous: a loaded machine starts and stops it slowly
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_watch_checks_again_when_the_file_changes(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(WRONG_LINEAR.read_text())
    watching = Watching("model.py", cwd=tmp_path)
    try:
        first = watching.until(lambda line: line.startswith("shapecheck: watching"))
        assert first[0].startswith("model.py:9:5: SHP101 model.10: Linear expects 4096 input features")
        assert "Found 1 error in 1 file: 1 model in 1 file checked." in first
        (tmp_path / "notes.txt").write_text("not a source file")  # ignored: no check for it
        model.write_text(model.read_text().replace("64 * 8 * 8", "64 * 4 * 4"))
        again = watching.until(lambda line: line.startswith("No shape errors"))
        assert again == ["shapecheck: model.py changed; checking again", "No shape errors: 1 model in 1 file checked."]
    finally:
        status = watching.stop()
    assert status == 0  # Ctrl-C ends watching
    assert "Traceback" not in "\n".join(watching.lines.queue)


def test_watch_cannot_read_stdin(capsys):
    assert shapecheck(capsys, "-", "--watch") == (
        2, "", "shapecheck: error: --watch checks files; it cannot read stdin\n")
