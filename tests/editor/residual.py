import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, channels_in, channels_out, stride):
        super().__init__()
        self.conv = nn.Conv2d(channels_in, channels_out, 3, stride=stride, padding=1)
        self.bn = nn.BatchNorm2d(channels_out)

    def forward(self, x):
        out = self.conv(x)
        out = torch.relu(self.bn(out))
        return out


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.blocks = nn.Sequential(Block(16, 32, 2), Block(32, 64, 2))
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.blocks(x)
        x = x.mean(dim=(2, 3))
        return self.head(x)


model = Net()
logits = model(torch.randn(8, 3, 32, 32))
