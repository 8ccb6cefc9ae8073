"""A stand-in for torchvision.models, built by torch, for the tests (torchvision is not installed
here, and its weights could not be downloaded).

Its heads are shapecheck's own stub source (analysis/pretrained.py's STUB) run under torch; its
trunks are torch convolutions with the windows of rules/backbones.py's table, ending in the
table's channel count, holding the trunk's share of the table's parameter count.  What makes the
table true to torchvision is tests/test_pretrained.py's comparison with the torchvision-style
models of tests/realworld; this module only lets fixtures that import torchvision run.
"""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from shapecheck.analysis.pretrained import STUB
from shapecheck.rules.backbones import BACKBONES, trunk_params


class Trunk(nn.Module):
    """B×3×H×W → B×features×h×w through the table's windows (ViT: B×hidden_dim at 224×224 only),
    raising where torchvision's first layers raise."""

    def __init__(self, name: str):
        super().__init__()
        self.backbone = BACKBONES[name]
        self.weight = nn.Parameter(torch.empty(trunk_params(self.backbone)))

    def forward(self, x):
        b = self.backbone
        if x.dim() != 4:
            raise RuntimeError(f"expected 4D input (got {x.dim()}D input)")  # BatchNorm2d's, flatten's
        if x.shape[1] != b.in_channels:
            raise RuntimeError(f"expected input to have {b.in_channels} channels, but got {x.shape[1]} channels instead")
        if b.image_size:
            torch._assert(x.shape[2] == b.image_size, f"Wrong image height! Expected {b.image_size}")
            torch._assert(x.shape[3] == b.image_size, f"Wrong image width! Expected {b.image_size}")
            return x.new_zeros(x.shape[0], b.features)
        x = x[:, :1]
        for kernel, stride, padding, *ceil in b.steps:
            if ceil:
                x = F.max_pool2d(x, kernel, stride, padding, ceil_mode=True)
            else:
                x = F.conv2d(x, x.new_ones(1, 1, kernel, kernel), stride=stride, padding=padding)
        return x.new_zeros(x.shape[0], b.features, *x.shape[2:])


def _factory(build, name: str):
    backbone = BACKBONES[name]

    def factory(*, weights=None, progress=True, pretrained=False, num_classes=None, **kwargs):
        if (weights is not None or pretrained) and num_classes not in (None, 1000):
            raise ValueError(f"The parameter 'num_classes' expected value 1000 but got {num_classes} instead.")
        return build(backbone.family, name, backbone.features, num_classes or 1000)

    factory.__name__ = name
    return factory


class _Weights:
    """``models.ResNet18_Weights.DEFAULT`` and the like: a name, as good as the enum here."""

    def __getattr__(self, name: str) -> str:
        return name


def stand_in() -> types.ModuleType:
    namespace = {"_trunk": Trunk}
    exec(compile(STUB, "<torchvision stand-in>", "exec"), namespace)
    models = types.ModuleType("torchvision.models")
    for name in BACKBONES:
        setattr(models, name, _factory(namespace["build"], name))
    models.__getattr__ = lambda name: _Weights() if name.endswith("_Weights") else _missing(name)
    torchvision = types.ModuleType("torchvision")
    torchvision.models = models
    return torchvision


def _missing(name: str):
    raise AttributeError(f"the torchvision stand-in has no {name}")


@contextmanager
def installed():
    """``import torchvision`` / ``from torchvision import models`` give the stand-in meanwhile."""
    saved = {k: sys.modules.get(k) for k in ("torchvision", "torchvision.models")}
    torchvision = stand_in()
    sys.modules["torchvision"], sys.modules["torchvision.models"] = torchvision, torchvision.models
    try:
        yield torchvision
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module
