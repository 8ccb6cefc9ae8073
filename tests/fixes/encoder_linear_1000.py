"""Encoder for the contrastive-learning project: images -> 128-d embeddings.

Crops come from the augmentation pipeline at whatever size the config says.
"""
import argparse

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, embed_dim=128):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        self.fc = nn.Linear(4096, embed_dim)  # expect: SHP101 1000 64

    def forward(self, x):
        h = self.conv(x)
        h = h.view(h.size(0), -1)
        return self.fc(h)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--crop", type=int, default=32)
    opts = p.parse_args()
    enc = Encoder()
    z = enc(torch.randn(4, 3, opts.crop, opts.crop))
    print(z.shape)
