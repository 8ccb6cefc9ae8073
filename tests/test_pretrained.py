"""torchvision's pretrained classifiers: the table (rules/backbones.py) against torch-built
equivalents, the models shapecheck builds from it against torch, and fine-tuning scripts.

torchvision cannot be installed here, so two things stand in for it.  The table's numbers are held
against the torchvision-style models of tests/realworld (alexnet, resnet50, densenet121,
mobilenet_v2, vgg16_bn, written as torchvision writes them): their parameter count, their head's
in-features and the trunk's output for every input size.  The fine-tuning fixtures of
tests/fixtures_pretrained run under torch with tests/torchvision_stand_in.py as torchvision: the
same heads as shapecheck's stub on trunks of the table's shapes (the stand-in is named in each
failure).
"""

from __future__ import annotations

import runpy
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import torchvision_stand_in  # noqa: E402
from shapecheck.api import check_source  # noqa: E402
from shapecheck.ir import ShapeError  # noqa: E402
from shapecheck.rules.backbones import BACKBONES, trunk_output  # noqa: E402
from test_fixtures import assert_markers, markers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT / "tests" / "realworld"
FIXTURES = sorted((ROOT / "tests" / "fixtures_pretrained").glob("*.py"))
SIZES = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# torchvision-style models of tests/realworld: (file, what builds it, its table row, the modules
# whose input and output are the trunk's ("" for the model's input), the head's first Linear)
EQUIVALENTS = [
    ("alexnet.py", "AlexNet(num_classes=1000)", "alexnet", ("", "features"), "classifier.1"),
    ("resnet50.py", "resnet50()", "resnet50", ("layer1", "layer4"), "fc"),
    ("densenet121.py", "densenet121()", "densenet121", ("", "features"), "classifier"),
    ("mobilenet_v2.py", "MobileNetV2()", "mobilenet_v2", ("", "features"), "classifier.1"),
    ("vgg16.py", "vgg16_bn()", "vgg16_bn", ("", "features"), "classifier.0"),
    ("squeezenet.py", 'SqueezeNet("1_0")', "squeezenet1_0", ("", "features"), "classifier.1"),
    ("squeezenet.py", 'SqueezeNet("1_1")', "squeezenet1_1", ("", "features"), "classifier.1"),
]
HEAD_IN = {"alexnet": 256 * 6 * 6, "vgg16_bn": 512 * 7 * 7}  # the flattened adaptive pool's output


def built(file: str, expression: str):
    namespace = runpy.run_path(str(REALWORLD / file))
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        return eval(expression, namespace)


@pytest.fixture(scope="module", params=EQUIVALENTS, ids=lambda e: e[2])
def equivalent(request):
    file, expression, name, trunk, head = request.param
    return built(file, expression), BACKBONES[name], trunk, head


def test_the_table_counts_the_parameters_torch_does(equivalent) -> None:
    model, backbone, _, _ = equivalent
    assert sum(p.numel() for p in model.parameters()) == backbone.params


def test_the_head_takes_the_features_of_the_table(equivalent) -> None:
    model, backbone, _, head = equivalent
    layer = model.get_submodule(head)  # a Linear, or SqueezeNet's 1×1 Conv2d
    width = layer.in_features if isinstance(layer, torch.nn.Linear) else layer.in_channels
    assert width == HEAD_IN.get(backbone.name, backbone.features)


def torch_trunk(model, trunk, shape):
    """The trunk's input and output shapes for a model input of ``shape``, or the error torch
    raises on the way (None for the input where torch fails before the trunk)."""
    seen = {"in": tuple(shape)} if not trunk[0] else {}

    def record_input(module, args) -> None:
        seen["in"] = tuple(args[0].shape)

    def record(module, args, out) -> None:
        seen["out"] = out.shape

    hooks = [model.get_submodule(trunk[1]).register_forward_hook(record)]
    if trunk[0]:
        hooks.append(model.get_submodule(trunk[0]).register_forward_pre_hook(record_input))
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(shape, device="meta"))
    except (RuntimeError, ValueError) as error:
        return seen.get("in"), seen.get("out", error)
    finally:
        for hook in hooks:
            hook.remove()
    return seen["in"], seen["out"]


@SIZES
@given(height=st.integers(1, 300), width=st.integers(1, 300), channels=st.sampled_from([3, 3, 3, 1]))
def test_the_trunk_shrinks_the_input_as_torch_does(equivalent, height, width, channels) -> None:
    model, backbone, trunk, _ = equivalent
    start, want = torch_trunk(model, trunk, (2, channels, height, width))
    if start is None:
        return  # torch fails in the stem, before the trunk (its conv1 and bn1 are layers with rules)
    try:
        got = trunk_output(start, backbone)
    except ShapeError as error:
        got = error
    if isinstance(want, Exception):
        assert isinstance(got, ShapeError), f"{backbone.name} on {height}×{width}: torch raises {want}, rule {got}"
    else:
        assert got == tuple(want), f"{backbone.name} on {channels}×{height}×{width}: rule {got}, torch {tuple(want)}"


# --- every constructor, built by shapecheck and by the stand-in --------------------------------


def static_model(name: str, shape, num_classes=None):
    arguments = f"num_classes={num_classes}" if num_classes else ""
    source = textwrap.dedent(f"""
        import torch
        from torchvision import models

        model = models.{name}({arguments})
        model(torch.randn{shape})
    """)
    result = check_source(source, "finetune.py")
    (model,) = result.models
    return model, [d for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_each_constructor_is_the_model_torch_builds(name: str) -> None:
    size = BACKBONES[name].image_size or 64
    num_classes = 10 if len(name) % 2 else None  # some with their own head size
    report, errors = static_model(name, (2, 3, size, size), num_classes)
    with torchvision_stand_in.installed() as torchvision, torch.device("meta"):
        model = getattr(torchvision.models, name)(**({"num_classes": num_classes} if num_classes else {}))
        out = model.eval()(torch.zeros(2, 3, size, size))
    assert errors == []
    assert report.status == "ok"
    assert report.output_shape == ("B", out.shape[1])
    assert report.params == sum(p.numel() for p in model.parameters())
    reported = {layer.name for layer in report.layers}
    assert reported == {n for n, m in model.named_modules() if next(m.children(), None) is None}


@pytest.mark.parametrize("name, head, features", [
    ("resnet18", "model.fc.in_features", 512), ("resnet34", "model.fc.in_features", 512),
    ("resnet50", "model.fc.in_features", 2048), ("resnet152", "model.fc.in_features", 2048),
    ("mobilenet_v2", "model.classifier[1].in_features", 1280), ("mobilenet_v2", "model.last_channel", 1280),
    ("mobilenet_v3_large", "model.classifier[0].in_features", 960),
    ("efficientnet_b0", "model.classifier[1].in_features", 1280),
    ("efficientnet_b7", "model.classifier[1].in_features", 2560),
    ("densenet121", "model.classifier.in_features", 1024), ("vgg16", "model.classifier[6].in_features", 4096),
    ("convnext_tiny", "model.classifier[2].in_features", 768), ("vit_b_16", "model.heads.head.in_features", 768),
    ("vit_l_16", "model.hidden_dim", 1024), ("efficientnet_v2_s", "model.classifier[1].in_features", 1280),
    ("shufflenet_v2_x2_0", "model.fc.in_features", 2048), ("swin_b", "model.head.in_features", 1024),
    ("squeezenet1_1", "model.classifier[1].in_channels", 512),
])
def test_the_head_in_features_a_script_reads(name: str, head: str, features: int) -> None:
    """What `num_ftrs = model.fc.in_features` gives: the right head is quiet, one feature off is
    SHP101 at the head's line with the right number."""
    def script(width: str) -> str:
        return textwrap.dedent(f"""
            import torch
            import torch.nn as nn
            import torchvision.models as models

            model = models.{name}(weights="DEFAULT")
            num_ftrs = {head}
            head = nn.Sequential(nn.Flatten(),
                                 nn.Linear({width}, 7))
            head(torch.randn(2, num_ftrs))
        """)
    assert [d for d in check_source(script("num_ftrs"), "f.py").diagnostics if d.severity == "error"] == []
    (finding,) = [d for d in check_source(script("num_ftrs + 1"), "f.py").diagnostics if d.severity == "error"]
    assert (finding.code, finding.span.line) == ("SHP101", 9)
    assert f"receives {features}" in finding.message
    with torchvision_stand_in.installed() as torchvision, torch.device("meta"):
        model = getattr(torchvision.models, name)()
        assert eval(head, {"model": model}) == features


def test_pretrained_weights_with_another_class_count_is_an_error_where_it_is_asked() -> None:
    source = "from torchvision import models\n\nmodel = models.resnet18(weights='DEFAULT', num_classes=10)\n"
    (finding,) = check_source(source, "f.py").diagnostics
    column = source.splitlines()[2].index("10)") + 1
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP107", 3, column)
    assert "num_classes=10 raises ValueError" in finding.message
    with torchvision_stand_in.installed() as torchvision, pytest.raises(ValueError, match="expected value 1000"):
        torchvision.models.resnet18(weights="DEFAULT", num_classes=10)
    assert not [d for d in check_source(source.replace("weights='DEFAULT', ", ""), "f.py").diagnostics
                if d.severity == "error"]


def test_a_vit_takes_only_its_image_size() -> None:
    report, errors = static_model("vit_b_16", (2, 3, 256, 256))
    (finding,) = errors
    assert (finding.code, finding.span.line) == ("SHP203", 6)
    assert "vit_b_16 takes only 224×224 images" in finding.message and "256" in finding.message
    with torchvision_stand_in.installed() as torchvision, pytest.raises(AssertionError, match="Wrong image height"):
        torchvision.models.vit_b_16()(torch.zeros(2, 3, 256, 256))


# --- fine-tuning scripts ------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fine_tuning_fixture_findings_are_exactly_the_markers(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert_markers(check_source(source, path.relative_to(ROOT).as_posix()), markers(source))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fine_tuning_fixture_behaves_under_torch(path: Path, monkeypatch) -> None:
    """Under the torchvision stand-in: a marked bug raises torch's shape error, the rest runs."""
    monkeypatch.setattr(sys, "argv", [str(path)])
    torch.set_num_threads(1)
    with torchvision_stand_in.installed(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if markers(path.read_text(encoding="utf-8")):
            with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
                runpy.run_path(str(path), run_name="__main__")
        else:
            runpy.run_path(str(path), run_name="__main__")


def test_the_fine_tuning_corpus_is_half_correct() -> None:
    buggy = [path for path in FIXTURES if markers(path.read_text(encoding="utf-8"))]
    assert len(FIXTURES) >= 6 and abs(2 * len(buggy) - len(FIXTURES)) <= 1


ADAPTED = """
    import torch
    import torch.nn as nn
    from torchvision import models

    model = models.{name}(weights="DEFAULT")
    {change}
    model.fc = nn.Linear(model.fc.in_features, 10)
    out = model(torch.randn(2, {channels}, {size}, {size}))
"""


@pytest.mark.parametrize("name, change, channels, size", [
    ("resnet18", "model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)", 1, 28),
    ("resnet50", "model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False); model.maxpool = nn.Identity()", 3, 32),
])
def test_a_resnet_with_its_stem_replaced_for_small_images_is_followed(name, change, channels, size) -> None:
    """conv1, bn1, relu and maxpool are layers of their own, as in torchvision: the grey-image and
    CIFAR adaptations run, and the head's width is unchanged."""
    source = textwrap.dedent(ADAPTED.format(name=name, change=change, channels=channels, size=size))
    result = check_source(source, "adapt.py")
    (model,) = result.models
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert (model.status, model.output_shape) == ("ok", ("B", 10))
    namespace: dict = {}
    with torchvision_stand_in.installed():
        exec(source, namespace)
    assert tuple(namespace["out"].shape) == (2, 10)


def test_a_replaced_stem_of_the_wrong_width_is_an_error() -> None:
    change = "model.conv1 = nn.Conv2d(1, 32, 3, 1, 1, bias=False)"
    source = textwrap.dedent(ADAPTED.format(name="resnet18", change=change, channels=1, size=28))
    (finding,) = [d for d in check_source(source, "adapt.py").diagnostics if d.severity == "error"]
    assert finding.code == "SHP102" and "BatchNorm2d expects 64" in finding.message and "receives 32" in finding.message
    with torchvision_stand_in.installed(), pytest.raises(RuntimeError, match="running_mean should contain 32"):
        exec(source, {})


@pytest.mark.parametrize("name, change, channels, what", [
    ("resnet34", "model.layer4 = nn.Identity()", 3, "`layer4` is replaced"),
    ("resnet18", "block = model.layer3[0]", 3, "`layer3` is read"),
    ("vgg16", "model.features[0] = nn.Conv2d(1, 64, 3, padding=1)", 1, "an item of vgg16.trunk is replaced"),
    ("mobilenet_v2", "first = list(model.features.children())[0]", 3, "`children` of mobilenet_v2.trunk is read"),
])
def test_a_script_reaching_inside_the_trunk_leaves_the_model_unknown_there(name, change, channels, what) -> None:
    """The trunk is one layer: what a script reads or changes inside it is not followed, and the
    model is checked up to the trunk, saying so (never a false error from a trunk that changed;
    the stand-in has no blocks, so torch cannot run these here)."""
    source = textwrap.dedent(ADAPTED.format(name=name, change=change, channels=channels, size=224))
    source = source.replace("model.fc = nn.Linear(model.fc.in_features, 10)\n", "")
    result = check_source(source, "adapt.py")
    (model,) = result.models
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert model.status == "unknown" and what in model.stopped_at.message


def test_torch_hub_load_of_torchvision_is_the_same_model() -> None:
    source = textwrap.dedent("""
        import torch
        import torch.nn as nn

        model = torch.hub.load("pytorch/vision:v0.10.0", "resnet18", pretrained=True)
        model.fc = nn.Linear(1024, 10)
        model(torch.randn(2, 3, 224, 224))
    """)
    (finding,) = [d for d in check_source(source, "hub.py").diagnostics if d.severity == "error"]
    assert (finding.code, finding.span.line) == ("SHP101", 6) and "receives 512" in finding.message
