"""A Dataset over the raw CIFAR-10 python batches: each pickled batch holds 10000 rows of 3072
bytes, reshaped to N x 3 x 32 x 32, channels first as the model wants them."""
import os
import pickle

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

# --- stand-in for cifar-10-batches-py/data_batch_1 ---------------------------------------------------
if not os.path.exists("data_batch_1"):
    with open("data_batch_1", "wb") as fo:
        pickle.dump({b"data": np.random.randint(0, 256, (64, 3072), dtype=np.uint8),
                     b"labels": list(np.random.randint(0, 10, 64))}, fo)
# ----------------------------------------------------------------------------------------------------


class CIFARBatch(Dataset):
    def __init__(self, files):
        images, labels = [], []
        for name in files:
            with open(name, "rb") as fo:
                batch = pickle.load(fo, encoding="bytes")
            images.append(batch[b"data"])
            labels.extend(batch[b"labels"])
        self.images = np.concatenate(images).reshape(-1, 3, 32, 32)
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = torch.tensor(self.images[index], dtype=torch.float32) / 255.0
        return image, self.labels[index]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


trainloader = DataLoader(CIFARBatch(["data_batch_1"]), batch_size=8, shuffle=True)
net = Net()
optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
for i, (inputs, labels) in enumerate(trainloader):
    optimizer.zero_grad()
    loss = F.cross_entropy(net(inputs), labels)
    loss.backward()
    optimizer.step()
    if i == 2:
        break
print(loss.item())
