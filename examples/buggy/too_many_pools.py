"""Five poolings for a 28×28 MNIST image: 28 -> 14 -> 7 -> 3 -> 1 -> nothing left."""
import torch
import torch.nn as nn

# shapecheck: input=(B, 1, 28, 28)
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64, 10),
)

if __name__ == "__main__":
    print(model(torch.randn(2, 1, 28, 28)).shape)
