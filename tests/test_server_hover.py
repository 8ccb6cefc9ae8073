"""The language server's hover text, from a file's result (no server process): what a user reads
when the mouse rests on a tensor, a layer attribute or a layer constructor."""

from __future__ import annotations

from pathlib import Path

from shapecheck.api import analyse_text
from shapecheck.server.hover import hover

EDITOR = Path(__file__).resolve().parent / "editor"


def hovered(path: Path, line: int, column: int, source: str = ""):
    source = source or path.read_text()
    return hover(analyse_text(source, str(path)), source, line, column)


def test_the_parameter_of_forward_is_the_models_input():
    span, text = hovered(EDITOR / "lenet.py", 16, 23)
    assert (span.line, span.column, span.end_column) == (16, 23, 24)
    assert text == "**x**: `B×3×32×32`\n\nLeNet's input: call at line 35"


def test_a_block_built_twice_describes_each_layer_its_attribute_is():
    span, text = hovered(EDITOR / "residual.py", 12, 20)  # self.conv in Block.forward
    first, second, inputs = text.split("\n\n---\n\n")
    assert first.split("\n\n") == [
        "**self.conv** `nn.Conv2d(channels_in, channels_out, 3, stride=stride, padding=1)` (Net.blocks.0.conv)",
        "`B×16×32×32` → `B×32×16×16`", "in_channels 16, out_channels 32, kernel_size 3, stride 2, padding 1",
        "4,640 parameters"]
    assert second.split("\n\n")[1:] == ["`B×32×16×16` → `B×64×8×8`",
                                         "in_channels 32, out_channels 64, kernel_size 3, stride 2, padding 1",
                                         "18,496 parameters"]
    assert inputs == "Net's input `B×3×32×32`: call at line 32"


def test_a_container_called_in_forward_is_the_container_not_its_first_block():
    _, text = hovered(EDITOR / "residual.py", 26, 14)  # self.blocks(x)
    assert text.split("\n\n")[:3] == ["**self.blocks** Sequential (Net.blocks)", "`B×16×32×32` → `B×64×8×8`",
                                      "23,328 parameters"]


def test_a_layer_of_a_top_level_sequential_receives_the_layer_before_it():
    _, text = hovered(EDITOR / "lenet.py", 29, 10)  # nn.MaxPool2d(2) in head = nn.Sequential(...)
    assert text.split("\n\n") == ["`nn.MaxPool2d(2)` (head.2)", "kernel_size 2", "receives `B×8×H×W` → `B×8×⌊H/2⌋×⌊W/2⌋`",
                                  "0 parameters", "head's input `B×3×H×W`: symbolic (from the first layer)"]


def test_columns_count_characters_not_bytes(tmp_path):
    line = '        é = "«»"; x = torch.flatten(x, 1)'
    source = (EDITOR / "lenet.py").read_text().replace("        x = torch.flatten(x, 1)", line)
    path = tmp_path / "lenet.py"
    span, text = hovered(path, 19, line.index("x =") + 1, source)
    assert (span.column, text.split("\n\n")[0]) == (line.index("x =") + 1, "**x**: `B×400`")
