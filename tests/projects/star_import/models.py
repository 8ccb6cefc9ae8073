import torch.nn as nn

from layers import *


class SmallNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = ConvBNReLU(3, 32, stride=2)
        self.stage = ConvBNReLU(32, 64, stride=2)
        self.classifier = Classifier(64 * 8 * 8, num_classes)

    def forward(self, x):
        x = self.stage(self.stem(x))
        x = x.view(-1, 64 * 16 * 16)  # expect: SHP105 16384 4096
        return self.classifier(x)
