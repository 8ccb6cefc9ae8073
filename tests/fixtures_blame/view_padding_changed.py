"""A CIFAR CNN that flattens with view, where the second convolution lost its padding=1: the map
is 7x7 where the view was written for 8x8."""
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(32 * 8 * 8, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.view(-1, 32 * 8 * 8)  # expect: SHP105 2048 1568 @13 use x.view(-1, 32 * 7 * 7), or keep 2048 and use padding=1 in the Conv2d(16, 32, 3) at line 12
        return self.fc(x)


net = Net()

if __name__ == "__main__":
    print(net(torch.randn(4, 3, 32, 32)).shape)
