import torch.nn as nn

import utils


class Classifier(nn.Module):
    def __init__(self, num_classes=utils.DEFAULT_CLASSES):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        return self.head(self.body(x).flatten(1))


def build():
    return utils.count_parameters(Classifier())
