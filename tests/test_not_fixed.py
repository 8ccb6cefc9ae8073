"""--diff and --fix say which errors they leave and why, instead of a bare "Nothing to fix"."""

from __future__ import annotations

from pathlib import Path

from test_cli import shapecheck

WRITTEN_WITH_A_NAME = """\
import torch
import torch.nn as nn

ngf = 64
model = nn.Sequential(
    nn.Conv2d(3, ngf * 2, 3, padding=1), nn.ReLU(),
    nn.Conv2d(ngf * 4, 10, 3, padding=1),
)
model(torch.randn(1, 3, 32, 32))
"""

FITS_ANOTHER_CONFIGURATION = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.fc = nn.Linear(16 * 32 * 32, 10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


small = Net(16)
small(torch.randn(2, 3, 32, 32))
large = Net(32)
large(torch.randn(2, 3, 32, 32))
"""

NO_VALUE = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Conv2d(3, 8, 5), nn.MaxPool2d(4), nn.MaxPool2d(4))
model(torch.randn(1, 3, 8, 8))
"""


def write(folder: Path, source: str) -> str:
    path = folder / "net.py"
    path.write_text(source)
    return str(path)


def test_a_value_written_with_a_name_is_suggested_not_written(capsys, tmp_path):
    path = write(tmp_path, WRITTEN_WITH_A_NAME)
    status, out, err = shapecheck(capsys, "--no-cache", "--diff", path)
    assert (status, out) == (0, "")
    assert err.splitlines() == [
        f"{path}:7:5: SHP102 not fixed: the value is written as ngf * 4, with a name: change it to ngf * 2",
        "Nothing to fix.",
    ]
    status, out, err = shapecheck(capsys, "--no-cache", "--fix", "-f", "concise", path)
    assert status == 1 and Path(path).read_text() == WRITTEN_WITH_A_NAME
    assert err.splitlines() == [f"{path}:7:5: SHP102 not fixed: the value is written as ngf * 4, with a name: "
                                f"change it to ngf * 2"]


def test_a_layer_that_fits_another_configuration_says_so(capsys, tmp_path):
    path = write(tmp_path, FITS_ANOTHER_CONFIGURATION)
    status, out, err = shapecheck(capsys, "--no-cache", "--diff", path)
    assert err.splitlines() == [
        f"{path}:9:19: SHP101 not fixed: the same layer fits in another configuration of this model: change the "
        f"argument that differs between them",
        "Nothing to fix.",
    ]


def test_an_error_with_no_right_value_says_why(capsys, tmp_path):
    path = write(tmp_path, NO_VALUE)
    status, out, err = shapecheck(capsys, "--no-cache", "--diff", path)
    (line, last) = err.splitlines()
    assert line.startswith(f"{path}:4:") and " SHP104 not fixed: shapecheck knows no single right value" in line
    assert last == "Nothing to fix."


def test_what_was_fixed_is_not_listed_as_not_fixed(capsys, tmp_path):
    path = write(tmp_path, WRITTEN_WITH_A_NAME.replace("nn.ReLU(),\n", "nn.ReLU(), nn.Conv2d(64, 128, 1),\n"))
    status, out, err = shapecheck(capsys, "--no-cache", "--diff", path)
    assert "+    nn.Conv2d(3, ngf * 2, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 128, 1),\n" in out
    assert err.splitlines() == [
        f"{path}:7:5: SHP102 not fixed: the value is written as ngf * 4, with a name: change it to 128",
        "Would fix 1 finding.",
    ]


def test_the_reason_survives_the_cache(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, WRITTEN_WITH_A_NAME)
    first = shapecheck(capsys, "--diff", path)
    assert shapecheck(capsys, "--diff", path) == first
    assert "not fixed: the value is written as ngf * 4" in first[2]
