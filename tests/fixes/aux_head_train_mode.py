"""A GoogLeNet-style CIFAR net with an auxiliary classifier that only runs while training
(`if self.training`).  The aux head's Linear was sized for 4x4 maps (16x16 inputs to its pooling);
it gets 8x8 maps, pooled to 2x2.  Evaluation runs clean: the bug shows in the training loop only."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class AuxHead(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.pool = nn.AvgPool2d(kernel_size=4, stride=4)
        self.conv = nn.Conv2d(in_channels, 64, kernel_size=1)
        self.fc = nn.Linear(64 * 2 * 2, num_classes)  # expect: SHP101 1024 256

    def forward(self, x):
        x = F.relu(self.conv(self.pool(x)))
        return self.fc(torch.flatten(x, 1))


class AuxNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stage1 = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.stage2 = nn.Sequential(nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.aux = AuxHead(128, num_classes)
        self.stage3 = nn.Sequential(nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(256, num_classes)

    def forward(self, x):
        x = self.stage2(self.stage1(x))
        aux = self.aux(x) if self.training else None
        x = torch.flatten(self.stage3(x), 1)
        logits = self.fc(x)
        if self.training:
            return logits, aux
        return logits


model = AuxNet()
model.eval()
with torch.no_grad():
    print(model(torch.randn(2, 3, 32, 32)).shape)
model.train()
logits, aux = model(torch.randn(2, 3, 32, 32))
loss = F.cross_entropy(logits, torch.zeros(2, dtype=torch.long)) + 0.3 * F.cross_entropy(aux, torch.zeros(2, dtype=torch.long))
