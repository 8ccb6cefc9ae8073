import torch
import torch.nn as nn
import torch.nn.functional as F


# shapecheck: input=(B, 3, 32, 32)
class DilatedNet(nn.Module):
    def __init__(self):
        super().__init__()
        # dilation 2 to see more context without pooling early
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, dilation=2)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, dilation=2)
        self.fc = nn.Linear(32 * 12 * 12, 10)  # expect: SHP101 6272 4608

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = x.view(x.size(0), -1)
        return self.fc(x)


if __name__ == "__main__":
    net = DilatedNet()
    net(torch.randn(2, 3, 32, 32))
