#!/usr/bin/env python
# coding: utf-8

# CIFAR-10 from the Kaggle CSV export: each row holds 32*32*3 pixel values and a label.

# In[1]:


import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


# In[2]:


# df = pd.read_csv("../input/cifar10-csv/train.csv")
n_pixels = 32 * 32 * 3
df = pd.DataFrame(np.random.randint(0, 256, size=(256, n_pixels + 1)),
                  columns=[f"p{i}" for i in range(n_pixels)] + ["label"])  # stand-in for the csv
df["label"] = df["label"] % 10


# In[3]:


imgs = df.drop(columns="label").to_numpy(dtype=np.float32)
imgs = imgs.reshape(-1, 32, 32, 3) / 255.0        # back to images
labels = df["label"].to_numpy()

imgs_t = torch.tensor(imgs, dtype=torch.float32)
labels_t = torch.tensor(labels, dtype=torch.long)
dl = DataLoader(TensorDataset(imgs_t, labels_t), batch_size=32, shuffle=True)


# In[4]:


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(128 * 4 * 4, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.pool(F.relu(self.conv3(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


# In[5]:


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
net = ConvNet().to(device)
optimizer = torch.optim.Adam(net.parameters(), lr=3e-4)

for epoch in range(1):
    for step, (xb, yb) in enumerate(dl):
        xb, yb = xb.to(device), yb.to(device)
        out = net(xb)  # expect: SHP201 32 3
        loss = F.cross_entropy(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == 1:
            break
    print(epoch, loss.item())
