import torch.nn as nn


def make_model(num_blocks, width=64, num_classes=10):
    """num_blocks conv/pool stages; the head is sized for three stages on 32x32 images."""
    layers, channels = [], 3
    for _ in range(num_blocks):
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        channels = width
    layers += [nn.Flatten(), nn.Linear(width * 4 * 4, num_classes)]  # expect: SHP101 1024 256 2
    return nn.Sequential(*layers)
