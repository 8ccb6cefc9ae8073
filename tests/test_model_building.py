"""The Python that builds models: computed child names, factories named at run time, train/eval
branches.  Where the building cannot be followed, the model is unknown from there with the reason,
never a silently shorter model.  Each model here is also built by torch to compare the module paths.
"""

from __future__ import annotations

import textwrap

import pytest

from shapecheck.api import check_source

torch = pytest.importorskip("torch")


def check(source: str):
    return check_source(textwrap.dedent(source), "m.py")


def torch_leaves(source: str, name: str = "model"):
    namespace: dict = {"__name__": "built"}
    exec(textwrap.dedent(source), namespace)
    return [n for n, m in namespace[name].named_modules() if next(m.children(), None) is None]


UNKNOWN_NAMES = """
    import torch
    import torch.nn as nn
    from config import NAMES

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential()
            for name in NAMES:
                self.body.add_module(name, nn.Conv2d(3, 3, 3, padding=1))
            self.head = nn.Conv2d(3, 8, 1)

        def forward(self, x):
            return self.head(self.body(x))

    model = Net()
    model(torch.randn(2, 3, 32, 32))
"""


def test_a_child_under_a_name_that_cannot_be_computed_makes_the_model_unknown_there() -> None:
    (model,) = check(UNKNOWN_NAMES).models
    assert model.status == "unknown"
    assert model.stopped_at.line == 11
    assert model.stopped_at.reason == "construct-not-followed"
    assert "registers a child under a name shapecheck cannot compute" in model.stopped_at.message
    assert [layer.name for layer in model.layers][-1] == "head"


def test_setattr_in_a_branch_that_cannot_be_decided_is_not_dropped() -> None:
    source = """
        import os
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                if os.environ.get("EXTRA"):
                    setattr(self, "extra", nn.Conv2d(8, 8, 3))

            def forward(self, x):
                x = self.conv(x)
                for child in list(self.children())[1:]:
                    x = child(x)
                return x

        model = Net()
        model(torch.randn(2, 3, 32, 32))
    """
    (model,) = check(source).models
    assert model.status == "unknown"
    assert "in a branch shapecheck cannot decide" in model.stopped_at.message


def test_names_from_f_strings_format_specs_and_class_names() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Stage(nn.Module):
            def __init__(self):
                super().__init__()
                for i in range(3):
                    setattr(self, f"conv{i:02d}", nn.Conv2d(4, 4, 3, padding=1))
                self.add_module("{}_tail".format(type(self).__name__), nn.ReLU())

            def forward(self, x):
                for i in range(3):
                    x = getattr(self, f"conv{i:02d}")(x)
                return self.Stage_tail(x)

        model = Stage()
        model(torch.randn(2, 4, 8, 8))
    """
    (model,) = check(source).models
    assert model.status == "ok"
    assert [layer.name for layer in model.layers] == ["conv00", "conv01", "conv02", "Stage_tail"]
    assert [layer.name for layer in model.layers] == torch_leaves(source)


def test_add_module_under_an_existing_name_replaces_it_in_place() -> None:
    source = """
        import torch
        import torch.nn as nn

        model = nn.Sequential()
        model.add_module("conv", nn.Conv2d(3, 8, 3))
        model.add_module("act", nn.ReLU())
        model.add_module("conv", nn.Conv2d(3, 16, 3))
        model(torch.randn(2, 3, 16, 16))
    """
    (model,) = check(source).models
    assert [(layer.name, layer.output_shape) for layer in model.layers] == [
        ("conv", ("B", 16, 14, 14)), ("act", ("B", 16, 14, 14))]
    assert [layer.name for layer in model.layers] == torch_leaves(source)


def test_factories_set_with_setattr_on_the_module_and_globals_are_models() -> None:
    source = """
        import sys
        from functools import partial
        import torch.nn as nn

        def _mlp(width, depth, num_classes=10):
            layers = [nn.Flatten(), nn.Linear(784, width), nn.ReLU()]
            for _ in range(depth - 1):
                layers += [nn.Linear(width, width), nn.ReLU()]
            return nn.Sequential(*layers, nn.Linear(width, num_classes))

        for width in (64, 128):
            setattr(sys.modules[__name__], f"mlp{width}", partial(_mlp, width, 2))
        globals()["mlp_deep"] = partial(_mlp, 32, depth=4)
    """
    models = {m.name: m for m in check(source).models}
    assert set(models) == {"mlp64", "mlp128", "mlp_deep"}
    assert models["mlp128"].params == 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10
    assert len(models["mlp_deep"].layers) == 3 + 2 * 3 + 1


def test_forward_is_checked_in_eval_mode_and_in_train_mode_where_it_branches() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Conv2d(3, 16, 3, padding=1)
                self.eval_head = nn.Linear(16 * 32 * 32, 10)
                self.train_head = nn.Linear(16 * 16 * 16, 10)

            def forward(self, x):
                x = self.features(x).flatten(1)
                if self.training:
                    return self.train_head(x)
                return self.eval_head(x)

        model = Net()
        model(torch.randn(2, 3, 32, 32))
    """
    result = check(source)
    (finding,) = [d for d in result.diagnostics if d.severity == "error"]
    assert (finding.code, finding.span.line) == ("SHP101", 10)
    assert "Net.train_head (in train mode, where forward branches on self.training)" in finding.message
    assert "4096" in finding.message and "16384" in finding.message
    (model,) = result.models
    assert [layer.name for layer in model.layers] == ["features", "eval_head"]  # the eval run, as the runtime's


def test_a_bug_in_both_modes_is_reported_once_without_a_mode() -> None:
    source = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(100, 10)

            def forward(self, x):
                x = F.dropout(x, 0.5, training=self.training)
                return self.fc(x)

        model = Net()
        model(torch.randn(2, 64))
    """
    (finding,) = [d for d in check(source).diagnostics if d.severity == "error"]
    assert finding.code == "SHP101" and "train mode" not in finding.message


def test_parameter_lists_and_dicts_count_their_parameters_and_index() -> None:
    source = """
        import torch
        import torch.nn as nn

        class Scaled(nn.Module):
            def __init__(self, n=3):
                super().__init__()
                self.convs = nn.ModuleList([nn.Conv2d(8, 8, 3, padding=1) for _ in range(n)])
                self.scales = nn.ParameterList([nn.Parameter(torch.ones(1, 8, 1, 1)) for _ in range(n)])
                self.scales.append(nn.Parameter(torch.ones(8)))
                self.bias = nn.ParameterDict({"out": nn.Parameter(torch.zeros(1, 8, 1, 1))})

            def forward(self, x):
                for i, conv in enumerate(self.convs):
                    x = conv(x) * self.scales[i]
                return x * self.scales[-1].view(1, -1, 1, 1) + self.bias["out"]

        model = Scaled()
        model(torch.randn(2, 8, 16, 16))
    """
    (model,) = check(source).models
    namespace: dict = {"__name__": "built"}
    exec(textwrap.dedent(source), namespace)
    assert model.status == "ok" and model.output_shape == ("B", 8, 16, 16)
    assert model.params == sum(p.numel() for p in namespace["model"].parameters()) == 3 * (8 * 8 * 9 + 8) + 4 * 8 + 8


def test_a_parameter_list_of_unknown_contents_leaves_the_count_unknown() -> None:
    source = """
        import torch
        import torch.nn as nn
        from config import SHAPES

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.extra = nn.ParameterList(nn.Parameter(torch.zeros(s)) for s in SHAPES)

            def forward(self, x):
                return self.fc(x)

        model = Net()
        model(torch.randn(2, 4))
    """
    (model,) = check(source).models
    assert model.status == "ok" and model.params is None


def test_a_scripted_or_compiled_model_is_the_model() -> None:
    source = """
        import torch
        import torch.nn as nn

        net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
        scripted = torch.jit.script(net)
        compiled = torch.compile(net)
        scripted(torch.randn(2, 3, 16, 16))
    """
    (finding,) = [d for d in check(source).diagnostics if d.severity == "error"]
    assert finding.code == "SHP101" and "3072" in finding.message and "768" in finding.message


STACKED_NORM = """
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(128, 8, batch_first=True)
            norm = nn.LayerNorm(64)
            self.encoder = nn.TransformerEncoder(layer, 2, norm=norm)

        def forward(self, x):
            return self.encoder(x)

    model = Net()
    x = torch.randn(2, 10, 128)
"""


def test_a_bug_in_a_layer_a_stack_was_given_is_reported_where_that_layer_is_built() -> None:
    (finding,) = [d for d in check(STACKED_NORM + "    model(x)\n").diagnostics if d.severity == "error"]
    assert (finding.span.line, finding.span.column, finding.code) == (9, 16, "SHP102")
    assert finding.message.startswith("Net.encoder: LayerNorm expects the last dims 64 but receives 2×10×128")
    assert finding.fix.replacement == "128"
    namespace: dict = {}
    exec(textwrap.dedent(STACKED_NORM), namespace)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        namespace["model"](namespace["x"])


PLAIN_NET = """
    import torch.nn as nn


    class PlainNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(8 * 30 * 30, 10)

        def forward(self, x):
            return self.fc(self.conv(x).flatten(1))


    # shapecheck: input=(B, 3, 64, 64)
    model = PlainNet()
"""


def test_the_input_comment_above_the_statement_that_builds_the_model_is_its_input() -> None:
    result = check(PLAIN_NET)
    (model,) = result.models
    assert (model.input_shape, model.input_source) == (("B", 3, 64, 64), "comment at line 15")
    (finding,) = [d for d in result.diagnostics if d.severity == "error"]
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP101", 9, 19)
    assert "receives 30752 = 8×62×62" in finding.message
    namespace: dict = {}
    exec(textwrap.dedent(PLAIN_NET), namespace)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes"):
        namespace["model"](torch.zeros(2, 3, 64, 64))


POSITIONAL_ENCODING = """
    import math
    import torch
    import torch.nn as nn


    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, max_len=64):
            super().__init__()
            pe = torch.zeros(max_len, d_model)
            position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0))
            self.register_parameter("scale", nn.Parameter(torch.ones(1)))

        def forward(self, x):
            return x + self.scale * self.pe[:, :x.size(1)]


    model = nn.Sequential(nn.Embedding(100, 32), PositionalEncoding({width}), nn.Linear(32, 5))
    x = torch.randint(0, 100, (2, 12))
"""


def test_a_buffer_or_parameter_registered_by_name_is_the_attribute() -> None:
    """The PyTorch transformer tutorial's positional encoding: register_buffer("pe", pe) makes
    self.pe the table (not a parameter), register_parameter counts; a table of the wrong width is
    an error at the add."""
    good = textwrap.dedent(POSITIONAL_ENCODING.format(width=32)) + "model(x)\n"
    (model,) = check_source(good, "m.py").models
    namespace: dict = {}
    exec(good, namespace)
    assert model.status == "ok" and model.output_shape == ("B", 12, 5)
    assert model.params == sum(p.numel() for p in namespace["model"].parameters())
    bad = good.replace("PositionalEncoding(32)", "PositionalEncoding(16)")
    (finding,) = [d for d in check_source(bad, "m.py").diagnostics if d.severity == "error"]
    assert (finding.code, finding.span.line) == ("SHP108", 19) and "32 vs 16" in finding.message
    with pytest.raises(RuntimeError, match="must match the size of tensor"):
        exec(bad, {})
