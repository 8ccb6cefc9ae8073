"""Blocks shared by the networks in nets.py."""
import torch.nn as nn


def conv_block(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.BatchNorm2d(out_channels),
                         nn.ReLU(), nn.MaxPool2d(2))


class Head(nn.Module):
    def __init__(self, features, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(features, 256)
        self.fc2 = nn.Linear(256, num_classes)

    def forward(self, x):
        return self.fc2(self.fc1(x.flatten(1)).relu())
