#!/usr/bin/env python
# coding: utf-8

# # Digit Recognizer with a small CNN in PyTorch
# Every row of train.csv is a label and 784 pixel values of a 28x28 image.

# In[1]:


import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device)


# In[2]:


# train = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")
rng = np.random.default_rng(0)
train = pd.DataFrame(rng.integers(0, 256, size=(512, 785)),
                     columns=["label"] + [f"pixel{i}" for i in range(784)])  # stand-in for train.csv
train["label"] = train["label"] % 10
train.head()


# In[3]:


X = train.drop(columns="label").to_numpy()
y = train["label"].to_numpy()
X = X.reshape(-1, 1, 28, 28) / 255.0
print(X.shape, y.shape)


# In[4]:


X_train = torch.tensor(X, dtype=torch.float32)
y_train = torch.tensor(y, dtype=torch.long)

train_ds = TensorDataset(X_train, y_train)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)


# In[5]:


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # 28 -> 14
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # 14 -> 7
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


model = Net().to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


# In[6]:


model.train()
for epoch in range(1):
    running_loss = 0.0
    for step, (xb, yb) in enumerate(train_loader):
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        out = model(xb)
        loss = criterion(out, yb)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if step == 1:  # just a couple of batches for the dry run
            break
    print(f"epoch {epoch}: loss {running_loss / 2:.4f}")


# In[7]:


model.eval()
correct = 0
with torch.no_grad():
    out = model(X_train[:64].to(device))
    correct += (out.argmax(1).cpu() == y_train[:64]).sum().item()
print("accuracy on the first 64:", correct / 64)
