"""A model checked only in part says where and why, in every output: the text line, the --summary
table (the row where it stopped marked, the rows after it shown with `?`), JSON's `stopped_at`,
with one of the documented reasons; its parameter total is `?`; a model built by another
package's constructor is named as not analysed.  Run as a user runs the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from shapecheck.results import STOP_REASONS
from test_cli import shapecheck

UNMODELLED_LAYER = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.pool = nn.FractionalMaxPool2d(3, output_ratio=0.5)
        self.fc = nn.Linear(16 * 16 * 16, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        return self.fc(x.flatten(1))


model = Net()
model(torch.randn(8, 3, 32, 32))
"""

VALUE_FROM_A_FILE = """\
import json
import torch
import torch.nn as nn

config = json.load(open("config.json"))
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, config["classes"]))
model(torch.randn(8, 784))
"""

UNMODELLED_OPERATION = """\
import torch
import torch.nn as nn


class Spectral(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 32 * 17, 10)

    def forward(self, x):
        x = self.conv(x)
        x = torch.fft.rfft2(x).real
        return self.fc(x.flatten(1))


Spectral()(torch.randn(2, 3, 32, 32))
"""

ARGUMENT_NOT_GIVEN = """\
import torch.nn as nn


class Deep(nn.Module):
    def __init__(self, n_layers):
        super().__init__()
        self.layers = nn.ModuleList()
        for _ in range(n_layers):
            self.layers.append(nn.Linear(64, 64))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
"""

THIRD_PARTY = """\
import timm
import torch
import torch.nn as nn

model = timm.create_model("resnet18", pretrained=True)
model.eval()


class WithBackbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = timm.create_model("resnet18", num_classes=0)
        self.head = nn.Linear(512, 10)

    def forward(self, x):
        return self.head(self.body(x))


WithBackbone()(torch.randn(2, 3, 224, 224))
"""


def write(folder: Path, source: str, name: str = "model.py") -> str:
    path = folder / name
    path.write_text(source)
    return str(path)


def run(capsys, folder: Path, source: str, *options: str):
    return shapecheck(capsys, "--no-cache", *options, write(folder, source))


def stopped(capsys, folder: Path, source: str) -> dict:
    status, out, _ = run(capsys, folder, source, "-f", "json")
    (model,) = json.loads(out)["models"]
    assert model["status"] == "unknown"
    return model


def test_an_unmodelled_layer_says_where_the_check_stopped_in_the_text(capsys, tmp_path):
    status, out, err = run(capsys, tmp_path, UNMODELLED_LAYER)
    assert status == 0 and err == ""
    assert out.splitlines() == [
        f"{tmp_path}/model.py:5: Net: checked up to Net.conv (line 8); stopped at Net.pool (line 9): "
        f"nn.FractionalMaxPool2d is not modelled",
        "No shape errors: 1 model in 1 file checked, only in part (the line above says where it stopped).",
    ]


def test_the_summary_table_marks_the_row_and_keeps_the_rows_after_it(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # a pipe: the table at its natural width
    status, out, _ = run(capsys, tmp_path, UNMODELLED_LAYER, "--summary")
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines() if line.startswith("│")]
    assert rows == [
        ["conv", "8", "nn.Conv2d(3, 16, 3, padding=1)", "B×16×32×32", "448", "442,368", "65.54 kB"],
        ["→ pool", "9", "nn.FractionalMaxPool2d(3, output_ratio=0.5)", "?", "?", "?", "?"],
        ["fc", "10", "nn.Linear(16 * 16 * 16, 10)", "?", "40,970", "?", "?"],
        ["total", "", "", "?", "?", "?", "?"],  # a total is never a partial sum
    ]
    assert ("→ checked up to Net.conv (line 8); stopped at Net.pool (line 9): nn.FractionalMaxPool2d is not "
            "modelled") in out.splitlines()
    assert out.splitlines()[-1] == ("No shape errors: 1 model in 1 file checked, only in part (the tables above say "
                                    "where it stopped).")


def test_json_gives_the_place_and_the_reason(capsys, tmp_path):
    model = stopped(capsys, tmp_path, UNMODELLED_LAYER)
    assert model["stopped_at"] == {"line": 9, "layer": "pool", "reason": "layer-not-modelled",
                                   "message": "nn.FractionalMaxPool2d is not modelled", "checked_up_to": "conv"}
    assert model["params"] is None
    assert [(layer["name"], layer["output_shape"]) for layer in model["layers"]] == [
        ("conv", ["B", 16, 32, 32]), ("pool", None), ("fc", None)]


def test_a_value_read_from_a_file_is_named_with_its_expression(capsys, tmp_path):
    model = stopped(capsys, tmp_path, VALUE_FROM_A_FILE)
    assert model["stopped_at"] == {"line": 6, "layer": "2", "reason": "value-not-known",
                                   "message": 'the value of `config["classes"]` in nn.Linear(128, config["classes"]) '
                                              'is not known', "checked_up_to": "1"}
    assert model["params"] is None


def test_an_unmodelled_operation_is_named(capsys, tmp_path):
    model = stopped(capsys, tmp_path, UNMODELLED_OPERATION)
    assert model["stopped_at"] == {"line": 13, "layer": "", "reason": "construct-not-followed",
                                   "message": "torch.fft.rfft2 is not modelled", "checked_up_to": "conv"}
    status, out, _ = run(capsys, tmp_path, UNMODELLED_OPERATION)
    assert out.splitlines()[0] == (f"{tmp_path}/model.py:5: Spectral: checked up to Spectral.conv (line 8); "
                                   f"stopped at line 13: torch.fft.rfft2 is not modelled")


def test_a_constructor_argument_no_file_gives_says_how_to_give_it(capsys, tmp_path):
    model = stopped(capsys, tmp_path, ARGUMENT_NOT_GIVEN)
    stop = model["stopped_at"]
    assert (stop["line"], stop["reason"]) == (8, "argument-not-given")
    assert "`n_layers`" in stop["message"] and "--args" in stop["message"]
    assert "[tool.shapecheck.args]" in stop["message"] and "Deep(n_layers=...)" in stop["message"]


def test_every_reason_given_is_a_documented_one():
    import shapecheck.results as results

    for reason in STOP_REASONS:
        assert f"``{reason}``" in results.__doc__
        assert f"`{reason}`" in (Path(__file__).parent.parent / "README.md").read_text()


def test_a_third_party_model_is_named_not_counted_as_nothing(capsys, tmp_path):
    status, out, _ = run(capsys, tmp_path, THIRD_PARTY, "-f", "concise")
    assert out.splitlines() == [f"{tmp_path}/model.py:5:1: SHP904 model = timm.create_model(...) is not analysed "
                                f"(third-party: timm); its shapes and parameters are not checked"]
    (model,) = json.loads(run(capsys, tmp_path, THIRD_PARTY, "-f", "json")[1])["models"]
    assert model["name"] == "WithBackbone" and model["params"] is None  # not the head's 5,130 alone
    assert model["stopped_at"] == {"line": 12, "layer": "body", "reason": "layer-not-modelled",
                                   "message": "timm.create_model(...) is not analysed (third-party)",
                                   "checked_up_to": None}


def test_a_module_of_the_project_is_not_called_third_party(capsys, tmp_path):
    write(tmp_path, "import torch.nn as nn\n\ndef create_model():\n    return nn.Linear(3, 4)\n", "zoo.py")
    status, out, _ = run(capsys, tmp_path, THIRD_PARTY.replace("import timm", "import zoo as timm"), "-f", "concise")
    assert "third-party" not in out


@pytest.mark.parametrize("source", [UNMODELLED_LAYER, VALUE_FROM_A_FILE, UNMODELLED_OPERATION])
def test_a_fully_known_model_says_nothing_of_stopping(capsys, tmp_path, source):
    known = {UNMODELLED_LAYER: ("nn.FractionalMaxPool2d(3, output_ratio=0.5)", "nn.MaxPool2d(2)"),
             VALUE_FROM_A_FILE: ('config["classes"]', "10"),
             UNMODELLED_OPERATION: ("torch.fft.rfft2(x).real", "x[..., :17]")}[source]
    status, out, _ = run(capsys, tmp_path, source.replace(*known), "-f", "json")
    (model,) = json.loads(out)["models"]
    assert model["status"] == "ok" and "stopped_at" not in model and model["params"] is not None
    assert all(layer["output_shape"] is not None for layer in model["layers"])
    assert "stopped" not in run(capsys, tmp_path, source.replace(*known))[1]


BATCHED_POLICY = """\
import torch.nn as nn
import torch.nn.functional as F


class Policy(nn.Module):
    def __init__(self, batch=True):
        super().__init__()
        self.affine1 = nn.Linear(4, 128)
        self.affine2 = nn.Linear(128, 2)
        self.dim = 2 if batch else 1

    def forward(self, x):
        return F.softmax(self.affine2(F.relu(self.affine1(x))), dim=self.dim)
"""


def test_a_dimension_error_that_only_the_guessed_rank_of_the_input_makes_is_not_an_error(capsys, tmp_path):
    """A Linear takes (*, F): with no input known, the B×F it is checked on is a guess, and the
    softmax over dim 2 that a B×N×F input needs (pytorch/examples' batched RL agent) is no bug."""
    code, out = run(capsys, tmp_path, BATCHED_POLICY, "-f", "json")[:2]
    (model,) = json.loads(out)["models"]
    assert code == 0 and json.loads(out)["diagnostics"] == []
    assert model["status"] == "unknown"
    assert model["stopped_at"] == {"line": 13, "layer": "", "reason": "value-not-known", "checked_up_to": "affine2",
                                   "message": "what follows depends on how many dimensions the input has, which "
                                              "nothing gives (the first layer takes any number)"}
    torch = pytest.importorskip("torch")
    namespace = {}
    exec(BATCHED_POLICY, namespace)
    assert namespace["Policy"]()(torch.randn(3, 1, 4)).shape == (3, 1, 2)
    with pytest.raises(IndexError):
        namespace["Policy"]()(torch.randn(3, 4))


UNSEEN_BASE = """\
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from zoo import Backbone


class Net(Backbone):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        return self.fc(x)


class Pairs(Dataset):
    def __init__(self):
        self.augment = nn.Sequential(nn.Dropout(0.1))


Net()(torch.randn(2, 512))
"""


def test_a_flax_module_in_a_file_that_also_names_torch_is_not_named(capsys, tmp_path):
    source = ("import torch\nfrom flax import linen as nn\n\n\nclass MLP(nn.Module):\n"
              "    def setup(self):\n        self.dense = nn.Dense(10)\n")
    status, out, _ = run(capsys, tmp_path, source, "-f", "json")
    assert status == 0 and json.loads(out)["diagnostics"] == []


def test_a_class_that_builds_layers_on_a_base_it_cannot_see_is_named_not_checked(capsys, tmp_path):
    """Net derives from another package's class: not known to be a module, so not checked, and
    one note says so where it is defined; Pairs derives from torch's Dataset, which is not one."""
    status, out, _ = run(capsys, tmp_path, UNSEEN_BASE, "-f", "json")
    document = json.loads(out)
    assert status == 0 and document["models"] == []
    (note,) = document["diagnostics"]
    assert (note["code"], note["line"], note["column"]) == ("SHP904", 7, 1)
    assert note["message"] == ("Net is not checked: its base Backbone is not known to be an nn.Module (a class of "
                               "the package zoo, which shapecheck does not read); its layers and shapes are not checked")
