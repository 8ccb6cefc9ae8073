"""A small CNN written as an nn.Module, with the input shape given in a comment.

    shapecheck examples/simple_cnn.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


# shapecheck: input=(B, 3, 32, 32)
class SimpleCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 8 * 8, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))   # B×16×16×16
        x = self.pool(F.relu(self.conv2(x)))   # B×32×8×8
        x = torch.flatten(x, 1)                # B×2048
        x = F.relu(self.fc1(x))
        return self.fc2(x)


if __name__ == "__main__":
    net = SimpleCNN()
    print(net(torch.randn(8, 3, 32, 32)).shape)  # torch.Size([8, 10])
