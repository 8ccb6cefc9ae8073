"""The Inception-ResNet of inception_resnet_add_module.py with the residual's 1x1 reduction sized for
branches of 32 + 64 channels; they are 32 + 32.  The block is only reached through the stages that
add_module fills in a loop."""
import torch
import torch.nn as nn


class BasicConv2d(nn.Module):
    def __init__(self, input_channels, output_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(input_channels, output_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(output_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class InceptionResNetA(nn.Module):
    def __init__(self, input_channels):
        super().__init__()
        self.branch3x3 = nn.Sequential(
            BasicConv2d(input_channels, 32, kernel_size=1),
            BasicConv2d(32, 32, kernel_size=3, padding=1),
        )
        self.branch1x1 = BasicConv2d(input_channels, 32, kernel_size=1)
        self.reduction1x1 = nn.Conv2d(64, 128, kernel_size=1)  # expect: SHP102 96 64
        self.shortcut = nn.Conv2d(input_channels, 128, kernel_size=1)
        self.bn = nn.BatchNorm2d(128)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        residual = torch.cat([self.branch1x1(x), self.branch3x3(x)], 1)
        residual = self.reduction1x1(residual) * 0.1
        return self.relu(self.bn(self.shortcut(x) + residual))


class ReductionA(nn.Module):
    def __init__(self, input_channels, k, m):
        super().__init__()
        self.branch3x3stack = nn.Sequential(
            BasicConv2d(input_channels, k, kernel_size=1),
            BasicConv2d(k, m, kernel_size=3, stride=2),
        )
        self.branchpool = nn.MaxPool2d(kernel_size=3, stride=2)
        self.output_channels = input_channels + m

    def forward(self, x):
        return torch.cat([self.branch3x3stack(x), self.branchpool(x)], 1)


class InceptionResNet(nn.Module):
    def __init__(self, A, B, class_nums=100):
        super().__init__()
        self.stem = BasicConv2d(3, 64, kernel_size=3, padding=1)
        self.inception_resnet_a = self._generate_inception_module(64, 128, A, InceptionResNetA)
        self.reduction_a = ReductionA(128, 64, 96)
        output_channels = self.reduction_a.output_channels
        self.inception_resnet_b = self._generate_inception_module(output_channels, 128, B, InceptionResNetA)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout2d(1 - 0.8)
        self.linear = nn.Linear(128, class_nums)

    def forward(self, x):
        x = self.stem(x)
        x = self.inception_resnet_a(x)
        x = self.reduction_a(x)
        x = self.inception_resnet_b(x)
        x = self.avgpool(x)
        x = self.dropout(x)
        x = x.view(-1, 128)
        return self.linear(x)

    @staticmethod
    def _generate_inception_module(input_channels, output_channels, block_num, block):
        layers = nn.Sequential()
        for l in range(block_num):
            layers.add_module("{}_{}".format(block.__name__, l), block(input_channels))
            input_channels = output_channels
        return layers


def inception_resnet_small():
    return InceptionResNet(2, 2)


net = inception_resnet_small()
print(net(torch.randn(2, 3, 32, 32)).shape)
