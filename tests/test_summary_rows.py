"""The --summary table shows where each size comes from: blocks with the totals of the rows under
them (folded with --depth), torch.cat, the residual `+`, the calls in forward that change the shape
or multiply, each with its line; tuple and dict outputs whole; and the same rows in JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
TWO_HEADS = str(ROOT / "tests" / "fixtures" / "resnet_two_heads.py")
# per sample: stem 3 × 64·32·32, layer1 8 × 64·32·32, pool 128·16·16, the heads 10 and 32
LAYER_OUTPUTS = 3 * 65_536 + 8 * 65_536 + 32_768 + 10 + 32


def table(out: str):
    """The table's rows, cell by cell, with the indentation of the first cell kept."""
    return [[cells[0].rstrip()[1:]] + [c.strip() for c in cells[1:]]
            for cells in (line.split("│")[1:-1] for line in out.splitlines() if line.startswith("│"))]


def test_blocks_operations_and_their_lines(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    status, out, _ = shapecheck(capsys, TWO_HEADS, "--summary", "--no-cache")
    rows = table(out)
    assert status == 0
    by_name = {row[0].strip(): row for row in rows if row[0].strip() not in ("+",)}
    assert by_name["layer1.0"] == ["  layer1.0", "26", "BasicBlock(64)", "B×64×32×32", "73,984", "75,759,616",
                                   "1.05 MB"]
    assert by_name["layer1.0.conv1"][:2] == ["    layer1.0.conv1", "11"]  # under its block
    residuals = [row for row in rows if row[0].strip() == "+"]
    assert [r[:4] for r in residuals] == [["    +", "19", "out + x", "B×64×32×32"]] * 2
    assert by_name["torch.cat"][:5] == ["torch.cat", "33", "torch.cat([stem, self.layer1(stem)], dim=1)",
                                        "B×128×32×32", ""]
    assert by_name["Tensor.flatten"][:4] == ["Tensor.flatten", "35", "features.flatten(1)", "B×32768"]
    assert by_name["F.adaptive_avg_pool2d"][:6] == ["F.adaptive_avg_pool2d", "36", "F.adaptive_avg_pool2d(features, 1)",
                                                    "B×128×1×1", "", "32,768"]
    assert rows[-1] == ["total", "", "", "(B×10, B×32)", "481,642", "153,784,320", "4.95 MB"]
    assert "F.normalize" not in out  # keeps the shape and multiplies nothing: no row


def test_depth_folds_blocks_and_keeps_their_totals(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    _, out, _ = shapecheck(capsys, TWO_HEADS, "--summary", "--no-cache", "--depth", "1")
    rows = table(out)
    assert [row[0] for row in rows] == ["stem", "layer1", "torch.cat", "pool", "Tensor.flatten", "classifier",
                                        "F.adaptive_avg_pool2d", "Tensor.view", "embedding", "total"]
    assert rows[1][4:] == ["147,968", "151,519,232", "2.10 MB"]
    assert rows[-1][4:] == ["481,642", "153,784,320", "4.95 MB"]


def test_batch_and_dtype_scale_the_figures(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    _, out, _ = shapecheck(capsys, TWO_HEADS, "--summary", "--no-cache", "--depth", "1", "--batch", "8",
                           "--dtype", "float16")
    assert table(out)[-1][4:] == ["481,642", f"{153_784_320 * 8:,}", "13.07 MB"]
    assert "batch 8, float16: 1.23 G MACs; memory 13.07 MB = parameters 963.28 kB + input 49.15 kB + " \
           "activations 12.06 MB" in out  # 2 bytes each: 8 × 753,706 layer outputs


def test_json_carries_the_rows_and_figures(capsys):
    _, out, _ = shapecheck(capsys, TWO_HEADS, "-f", "json", "--no-cache", "--batch", "2")
    document = json.loads(out)
    assert (document["batch"], document["dtype"]) == (2, "float32")
    model = document["models"][0]
    assert model["macs"] == 2 * 153_784_320
    assert model["memory"] == {"parameters": 481_642 * 4, "input": 2 * 3 * 32 * 32 * 4,
                               "activations": 2 * 4 * LAYER_OUTPUTS, "total": model["memory"]["total"]}
    assert model["memory"]["total"] == sum(model["memory"][k] for k in ("parameters", "input", "activations"))
    assert model["outputs"] == [["B", 10], ["B", 32]]
    rows = {(row["role"], row["name"], row["kind"], row["line"]): row for row in model["rows"]}
    block = rows[("block", "layer1.0", "BasicBlock", 26)]
    assert (block["depth"], block["params"], block["macs"]) == (2, 73_984, 2 * 75_759_616)
    assert rows[("operation", "layer1.0", "+", 19)]["depth"] == 3
    cat = rows[("operation", "", "torch.cat", 33)]
    assert (cat["output_shape"], cat["macs"], cat["memory"]) == (["B", 128, 32, 32], 0, None)
    conv = next(layer for layer in model["layers"] if layer["name"] == "layer1.0.conv1")
    assert (conv["macs"], conv["memory"]) == (2 * 37_748_736, 2 * 64 * 32 * 32 * 4)


DICT_OUTPUT = """\
import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(3, 8, 3, padding=1)
        self.boxes = nn.Conv2d(8, 4, 1)
        self.scores = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        features = self.backbone(x)
        return {"boxes": self.boxes(features), "scores": self.scores(features)}


Detector()(torch.randn(1, 3, 16, 16))
"""


def test_a_dict_output_is_shown_whole(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    path = tmp_path / "detector.py"
    path.write_text(DICT_OUTPUT)
    _, out, _ = shapecheck(capsys, str(path), "--summary", "--no-cache")
    assert table(out)[-1][:4] == ["total", "", "", "{boxes: B×4×16×16, scores: B×2×16×16}"]
    _, out, _ = shapecheck(capsys, str(path), "-f", "json", "--no-cache")
    assert json.loads(out)["models"][0]["outputs"] == {"boxes": ["B", 4, 16, 16], "scores": ["B", 2, 16, 16]}


UNCOUNTED = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.LocalResponseNorm(2), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
    model(torch.randn(1, 3, 32, 32))
""")


def test_a_cost_not_counted_makes_the_total_unknown(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    path = tmp_path / "lrn.py"
    path.write_text(UNCOUNTED)
    _, out, _ = shapecheck(capsys, str(path), "--summary", "--no-cache")
    rows = table(out)
    assert rows[1][0] == "1" and rows[1][5] == "?"  # LocalResponseNorm: MACs not counted
    assert rows[-1][5] == "?"  # so the total is not a partial sum
    assert "batch 1, float32: ? MACs" in out


def test_an_unknown_dtype_is_one_line(capsys):
    status, out, err = shapecheck(capsys, TWO_HEADS, "--summary", "--dtype", "float13")
    assert (status, out) == (2, "")
    assert err.startswith("shapecheck: error: unknown --dtype 'float13'; choose one of float32")
