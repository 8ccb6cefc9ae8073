"""A feature pyramid network for semantic segmentation (Kirillov et al. 2019, "Panoptic FPN"
semantic head) on a small GroupNorm backbone: TF-style ZeroPad2d before strided convolutions,
lateral 1x1 convolutions in a ModuleList, top-down F.interpolate + torch.add, a ModuleDict of
per-level heads, torch.stack of the upsampled levels, Dropout2d."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_gn_relu(in_channels, out_channels, stride=1, groups=8):
    layers = []
    if stride == 2:
        layers.append(nn.ZeroPad2d((0, 1, 0, 1)))  # "SAME" padding as TensorFlow does it
        layers.append(nn.Conv2d(in_channels, out_channels, 3, stride=2, bias=False))
    else:
        layers.append(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False))
    layers += [nn.GroupNorm(groups, out_channels), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class Backbone(nn.Module):
    def __init__(self, in_channels=3, widths=(32, 64, 128, 256)):
        super().__init__()
        self.stem = nn.Sequential(conv_gn_relu(in_channels, widths[0] // 2, stride=2),
                                  conv_gn_relu(widths[0] // 2, widths[0], stride=2))
        self.stages = nn.ModuleList()
        for i in range(1, len(widths)):
            self.stages.append(nn.Sequential(conv_gn_relu(widths[i - 1], widths[i], stride=2),
                                             conv_gn_relu(widths[i], widths[i])))
        self.out_channels = list(widths)

    def forward(self, x):
        x = self.stem(x)
        features = [x]
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features  # strides 4, 8, 16, 32


class FPN(nn.Module):
    def __init__(self, in_channels_list, out_channels=64):
        super().__init__()
        self.lateral = nn.ModuleList([nn.Conv2d(c, out_channels, 1) for c in in_channels_list])
        self.output = nn.ModuleList([nn.Conv2d(out_channels, out_channels, 3, padding=1)
                                     for _ in in_channels_list])

    def forward(self, features):
        laterals = [conv(f) for conv, f in zip(self.lateral, features)]
        for i in range(len(laterals) - 1, 0, -1):
            upsampled = F.interpolate(laterals[i], scale_factor=2, mode="nearest")
            laterals[i - 1] = torch.add(laterals[i - 1], upsampled)  # expect: SHP108 7 6
        return [conv(x) for conv, x in zip(self.output, laterals)]


class SemanticHead(nn.Module):
    def __init__(self, in_channels=64, channels=32, num_levels=4, num_classes=21):
        super().__init__()
        self.levels = nn.ModuleDict()
        for level in range(num_levels):
            blocks = [conv_gn_relu(in_channels if i == 0 else channels, channels) for i in range(max(1, level))]
            if level > 0:
                blocks.append(nn.Upsample(scale_factor=2 ** level, mode="bilinear", align_corners=False))
            self.levels["p%d" % (level + 2)] = nn.Sequential(*blocks)
        self.dropout = nn.Dropout2d(0.1)
        self.classifier = nn.Conv2d(channels, num_classes, 1)

    def forward(self, pyramid):
        upsampled = [self.levels["p%d" % (i + 2)](p) for i, p in enumerate(pyramid)]
        x = torch.stack(upsampled, dim=0).sum(dim=0)
        x = self.classifier(self.dropout(x))
        return F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=False)


class SegmentationFPN(nn.Module):
    def __init__(self, num_classes=21):
        super().__init__()
        self.backbone = Backbone()
        self.fpn = FPN(self.backbone.out_channels, out_channels=64)
        self.head = SemanticHead(64, 32, num_levels=4, num_classes=num_classes)

    def forward(self, images):
        return self.head(self.fpn(self.backbone(images)))


if __name__ == "__main__":
    model = SegmentationFPN(num_classes=21)
    images = torch.randn(2, 3, 120, 150)
    logits = model(images)
    print(logits.shape)
