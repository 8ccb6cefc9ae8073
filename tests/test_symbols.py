"""Constructor arguments no file gives, checked as named symbols: the shapes carry them, a symbol
is never an error by itself, a mismatch no value of them avoids still is, a symbol that decides
the structure stops the model with the reason, and the status says the model was checked with
symbols."""

from __future__ import annotations

import json
import textwrap

from shapecheck.analysis.arguments import constructor_arguments
from shapecheck.api import check_source
from shapecheck.rules import shapes as S
from test_cli import shapecheck

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def check(body: str, **options):
    return check_source(HEADER + textwrap.dedent(body), "net.py", **options)


def model(result, name: str):
    return next(m for m in result.models if m.name == name)


LENET = """
class LeNet(nn.Module):
    def __init__(self, in_dim, n_class):
        super().__init__()
        self.conv1 = nn.Conv2d(in_dim, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, n_class)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
"""


def test_the_last_width_and_the_first_channels_are_the_arguments_names():
    result = check(LENET)
    lenet = model(result, "LeNet")
    assert lenet.status == "symbolic"
    assert lenet.input_shape == ("B", "in_dim", "H", "W")
    assert lenet.output_shape == ("B", "n_class")
    assert [layer.output_shape for layer in lenet.layers][-1] == ("B", "n_class")
    assert lenet.symbols == (("in_dim", None), ("n_class", None))
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_a_width_after_a_view_settles_the_argument():
    result = check("""
        # shapecheck: input=(B, 1, 28, 28)
        class Net(nn.Module):
            def __init__(self, hidden, n_class):
                super().__init__()
                self.conv = nn.Conv2d(1, 16, 5)
                self.fc = nn.Linear(hidden * 4, n_class)

            def forward(self, x):
                x = F.max_pool2d(self.conv(x), 2)
                return self.fc(x.view(x.size(0), -1))
    """)
    net = model(result, "Net")  # 16 x 12 x 12 = 2304 features = 4 * hidden
    assert (net.status, net.symbols, net.output_shape) == ("symbolic", (("hidden", 576), ("n_class", None)),
                                                           ("B", "n_class"))
    assert not result.diagnostics


def test_a_width_no_value_of_the_argument_can_match_is_an_error():
    result = check("""
        # shapecheck: input=(B, 1, 28, 28)
        class Net(nn.Module):
            def __init__(self, hidden, n_class):
                super().__init__()
                self.conv = nn.Conv2d(1, 15, 4)
                self.fc = nn.Linear(hidden * 4, n_class)

            def forward(self, x):
                x = self.conv(x)
                return self.fc(x.view(x.size(0), -1))
    """)
    [error] = [d for d in result.diagnostics if d.code == "SHP101"]
    assert (error.span.line, error.span.column) == (11, 19)
    assert "Linear expects 4·hidden input features but receives 9375" in error.message
    assert "for any value of hidden" in error.message


def test_a_channel_count_no_value_of_the_argument_can_match_is_an_error():
    result = check("""
        class Chain(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.a = nn.Conv2d(3, c, 3)
                self.b = nn.Conv2d(2 * c, 8, 3)

            def forward(self, x):
                return self.b(self.a(x))
    """)
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code, error.span.line, error.span.column) == ("SHP102", 10, 18)
    assert "expects 2·c input channels (in_channels) but receives c, which is never 2·c for any value of c" \
        in error.message
    assert model(result, "Chain").status == "error"


def test_two_layers_that_need_different_values_of_one_argument_are_an_error():
    result = check("""
        # shapecheck: input=(B, 400)
        class Net(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.fc1 = nn.Linear(hidden * 4, 120)
                self.fc2 = nn.Linear(hidden, 10)

            def forward(self, x):
                return self.fc1(x).sum() + self.fc2(x[:, :50])
    """)
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code, error.span.line) == ("SHP101", 11)
    assert "Linear expects hidden (in_features) but receives 50" in error.message
    assert "no value of hidden fits both this and the layers before it" in error.message
    assert "nn.Linear(hidden * 4, 120) at line 10 needs 4·hidden = 400" in error.message


def test_a_loop_count_that_is_an_argument_stops_the_model_with_the_reason():
    result = check("""
        class Deep(nn.Module):
            def __init__(self, n_layers, width: int = 16):
                super().__init__()
                layers = []
                for _ in range(n_layers):
                    layers.append(nn.Linear(width, width))
                self.net = nn.Sequential(*layers)

            def forward(self, x):
                return self.net(x)
    """)
    deep = model(result, "Deep")
    assert deep.status == "unknown" and deep.layers == ()
    assert (deep.stopped_at.reason, deep.stopped_at.line) == ("argument-not-given", 10)
    assert deep.stopped_at.message.startswith("the loop at line 10 depends on the constructor argument `n_layers`")
    assert "--args" in deep.stopped_at.message and "[tool.shapecheck.args]" in deep.stopped_at.message
    assert "Deep(n_layers=...)" in deep.stopped_at.message
    [note] = [d for d in result.diagnostics if d.code == "SHP904"]
    assert (note.span.line, note.span.column, note.message) == (10, 18, deep.stopped_at.message)


def test_a_branch_on_an_argument_in_forward_stops_there():
    result = check("""
        class Net(nn.Module):
            def __init__(self, n_class):
                super().__init__()
                self.n_class = n_class
                self.fc = nn.Linear(10, n_class)

            def forward(self, x):
                if self.n_class > 2:
                    return self.fc(x).softmax(1)
                return self.fc(x).sigmoid()
    """)
    net = model(result, "Net")
    assert net.status == "unknown" and (net.stopped_at.reason, net.stopped_at.line) == ("argument-not-given", 13)
    assert net.stopped_at.message.startswith("the branch at line 13 depends on the constructor argument `n_class`")


def test_the_summary_and_json_show_the_symbols(tmp_path, capsys):
    path = tmp_path / "lenet.py"
    path.write_text(HEADER + LENET)
    code, out, _ = shapecheck(capsys, str(path), "--summary", "--no-cache")
    assert code == 0
    assert "checked with symbols in_dim, n_class" in out
    assert "B×n_class" in out
    code, out, _ = shapecheck(capsys, str(path), "--format", "json", "--no-cache")
    [lenet] = json.loads(out)["models"]
    assert lenet["status"] == "symbolic"
    assert lenet["symbols"] == {"in_dim": None, "n_class": None}
    assert lenet["output_shape"] == ["B", "n_class"]


def test_the_choice_of_arguments_prefers_what_is_given_then_defaults_then_symbols():
    import ast

    init = ast.parse("def __init__(self, in_dim, n_class, block, layers: list, width: int, p=0.5, *, k): pass").body[0]
    chosen = constructor_arguments(init, {"p": 0.5}, {"block": "given"})
    assert chosen.kwargs == {"in_dim": S.sym("in_dim"), "n_class": S.sym("n_class"), "block": "given",
                             "width": S.sym("width"), "k": S.sym("k")}
    assert chosen.symbols == ("in_dim", "n_class", "width", "k")
    assert constructor_arguments(ast.parse("def __init__(self, H): pass").body[0], {}, {}).symbols == ("H_arg",)


GIVEN_UNKNOWN = """
train_data = torchvision.datasets.ImageFolder("data/train")


class Net(nn.Module):
    def __init__(self, in_ch, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, 6, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(6 * 14 * 14, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        return self.fc(x.view(x.size(0), -1))


net = Net(3, len(train_data.classes))
out = net(torch.randn(4, 3, 32, 32))
"""


def test_an_argument_given_but_not_known_is_checked_as_the_symbol_of_its_parameter():
    net = model(check("import torchvision\n" + GIVEN_UNKNOWN), "Net")
    assert net.status == "symbolic"
    assert net.output_shape == ("B", "num_classes")
    assert net.symbols == (("num_classes", None),)


def test_a_keyword_given_but_not_known_is_a_symbol_too():
    net = model(check("import torchvision\n" + GIVEN_UNKNOWN.replace(
        "Net(3, len(train_data.classes))", "Net(3, num_classes=len(train_data.classes))")), "Net")
    assert (net.status, net.output_shape) == ("symbolic", ("B", "num_classes"))


def test_a_wrong_width_is_still_found_with_the_given_argument_a_symbol():
    result = check("import torchvision\n" + GIVEN_UNKNOWN.replace("6 * 14 * 14", "6 * 16 * 16"))
    assert model(result, "Net").status == "error"
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code, error.span.line, error.span.column) == ("SHP101", 15, 19)
    assert "Linear expects 1536 input features but receives 1176 = 6×14×14" in error.message


def test_a_given_argument_that_decides_a_loop_in_init_stops_the_model_naming_it():
    result = check("""
        class Deep(nn.Module):
            def __init__(self, n_layers):
                super().__init__()
                self.net = nn.Sequential(*[nn.Linear(8, 8) for _ in range(n_layers)])

            def forward(self, x):
                return self.net(x)

        net = Deep(int(open("n").read()))
        out = net(torch.randn(2, 8))
    """)
    deep = model(result, "Deep")
    assert deep.status == "unknown" and (deep.stopped_at.reason, deep.stopped_at.line) == ("argument-not-given", 9)
    assert deep.stopped_at.message.startswith("the comprehension at line 9 depends on the constructor argument `n_layers`")
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_a_factory_that_passes_no_value_for_a_required_argument_names_it():
    # pytorch-classification's models/cifar/resnet.py: def resnet(**kwargs): return ResNet(**kwargs)
    result = check("""
        class ResNet(nn.Module):
            def __init__(self, depth, num_classes=10):
                super().__init__()
                n = (depth - 2) // 6
                layers = []
                for _ in range(n):
                    layers.append(nn.Linear(16, 16))
                self.layer1 = nn.Sequential(*layers)
                self.fc = nn.Linear(16, num_classes)

            def forward(self, x):
                return self.fc(self.layer1(x))


        def resnet(**kwargs):
            return ResNet(**kwargs)
    """)
    net = model(result, "resnet")
    assert net.status == "unknown" and (net.stopped_at.reason, net.stopped_at.line) == ("argument-not-given", 11)
    assert net.stopped_at.message.startswith("the loop at line 11 depends on the constructor argument `depth`")
    assert "--args" in net.stopped_at.message and "resnet(depth=...)" in net.stopped_at.message
    [note] = [d for d in result.diagnostics if d.code == "SHP904"]
    assert (note.span.line, note.span.column) == (11, 18)
