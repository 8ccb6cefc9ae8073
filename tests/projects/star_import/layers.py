import torch.nn as nn

__all__ = ["ConvBNReLU", "Classifier"]


class ConvBNReLU(nn.Sequential):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )


class Classifier(nn.Module):
    def __init__(self, features, num_classes):
        super().__init__()
        self.fc = nn.Linear(features, num_classes)

    def forward(self, x):
        return self.fc(x)


def _private_helper():
    return None
