"""One finishing stage for the findings of every producer: a runtime finding obeys `# noqa`,
`# shapecheck: ignore`, --select/--ignore and per-file-ignores exactly as a static one does, and
the findings of all producers come out in reading order.  Run as a user runs the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from test_cli import shapecheck

pytest.importorskip("torch")

# torch.fft is not modelled, so the static pass stops there and says nothing about `fc`; torch
# raises at fc: 8 channels of 32×17 after rfft2, not 8×32×32
RUNTIME_ONLY_BUG = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 32 * 32, 10){comment}

    def forward(self, x):
        x = self.conv(x)
        x = torch.fft.rfft2(x).real
        return self.fc(x.flatten(1))


model = Net()
model(torch.randn(4, 3, 32, 32))
"""
FC_LINE = 9


def write(folder: Path, comment: str = "", pyproject: str = "") -> Path:
    path = folder / "net.py"
    path.write_text(RUNTIME_ONLY_BUG.format(comment=comment))
    if pyproject:
        (folder / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    return path


def test_the_runtime_finding_is_there_without_a_suppression(capsys, tmp_path):
    status, out, _ = shapecheck(capsys, "--runtime", "--no-cache", "-f", "concise", str(write(tmp_path)))
    assert status == 1
    assert out == (f"{tmp_path}/net.py:{FC_LINE}:1: SHP903 Net.fc raised on cpu with input 2×3×32×32: mat1 and "
                   f"mat2 shapes cannot be multiplied (2x4352 and 8192x10)\n")


@pytest.mark.parametrize("comment, options, pyproject", [
    ("  # noqa: SHP903", (), ""),
    ("  # noqa", (), ""),
    ("  # shapecheck: ignore[SHP9]", (), ""),
    ("  # shapecheck: ignore", (), ""),
    ("", ("--ignore", "SHP903"), ""),
    ("", ("--select", "SHP1,SHP2"), ""),
    ("", (), '[tool.shapecheck]\nignore = ["SHP903"]\n'),
    ("", (), '[tool.shapecheck]\nselect = ["SHP1"]\n'),
    ("", (), '[tool.shapecheck]\nper-file-ignores = { "net.py" = ["SHP903"] }\n'),
], ids=["noqa-code", "noqa", "ignore-prefix", "ignore", "--ignore", "--select", "config-ignore",
        "config-select", "per-file-ignores"])
def test_a_runtime_finding_is_silenced_like_a_static_one(capsys, tmp_path, comment, options, pyproject):
    path = write(tmp_path, comment, pyproject)
    status, out, err = shapecheck(capsys, "--runtime", "--no-cache", "-f", "json", *options, str(path))
    assert status == 0, out + err
    document = json.loads(out)
    assert document["diagnostics"] == []
    assert document["models"][0]["runtime"]["status"] == "error"  # it ran and failed: only the finding is silenced


def test_a_suppression_used_by_a_runtime_finding_is_not_unused(capsys, tmp_path):
    path = write(tmp_path, "  # noqa: SHP903")
    status, out, _ = shapecheck(capsys, "--runtime", "--no-cache", "--show-unused-suppressions", "-f", "concise",
                                str(path))
    assert (status, out) == (0, "")
    # without the runtime mode nothing uses it, and it says so
    status, out, _ = shapecheck(capsys, "--no-cache", "--show-unused-suppressions", "-f", "concise", str(path))
    assert out == (f"{path}:{FC_LINE}:47: SHP905 unused suppression of SHP903: no such finding on this line\n")


def test_findings_of_every_producer_come_out_in_reading_order(capsys, tmp_path):
    path = tmp_path / "net.py"
    path.write_text(RUNTIME_ONLY_BUG.format(comment="") + textwrap.dedent("""\
        head = nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 5))
        head(torch.randn(4, 12))
        """))
    status, out, _ = shapecheck(capsys, "--runtime", "--no-cache", "-f", "concise", str(path))
    located = [tuple(line.split(": ")[0].rsplit(":", 2)[1:]) + (line.split(": ")[1].split(" ")[0],)
               for line in out.splitlines()]
    # the runtime's SHP903 of Net (line 9), then head's static error and practices warning (line 19)
    assert located == [("9", "1", "SHP903"), ("19", "22", "SHP101"), ("19", "41", "SHP405")], out


def test_one_bug_found_by_both_passes_is_counted_once(capsys):
    status, out, _ = shapecheck(capsys, "--runtime", "--no-cache", "examples/buggy/cifar_wrong_linear.py")
    assert status == 1
    assert out.splitlines()[0] == (
        "examples/buggy/cifar_wrong_linear.py:9:5: SHP101 model.10: Linear expects 4096 input features but "
        "receives 1024 = 64×4×4 (B×64×4×4 after the three MaxPool2d(2) at lines 5, 6, 7); use nn.Linear(64 * 4 * 4, 10), or keep 4096 and remove one MaxPool2d(2); torch on "
        "cpu raised too: mat1 and mat2 shapes cannot be multiplied (2x1024 and 4096x10)")
    assert "SHP903" not in out
    assert out.splitlines()[-1] == "Found 1 error in 1 file: 1 model in 1 file checked."
    status, out, _ = shapecheck(capsys, "--runtime", "--no-cache", "-f", "json", "examples/buggy/cifar_wrong_linear.py")
    (finding,) = json.loads(out)["diagnostics"]
    assert (finding["code"], finding["line"], finding["confirmed_on"]) == ("SHP101", 9, "cpu")


# ShuffleNet's `mid_planes = out_planes/4` (pytorch-cifar), one block class built in three widths:
# torch rejects each (a float channel count), and the user sees the line once, not three times
STAGES = """\
import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    def __init__(self, in_planes, out_planes):
        super().__init__()
        mid_planes = out_planes / 4
        self.conv1 = nn.Conv2d(in_planes, mid_planes, kernel_size=1)

    def forward(self, x):
        return self.conv1(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(Bottleneck(24, 200), Bottleneck(50, 400), Bottleneck(100, 800))

    def forward(self, x):
        return self.layers(x)


out = Net()(torch.randn(2, 24, 32, 32))
"""


def test_a_line_wrong_in_several_configurations_is_one_finding_saying_so(capsys, tmp_path):
    import torch

    for out_planes in (200, 400, 800):
        with pytest.raises(TypeError):
            torch.nn.Conv2d(24, out_planes / 4, kernel_size=1)
    path = tmp_path / "shufflenet.py"
    path.write_text(STAGES)
    status, out, _ = shapecheck(capsys, "--no-cache", "-f", "json", str(path))
    [finding] = json.loads(out)["diagnostics"]
    assert (status, finding["code"], finding["line"], finding["column"]) == (1, "SHP107", 9, 22)
    assert finding["message"] == ("Conv2d out_channels=mid_planes is 100.0, a float; PyTorch needs an integer here "
                                  "(use // rather than /) (3 configurations make this line wrong; the first is shown)")


def test_a_fix_is_kept_only_where_every_configuration_needs_the_same_edit():
    from shapecheck.diagnostics import Diagnostic, Fix, Message, Span
    from shapecheck.finishing import once_per_place

    span = Span(5, 19, 5, 37)

    def finding(expected, fix):
        parts = Message(f"Linear expects {expected} input features but receives 64", "Net.fc: ",
                        suggestion=f"use nn.Linear({fix}, 10)")
        return Diagnostic.of("net.py", span, "SHP101", parts, model="Net", fix=Fix(fix, Span(5, 29, 5, 32)))

    [same] = once_per_place([finding(128, "64"), finding(256, "64")])
    assert same.fix == Fix("64", Span(5, 29, 5, 32)) and same.not_fixed == ""
    assert same.message == ("Net.fc: Linear expects 128 input features but receives 64 (2 configurations of Net make "
                            "this line wrong; the first is shown); use nn.Linear(64, 10)")
    [different] = once_per_place([finding(128, "64"), finding(256, "32")])
    assert different.fix is None and different.not_fixed == "each configuration of the model needs a different value here"
    assert [d.span for d in once_per_place([finding(128, "64"), finding(128, "64")])] == [span]


def test_a_note_several_configurations_give_says_so_in_a_notes_words():
    from shapecheck.diagnostics import Code, Diagnostic, Span
    from shapecheck.finishing import once_per_place

    at = Span(4, 1, 4, 1)
    notes = [Diagnostic("nets.py", at, Code.CONSISTENT_INPUTS, f"Net is consistent only for inputs of {n}×{n}",
                        model="Net") for n in (32, 64)]
    (note,) = once_per_place(notes)
    assert note.message == ("Net is consistent only for inputs of 32×32 "
                            "(2 configurations of Net give this note; the first is shown)")


def test_an_argument_not_given_names_them_all_in_the_plural():
    from shapecheck.analysis.arguments import ArgumentNotGiven

    reason = ArgumentNotGiven(("in_planes", "planes"), 19, 12, "the branch").reason("BasicBlock")
    assert reason.startswith("the branch at line 19 depends on the constructor arguments `in_planes` and `planes`, "
                             "whose values no file gives: give them with --args")
