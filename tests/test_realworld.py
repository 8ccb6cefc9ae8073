"""Realistic models, written the way public repositories write them, checked statically and under torch.

For every model in ``tests/realworld/`` the static pass must know every layer's output shape, and
those shapes must be what PyTorch computes, layer by layer, module path by module path; the
parameter total must be torch's.  Every seeded bug in ``tests/realworld/buggy/`` must be found at
its marked line (``# expect: SHP101 4096 1024``, as in tests/fixtures/), and nothing else, and must
really crash under torch, at that same line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

torch = pytest.importorskip("torch")

from shapecheck.api import check_source  # noqa: E402
from shapecheck.rules.layers import LAYER_RULES  # noqa: E402
from shapecheck.results import ModelReport  # noqa: E402
from shapecheck.runtime.run import RuntimeRequest, run_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT / "tests" / "realworld"
MODELS = sorted(REALWORLD.glob("*.py"))
BUGGY = sorted((REALWORLD / "buggy").glob("*_bug.py"))
MARKER = re.compile(r"#\s*expect:\s*(?P<code>SHP\d{3})(?P<numbers>(?:\s+\d+)*)\s*$")
BATCH = 2

# How torch builds a model whose constructor arguments, as the report gives them, are a factory's
# locals (``ResNet(block, layers, **kwargs)`` inside ``_resnet``): (factory, arguments).  None: a
# building block the file defines but builds no model with.
BUILT_BY = {
    ("resnet50.py", "ResNet"): ("resnet50", ""),
    ("resnet50.py", "BasicBlock"): None,
    ("se_resnet.py", "CifarSEResNet"): ("se_resnet20", "num_classes=10"),
    ("vit.py", "VisionTransformer"): ("vit_tiny_cifar", "num_classes=10"),
    ("cyclegan_resnet_generator.py", "ResnetGenerator"): ("define_G", "ngf=32"),
}
# Factories the script never calls: checked with a symbolic input only, no size to run torch with.
NEVER_CALLED = {("resnext.py", "ResNeXt29_2x64d")}
# ImageNet-sized models run on the meta device: shapes without arithmetic.
ON_META = {"vgg16.py", "resnet50.py", "alexnet.py", "c3d.py", "densenet121.py"}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def concrete(shape) -> Tuple[int, ...]:
    return tuple(BATCH if d == "B" else d for d in shape)


def built_by(path: Path, report: ModelReport):
    key = (path.name.replace("_bug", ""), report.name)
    if key in NEVER_CALLED and report.input_source.startswith("symbolic"):
        return None
    return BUILT_BY.get(key, (report.name, report.ctor_args))


def is_fed(report: ModelReport) -> bool:
    """The file gives this model a concrete input (a factory nobody calls stays symbolic)."""
    return report.input_shape is not None and all(isinstance(d, int) or d == "B" for d in report.input_shape)


def request_for(path: Path, report: ModelReport) -> RuntimeRequest:
    factory, ctor_args = built_by(path, report)
    assert report.input_shape is not None, f"{report.name}: no input shape"
    shape = concrete(report.input_shape)
    assert all(isinstance(d, int) for d in shape), f"{report.name}: input {report.input_shape} is not concrete"
    dtype = "long" if report.layers and report.layers[0].kind == "Embedding" else "float"
    return RuntimeRequest(factory, shape, ctor_args, dtype)


def torch_params(path: Path, request: RuntimeRequest) -> int:
    namespace: Dict[str, object] = {"__name__": "realworld"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    with torch.device("meta"):
        model = eval(f"{request.model}({request.ctor_args})", namespace)
    return sum(p.numel() for p in model.parameters())


def static_layers(report: ModelReport) -> List[Tuple[str, tuple]]:
    return [(layer.name, concrete(layer.output_shape)) for layer in report.layers]


def torch_layers(ran) -> List[Tuple[str, tuple]]:
    """The built-in layers torch ran; an empty nn.Sequential() shortcut or a user module without
    children is a leaf to torch but no layer of its own to the static side."""
    return [(layer.name, layer.output_shape) for layer in ran.layers if layer.kind in LAYER_RULES]


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_static_shapes_are_torchs_layer_by_layer(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    result = check_source(source, relative(path))
    assert not [d for d in result.diagnostics if d.severity in ("error", "warning")], result.diagnostics
    models = [report for report in result.models if built_by(path, report) is not None and is_fed(report)]
    assert models, "no model found with a concrete input"
    requests = [request_for(path, report) for report in models]
    device = "meta" if path.name in ON_META else "cpu"
    for report, request, ran in zip(models, requests, run_file(str(path), source, requests, device)):
        assert report.status == "ok", f"{report.name}: {report.status}"
        unknown = [layer.name for layer in report.layers if layer.output_shape is None]
        assert not unknown, f"{report.name}: unknown output shape after {unknown}"
        assert ran.status == "ok", f"{report.name} under torch: {ran.message}"
        assert static_layers(report) == torch_layers(ran)
        assert concrete(report.output_shape) == ran.output_shape
        assert report.params == torch_params(path, request), report.name


def markers(source: str) -> Dict[Tuple[int, str], Tuple[str, ...]]:
    found = {}
    for number, text in enumerate(source.splitlines(), start=1):
        match = MARKER.search(text)
        if match:
            found[(number, match["code"])] = tuple(match["numbers"].split())
    return found


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_seeded_bug_is_found_at_its_line_and_is_real(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    expected = markers(source)
    assert len(expected) == 1, "one marked bug per variant"
    result = check_source(source, relative(path))
    reported = [d for d in result.diagnostics if d.severity in ("error", "warning")]
    assert {(d.span.line, d.code) for d in reported} == set(expected), reported
    for (line, code), numbers in expected.items():
        message = next(d.message for d in reported if (d.span.line, d.code) == (line, code))
        missing = [n for n in numbers if not re.search(rf"\b{n}\b", message)]
        assert not missing, f"{missing} not in {message!r}"
    failing = [m for m in result.models if m.status == "error" and built_by(path, m) is not None and is_fed(m)]
    assert failing, "no model reported with an error"
    requests = [request_for(path, report) for report in failing]
    device = "meta" if path.name.replace("_bug", "") in ON_META else "cpu"
    (line, code), = expected
    finding = next(d for d in reported if (d.span.line, d.code) == (line, code))
    for ran in run_file(str(path), source, requests, device):
        assert ran.status == "error", f"{ran.model} runs under torch: the seeded bug is not real"
        # at the line of the finding, or in the layer it names (a value passed from the call marked)
        assert ran.error_line == line or finding.layer and ran.error_layer == finding.layer, \
            f"torch fails at line {ran.error_line} ({ran.error_layer}): {ran.message}"


def test_every_model_has_a_seeded_bug() -> None:
    correct = {p.name for p in MODELS}
    seeded = {p.name.replace("_bug", "") for p in BUGGY}
    assert len(correct) >= 20
    assert correct == seeded
