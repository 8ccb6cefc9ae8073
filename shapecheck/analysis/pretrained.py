"""torchvision.models' classifiers, built without torchvision: ``models.resnet18(weights=...)``.

Each constructor of ``rules/backbones.py``'s table is built by running ``STUB`` on the interpreter
(read, never imported): the head as torchvision writes it (``fc``, ``classifier``, ``heads.head``,
``last_channel``, ``hidden_dim``), on a trunk that is one layer of the table's rule.  The layers it
builds are placed at the user's call (``model = models.resnet18()``), so a finding in them points
there; a head the user puts in their place (``model.fc = nn.Linear(1024, 10)``) is their line.
The same source runs under torch in the tests, as the stand-in for torchvision.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from functools import lru_cache

from ..diagnostics import Code
from ..rules.backbones import BACKBONES, TRUNKS
from ..ir import LayerCall
from ..rules.layers import LayerArgs
from .values import SOURCE_KEY, Builtin, Container, Global, Instance, Layer, Opaque

SHOWN_AS = "<torchvision>"

STUB = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import OrderedDict


class ResNet(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.trunk = _trunk(name)  # layer1 ... layer4
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(features, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)
        x = self.trunk(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class _PooledClassifier(nn.Module):
    """features, avgpool, flatten, classifier: the forward of VGG, AlexNet, MobileNetV3, EfficientNet."""

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class VGG(_PooledClassifier):
    def __init__(self, name, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = _trunk(name)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(features * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )


class AlexNet(_PooledClassifier):
    def __init__(self, name, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = _trunk(name)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(features * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )


class DenseNet(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.features = _trunk(name)
        self.classifier = nn.Linear(features, num_classes)

    def forward(self, x):
        features = self.features(x)
        out = F.relu(features, inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = torch.flatten(out, 1)
        return self.classifier(out)


class MobileNetV2(nn.Module):
    def __init__(self, name, features, num_classes=1000, dropout=0.2):
        super().__init__()
        self.last_channel = features
        self.features = _trunk(name)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


class MobileNetV3(_PooledClassifier):
    def __init__(self, name, features, last_channel, num_classes=1000, dropout=0.2):
        super().__init__()
        self.features = _trunk(name)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(features, last_channel), nn.Hardswish(inplace=True), nn.Dropout(p=dropout, inplace=True),
            nn.Linear(last_channel, num_classes),
        )


class EfficientNet(_PooledClassifier):
    def __init__(self, name, features, num_classes=1000, dropout=0.2):
        super().__init__()
        self.features = _trunk(name)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(features, num_classes))


class LayerNorm2d(nn.Module):
    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=eps)

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = self.norm(x)
        return x.permute(0, 3, 1, 2)


class ConvNeXt(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.features = _trunk(name)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(LayerNorm2d(features), nn.Flatten(1), nn.Linear(features, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        return self.classifier(x)


class SqueezeNet(nn.Module):
    def __init__(self, name, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = _trunk(name)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Conv2d(features, num_classes, kernel_size=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((1, 1)),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.classifier(x)
        return torch.flatten(x, 1)


class ShuffleNetV2(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.trunk = _trunk(name)  # conv1, maxpool, stage2 ... stage4, conv5
        self.fc = nn.Linear(features, num_classes)

    def forward(self, x):
        x = self.trunk(x)
        x = x.mean([2, 3])
        return self.fc(x)


class SwinTransformer(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.features = _trunk(name)  # with norm and permute: B×C×h×w
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.head = nn.Linear(features, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        return self.head(x)


class VisionTransformer(nn.Module):
    def __init__(self, name, features, num_classes=1000):
        super().__init__()
        self.image_size = 224
        self.hidden_dim = features
        self.trunk = _trunk(name)  # conv_proj, class_token, encoder; the class token's output
        self.heads = nn.Sequential(OrderedDict([("head", nn.Linear(features, num_classes))]))

    def forward(self, x):
        x = self.trunk(x)
        return self.heads(x)


def build(family, name, features, num_classes=1000):
    if family == "MobileNetV3Large":
        return MobileNetV3(name, features, 1280, num_classes)
    if family == "MobileNetV3Small":
        return MobileNetV3(name, features, 1024, num_classes)
    families = {"ResNet": ResNet, "VGG": VGG, "AlexNet": AlexNet, "DenseNet": DenseNet, "MobileNetV2": MobileNetV2,
                "EfficientNet": EfficientNet, "ConvNeXt": ConvNeXt, "VisionTransformer": VisionTransformer,
                "ShuffleNetV2": ShuffleNetV2, "SwinTransformer": SwinTransformer, "SqueezeNet": SqueezeNet}
    return families[family](name, features, num_classes)
'''

_LIBRARY = {"torch": Global("torch"), "nn": Global("torch.nn"), "F": Global("torch.nn.functional"),
            "OrderedDict": Global("collections.OrderedDict")}


@lru_cache(maxsize=1)
def _stub_tree() -> ast.Module:
    """STUB without its imports, which the interpreter's globals stand for."""
    tree = ast.parse(STUB)
    tree.body = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    return tree


def constructor(qualname: str) -> str:
    """The table's name for ``torchvision.models.resnet18`` (or ``torchvision.models.resnet.resnet18``);
    "" for anything else."""
    parts = qualname.split(".")
    if len(parts) in (3, 4) and parts[:2] == ["torchvision", "models"] and parts[-1] in BACKBONES:
        return parts[-1]
    return ""


def from_hub(qualname: str, args: list) -> str:
    """The table's name for ``torch.hub.load("pytorch/vision", "resnet18", ...)`` (with or without a
    ``:tag``); "" for anything else."""
    if qualname != "torch.hub.load" or len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
        return ""
    return args[1] if args[0].split(":")[0] == "pytorch/vision" and args[1] in BACKBONES else ""


def build(interp, name: str, kwargs: dict, node):
    """The model ``torchvision.models.<name>(**kwargs)`` builds, placed at ``node``."""
    backbone = BACKBONES[name]
    num_classes = kwargs.get("num_classes", 1000)
    _check_pretrained_classes(interp, name, kwargs, node)
    stub = _stub_globals(interp)
    model = interp.call_function(stub["build"], [backbone.family, name, backbone.features], {"num_classes": num_classes})
    if isinstance(model, Instance) and node is not None:
        _place(model, interp.source.span(node), interp.source.text(node), interp.source.path, set())
    if isinstance(model, Instance):
        interp.torchvision_models.append(model)
    return model


# what a script may do with a trunk without looking inside it (freeze it, move it, call it)
_TRUNK_METHODS = {"parameters", "named_parameters", "requires_grad_", "train", "eval", "to", "cuda", "cpu",
                  "float", "half", "double", "bfloat16", "forward", "zero_grad", "state_dict", "load_state_dict"}


def is_torchvision(value) -> bool:
    return isinstance(value, Instance) and value.cls.path == SHOWN_AS


def built(interp, value) -> bool:
    """A torchvision model the script has (built and returned to it, not being built)."""
    return any(value is m for m in interp.torchvision_models)


def is_trunk(value) -> bool:
    if not isinstance(value, Layer):
        return False
    rule = TRUNKS.get(value.call.kind.rsplit(".", 1)[0])
    return rule is not None and value.rule is rule


def looks_inside(name: str) -> bool:
    """Whether ``trunk.<name>`` reaches into the trunk (its blocks), which shapecheck does not model."""
    return name not in _TRUNK_METHODS


def open_trunk(interp, model, what: str) -> None:
    """A script reaches inside torchvision's trunk (``model.layer4``, ``model.features[0] = ...``):
    the trunk is one layer here, so from then on it is a module whose shapes are not followed,
    and the model is checked up to it, saying why, rather than with a trunk that may have changed."""
    for owner in _owners(interp, model):
        for name, child in list(owner.attrs.items()):
            if is_trunk(child):
                owner.attrs[name] = Opaque(child.call.text, child.call.span, kind=child.call.kind,
                                           not_followed=f"{what}: shapecheck models torchvision's "
                                                        f"{child.call.kind} as one layer and does not follow "
                                                        f"what a script reads or changes inside it")


def _owners(interp, model) -> list:
    """The torchvision models that hold ``model`` (a model itself, or its trunk)."""
    if is_torchvision(model):
        return [model]
    return [m for m in interp.torchvision_models if any(v is model for v in m.attrs.values())]


def defined_in(inst: Instance) -> str:
    """The file a model instance belongs to: its class's, or for one of torchvision's, the file
    that builds it (which findings in it and its report name)."""
    return inst.built_in if inst.cls.path == SHOWN_AS else inst.cls.path


def _stub_globals(interp) -> dict:
    stub = interp.torchvision_stub
    if stub is None:
        source = interp.new_source(STUB, SHOWN_AS, None)
        stub = {"__name__": "torchvision.models", SOURCE_KEY: source, **_LIBRARY,
                "_trunk": Builtin("_trunk", _trunk)}
        interp.run_imported(_stub_tree(), stub, source, 200_000)
        interp.torchvision_stub = stub
    return stub


def _trunk(interp, args, kwargs, node):
    rule = TRUNKS[args[0]]
    call = LayerCall(rule.kind, (), (), interp.source.span(node), interp.source.text(node), SHOWN_AS)
    layer = Layer(call, rule, rule.bind((), ()))
    interp.checker.constructed(layer)
    return layer


def _place(module, span, text: str, path: str, seen: set) -> None:
    """Every layer of the stub's model as built at the user's call: its span, text and file, with
    no argument written there (so no fix edits the user's line for them)."""
    if id(module) in seen:
        return
    seen.add(id(module))
    if isinstance(module, Layer):
        module.call = replace(module.call, span=span, text=text, path=path, args=(), kwargs=())
        if module.args is not None:
            module.args = LayerArgs(module.args.kind, module.args.values, {})
        return
    if isinstance(module, Instance):
        module.span, module.text, module.built_in = span, text, path
        children = module.attrs.values()
    elif isinstance(module, Container):
        module.span, module.text, module.path = span, text, path
        children = [child for _, child in module.items]
    else:
        return
    for child in children:
        _place(child, span, text, path, seen)


def _check_pretrained_classes(interp, name: str, kwargs: dict, node) -> None:
    """torchvision refuses num_classes other than the weights' 1000 (``_ovewrite_named_param``
    raises ValueError): the head is replaced after building instead."""
    weights, num_classes = kwargs.get("weights"), kwargs.get("num_classes")
    pretrained = isinstance(weights, (str, Global)) or kwargs.get("pretrained") is True
    keyword = next((k for k in getattr(node, "keywords", ()) if k.arg == "num_classes"), None)
    if not pretrained or not isinstance(num_classes, int) or num_classes == 1000 or keyword is None:
        return
    interp.checker.report(Code.INVALID_ARGUMENT, interp.source.span(keyword.value),
                          f"{name} with pretrained weights has their 1000 classes: num_classes={num_classes} "
                          f"raises ValueError in torchvision; build it with 1000 classes and replace the head")
