"""CIFAR-10 cached as an .npz of uint8 images in the N x 32 x 32 x 3 layout that PIL and
matplotlib use; the Dataset's __getitem__ hands each image to the model without moving the channels
first (there is no ToTensor() to do it)."""
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

# --- stand-in for the cache written by the preprocessing notebook ---------------------------------
if not os.path.exists("cifar10_train.npz"):
    np.savez("cifar10_train.npz", x=np.random.randint(0, 256, (64, 32 * 32 * 3), dtype=np.uint8),
             y=np.random.randint(0, 10, 64))
# ----------------------------------------------------------------------------------------------------


class CachedCIFAR(Dataset):
    def __init__(self, path):
        data = np.load(path)
        self.x = data["x"].reshape(-1, 32, 32, 3).astype(np.float32) / 255.0
        self.y = data["y"]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), torch.tensor(self.y[i])


train_loader = DataLoader(CachedCIFAR("cifar10_train.npz"), batch_size=16, shuffle=True)

net = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
)
optimizer = torch.optim.Adam(net.parameters())
for x, y in train_loader:
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(net(x), y)  # expect: SHP201 3 32
    loss.backward()
    optimizer.step()
