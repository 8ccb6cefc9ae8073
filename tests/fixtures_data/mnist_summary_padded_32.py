#!/usr/bin/env python
# coding: utf-8

# MNIST CNN -- trying the LeNet trick of padding the digits to 32x32

# In[1]:


import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# In[2]:


# train = pd.read_csv("../input/mnist-in-csv/mnist_train.csv")
train = pd.DataFrame(np.random.randint(0, 256, size=(256, 785)),
                     columns=["label"] + [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)])
train["label"] %= 10

X = train.drop(columns="label").to_numpy().reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
y = train["label"].to_numpy()
loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=64, shuffle=True)


# In[3]:


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


model = Net().to(device)
try:
    from torchsummary import summary   # !pip install torchsummary
    summary(model, (1, 28, 28), device="cpu")
except ImportError:
    print(model)


# In[4]:


optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(1):
    model.train()
    for batch, (xb, yb) in enumerate(loader):
        xb, yb = xb.to(device), yb.to(device)
        xb = F.pad(xb, (2, 2, 2, 2))          # 28x28 -> 32x32 like in the LeNet paper
        out = model(xb)  # expect: SHP203 28 32
        loss = criterion(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch == 1:
            break
    print(f"epoch {epoch + 1} loss {loss.item():.3f}")
