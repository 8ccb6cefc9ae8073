"""torchvision's pretrained classifiers as shapes: what each trunk gives its head, and the head.

torchvision is not imported (nor need it be installed): each model of ``torchvision.models`` that
fine-tuning scripts build (``models.resnet18(weights=...)``, ``models.resnet50(pretrained=True)``)
is one row of ``BACKBONES``, read from torchvision's source (``torchvision/models/<family>.py``):

- ``features``: the channels the trunk hands the head, the head's in-features (``model.fc`` of a
  ResNet is ``Linear(512 * block.expansion, num_classes)``; DenseNet's ``num_features`` after the
  last block; MobileNetV2's ``last_channel``; EfficientNet's ``lastconv_output_channels``,
  ``4 * _make_divisible(320 * width_mult, 8)``; ConvNeXt's last stage; SqueezeNet's last Fire
  module (its head is a 1×1 Conv2d, ``model.classifier[1]``); ShuffleNetV2's conv5;
  Swin's ``embed_dim * 2 ** 3``; ViT's ``hidden_dim``);
- ``steps``: the windows that shrink H and W on the way (kernel, stride, padding, and ceil_mode
  where a max-pool has it), each convolution or pooling of the trunk with a stride, in order; the
  others keep the size;
- ``params``: ``num_params`` of the model's ``IMAGENET1K_V1`` weights (its ``meta``), 1000 classes.

The head itself (``fc``, ``classifier[...]``, ``heads.head``) is built as torchvision builds it,
from ``analysis/pretrained.py``'s stub source, so replacing it (``model.fc = nn.Linear(1024, 10)``)
is checked by the Linear rule against ``features``.  The trunk is one layer here: the ``trunk``
rule below, B×3×H×W in, B×features×h×w out (ViT: B×hidden_dim, for 224×224 input only); a ResNet's
stem (conv1, bn1, relu, maxpool) is built as its own layers, which scripts replace for small or
grey images, and its trunk is layer1 ... layer4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from . import shapes as S
from ..diagnostics import Code
from ..ir import ShapeError
from .layers import LayerRule, check_size, require_rank, window_out
from .shapes import Shape

Window = Tuple[int, ...]  # kernel, stride, padding, and 1 for a max-pool with ceil_mode=True

# layer1 ... layer4 after the stem (conv1, bn1, relu, maxpool: built as layers of their own, which
# fine-tuning scripts replace): the first block of layer2..4 has a conv3x3 of stride 2, padding 1
_RESNET = ((3, 2, 1), (3, 2, 1), (3, 2, 1))
_RESNET_STEM = 64 * 3 * 7 * 7 + 2 * 64  # conv1 (no bias) and bn1
_VGG = ((2, 2, 0),) * 5  # the five MaxPool2d(kernel_size=2, stride=2) of features
_ALEXNET = ((11, 4, 2), (3, 2, 0), (3, 2, 0), (3, 2, 0))
_DENSENET = ((7, 2, 3), (3, 2, 1), (2, 2, 0), (2, 2, 0), (2, 2, 0))  # conv0, pool0, three transitions' AvgPool2d
# the stem and each stride-2 depthwise conv, padding (k - 1) // 2: every one halves rounding up
_HALVING = ((3, 2, 1),) * 5
_CONVNEXT = ((4, 4, 0), (2, 2, 0), (2, 2, 0), (2, 2, 0))  # the 4×4 patchify stem, three 2×2 downsamplings
# conv1 (7×7 / 3×3 stride 2, no padding), then three MaxPool2d(3, 2, ceil_mode=True)
_SQUEEZENET_1_0 = ((7, 2, 0), (3, 2, 0, 1), (3, 2, 0, 1), (3, 2, 0, 1))
_SQUEEZENET_1_1 = ((3, 2, 0), (3, 2, 0, 1), (3, 2, 0, 1), (3, 2, 0, 1))
# the 4×4 patch embedding, then three PatchMerging, each padding an odd size and halving it
_SWIN = ((4, 4, 0), (3, 2, 1), (3, 2, 1), (3, 2, 1))


@dataclass(frozen=True)
class Backbone:
    """One ``torchvision.models`` constructor as far as shapes go."""

    name: str
    family: str  # the stub class that builds its head (analysis/pretrained.py)
    features: int
    params: int
    steps: Tuple[Window, ...] = ()
    image_size: int = 0  # ViT: the only input size its forward accepts (torch._assert in _process_input)
    in_channels: int = 3  # what the trunk takes: a ResNet's trunk starts after its stem's 64 channels


def _rows(family: str, steps, rows, in_channels: int = 3) -> Dict[str, Backbone]:
    return {name: Backbone(name, family, features, params, steps, in_channels=in_channels)
            for name, features, params in rows}


BACKBONES: Dict[str, Backbone] = {
    **_rows("ResNet", _RESNET, [
        ("resnet18", 512, 11689512), ("resnet34", 512, 21797672), ("resnet50", 2048, 25557032),
        ("resnet101", 2048, 44549160), ("resnet152", 2048, 60192808),
        ("resnext50_32x4d", 2048, 25028904), ("resnext101_32x8d", 2048, 88791336),
        ("resnext101_64x4d", 2048, 83455272), ("wide_resnet50_2", 2048, 68883240),
        ("wide_resnet101_2", 2048, 126886696)], in_channels=64),
    **_rows("VGG", _VGG, [
        ("vgg11", 512, 132863336), ("vgg11_bn", 512, 132868840), ("vgg13", 512, 133047848),
        ("vgg13_bn", 512, 133053736), ("vgg16", 512, 138357544), ("vgg16_bn", 512, 138365992),
        ("vgg19", 512, 143667240), ("vgg19_bn", 512, 143678248)]),
    **_rows("AlexNet", _ALEXNET, [("alexnet", 256, 61100840)]),
    **_rows("DenseNet", _DENSENET, [
        ("densenet121", 1024, 7978856), ("densenet161", 2208, 28681000), ("densenet169", 1664, 14149480),
        ("densenet201", 1920, 20013928)]),
    **_rows("MobileNetV2", _HALVING, [("mobilenet_v2", 1280, 3504872)]),
    **_rows("MobileNetV3Large", _HALVING, [("mobilenet_v3_large", 960, 5483032)]),
    **_rows("MobileNetV3Small", _HALVING, [("mobilenet_v3_small", 576, 2542856)]),
    **_rows("EfficientNet", _HALVING, [
        ("efficientnet_b0", 1280, 5288548), ("efficientnet_b1", 1280, 7794184), ("efficientnet_b2", 1408, 9109994),
        ("efficientnet_b3", 1536, 12233232), ("efficientnet_b4", 1792, 19341616),
        ("efficientnet_b5", 2048, 30389784), ("efficientnet_b6", 2304, 43040704),
        ("efficientnet_b7", 2560, 66347960), ("efficientnet_v2_s", 1280, 21458488),
        ("efficientnet_v2_m", 1280, 54139356), ("efficientnet_v2_l", 1280, 118515272)]),
    **_rows("SqueezeNet", _SQUEEZENET_1_0, [("squeezenet1_0", 512, 1248424)]),
    **_rows("SqueezeNet", _SQUEEZENET_1_1, [("squeezenet1_1", 512, 1235496)]),
    **_rows("ShuffleNetV2", _HALVING, [  # conv1, maxpool and the first unit of stage2..4 have stride 2
        ("shufflenet_v2_x0_5", 1024, 1366792), ("shufflenet_v2_x1_0", 1024, 2278604),
        ("shufflenet_v2_x1_5", 1024, 3503624), ("shufflenet_v2_x2_0", 2048, 7393996)]),
    **_rows("SwinTransformer", _SWIN, [  # the trunk ends with its norm and permute to B×C×h×w
        ("swin_t", 768, 28288354), ("swin_s", 768, 49606258), ("swin_b", 1024, 87768224)]),
    **_rows("ConvNeXt", _CONVNEXT, [
        ("convnext_tiny", 768, 28589128), ("convnext_small", 768, 50223688), ("convnext_base", 1024, 88591464),
        ("convnext_large", 1536, 197767336)]),
    **{name: Backbone(name, "VisionTransformer", features, params, image_size=224) for name, features, params in [
        ("vit_b_16", 768, 86567656), ("vit_b_32", 768, 88224232), ("vit_l_16", 1024, 304326632),
        ("vit_l_32", 1024, 306535400), ("vit_h_14", 1280, 632045800)]},
}

# the head torchvision puts on each family, as (in, out) of its Linear layers for 1000 classes:
# what the trunk's share of ``params`` leaves out
_HEADS = {"ResNet": lambda f: [(f, 1000)], "DenseNet": lambda f: [(f, 1000)],
          "VGG": lambda f: [(f * 7 * 7, 4096), (4096, 4096), (4096, 1000)],
          "AlexNet": lambda f: [(f * 6 * 6, 4096), (4096, 4096), (4096, 1000)],
          "MobileNetV2": lambda f: [(f, 1000)], "EfficientNet": lambda f: [(f, 1000)],
          "MobileNetV3Large": lambda f: [(f, 1280), (1280, 1000)],
          "MobileNetV3Small": lambda f: [(f, 1024), (1024, 1000)],
          "ConvNeXt": lambda f: [(f, 1000)], "VisionTransformer": lambda f: [(f, 1000)],
          "ShuffleNetV2": lambda f: [(f, 1000)], "SwinTransformer": lambda f: [(f, 1000)],
          "SqueezeNet": lambda f: [(f, 1000)]}  # its head is a 1×1 Conv2d: as many weights as a Linear
_HEAD_NORMS = {"ConvNeXt": 2}  # the LayerNorm2d before ConvNeXt's Linear: weight and bias


def trunk_params(backbone: Backbone) -> int:
    """The trunk's parameters: the weights' total less the head's."""
    head = sum(i * o + o for i, o in _HEADS[backbone.family](backbone.features))
    stem = _RESNET_STEM if backbone.family == "ResNet" else 0
    return backbone.params - head - stem - _HEAD_NORMS.get(backbone.family, 0) * backbone.features


def trunk_output(x: Shape, backbone: Backbone) -> Shape:
    """B×3×H×W (a ResNet's: B×64×H×W, after its stem) → B×features×h×w through the trunk's strided
    windows; ViT: B×hidden_dim, and only for image_size×image_size input."""
    name, channels = backbone.name, backbone.in_channels
    require_rank(x, (4,), name, f"4-D (B×{channels}×H×W)")
    if S.same(x[1], channels) is False:
        what = "input channels (RGB)" if channels == 3 else "channels (what its stem, conv1, gives)"
        raise ShapeError(Code.CHANNEL_MISMATCH, f"{name} expects {channels} {what} but receives "
                                                f"{S.render(x[1])}", input=S.render_shape(x))
    if backbone.image_size:
        for what, size in (("height", x[2]), ("width", x[3])):
            if S.same(size, backbone.image_size) is False:
                raise ShapeError(Code.INPUT_SIZE, f"{name} takes only {backbone.image_size}×{backbone.image_size} "
                                                  f"images (its image_size) but receives {what} {S.render(size)}",
                                 input=S.render_shape(x))
        return (x[0], backbone.features)
    spatial = list(x[2:])
    for kernel, stride, padding, *ceil in backbone.steps:
        spatial = [window_out(d, kernel, stride, padding, ceil=bool(ceil)) for d in spatial]
        check_size(name, spatial, x, 2, f"its {kernel}×{kernel} stride-{stride} windows")
    return (x[0], backbone.features, *spatial)


def trunk_rule(backbone: Backbone) -> LayerRule:
    """The trunk as a layer of no arguments, as the interpreter applies layers."""
    size = backbone.image_size
    spatial = (size, size) if size else (S.sym("H"), S.sym("W"))
    return LayerRule(f"{backbone.name}.trunk", (), lambda x, a: trunk_output(x, backbone),
                     params=lambda a: trunk_params(backbone),
                     expects=lambda a: (S.sym(S.BATCH), backbone.in_channels) + spatial)


TRUNKS: Dict[str, LayerRule] = {name: trunk_rule(b) for name, b in BACKBONES.items()}
