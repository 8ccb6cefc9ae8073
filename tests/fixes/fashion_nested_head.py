import torch
import torch.nn as nn

# Fashion-MNIST, v2 of the nested model: pooled features feed a two-layer head
features = nn.Sequential(
    nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2)),
    nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2)),
)

head = nn.Sequential(
    nn.Flatten(),
    nn.Linear(32 * 7 * 7, 128),  # expect: SHP101 2048 1568
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(128, 10),
)

# shapecheck: input=(B, 1, 28, 28)
model = nn.Sequential(features, head)

if __name__ == "__main__":
    print(model(torch.randn(5, 1, 28, 28)).shape)
