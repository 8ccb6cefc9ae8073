import torch
import torch.nn as nn


# shapecheck: input=(B, 3, 32, 32)
class VGGish(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.block3 = nn.Sequential(nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(128 * 4 * 4, 10)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(x)))
        x = x.reshape(x.size(0), 128 * 4 * 4)  # expect: SHP105 1152 2048
        return self.fc(x)


if __name__ == "__main__":
    VGGish()(torch.randn(2, 3, 32, 32))
