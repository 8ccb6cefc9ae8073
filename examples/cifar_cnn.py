"""CIFAR-10 with three conv blocks: each MaxPool2d(2) halves the 32×32 image, 32 -> 16 -> 8 -> 4.

    shapecheck examples/cifar_cnn.py
"""
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(128 * 4 * 4, 10),
)

if __name__ == "__main__":
    logits = model(torch.randn(64, 3, 32, 32))
    print(logits.shape)  # torch.Size([64, 10])
