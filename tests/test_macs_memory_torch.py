"""The summary's MACs and memory equal what torch counts on the real model, for every model of the
fixture corpus that shapecheck checks to its output with a concrete input.

The reference runs the model built as the file builds it, in eval mode, at batch 2, and is compared
for the model and for each of its layers and blocks:
- MACs: torch's own FlopCounterMode for the convolutions and matrix products (its FLOPs are two per
  multiply-accumulate), plus fvcore's counts for what FlopCounterMode leaves out, taken on the
  functional calls torch makes (F.batch_norm, F.layer_norm, F.group_norm, F.instance_norm,
  F.interpolate, F.adaptive_avg_poolNd, F.grid_sample), whether a module or forward makes them;
- memory: the parameters' numel × itemsize, the input's, and the outputs of every layer with a rule
  (a leaf module; a layer shapecheck models whole, MultiheadAttention or a Transformer layer, stands
  for the modules torch builds it of), recorded by forward hooks.
"""

from __future__ import annotations

import inspect
import math
import sys
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import pytest

torch = pytest.importorskip("torch")

from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from shapecheck.api import check_source  # noqa: E402
from shapecheck.report.figures import memory  # noqa: E402
from shapecheck.results import BLOCK, LAYER, ModelReport, at_batch  # noqa: E402
from shapecheck.rules.layers import LAYER_RULES  # noqa: E402
from test_no_layer_dropped import CORPUS, ROOT, build, load  # noqa: E402

BATCH = 2
F = torch.nn.functional
PER_OUTPUT = {"nearest": 1, "nearest-exact": 1, "linear": 2, "bilinear": 4, "trilinear": 8, "bicubic": 16}


def _norm(affine_index: int, plain: int):
    """fvcore's norm counts: ``plain`` per input element, one more with an affine weight."""
    def count(args, kwargs, out) -> int:
        weight = args[affine_index] if len(args) > affine_index else kwargs.get("weight")
        return args[0].numel() * (plain + (weight is not None))
    return count


def _interpolate(args, kwargs, out) -> int:
    mode = args[3] if len(args) > 3 else kwargs.get("mode", "nearest")
    return args[0].numel() if mode == "area" else PER_OUTPUT[mode] * out.numel()


def _grid_sample(args, kwargs, out) -> int:
    mode = args[2] if len(args) > 2 else kwargs.get("mode", "bilinear")
    return (8 if mode == "bilinear" and out.dim() == 5 else PER_OUTPUT[mode]) * out.numel()


def _input_elements(args, kwargs, out) -> int:
    return args[0].numel()


COUNTED = {  # F.<name>: what fvcore counts for one call
    "batch_norm": _norm(3, 1), "instance_norm": _norm(3, 4), "layer_norm": _norm(2, 4), "group_norm": _norm(2, 4),
    "adaptive_avg_pool1d": _input_elements, "adaptive_avg_pool2d": _input_elements,
    "adaptive_avg_pool3d": _input_elements, "interpolate": _interpolate, "grid_sample": _grid_sample,
}


class FunctionalCounter:
    """Counts fvcore's MACs of the functional calls FlopCounterMode does not count, for the whole
    pass and for each module running then (a block's count holds its layers'); a call made inside
    another counted one (interpolate's area mode pools) counts once."""

    def __init__(self, patch: pytest.MonkeyPatch, names: Dict[int, str]):
        self.macs, self.depth, self.running, self.names = 0, 0, [], names
        self.per_module: Dict[str, int] = defaultdict(int)
        for name, count in COUNTED.items():
            patch.setattr(F, name, self._wrapped(getattr(F, name), count))

    def enter(self, module, args) -> None:
        self.running.append(self.names.get(id(module)))

    def leave(self, module, args, out) -> None:
        self.running.pop()

    def _wrapped(self, function, count):
        def call(*args, **kwargs):
            self.depth += 1
            try:
                out = function(*args, **kwargs)
            finally:
                self.depth -= 1
            if self.depth == 0:
                macs = count(args, kwargs, out)
                self.macs += macs
                for name in set(self.running) - {None}:
                    self.per_module[name] += macs
            return out
        return call


def tensors_numel(value) -> int:
    if isinstance(value, torch.Tensor):
        return value.numel()
    if isinstance(value, (tuple, list)):
        return sum(tensors_numel(v) for v in value)
    if isinstance(value, dict):
        return sum(tensors_numel(v) for v in value.values())
    return 0


def measured(model, report: ModelReport) -> Dict[str, object]:
    """What torch counts for one forward pass at BATCH (on the meta device: shapes only), with the
    MACs of each module by its path."""
    shape = tuple(BATCH if d == "B" else d for d in report.input_shape)
    dtype = torch.long if report.layers and report.layers[0].kind == "Embedding" else torch.float
    outputs = []
    if any(isinstance(p, torch.nn.parameter.UninitializedParameter) for p in model.parameters()):
        with torch.no_grad():  # a lazy layer makes its parameters at its first forward, as shapecheck counts them
            model.eval()(torch.zeros(shape, dtype=dtype, device="meta"))  # the fixture builds it on meta
    model = model.to("meta").eval().requires_grad_(False)  # FlopCounterMode's module tracker wants no leaf needing grad
    layers = dict(model.named_modules())
    names = {id(m): name for name, m in layers.items()}
    hooks = [layers[name].register_forward_hook(lambda mod, args, out: outputs.append(tensors_numel(out)))
             for name in summary_layers(model)]
    flops = FlopCounterMode(display=False)
    x = torch.zeros(shape, dtype=dtype, device="meta")
    try:
        with pytest.MonkeyPatch.context() as patch, torch.no_grad(), warnings.catch_warnings(), flops:
            warnings.simplefilter("ignore")
            counter = FunctionalCounter(patch, names)
            hooks += [register_module_forward_pre_hook(counter.enter), register_module_forward_hook(counter.leave)]
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    root = type(model).__name__ + "."
    per_module = dict(counter.per_module)
    for name, counts in flops.get_flop_counts().items():
        if name.startswith(root):
            per_module[name[len(root):]] = per_module.get(name[len(root):], 0) + sum(counts.values()) // 2
    return {"macs": flops.get_total_flops() // 2 + counter.macs,
            "parameters": sum(p.numel() * 4 for p in model.parameters()),
            "input": x.numel() * 4, "activations": sum(outputs) * 4, "per_module": per_module}


def summary_layers(model) -> List[str]:
    """The modules the summary lists as layers: those with a rule (einops' Rearrange too), a layer
    shapecheck models whole standing for the modules torch builds it of."""
    layers = {name: m for name, m in model.named_modules() if type(m).__name__ in LAYER_RULES}
    composites = [name + "." for name, m in layers.items() if next(m.children(), None) is not None]
    return [name for name in layers if not any(name.startswith(c) for c in composites)]


def per_module(report: ModelReport) -> Dict[str, int]:
    """The summary's MACs of each layer and block at BATCH, by path (summed where a module runs
    more than once); those not known are left out (the model's total is then `?`)."""
    out: Dict[str, int] = defaultdict(int)
    for row in report.summary_rows():
        if row.role in (LAYER, BLOCK) and row.macs is not None and row.name:
            out[row.name] += at_batch(row.macs, BATCH)
    return dict(out)


def takes_more_than_one_input(model) -> bool:
    required = [p for p in inspect.signature(model.forward).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) > 1


def concrete(report: ModelReport) -> bool:
    shape = report.input_shape
    return report.status == "ok" and shape is not None and all(isinstance(d, int) or d == "B" for d in shape)


def compared(path: Path) -> int:
    """Asserts the figures of each model of the file checked to its output; how many were compared."""
    result = check_source(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    reports = [m for m in result.models if concrete(m)]
    if not reports:
        return 0
    module, count = load(path), 0
    for report in reports:
        try:
            model = build(module, path, report)
        except Exception:
            continue  # built only where the namespace does not show it (test_no_layer_dropped says so)
        if any(isinstance(m, torch.jit.ScriptModule) for m in model.modules()):
            continue  # TorchScript refuses forward hooks
        if takes_more_than_one_input(model):
            continue  # the report's input is the first; the others are the file's (a seq2seq's tgt)
        reference = measured(model, report)
        figures = memory(report, BATCH, "float32")
        static = {"macs": at_batch(report.macs(), BATCH), **{k: figures[k] for k in ("parameters", "input", "activations")}}
        if static["macs"] is None:  # only where a kind's count is not declared: then it is `?`, not a guess
            assert any(LAYER_RULES[row.kind].macs is None for row in report.layers if row.kind in LAYER_RULES), report.name
            static["macs"] = reference["macs"]
        rows = per_module(report)
        static["per_module"] = rows
        reference["per_module"] = {name: reference["per_module"].get(name, 0) for name in rows}
        assert static == reference, report.name
        count += 1
    return count


# Files whose models must be compared, one for each kind of count (LSTM and GRU, LayerNorm, GroupNorm
# with Upsample and F.interpolate, InstanceNorm with transposed convolutions, `@` in forward, Conv3d,
# torch.cat and F.adaptive_avg_pool2d in forward, MultiheadAttention with kdim, vdim and a bias key,
# the Transformer layers and stacks, F.scaled_dot_product_attention): that they are checked to their output is tested
# elsewhere, so a skip here would hide the comparison.
COMPARED = {"tests/fixtures/lstm_text_classifier.py", "tests/fixtures/bilstm_tagger_head.py",
            "tests/fixtures/convnext_block.py", "tests/realworld/fpn_segmentation.py",
            "tests/realworld/cyclegan_resnet_generator.py", "tests/realworld/vit.py", "tests/realworld/c3d.py",
            "tests/realworld/densenet121.py", "tests/fixtures/resnet_basic_block.py",
            "tests/fixtures/transformer_text_classifier.py", "tests/fixtures/transformer_seq2seq_copy_head.py",
            "tests/fixtures/nanogpt_block.py", "tests/fixtures/learned_sampling_grid.py"}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_macs_and_memory_match_torch(path: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # scripts write their stand-in data files where they run
    monkeypatch.setattr(sys, "argv", [str(path)])
    torch.set_num_threads(1)
    count = compared(path)
    assert count or path.relative_to(ROOT).as_posix() not in COMPARED
    if not count:
        pytest.skip("no model checked to its output with a concrete input")


def test_a_wrong_count_is_caught(monkeypatch, tmp_path: Path) -> None:
    """The mutation the test exists for: a convolution counted without its kernel fails the check."""
    from dataclasses import replace

    from shapecheck.rules import layers

    conv = layers.LAYER_RULES["Conv2d"]
    monkeypatch.setitem(layers.LAYER_RULES, "Conv2d", replace(conv, macs=lambda x, out, a: math.prod(out)))
    with pytest.raises(AssertionError):
        compared(ROOT / "tests" / "fixtures" / "resnet_basic_block.py")
