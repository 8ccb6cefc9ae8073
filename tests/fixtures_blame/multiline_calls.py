"""Constructor calls written over several lines, one argument a line, as formatters leave them:
the wrong width is on the line of its argument, not on the line the call starts."""
import torch
import torch.nn as nn


def conv_block(in_channels, out_channels):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class LeNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_channels=3,
            out_channels=6,
            kernel_size=5,
        )
        self.conv2 = nn.Conv2d(
            in_channels=6,
            out_channels=16,
            kernel_size=5,
        )
        self.conv3 = nn.Conv2d(
            in_channels=6,  # expect: SHP102 6 16 @25 use nn.Conv2d(in_channels=16, out_channels=32, kernel_size=3)
            out_channels=32,
            kernel_size=3,
        )

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.conv3(x)


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(3, 32),
            conv_block(
                32,
                64,
            ),
            conv_block(
                32,  # expect: SHP102 32 64 @17 pass 64 as in_channels: conv_block(64, 128)
                128,
            ),
        )

    def forward(self, x):
        return self.features(x)


if __name__ == "__main__":
    print(LeNetish()(torch.randn(2, 3, 32, 32)).shape)
    print(Blocks()(torch.randn(2, 3, 32, 32)).shape)
