import torch.nn as nn

from blocks import Head, conv_block


class SmallNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(conv_block(3, 32), conv_block(32, 64), conv_block(64, 64))
        self.head = Head(64 * 4 * 4, num_classes)

    def forward(self, x):
        return self.head(self.features(x))


class WideNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(conv_block(3, 32), conv_block(32, 64))
        self.head = Head(64 * 16 * 16, num_classes)  # expect: SHP101 16384 4096

    def forward(self, x):
        return self.head(self.features(x))
