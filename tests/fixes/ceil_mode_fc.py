import torch
import torch.nn as nn

# MNIST, three pooling stages; ceil_mode so odd sizes round up like Caffe did
net = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2, 2, ceil_mode=True),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2, 2, ceil_mode=True),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2, 2, ceil_mode=True),
    nn.Flatten(),
    nn.Linear(64 * 4 * 4, 10),  # expect: SHP101 576 1024
)

if __name__ == "__main__":
    print(net(torch.randn(16, 1, 28, 28)).shape)
