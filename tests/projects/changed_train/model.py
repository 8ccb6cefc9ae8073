import torch.nn as nn


class CifarCNN(nn.Module):
    """For 32x32 CIFAR images."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(64 * 4 * 4, 10)  # expect: SHP101 1024 4096 8

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
