# Week 6 lab: add batch norm after every convolution.
import torch
from torch import nn


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(24)  # expect: SHP102 32 24
        self.conv2 = nn.Conv2d(24, 48, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(48)
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(48, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        x = self.gap(x).view(x.size(0), -1)
        return self.fc(x)


if __name__ == "__main__":
    net = BNNet()
    out = net(torch.randn(8, 3, 32, 32))
