"""Strided-conv classifier for the 64x64 tiles of the satellite dataset."""
import torch
from torch import nn


class TileClassifier(nn.Module):  # expect: SHP204 57 64
    def __init__(self, in_channels=3, n_classes=6):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
        )
        self.head = nn.Linear(128 * 8 * 8, n_classes)

    def forward(self, x):
        features = self.encoder(x)
        return self.head(torch.flatten(features, start_dim=1))


def build_model(n_classes=6):
    return TileClassifier(3, n_classes)
