import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    def __init__(self, in_ch=1, width=16, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width * 2, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, num_classes)  # expect: SHP101 1568 3136

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc(x)


# ablation: double the width
model = ConvNet(width=32)

if __name__ == "__main__":
    out = model(torch.zeros(4, 1, 28, 28))
