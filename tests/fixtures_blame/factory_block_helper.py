"""A width that goes through three levels: make_stage (a factory) builds ResidualBlocks, whose
convolutions come from conv_bn (a helper).  The third stage was given 32 input channels where the
second stage's blocks give 64."""
import torch
import torch.nn as nn


def conv_bn(in_ch, out_ch, stride=1):
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False), nn.BatchNorm2d(out_ch), nn.ReLU())


class ResidualBlock(nn.Module):
    def __init__(self, in_ch, out_ch, stride=1):
        super().__init__()
        self.conv1 = conv_bn(in_ch, out_ch, stride)
        self.conv2 = conv_bn(out_ch, out_ch)
        self.shortcut = nn.Conv2d(in_ch, out_ch, 1, stride, bias=False)

    def forward(self, x):
        return self.conv2(self.conv1(x)) + self.shortcut(x)


def make_stage(in_ch, out_ch, num_blocks, stride):
    blocks = [ResidualBlock(in_ch, out_ch, stride)]
    blocks += [ResidualBlock(out_ch, out_ch) for _ in range(num_blocks - 1)]
    return nn.Sequential(*blocks)


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16)
        self.stage1 = make_stage(16, 32, 2, stride=1)
        self.stage2 = make_stage(32, 64, 2, stride=2)
        self.stage3 = make_stage(32, 128, 2, stride=2)  # expect: SHP102 32 64 @34 pass 64 as in_ch: make_stage(64, 128, 2, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


if __name__ == "__main__":
    print(Net()(torch.randn(2, 3, 32, 32)).shape)
