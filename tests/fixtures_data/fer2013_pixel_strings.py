#!/usr/bin/env python
# coding: utf-8

# FER-2013 facial expressions: each row has an emotion and a string of 48*48 space-separated pixels.

# In[1]:


import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


# In[2]:


# fer = pd.read_csv("../input/fer2013/fer2013.csv")
fer = pd.DataFrame({
    "emotion": np.random.randint(0, 7, 64),
    "pixels": [" ".join(map(str, np.random.randint(0, 256, 48 * 48))) for _ in range(64)],
    "Usage": "Training",
})
fer.head()


# In[3]:


faces = np.array([np.array(p.split(), dtype="float32") for p in fer["pixels"]])
faces = faces.reshape(-1, 1, 48, 48) / 255.0
emotions = fer["emotion"].values

X = torch.tensor(faces, dtype=torch.float32)
y = torch.tensor(emotions, dtype=torch.long)
train_loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)


# In[4]:


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2))


model = nn.Sequential(
    block(1, 32),      # 48 -> 24
    block(32, 64),     # 24 -> 12
    block(64, 128),    # 12 -> 6
    nn.Flatten(),
    nn.Linear(128 * 6 * 6, 7),
)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = model.to(device)


# In[5]:


optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for batch_i, (xb, yb) in enumerate(train_loader):
    xb, yb = xb.to(device), yb.to(device)
    out = model(xb)
    loss = nn.CrossEntropyLoss()(out, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(loss.item())
