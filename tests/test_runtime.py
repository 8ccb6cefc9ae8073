"""The runtime mode builds the user's model without running the script and runs a dummy input."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from shapecheck.runtime import run as runtime  # noqa: E402
from shapecheck.runtime.run import RuntimeRequest, RuntimeUnavailable, run_file  # noqa: E402

DEVICES = ["cpu", "meta"]

MNIST_SCRIPT = """\
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

BATCH_SIZE = 64
EPOCHS = 3
HIDDEN = 32 * 7 * 7

X = np.load("train_images.npy").reshape(-1, 1, 28, 28)
loader = torch.utils.data.DataLoader(X, batch_size=BATCH_SIZE)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(HIDDEN, 10),
)
optimizer = optim.Adam(model.parameters())

for epoch in range(EPOCHS):
    for batch in loader:
        optimizer.zero_grad()
"""

SIMPLE_CNN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        print("input", x.shape)
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


net = SimpleCNN()
print(net)
"""

RESNET = """\
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.layer1 = self._make_layer(block, 16, num_blocks[0], 1)
        self.layer2 = self._make_layer(block, 32, num_blocks[1], 2)
        self.linear = nn.Linear(32, num_classes)

    def _make_layer(self, block, planes, count, stride):
        layers = []
        for s in [stride] + [1] * (count - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.layer2(self.layer1(self.conv1(x)))
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)
"""

TWO_HEADS = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        features, _ = self.rnn(x)
        return self.head(features[:, -1]), features


class Fusion(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.meta = nn.Linear(10, 8)
        self.out = nn.Linear(16, 2)

    def forward(self, image, meta):
        joined = torch.cat([self.image(image), self.meta(meta)], dim=1)
        return {"logits": self.out(joined), "joined": joined}
"""

EMBEDDING = """\
import torch.nn as nn

VOCAB_SIZE = 1000
EMBED_DIM = 32


class TextClassifier(nn.Module):
    def __init__(self, vocab_size=VOCAB_SIZE, embed_dim=EMBED_DIM, num_classes=4):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, tokens):
        return self.fc(self.embedding(tokens).mean(dim=1))
"""

BUGGY_LINEAR = """\
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 64, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.MaxPool2d(2),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 8 * 8, 10),
)
"""

BUGGY_VIEW = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        x = x.view(-1, 16 * 4 * 4)
        return self.fc(x)
"""

NEEDS_ARGS = """\
import torch.nn as nn


class SimpleCNN(nn.Module):
    def __init__(self, num_classes, *, width):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(self.conv(x).mean(dim=(2, 3)))
"""


def write(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(source)
    return str(path)


def check(tmp_path, source, request, device="cpu", dtype="float32", name="models.py"):
    path = write(tmp_path, name, source)
    [result] = run_file(path, source, [request], device=device, dtype=dtype)
    return result


def line_of(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


def no_runtime_state_left():
    hooks = torch.nn.modules.module
    dicts = [hooks._global_forward_hooks, hooks._global_forward_pre_hooks,
             hooks._global_backward_hooks, hooks._global_module_registration_hooks]
    return (all(not d for d in dicts)
            and torch.nn.Module.__init__.__qualname__ == "Module.__init__"
            and torch.get_default_dtype() == torch.float32
            and torch.get_default_device() == torch.device("cpu"))


@pytest.mark.parametrize("device", DEVICES)
def test_module_level_sequential_without_its_data(tmp_path, device):
    result = check(tmp_path, MNIST_SCRIPT, RuntimeRequest("model", (2, 1, 28, 28)), device)
    assert (result.status, result.device, result.output_shape) == ("ok", device, (2, 10))
    assert [layer.name for layer in result.layers] == [str(i) for i in range(8)]
    assert result.layers[5].output_shape == (2, 32, 7, 7)
    assert result.layers[7].line == line_of(MNIST_SCRIPT, "nn.Linear(HIDDEN")


@pytest.mark.parametrize("device", DEVICES)
def test_simple_cnn_layers_in_the_order_they_ran(tmp_path, device, capsys):
    result = check(tmp_path, SIMPLE_CNN, RuntimeRequest("SimpleCNN", (4, 3, 32, 32)), device)
    assert result.status == "ok" and result.output_shape == (4, 10)
    ran = [(layer.name, layer.output_shape) for layer in result.layers]
    assert ran == [("conv1", (4, 6, 28, 28)), ("pool", (4, 6, 14, 14)),
                   ("conv2", (4, 16, 10, 10)), ("pool", (4, 16, 5, 5)),
                   ("fc1", (4, 120)), ("fc2", (4, 84)), ("fc3", (4, 10))]
    assert result.layers[0].line == line_of(SIMPLE_CNN, "self.conv1 =")
    assert capsys.readouterr() == ("", "")


def test_constructor_arguments_from_the_request(tmp_path):
    request = RuntimeRequest("ResNet", (2, 3, 32, 32), ctor_args="BasicBlock, [2, 1], num_classes=7")
    result = check(tmp_path, RESNET, request)
    assert result.status == "ok", result.message
    assert result.output_shape == (2, 7)
    shortcut = next(layer for layer in result.layers if layer.name == "layer2.0.shortcut.0")
    assert shortcut.output_shape == (2, 32, 16, 16)
    assert shortcut.line == line_of(RESNET, "nn.Conv2d(in_planes, planes, 1")
    block_conv = next(layer for layer in result.layers if layer.name == "layer1.1.conv1")
    assert block_conv.line == line_of(RESNET, "self.conv1 = nn.Conv2d(in_planes")


@pytest.mark.parametrize("device", DEVICES)
def test_tuple_output_and_lstm_leaf(tmp_path, device):
    result = check(tmp_path, TWO_HEADS, RuntimeRequest("Encoder", (2, 5, 8)), device)
    assert result.status == "ok", result.message
    assert result.output_shape == (2, 4)
    assert [(layer.name, layer.output_shape) for layer in result.layers] == [
        ("rnn", (2, 5, 16)), ("head", (2, 4))]


@pytest.mark.parametrize("device", DEVICES)
def test_several_inputs_and_dict_output(tmp_path, device):
    request = RuntimeRequest("Fusion", ((2, 3, 16, 16), (2, 10)))
    result = check(tmp_path, TWO_HEADS, request, device)
    assert result.status == "ok", result.message
    assert result.output_shape == (2, 2)


def test_one_input_for_a_two_input_model_is_unknown(tmp_path):
    result = check(tmp_path, TWO_HEADS, RuntimeRequest("Fusion", (2, 3, 16, 16)))
    assert result.status == "unknown"
    assert "forward(image, meta)" in result.message


@pytest.mark.parametrize("device", DEVICES)
def test_embedding_takes_indices(tmp_path, device):
    request = RuntimeRequest("TextClassifier", (2, 12), input_dtype="long")
    result = check(tmp_path, EMBEDDING, request, device)
    assert result.status == "ok", result.message
    assert [layer.output_shape for layer in result.layers] == [(2, 12, 32), (2, 4)]


@pytest.mark.parametrize("device", DEVICES)
def test_buggy_linear_is_an_error_at_its_line(tmp_path, device):
    result = check(tmp_path, BUGGY_LINEAR, RuntimeRequest("model", (2, 3, 32, 32)), device)
    assert result.status == "error"
    assert result.error_layer == "6"
    assert result.error_line == line_of(BUGGY_LINEAR, "nn.Linear(64 * 8 * 8")
    assert result.layers[-1].name == "6" and result.layers[-1].output_shape is None
    assert result.output_shape is None
    if device == "cpu":
        assert "mat1 and mat2 shapes cannot be multiplied (2x1024 and 4096x10)" in result.message
    expected = torch.nn.Sequential(torch.nn.Conv2d(3, 64, 3, padding=1), torch.nn.ReLU(),
                                   *[torch.nn.MaxPool2d(2)] * 3, torch.nn.Flatten())
    x, shapes = torch.randn(2, 3, 32, 32), []
    for layer in expected:
        x = layer(x)
        shapes.append(tuple(x.shape))
    assert [layer.output_shape for layer in result.layers[:-1]] == shapes
    assert no_runtime_state_left()


@pytest.mark.parametrize("device", DEVICES)
def test_buggy_layer_of_a_class_is_an_error_at_its_constructor(tmp_path, device):
    source = SIMPLE_CNN.replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)")
    result = check(tmp_path, source, RuntimeRequest("SimpleCNN", (2, 3, 32, 32)), device)
    assert (result.status, result.error_layer) == ("error", "fc1")
    assert result.error_line == line_of(source, "self.fc1 =")
    assert [layer.name for layer in result.layers] == ["conv1", "pool", "conv2", "pool", "fc1"]


def test_error_in_forward_code_points_at_that_line(tmp_path):
    result = check(tmp_path, BUGGY_VIEW, RuntimeRequest("Net", (2, 3, 32, 32)))
    assert result.status == "error"
    assert "is invalid for input of size" in result.message
    assert result.error_layer is None
    assert result.error_line == line_of(BUGGY_VIEW, "x.view(")
    assert [layer.name for layer in result.layers] == ["conv", "pool"]


def test_error_while_building_points_at_the_layer(tmp_path):
    source = "import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Conv2d(32, 48, 3, groups=5),\n)\n"
    result = check(tmp_path, source, RuntimeRequest("model", (2, 32, 8, 8)))
    assert result.status == "error"
    assert "divisible by groups" in result.message
    assert result.error_line == 4


def test_the_script_itself_never_runs(tmp_path):
    marker = tmp_path / "trained.txt"
    source = MNIST_SCRIPT.replace('"train_images.npy"', repr(str(tmp_path / "missing.npy"))) + f"""
        open({str(marker)!r}, "w").write("epoch done")

with open({str(marker)!r}, "w") as log:
    log.write("top level")

if __name__ == "__main__":
    open({str(marker)!r}, "w").write("main")
"""
    result = check(tmp_path, source, RuntimeRequest("model", (2, 1, 28, 28)))
    assert result.status == "ok", result.message
    assert not marker.exists()


def test_missing_constructor_argument_is_unknown(tmp_path):
    result = check(tmp_path, NEEDS_ARGS, RuntimeRequest("SimpleCNN", (2, 3, 32, 32)), name="path.py")
    path = str(tmp_path / "path.py")
    assert result.status == "unknown"
    assert result.message == (
        "SimpleCNN() needs num_classes, width: instantiate it in the file, or set [tool.shapecheck] "
        f'args = {{ "{path}::SimpleCNN" = "num_classes=..., width=..." }}')
    given = check(tmp_path, NEEDS_ARGS, RuntimeRequest("SimpleCNN", (2, 3, 32, 32), "10, width=8"))
    assert (given.status, given.output_shape) == ("ok", (2, 10))


def test_a_failed_import_is_unknown_only_for_models_that_need_it(tmp_path):
    source = textwrap.dedent("""\
        import torch.nn as nn
        import timm_not_installed_here as timm

        classifier = nn.Sequential(nn.Flatten(), nn.Linear(12, 2))
        backbone = timm.create_model("resnet18")
    """)
    path = write(tmp_path, "models.py", source)
    requests = [RuntimeRequest("classifier", (2, 3, 4)), RuntimeRequest("backbone", (2, 3, 8, 8))]
    classifier, backbone = run_file(path, source, requests)
    assert classifier.status == "ok"
    assert backbone.status == "unknown"
    assert "timm_not_installed_here" in backbone.message


FACTORY = """\
from __future__ import annotations

import torch.nn as nn

try:
    import wandb
except ImportError:
    wandb = None

WIDTHS = (8, 16)
KERNEL = 3
Activation = nn.ReLU
for KERNEL in (3, 5):
    print("sweeping kernel", KERNEL)


def make_model(num_classes: NotImportedType = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, WIDTHS[0], 3), Activation(),
        nn.Conv2d(WIDTHS[0], WIDTHS[1], 3), Activation(),
        nn.Flatten(),
        nn.LazyLinear(num_classes),
    )


def make_sweep_model():
    return nn.Conv2d(3, 8, KERNEL)
"""


@pytest.mark.parametrize("device", DEVICES)
def test_a_function_that_builds_the_model(tmp_path, device):
    result = check(tmp_path, FACTORY, RuntimeRequest("make_model", (2, 3, 12, 12), "num_classes=5"), device)
    assert (result.status, result.output_shape) == ("ok", (2, 5)), result.message
    assert result.layers[-1].kind in ("LazyLinear", "Linear")
    assert result.layers[2].line == line_of(FACTORY, "nn.Conv2d(WIDTHS[0], WIDTHS[1]")


def test_a_constant_the_script_later_changes_is_not_trusted(tmp_path):
    result = check(tmp_path, FACTORY, RuntimeRequest("make_sweep_model", (2, 3, 12, 12)))
    assert result.status == "unknown"
    assert "`KERNEL`" in result.message


def test_too_many_constructor_arguments_is_unknown(tmp_path):
    result = check(tmp_path, EMBEDDING, RuntimeRequest("TextClassifier", (2, 5), "10, 8, 2, 1", "long"))
    assert result.status == "unknown"
    assert result.message.startswith("TextClassifier(10, 8, 2, 1): too many positional arguments")


def test_names_from_a_star_import(tmp_path):
    source = textwrap.dedent("""\
        from torch.nn import *

        model = Sequential(Conv2d(1, 4, 3), ReLU(), AdaptiveAvgPool2d(1), Flatten(), Linear(4, 3))
        data = load_split("train")
        head = Linear(4, len(data))
    """)
    path = write(tmp_path, "star.py", source)
    model, head = run_file(path, source, [RuntimeRequest("model", (2, 1, 9, 9)),
                                          RuntimeRequest("head", (2, 4))])
    assert (model.status, model.output_shape) == ("ok", (2, 3))
    assert head.status == "unknown" and "data" in head.message


def test_a_value_computed_by_the_script_is_unknown(tmp_path):
    source = "import torch.nn as nn\nimport json\nclasses = json.load(open('c.json'))\n" \
             "model = nn.Linear(8, len(classes))\n"
    result = check(tmp_path, source, RuntimeRequest("model", (2, 8)))
    assert result.status == "unknown"
    assert "classes" in result.message


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_on_cpu(tmp_path, dtype):
    result = check(tmp_path, SIMPLE_CNN, RuntimeRequest("SimpleCNN", (2, 3, 32, 32)), dtype=dtype)
    assert result.status in ("ok", "error")
    assert result.status == "error" or result.output_shape == (2, 10)


def test_meta_builds_on_the_meta_device(tmp_path):
    marker = tmp_path / "device.txt"
    source = textwrap.dedent(f"""\
        import torch
        import torch.nn as nn

        class Huge(nn.Module):
            def __init__(self):
                super().__init__()
                open({str(marker)!r}, "w").write(str(torch.empty(1).device))
                self.fc = nn.Linear(4096, 4096)

            def forward(self, x):
                return self.fc(x)
    """)
    result = check(tmp_path, source, RuntimeRequest("Huge", (2, 4096)), device="meta")
    assert (result.status, result.output_shape) == ("ok", (2, 4096))
    assert marker.read_text() == "meta"


def test_out_of_memory_is_an_error_result(tmp_path):
    source = textwrap.dedent("""\
        import torch
        import torch.nn as nn

        class Greedy(nn.Module):
            def forward(self, x):
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80.00 GiB")
    """)
    result = check(tmp_path, source, RuntimeRequest("Greedy", (1, 3)))
    assert result.status == "error"
    assert "out of memory" in result.message


@pytest.mark.parametrize("device", DEVICES)
def test_hooks_and_defaults_are_restored(tmp_path, device):
    changes_defaults = ("\n        torch.set_default_dtype(torch.float64)"
                        "\n        torch.set_default_device('meta')")
    source = SIMPLE_CNN.replace("super().__init__()", "super().__init__()" + changes_defaults)
    result = check(tmp_path, source, RuntimeRequest("SimpleCNN", (2, 3, 32, 32)), device)
    assert result.status in ("ok", "error")
    assert no_runtime_state_left()


@pytest.mark.parametrize("source", [SIMPLE_CNN, BUGGY_VIEW])
def test_no_hook_is_left_on_the_built_model(tmp_path, monkeypatch, source):
    (tmp_path / "registry.py").write_text("built = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "registry", raising=False)
    source = "import registry\n" + source.replace(
        "super().__init__()", "super().__init__()\n        registry.built.append(self)")
    name = "SimpleCNN" if source.count("SimpleCNN") else "Net"
    result = check(tmp_path, source, RuntimeRequest(name, (2, 3, 32, 32)))
    assert result.status in ("ok", "error") and result.layers
    import registry
    [model] = registry.built
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_unknown_device_names_the_available_ones():
    expected = r"device 'tpu' is not available here; available: cpu.*meta$"
    with pytest.raises(RuntimeUnavailable, match=expected):
        runtime.resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_missing_cuda_is_unavailable(tmp_path):
    with pytest.raises(RuntimeUnavailable, match="device 'cuda' is not available here; available: cpu"):
        run_file(str(tmp_path / "m.py"), BUGGY_LINEAR, [RuntimeRequest("model", (1, 3, 32, 32))], "cuda")


def test_auto_picks_the_best_device():
    mps = torch.backends.mps.is_available()
    expected = "cuda" if torch.cuda.is_available() else "mps" if mps else "cpu"
    assert runtime.resolve_device("auto") == expected


def test_without_torch_the_runtime_asks_for_the_extra():
    script = textwrap.dedent("""\
        import sys
        sys.modules["torch"] = None
        from shapecheck.runtime import run as runtime
        try:
            runtime.run_file("m.py", "", [])
        except runtime.RuntimeUnavailable as exc:
            print(exc)
    """)
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert "shapecheck[runtime]" in done.stdout, done.stderr


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_simple_cnn_on_cuda(tmp_path):
    result = check(tmp_path, SIMPLE_CNN, RuntimeRequest("SimpleCNN", (2, 3, 32, 32)), device="cuda")
    assert (result.status, result.output_shape) == ("ok", (2, 10))
    buggy = check(tmp_path, BUGGY_LINEAR, RuntimeRequest("model", (2, 3, 32, 32)), device="cuda:0")
    assert buggy.status == "error" and buggy.error_layer == "6"
