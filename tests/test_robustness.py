"""No file crashes the checker, hangs it or fills its memory: too deep, too long, not text, not
UTF-8, or built from layers it does not know.  What it cannot analyse is a finding or unknown,
never a traceback.  (benchmarks/robustness.py runs the same promise over the standard library and
torch.)"""

from __future__ import annotations

import ast
import random
import time
from pathlib import Path

import pytest

from shapecheck.api import check_path, check_source
from shapecheck.analysis.models import Checker

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = sorted((ROOT / "tests" / "realworld").glob("*.py"))

# A model with one wrong layer: whatever comes before it in a file, it must still be found.
BUGGY_MODEL = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(100, 10))
model(torch.randn(2, 3, 8, 8))
"""
BUG_LINE = BUGGY_MODEL.count("\n", 0, BUGGY_MODEL.index("model = ")) + 1


def codes(result) -> list:
    return [d.code for d in result.diagnostics]


def errors(result) -> list:
    return [d for d in result.diagnostics if d.severity in ("error", "warning")]


def finds_the_bug(source: str, line: int) -> bool:
    return any(d.code == "SHP101" and d.span.line == line for d in check_source(source, "m.py").diagnostics)


# --- too deep -----------------------------------------------------------------------------------


def test_parentheses_1000_deep_are_a_syntax_finding() -> None:
    result = check_source("import torch\nx = " + "(" * 1000 + "1" + ")" * 1000 + "\n", "m.py")
    assert codes(result) == ["SHP901"]


@pytest.mark.parametrize("expression", ["+".join(["1"] * 10_000), "-" * 10_000 + "1", "x" + ".a" * 20_000,
                                        "not " * 5_000 + "x"], ids=["sum", "minus", "attributes", "not"])
def test_expressions_too_deep_to_parse_are_a_finding(expression: str) -> None:
    result = check_source(f"import torch\nx = {expression}\n", "m.py")
    assert codes(result) == ["SHP901"]
    assert result.diagnostics[0].message.strip(": ")


def test_a_statement_too_deep_to_analyse_leaves_the_rest_of_the_file_checked() -> None:
    deep = "+".join(["1"] * 600)  # parses, but nests deeper than the interpreter's stack
    source = f"import torch\nimport torch.nn as nn\nwidth = {deep}\nhead = nn.Linear({deep}, 2)\n" + BUGGY_MODEL
    result = check_source(source, "m.py")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("SHP904", 4), ("SHP101", BUG_LINE + 4)]


def test_a_forward_too_deep_to_analyse_is_unknown_not_an_error() -> None:
    source = f"""import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc({"+".join(["x"] * 600)})

Net()(torch.randn(3, 4))
"""
    result = check_source(source, "m.py")
    assert errors(result) == []
    assert [m.status for m in result.models] == ["unknown"]


def test_modules_that_build_each_other_forever_are_a_note() -> None:
    source = """import torch.nn as nn

class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.decoder = Decoder()

class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()

model = Encoder()
"""
    result = check_source(source, "m.py")
    assert errors(result) == []
    (note,) = result.diagnostics
    assert (note.code, note.span.line) == ("SHP904", 13) and "recursion" in note.message


# --- too long or too big ------------------------------------------------------------------------


@pytest.mark.parametrize("statements", [
    "x = sum(range(10 ** 12))",
    "x = max(range(10 ** 12))",
    "x = sorted(range(10 ** 9))",
    "x = all(range(1, 10 ** 12))",
    "x = 10 ** 256\nfor _ in range(5):\n    x = x ** 256",
    "x = 10 ** 256\nfor _ in range(40):\n    x = x * x",
    "x = pow(10, 10 ** 8)",
    "x = 1\nfor _ in range(100000):\n    x = x << 256",
    "x = [0] * 50000\nfor _ in range(40):\n    x = x + x",
    "x = [0] * 50000\nfor _ in range(40):\n    x += x",
    "x = [0] * 50000\nfor _ in range(40):\n    x.extend(x)",
    "s = 'a' * 50000\nfor _ in range(40):\n    s = s + s",
    "s = ''.join(['a' * 50000] * 50000)",
    "s = ('a' * 50000).replace('a', 'b' * 10000)",
    "s = '{:>{w}}'.format(1, w=10 ** 9)",
    "s = '%*d' % (10 ** 9, 1)",
    "s = '%0999999999d' % 1",
    "d = {i: i for i in range(10 ** 9)}",
    "i = 0\nwhile True:\n    i += 1",
], ids=lambda s: s.split("\n")[-1].strip()[:40])
def test_constants_too_big_to_compute_are_unknown(statements: str) -> None:
    started = time.perf_counter()
    source = "import torch\n" + statements + "\n" + BUGGY_MODEL
    assert finds_the_bug(source, BUG_LINE + 1 + statements.count("\n") + 1)
    assert time.perf_counter() - started < 5


def test_a_generated_50000_line_file_is_checked() -> None:
    table = "".join(f"    'token{i}',\n" for i in range(50_000))
    source = (ROOT / "tests" / "realworld" / "resnet18.py").read_text() + "\nVOCABULARY = [\n" + table + "]\n"
    bug_line = source.count("\n") + 1 + BUG_LINE - 1
    source += BUGGY_MODEL
    assert source.count("\n") > 50_000
    result = check_source(source, "big.py")
    assert [(d.code, d.span.line) for d in errors(result)] == [("SHP101", bug_line)]
    assert sorted(m.status for m in result.models) == ["error", "ok"]


def test_a_file_with_200_models_checks_them_all() -> None:
    models = "".join(f"""
class Net{i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 16 * 16, {i + 1})

    def forward(self, x):
        return self.fc(torch.flatten(F.max_pool2d(torch.relu(self.conv(x)), 2), 1))


Net{i}()(torch.randn(2, 3, 32, 32))
""" for i in range(200))
    result = check_source("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" + models, "m.py")
    assert errors(result) == []
    assert [m.output_shape for m in result.models] == [("B", i + 1) for i in range(200)]


def checker_for(source: str, **budgets) -> Checker:
    checker = Checker("m.py", source, ast.parse(source))
    for name, value in budgets.items():
        setattr(checker.interp, name, value)
    checker.interp.run_module()
    return checker


def test_a_statement_past_the_step_budget_is_a_note_at_its_line() -> None:
    source = "import torch.nn as nn\n\nmodel = nn.Sequential(\n" + "    nn.Linear(8, 8), nn.ReLU(),\n" * 500 + ")\n"
    notes = list(checker_for(source, budget=500).diagnostics.values())
    assert [(d.code, d.span.line) for d in notes] == [("SHP904", 3)]
    assert "too long" in notes[0].message


def test_a_file_past_its_budget_says_where_checking_stopped() -> None:
    source = "import torch.nn as nn\n" + "".join(f"layer{i} = nn.Linear({i + 1}, 8)\n" for i in range(2000))
    notes = list(checker_for(source, file_budget=1000).diagnostics.values())
    assert [d.code for d in notes] == ["SHP904"]
    assert f"nothing from line {notes[0].span.line} on is checked" in notes[0].message
    assert 2 < notes[0].span.line < 2000


# --- not text, not UTF-8 ------------------------------------------------------------------------


@pytest.mark.parametrize("data, reason", [
    (bytes(range(256)) * 16, "not a text file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "not a text file"),
    ("import torch\n".encode("utf-16"), "not a text file"),
    (b"import torch\n" + b"# padding\n" * 2000 + b"x = 1\x00\n", "null bytes"),
    ("import torch\n# caf\xe9\n".encode("latin-1"), "cannot decode"),
    (b"# -*- coding: klingon -*-\nimport torch\n", "unknown encoding"),
], ids=["binary", "png", "utf-16", "late-nul", "latin-1", "unknown-encoding"])
def test_a_file_that_is_not_python_text_is_one_finding(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "model.py"
    path.write_bytes(data)
    result = check_path(str(path))
    assert codes(result) == ["SHP901"]
    assert reason in result.diagnostics[0].message


@pytest.mark.parametrize("encode", [
    lambda text: ("# -*- coding: latin-1 -*-\n# caf\xe9" + text).encode("latin-1"),
    lambda text: b"\xef\xbb\xbf#\n" + text.encode("utf-8"),
    lambda text: ("#\n" + text).replace("\n", "\r\n").encode("utf-8"),
    lambda text: ("#\n" + text).replace("\n", "\r").encode("utf-8"),
], ids=["declared-latin-1", "utf-8-bom", "crlf", "cr"])
def test_declared_encodings_and_other_line_ends_are_read(tmp_path: Path, encode) -> None:
    path = tmp_path / "model.py"
    path.write_bytes(encode(BUGGY_MODEL))
    result = check_path(str(path))
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("SHP101", BUG_LINE + 1)]
    assert result.diagnostics[0].fix is not None


@pytest.mark.parametrize("character", ["\x0c", "\u2028", "\x85", "\x1c"])
def test_characters_python_does_not_end_lines_at_keep_the_fix_in_place(character: str) -> None:
    source = f"# a page break or a separator:{character}here\n" + BUGGY_MODEL
    (finding,) = check_source(source, "m.py").diagnostics
    assert "use nn.Linear(288, 10)" in finding.message
    assert source.splitlines()[0].startswith("# a page")  # str.splitlines splits there; Python does not
    line = source.split("\n")[finding.fix.span.line - 1]
    assert line[finding.fix.span.column - 1:finding.fix.span.end_column - 1] == "100"


def test_an_empty_file_and_a_file_of_comments_have_no_findings() -> None:
    assert check_source("", "m.py").diagnostics == []
    assert check_source("# import torch\n# model = nn.Linear(3, 4)\n", "m.py").diagnostics == []


# --- layers it does not know --------------------------------------------------------------------


@pytest.mark.parametrize("unknown_layer, imports", [
    ("DropPath(0.1)", "from timm.layers import DropPath"),
    ("StochasticDepth(0.1, 'row')", "from torchvision.ops import StochasticDepth"),
    ("Swish()", "from .layers import Swish"),
    ("nn.FractionalMaxPool2d(2, output_ratio=0.5)", ""),
    ("CustomBlock(16)", "from mylib.blocks import *"),
], ids=["timm", "torchvision", "relative-import", "unmodelled-nn", "star-import"])
def test_layers_it_cannot_model_make_the_model_unknown_from_there_on(unknown_layer: str, imports: str) -> None:
    source = f"""import torch
import torch.nn as nn
{imports}

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    {unknown_layer},
    nn.Conv2d(32, 8, 3),
    nn.Flatten(),
    nn.Linear(5, 10),
)
model(torch.randn(2, 3, 32, 32))
"""
    result = check_source(source, "m.py")
    assert errors(result) == []
    (report,) = result.models
    assert report.status == "unknown"
    assert report.layers[0].output_shape == ("B", 16, 32, 32)


def test_a_bug_before_an_unknown_layer_is_still_found() -> None:
    source = """import torch
import torch.nn as nn
from timm.layers import DropPath

model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.BatchNorm2d(32), DropPath(0.1))
model(torch.randn(2, 3, 32, 32))
"""
    assert [(d.code, d.span.line) for d in check_source(source, "m.py").diagnostics] == [("SHP102", 5)]


# --- broken versions of real model files ----------------------------------------------------------


def mutations(source: str, rng: random.Random, count: int):
    """The file with one line dropped, or cut short, or one token doubled: half-edited code."""
    lines = source.split("\n")
    for _ in range(count):
        n = rng.randrange(len(lines))
        kind = rng.choice(["drop", "cut", "double"])
        changed = list(lines)
        if kind == "drop":
            del changed[n]
        elif kind == "cut":
            changed[n] = changed[n][:rng.randrange(len(changed[n]) + 1)]
        else:
            words = changed[n].split(" ")
            i = rng.randrange(len(words))
            changed[n] = " ".join(words[:i + 1] + words[i:])
        yield "\n".join(changed)


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.name)
def test_half_edited_model_files_never_crash_the_checker(path: Path) -> None:
    rng = random.Random(path.name)
    for source in mutations(path.read_text(encoding="utf-8"), rng, 6):
        result = check_source(source, "m.py")
        assert "SHP999" not in codes(result), [d.message for d in result.diagnostics]


# --- no finding lost to an internal error ---------------------------------------------------------

SECOND_MODEL = """
good = nn.Sequential(nn.Linear(10, 20), nn.Linear(30, 2))
good(torch.randn(4, 10))
"""


def findings_beside_a_buggy_model(snippet: str) -> list:
    """(code, line, column, message) of every error, with a known bug in a second model after ``snippet``."""
    source = "import math\nimport torch\nimport torch.nn as nn\n" + snippet + SECOND_MODEL
    return [(d.code, d.span.line, d.span.column, d.message) for d in check_source(source, "m.py").diagnostics
            if d.severity == "error"]


def second_model_bug(snippet: str) -> tuple:
    line = 3 + snippet.count("\n") + 2
    return ("SHP101", line, 41, "good.1: Linear expects 30 input features but receives 20 (after Linear at line "
                                f"{line}: B×20); use nn.Linear(20, 2)")


def test_a_float_size_behind_an_unknown_argument_is_shp107_at_the_layer() -> None:
    snippet = "net = nn.Sequential(nn.Conv2d(3.5, 16, 3, groups=g), nn.ReLU())\n"
    assert findings_beside_a_buggy_model(snippet) == [
        ("SHP107", 4, 21, "net.0: Conv2d in_channels=3.5 is 3.5, a float; PyTorch needs an integer here "
                          "(use // rather than /)"),
        second_model_bug(snippet)]


def test_a_zero_kernel_before_a_linear_is_shp107_at_the_pooling() -> None:
    snippet = "net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.MaxPool2d(0), nn.Flatten(), nn.Linear(8, 2))\n"
    assert findings_beside_a_buggy_model(snippet) == [
        ("SHP107", 4, 42, "MaxPool2d kernel_size=0 must be positive"), second_model_bug(snippet)]


def test_a_zero_stride_then_a_linear_is_shp107_at_the_pooling() -> None:
    snippet = ("net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.AvgPool2d(2, stride=0), nn.Flatten(), nn.Linear(8, 2))\n"
               "net(torch.randn(2, 3, 16, 16))\n")
    assert findings_beside_a_buggy_model(snippet) == [
        ("SHP107", 4, 42, "AvgPool2d stride=0 must be positive"), second_model_bug(snippet)]


def test_zero_groups_from_a_default_argument_is_a_finding_at_the_layer() -> None:
    snippet = """class Net(nn.Module):
    def __init__(self, width=0):
        super().__init__()
        self.conv = nn.Conv2d(width, 16, 3, groups=width)

    def forward(self, x):
        return self.conv(x)

net = Net()
"""
    assert findings_beside_a_buggy_model(snippet) == [
        ("SHP106", 7, 21, "Conv2d groups=width must be positive"), second_model_bug(snippet)]


@pytest.mark.parametrize("expression", ['math.floor(float("nan"))', 'math.ceil(float("inf"))', "math.sqrt(-1)",
                                        "math.log(0)", "math.pow(10.0, 10 ** 6)", 'int(float("nan"))', "1 // 0"])
def test_math_that_python_refuses_is_unknown(expression: str) -> None:
    snippet = f"width = {expression}\nnet = nn.Linear(width, 2)\n"
    assert findings_beside_a_buggy_model(snippet) == [second_model_bug(snippet)]


@pytest.mark.parametrize("huge", ["10**30", "2**63"])
@pytest.mark.parametrize("loop", [
    "for i in range({n}):\n    pass\n",
    "blocks = nn.Sequential(*[nn.Linear(4, 4) for _ in range({n})])\n",
    "steps = len(range({n}))\n",
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.blocks = nn.ModuleList()\n"
    "        for i in range({n}):\n            self.blocks.append(nn.Linear(4, 4))\n\nnet = Net()\n",
], ids=["for", "comprehension", "len", "init-loop"])
def test_a_range_too_long_for_len_is_read_as_range_10_to_the_9(loop: str, huge: str) -> None:
    expected = findings_beside_a_buggy_model(loop.format(n="10**9"))
    assert findings_beside_a_buggy_model(loop.format(n=huge)) == expected
    assert expected[-1] == second_model_bug(loop)

