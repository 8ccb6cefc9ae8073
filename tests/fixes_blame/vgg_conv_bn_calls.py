"""A VGG-style CIFAR net from a conv_bn helper called five times; the fourth call was copied from
the third and kept its input width.  Only that call is wrong: the helper and the other calls are right."""
import torch
import torch.nn as nn


def conv_bn(in_channels, out_channels, pool=False):
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
              nn.BatchNorm2d(out_channels),
              nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class VGGish(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 64),
            conv_bn(64, 128, pool=True),
            conv_bn(128, 256, pool=True),
            conv_bn(256, 512, pool=True),  # expect: SHP102 128 256 @21 pass 256 as in_channels: conv_bn(256, 512, pool=True)
            conv_bn(512, 512, pool=True),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(512 * 2 * 2, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


model = VGGish()

if __name__ == "__main__":
    print(model(torch.randn(2, 3, 32, 32)).shape)
