"""`--format full`, the default on a terminal: under each finding, the lines of the layers that set the
size it receives, with the shape each passes on, then its line with carets under the argument to
change.  Elsewhere (pipes, files, pre-commit) the default stays one line a finding."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def full(capsys, *paths: str, stdin: str = None) -> str:
    return shapecheck(capsys, *paths, "-f", "full", "--no-cache", stdin=stdin)[1]


def test_the_pooling_chain_above_the_wrong_linear(capsys):
    out = full(capsys, "examples/buggy/cifar_wrong_linear.py")
    assert out.splitlines()[1:9] == [
        "  |",
        "5 |     nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # → B×32×16×16",
        "6 |     nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # → B×64×8×8",
        "7 |     nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # → B×64×4×4",
        "8 |     nn.Flatten(),                                                 # → B×1024",
        "9 |     nn.Linear(64 * 8 * 8, 10),",
        "  |               ^^^^^^^^^^ should be 64 * 4 * 4",
        "",
    ]
    assert out.splitlines()[0].startswith("examples/buggy/cifar_wrong_linear.py:9:5: SHP101 model.10: ")
    assert out.endswith("Found 1 error in 1 file: 1 model in 1 file checked.\n")


def test_the_layers_show_in_the_order_the_data_passed_them(capsys):
    lines = full(capsys, "examples/buggy/channel_mismatch.py").splitlines()
    assert lines[2:6] == [
        "10 |         self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)  # → B×32×32×32",
        "12 |         self.pool = nn.MaxPool2d(2)                              # → B×32×16×16",
        "11 |         self.conv2 = nn.Conv2d(64, 64, kernel_size=3, padding=1)",
        "   |                                ^^ should be 32",
    ]


def test_without_a_fix_the_carets_cover_the_call_and_name_the_code(capsys):
    lines = full(capsys, "examples/buggy/too_many_pools.py").splitlines()
    assert lines[6] == "11 |     nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),"
    assert lines[7] == "   |                                                 ^^^^^^^^^^^^^^^ SHP104"
    assert lines[7].index("^") == lines[6].index("nn.MaxPool2d(2)")


def test_a_block_from_another_file_is_not_shown_at_this_files_lines(capsys, tmp_path):
    (tmp_path / "blocks.py").write_text(
        "import torch.nn as nn\n\n\nclass Stem(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n        self.pool = nn.MaxPool2d(2)\n\n"
        "    def forward(self, x):\n        return self.pool(self.conv(x))\n")
    (tmp_path / "model.py").write_text(
        "import torch\nimport torch.nn as nn\n\nfrom blocks import Stem\n\nmodel = nn.Sequential(\n    Stem(),\n"
        "    nn.Flatten(),\n    nn.Linear(8 * 32 * 32, 10),\n)\nmodel(torch.randn(2, 3, 32, 32))\n")
    os.chdir(tmp_path)
    lines = full(capsys, "model.py").splitlines()
    # blocks.py's conv and pool are at its lines 7 and 8; model.py's line 8 is the Flatten
    assert lines[1:5] == ["  |", "8 |     nn.Flatten(),  # → B×2048", "9 |     nn.Linear(8 * 32 * 32, 10),",
                          "  |               ^^^^^^^^^^^ should be 8 * 16 * 16"]


def test_carets_stay_under_the_argument_on_a_tab_indented_line(capsys, tmp_path):
    (tmp_path / "tabs.py").write_text("import torch\nimport torch.nn as nn\n\nif True:\n"
                                      "\tmodel = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))\n"
                                      "\tmodel(torch.randn(4, 3, 8, 8))\n")
    lines = full(capsys, str(tmp_path / "tabs.py")).splitlines()
    source, carets = lines[-4], lines[-3]
    assert source == "5 |     model = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))"
    assert carets[carets.index("^"):] == "^^^ should be 192"
    assert carets.index("^") == source.index("100")


def test_a_notebook_finding_shows_its_cells_line(capsys):
    lines = full(capsys, "tests/fixtures_notebooks/cifar10_cnn_kaggle.ipynb").splitlines()
    assert lines[2] == "8 |         self.fc1 = nn.Linear(64 * 8 * 8, 512)  # 32 -> 16 -> 8 after the pools"
    assert lines[3].index("^") == lines[2].index("64 * 8 * 8")


def test_source_from_stdin_has_no_frame(capsys):
    source = (ROOT / "examples/buggy/cifar_wrong_linear.py").read_text()
    out = full(capsys, "-", stdin=source)
    assert out.splitlines()[0].startswith("<stdin>:9:5: SHP101 ")
    assert out.splitlines()[1].startswith("Found 1 error")


def run_on_a_terminal(*args: str) -> str:
    """The command's output as a terminal shows it (stdout a pseudo-terminal), without its styles."""
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    environment.update(NO_COLOR="1", COLUMNS="200")
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "shapecheck", *args], cwd=ROOT, env=environment,
                               stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode().replace("\r\n", "\n"))  # styles off


def test_full_is_the_default_on_a_terminal_and_text_on_a_pipe():
    args = ("examples/buggy/cifar_wrong_linear.py", "--no-cache")
    on_a_terminal = run_on_a_terminal(*args)
    assert "  |               ^^^^^^^^^^ should be 64 * 4 * 4\n" in on_a_terminal
    piped = subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=60).stdout
    assert "^" not in piped and len(piped.splitlines()) == 2
    concise = run_on_a_terminal(*args, "--format", "concise")
    assert len(concise.splitlines()) == 1 and "^" not in concise
