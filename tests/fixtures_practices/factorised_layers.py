# Layer pairs without an activation between them that are deliberate: a depthwise-separable
# convolution, a 1x1 channel reduction, a low-rank factorisation, and LoRA-style adapters; and pairs
# that are separated by a non-linearity (ReLU, MaxPool, LayerNorm).
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeparableConv(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.depthwise = nn.Conv2d(in_ch, in_ch, 3, padding=1, groups=in_ch)
        self.pointwise = nn.Conv2d(in_ch, out_ch, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class LowRankLinear(nn.Module):
    def __init__(self, in_features, out_features, rank):
        super().__init__()
        self.down = nn.Linear(in_features, rank, bias=False)
        self.up = nn.Linear(rank, out_features)

    def forward(self, x):
        return self.up(self.down(x))


class Reduction(nn.Module):
    def __init__(self, in_ch):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(in_ch, 16, kernel_size=1),
            nn.Conv2d(16, 24, kernel_size=3, padding=1),
        )
        self.compress = nn.Sequential(nn.Linear(512, 32), nn.Linear(32, 512))

    def forward(self, x):
        return self.branch(x)


class Separated(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.norm = nn.LayerNorm(32)
        self.fc1 = nn.Linear(32, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = self.conv2(x)
        x = self.conv3(F.gelu(x))
        x = x.mean(dim=(2, 3))
        x = self.fc2(self.norm(self.fc1(x)))
        return x


head = nn.Sequential(nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
print(Separated()(torch.randn(1, 3, 8, 8)).shape, head(torch.randn(2, 256)).shape)
