# Reusing my CIFAR model on MNIST for the transfer experiment.
import torch
import torch.nn as nn


class SmallNet(nn.Module):
    def __init__(self, n_out=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),  # expect: SHP102 3 1
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(64, n_out)

    def forward(self, x):
        return self.fc(self.body(x).flatten(1))


if __name__ == "__main__":
    net = SmallNet()
    mnist_batch = torch.rand(8, 1, 28, 28)
    net(mnist_batch)
