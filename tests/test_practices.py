"""The device, loss and training-loop checks: exactly the marked findings in their fixtures, none on
the shape corpus (correct model code), and quiet wherever the code is right or cannot be told.

A fixture under tests/fixtures_practices/ marks each expected finding on its line::

    logits = model(Xb)  # expect: SHP301

(several codes on one line are separated by commas).  Nothing here runs the analysed code.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Set, Tuple

import pytest

from shapecheck.diagnostics import CATALOGUE
from shapecheck.practices import check_practices

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures_practices").glob("*.py"))
# correct training and model code as far as these checks go: the shape and data fixtures, the
# real-world models and the examples
SHAPE_CORPUS = sorted(p for folder in ("tests/fixtures", "tests/fixtures_data", "tests/realworld", "examples")
                      for p in (ROOT / folder).rglob("*.py"))
MARKER = re.compile(r"#\s*expect:\s*(?P<codes>SHP\d{3}(?:\s*,\s*SHP\d{3})*)\s*$")
PRACTICE = re.compile(r"^SHP[34]\d\d$")
PRACTICE_CODES = sorted(code for code in CATALOGUE if PRACTICE.match(code))

Key = Tuple[int, str]


def markers(source: str) -> Set[Key]:
    found = set()
    for number, text in enumerate(source.splitlines(), start=1):
        match = MARKER.search(text)
        if match:
            found.update((number, code.strip()) for code in match["codes"].split(","))
    return found


def findings(source: str, path: str = "train.py"):
    return check_practices(ast.parse(source), source, path)


def codes(source: str) -> Set[str]:
    return {d.code for d in findings(textwrap.dedent(source))}


def describe(found) -> str:
    return "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in found) or "  (none)"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_findings_are_exactly_the_markers(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = findings(source, path.name)
    assert {(d.span.line, d.code) for d in found} == markers(source), describe(found)


@pytest.mark.parametrize("path", SHAPE_CORPUS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_shape_corpus_gets_no_practice_finding(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if any(PRACTICE.match(code) for _, code in markers(source)):
        pytest.skip("marks a practice finding")
    found = findings(source, path.name)
    assert not found, describe(found)


def test_fixtures_cover_every_code_with_bugs_and_correct_scripts() -> None:
    marked = {path.name: markers(path.read_text(encoding="utf-8")) for path in FIXTURES}
    covered = {code for found in marked.values() for _, code in found}
    assert covered == set(PRACTICE_CODES)
    assert sum(1 for found in marked.values() if not found) >= 10, "correct scripts guard against false alarms"
    for path in FIXTURES:
        ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", PRACTICE_CODES)
def test_every_code_is_documented_with_a_wrong_and_a_right_example(code: str) -> None:
    rule = CATALOGUE[code]
    assert rule.severity == ("info" if code == "SHP402" else "warning")
    assert rule.summary and rule.explanation and rule.bad and rule.good


# -- quiet where the code is right, loud where it is not --------------------------------------

PRELUDE = """
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,))), batch_size=8)
"""


def script(body: str) -> str:
    return PRELUDE + textwrap.dedent(body)


@pytest.mark.parametrize("device, expected", [
    ('"cpu"', set()),
    ('torch.device("cpu")', set()),
    ("args.device", set()),
    ('torch.device("cuda" if torch.cuda.is_available() else "cpu")', {"SHP301"}),
    ('"mps" if torch.backends.mps.is_available() else "cpu"', {"SHP301"}),
])
def test_an_unmoved_batch_is_a_bug_only_where_the_device_may_be_a_gpu(device: str, expected) -> None:
    assert codes(script(f"""
        device = {device}
        model = nn.Linear(4, 2).to(device)
        for xb, yb in loader:
            model(xb)
        """)) == expected


@pytest.mark.parametrize("conversion, expected", [
    ("out.cpu().numpy()", set()),
    ("out.detach().cpu().numpy()", set()),
    ('out.to("cpu").numpy()', set()),
    ("out.argmax(1).tolist()", set()),
    ("out.sum().item()", set()),
    ("out.detach().numpy()", {"SHP303"}),
    ("out.argmax(1).numpy()", {"SHP303"}),
])
def test_numpy_needs_the_tensor_in_host_memory(conversion: str, expected) -> None:
    assert codes(script(f"""
        device = "cuda"
        model = nn.Linear(4, 2).to(device)
        out = model(torch.randn(8, 4, device=device))
        result = {conversion}
        """)) == expected


@pytest.mark.parametrize("loop, expected", [
    ("optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()", set()),
    ("loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()", set()),
    ("loss.backward()\n    if i % 4 == 3:\n        optimizer.step()\n        model.zero_grad()", set()),
    ("optimizer.zero_grad(set_to_none=True)\n    loss.backward()\n    optimizer.step()", set()),
    ("loss.backward()\n    optimizer.step()", {"SHP406"}),
])
def test_each_step_needs_a_zero_grad_in_its_loop(loop: str, expected) -> None:
    assert codes(script("""
        model = nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for i, (xb, yb) in enumerate(loader):
            loss = F.cross_entropy(model(xb), yb)
            LOOP
        """).replace("LOOP", loop)) == expected


@pytest.mark.parametrize("decorator, expected", [
    ("@torch.no_grad()", set()),
    ("@torch.inference_mode()", set()),
    ("@torch.no_grad", set()),
    ("", {"SHP407"}),
])
def test_an_evaluation_function_turns_autograd_off(decorator: str, expected) -> None:
    assert codes(script(f"""
        {decorator}
        def evaluate(model, loader):
            model.eval()
            return [model(xb).argmax(1) for xb, _ in loader]
        """)) == expected


@pytest.mark.parametrize("before, expected", [
    ("model.eval()", set()),
    ("model.train(False)", set()),
    ("pass", {"SHP408"}),
    ("model.train()", {"SHP408"}),
])
def test_evaluating_a_model_with_dropout_needs_eval_mode(before: str, expected) -> None:
    assert codes(script(f"""
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
        {before}
        with torch.no_grad():
            for xb, yb in loader:
                model(xb)
        """)) == expected


def test_a_model_without_dropout_or_batch_norm_needs_no_eval_mode() -> None:
    assert codes(script("""
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        with torch.no_grad():
            for xb, yb in loader:
                model(xb)
        """)) == set()


@pytest.mark.parametrize("use, expected", [
    ("probs = model(xb)", set()),
    ("loss = nn.CrossEntropyLoss()(model(xb), yb)", {"SHP401"}),
    ("loss = F.nll_loss(torch.log(model(xb)), yb)", set()),
])
def test_a_softmax_model_is_wrong_only_with_a_loss_that_wants_logits(use: str, expected) -> None:
    assert codes(script(f"""
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2), nn.Softmax(dim=1))
        for xb, yb in loader:
            {use}
        """)) == expected


def test_a_smoke_test_named_test_is_not_an_evaluation() -> None:
    assert codes(script("""
        def test():
            net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
            print(net(torch.randn(2, 4)).shape)
        """)) == set()


def test_columns_count_characters_not_bytes() -> None:
    source = script("""
        device = "cuda"
        model = nn.Linear(4, 2).to(device)
        for xb, yb in loader:
            résumé = "é"; out = model(xb)
        """)
    [finding] = findings(source)
    line = source.splitlines()[finding.span.line - 1]
    assert line[finding.span.column - 1:finding.span.end_column - 1] == "xb"


def test_check_source_reports_practice_warnings_beside_shape_findings() -> None:
    from shapecheck.api import check_source

    path = ROOT / "tests" / "fixtures_practices" / "csv_mlp_batches_not_moved.py"
    result = check_source(path.read_text(encoding="utf-8"), path.name)
    practice = [d for d in result.diagnostics if PRACTICE.match(d.code)]
    assert {d.code for d in practice} == {"SHP301", "SHP302"}
    assert all(d.severity == "warning" for d in practice)


CANNOT_TELL = {
    "dataset moves its samples": """
        class OnDevice(torch.utils.data.Dataset):
            def __len__(self):
                return 64
            def __getitem__(self, i):
                return torch.randn(4).to(device), torch.tensor(i % 2).to(device)
        for xb, yb in DataLoader(OnDevice(), batch_size=8):
            F.cross_entropy(model(xb), yb)
        """,
    "collate_fn of its own": """
        def to_device(batch):
            return [t.to(device) for t in torch.utils.data.default_collate(batch)]
        for xb, yb in DataLoader(loader.dataset, batch_size=8, collate_fn=to_device):
            model(xb)
        """,
    "default device set": """
        torch.set_default_device(device)
        for xb, yb in loader:
            model(xb)
        """,
    "wrapped in DataParallel": """
        model = nn.DataParallel(model)
        for xb, yb in loader:
            model(xb)
        """,
    "moved on one branch only": """
        model = nn.Linear(4, 2)
        if torch.cuda.is_available():
            model.cuda()
        for xb, yb in loader:
            model(xb)
        """,
    "handed to an unknown function": """
        from helpers import prepare
        model = nn.Linear(4, 2)
        prepare(model)
        for xb, yb in loader:
            model(xb.to(device))
        """,
    "mode switched by a method of its own": """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop, self.fc = nn.Dropout(0.5), nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(self.drop(x))
            def freeze(self):
                self.eval()
        net = Net()
        net.freeze()
        with torch.no_grad():
            for xb, yb in loader:
                net(xb)
        """,
    "an evaluation that needs input gradients": """
        def evaluate(model, loader):
            for xb, yb in loader:
                xb.requires_grad_()
                saliency = torch.autograd.grad(model(xb).sum(), xb)[0]
        """,
    "optimizer handed to an unknown function": """
        from helpers import clear
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for xb, yb in loader:
            F.cross_entropy(model(xb.to(device)), yb.to(device)).backward()
            clear(optimizer)
            optimizer.step()
        """,
}


@pytest.mark.parametrize("body", CANNOT_TELL.values(), ids=CANNOT_TELL.keys())
def test_quiet_where_the_file_cannot_tell(body: str) -> None:
    assert codes(script("""
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = nn.Linear(4, 2).to(device)
        """) + textwrap.dedent(body)) == set()


@pytest.mark.parametrize("evaluation, expected", [
    ("preds = torch.stack([model(xb) for _ in range(20)])", set()),
    ("for i in range(0, 64, 8):\n            model(X[i:i + 8])", {"SHP408"}),
])
def test_monte_carlo_dropout_is_deliberate_training_mode(evaluation: str, expected) -> None:
    assert codes(script("""
        X = torch.randn(64, 4)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
        model.train()
        with torch.no_grad():
            for xb, yb in loader:
                EVALUATION
        """).replace("EVALUATION", evaluation)) == expected


def test_a_function_switching_its_own_local_model_leaves_the_callers_alone() -> None:
    assert codes(script("""
        def make():
            model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
            model.train()
            return model

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
        model.eval()
        spare = make()
        with torch.no_grad():
            for xb, yb in loader:
                model(xb)
        """)) == set()


# -- what the rules rely on, held against PyTorch ---------------------------------------------
# No GPU here: the meta device stands in for one.  Like CUDA it is not the CPU, so PyTorch refuses
# to mix it with CPU tensors and numpy cannot read it, which is all the device rules assume.

MAYBE_GPU = '"cuda" if torch.cuda.is_available() else "cpu"'
DEVICE_CASES = {
    "SHP301": ("for xb, yb in loader:\n    model(xb)\n",
               "for xb, yb in loader:\n    model(xb.to(device))\n"),
    "SHP302": ("for xb, yb in loader:\n    F.cross_entropy(model(xb.to(device)), yb)\n",
               "for xb, yb in loader:\n    F.cross_entropy(model(xb.to(device)), yb.to(device))\n"),
    "SHP303": ("out = model(torch.randn(8, 4).to(device)).detach().numpy()\n",
               "out = model(torch.randn(8, 4).to(device)).argmax(1).tolist()\n"),
}


@pytest.mark.parametrize("code", DEVICE_CASES)
def test_device_findings_are_bugs_off_the_cpu_and_their_fixes_are_not(code: str) -> None:
    torch = pytest.importorskip("torch")
    header = script(f"device = {MAYBE_GPU}\nmodel = nn.Linear(4, 2).to(device)\n")
    buggy, fixed = (header + body for body in DEVICE_CASES[code])
    assert codes(buggy) == {code} and codes(fixed) == set()
    off_the_cpu = {"__name__": "snippet"}
    with pytest.raises((RuntimeError, TypeError), match="device"):
        exec(compile(buggy.replace(MAYBE_GPU, '"meta"'), "buggy", "exec"), dict(off_the_cpu))
    if code != "SHP303":  # a meta tensor has no data for .tolist() to read
        exec(compile(fixed.replace(MAYBE_GPU, '"meta"'), "fixed", "exec"), dict(off_the_cpu))
    assert torch.zeros(1).to("meta").device.type == "meta"


def test_tensor_to_returns_a_copy_and_module_to_moves_in_place() -> None:
    torch = pytest.importorskip("torch")
    batch, layer = torch.zeros(2, 4), torch.nn.Linear(4, 2)
    batch.to("meta")
    assert batch.device.type == "cpu"
    assert layer.to("meta") is layer and layer.weight.device.type == "meta"


def test_softmax_before_cross_entropy_puts_a_floor_under_the_loss() -> None:
    torch = pytest.importorskip("torch")
    perfect = torch.eye(10)  # probabilities that are exactly right
    loss = torch.nn.functional.cross_entropy(perfect, torch.arange(10))
    assert loss.item() == pytest.approx(1.4612, abs=1e-3)  # log(1 + 9/e), where logits reach 0


def test_log_softmax_before_cross_entropy_changes_nothing() -> None:
    torch = pytest.importorskip("torch")
    logits, target = torch.randn(16, 5, requires_grad=True), torch.randint(0, 5, (16,))
    F = torch.nn.functional
    plain = torch.autograd.grad(F.cross_entropy(logits, target), logits)[0]
    twice = torch.autograd.grad(F.cross_entropy(F.log_softmax(logits, dim=1), target), logits)[0]
    assert torch.allclose(plain, twice, atol=1e-6)


def test_nll_loss_on_logits_has_no_lower_bound() -> None:
    torch = pytest.importorskip("torch")
    logits, target = torch.randn(16, 5), torch.randint(0, 5, (16,))
    scaled = [torch.nn.functional.nll_loss(logits * k, target).item() for k in (1.0, 10.0, 100.0)]
    assert scaled[0] * 100 == pytest.approx(scaled[2], rel=1e-4)  # linear in the logits' size


def test_backward_adds_to_the_gradients_until_they_are_zeroed() -> None:
    torch = pytest.importorskip("torch")
    weight = torch.ones(3, requires_grad=True)
    for _ in range(2):
        (weight * 2).sum().backward()
    assert weight.grad.tolist() == [4.0, 4.0, 4.0]


def test_no_grad_does_not_switch_dropout_off_but_eval_does() -> None:
    torch = pytest.importorskip("torch")
    model, x = torch.nn.Dropout(0.5), torch.ones(1000)
    with torch.no_grad():
        assert model.training and (model(x) == 0).any()
        assert torch.equal(model.eval()(x), x)



def test_a_shrinking_activation_after_the_logits_is_an_activation_too() -> None:
    """Hardshrink is one of torch's activations: its rule's family says so, and SHP404 follows."""
    found = findings(textwrap.dedent("""\
        import torch
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 3), nn.Hardshrink())
        loss_fn = nn.CrossEntropyLoss()
        loss = loss_fn(model(torch.randn(8, 16)), torch.randint(0, 3, (8,)))
    """))
    assert [(d.code, d.span.line, d.span.column) for d in found] == [("SHP404", 3, 71)]
    assert "Hardshrink" in found[0].message
