"""No model loses a layer silently: over the whole fixture corpus, every layer torch registers in a
model that shapecheck resolved (status ok or error) is in shapecheck's report of it.  A layer
shapecheck models whole (MultiheadAttention, the Transformer layers) stands for the child modules
torch builds it of.

Each file is executed under torch as a module of its own (its script part too: a buggy fixture's
crash comes after its models are defined), each resolved model is built as the report names it,
and its ``named_modules()`` leaves that are built-in layers are compared with the report's layer
paths.  A registered layer missing from the report is allowed only when torch does not run it on
the report's input either (a layer the model defines and its forward never calls, or calls only in
train mode); the parameter total, where the report knows it, must be torch's.
"""

from __future__ import annotations

import sys
import types
import warnings
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from typing import List, Optional, Set, Tuple

import pytest

torch = pytest.importorskip("torch")

from shapecheck.api import check_source  # noqa: E402
from shapecheck.results import ModelReport  # noqa: E402
from shapecheck.rules.layers import LAYER_RULES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "fixtures").glob("*.py")) + sorted((ROOT / "examples").rglob("*.py")) + \
    sorted((ROOT / "tests" / "realworld").rglob("*.py")) + sorted((ROOT / "tests" / "fixtures_data").glob("*.py"))
BATCH = 2
# Models the report names by a class whose constructor arguments are a factory's locals: what builds
# them in torch (as in test_realworld.py).
BUILT_BY = {
    ("resnet50.py", "ResNet"): "resnet50()",
    ("se_resnet.py", "CifarSEResNet"): "se_resnet20(num_classes=10)",
    ("vit.py", "VisionTransformer"): "vit_tiny_cifar(num_classes=10)",
    ("cyclegan_resnet_generator.py", "ResnetGenerator"): "define_G(ngf=32)",
}


def load(path: Path) -> types.ModuleType:
    """The file run as a module named after it, so that ``sys.modules[__name__]`` is itself."""
    name = f"corpus_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        with warnings.catch_warnings(), redirect_stdout(StringIO()):
            warnings.simplefilter("ignore")
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    except Exception:
        pass  # a buggy fixture crashes at its model call, after its models are defined
    finally:
        sys.modules.pop(name, None)
    return module


def build(module: types.ModuleType, path: Path, report: ModelReport):
    expression = BUILT_BY.get((path.name.replace("_bug", ""), report.name), f"{report.name}({report.ctor_args})")
    value = module.__dict__.get(report.name)
    if isinstance(value, torch.nn.Module):
        return value
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        return eval(expression, module.__dict__)


def layer_leaves(model) -> Set[str]:
    """The built-in layers torch registers: its leaves with a rule, and a layer with a rule that
    torch builds of child modules (MultiheadAttention's out_proj, a TransformerEncoderLayer's
    self_attn and linear1, a TransformerEncoder's layers) standing for all of them, as the report
    shows it."""
    layers = {name: m for name, m in model.named_modules() if _built_in(m) and type(m).__name__ in LAYER_RULES}
    composites = [name + "." for name, m in layers.items() if next(m.children(), None) is not None]
    return {name for name in layers if not any(name.startswith(c) for c in composites)}


def _built_in(module) -> bool:
    return type(module).__module__.startswith("torch.nn.")


def ran_leaves(model, report: ModelReport) -> Optional[Set[str]]:
    """The leaves torch runs on the report's input in eval mode; None where no concrete input."""
    shape = report.input_shape
    if shape is None or not all(isinstance(d, int) or d == "B" for d in shape):
        return None
    shape = tuple(BATCH if d == "B" else d for d in shape)
    ran: Set[str] = set()
    names = {id(m): name for name, m in model.named_modules()}
    hooks = [m.register_forward_pre_hook(lambda mod, args: ran.add(names[id(mod)])) for m in model.modules()
             if not isinstance(m, torch.jit.ScriptModule)]
    dtype = torch.long if report.layers and report.layers[0].kind == "Embedding" else torch.float
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.to("meta").eval()(torch.zeros(shape, dtype=dtype, device="meta"))
    except Exception:
        pass  # a buggy model stops where torch raises: what ran until then counts
    finally:
        for hook in hooks:
            hook.remove()
    return ran


def dropped_layers(path: Path) -> List[Tuple[str, List[str]]]:
    """(model, registered layers missing from its report that torch runs) for one file's resolved
    models; an empty list when none lost a layer."""
    result = check_source(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    resolved = [m for m in result.models if m.status in ("ok", "error")]
    if not resolved:
        return []
    module = load(path)
    buggy = "# expect:" in path.read_text(encoding="utf-8") or "buggy" in path.parts
    found = []
    for report in resolved:
        try:
            model = build(module, path, report)
        except Exception:
            if buggy:
                continue  # torch refuses to build it: that is the fixture's bug (test_fixtures_torch)
            raise
        reported = {layer.name for layer in report.layers}
        missing = layer_leaves(model) - reported
        ran = ran_leaves(model, report)
        lost = sorted(missing if ran is None else missing & ran)
        if lost:
            found.append((report.name, lost))
        if report.params is not None and not any(isinstance(m, torch.jit.ScriptModule) for m in model.modules()):
            torch_params = sum(p.numel() for p in model.parameters())
            if torch_params != report.params:
                found.append((report.name, [f"parameters: torch {torch_params}, report {report.params}"]))
    return found


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_layer_torch_registers_is_reported(path: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # scripts write their stand-in data files where they run
    monkeypatch.setattr(sys, "argv", [str(path)])
    assert dropped_layers(path) == []


def test_the_check_sees_a_dropped_layer(monkeypatch) -> None:
    """The mutation the test exists for: add_module registering nothing (as it did for names built
    with str.format) must make the corpus check fail."""
    from shapecheck.analysis.interpreter import Interpreter

    monkeypatch.setattr(Interpreter, "_add_child", lambda self, module, name, child, node=None: None)
    lost = dropped_layers(ROOT / "tests" / "fixtures" / "inception_resnet_add_module.py")
    assert lost and lost[0][0] == "inception_resnet_small"
    assert "inception_resnet_a.InceptionResNetA_0.reduction1x1" in lost[0][1]
