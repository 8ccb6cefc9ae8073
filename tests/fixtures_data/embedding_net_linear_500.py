"""Embedding network for the few-shot experiments (see train_protonet.py for the data side)."""
import os

import torch
import torch.nn as nn


def conv_block(in_ch, out_ch):
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 3, padding=1),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class EmbeddingNet(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.encoder = nn.Sequential(conv_block(3, 32), conv_block(32, 64), conv_block(64, 128))
        self.project = nn.Linear(500, dim)  # expect: SHP101 500 128

    def forward(self, x):
        z = self.encoder(x)
        z = z.view(z.size(0), -1)
        return self.project(z)


if __name__ == "__main__":
    size = int(os.environ.get("IMAGE_SIZE", "84"))   # miniImageNet crops by default
    net = EmbeddingNet()
    print(net(torch.randn(2, 3, size, size)).shape)
